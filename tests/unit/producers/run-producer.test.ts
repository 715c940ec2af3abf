import { TransportError } from '../../../core/errors';
import type { OutgoingRecord, RecordResult, Transport, TransportStats } from '../../../connectors/transport';
import { runProducer, type AckedRecord, type TradeEncoder } from '../../../producers/run-producer';
import { TradeSimulator } from '../../../producers/trade-simulator';

/** Frames trades as 0x00, id 7, then the JSON text: enough to tell records apart. */
const encoder: TradeEncoder = {
  schemaId: 7,
  encode: (trade) => Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), Buffer.from(JSON.stringify(trade))]),
};

class FakeTransport implements Transport {
  readonly kind = 'kinesis' as const;
  readonly target = 'fake stream';
  readonly written: OutgoingRecord[] = [];
  constructor(private readonly failAfter = Infinity) {}

  async connect(): Promise<void> {}
  async send(batch: readonly OutgoingRecord[]): Promise<RecordResult[]> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return batch.map((record) => {
      if (this.written.length >= this.failAfter) {
        return { ok: false, error: new TransportError('endpoint down') };
      }
      this.written.push(record);
      return { ok: true, partition: 'p0', position: String(this.written.length - 1) };
    });
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  stats(): TransportStats {
    return { retried: 0, throttled: 0 };
  }
}

describe('runProducer', () => {
  it('sends exactly --count records and accounts every one, injected faults included', async () => {
    const transport = new FakeTransport();
    const acked: AckedRecord[] = [];
    const summary = await runProducer(
      { rate: 0, count: 5000 },
      {
        simulator: new TradeSimulator({ seed: 3, dupRatio: 0.02, badRatio: 0.02, lateRatio: 0.05 }),
        encoder,
        transport,
        onAcked: (record) => acked.push(record),
      },
    );
    expect(summary).toMatchObject({ sent: 5000, acked: 5000, failed: 0, stoppedBy: 'count', schemaId: 7 });
    expect(transport.written.length).toBe(5000);
    expect(acked.map((a) => a.emission.seq)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    const count = (kind: string) => acked.filter((a) => a.emission.kind === kind).length;
    expect(summary.injected.duplicates).toBe(count('duplicate'));
    expect(summary.injected.bad).toBe(count('bad'));
    expect(summary.injected.late).toBe(
      acked.filter((a) => a.emission.kind === 'trade' && a.emission.late).length,
    );
    expect(summary.injected.bad).toBeGreaterThan(0);
    // Bad records really are broken frames; good ones carry the schema id.
    for (const { emission, key } of acked) {
      const bytes = transport.written[emission.seq]!;
      expect(key).toBe(emission.trade.symbol);
      if (emission.kind !== 'bad') expect(bytes.value.subarray(0, 5)).toEqual(Buffer.from([0, 0, 0, 0, 7]));
      else expect(bytes.value.equals(encoder.encode(emission.trade))).toBe(false);
    }
    expect(summary.ackLatencyMs.p99).toBeGreaterThanOrEqual(summary.ackLatencyMs.p50);
  });

  it('stops generating when aborted and still settles what is in flight', async () => {
    const transport = new FakeTransport();
    const stop = new AbortController();
    const summary = await runProducer(
      { rate: 0 },
      {
        simulator: new TradeSimulator({ seed: 4 }),
        encoder,
        transport,
        onAcked: (record) => {
          if (record.emission.seq === 2000) stop.abort();
        },
        signal: stop.signal,
      },
    );
    expect(summary.stoppedBy).toBe('signal');
    expect(summary.sent).toBeGreaterThan(2000);
    expect(summary.acked).toBe(summary.sent);
    expect(transport.written.length).toBe(summary.sent);
  });

  it('paces emissions at the requested rate', async () => {
    const transport = new FakeTransport();
    const summary = await runProducer(
      { rate: 500, durationMs: 400 },
      { simulator: new TradeSimulator({ seed: 5 }), encoder, transport },
    );
    // Never ahead of 500/s × elapsed (+1 for the first), where an unpaced loop sends thousands.
    expect(summary.sent).toBeGreaterThan(0);
    expect(summary.sent).toBeLessThanOrEqual(201);
  });

  it('stops on the first record that cannot be confirmed and reports it', async () => {
    const transport = new FakeTransport(1500);
    const summary = await runProducer(
      { rate: 0, count: 100_000 },
      { simulator: new TradeSimulator({ seed: 6 }), encoder, transport },
    );
    expect(summary.stoppedBy).toBe('failure');
    expect(summary.acked).toBe(1500);
    expect(summary.failed).toBe(summary.sent - 1500);
    expect(summary.sent).toBeLessThan(100_000);
    expect(summary.error).toBe('endpoint down');
  });

  it('rethrows a send that rejects, once the rest in flight settle, and leaves no rejection unhandled', async () => {
    class RejectingTransport extends FakeTransport {
      override async send(batch: readonly OutgoingRecord[]): Promise<RecordResult[]> {
        if (this.written.length >= 1500) throw new TypeError('transport closed');
        return super.send(batch);
      }
    }
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const transport = new RejectingTransport();
      await expect(
        runProducer(
          { rate: 0, count: 100_000, maxChunk: 500 },
          { simulator: new TradeSimulator({ seed: 7 }), encoder, transport },
        ),
      ).rejects.toThrow('transport closed');
      expect(transport.written.length).toBeLessThan(100_000);
      // Unhandled rejections are reported after the microtask queue drains.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
