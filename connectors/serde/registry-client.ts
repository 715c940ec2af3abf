// Access to a Confluent-compatible schema registry (Confluent, or Apicurio's /apis/ccompat/v7 API).
// Schema lookups on the record path go through @kafkajs/confluent-schema-registry (cached by id, one
// request per id even under concurrency); subject administration, which that library does not cover
// (version listing, compatibility configuration and checks), is plain HTTP here. Every failure leaves
// this module as a SchemaError.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { ConfluentSchemaRegistryError } from '@kafkajs/confluent-schema-registry/dist/errors';
import { Type } from 'avsc';
import { SchemaError } from '../../core/errors';
import { COMPATIBILITY_LEVELS, type CompatibilityLevel } from '../../schemas/compatibility-levels';
import { silentLogger, type Logger } from '../../core/logger';
import { parseSchemaJson, type AvroSchemaDefinition } from './avro-types';
import { DecimalType } from './decimal';

export interface RegisteredVersion {
  subject: string;
  version: number;
  id: number;
  schema: string;
}

export interface RegistryClientOptions {
  url: string;
  logger?: Logger;
  /** Per-request timeout of the administration calls. */
  timeoutMs?: number;
  /** Retries of the record-path lookups when the registry does not answer. */
  retries?: number;
}

interface HttpAnswer {
  status: number;
  body: unknown;
}

