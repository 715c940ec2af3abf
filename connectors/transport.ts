// The boundary between the producer and a stream: a Transport carries keyed byte records and says, per
// record, where the stream put it. Transports know nothing of Avro or trades.
import type { TransportError } from '../core/errors';

export type TransportKind = 'kinesis' | 'msk';

export interface OutgoingRecord {
  /** Partition key (Kinesis) / message key (Kafka): the trade's symbol. */
  key: string;
  value: Buffer;
}

/** Where a record landed: shard id + sequence number, or partition + offset. */
export interface RecordAck {
  ok: true;
  partition: string;
  position: string;
}

export interface RecordFailure {
  ok: false;
  error: TransportError;
}

export type RecordResult = RecordAck | RecordFailure;

export interface TransportStats {
  /** Records sent again after a failed or throttled attempt. */
  retried: number;
  /** Requests the stream refused for throughput (Kinesis throttling, Kafka throttle). */
  throttled: number;
}

export interface Transport {
  readonly kind: TransportKind;
  /** Where records go, for messages: the stream or topic and its endpoint. */
  readonly target: string;
  /** Connects and makes sure the stream/topic exists (creating it when configured to). */
  connect(): Promise<void>;
  /**
   * Queues records for sending; resolves with one result per record, in input order, once each is
   * acknowledged or has failed for good. Records with the same key are written in call order.
   */
  send(batch: readonly OutgoingRecord[]): Promise<RecordResult[]>;
  /** Resolves once everything queued so far has been acknowledged or has failed. */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): TransportStats;
}
