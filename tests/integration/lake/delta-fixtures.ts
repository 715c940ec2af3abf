// Writes real Delta tables for tests with an independent writer: the Python `deltalake` package (delta-rs)
// from the project virtualenv, and reads them back with it as the reference reader.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { VENV_DIR } from '../../../core/paths';

const run = promisify(execFile);

export const VENV_PYTHON = path.join(VENV_DIR, 'bin', 'python');

const PRELUDE = `
import datetime, decimal, json, os, sys
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
D = decimal.Decimal
UTC = datetime.timezone.utc
def ts(s): return datetime.datetime.fromisoformat(s).replace(tzinfo=UTC)
def day(s): return datetime.date.fromisoformat(s)
`;

/** Runs Python with the prelude above (pyarrow as pa, DeltaTable, write_deltalake, D, ts, day); returns stdout. */
export async function python(code: string, cwd: string): Promise<string> {
  // delta-rs can abort during interpreter teardown ("terminate called without an active exception");
  // once the code has finished, leave without teardown.
  const script = PRELUDE + code + '\nsys.stdout.flush()\nos._exit(0)\n';
  const { stdout } = await run(VENV_PYTHON, ['-c', script], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Every live row of a table as read by delta-rs, as objects of strings (NULL as null). */
export async function referenceRows(
  tablePath: string,
  cwd: string,
): Promise<Record<string, string | null>[]> {
  const out = await python(
    `
t = DeltaTable(${JSON.stringify(tablePath)}).to_pyarrow_table()
print(json.dumps([{c: None if v is None else str(v) for c, v in r.items()} for r in t.to_pylist()]))
`,
    cwd,
  );
  return JSON.parse(out) as Record<string, string | null>[];
}