function registryMessage(body: unknown): string | undefined {
  if (body !== null && typeof body === 'object' && 'message' in body) return String(body.message);
  return typeof body === 'string' && body.length > 0 ? body : undefined;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

export class RegistryClient {
  readonly url: string;
  private readonly library: SchemaRegistry;
  private readonly log: Logger;
  private readonly timeoutMs: number;

  constructor(options: RegistryClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.log = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.library = new SchemaRegistry(
      { host: this.url, retry: { retries: options.retries ?? 2, maxRetryTimeInSecs: 2 } },
      { [SchemaType.AVRO]: { logicalTypes: { decimal: DecimalType }, assertLogicalTypes: true } },
    );
  }

  /** The compiled writer schema of an id (decimal as exact strings); cached after the first call. */
  async schemaById(id: number): Promise<Type> {
    let schema: unknown;
    try {
      schema = await this.library.getSchema(id);
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new SchemaError(
          'UNKNOWN_SCHEMA_ID',
          `unknown schema id ${id}: the registry at ${this.url} has no such schema`,
          {
            cause: error,
          },
        );
      }
      throw this.libraryError(error, `schema id ${id}`);
    }
    if (!Type.isType(schema)) {
      throw new SchemaError('REGISTRY_ERROR', `schema id ${id} at ${this.url} is not an Avro schema`);
    }
    return schema as Type;
  }

  /** Id of a schema already registered under a subject, or undefined when it is not registered there. */
  async idOfSchema(subject: string, schema: AvroSchemaDefinition): Promise<number | undefined> {
    try {
      return await this.library.getRegistryIdBySchema(subject, parseSchemaJson(schema) as never);
    } catch (error) {
      if (error instanceof ConfluentSchemaRegistryError || statusOf(error) === 404) return undefined;
      throw this.libraryError(error, `looking up a schema under ${subject}`);
    }
  }

  /** Id of the latest version of a subject, or undefined when the subject has none. */
  async latestId(subject: string): Promise<number | undefined> {
    try {
      return await this.library.getLatestSchemaId(subject);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.libraryError(error, `latest version of ${subject}`);
    }
  }

  async subjects(): Promise<string[]> {
    const { body } = await this.request('GET', '/subjects');
    return Array.isArray(body) ? body.map(String).sort() : [];
  }

  /** Version numbers of a subject, oldest first; empty when the subject does not exist. */
  async versions(subject: string): Promise<number[]> {
    const answer = await this.request(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions`,
      undefined,
      [404],
    );
    if (answer.status === 404 || !Array.isArray(answer.body)) return [];
    return answer.body.map(Number).sort((a, b) => a - b);
  }

  async version(subject: string, version: number | 'latest'): Promise<RegisteredVersion> {
    const { body } = await this.request(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/${version}`,
    );
    const answer = body as { subject?: string; version?: number; id?: number; schema?: string };
    return {
      subject: answer.subject ?? subject,
      version: Number(answer.version),
      id: Number(answer.id),
      schema: String(answer.schema),
    };
  }

  /**
   * Registers a schema under a subject and returns its id (the existing id when it is already there).
   * An incompatible schema is an INCOMPATIBLE_SCHEMA error carrying the registry's own message.
   */
  async register(subject: string, schema: AvroSchemaDefinition): Promise<number> {
    const answer = await this.request(
      'POST',
      `/subjects/${encodeURIComponent(subject)}/versions`,
      { schema: JSON.stringify(parseSchemaJson(schema)) },
      [409],
    );
    if (answer.status === 409) {
      const reason = registryMessage(answer.body) ?? 'incompatible with the registered versions';
      throw new SchemaError(
        'INCOMPATIBLE_SCHEMA',
        `the registry rejected the schema for ${subject}: ${reason}`,
      );
    }
    return Number((answer.body as { id?: unknown }).id);
  }

  /** The subject's own compatibility level, or undefined when it has none (the registry default applies). */
  async compatibility(subject: string): Promise<CompatibilityLevel | undefined> {
    const answer = await this.request('GET', `/config/${encodeURIComponent(subject)}`, undefined, [404]);
    if (answer.status === 404) return undefined;
    const level = (answer.body as { compatibilityLevel?: string; compatibility?: string }) ?? {};
    const value = (level.compatibilityLevel ?? level.compatibility)?.toUpperCase();
    return (COMPATIBILITY_LEVELS as readonly string[]).includes(value ?? '')
      ? (value as CompatibilityLevel)
      : undefined;
  }

  /** Sets the subject's compatibility level; false when the registry needs the subject to exist first. */
  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<boolean> {
    const answer = await this.request(
      'PUT',
      `/config/${encodeURIComponent(subject)}`,
      { compatibility: level },
      [404],
    );
    return answer.status !== 404;
  }

  /** The registry's verdict on a candidate schema against a version of the subject. */
  async checkCompatibility(
    subject: string,
    schema: AvroSchemaDefinition,
    version: number | 'latest' = 'latest',
  ): Promise<{ compatible: boolean; messages: string[] }> {
    const { body } = await this.request(
      'POST',
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/${version}?verbose=true`,
      { schema: JSON.stringify(parseSchemaJson(schema)) },
    );
    const answer = body as { is_compatible?: boolean; messages?: unknown };
    const messages = Array.isArray(answer.messages) ? answer.messages.map(String) : [];
    return { compatible: answer.is_compatible === true, messages };
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
    accepted: number[] = [],
  ): Promise<HttpAnswer> {
    const target = `${this.url}${path}`;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.unreachable(error);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text for the error message.
    }
    this.log.debug({ method, path, status: response.status }, 'registry request');
    if (response.ok || accepted.includes(response.status)) return { status: response.status, body: parsed };
    const reason = registryMessage(parsed) ?? response.statusText;
    throw new SchemaError(
      response.status >= 500 ? 'REGISTRY_UNAVAILABLE' : 'REGISTRY_ERROR',
      `schema registry ${method} ${path} failed with HTTP ${response.status}: ${reason}`,
      { retriable: response.status >= 500 },
    );
  }

  private unreachable(error: unknown): SchemaError {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const detail =
      cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
    return new SchemaError(
      'REGISTRY_UNAVAILABLE',
      `schema registry at ${this.url} is unreachable (${detail})`,
      {
        cause: error,
        retriable: true,
      },
    );
  }

  /**
   * Translates an error of the registry library. Its HTTP layer reports failures without an answer
   * (refused connection, DNS, reset) as status 400, which no lookup we send can otherwise earn.
   */
  private libraryError(error: unknown, what: string): SchemaError {
    const status = statusOf(error);
    const detail = error instanceof Error ? error.message : String(error);
    if (status === 400 || status === 408 || (status !== undefined && status >= 500)) {
      return new SchemaError(
        'REGISTRY_UNAVAILABLE',
        `schema registry at ${this.url} is unreachable (${what}: ${detail})`,
        {
          cause: error,
          retriable: true,
        },
      );
    }
    return new SchemaError('REGISTRY_ERROR', `schema registry at ${this.url} failed (${what}): ${detail}`, {
      cause: error,
    });
  }
}
