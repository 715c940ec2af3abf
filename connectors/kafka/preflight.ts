// One bounded connection attempt before the patient client takes over. A security mismatch (a wrong
// password, an untrusted certificate, TLS against a plaintext listener or the reverse) fails the same way
// on every retry, so it ends the command at once with one line naming the cause; anything else (a broker
// still starting) is left to the client's retries.
import * as kafkajs from 'kafkajs';
import { KafkaJSConnectionError, KafkaJSSASLAuthenticationError, logLevel } from 'kafkajs';
import { ConfigError } from '../../core/errors';
import {
  AUTHENTICATION_TIMEOUT_MS,
  CONNECTION_TIMEOUT_MS,
  saslFor,
  tlsFor,
  type KafkaAuth,
  type KafkaClientOptions,
} from './client';

/** Raised when the server closes a connection kafkajs had open; exported by kafkajs, absent from its typings. */
const { KafkaJSConnectionClosedError } = kafkajs as unknown as {
  KafkaJSConnectionClosedError: typeof KafkaJSConnectionError;
};

/** Node's codes for a server certificate that does not verify (https://nodejs.org/api/tls.html#x509-certificate-error-codes). */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The error and its causes, outermost first (kafkajs wraps the last attempt's error in a retry error). */
function chain(error: unknown): unknown[] {
  const errors: unknown[] = [];
  for (let e = error; e !== undefined && errors.length < 8; e = (e as { cause?: unknown }).cause) {
    errors.push(e);
    if (typeof e !== 'object' || e === null) break;
  }
  return errors;
}

/** The one-line ConfigError for a failed attempt caused by security settings, or undefined for any other failure. */
export function securityMismatch(
  error: unknown,
  auth: KafkaAuth,
  brokers: string[],
): ConfigError | undefined {
  const errors = chain(error);
  const where = (e: unknown): string =>
    (e instanceof KafkaJSConnectionError && e.broker) || brokers.join(',');
  const sasl = errors.find((e) => e instanceof KafkaJSSASLAuthenticationError);
  if (sasl !== undefined) {
    const who =
      auth.mode === 'scram'
        ? `SASL/SCRAM user "${auth.username}": wrong --kafka-username or --kafka-password`
        : `the ${auth.mode} authentication: ${(sasl as Error).message}`;
    return new ConfigError(`Kafka broker ${brokers.join(',')} rejected ${who}`, { cause: error });
  }
  const closed = errors.find((e) => e instanceof KafkaJSConnectionClosedError);
  if (closed !== undefined && auth.mode === 'none') {
    return new ConfigError(
      `Kafka broker ${where(closed)} closed the connection on a plaintext request: it looks like a TLS ` +
        'listener (use --kafka-auth tls, scram or iam, or the plaintext port)',
      { cause: error },
    );
  }
  // kafkajs keeps the socket error's code on the connection error (src/network/connection.js).
  const connection = errors.find((e) => e instanceof KafkaJSConnectionError) as
    (KafkaJSConnectionError & { code?: string }) | undefined;
  if (connection === undefined || auth.mode === 'none') return undefined;
  if (UNTRUSTED_CERTIFICATE.has(connection.code ?? '')) {
    const reason = connection.message.replace(/^Connection error: /, '');
    return new ConfigError(
      `the TLS certificate of Kafka broker ${where(connection)} is not trusted (${reason}): ` +
        'pass the CA that signed it with --kafka-ca-file',
      { cause: error },
    );
  }
  if (connection.code === 'ECONNRESET') {
    return new ConfigError(
      `Kafka broker ${where(connection)} dropped the TLS handshake: it looks like a plaintext listener ` +
        '(use its TLS port, or --kafka-auth none)',
      { cause: error },
    );
  }
  return undefined;
}

/** Connects once with no retries; throws a ConfigError when the brokers refuse our security settings. */
export async function checkKafkaSecurity(options: Pick<KafkaClientOptions, 'brokers' | 'auth' | 'caFile'>) {
  const admin = new kafkajs.Kafka({
    clientId: 'streamsoft-preflight',
    brokers: options.brokers,
    ssl: tlsFor(options.auth, options.caFile),
    sasl: saslFor(options.auth),
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    authenticationTimeout: AUTHENTICATION_TIMEOUT_MS,
    requestTimeout: AUTHENTICATION_TIMEOUT_MS,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
  } catch (error) {
    const mismatch = securityMismatch(error, options.auth, options.brokers);
    if (mismatch !== undefined) throw mismatch;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
