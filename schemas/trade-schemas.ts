// The Trade Avro schemas shipped with StreamSoft, one `.avsc` file per version, loaded from this folder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type TradeSchemaVersion = 1 | 2;

/** Versions in registration order; the last one is the reader schema of every consumer. */
export const TRADE_SCHEMA_VERSIONS: readonly TradeSchemaVersion[] = [1, 2];
export const LATEST_TRADE_SCHEMA_VERSION: TradeSchemaVersion = 2;

export function tradeSchemaPath(version: TradeSchemaVersion): string {
  return join(__dirname, `trade-v${version}.avsc`);
}

/** The reader schema of every consumer (bronze's columns): the latest version's file. */
export const LATEST_READER_SCHEMA_PATH = tradeSchemaPath(LATEST_TRADE_SCHEMA_VERSION);

const cache = new Map<TradeSchemaVersion, Record<string, unknown>>();

/** Parsed schema JSON of one Trade version (a fresh copy, safe to modify). */
export function tradeSchema(version: TradeSchemaVersion): Record<string, unknown> {
  let schema = cache.get(version);
  if (schema === undefined) {
    schema = JSON.parse(readFileSync(tradeSchemaPath(version), 'utf8')) as Record<string, unknown>;
    cache.set(version, schema);
  }
  return structuredClone(schema);
}

export function isTradeSchemaVersion(value: number): value is TradeSchemaVersion {
  return (TRADE_SCHEMA_VERSIONS as readonly number[]).includes(value);
}
