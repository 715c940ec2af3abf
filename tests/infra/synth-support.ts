// Synthesizes the StreamSoft stack for a transport in memory and gives it back both as the JSON string
// cdktf's matchers take and as a parsed object for whole-document scans.
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

export function synthTransport(transport: Transport, overrides: Record<string, unknown> = {}): Synthesized {
  const config = resolveInfraConfig({ transport, glueWheelsDir: '/nonexistent-wheels', ...overrides });
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
