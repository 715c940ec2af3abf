import {
  ProvisionedThroughputExceededException,
  PutRecordsCommand,
  ResourceNotFoundException,
  type PutRecordsCommandInput,
  type PutRecordsOutput,
} from '@aws-sdk/client-kinesis';
import { KINESIS_LIMITS, KinesisTransport } from '../../../connectors/kinesis/transport';
import type { OutgoingRecord, RecordAck } from '../../../connectors/transport';

type Answer = (input: PutRecordsCommandInput, call: number) => Promise<PutRecordsOutput> | PutRecordsOutput;

/** A stand-in for KinesisClient.send that keeps what it accepted, in acceptance order. */
class FakeKinesis {
  readonly calls: PutRecordsCommandInput[] = [];
  readonly accepted: Array<{ key: string; data: string }> = [];
  private sequence = 0;
  constructor(private readonly answer: Answer = () => ({ Records: [] })) {}

  send = async (command: unknown): Promise<PutRecordsOutput> => {
    if (!(command instanceof PutRecordsCommand)) throw new TypeError('unexpected command');
    const input = command.input;
    this.calls.push(input);
    const planned = await this.answer(input, this.calls.length);
    const records = (input.Records ?? []).map((record, index) => {
      const refused = planned.Records?.[index]?.ErrorCode;
      if (refused !== undefined) return { ErrorCode: refused, ErrorMessage: 'refused' };
      this.accepted.push({ key: record.PartitionKey!, data: Buffer.from(record.Data!).toString() });
      return { ShardId: 'shardId-000000000000', SequenceNumber: String(++this.sequence) };
    });
    return { Records: records, FailedRecordCount: records.filter((r) => 'ErrorCode' in r).length };
  };
}

const fastRetry = { initialDelayMs: 1, maxDelayMs: 4 };

function records(n: number, keys = ['AAPL', 'MSFT', 'NVDA', '7203', '0700'], size = 10): OutgoingRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: keys[i % keys.length]!,
    value: Buffer.from(`${i}`.padEnd(size, '.')),
  }));
}

function transportFor(fake: FakeKinesis, concurrency = 1, attempts = 10): KinesisTransport {
  return new KinesisTransport({
    client: fake,
    streamName: 'trades',
    concurrency,
    retry: { ...fastRetry, attempts },
  });
}

describe('KinesisTransport batching', () => {
  it('splits into PutRecords calls of at most 500 records, addressed by stream name and symbol', async () => {
    const fake = new FakeKinesis();
    const transport = transportFor(fake);
    const results = await transport.send(records(1234));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.calls.map((c) => c.Records!.length)).toEqual([500, 500, 234]);
    expect(fake.calls[0]!.StreamName).toBe('trades');
    expect(fake.calls[0]!.Records![1]!.PartitionKey).toBe('MSFT');
    const acks = results as RecordAck[];
    expect(acks[0]).toEqual({ ok: true, partition: 'shardId-000000000000', position: '1' });
  });

  it('keeps each request within 5 MiB', async () => {
    const fake = new FakeKinesis();
    const transport = transportFor(fake);
    const big = records(30, ['AAPL'], 700 * 1024);
    expect((await transport.send(big)).every((r) => r.ok)).toBe(true);
    for (const call of fake.calls) {
      const bytes = call.Records!.reduce((sum, r) => sum + r.Data!.length + r.PartitionKey!.length, 0);
      expect(bytes).toBeLessThanOrEqual(KINESIS_LIMITS.maxBytes);
    }
    expect(fake.calls.length).toBe(5);
  });

  it('refuses a record over 1 MiB without sending it, and sends the rest', async () => {
    const fake = new FakeKinesis();
    const transport = transportFor(fake);
    const batch = [...records(2), { key: 'AAPL', value: Buffer.alloc(1024 * 1024) }];
    const results = await transport.send(batch);
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(fake.accepted.length).toBe(2);
  });
});

