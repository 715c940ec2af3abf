// A KinesisClient for either world: an endpoint override with dummy credentials for a local emulator,
// or the default credential chain and region for AWS.
import http from 'node:http';
import https from 'node:https';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface KinesisClientOptions {
  /** Endpoint override (a local emulator); undefined means AWS. */
  endpoint?: string;
  /** Region; undefined lets the SDK's provider chain decide (AWS_REGION, profile). */
  region?: string;
  /** Sockets to keep open: at least the number of concurrent requests. */
  maxSockets?: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLocalEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  try {
    return LOOPBACK_HOSTS.has(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

export function createKinesisClient(options: KinesisClientOptions): KinesisClient {
  const maxSockets = options.maxSockets ?? 16;
  const requestHandler = new NodeHttpHandler({
    httpAgent: new http.Agent({ keepAlive: true, maxSockets }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets }),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
  });
  const local = isLocalEndpoint(options.endpoint);
  return new KinesisClient({
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    region: options.region ?? (local ? 'us-east-1' : undefined),
    // An emulator checks nothing but still wants signed requests.
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    requestHandler,
    // The transport retries itself, per record, with its own budget and counters.
    maxAttempts: 1,
  });
}
