// The Confluent wire format: byte 0 = 0x00, bytes 1-4 = schema id (big-endian), then the Avro binary body.
// Pure framing and codec; where writer schemas come from (a static map, a registry) is injected.
import { Type, type Resolver } from 'avsc';
import { SchemaError } from '../../core/errors';
import { avroTypeFor, describeInvalidValue, type AvroSchemaDefinition } from './avro-types';

export const MAGIC_BYTE = 0x00;
export const HEADER_LENGTH = 5;

/** Loads the writer schema (JSON or an already compiled type) of an id; rejects with a SchemaError. */
export type SchemaFetcher = (schemaId: number) => Promise<AvroSchemaDefinition | Type>;

/** The schema id in a framed record's header; throws a SchemaError for anything that is not one. */
export function readSchemaId(payload: Buffer): number {
  if (payload.length === 0) throw new SchemaError('EMPTY_PAYLOAD', 'empty payload: no wire-format header');
  if (payload[0] !== MAGIC_BYTE) {
    throw new SchemaError(
      'BAD_MAGIC_BYTE',
      `bad magic byte 0x${(payload[0] as number).toString(16).padStart(2, '0')} (expected 0x00): not a Confluent wire-format record`,
    );
  }
  if (payload.length < HEADER_LENGTH) {
    throw new SchemaError(
      'CORRUPT_BODY',
      `truncated header: ${payload.length} bytes, a wire-format header has ${HEADER_LENGTH}`,
    );
  }
  return payload.readUInt32BE(1);
}

/** Encodes values of one writer schema into framed records; synchronous, one allocation per record. */
export class RecordEncoder<T> {
  private scratch = Buffer.alloc(1024);

  constructor(
    readonly schemaId: number,
    readonly type: Type,
  ) {
    this.writeHeader();
  }

  encode(value: T): Buffer {
    let end: number;
    try {
      end = this.type.encode(value, this.scratch, HEADER_LENGTH);
      while (end < 0) {
        this.scratch = Buffer.alloc(2 * (this.scratch.length - end));
        this.writeHeader();
        end = this.type.encode(value, this.scratch, HEADER_LENGTH);
      }
    } catch (error) {
      throw this.invalidValue(value, error);
    }
    const framed = Buffer.allocUnsafe(end);
    this.scratch.copy(framed, 0, 0, end);
    return framed;
  }

  private writeHeader(): void {
    this.scratch[0] = MAGIC_BYTE;
    this.scratch.writeUInt32BE(this.schemaId, 1);
  }

  private invalidValue(value: unknown, cause: unknown): SchemaError {
    const problems = describeInvalidValue(this.type, value);
    const what =
      problems.length > 0 ? problems.join(', ') : cause instanceof Error ? cause.message : String(cause);
    return new SchemaError(
      'INVALID_VALUE',
      `value does not fit schema ${this.type.name ?? this.type.typeName} (id ${this.schemaId}): ${what}`,
      { cause },
    );
  }
}

interface WriterEntry {
  type: Type;
  /** Undefined when writer and reader schemas are the same. */
  resolver: Resolver | undefined;
}

export interface WireFormatOptions {
  /** The schema every record is decoded into (writer data is resolved to it). */
  readerSchema: AvroSchemaDefinition;
  /** Writer schemas known up front, by id. */
  schemas?: ReadonlyMap<number, AvroSchemaDefinition> | Readonly<Record<number, AvroSchemaDefinition>>;
  /** Where to find a schema id that is not known yet; without it, unknown ids are an error. */
  fetchSchema?: SchemaFetcher;
}

/**
 * Encodes and decodes framed Avro records. Writer schemas are compiled once per id and cached, together
 * with their resolver into the reader schema, so only the first record of an id can wait on a fetch.
 */
export class WireFormat<T = unknown> {
  readonly readerType: Type;
  private readonly writers = new Map<number, WriterEntry>();
  private readonly pending = new Map<number, Promise<WriterEntry>>();
  private readonly encoders = new Map<number, RecordEncoder<T>>();
  private readonly fetchSchema: SchemaFetcher | undefined;

  constructor(options: WireFormatOptions) {
    this.readerType = avroTypeFor(options.readerSchema);
    this.fetchSchema = options.fetchSchema;
    const known = options.schemas ?? {};
    const entries = known instanceof Map ? [...known.entries()] : Object.entries(known);
    for (const [id, schema] of entries) this.writers.set(Number(id), this.writerEntry(Number(id), schema));
  }