describe('KinesisTransport retries', () => {
  it('retries only the refused entries of a partial failure, in order, until all are acked', async () => {
    const fake = new FakeKinesis((input, call) => ({
      Records: (input.Records ?? []).map((_, i) =>
        call === 1 && i % 3 === 0 ? { ErrorCode: 'ProvisionedThroughputExceededException' } : {},
      ),
    }));
    const transport = transportFor(fake);
    const batch = records(30, ['AAPL']);
    const results = await transport.send(batch);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.calls.length).toBe(2);
    expect(fake.calls[1]!.Records!.map((r) => Buffer.from(r.Data!).toString().replace(/\.+$/, ''))).toEqual([
      '0',
      '3',
      '6',
      '9',
      '12',
      '15',
      '18',
      '21',
      '24',
      '27',
    ]);
    expect(fake.accepted.length).toBe(30);
    expect(transport.stats()).toEqual({ retried: 10, throttled: 10 });
  });

  it('rides out a throttled request (by exception class) without losing records', async () => {
    const fake = new FakeKinesis((_input, call) => {
      if (call <= 3) {
        throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
      }
      return { Records: [] };
    });
    const transport = transportFor(fake);
    const results = await transport.send(records(100));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.accepted.length).toBe(100);
    expect(transport.stats().throttled).toBe(3);
  });

  it('does not retry an error that will not heal, and fails what is queued', async () => {
    const fake = new FakeKinesis(() => {
      throw new ResourceNotFoundException({ message: 'Stream trades not found', $metadata: {} });
    });
    const transport = transportFor(fake);
    const results = await transport.send(records(600));
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(fake.calls.length).toBe(1);
    const failure = results[0]!;
    expect(!failure.ok && failure.error.message).toContain('ResourceNotFoundException');
  });

  it('gives up after the retry budget when the endpoint stays down', async () => {
    const fake = new FakeKinesis(() => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4567'), { code: 'ECONNREFUSED' });
    });
    const transport = transportFor(fake, 1, 4);
    const results = await transport.send(records(10));
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(fake.calls.length).toBe(4);
    expect(!results[0]!.ok && results[0]!.error.message).toMatch(
      /not acknowledged after 4 attempts.*ECONNREFUSED/,
    );
    // The breaker is tripped: later sends fail at once instead of spending the budget again.
    const later = await transport.send(records(5));
    expect(later.every((r) => !r.ok)).toBe(true);
    expect(fake.calls.length).toBe(4);
  });
});

describe('KinesisTransport ordering', () => {
  it('never lets a record overtake an earlier one of its key, with concurrency, delays and refusals', async () => {
    let seed = 17;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    // Throttling refuses a shard's records from some point on: a suffix of each key's entries.
    const fake = new FakeKinesis(async (input) => {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 4)));
      const cutoff = new Map<string, number>();
      return {
        Records: (input.Records ?? []).map((record, index) => {
          const key = record.PartitionKey!;
          if (!cutoff.has(key))
            cutoff.set(key, random() < 0.3 ? index + Math.floor(random() * 50) : Infinity);
          return index >= cutoff.get(key)! ? { ErrorCode: 'ProvisionedThroughputExceededException' } : {};
        }),
      };
    });
    const transport = transportFor(fake, 4);
    const keys = Array.from({ length: 40 }, (_, i) => `S${i}`);
    const sends = [];
    for (let chunk = 0; chunk < 20; chunk++) {
      const batch = Array.from({ length: 250 }, (_, i) => {
        const n = chunk * 250 + i;
        return { key: keys[Math.floor(random() * keys.length)]!, value: Buffer.from(String(n)) };
      });
      sends.push(transport.send(batch));
    }
    const results = (await Promise.all(sends)).flat();
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.accepted.length).toBe(5000);
    const lastByKey = new Map<string, number>();
    for (const { key, data } of fake.accepted) {
      const n = Number(data);
      expect(n).toBeGreaterThan(lastByKey.get(key) ?? -1);
      lastByKey.set(key, n);
    }
    expect(transport.stats().retried).toBeGreaterThan(0);
  });
});
