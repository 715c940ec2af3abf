// One hand-written trade for unit tests of the serde and the producer: the same values in every test that
// encodes a single trade, and the v3 writer schema fixture (a field the Trade type does not carry) with
// fields added to it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trade, TradeV1 } from '../../schemas/trade';

/** A trade with only the fields of schema version 1. */
export const SAMPLE_TRADE_V1: TradeV1 = {
  operation_id: '3f2b8a4e-9c1d-4e7f-a6b5-c4d3e2f1a0b9',
  person_name: 'Grace Hopper',
  symbol: 'IBM',
  timestamp: 1764316800123,
  exchange: 'NYSE',
  currency: 'USD',
  price: '880.9100',
  operation: 'sale',
};

/** The same trade with the fields version 2 added, and no broker. */
export const SAMPLE_TRADE: Trade = { ...SAMPLE_TRADE_V1, quantity: 42, broker: null };

/** tests/fixtures/schemas/trade-v3-compatible.avsc: version 2 plus a `venue` field with a default. */
export const TRADE_V3_COMPATIBLE = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/schemas/trade-v3-compatible.avsc'), 'utf8'),
) as Record<string, unknown>;

/** The v3 fixture with more fields after its own. */
export function v3WithFields(...fields: Array<Record<string, unknown>>): Record<string, unknown> {
  return { ...TRADE_V3_COMPATIBLE, fields: [...(TRADE_V3_COMPATIBLE.fields as unknown[]), ...fields] };
}
