// Writes real Delta tables for tests with an independent writer: the Python `deltalake` package (delta-rs)
// from the project virtualenv, and reads them back with it as the reference reader.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { VENV_DIR } from '../../../core/paths';

const run = promisify(execFile);

export const VENV_PYTHON = path.join(VENV_DIR, 'bin', 'python');

const PRELUDE = `
import datetime, decimal, json, sys
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
D = decimal.Decimal
UTC = datetime.timezone.utc
def ts(s): return datetime.datetime.fromisoformat(s).replace(tzinfo=UTC)
def day(s): return datetime.date.fromisoformat(s)
`;

/** Runs Python with the prelude above (pyarrow as pa, DeltaTable, write_deltalake, D, ts, day); returns stdout. */
export async function python(code: string, cwd: string): Promise<string> {
  const { stdout } = await run(VENV_PYTHON, ['-c', PRELUDE + code], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Every live row of a table as read by delta-rs, values as strings (NULL as null), sorted. */
export async function referenceRows(tablePath: string, cwd: string): Promise<(string | null)[][]> {
  const out = await python(
    `
t = DeltaTable(${JSON.stringify(tablePath)}).to_pyarrow_table()
cols = t.column_names
rows = [[None if r[c] is None else str(r[c]) for c in cols] for r in t.to_pylist()]
print(json.dumps({"columns": cols, "rows": sorted(rows, key=lambda r: json.dumps(r))}))
`,
    cwd,
  );
  return (JSON.parse(out) as { rows: (string | null)[][] }).rows;
}
