// Bounded concurrency that keeps per-key order: every key maps to one lane, a lane has at most one
// request in flight, and a lane retries its failed records before it takes newer ones. Lanes run in
// parallel, so throughput scales with the lane count while no record overtakes an earlier one of its key.
import { TransportError } from '../core/errors';
import type { OutgoingRecord, RecordResult } from './transport';

export interface LaneEntry {
  readonly record: OutgoingRecord;
  /** Bytes this record counts against request limits. */
  readonly size: number;
  settle(result: RecordResult): void;
}

export interface BatchLimits {
  maxRecords: number;
  /** Bytes per request. */
  maxBytes: number;
  /** Bytes per record. */
  maxRecordBytes: number;
}

export interface OrderedLanesOptions {
  lanes: number;
  limits: BatchLimits;
  /** Sends one batch and settles every entry in it (acks, or failures once retries are exhausted). */
  sendBatch(entries: LaneEntry[]): Promise<void>;
  /** Bytes a record counts against the request size limit. */
  sizeOf(record: OutgoingRecord): number;
}

/** Java's String.hashCode, enough to spread symbols over lanes deterministically. */
function keyHash(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(31, hash) + key.charCodeAt(i)) | 0;
  return hash >>> 0;
}

class Lane {
  private queue: LaneEntry[] = [];
  private head = 0;
  private running: Promise<void> | undefined;

  constructor(private readonly owner: OrderedLanes) {}

  get pending(): number {
    return this.queue.length - this.head;
  }

  push(entry: LaneEntry): void {
    this.queue.push(entry);
    this.start();
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private start(): void {
    this.running ??= this.pump().finally(() => {
      this.running = undefined;
      if (this.pending > 0) this.start();
    });
  }

  private take(limits: BatchLimits): LaneEntry[] {
    const batch: LaneEntry[] = [];
    let bytes = 0;
    while (this.head < this.queue.length && batch.length < limits.maxRecords) {
      const entry = this.queue[this.head]!;
      if (batch.length > 0 && bytes + entry.size > limits.maxBytes) break;
      batch.push(entry);
      bytes += entry.size;
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private async pump(): Promise<void> {
    // Let the caller finish queuing the current send() so its records can share one request.
    await Promise.resolve();
    while (this.pending > 0) {
      const batch = this.take(this.owner.limits);
      const fatal = this.owner.fatalError;
      if (fatal !== undefined) {
        for (const entry of batch) entry.settle({ ok: false, error: fatal });
        continue;
      }
      try {
        await this.owner.sendBatch(batch);
      } catch (error) {
        const failure =
          error instanceof TransportError
            ? error
            : new TransportError(`sending a batch failed: ${String(error)}`, { cause: error });
        for (const entry of batch) entry.settle({ ok: false, error: failure });
      }
    }
  }
}

export class OrderedLanes {
  readonly limits: BatchLimits;
  readonly sendBatch: (entries: LaneEntry[]) => Promise<void>;
  private readonly sizeOf: (record: OutgoingRecord) => number;
  private readonly lanes: Lane[];
  private fatal: TransportError | undefined;

  constructor(options: OrderedLanesOptions) {
    if (!(options.lanes >= 1)) throw new RangeError(`lanes must be at least 1, got ${options.lanes}`);
    this.limits = options.limits;
    this.sendBatch = options.sendBatch;
    this.sizeOf = options.sizeOf;
    this.lanes = Array.from({ length: options.lanes }, () => new Lane(this));
  }

  get fatalError(): TransportError | undefined {
    return this.fatal;
  }

  /** After a failure that will not heal (retry budget spent), fail what is queued instead of trying it. */
  trip(error: TransportError): void {
    this.fatal ??= error;
  }

  laneOf(key: string): number {
    return keyHash(key) % this.lanes.length;
  }

  enqueue(records: readonly OutgoingRecord[]): Promise<RecordResult[]> {
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const results = new Array<RecordResult>(records.length);
      let outstanding = records.length;
      records.forEach((record, index) => {
        const settle = (result: RecordResult): void => {
          results[index] = result;
          if (--outstanding === 0) resolve(results);
        };
        const size = this.sizeOf(record);
        if (size > this.limits.maxRecordBytes) {
          settle({
            ok: false,
            error: new TransportError(
              `record of ${size} bytes exceeds the ${this.limits.maxRecordBytes}-byte limit per record`,
            ),
          });
          return;
        }
        this.lanes[this.laneOf(record.key)]!.push({ record, size, settle });
      });
    });
  }

  async idle(): Promise<void> {
    while (this.lanes.some((lane) => lane.pending > 0)) {
      await Promise.all(this.lanes.map((lane) => lane.idle()));
    }
    await Promise.all(this.lanes.map((lane) => lane.idle()));
  }
}
