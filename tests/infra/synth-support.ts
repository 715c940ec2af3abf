// Synthesizes the StreamSoft stack for a transport in memory and gives it back both as the JSON string
// cdktf's matchers take and as a parsed object for whole-document scans.
import path from 'node:path';
import { Testing } from 'cdktf';
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

export function synthTransport(transport: Transport, overrides: Record<string, unknown> = {}): Synthesized {
  const config = resolveInfraConfig({
    transport,
    glueSourceDir: FIXTURE_GLUE_DIR,
    glueWheelsDir: '/nonexistent-wheels',
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
