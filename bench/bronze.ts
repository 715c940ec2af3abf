// Bronze streaming job benchmark on the local stand-ins, as JSON:
//  1. throughput: N trades already in the stream, `jobs bronze --available-now` drains them; records/s
//     from the query's start to its last batch (Spark/JVM start-up excluded).
//  2. freshness: the job running with a 1 s trigger while the producer sends at a fixed rate; per row,
//     Delta commit time minus event time, p50/p99 (bench/bronze.py reads the Delta log), over `--seconds`
//     after `--warmup-seconds` at the same rate (steady state; the job's first loaded batches warm up).
//  In 1, with --batch-records the drain runs in several capped batches, and `sustained_records_per_s` counts
//     only the batches after the first (which carries the JVM's JIT and Delta warm-up).
// Run: npx tsx bench/bronze.ts [--transport kinesis|msk] [--records 100000] [--batch-records N] [--rate 2000]
//        [--seconds 60] [--warmup-seconds 20]
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataDirLayout, REPO_ROOT, VENV_DIR } from '../core/paths';
import { bronzeJobArgs, type BronzeJobConfig } from '../glue-streaming/command';
import { startJob } from '../glue-streaming/run-job';
import { localBronzeJobConfig } from '../local/pipeline/pipeline-commands';
import { startStandIns, type StandIns } from '../local/services/throwaway-stand-ins';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const transport = flag('--transport', 'kinesis') as 'kinesis' | 'msk';
const records = Number(flag('--records', '100000'));
const rate = Number(flag('--rate', '2000'));
const seconds = Number(flag('--seconds', '60'));
const batchRecords = flag('--batch-records', '');
const warmupSeconds = Number(flag('--warmup-seconds', '20'));

function cli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'streamsoft.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, STREAMSOFT_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`streamsoft ${args[0]} exited ${code}`)),
    );
  });
}

function freshness(table: string, afterMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(VENV_DIR, 'bin', 'python'),
      [path.join(REPO_ROOT, 'bench', 'bronze.py'), table, '--after-ms', String(afterMs)],
      (error, stdout) => (error === null ? resolve(JSON.parse(stdout)) : reject(error)),
    );
  });
}

function produceArgs(standIns: StandIns, stream: string, extra: string[]): string[] {
  return [
    'produce',
    '--transport',
    transport,
    transport === 'kinesis' ? '--kinesis-endpoint' : '--kafka-brokers',
    (transport === 'kinesis' ? standIns.endpoints.kinesis : standIns.endpoints.kafka)!,
    '--stream',
    stream,
    '--topic',
    stream,
    '--registry-url',
    standIns.endpoints.registry!,
    ...extra,
  ];
}

function jobConfig(
  standIns: StandIns,
  stream: string,
  dataDir: string,
  availableNow: boolean,
  maxRecordsPerTrigger?: number,
): BronzeJobConfig {
  return localBronzeJobConfig({
    transport,
    stream,
    endpoints: { ...standIns.endpoints, registry: standIns.endpoints.registry! },
    dataDir,
    triggerSeconds: 1,
    availableNow,
    maxRecordsPerTrigger,
  });
}

const BATCH_LINE = /rows_in=(\d+)/;

async function throughput(standIns: StandIns, dir: string): Promise<Record<string, unknown>> {
  const stream = 'bench-throughput';
  await cli(produceArgs(standIns, stream, ['--count', String(records), '--rate', '0', '--seed', '1']));
  const dataDir = path.join(dir, 'throughput');
  let startedAt = 0;
  let lastBatchAt = 0;
  let rows = 0;
  let batches = 0;
  const batchEnds: number[] = [];
  const batchRows: number[] = [];
  const cap = batchRecords === '' ? undefined : Number(batchRecords);
  const job = startJob({
    job: 'bronze',
    args: bronzeJobArgs(jobConfig(standIns, stream, dataDir, true, cap)),
    dataDir,
    onLine: (line) => {
      if (line.includes('bronze query') && line.includes('started')) startedAt = Date.now();
      const match = BATCH_LINE.exec(line);
      if (match !== null && Number(match[1]) > 0) {
        rows += Number(match[1]);
        batches += 1;
        lastBatchAt = Date.now();
        batchEnds.push(lastBatchAt);
        batchRows.push(Number(match[1]));
      }
    },
  });
  const result = await job.exited;
  if (result.exitCode !== 0) throw new Error(`bronze job failed; see ${result.log}`);
  const elapsedS = (lastBatchAt - startedAt) / 1000;
  // per batch: seconds since the previous batch ended (the first: since the query started)
  const batchSeconds = batchEnds.map((end, i) => (end - (i === 0 ? startedAt : batchEnds[i - 1]!)) / 1000);
  const afterFirstRows = batchRows.slice(1).reduce((sum, n) => sum + n, 0);
  const afterFirstS = batches > 1 ? (lastBatchAt - batchEnds[0]!) / 1000 : 0;
  return {
    records: rows,
    batches,
    seconds: elapsedS,
    records_per_s: Math.round(rows / elapsedS),
    batch_seconds: batchSeconds,
    sustained_records_per_s: afterFirstS > 0 ? Math.round(afterFirstRows / afterFirstS) : null,
  };
}

async function freshnessAtRate(standIns: StandIns, dir: string): Promise<unknown> {
  const stream = 'bench-freshness';
  const dataDir = path.join(dir, 'freshness');
  // the stream must exist before the job starts; one record creates it
  await cli(produceArgs(standIns, stream, ['--count', '1', '--rate', '0']));
  let firstBatch: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (firstBatch = resolve));
  const job = startJob({
    job: 'bronze',
    args: bronzeJobArgs(jobConfig(standIns, stream, dataDir, false)),
    dataDir,
    onLine: (line) => {
      if (BATCH_LINE.test(line)) firstBatch();
    },
  });
  await ready;
  // Steady state: the first batches with real volume still pay JIT and Delta write-path warm-up (20+ s on
  // this machine), a one-off per job start. Warm up at the same rate, then measure.
  await cli(produceArgs(standIns, stream, ['--duration', `${warmupSeconds}s`, '--rate', String(rate)]));
  const from = Date.now();
  await cli(produceArgs(standIns, stream, ['--duration', `${seconds}s`, '--rate', String(rate)]));
  // let the job catch up with the last records, then stop it cleanly
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  await job.stop();
  return {
    rate,
    warmup_seconds: warmupSeconds,
    seconds,
    ...((await freshness(path.join(dataDirLayout(dataDir).lake, 'bronze', 'trades'), from)) as object),
  };
}

async function main(): Promise<void> {
  const standIns = await startStandIns([transport === 'kinesis' ? 'kinesis' : 'kafka', 'registry']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-bronze-'));
  try {
    const result = {
      bench: 'bronze',
      transport,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
      throughput: await throughput(standIns, dir),
      freshness: await freshnessAtRate(standIns, dir),
      load_average_1m: os.loadavg()[0],
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    await standIns.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench/bronze: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
