#!/usr/bin/env node
// Entry point of the `streamsoft` command: runs the TypeScript CLI through tsx, no build step needed.
// The AWS SDK's Node 20 end-of-support notice would otherwise precede every command's output; the
// README states the supported Node versions instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('../cli/main.ts');
