// `--set field=value`: parsed like every produce flag, then checked against the writer schema, one line
// naming the field for a field the schema lacks, one the simulator generates, or a value that does not fit.
import { Type } from 'avsc';
import { Command } from 'commander';
import { ConfigError, SchemaError } from '../../../core/errors';
import { parseConfig } from '../../../core/validation';
import { avroTypeFor } from '../../../connectors/serde/avro-types';
import type { RegistryClient } from '../../../connectors/serde/registry-client';
import { createTradeSerde, TRADE_FIELD_NAMES } from '../../../connectors/serde/trade-serde';
import { addProduceOptions, produceConfigSchema } from '../../../producers/config';
import { fieldValuesFor, valueFromText } from '../../../producers/field-values';
import { tradeSchema } from '../../../schemas/trade-schemas';
import {
  SAMPLE_TRADE as trade,
  TRADE_V3_COMPATIBLE as V3,
  v3WithFields as withFields,
} from '../../support/sample-trade';

const WIDE = avroTypeFor(
  withFields(
    { name: 'desk', type: 'string', default: '' },
    { name: 'lots', type: 'int', default: 0 },
    { name: 'fee', type: ['null', 'double'], default: null },
    { name: 'hedged', type: 'boolean', default: false },
    { name: 'side', type: { type: 'enum', name: 'Side', symbols: ['bid', 'ask'] }, default: 'bid' },
    { name: 'notes', type: { type: 'array', items: 'string' }, default: [] },
  ),
);

function configFrom(args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const command = addProduceOptions(new Command('produce')).exitOverride();
    command.parse(args, { from: 'user' });
    return parseConfig(produceConfigSchema, command.opts());
  } finally {
    process.env = saved;
  }
}

function refusal(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    expect((error as ConfigError).message).not.toContain('\n');
    return error as ConfigError;
  }
  throw new Error('not refused');
}

describe('--set (parsing the flag)', () => {
  it('is empty by default, repeatable, and reads STREAMSOFT_SET', () => {
    expect(configFrom([]).set).toEqual({});
    expect(configFrom(['--set', 'venue=XNAS', '--set', 'desk=a=b', '--set', 'note=']).set).toEqual({
      venue: 'XNAS',
      desk: 'a=b',
      note: '',
    });
    expect(configFrom([], { STREAMSOFT_SET: 'venue=XLON' }).set).toEqual({ venue: 'XLON' });
  });

  it.each([
    [['--set', 'venue'], '--set: must be field=value, e.g. venue=XNAS (got ["venue"])'],
    [['--set', '=XNAS'], '--set: must be field=value, e.g. venue=XNAS (got ["=XNAS"])'],
    [
      ['--set', 'venue=XNAS', '--set', 'venue=XLON'],
      '--set: venue is given more than once (got ["venue=XNAS","venue=XLON"])',
    ],
  ])('%j is refused naming the flag', (args, message) => {
    expect(refusal(() => configFrom(args)).message).toBe(message);
  });
});

describe('--set (against the writer schema)', () => {
  it('reads each text as a value of its field type', () => {
    expect(
      fieldValuesFor(WIDE, TRADE_FIELD_NAMES, {
        venue: 'XNAS',
        desk: '42',
        lots: '7',
        fee: '0.25',
        hedged: 'true',
        side: 'ask',
      }),
    ).toEqual({ venue: 'XNAS', desk: '42', lots: 7, fee: 0.25, hedged: true, side: 'ask' });
    expect(fieldValuesFor(WIDE, TRADE_FIELD_NAMES, {})).toEqual({});
  });

  it('takes the string branch of a wrapped union, and refuses what no branch takes', () => {
    const union = Type.forSchema(['null', 'int', 'string'], { wrapUnions: true });
    expect(valueFromText(union, '12')).toEqual({ string: '12' });
    const numbers = Type.forSchema(['null', 'int', 'double'], { wrapUnions: true });
    expect(valueFromText(numbers, '12')).toEqual({ int: 12 });
    expect(valueFromText(numbers, '1.5')).toEqual({ double: 1.5 });
    expect(valueFromText(numbers, 'x')).toBeUndefined();
  });

  it.each([
    [
      { colour: 'red' },
      '--set colour: the writer schema has no field colour (fields it can set here: venue, desk, lots, fee, hedged, side, notes)',
    ],
    [
      { symbol: 'IBM' },
      '--set symbol: the simulator generates symbol; --set gives only the fields it does not (fields it can set here: venue, desk, lots, fee, hedged, side, notes)',
    ],
    [{ lots: 'many' }, '--set lots: "many" is not a value of type int'],
    [{ lots: '1.5' }, '--set lots: "1.5" is not a value of type int'],
    [{ lots: '' }, '--set lots: "" is not a value of type int'],
    [{ fee: 'free' }, '--set fee: "free" is not a value of type null | double'],
    [{ hedged: 'yes' }, '--set hedged: "yes" is not a value of type boolean'],
    [{ side: 'mid' }, '--set side: "mid" is not a value of type enum com.streamsoft.market.Side (bid, ask)'],
    [{ notes: 'x' }, '--set notes: "x" is not a value of type array'],
  ])('%j is refused naming the field', (texts, message) => {
    expect(refusal(() => fieldValuesFor(WIDE, TRADE_FIELD_NAMES, texts)).message).toBe(message);
  });

  it('refuses any field for a writer schema with nothing the simulator lacks (v2)', () => {
    expect(
      refusal(() => fieldValuesFor(avroTypeFor(tradeSchema(2)), TRADE_FIELD_NAMES, { venue: 'XNAS' }))
        .message,
    ).toBe(
      '--set venue: the writer schema has no field venue (every field of this writer schema is generated)',
    );
  });
});

describe('a serde with fields set', () => {
  const registry = {
    url: 'http://registry.test',
    schemaById: async () => avroTypeFor(V3),
  } as unknown as RegistryClient;

  it('writes the values given instead of the default, and refuses other fields or misfit values', async () => {
    const serde = await createTradeSerde({ registryUrl: registry.url, schemaId: 9, registry });
    const set = serde.withFields(fieldValuesFor(serde.writerType, TRADE_FIELD_NAMES, { venue: 'XNAS' }));
    expect(avroTypeFor(V3).fromBuffer(set.encode(trade).subarray(5))).toEqual({ ...trade, venue: 'XNAS' });
    expect(avroTypeFor(V3).fromBuffer(serde.encode(trade).subarray(5))).toEqual({ ...trade, venue: null });
    expect(() => serde.withFields({ symbol: 'IBM' })).toThrow(SchemaError);
    expect(() => serde.withFields({ venue: 12 })).toThrow('venue: 12 does not fit its type in schema id 9');
  });
});
