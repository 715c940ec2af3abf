// KafkaTransport (MSK or the local broker): an idempotent kafkajs producer, acks=all, key = record key,
// partitions chosen here with Kafka's default (murmur2) partitioner so each ack names its partition and
// offset. Sends are serialised: the idempotent producer keeps order and drops its own retry duplicates.
import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { TransportError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/logger';
import { LanedTransport } from '../laned-transport';
import type { LaneEntry } from '../ordered-lanes';
import { createKafka, type KafkaAuth, type KafkaRetry } from './client';
import { toTransportError } from './errors';
import { checkKafkaSecurity } from './preflight';
import { ensureTopic } from './topic';

export type KafkaCompression = 'none' | 'gzip';

export interface KafkaTransportOptions {
  brokers: string[];
  topic: string;
  auth?: KafkaAuth;
  /** PEM CA certificates to trust instead of the system's (see KafkaClientOptions.caFile). */
  caFile?: string;
  partitions?: number;
  createTopic?: boolean;
  compression?: KafkaCompression;
  retry?: Partial<KafkaRetry>;
  /**
   * Messages per produce request. kafkajs groups a request's messages by partition in time quadratic
   * in the count, so a few thousand per request is cheaper per record than tens of thousands.
   */
  maxBatchRecords?: number;
  logger?: Logger;
  /** For tests: a prepared client instead of one built from brokers and auth. */
  kafka?: Kafka;
}

/** A partitioner for messages that already name their partition. */
function explicitPartition({ message }: { message: { partition?: number } }): number {
  if (message.partition === undefined) throw new TransportError('kafka message without a partition');
  return message.partition;
}

export const DEFAULT_KAFKA_RETRY: KafkaRetry = { attempts: 10, initialDelayMs: 300, maxDelayMs: 10_000 };

/** Uncompressed bytes per produce request, below the broker's default 1 MiB message.max.bytes. */
const MAX_REQUEST_BYTES = 900 * 1024;

export class KafkaTransport extends LanedTransport {
  readonly kind = 'msk' as const;
  readonly target: string;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly logger: Logger;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  /** Key → partition; keys are symbols, a small set, and murmur2 per record costs measurable CPU. */
  private readonly partitionByKey = new Map<string, number>();
  private partitionMetadata: Array<{ partitionId: number; leader: number }> = [];
  private retriesInSend = 0;
  private connected = false;

  constructor(private readonly options: KafkaTransportOptions) {
    super({
      lanes: 1,
      limits: {
        maxRecords: options.maxBatchRecords ?? 2000,
        maxBytes: MAX_REQUEST_BYTES,
        maxRecordBytes: MAX_REQUEST_BYTES,
      },
      sizeOf: (record) => record.value.length + Buffer.byteLength(record.key) + 16,
    });
    this.target = `Kafka topic ${options.topic} at ${options.brokers.join(',')}`;
    this.logger = options.logger ?? silentLogger;
    const retry = { ...DEFAULT_KAFKA_RETRY, ...options.retry };
    this.kafka =
      options.kafka ??
      createKafka({
        brokers: options.brokers,
        auth: options.auth ?? { mode: 'none' },
        caFile: options.caFile,
        retry,
        logger: this.logger,
        onRetry: () => this.retriesInSend++,
      });
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // Every message carries the partition chosen by partitionOf (Kafka's default murmur2 mapping);
      // kafkajs's own default partitioner would filter the partition list again for every message.
      createPartitioner: () => explicitPartition,
      retry: {
        retries: Math.max(1, retry.attempts - 1),
        initialRetryTime: retry.initialDelayMs,
        maxRetryTime: retry.maxDelayMs,
      },
    });
  }

  async connect(): Promise<void> {
    if (this.options.kafka === undefined) {
      const { brokers, auth = { mode: 'none' }, caFile } = this.options;
      await checkKafkaSecurity({ brokers, auth, caFile });
    }
    const partitions = await ensureTopic(this.kafka, {
      topic: this.options.topic,
      partitions: this.options.partitions ?? 4,
      create: this.options.createTopic ?? false,
      logger: this.logger,
    });
    // The default partitioner hashes over all partitions, so only their count matters here.
    this.partitionByKey.clear();
    this.partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
    }));
    try {
      await this.producer.connect();
      this.connected = true;
    } catch (error) {
      throw toTransportError(error, `connecting to ${this.target}`);
    }
  }

  override async close(): Promise<void> {
    await this.flush();
    if (this.connected) await this.producer.disconnect().catch(() => undefined);
    this.connected = false;
  }

  partitionOf(key: string): number {
    const known = this.partitionByKey.get(key);
    if (known !== undefined) return known;
    const partition = this.partitioner({
      topic: this.options.topic,
      partitionMetadata: this.partitionMetadata as never,
      message: { key, value: null },
    });
    this.partitionByKey.set(key, partition);
    return partition;
  }

  protected async sendBatch(entries: LaneEntry[]): Promise<void> {
    const partitions = entries.map((entry) => this.partitionOf(entry.record.key));
    this.retriesInSend = 0;
    try {
      const metadata = await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        compression: this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: entries.map((entry, index) => ({
          key: entry.record.key,
          value: entry.record.value,
          partition: partitions[index]!,
        })),
      });
      if (this.retriesInSend > 0) this.counters.retried += entries.length;
      const next = new Map<number, bigint>();
      for (const answer of metadata) {
        const base = answer.baseOffset ?? answer.offset;
        if (base !== undefined) next.set(answer.partition, BigInt(base));
      }
      entries.forEach((entry, index) => {
        const partition = partitions[index]!;
        const offset = next.get(partition);
        if (offset === undefined) {
          entry.settle({
            ok: false,
            error: new TransportError(`${this.target}: no offset acknowledged for partition ${partition}`),
          });
          return;
        }
        next.set(partition, offset + 1n);
        entry.settle({ ok: true, partition: String(partition), position: offset.toString() });
      });
    } catch (error) {
      const failure = toTransportError(error, `producing to ${this.target}`);
      // kafkajs has spent its retry budget: what is queued would fail the same way.
      this.lanes.trip(failure);
      for (const entry of entries) entry.settle({ ok: false, error: failure });
    }
  }
}

export function createKafkaTransport(options: KafkaTransportOptions): KafkaTransport {
  return new KafkaTransport(options);
}
