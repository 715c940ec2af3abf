// End to end, per transport, on the real stand-ins: `streamsoft produce` (with bad records) → `streamsoft
// jobs bronze` → bronze Delta tables, read back with an independent reader (the Python `deltalake`
// package). Then a crash: the job is SIGKILLed right after a batch's Delta commit (before Spark commits
// the batch in its checkpoint), restarted, and every source record must be in bronze exactly once.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataDirLayout } from '../../core/paths';
import { bronzeJobArgs, type BronzeJobConfig } from '../../glue-streaming/command';
import { startJob } from '../../glue-streaming/run-job';
import { localBronzeJobConfig } from '../../local/pipeline/pipeline-commands';
import { readRecordFile, runPythonJson, runStreamsoft, type StreamsoftRun } from '../support/pipeline-runs';
import { startStandIns, type StandIns } from '../../local/services/throwaway-stand-ins';

jest.setTimeout(900_000);

type Transport = 'kinesis' | 'msk';

interface LakeRows {
  trades: Array<{ operation_id: string; _source_partition: string; _source_offset: string }>;
  quarantine: Array<{ reason: string; _source_partition: string; _source_offset: string }>;
}

const REASONS: Record<string, string> = {
  'bad-magic': 'bad_magic_byte',
  'unknown-schema-id': 'unknown_schema_id',
  truncated: 'corrupt_body',
};

const READ_LAKE = `
import json, sys
from deltalake import DeltaTable
lake = sys.argv[1]
trades = DeltaTable(lake + "/bronze/trades").to_pyarrow_table(
    columns=["operation_id", "_source_partition", "_source_offset"])
quarantine = DeltaTable(lake + "/bronze/trades_quarantine").to_pyarrow_table(
    columns=["reason", "_source_partition", "_source_offset"])
print(json.dumps({"trades": trades.to_pylist(), "quarantine": quarantine.to_pylist()}))
`;

function readLake(lake: string): Promise<LakeRows> {
  return runPythonJson<LakeRows>(READ_LAKE, [lake]);
}

/** Asserts a CLI run succeeded, showing the end of its stderr (the job's log lines) when it did not. */
function expectSuccess(result: StreamsoftRun): void {
  if (result.code !== 0) throw new Error(`exit code ${result.code}:\n${result.stderr.slice(-4000)}`);
}

const pairKey = (partition: string, offset: string): string => `${partition}/${offset}`;

function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}

