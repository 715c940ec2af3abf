#!/usr/bin/env node
// Entry point of the `streamsoft` command: runs the TypeScript CLI through tsx, no build step needed.
require('tsx/cjs');
require('../cli/main.ts');
