// `streamsoft query` end to end: the real bin over a lake written by delta-rs.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../core/paths';
import { python } from './delta-fixtures';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'bin', 'streamsoft.js');

let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'query-cmd-'));
  await python(
    `
write_deltalake("lake/gold/exchange_activity_hourly", pa.table({
    "exchange": ["NYSE", "LSE"],
    "trades": pa.array([12, 3], pa.int64()),
    "notional": pa.array([D("1500.2500"), D("20.0000")], pa.decimal128(38, 4)),
}))
`,
    dataDir,
  );
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function streamsoft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('prints rows as an aligned table', async () => {
  const sql = 'SELECT exchange, trades, notional FROM gold.exchange_activity_hourly ORDER BY trades DESC';
  const { code, stdout } = await streamsoft('query', sql, '--data-dir', dataDir);

  expect(code).toBe(0);
  expect(stdout).toBe(
    [
      'exchange | trades |  notional',
      '---------+--------+----------',
      'NYSE     |     12 | 1500.2500',
      'LSE      |      3 |   20.0000',
      '(2 rows)',
      '',
    ].join('\n'),
  );
});

test('prints rows as JSON objects with exact decimals', async () => {
  const sql = 'SELECT exchange, notional FROM gold.exchange_activity_hourly ORDER BY exchange';
  const { code, stdout } = await streamsoft('query', sql, '--json', '--data-dir', dataDir);

  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toEqual([
    { exchange: 'LSE', notional: '20.0000' },
    { exchange: 'NYSE', notional: '1500.2500' },
  ]);
});

test('a missing table is one line naming it, exit 1', async () => {
  const { code, stderr, stdout } = await streamsoft(
    'query',
    'SELECT * FROM gold.ohlcv_1m',
    '--data-dir',
    dataDir,
  );

  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^streamsoft: table gold\.ohlcv_1m does not exist in the lake/);
});

test('an empty query is a config error, exit 2', async () => {
  const { code, stderr } = await streamsoft('query', '  ', '--data-dir', dataDir);

  expect(code).toBe(2);
  expect(stderr).toMatch(/--sql: must not be empty/);
});
