// Writing a Trade with a newer registered writer schema: fields the Trade type does not carry are written
// with their Avro default, or a zero value of their type, and a reader of that version reads them back.
import { avroTypeFor } from '../../../connectors/serde/avro-types';
import { missingFieldValues, zeroValue } from '../../../connectors/serde/missing-fields';
import type { RegistryClient } from '../../../connectors/serde/registry-client';
import { createTradeSerde } from '../../../connectors/serde/trade-serde';
import { tradeSchema } from '../../../schemas/trade-schemas';
import {
  SAMPLE_TRADE as trade,
  TRADE_V3_COMPATIBLE as V3,
  v3WithFields as withFields,
} from '../../support/sample-trade';

const TRADE_FIELDS = new Set((tradeSchema(2).fields as Array<{ name: string }>).map((field) => field.name));

describe('missing writer fields', () => {
  it('takes the Avro default of a field the Trade does not carry', () => {
    expect(missingFieldValues(avroTypeFor(V3), TRADE_FIELDS)).toEqual({ venue: null });
    expect(missingFieldValues(avroTypeFor(tradeSchema(2)), TRADE_FIELDS)).toEqual({});
  });

  it('makes a zero value of each type for a field without a default', () => {
    const schema = withFields(
      { name: 'desk', type: 'string' },
      { name: 'lots', type: 'int' },
      { name: 'hedged', type: 'boolean' },
      { name: 'side', type: { type: 'enum', name: 'Side', symbols: ['bid', 'ask'] } },
      { name: 'fees', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
      { name: 'fills', type: { type: 'array', items: 'long' } },
      { name: 'tags', type: { type: 'map', values: 'string' } },
      {
        name: 'leg',
        type: { type: 'record', name: 'Leg', fields: [{ name: 'ratio', type: ['null', 'double'] }] },
      },
      { name: 'code', type: { type: 'fixed', name: 'Code', size: 2 } },
    );
    expect(missingFieldValues(avroTypeFor(schema), TRADE_FIELDS)).toEqual({
      venue: null,
      desk: '',
      lots: 0,
      hedged: false,
      side: 'bid',
      fees: '0.00',
      fills: [],
      tags: {},
      leg: { ratio: null },
      code: Buffer.alloc(2),
    });
    expect(zeroValue('com.x.Leg', new Map([['Leg', { type: 'record', name: 'Leg', fields: [] }]]))).toEqual(
      {},
    );
  });

  it('encodes a Trade with a newer registered version that a reader of it decodes', async () => {
    const writer = withFields({ name: 'desk', type: 'string' });
    const registry = {
      url: 'http://registry.test',
      schemaById: async (id: number) => {
        if (id !== 7) throw new Error(`unexpected id ${id}`);
        return avroTypeFor(writer);
      },
    } as unknown as RegistryClient;
    const serde = await createTradeSerde({ registryUrl: registry.url, schemaId: 7, registry });
    const payload = serde.encode(trade);
    expect(payload.readUInt32BE(1)).toBe(7);
    expect(avroTypeFor(writer).fromBuffer(payload.subarray(5))).toEqual({ ...trade, venue: null, desk: '' });
    // and a reader of the shipped version still reads it
    expect(await serde.decode(payload)).toEqual(trade);
  });
});
