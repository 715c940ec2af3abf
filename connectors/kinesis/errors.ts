// Translation of Kinesis SDK errors into TransportError at the boundary, by class, never by message.
import {
  InternalFailureException,
  KMSThrottlingException,
  KinesisServiceException,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import { TransportError } from '../../core/errors';

/** Per-record error codes of a PutRecords partial failure that heal by themselves. */
const RETRIABLE_RECORD_ERRORS = new Set(['ProvisionedThroughputExceededException', 'InternalFailure']);

export function isRetriableRecordError(errorCode: string): boolean {
  return RETRIABLE_RECORD_ERRORS.has(errorCode);
}

export function isThrottling(error: unknown): boolean {
  return (
    error instanceof ProvisionedThroughputExceededException ||
    error instanceof KMSThrottlingException ||
    error instanceof LimitExceededException
  );
}

function isRetriableKinesisError(error: unknown): boolean {
  if (isThrottling(error) || error instanceof InternalFailureException) return true;
  if (error instanceof ResourceInUseException) return true;
  if (error instanceof KinesisServiceException) return error.$fault === 'server';
  // No service answer at all: refused, reset, timed out — the endpoint may come back.
  return error instanceof Error && !(error instanceof TypeError);
}

export function toTransportError(error: unknown, what: string): TransportError {
  if (error instanceof TransportError) return error;
  const detail =
    error instanceof Error
      ? `${error.name}${'code' in error && typeof error.code === 'string' ? ` ${error.code}` : ''}: ${error.message}`
      : String(error);
  return new TransportError(`${what}: ${detail}`, {
    cause: error,
    retriable: isRetriableKinesisError(error),
  });
}
