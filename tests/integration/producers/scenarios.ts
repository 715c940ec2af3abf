// The producer's acceptance scenarios, run once per transport against the real stand-ins: a 20,000-trade
// run read back exactly, SIGINT mid-run, the stream service restarted mid-run, and an outage past the
// retry budget. Each file calls `producerScenarios` with how to address and read its transport.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTradeSerde, type TradeSerde } from '../../../connectors/serde/trade-serde';
import { dataDirLayout } from '../../../core/paths';
import { readRunRecord } from '../../../local/services/supervisor';
import type { Trade } from '../../../schemas/trade';
import {
  startStandIns,
  type StandInEndpoints,
  type StandIns,
} from '../../../local/services/throwaway-stand-ins';
import { readRecordFile, type StreamRecord } from './read-back';
import { runProduceCli, verifyStream } from './verify';

export interface TransportUnderTest {
  kind: 'kinesis' | 'kafka';
  /** `streamsoft produce` flags addressing stream/topic `name`. */
  args(endpoints: StandInEndpoints, name: string): string[];
  readBack(endpoints: StandInEndpoints, name: string): Promise<StreamRecord[]>;
  /** What the one-line error names when the budget is spent. */
  outageMessage: RegExp;
}

function lineCount(file: string): number {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length === 0 ? 0 : text.split('\n').length - 1;
  } catch {
    return 0;
  }
}

async function waitForAcks(file: string, n: number): Promise<void> {
  while (lineCount(file) < n) await sleep(100);
}

