// Chooses and builds the transport named by `--transport`: Kinesis (default) or MSK/Kafka.
import type { Logger } from '../core/logger';
import type { KafkaAuth } from './kafka/client';
import { createKafkaTransport, type KafkaCompression } from './kafka/transport';
import { createKinesisClient, isLocalEndpoint } from './kinesis/client';
import { createKinesisTransport } from './kinesis/transport';
import type { Transport, TransportKind } from './transport';

export interface KinesisSettings {
  /** Endpoint override; undefined means AWS with the default credential chain. */
  endpoint?: string;
  region?: string;
  streamName: string;
  shards: number;
  /** undefined: create when the endpoint is local. */
  createStream?: boolean;
  concurrency: number;
}

export interface KafkaSettings {
  brokers: string[];
  topic: string;
  partitions: number;
  /** undefined: create when talking to a plaintext (local) broker. */
  createTopic?: boolean;
  auth: KafkaAuth;
  /** PEM CA certificates to trust instead of the system's; unset on AWS. */
  caFile?: string;
  compression: KafkaCompression;
}

export interface TransportSettings {
  kind: TransportKind;
  kinesis: KinesisSettings;
  kafka: KafkaSettings;
  retry: { attempts: number; initialDelayMs?: number; maxDelayMs?: number };
  logger: Logger;
}

export function createTransport(settings: TransportSettings): Transport {
  const { retry, logger } = settings;
  if (settings.kind === 'kinesis') {
    const { kinesis } = settings;
    return createKinesisTransport({
      client: createKinesisClient({
        endpoint: kinesis.endpoint,
        region: kinesis.region,
        maxSockets: kinesis.concurrency * 2,
      }),
      endpoint: kinesis.endpoint,
      streamName: kinesis.streamName,
      shards: kinesis.shards,
      createStream: kinesis.createStream ?? isLocalEndpoint(kinesis.endpoint),
      concurrency: kinesis.concurrency,
      retry,
      logger: logger.child({ transport: 'kinesis' }),
    });
  }
  const { kafka } = settings;
  return createKafkaTransport({
    brokers: kafka.brokers,
    topic: kafka.topic,
    partitions: kafka.partitions,
    createTopic: kafka.createTopic ?? kafka.auth.mode === 'none',
    auth: kafka.auth,
    caFile: kafka.caFile,
    compression: kafka.compression,
    retry,
    logger: logger.child({ transport: 'msk' }),
  });
}
