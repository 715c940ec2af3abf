// The cross-language contract: every shared vector decodes to its expected value with the TypeScript
// serde and re-encodes to the very same bytes. The Glue job's pytest suite decodes the same file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WireFormat } from '../../../connectors/serde/wire-format';
import type { Trade } from '../../../schemas/trade';
import { tradeSchema } from '../../../schemas/trade-schemas';

interface VectorFile {
  schemas: Record<string, Record<string, unknown>>;
  vectors: Array<{ name: string; schema_version: 1 | 2; schema_id: number; hex: string; expected: Trade }>;
}

const file = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/trade-vectors.json'), 'utf8'),
) as VectorFile;
const wireFormat = new WireFormat<Trade>({
  readerSchema: file.schemas['2'] as Record<string, unknown>,
  schemas: file.schemas,
});

describe('shared trade vectors', () => {
  it('carry the schemas shipped in schemas/', () => {
    expect(file.schemas['1']).toEqual(tradeSchema(1));
    expect(file.schemas['2']).toEqual(tradeSchema(2));
  });

  it('cover both versions, null and non-null brokers, and the decimal edges', () => {
    const versions = new Set(file.vectors.map((vector) => vector.schema_version));
    expect([...versions].sort()).toEqual([1, 2]);
    const brokers = file.vectors.map((vector) => vector.expected.broker);
    expect(brokers).toContain(null);
    expect(brokers.some((broker) => typeof broker === 'string')).toBe(true);
    const prices = file.vectors.map((vector) => vector.expected.price);
    expect(prices).toEqual(expect.arrayContaining(['880.9100', '0.0001', '99999999999999.9999']));
    expect(prices.some((price) => price.startsWith('-'))).toBe(true);
  });

  it.each(file.vectors.map((vector) => [vector.name, vector] as const))(
    '%s decodes and re-encodes byte for byte',
    async (_name, vector) => {
      const bytes = Buffer.from(vector.hex, 'hex');
      expect(bytes.readUInt32BE(1)).toBe(vector.schema_id);
      const decoded = await wireFormat.decode(bytes);
      expect({ ...decoded }).toEqual(vector.expected);
      expect(wireFormat.encode(vector.schema_id, vector.expected).toString('hex')).toBe(vector.hex);
    },
  );
});
