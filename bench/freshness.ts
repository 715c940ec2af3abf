// End-to-end freshness of `streamsoft up`: how far gold.ohlcv_1m trails the market while the producer
// sends a steady rate, read through the same DuckDB views the dashboard uses. Runs `up` itself (fresh data
// dir, free ports), samples the newest event time of bronze, silver and gold every few seconds, and
// prints one JSON object:
//   npx tsx bench/freshness.ts [--rate 2000] [--duration 300] [--refine continuous|batch] [--sample 5]
// A layer's age (now − its newest trade's event time) at a steady rate is the latency of that layer's
// newest rows; gold's age is the dashboard's freshness. Also: `up` start → first gold rows, the CPU
// seconds the silver/gold driver (its whole process group) spends per minute of input, the cores each part
// of the run used during the window and how busy the machine's cores were, and how long the stop takes and
// what it leaves.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../core/paths';
import { LocalLake } from '../lake/local-lake';
import { freePort } from '../local/services/processes';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

const rate = Number(option('rate', '2000'));
const durationS = Number(option('duration', '300'));
const refine = option('refine', 'continuous');
const sampleS = Number(option('sample', '5'));
const CLOCK_TICKS = 100; // USER_HZ on Linux

function procEntries(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Parent pid, pgid and CPU seconds (user + system) of a process, from /proc/<pid>/stat. */
function stat(pid: number): { ppid: number; pgid: number; cpuS: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      cpuS: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds so far of every process in the process group led by the driver running `script`. */
function groupCpu(script: string, dataDir: string): number {
  const leader = procEntries().find((pid) => cmdline(pid).includes(script) && cmdline(pid).includes(dataDir));
  if (leader === undefined) return 0;
  return procEntries()
    .map(stat)
    .filter((s) => s?.pgid === leader)
    .reduce((sum, s) => sum + s!.cpuS, 0);
}

// Which part of the run a process belongs to: the first of these that its outermost matching ancestor (or
// itself) matches, below `up` (a Spark driver's JVM and Python workers descend from the driver's script).
const COMPONENTS: Array<[string, RegExp]> = [
  ['bronze', /bronze_streaming\.py/],
  ['refine', /refine_streaming\.py|silver_batch\.py|gold_batch\.py/],
  ['producer', /\bproduce\b/],
  ['kinesis', /kinesalite/],
  ['registry', /apicurio|quarkus/i],
  ['kafka', /kafka/i],
];

/** CPU seconds so far per component of the run: `up` and its descendants, and any process naming the data
 * dir. `up` itself (with the dashboard) is `up`; a process that matches no component is `other`. A process
 * that exited before the call is not counted. */
function componentCpu(dataDir: string, upPid: number): Record<string, number> {
  const procs = procEntries().flatMap((pid) => {
    const s = stat(pid);
    return s ? [{ pid, ...s, cmd: cmdline(pid) }] : [];
  });
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const lineage = function* (p: (typeof procs)[number]) {
    for (
      let at: typeof p | undefined = p;
      at !== undefined;
      at = at.ppid > 1 ? byPid.get(at.ppid) : undefined
    )
      yield at;
  };
  const totals: Record<string, number> = {};
  for (const p of procs) {
    if (![...lineage(p)].some((at) => at.pid === upPid || at.cmd.includes(dataDir))) continue;
    // The outermost match below `up` names the part: a Spark JVM's own command line names its jars (the
    // Kafka connector among them), the driver script it descends from names the job.
    let name = p.pid === upPid ? 'up' : 'other';
    for (const at of lineage(p)) {
      if (at.pid === upPid) break;
      const match = COMPONENTS.find(([, pattern]) => pattern.test(at.cmd));
      if (match) name = match[0];
    }
    totals[name] = (totals[name] ?? 0) + p.cpuS;
  }
  return totals;
}

/** Busy and total CPU seconds of the whole machine so far, from the first line of /proc/stat. */
function machineCpu(): { busyS: number; totalS: number } {
  const fields = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const totalS = fields.reduce((a, b) => a + b, 0) / CLOCK_TICKS;
  return { busyS: totalS - (fields[3]! + fields[4]!) / CLOCK_TICKS, totalS };
}

/** Cores each component used between two `componentCpu` snapshots taken `seconds` apart. */
function coresUsed(start: Record<string, number>, end: Record<string, number>, seconds: number) {
  const cores = Object.fromEntries(
    Object.keys(end)
      .sort()
      .map((name) => [name, round2(Math.max(0, end[name]! - (start[name] ?? 0)) / seconds)]),
  );
  return { ...cores, all: round2(Object.values(cores).reduce((a, b) => a + b, 0)) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const round = (value: number): number => Math.round(value * 10) / 10;
const round2 = (value: number): number => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-freshness-'));
  const ports: number[] = [];
  while (ports.length < 5) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [dashboard, kinesis, registry, kafka, controller] = ports.map(String);
  const started = Date.now();
  let output = '';
  const up = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'bin', 'streamsoft.js'),
      'up',
      ...['--data-dir', dataDir, '--rate', String(rate), '--refine', refine, '--dashboard-port', dashboard!],
      ...['--kinesis-port', kinesis!, '--registry-port', registry!, '--kafka-port', kafka!],
      ...['--kafka-controller-port', controller!, '--batch-interval', '30'],
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
  // Interrupted (Ctrl-C reaches only this process when it runs under a wrapper): stop `up` and everything it
  // started before leaving, or the stand-ins and Spark drivers outlive the benchmark.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      if (up.exitCode === null) up.kill('SIGINT');
      void exited.then(() => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.exit(130);
      });
    });
  let firstGoldS: number | undefined;
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    process.stderr.write(chunk);
    if (firstGoldS === undefined && /first gold rows/.test(output))
      firstGoldS = (Date.now() - started) / 1000;
  };
  up.stdout.on('data', onData);
  up.stderr.on('data', onData);

  while (firstGoldS === undefined) {
    if (up.exitCode !== null) throw new Error(`up exited early:\n${output}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const lake = await LocalLake.open({ lakeDir: path.join(dataDir, 'lake') });
  const script = refine === 'continuous' ? 'refine_streaming.py' : 'silver_batch.py';
  const cpuStart = groupCpu(script, dataDir);
  const componentsStart = componentCpu(dataDir, up.pid!);
  const machineStart = machineCpu();
  const windowStart = Date.now();
  const samples: Array<{ bronze: number; silver: number; gold: number }> = [];
  const newest = async (sql: string): Promise<number> => Number((await lake.query(sql)).rows[0]?.[0] ?? NaN);
  while (Date.now() - windowStart < durationS * 1000) {
    await new Promise((r) => setTimeout(r, sampleS * 1000));
    await lake.refresh();
    const now = Date.now();
    const [bronze, silver, gold] = [
      await newest('SELECT epoch_ms(max("timestamp")) FROM bronze.trades'),
      await newest('SELECT epoch_ms(max("timestamp")) FROM silver.trades'),
      await newest('SELECT epoch_ms(max(last_trade_at)) FROM gold.ohlcv_1m'),
    ];
    samples.push({ bronze: (now - bronze) / 1000, silver: (now - silver) / 1000, gold: (now - gold) / 1000 });
  }
  const windowMin = (Date.now() - windowStart) / 60_000;
  const cpuS = refine === 'continuous' ? groupCpu(script, dataDir) - cpuStart : NaN;
  const cores = coresUsed(componentsStart, componentCpu(dataDir, up.pid!), windowMin * 60);
  const machineEnd = machineCpu();
  const machineBusy = (machineEnd.busyS - machineStart.busyS) / (machineEnd.totalS - machineStart.totalS);
  const bronzeRows = await newest('SELECT count(*) FROM bronze.trades');
  lake.close();

  const stopStarted = Date.now();
  up.kill('SIGINT');
  const code = await exited;
  const stopS = (Date.now() - stopStarted) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  const left = procEntries().filter((pid) => pid !== process.pid && cmdline(pid).includes(dataDir));
  fs.rmSync(dataDir, { recursive: true, force: true });

  const ages = (layer: 'bronze' | 'silver' | 'gold') => samples.map((s) => s[layer]);
  const p50 = { bronze: percentile(ages('bronze'), 50), silver: percentile(ages('silver'), 50) };
  const goldP50 = percentile(ages('gold'), 50);
  console.log(
    JSON.stringify({
      benchmark: 'freshness',
      machine: `${os.cpus().length} cores ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg()[0]!.toFixed(1)} at the end`,
      refine,
      rate_per_s: rate,
      window_s: round(windowMin * 60),
      samples: samples.length,
      bronze_rows: bronzeRows,
      up_to_first_gold_rows_s: round(firstGoldS),
      gold_age_s: { p50: round(goldP50), p99: round(percentile(ages('gold'), 99)) },
      silver_age_s: { p50: round(p50.silver), p99: round(percentile(ages('silver'), 99)) },
      bronze_age_s: { p50: round(p50.bronze), p99: round(percentile(ages('bronze'), 99)) },
      stage_share_of_gold_p50: {
        bronze: round(p50.bronze / goldP50),
        silver: round((p50.silver - p50.bronze) / goldP50),
        gold: round((goldP50 - p50.silver) / goldP50),
      },
      refine_cpu_s_per_input_minute: round(cpuS / windowMin),
      cores_used_in_window: cores,
      machine_busy_share: round2(machineBusy),
      stop_s: round(stopS),
      up_exit_code: code,
      processes_left: left.length,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
