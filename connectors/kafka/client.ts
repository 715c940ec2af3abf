// A kafkajs client for either world: plaintext for the local broker; TLS, SASL/SCRAM or IAM (SASL
// OAUTHBEARER signed by the AWS MSK IAM signer) for Amazon MSK. kafkajs logs go through our logger.
import fs from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { ConfigError } from '../../core/errors';
import type { Logger } from '../../core/logger';

export type KafkaAuth =
  | { mode: 'none' }
  | { mode: 'tls' }
  | { mode: 'scram'; username: string; password: string; mechanism?: 'scram-sha-512' | 'scram-sha-256' }
  | { mode: 'iam'; region: string };

export interface KafkaRetry {
  /** Attempts per request, the first included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface KafkaClientOptions {
  brokers: string[];
  auth: KafkaAuth;
  /**
   * A PEM file of CA certificates to trust instead of the system's (a local broker's own CA). Unset, TLS
   * trusts the system store, which is what Amazon MSK's certificates chain to.
   */
  caFile?: string;
  clientId?: string;
  retry: KafkaRetry;
  logger: Logger;
  /** Called when kafkajs retries a request (it narrates each retry with a retryCount). */
  onRetry?: () => void;
}

/** The MSK IAM signer's shape (aws-msk-iam-sasl-signer-js's generateAuthToken); tests pass a fake. */
export type MskTokenSigner = (options: { region: string }) => Promise<{ token: string; expiryTime: number }>;

/**
 * The SASL settings of an auth mode (none for plaintext and TLS-only). For IAM, kafkajs calls the
 * provider at each (re)authentication, and each call signs a fresh token, so none is reused after expiry.
 */
export function saslFor(
  auth: KafkaAuth,
  signer: MskTokenSigner = generateAuthToken,
): SASLOptions | undefined {
  switch (auth.mode) {
    case 'none':
    case 'tls':
      return undefined;
    case 'scram':
      if (!auth.username || !auth.password) {
        throw new ConfigError('--kafka-auth scram: needs --kafka-username and --kafka-password');
      }
      return {
        mechanism: auth.mechanism ?? 'scram-sha-512',
        username: auth.username,
        password: auth.password,
      };
    case 'iam':
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => {
          const { token } = await signer({ region: auth.region });
          return { value: token };
        },
      };
  }
}

/**
 * kafkajs's `ssl` setting: off for plaintext; Node's default trust (the system's roots) or, with a CA file,
 * exactly the certificates it holds (https://kafka.js.org/docs/configuration#ssl).
 */
export function tlsFor(auth: KafkaAuth, caFile: string | undefined): KafkaConfig['ssl'] {
  if (auth.mode === 'none') {
    if (caFile !== undefined) throw new ConfigError('--kafka-ca-file: needs --kafka-auth tls, scram or iam');
    return false;
  }
  if (caFile === undefined) return true;
  let pem: string;
  try {
    pem = fs.readFileSync(caFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(`--kafka-ca-file: cannot read ${caFile} (${code})`, { cause: error });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`--kafka-ca-file: ${caFile} holds no PEM certificate`);
  }
  return { ca: [pem] };
}

/** Bounds on one connection attempt: TCP connect, then the SASL exchange. */
export const CONNECTION_TIMEOUT_MS = 3000;
export const AUTHENTICATION_TIMEOUT_MS = 10_000;

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs narrates reconnects at ERROR; ours decide what is an error, so its lines drop one level. */
function logCreator(logger: Logger, onRetry: (() => void) | undefined): KafkaConfig['logCreator'] {
  const debug = logger.isLevelEnabled('debug');
  return () =>
    ({ level, log }: LogEntry) => {
      if (onRetry !== undefined && typeof log['retryCount'] === 'number') onRetry();
      if (level === logLevel.DEBUG && !debug) return;
      const { message, ...fields } = log;
      const ours = LEVELS[level] === 'error' ? 'warn' : LEVELS[level] === 'warn' ? 'info' : 'debug';
      logger[ours](fields, message);
    };
}

export function createKafka(options: KafkaClientOptions): Kafka {
  const { auth, retry } = options;
  return new Kafka({
    clientId: options.clientId ?? 'streamsoft',
    brokers: options.brokers,
    ssl: tlsFor(auth, options.caFile),
    sasl: saslFor(auth),
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    authenticationTimeout: AUTHENTICATION_TIMEOUT_MS,
    requestTimeout: 30_000,
    retry: {
      retries: Math.max(0, retry.attempts - 1),
      initialRetryTime: retry.initialDelayMs,
      maxRetryTime: retry.maxDelayMs,
      factor: 0.2,
      multiplier: 2,
    },
    // DEBUG so retries are seen (a reconnect is narrated only there); the creator filters what is logged.
    logLevel: options.onRetry === undefined ? logLevel.INFO : logLevel.DEBUG,
    logCreator: logCreator(options.logger, options.onRetry),
  });
}