describe.each<Transport>(['kinesis', 'msk'])('bronze over %s', (transport) => {
  let standIns: StandIns;
  let dir: string;
  const streamKind = transport === 'kinesis' ? 'kinesis' : 'kafka';

  beforeAll(async () => {
    standIns = await startStandIns([streamKind, 'registry']);
    dir = mkdtempSync(path.join(os.tmpdir(), `bronze-e2e-${transport}-`));
  });

  afterAll(async () => {
    await standIns?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function transportArgs(): string[] {
    return transport === 'kinesis'
      ? ['--kinesis-endpoint', standIns.endpoints.kinesis!]
      : ['--kafka-brokers', standIns.endpoints.kafka!];
  }

  function produceArgs(stream: string, recordFile: string, extra: string[]): string[] {
    return [
      'produce',
      '--transport',
      transport,
      ...transportArgs(),
      '--stream',
      stream,
      '--topic',
      stream,
      '--shards',
      '2',
      '--partitions',
      '2',
      '--registry-url',
      standIns.endpoints.registry!,
      '--bad-ratio',
      '0.05',
      '--record-file',
      recordFile,
      ...extra,
    ];
  }

  function bronzeConfig(stream: string, dataDir: string, availableNow: boolean): BronzeJobConfig {
    return localBronzeJobConfig({
      transport,
      stream,
      endpoints: { ...standIns.endpoints, registry: standIns.endpoints.registry! },
      dataDir,
      triggerSeconds: 1,
      availableNow,
    });
  }

  test('finds exactly the produced trades in bronze and the bad records in quarantine', async () => {
    const stream = `trades-e2e-${transport}`;
    const recordFile = path.join(dir, 'drain.jsonl');
    const dataDir = path.join(dir, 'drain');
    const produced = await runStreamsoft(
      produceArgs(stream, recordFile, ['--count', '1500', '--rate', '0', '--seed', '7']),
    );
    expectSuccess(produced);
    const records = readRecordFile(recordFile);
    const good = records.filter((r) => r.kind === 'trade');
    const bad = records.filter((r) => r.kind === 'bad');
    expect(records).toHaveLength(1500);
    expect(bad.length).toBeGreaterThan(0);

    const config = bronzeConfig(stream, dataDir, true);
    const job = await runStreamsoft(['jobs', 'bronze', ...jobFlags(config)]);
    expectSuccess(job);

    const lake = await readLake(dataDirLayout(dataDir).lake);
    expect(sorted(lake.trades.map((r) => r.operation_id))).toEqual(
      sorted(good.map((r) => r.trade.operation_id)),
    );
    expect(
      sorted(lake.quarantine.map((r) => `${pairKey(r._source_partition, r._source_offset)} ${r.reason}`)),
    ).toEqual(sorted(bad.map((r) => `${pairKey(r.partition, r.position)} ${REASONS[r.corruption!]}`)));
    // Spark's own counts, from the job's per-batch log lines, equal what the independent reader sees.
    const batches = [...job.stderr.matchAll(/rows_in=(\d+) written=(\d+) quarantined=(\d+)/g)];
    const written = batches.reduce((sum, m) => sum + Number(m[2]), 0);
    const quarantined = batches.reduce((sum, m) => sum + Number(m[3]), 0);
    expect(written).toBe(lake.trades.length);
    expect(quarantined).toBe(lake.quarantine.length);
  });

  test('a job killed mid-ingest and restarted loses and duplicates no source record', async () => {
    const stream = `trades-crash-${transport}`;
    const recordFile = path.join(dir, 'crash.jsonl');
    const dataDir = path.join(dir, 'crash');
    let produced: StreamsoftRun | undefined;
    const producing = runStreamsoft(
      produceArgs(stream, recordFile, ['--count', '3000', '--rate', '300', '--seed', '11']),
    ).then((run) => (produced = run));

    // The job fails fast on a stream that does not exist yet: start it once the producer has acked a record.
    // A producer that ends before its first ack fails the test with its own log, not with a timeout.
    await waitFor(() => {
      const acked = existsSync(recordFile) && statSync(recordFile).size > 0;
      if (!acked && produced !== undefined) {
        throw new Error(
          `the producer ended (exit ${produced.code}) before its first ack:\n${produced.stderr.slice(-4000)}`,
        );
      }
      return acked;
    }, 180_000);

    // Killed the moment a batch with data has committed to Delta: its end is not yet in the checkpoint's
    // commit log, so the restart replays it and the Delta transaction ids must turn the replay into a no-op.
    const config = { ...bronzeConfig(stream, dataDir, false), maxRecordsPerTrigger: 200 };
    let killed = false;
    const firstRun = startJob({
      job: 'bronze',
      args: bronzeJobArgs(config),
      dataDir,
      onLine: (line) => {
        if (!killed && /rows_in=[1-9]/.test(line)) {
          killed = true;
          process.kill(-firstRun.pid, 'SIGKILL');
        }
      },
    });
    const crashed = await firstRun.exited;
    if (!killed) {
      const log = readFileSync(crashed.log, 'utf8').slice(-6000);
      throw new Error(
        `the first bronze run ended (${crashed.exitCode ?? crashed.signal}) before a batch:\n${log}`,
      );
    }
    expect(crashed.signal).toBe('SIGKILL');

    expectSuccess(await producing);
    const restart = await runStreamsoft(['jobs', 'bronze', ...jobFlags({ ...config, availableNow: true })]);
    expectSuccess(restart);

    const records = readRecordFile(recordFile);
    expect(records).toHaveLength(3000);
    const lake = await readLake(dataDirLayout(dataDir).lake);
    const landed = [
      ...lake.trades.map((r) => pairKey(r._source_partition, r._source_offset)),
      ...lake.quarantine.map((r) => pairKey(r._source_partition, r._source_offset)),
    ];
    expect(new Set(landed).size).toBe(landed.length); // no duplicates
    expect(sorted(landed)).toEqual(sorted(records.map((r) => pairKey(r.partition, r.position)))); // none missing
  });
});

/** `streamsoft jobs bronze` flags for a config (the CLI's own defaults otherwise). */
function jobFlags(config: BronzeJobConfig): string[] {
  const flags = [
    '--source',
    config.source,
    '--stream',
    config.stream,
    '--kinesis-endpoint',
    config.kinesisEndpoint,
    // no broker on a Kinesis run: the CLI's default stands (it is never contacted)
    ...(config.kafkaBrokers === '' ? [] : ['--kafka-brokers', config.kafkaBrokers]),
    '--registry-url',
    config.registryUrl,
    '--trigger-seconds',
    String(config.triggerSeconds),
    '--data-dir',
    config.dataDir,
  ];
  if (config.availableNow) flags.push('--available-now');
  if (config.maxRecordsPerTrigger !== undefined) {
    flags.push('--max-records-per-trigger', String(config.maxRecordsPerTrigger));
  }
  return flags;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
