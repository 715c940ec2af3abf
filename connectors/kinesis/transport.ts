// KinesisTransport: PutRecords within the API limits, partition key = record key, only the failed
// entries of a partial failure retried (exponential backoff, full jitter), per-key order kept by lanes.
import { PutRecordsCommand, type KinesisClient, type PutRecordsOutput } from '@aws-sdk/client-kinesis';
import { backOff } from 'exponential-backoff';
import { TransportError, isRetriable } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/logger';
import { LanedTransport } from '../laned-transport';
import type { LaneEntry } from '../ordered-lanes';
import { isRetriableRecordError, isThrottling, toTransportError } from './errors';
import { ensureStream } from './stream';

/** PutRecords limits: 500 records and 5 MiB per request, 1 MiB per record (data + partition key). */
export const KINESIS_LIMITS = { maxRecords: 500, maxBytes: 5 * 1024 * 1024, maxRecordBytes: 1024 * 1024 };

export interface RetryPolicy {
  /** Attempts per batch, the first included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, initialDelayMs: 100, maxDelayMs: 5000 };

export interface KinesisTransportOptions {
  client: Pick<KinesisClient, 'send'>;
  streamName: string;
  /** For messages only: where the stream lives. */
  endpoint?: string;
  shards?: number;
  createStream?: boolean;
  /** Requests in flight at once (one per lane). */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
}

/** Some entries of a PutRecords call were refused; only they are sent again. */
class PartialFailure extends TransportError {
  constructor(
    readonly failed: number,
    readonly errorCode: string,
    retriable: boolean,
  ) {
    super(`${failed} records refused (${errorCode})`, { retriable });
  }
}

export class KinesisTransport extends LanedTransport {
  readonly kind = 'kinesis' as const;
  readonly target: string;
  private readonly retry: RetryPolicy;
  private readonly logger: Logger;

  constructor(private readonly options: KinesisTransportOptions) {
    super({
      lanes: options.concurrency ?? 8,
      limits: KINESIS_LIMITS,
      sizeOf: (record) => record.value.length + Buffer.byteLength(record.key),
    });
    this.target = `Kinesis stream ${options.streamName}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.logger = options.logger ?? silentLogger;
  }

  async connect(): Promise<void> {
    if (this.options.createStream === undefined && this.options.shards === undefined) return;
    await ensureStream(this.options.client, {
      streamName: this.options.streamName,
      shards: this.options.shards ?? 4,
      create: this.options.createStream ?? false,
      logger: this.logger,
    });
  }

  protected async sendBatch(entries: LaneEntry[]): Promise<void> {
    let pending = entries;
    try {
      await backOff(
        async () => {
          const output = await this.call(pending);
          const refusal = this.settleAcked(pending, output);
          if (refusal !== undefined) {
            pending = refusal.entries;
            throw new PartialFailure(refusal.entries.length, refusal.errorCode, refusal.retriable);
          }
        },
        {
          numOfAttempts: this.retry.attempts,
          startingDelay: this.retry.initialDelayMs,
          maxDelay: this.retry.maxDelayMs,
          timeMultiple: 2,
          jitter: 'full',
          retry: (error: unknown, attempt: number) => {
            if (!isRetriable(error)) return false;
            this.counters.retried += pending.length;
            this.logger.debug({ attempt, records: pending.length, err: error }, 'retrying PutRecords');
            return true;
          },
        },
      );
    } catch (error) {
      const failure = new TransportError(
        `${this.target}: ${pending.length} records not acknowledged after ${this.retry.attempts} attempts: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
      // The budget is spent: fail what is queued at once rather than spend it again per batch.
      this.lanes.trip(failure);
      for (const entry of pending) entry.settle({ ok: false, error: failure });
    }
  }

  private async call(entries: LaneEntry[]): Promise<PutRecordsOutput> {
    try {
      return await this.options.client.send(
        new PutRecordsCommand({
          StreamName: this.options.streamName,
          Records: entries.map((entry) => ({ Data: entry.record.value, PartitionKey: entry.record.key })),
        }),
      );
    } catch (error) {
      if (isThrottling(error)) this.counters.throttled++;
      throw toTransportError(error, `PutRecords to ${this.target}`);
    }
  }

  /** Settles acknowledged entries; returns the refused ones, in order, if any. */
  private settleAcked(
    entries: LaneEntry[],
    output: PutRecordsOutput,
  ): { entries: LaneEntry[]; errorCode: string; retriable: boolean } | undefined {
    const results = output.Records ?? [];
    if (results.length !== entries.length) {
      throw new TransportError(
        `PutRecords answered ${results.length} results for ${entries.length} records`,
        {
          retriable: true,
        },
      );
    }
    const refused: LaneEntry[] = [];
    let firstCode: string | undefined;
    let allRetriable = true;
    const refusedKeys = new Set<string>();
    let overtaken = 0;
    results.forEach((result, index) => {
      const entry = entries[index]!;
      if (result.ErrorCode !== undefined) {
        refused.push(entry);
        refusedKeys.add(entry.record.key);
        firstCode ??= result.ErrorCode;
        if (result.ErrorCode === 'ProvisionedThroughputExceededException') this.counters.throttled++;
        allRetriable &&= isRetriableRecordError(result.ErrorCode);
      } else {
        if (refusedKeys.has(entry.record.key)) overtaken++;
        entry.settle({ ok: true, partition: result.ShardId ?? '', position: result.SequenceNumber ?? '' });
      }
    });
    if (overtaken > 0) {
      // The service accepted a later record of a key after refusing an earlier one; nothing can undo that.
      this.logger.warn(
        { overtaken },
        'a partial PutRecords failure let records overtake earlier ones of their key',
      );
    }
    if (refused.length === 0) return undefined;
    return { entries: refused, errorCode: firstCode ?? 'unknown', retriable: allRetriable };
  }
}

export function createKinesisTransport(options: KinesisTransportOptions): KinesisTransport {
  return new KinesisTransport(options);
}
