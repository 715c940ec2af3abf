// Synthesizes the StreamSoft stack for a transport in memory and gives it back both as the JSON string
// cdktf's matchers take and as a parsed object for whole-document scans.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Testing } from 'cdktf';
import { readPins } from '../../glue-streaming/glue-wheels';
import { resolveInfraConfig, type Transport } from '../../infra/config';
import { buildStack } from '../../infra/main';

export type TerraformJson = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  variable?: Record<string, unknown>;
  output?: Record<string, unknown>;
};

export interface Synthesized {
  json: string;
  doc: TerraformJson;
}

/**
 * Stand-ins for glue-streaming/ (same file names): construct tests check how the code is shipped, not
 * the jobs themselves; synth-command.test.ts synthesizes with the real folder.
 */
export const FIXTURE_GLUE_DIR = path.join(__dirname, 'fixtures', 'glue-streaming');

/**
 * Writes a dummy wheel (`<name>-<version>-py3-none-any.whl`, content `dummy <name>`) for every pin of
 * glue-streaming/requirements-glue.txt into `dir`, as `streamsoft setup` would stage the real ones; returns
 * the file names. Nothing is downloaded.
 */
export function writeDummyWheels(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return readPins().map((pin) => {
    const file = `${pin.name.toLowerCase().replace(/[-_.]+/g, '_')}-${pin.version}-py3-none-any.whl`;
    fs.writeFileSync(path.join(dir, file), `dummy ${pin.name}\n`);
    return file;
  });
}

let sharedWheelsDir: string | undefined;

// Registered while the importing test file is collected (jest's `process` is a sandbox object whose
// 'exit' listeners never ran: every infra test file used to leave its folder in /tmp).
afterAll(() => {
  if (sharedWheelsDir !== undefined) fs.rmSync(sharedWheelsDir, { recursive: true, force: true });
  sharedWheelsDir = undefined;
});

/** One folder of dummy wheels per test file, removed after its tests. */
export function dummyWheelsDir(): string {
  if (sharedWheelsDir === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-glue-wheels-'));
    writeDummyWheels(dir);
    sharedWheelsDir = dir;
  }
  return sharedWheelsDir;
}

export function synthTransport(transport: Transport, overrides: Record<string, unknown> = {}): Synthesized {
  const config = resolveInfraConfig({
    transport,
    glueSourceDir: FIXTURE_GLUE_DIR,
    glueWheelsDir: dummyWheelsDir(),
    mskIamJarDir: '/nonexistent-jars',
    ...overrides,
  });
  const { stack } = buildStack(Testing.app(), config);
  const json = Testing.synth(stack);
  return { json, doc: JSON.parse(json) as TerraformJson };
}

/** Every resource of a type, keyed by logical id. */
export function resourcesOf(doc: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  return doc.resource[type] ?? {};
}

export function countOf(doc: TerraformJson, type: string): number {
  return Object.keys(resourcesOf(doc, type)).length;
}

/**
 * Replaces each Terraform interpolation (`${aws_s3_bucket.x.arn}`, `${replace(…, ":a", ":b")}`, which may
 * hold quotes and braces) by `replacement(expression)`, the expression being the text inside `${…}`.
 */
export function replaceInterpolations(text: string, replacement: (expression: string) => string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}' && --depth === 0) break;
      }
      out += replacement(text.slice(i + 2, j));
      i = j;
    } else {
      out += text[i];
    }
  }
  return out;
}

/** Interpolations resolve to concrete ARNs at apply time, so a scan sees each as an opaque name. */
export function withoutInterpolations(text: string): string {
  return replaceInterpolations(text, () => 'INTERPOLATED');
}
