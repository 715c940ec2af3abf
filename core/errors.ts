// One error hierarchy for the whole pipeline. Adapters translate SDK, kafkajs and registry errors into it
// at their boundary, so callers decide on `retriable` and the CLI on `exitCode`, never on message text.

export interface StreamSoftErrorOptions {
  cause?: unknown;
  retriable?: boolean;
}

export class StreamSoftError extends Error {
  readonly retriable: boolean;
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number = 1;

  constructor(message: string, options: StreamSoftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/** A flag, environment variable or config value is invalid; the message names it. Exit code 2. */
export class ConfigError extends StreamSoftError {
  override readonly exitCode = 2;
}

/** A prerequisite (Java, Python, Maven, a port) is missing or unusable. Exit code 2. */
export class EnvironmentError extends StreamSoftError {
  override readonly exitCode = 2;
}

/** Sending to or reading from a stream failed. */
export class TransportError extends StreamSoftError {}

/** A schema could not be found, registered, or a record does not match its schema. */
export class SchemaError extends StreamSoftError {
  readonly code: SchemaErrorCode;

  constructor(code: SchemaErrorCode, message: string, options: StreamSoftErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

export type SchemaErrorCode =
  | 'EMPTY_PAYLOAD'
  | 'BAD_MAGIC_BYTE'
  | 'UNKNOWN_SCHEMA_ID'
  | 'CORRUPT_BODY'
  | 'INVALID_VALUE'
  | 'INCOMPATIBLE_SCHEMA'
  | 'REGISTRY_UNAVAILABLE'
  | 'REGISTRY_ERROR';

/** A local stand-in (kinesalite, Kafka, the registry) failed to start, stop or answer. */
export class ServiceError extends StreamSoftError {}

/** A Spark job run failed. */
export class JobError extends StreamSoftError {}

/** A job refused to start (a bad argument, or its checkpoint held by another live driver): exit code 2. */
export class JobRefusedError extends JobError {
  override readonly exitCode = 2;
}

export function isRetriable(error: unknown): boolean {
  if (error instanceof TypeError) return false;
  return error instanceof StreamSoftError && error.retriable;
}