  /** Ids whose writer schema is loaded. */
  knownSchemaIds(): number[] {
    return [...this.writers.keys()];
  }

  /** Loads (once) the writer schema of an id; rejects with UNKNOWN_SCHEMA_ID when there is none. */
  async load(schemaId: number): Promise<void> {
    await this.writerFor(schemaId);
  }

  /** Encoder for an id whose schema is loaded (see `load`). */
  encoder(schemaId: number): RecordEncoder<T> {
    let encoder = this.encoders.get(schemaId);
    if (encoder === undefined) {
      encoder = new RecordEncoder<T>(schemaId, this.knownWriter(schemaId).type);
      this.encoders.set(schemaId, encoder);
    }
    return encoder;
  }

  encode(schemaId: number, value: T): Buffer {
    return this.encoder(schemaId).encode(value);
  }

  /** Decodes a record whose writer schema is already loaded; never waits. */
  decodeSync(payload: Buffer): T {
    const schemaId = readSchemaId(payload);
    return this.decodeBody(payload, schemaId, this.knownWriter(schemaId));
  }

  /** Decodes a record, fetching its writer schema first if this is the first record of that id. */
  async decode(payload: Buffer): Promise<T> {
    const schemaId = readSchemaId(payload);
    const writer = this.writers.get(schemaId) ?? (await this.writerFor(schemaId));
    return this.decodeBody(payload, schemaId, writer);
  }

  private decodeBody(payload: Buffer, schemaId: number, writer: WriterEntry): T {
    let decoded: { value: unknown; offset: number };
    try {
      decoded = this.readerType.decode(payload, HEADER_LENGTH, writer.resolver);
    } catch (error) {
      throw this.corruptBody(
        payload,
        schemaId,
        error instanceof Error ? error.message : String(error),
        error,
      );
    }
    if (decoded.offset < 0) throw this.corruptBody(payload, schemaId, 'truncated buffer');
    if (decoded.offset !== payload.length) {
      throw this.corruptBody(payload, schemaId, `${payload.length - decoded.offset} trailing bytes`);
    }
    return decoded.value as T;
  }

  private corruptBody(payload: Buffer, schemaId: number, reason: string, cause?: unknown): SchemaError {
    const size = payload.length - HEADER_LENGTH;
    return new SchemaError(
      'CORRUPT_BODY',
      `corrupt Avro body (schema id ${schemaId}, ${size} bytes): ${reason}`,
      {
        cause,
      },
    );
  }

  private knownWriter(schemaId: number): WriterEntry {
    const writer = this.writers.get(schemaId);
    if (writer === undefined) {
      throw new SchemaError(
        'UNKNOWN_SCHEMA_ID',
        `unknown schema id ${schemaId}: no writer schema loaded for it`,
      );
    }
    return writer;
  }

  private writerFor(schemaId: number): Promise<WriterEntry> {
    const known = this.writers.get(schemaId);
    if (known !== undefined) return Promise.resolve(known);
    let pending = this.pending.get(schemaId);
    if (pending === undefined) {
      const fetchSchema = this.fetchSchema;
      if (fetchSchema === undefined) return Promise.reject(this.unknownId(schemaId));
      pending = fetchSchema(schemaId)
        .then((schema) => {
          const entry = this.writerEntry(schemaId, schema);
          this.writers.set(schemaId, entry);
          return entry;
        })
        .finally(() => this.pending.delete(schemaId));
      this.pending.set(schemaId, pending);
    }
    return pending;
  }

  private unknownId(schemaId: number): SchemaError {
    return new SchemaError(
      'UNKNOWN_SCHEMA_ID',
      `unknown schema id ${schemaId}: no writer schema known for it`,
    );
  }

  private writerEntry(schemaId: number, schema: AvroSchemaDefinition | Type): WriterEntry {
    let type: Type;
    try {
      type = Type.isType(schema) ? (schema as Type) : avroTypeFor(schema as AvroSchemaDefinition);
    } catch (error) {
      throw new SchemaError(
        'REGISTRY_ERROR',
        `schema id ${schemaId} is not a valid Avro schema: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
    if (type.equals(this.readerType)) return { type, resolver: undefined };
    try {
      return { type, resolver: this.readerType.createResolver(type) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SchemaError(
        'INCOMPATIBLE_SCHEMA',
        `records written with schema id ${schemaId} cannot be read as ${this.readerType.name ?? 'the reader schema'}: ${reason}`,
        { cause: error },
      );
    }
  }
}