export function producerScenarios(transport: TransportUnderTest): void {
  let standIns: StandIns;
  let endpoints: StandInEndpoints;
  let dir: string;
  const serdes = new Map<string, TradeSerde>();

  beforeAll(async () => {
    standIns = await startStandIns([transport.kind, 'registry']);
    endpoints = standIns.endpoints;
    dir = mkdtempSync(path.join(os.tmpdir(), `produce-${transport.kind}-`));
  });

  afterAll(async () => {
    await standIns?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** A reader of the latest Trade schema; it finds each record's writer schema by the id in its frame. */
  async function decoderFor(
    name: string,
    writtenWith: 1 | 2 = 2,
  ): Promise<(bytes: Buffer) => Promise<Trade>> {
    let serde = serdes.get(name);
    if (serde === undefined) {
      serde = await createTradeSerde({
        registryUrl: endpoints.registry!,
        subject: `${name}-value`,
        schemaVersion: writtenWith,
      });
      serdes.set(name, serde);
    }
    return serde.decode;
  }

  function args(name: string, extra: string[]): string[] {
    return [
      ...transport.args(endpoints, name),
      '--registry-url',
      endpoints.registry!,
      '--record-file',
      path.join(dir, `${name}.jsonl`),
      '--json',
      ...extra,
    ];
  }

  test('20,000 trades: exactly the acked trades are in the stream, faults counted, per-symbol order kept', async () => {
    const name = 'bulk';
    const run = await runProduceCli(
      args(name, [
        ...['--count', '20000', '--rate', '0', '--seed', '11'],
        ...['--dup-ratio', '0.01', '--bad-ratio', '0.01', '--late-ratio', '0.02'],
      ]),
    );
    // Nothing at error level or above (pino levels 50, 60) on a clean run.
    expect(run.stderr).not.toMatch(/"level":(50|60)/);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ sent: 20000, acked: 20000, failed: 0, seed: 11, stoppedBy: 'count' });

    const lines = readRecordFile(path.join(dir, `${name}.jsonl`));
    const stream = await transport.readBack(endpoints, name);
    const check = await verifyStream(stream, lines, await decoderFor(name));
    expect(lines.length).toBe(20000);
    expect(check.missing).toEqual([]);
    expect(check.extra).toEqual([]);
    expect(check.mismatched).toEqual([]);
    expect(check.outOfOrder).toEqual([]);
    expect(stream.length).toBe(summary.acked);
    expect(check.duplicates).toBe(summary.injected.duplicates);
    expect(check.undecodable).toBe(summary.injected.bad);
    expect(check.decoded + check.undecodable).toBe(stream.length);
    expect(summary.injected.duplicates).toBeGreaterThan(0);
    expect(summary.injected.bad).toBeGreaterThan(0);
    expect(summary.injected.late).toBeGreaterThan(0);
    // Apart from the injected duplicates, every trade in the stream is a distinct operation.
    const trades = lines.filter((l) => l.kind === 'trade');
    expect(new Set(trades.map((l) => l.trade.operation_id)).size).toBe(trades.length);
  });

  test('schema v1: records decode through the latest reader with quantity 1 and no broker', async () => {
    const name = 'v1';
    const run = await runProduceCli(
      args(name, ['--count', '2000', '--rate', '0', '--seed', '16', '--schema-version', '1']),
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ acked: 2000, failed: 0 });
    const lines = readRecordFile(path.join(dir, `${name}.jsonl`));
    const check = await verifyStream(
      await transport.readBack(endpoints, name),
      lines,
      await decoderFor(name, 1),
    );
    expect(check.missing).toEqual([]);
    expect(check.extra).toEqual([]);
    expect(check.mismatched).toEqual([]);
    expect(check.decoded).toBe(2000);
    expect(
      lines.every((l) => l.schemaVersion === 1 && l.trade.quantity === 1 && l.trade.broker === null),
    ).toBe(true);
  });

  test('schema versions: any registered version, a schema file, an incompatible file refused', async () => {
    const name = 'evolve';
    const fixture = (file: string): string => path.join(__dirname, '..', '..', 'fixtures', 'schemas', file);
    const produce = (extra: string[]) =>
      runProduceCli(args(name, ['--count', '20', '--rate', '0', ...extra]));
    expect((await produce(['--schema-version', '1'])).code).toBe(0); // subject version 1
    expect((await produce(['--schema-version', '2'])).code).toBe(0); // subject version 2
    // a --set the file's schema cannot take is refused before the file is registered
    const refused = await produce(['--schema-file', fixture('trade-v3-compatible.avsc'), '--set', 'desk=a']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--set desk: the writer schema has no field desk (fields it can set here: venue)',
    );
    const notYet = await produce(['--schema-version', '3']);
    expect(notYet.stderr).toContain('(registered: 1, 2)');
    const registered = await produce(['--schema-file', fixture('trade-v3-compatible.avsc')]);
    expect(registered.code).toBe(0);
    expect(readRecordFile(path.join(dir, `${name}.jsonl`)).every((l) => l.schemaVersion === 3)).toBe(true);

    // version 3 by number now: the registry's v3 writes `venue` as its Avro default
    const byNumber = await produce(['--schema-version', '3', '--seed', '5']);
    expect(byNumber.code).toBe(0);
    const lines = readRecordFile(path.join(dir, `${name}.jsonl`));
    expect(lines.every((l) => l.schemaVersion === 3)).toBe(true);
    const stream = await transport.readBack(endpoints, name);
    const sent = new Set(lines.map((l) => `${l.partition}/${l.position}`));
    const last = stream.filter((r) => sent.has(`${r.partition}/${r.position}`));
    expect(last).toHaveLength(20);
    const check = await verifyStream(last, lines, await decoderFor(name));
    expect(check.missing).toEqual([]);
    expect(check.mismatched).toEqual([]);

    const incompatible = await produce(['--schema-file', fixture('trade-v3-incompatible.avsc')]);
    expect(incompatible.code).toBe(1);
    expect(incompatible.stderr).toMatch(
      // one line naming the field and why
      /--schema-file: .*trade-v3-incompatible\.avsc is not \w+ compatible with evolve-value: .*field 'price' is bytes \(decimal\(18,4\)\) in version \d+ but double in the new schema/,
    );
    const unknown = await produce(['--schema-version', '9']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '--schema-version: version 9 is not registered under subject evolve-value (registered: 1, 2, 3)',
    );
  });

  test('SIGINT mid-run: the producer flushes, exits 0, and every acked trade is in the stream', async () => {
    const name = 'sigint';
    const run = await runProduceCli(
      args(name, ['--rate', '3000', '--duration', '120s', '--seed', '12']),
      async (child) => {
        await waitForAcks(path.join(dir, `${name}.jsonl`), 3000);
        child.kill('SIGINT');
      },
    );
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.stoppedBy).toBe('signal');
    expect(summary.failed).toBe(0);
    expect(summary.acked).toBe(summary.sent);
    const lines = readRecordFile(path.join(dir, `${name}.jsonl`));
    expect(lines.length).toBe(summary.acked);
    const check = await verifyStream(
      await transport.readBack(endpoints, name),
      lines,
      await decoderFor(name),
    );
    expect(check.missing).toEqual([]);
    expect(check.extra).toEqual([]);
    expect(check.mismatched).toEqual([]);
    expect(check.outOfOrder).toEqual([]);
  });

  test('stream service restarted mid-run: the producer retries and nothing acked is lost', async () => {
    const name = 'restart';
    const run = await runProduceCli(
      args(name, ['--rate', '3000', '--count', '12000', '--seed', '13', '--retry-attempts', '12']),
      async () => {
        await waitForAcks(path.join(dir, `${name}.jsonl`), 3000);
        await standIns.restart(transport.kind, { downMs: 1000 });
      },
    );
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ sent: 12000, acked: 12000, failed: 0 });
    expect(summary.retried).toBeGreaterThan(0);
    const lines = readRecordFile(path.join(dir, `${name}.jsonl`));
    const check = await verifyStream(
      await transport.readBack(endpoints, name),
      lines,
      await decoderFor(name),
    );
    // A request that landed just before the restart but whose answer was lost is sent again, so the
    // stream may hold extra copies; what matters is that nothing acknowledged is missing or reordered.
    expect(check.missing).toEqual([]);
    expect(check.mismatched).toEqual([]);
    expect(check.outOfOrder).toEqual([]);
  });

  test('a second signal exits at once instead of waiting for the flush', async () => {
    const name = 'second-signal';
    const service = readRunRecord(dataDirLayout(standIns.dataDir), transport.kind);
    expect(service).toBeDefined();
    const freeze = (signal: NodeJS.Signals): void => {
      process.kill(-service!.pid, signal);
    };
    try {
      const run = await runProduceCli(
        args(name, ['--rate', '2000', '--duration', '120s', '--seed', '15']),
        async (child) => {
          await waitForAcks(path.join(dir, `${name}.jsonl`), 1000);
          // A frozen service leaves requests unanswered, so the flush after the first signal waits;
          // the second signal cuts it short.
          freeze('SIGSTOP');
          await sleep(300);
          child.kill('SIGINT');
          await sleep(1500);
          child.kill('SIGINT');
        },
      );
      expect(run.code).toBe(130);
      expect(run.stderr).toMatch(/streamsoft: second SIGINT, exiting without flushing/);
    } finally {
      freeze('SIGCONT');
    }
  });

  test('endpoint down past the retry budget: one clear error, exit 1, and what was acked is kept', async () => {
    const name = 'outage';
    const run = await runProduceCli(
      args(name, ['--rate', '3000', '--count', '200000', '--seed', '14', '--retry-attempts', '4']),
      async () => {
        await waitForAcks(path.join(dir, `${name}.jsonl`), 2000);
        await standIns.stopService(transport.kind);
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(transport.outageMessage);
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('streamsoft:')),
    ).toHaveLength(1);
    const summary = JSON.parse(run.stdout);
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.stoppedBy).toBe('failure');
    const lines = readRecordFile(path.join(dir, `${name}.jsonl`));
    expect(lines.length).toBe(summary.acked);

    await standIns.startService(transport.kind);
    const check = await verifyStream(
      await transport.readBack(endpoints, name),
      lines,
      await decoderFor(name),
    );
    expect(check.missing).toEqual([]);
    expect(check.mismatched).toEqual([]);
  });
}
