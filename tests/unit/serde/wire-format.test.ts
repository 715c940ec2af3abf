// The wire format with static schemas: framing, v1 -> v2 resolution, caching, and typed errors for
// every kind of bad input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaError } from '../../../core/errors';
import { HEADER_LENGTH, WireFormat, readSchemaId } from '../../../connectors/serde/wire-format';
import type { Trade } from '../../../schemas/trade';
import { tradeSchema } from '../../../schemas/trade-schemas';
import { SAMPLE_TRADE_V1 as v1Trade } from '../../support/sample-trade';

const v2Trade: Trade = { ...v1Trade, quantity: 42, broker: 'IBKR' };

function staticWireFormat(): WireFormat<Trade> {
  return new WireFormat<Trade>({
    readerSchema: tradeSchema(2),
    schemas: { 1: tradeSchema(1), 2: tradeSchema(2) },
  });
}

function schemaError(action: () => unknown): SchemaError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaError);
    return error as SchemaError;
  }
  throw new Error('expected a SchemaError');
}

async function asyncSchemaError(action: () => Promise<unknown>): Promise<SchemaError> {
  const error: unknown = await action().then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(SchemaError);
  return error as SchemaError;
}

describe('WireFormat', () => {
  it('frames records as 0x00, big-endian schema id, Avro body', () => {
    const wireFormat = staticWireFormat();
    const framed = wireFormat.encode(2, v2Trade);
    expect(framed[0]).toBe(0);
    expect(framed.readUInt32BE(1)).toBe(2);
    expect(readSchemaId(framed)).toBe(2);
    expect(framed.subarray(HEADER_LENGTH)).toEqual(wireFormat.encoder(2).type.toBuffer(v2Trade));
  });

  it('round-trips a v2 trade', () => {
    const wireFormat = staticWireFormat();
    expect(wireFormat.decodeSync(wireFormat.encode(2, v2Trade))).toEqual(v2Trade);
  });

  it('decodes v1 bytes with a v2 reader: quantity 1, broker null', async () => {
    const wireFormat = staticWireFormat();
    const framed = wireFormat.encode(1, v1Trade as Trade);
    expect(await wireFormat.decode(framed)).toEqual({ ...v1Trade, quantity: 1, broker: null });
  });

  it.each(['880.9100', '0.0001', '99999999999999.9999', '-99999999999999.9999', '-0.5000'])(
    'keeps price %s exact through encode and decode',
    (price) => {
      const wireFormat = staticWireFormat();
      expect(wireFormat.decodeSync(wireFormat.encode(2, { ...v2Trade, price })).price).toBe(price);
    },
  );

  it('encodes large records by growing its buffer', () => {
    const wireFormat = staticWireFormat();
    const long = { ...v2Trade, person_name: 'ä'.repeat(5000) };
    expect(wireFormat.decodeSync(wireFormat.encode(2, long))).toEqual(long);
    expect(wireFormat.decodeSync(wireFormat.encode(2, v2Trade))).toEqual(v2Trade);
  });

  it.each([
    ['price as a float', { price: 880.91 }, 'price'],
    ['price with 5 fraction digits', { price: '1.00001' }, 'price'],
    ['missing symbol', { symbol: undefined }, 'symbol'],
    ['quantity as a string', { quantity: '3' }, 'quantity'],
    ['unknown operation', { operation: 'short' }, 'operation'],
    ['fractional timestamp', { timestamp: 1.5 }, 'timestamp'],
    ['numeric broker', { broker: 7 }, 'broker'],
  ])('rejects %s with INVALID_VALUE naming the field', (_label, change, field) => {
    const wireFormat = staticWireFormat();
    const error = schemaError(() => wireFormat.encode(2, { ...v2Trade, ...change } as unknown as Trade));
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toContain(`field ${field}`);
  });

  it('rejects a value that is not a record', () => {
    const error = schemaError(() => staticWireFormat().encode(2, null as unknown as Trade));
    expect(error.code).toBe('INVALID_VALUE');
  });

  describe('bad input', () => {
    const wireFormat = staticWireFormat();
    const good = wireFormat.encode(2, v2Trade);

    it.each([
      ['an empty buffer', 'EMPTY_PAYLOAD', Buffer.alloc(0)],
      ['a wrong magic byte', 'BAD_MAGIC_BYTE', Buffer.concat([Buffer.from([0x01]), good.subarray(1)])],
      ['JSON text', 'BAD_MAGIC_BYTE', Buffer.from('{"symbol":"AAPL"}')],
      [
        'an unknown schema id',
        'UNKNOWN_SCHEMA_ID',
        Buffer.concat([Buffer.from([0, 0, 0, 0, 99]), good.subarray(5)]),
      ],
      ['a truncated header', 'CORRUPT_BODY', good.subarray(0, 3)],
      ['a header without body', 'CORRUPT_BODY', good.subarray(0, 5)],
      ['a truncated body', 'CORRUPT_BODY', good.subarray(0, good.length - 4)],
      ['trailing bytes', 'CORRUPT_BODY', Buffer.concat([good, Buffer.from([1, 2, 3])])],
      ['an out-of-range enum index', 'CORRUPT_BODY', corruptOperation(good)],
    ])('%s raises %s', async (_label, code, payload) => {
      expect(schemaError(() => wireFormat.decodeSync(payload)).code).toBe(code);
      expect((await asyncSchemaError(() => wireFormat.decode(payload))).code).toBe(code);
    });

    it('never throws anything but a SchemaError on random bodies', () => {
      let seed = 7;
      const random = (): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      for (let round = 0; round < 2000; round += 1) {
        const body = Buffer.from(
          Array.from({ length: Math.floor(random() * 120) }, () => Math.floor(random() * 256)),
        );
        const payload = Buffer.concat([Buffer.from([0, 0, 0, 0, round % 2 === 0 ? 1 : 2]), body]);
        try {
          wireFormat.decodeSync(payload);
        } catch (error) {
          expect(error).toBeInstanceOf(SchemaError);
          expect((error as SchemaError).code).toBe('CORRUPT_BODY');
        }
      }
    });
  });

  it('fetches an unknown writer schema once, even for concurrent records', async () => {
    const source = new WireFormat<Trade>({ readerSchema: tradeSchema(2), schemas: { 7: tradeSchema(1) } });
    const framed = source.encode(7, v1Trade as Trade);
    const fetchSchema = jest.fn(async (id: number) => {
      if (id !== 7) throw new SchemaError('UNKNOWN_SCHEMA_ID', `no schema ${id}`);
      return tradeSchema(1);
    });
    const wireFormat = new WireFormat<Trade>({ readerSchema: tradeSchema(2), fetchSchema });
    const decoded = await Promise.all([1, 2, 3, 4].map(() => wireFormat.decode(framed)));
    expect(decoded).toEqual(Array(4).fill({ ...v1Trade, quantity: 1, broker: null }));
    expect(await wireFormat.decode(framed)).toEqual(decoded[0]);
    expect(wireFormat.decodeSync(framed)).toEqual(decoded[0]);
    expect(fetchSchema).toHaveBeenCalledTimes(1);
    expect(wireFormat.knownSchemaIds()).toEqual([7]);

    const other = Buffer.from(framed);
    other.writeUInt32BE(8, 1);
    expect((await asyncSchemaError(() => wireFormat.decode(other))).code).toBe('UNKNOWN_SCHEMA_ID');
    expect((await asyncSchemaError(() => wireFormat.decode(other))).code).toBe('UNKNOWN_SCHEMA_ID');
    expect(fetchSchema).toHaveBeenCalledTimes(3);
  });

  it('raises UNKNOWN_SCHEMA_ID without a schema source', async () => {
    const wireFormat = new WireFormat<Trade>({ readerSchema: tradeSchema(2) });
    const framed = staticWireFormat().encode(2, v2Trade);
    expect((await asyncSchemaError(() => wireFormat.decode(framed))).code).toBe('UNKNOWN_SCHEMA_ID');
    expect(schemaError(() => wireFormat.encoder(2)).code).toBe('UNKNOWN_SCHEMA_ID');
  });

  it('refuses a writer schema the reader cannot resolve', () => {
    const v3 = JSON.parse(
      readFileSync(join(__dirname, '../../fixtures/schemas/trade-v3-incompatible.avsc'), 'utf8'),
    ) as Record<string, unknown>;
    const error = schemaError(
      () => new WireFormat<Trade>({ readerSchema: tradeSchema(2), schemas: { 3: v3 } }),
    );
    expect(error.code).toBe('INCOMPATIBLE_SCHEMA');
  });
});

/** The v2 trade with its enum index (right after the price) replaced by an out-of-range value. */
function corruptOperation(good: Buffer): Buffer {
  const wireFormat = staticWireFormat();
  const withPurchase = wireFormat.encode(2, { ...v2Trade, operation: 'purchase' });
  const index = [...good].findIndex((byte, i) => byte !== withPurchase[i]);
  const corrupt = Buffer.from(good);
  corrupt[index] = 0x0a;
  return corrupt;
}
