// What every Transport over OrderedLanes shares: sends queue on the lanes (per-key order, bounded
// requests in flight), flush waits until every lane is idle, close flushes first, and stats are the
// counters the transport keeps while it sends. A transport supplies how one batch is sent.
import { OrderedLanes, type LaneEntry, type OrderedLanesOptions } from './ordered-lanes';
import type { OutgoingRecord, RecordResult, Transport, TransportKind, TransportStats } from './transport';

export abstract class LanedTransport implements Transport {
  abstract readonly kind: TransportKind;
  abstract readonly target: string;
  protected readonly lanes: OrderedLanes;
  protected readonly counters: TransportStats = { retried: 0, throttled: 0 };

  constructor(lanes: Omit<OrderedLanesOptions, 'sendBatch'>) {
    this.lanes = new OrderedLanes({ ...lanes, sendBatch: (entries) => this.sendBatch(entries) });
  }

  abstract connect(): Promise<void>;

  /** Sends one batch and settles every entry in it (see OrderedLanesOptions.sendBatch). */
  protected abstract sendBatch(entries: LaneEntry[]): Promise<void>;

  send(batch: readonly OutgoingRecord[]): Promise<RecordResult[]> {
    return this.lanes.enqueue(batch);
  }

  flush(): Promise<void> {
    return this.lanes.idle();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  stats(): TransportStats {
    return { ...this.counters };
  }
}
