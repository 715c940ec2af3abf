// The Trade serde the producer and consumers use: Confluent wire format, writer schema from the registry,
// every record decoded into the latest Trade schema (v2), so v1 records come back with quantity 1.
import { SchemaError } from '../../core/errors';
import type { Type } from 'avsc';
import { silentLogger, type Logger } from '../../core/logger';
import { DEFAULT_STREAM_NAME, subjectFor, type Trade } from '../../schemas/trade';
import {
  LATEST_TRADE_SCHEMA_VERSION,
  tradeSchema,
  type TradeSchemaVersion,
} from '../../schemas/trade-schemas';
import { missingFieldValues } from './missing-fields';
import { RegistryClient } from './registry-client';
import { WireFormat } from './wire-format';

/** The fields a Trade value carries: those of the shipped latest version. */
export const TRADE_FIELD_NAMES: ReadonlySet<string> = new Set(
  (tradeSchema(LATEST_TRADE_SCHEMA_VERSION).fields as Array<{ name: string }>).map((field) => field.name),
);

export interface TradeSerdeOptions {
  /** Confluent-compatible API root, e.g. http://127.0.0.1:8081/apis/ccompat/v7. */
  registryUrl: string;
  /** Registry subject; default `trades-value`. */
  subject?: string;
  /** Trade schema version (the local `.avsc` file) to write; default: the subject's latest registered version. */
  schemaVersion?: TradeSchemaVersion;
  /**
   * A registered schema id to write with (any version of the subject, or a schema file registered by the
   * caller); wins over `schemaVersion`. Fields the Trade type does not carry are written with their Avro
   * default, or a zero value of their type (missing-fields.ts), or the value given to `withFields`.
   */
  schemaId?: number;
  logger?: Logger;
  /** A registry client to share (tests, several serdes); default: one for `registryUrl`. */
  registry?: RegistryClient;
}

export interface TradeSerde {
  /** Registry id of the writer schema `encode` frames records with. */
  readonly schemaId: number;
  readonly subject: string;
  /** Encodes one trade into a framed record; synchronous, no registry call. */
  encode(trade: Trade): Buffer;
  /** Decodes a framed record of any registered Trade version into the latest Trade shape. */
  decode(payload: Buffer): Promise<Trade>;
  /** The underlying wire format, for callers that batch or need `decodeSync` on loaded ids. */
  readonly wireFormat: WireFormat<Trade>;
  /** The avsc type of the writer schema `encode` writes. */
  readonly writerType: Type;
  /**
   * This serde writing `values` for writer fields the Trade type does not carry, instead of their default
   * (the producer's `--set`); a SchemaError when a value is for another field or does not fit its type.
   */
  withFields(values: Readonly<Record<string, unknown>>): TradeSerde;
}

/** Resolves the writer schema id once (one or two registry calls), then encodes without the registry. */
export async function createTradeSerde(options: TradeSerdeOptions): Promise<TradeSerde> {
  const subject = options.subject ?? subjectFor(DEFAULT_STREAM_NAME);
  const log = (options.logger ?? silentLogger).child({ subject });
  const registry = options.registry ?? new RegistryClient({ url: options.registryUrl, logger: log });
  const wireFormat = new WireFormat<Trade>({
    readerSchema: tradeSchema(LATEST_TRADE_SCHEMA_VERSION),
    fetchSchema: (id) => registry.schemaById(id),
  });

  let schemaId: number | undefined;
  if (options.schemaId !== undefined) {
    schemaId = options.schemaId;
  } else if (options.schemaVersion === undefined) {
    schemaId = await registry.latestId(subject);
  } else {
    schemaId = await registry.idOfSchema(subject, tradeSchema(options.schemaVersion));
  }
  if (schemaId === undefined) {
    const which =
      options.schemaVersion === undefined
        ? 'no Trade schema is'
        : `Trade schema v${options.schemaVersion} is not`;
    throw new SchemaError(
      'UNKNOWN_SCHEMA_ID',
      `${which} registered under subject ${subject} at ${registry.url}; run \`streamsoft schemas register\` first`,
    );
  }
  await wireFormat.load(schemaId);
  const encoder = wireFormat.encoder(schemaId);
  const missing = missingFieldValues(encoder.type, TRADE_FIELD_NAMES);
  log.debug(
    { schemaId, schemaVersion: options.schemaVersion, filled: Object.keys(missing) },
    'trade serde ready',
  );
  const writerFields = (encoder.type as unknown as { fields: Array<{ name: string; type: Type }> }).fields;

  const serde = (filled: Record<string, unknown>): TradeSerde => {
    const complete = Object.keys(filled).length === 0 ? undefined : filled;
    return {
      schemaId,
      subject,
      wireFormat,
      writerType: encoder.type,
      encode: (trade) => encoder.encode(complete === undefined ? trade : { ...complete, ...trade }),
      decode: (payload) => wireFormat.decode(payload),
      withFields: (values) => {
        for (const [name, value] of Object.entries(values)) {
          const field = writerFields.find((candidate) => candidate.name === name);
          if (field === undefined || !(name in missing)) {
            throw new SchemaError(
              'INVALID_VALUE',
              `${name} is not a field of schema id ${schemaId} that the Trade type lacks`,
            );
          }
          if (!field.type.isValid(value)) {
            throw new SchemaError(
              'INVALID_VALUE',
              `${name}: ${JSON.stringify(value)} does not fit its type in schema id ${schemaId}`,
            );
          }
        }
        return serde({ ...filled, ...values });
      },
    };
  };
  return serde(missing);
}
