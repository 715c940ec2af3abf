// `streamsoft up` end to end: the real stand-ins, producer, bronze streaming job, silver and gold streaming
// in one Spark session, and the dashboard, in a fresh data dir on free ports; gold rows must reach the
// dashboard's card endpoints while up runs, up prints its milestones as human lines, and after Ctrl-C
// (SIGINT) nothing of this run may be left running after 15 s. Then a second up on the same data dir starts
// cleanly (no stale pid file, lock or port) and, killed with SIGKILL, leaves nothing running either; so do
// a third whose output pipe is closed (as by `| head`) and a fourth stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../core/paths';
import { freePort } from '../../local/services/processes';
import { python, referenceRows } from '../integration/lake/delta-fixtures';
import { alive } from '../support/processes';

jest.setTimeout(30 * 60_000);

let dataDir: string;
let upArgs: string[];
let up: ChildProcess;
let stdout = '';
let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

/** Every process whose command line mentions `needle`, this test's own aside. */
function processesMentioning(needle: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The pids of a process's descendants, from /proc's parent links. */
function descendantsOf(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [...parentOf].filter(([, parent]) => frontier.includes(parent)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** Starts `up` with this file's arguments; its stdout and stderr both go to `stdout`. */
function startUp(): void {
  stdout = '';
  up = spawn(process.execPath, upArgs, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, STREAMSOFT_LOG_LEVEL: 'warn' },
  });
  up.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  up.stderr?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  exit = new Promise((resolve) => up.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Polls `probe` until it gives a value; `fromUp`: the value comes from a running up, so its exit fails at once. */
async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  fromUp = true,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    // up has nothing more to give once it exited (a stand-in or a job failed): say so now, not at the deadline
    if (fromUp && (up.exitCode !== null || up.signalCode !== null)) {
      throw new Error(
        `up exited (${up.exitCode ?? up.signalCode}) while waiting for ${what}; up printed:\n${stdout}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; up printed:\n${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-up-'));
  const ports: number[] = [];
  while (ports.length < 5) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [dashboard, kinesis, registry, kafka, controller] = ports.map(String) as [
    string,
    string,
    string,
    string,
    string,
  ];
  upArgs = [
    path.join(REPO_ROOT, 'bin', 'streamsoft.js'),
    'up',
    '--data-dir',
    dataDir,
    '--dashboard-port',
    dashboard,
    '--kinesis-port',
    kinesis,
    '--registry-port',
    registry,
    '--kafka-port',
    kafka,
    '--kafka-controller-port',
    controller,
    '--rate',
    '50',
    '--trigger-seconds',
    '3',
    '--refine-trigger-seconds',
    '3',
    // seeded, with up's default price jumps: the alerts tile must fill (below)
    '--seed',
    '7',
  ];
  startUp();
});

afterAll(async () => {
  if (up.exitCode === null && up.signalCode === null) {
    up.kill('SIGINT');
    await exit;
  }
  for (const pid of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('up serves gold rows on the dashboard, then stops everything on SIGINT', async () => {
  const url = await poll(
    'the dashboard URL',
    async () => /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1],
    15 * 60_000,
  );

  /** A card's rows once they satisfy `ready`: gold commits its tables one by one, so cards fill up in turn. */
  const card = async (id: string, ready: (rows: Record<string, unknown>[]) => boolean, timeoutMs: number) => {
    // A card the dashboard does not have fails now, not after the wait.
    const known = (await (await fetch(new URL(`/api/cards/${id}`, url))).json()) as { error?: string };
    if (known.error !== undefined) throw new Error(`card ${id}: ${known.error}`);
    return poll(
      `card ${id}`,
      async () => {
        const body = (await (await fetch(new URL(`/api/cards/${id}`, url))).json()) as {
          status: string;
          rows?: Record<string, unknown>[];
        };
        if (body.status === 'error') throw new Error(`card ${id}: ${JSON.stringify(body)}`);
        return body.status === 'ok' && body.rows !== undefined && ready(body.rows) ? body.rows : undefined;
      },
      timeoutMs,
    );
  };
  const moves = await card('price_moves', (rows) => rows.length > 0, 20 * 60_000);
  for (const row of moves) {
    expect(row).toEqual({
      minute: expect.any(String),
      symbol: expect.any(String),
      currency: expect.any(String),
      close: expect.any(Number),
      price_index: expect.any(Number),
    });
  }
  // up's default price jumps cross the default alert threshold: an alert within 5 minutes of the dashboard
  const alerts = await card('price_alerts', (rows) => rows.length > 0, 5 * 60_000);
  for (const row of alerts) expect(row).toEqual(expect.objectContaining({ symbol: expect.any(String) }));
  const activity = await card('exchange_activity', (rows) => rows.length > 0, 5 * 60_000);
  expect(activity.every((row) => Number(row.purchases) + Number(row.sales) > 0)).toBe(true);
  const hasSilver = (rows: Record<string, unknown>[]) =>
    rows.some((row) => Number(row.bronze_rows) > 0 && Number(row.silver_rows) > 0);
  const health = await card('pipeline_records', hasSilver, 10 * 60_000);

  // The card's counts against delta-rs, an independent reader, counting bronze.trades and silver.trades
  // rows per ingest hour. The card is gold's snapshot of an earlier moment and both tables only grow (silver
  // rows keep their bronze _ingested_at), so no count on the card may exceed delta-rs's count now, and no
  // hour may have more silver rows than bronze rows.
  const rowsPerHour = async (table: string) =>
    JSON.parse(
      await python(
        `
from collections import Counter
t = DeltaTable(${JSON.stringify(path.join(dataDir, 'lake', table))}).to_pyarrow_table(columns=["_ingested_at"])
def hour(v): return (v if v.tzinfo is None else v.astimezone(UTC)).strftime("%Y-%m-%dT%H:00:00.000Z")
print(json.dumps(Counter(hour(v) for v in t.column("_ingested_at").to_pylist() if v is not None)))
`,
        dataDir,
      ),
    ) as Record<string, number>;
  const [bronzeNow, silverNow] = [await rowsPerHour('bronze/trades'), await rowsPerHour('silver/trades')];
  const withSilver = health.filter((row) => Number(row.silver_rows) > 0);
  expect(withSilver.length).toBeGreaterThan(0);
  for (const row of withSilver) {
    // The card shows hours as '2024-05-01 09:00:00+00'.
    const at = new Date(`${String(row.hour).replace(' ', 'T')}:00`);
    expect(Number.isNaN(at.getTime())).toBe(false);
    const hour = at.toISOString();
    expect(Number(row.silver_rows)).toBeLessThanOrEqual(Number(row.bronze_rows));
    expect({ hour, bronze: Number(row.bronze_rows) <= (bronzeNow[hour] ?? 0) }).toEqual({
      hour,
      bronze: true,
    });
    expect({ hour, silver: Number(row.silver_rows) <= (silverNow[hour] ?? 0) }).toEqual({
      hour,
      silver: true,
    });
  }

  // The symbols on the card are ones delta-rs, an independent reader, finds in gold.ohlcv_1m.
  const gold = await referenceRows(path.join(dataDir, 'lake', 'gold', 'ohlcv_1m'), dataDir);
  const goldSymbols = new Set(gold.map((row) => row.symbol));
  for (const row of moves) expect(goldSymbols.has(String(row.symbol))).toBe(true);

  // One human line per milestone, the dashboard URL once gold has rows, and no JSON log lines.
  const lines = stdout.split('\n').filter((line) => line.startsWith('streamsoft up: '));
  const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
  const milestones = [
    /stand-ins ready: /,
    /first bronze batch: \d+ trades/,
    /first gold rows: \d+ in gold\.ohlcv_1m/,
  ];
  for (const milestone of milestones)
    expect({ milestone: String(milestone), at: at(milestone) >= 0 }).toEqual({
      milestone: String(milestone),
      at: true,
    });
  expect(at(/first gold rows/)).toBeLessThan(at(/dashboard: http/));
  expect(at(/first bronze batch/)).toBeLessThan(at(/first gold rows/));
  expect(stdout.split('\n').filter((line) => line.trimStart().startsWith('{'))).toEqual([]);

  // Silver and gold run in one long-lived Spark session next to bronze: two job drivers, no batch JVMs.
  const ours = [...new Set([...descendantsOf(up.pid!), ...processesMentioning(dataDir)])];
  expect(ours.length).toBeGreaterThanOrEqual(4); // stand-ins, producer, bronze job at least
  expect(
    processesMentioning('refine_streaming.py').filter((pid) => ours.includes(pid)).length,
  ).toBeGreaterThan(0);
  expect(processesMentioning('silver_batch.py').filter((pid) => ours.includes(pid))).toEqual([]);

  up.kill('SIGINT');
  const result = await exit;

  expect(result).toEqual({ code: 0, signal: null });
  expect(stdout).toMatch(/streamsoft up: stopped/);
  await poll(
    'every process of the run to end',
    async () => (ours.some(alive) ? undefined : true),
    15_000,
    false,
  );
  expect(ours.filter(alive)).toEqual([]);
  expect(processesMentioning(dataDir)).toEqual([]);
});

test('a second up on the same data dir starts cleanly, and SIGKILL of up leaves nothing running', async () => {
  startUp();
  // Both job drivers have taken their checkpoint locks and run: the first run left none behind.
  await poll(
    'the jobs of the second run',
    async () =>
      /silver and gold streaming/.test(stdout) &&
      processesMentioning('refine_streaming.py').length > 0 &&
      processesMentioning('bronze_streaming.py').length > 0
        ? true
        : undefined,
    10 * 60_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 10_000)); // the drivers are past their start
  expect(stdout).not.toMatch(/in use by pid/);
  const ours = [...new Set([...descendantsOf(up.pid!), ...processesMentioning(dataDir)])];
  expect(ours.length).toBeGreaterThanOrEqual(4);

  up.kill('SIGKILL');
  await exit;
  await poll(
    'every process of the killed run to end',
    async () => (ours.some(alive) ? undefined : true),
    15_000,
    false,
  );
  expect(ours.filter(alive)).toEqual([]);
  expect(processesMentioning(dataDir)).toEqual([]);
});

// The other ways `up` is stopped, each on a run whose stand-ins, producer and bronze job are up (the first
// bronze batch has landed): its output pipe closed, as by `up 2>&1 | head -n 3`, and SIGTERM. Each time,
// nothing of the run may be left 15 s after the stop; each run also starts cleanly after the one before.
test.each([
  ['its output pipe is closed (| head)', 'closed' as const],
  ['it gets SIGTERM', 'SIGTERM' as const],
])('up stops by itself when %s, and leaves nothing running', async (_, how) => {
  startUp();
  await poll(
    'the first bronze batch',
    async () => (/first bronze batch/.test(stdout) ? true : undefined),
    10 * 60_000,
  );
  const ours = [...new Set([...descendantsOf(up.pid!), ...processesMentioning(dataDir)])];
  expect(ours.length).toBeGreaterThanOrEqual(4); // stand-ins, producer, bronze job at least

  const stoppedAt = Date.now();
  if (how === 'closed') {
    // Every reader of the pipe is gone, as when head exits: up writes nothing more, yet must notice.
    up.stdout?.destroy();
    up.stderr?.destroy();
  } else {
    up.kill('SIGTERM');
  }
  // Bounded: a closed pipe nobody notices would only fail at up's next line, minutes away.
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    exit,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`up did not exit within 15 s; it printed:\n${stdout}`)),
        15_000,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  expect(result.signal).toBeNull();
  await poll(
    'every process of the run to end',
    async () => (ours.some(alive) ? undefined : true),
    Math.max(0, stoppedAt + 15_000 - Date.now()),
    false,
  );
  expect(ours.filter(alive)).toEqual([]);
  expect(processesMentioning(dataDir)).toEqual([]);
});
