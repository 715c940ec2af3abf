// Translation of kafkajs errors into TransportError at the boundary: kafkajs already says which are retriable.
import { KafkaJSError } from 'kafkajs';
import { TransportError } from '../../core/errors';

export function toTransportError(error: unknown, what: string): TransportError {
  if (error instanceof TransportError) return error;
  if (error instanceof KafkaJSError) {
    return new TransportError(`${what}: ${error.name}: ${error.message}`, {
      cause: error,
      retriable: error.retriable,
    });
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new TransportError(`${what}: ${message}`, {
    cause: error,
    retriable: !(error instanceof TypeError),
  });
}
