// Delta log replay on hand-written logs: commits, checkpoints (through a fake parquet reader), gaps and
// unsupported features.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readDeltaSnapshot, type DeltaAction } from '../../../lake/delta-log';
import { DeltaLogError } from '../../../lake/errors';

const schemaString = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'symbol', type: 'string', nullable: true, metadata: {} },
    { name: 'event_date', type: 'date', nullable: true, metadata: {} },
  ],
});
const metaData = { schemaString, partitionColumns: ['event_date'], configuration: {} };
const protocol = { minReaderVersion: 1, minWriterVersion: 2 };
const add = (file: string, date: string | null) => ({
  add: { path: file, partitionValues: { event_date: date }, size: 1, dataChange: true },
});
const remove = (file: string) => ({ remove: { path: file, dataChange: true } });

let table: string;
beforeEach(() => {
  table = mkdtempSync(path.join(os.tmpdir(), 'delta-log-'));
  mkdirSync(path.join(table, '_delta_log'));
});
afterEach(() => rmSync(table, { recursive: true, force: true }));

function commit(version: number, actions: object[]): void {
  const name = `${String(version).padStart(20, '0')}.json`;
  writeFileSync(
    path.join(table, '_delta_log', name),
    actions.map((a) => JSON.stringify(a)).join('\n') + '\n',
  );
}

const noCheckpoint = async (): Promise<DeltaAction[]> => {
  throw new Error('no checkpoint expected');
};

test('replays adds and removes across commits into the live file set', async () => {
  commit(0, [{ protocol }, { metaData }, add('event_date=2024-01-01/a.parquet', '2024-01-01')]);
  commit(1, [add('event_date=2024-01-02/b.parquet', '2024-01-02'), add('c.parquet', null)]);
  commit(2, [
    remove('event_date=2024-01-01/a.parquet'),
    add('event_date=2024-01-01/d.parquet', '2024-01-01'),
  ]);

  const snapshot = await readDeltaSnapshot(table, noCheckpoint);

  expect(snapshot.version).toBe(2);
  expect(snapshot.partitionColumns).toEqual(['event_date']);
  expect(snapshot.fields.map((f) => f.name)).toEqual(['symbol', 'event_date']);
  expect(
    snapshot.files.map((f) => [path.relative(table, f.path), f.partitionValues.event_date]).sort(),
  ).toEqual([
    ['c.parquet', null],
    ['event_date=2024-01-01/d.parquet', '2024-01-01'],
    ['event_date=2024-01-02/b.parquet', '2024-01-02'],
  ]);
});

test('decodes URL-encoded paths and accepts absolute file URIs', async () => {
  const absolute = path.join(table, 'elsewhere', 'x y.parquet');
  commit(0, [{ protocol }, { metaData }, add('sym%3DBRK%20B/part%201.parquet', '2024-01-01')]);
  commit(1, [add(`file://${absolute.replace(/ /g, '%20')}`, '2024-01-01')]);

  const files = (await readDeltaSnapshot(table, noCheckpoint)).files.map((f) => f.path).sort();

  expect(files).toEqual([absolute, path.join(table, 'sym=BRK B', 'part 1.parquet')].sort());
});

test('starts from the checkpoint named by _last_checkpoint and replays only later commits', async () => {
  // Commits 0..1 are gone (log cleanup); the checkpoint at 1 holds the state.
  const checkpoint = `${String(1).padStart(20, '0')}.checkpoint.parquet`;
  writeFileSync(path.join(table, '_delta_log', checkpoint), '');
  writeFileSync(path.join(table, '_delta_log', '_last_checkpoint'), JSON.stringify({ version: 1, size: 4 }));
  commit(2, [remove('a.parquet'), add('c.parquet', '2024-01-03')]);
  const read: string[][] = [];

  const snapshot = await readDeltaSnapshot(table, async (files) => {
    read.push(files.map((f) => path.basename(f)));
    return [
      { protocol },
      { metaData },
      add('a.parquet', '2024-01-01'),
      add('b.parquet', '2024-01-02'),
      remove('z.parquet'),
    ];
  });

  expect(read).toEqual([[checkpoint]]);
  expect(snapshot.version).toBe(2);
  expect(snapshot.files.map((f) => path.basename(f.path)).sort()).toEqual(['b.parquet', 'c.parquet']);
});

test('finds a complete multi-part checkpoint by listing when _last_checkpoint is absent', async () => {
  const part = (i: number) =>
    `${String(3).padStart(20, '0')}.checkpoint.${String(i).padStart(10, '0')}.0000000002.parquet`;
  writeFileSync(path.join(table, '_delta_log', part(1)), '');
  writeFileSync(path.join(table, '_delta_log', part(2)), '');
  // An incomplete newer checkpoint (one part of two) must be ignored.
  writeFileSync(
    path.join(table, '_delta_log', `${String(5).padStart(20, '0')}.checkpoint.0000000001.0000000002.parquet`),
    '',
  );
  commit(4, [add('d.parquet', '2024-01-04')]);
  commit(5, [add('e.parquet', '2024-01-05')]);
  let parts: string[] = [];

  const snapshot = await readDeltaSnapshot(table, async (files) => {
    parts = files.map((f) => path.basename(f));
    return [{ protocol }, { metaData }, add('a.parquet', '2024-01-01')];
  });

  expect(parts).toEqual([part(1), part(2)]);
  expect(snapshot.version).toBe(5);
  expect(snapshot.files.map((f) => path.basename(f.path)).sort()).toEqual([
    'a.parquet',
    'd.parquet',
    'e.parquet',
  ]);
});

test('a gap in the commit sequence is an error, not a silently partial snapshot', async () => {
  commit(0, [{ protocol }, { metaData }, add('a.parquet', '2024-01-01')]);
  commit(2, [add('b.parquet', '2024-01-02')]);

  await expect(readDeltaSnapshot(table, noCheckpoint)).rejects.toThrow(/commit 1 is missing/);
});

test('deletion vectors and column mapping are refused with a clear error', async () => {
  commit(0, [
    { protocol },
    { metaData },
    { add: { path: 'a.parquet', partitionValues: {}, deletionVector: { storageType: 'u' } } },
  ]);
  await expect(readDeltaSnapshot(table, noCheckpoint)).rejects.toThrow(/deletion vectors/);

  commit(0, [
    { protocol },
    { metaData: { ...metaData, configuration: { 'delta.columnMapping.mode': 'name' } } },
  ]);
  await expect(readDeltaSnapshot(table, noCheckpoint)).rejects.toThrow(DeltaLogError);
});

test('a folder without a Delta log is not a table', async () => {
  rmSync(path.join(table, '_delta_log'), { recursive: true });
  await expect(readDeltaSnapshot(table, noCheckpoint)).rejects.toThrow(/not a Delta table/);
});

test('continues from an earlier snapshot, replaying only the commits after it', async () => {
  commit(0, [{ protocol }, { metaData }, add('a.parquet', '2024-01-01')]);
  const first = await readDeltaSnapshot(table, noCheckpoint);
  // A checkpoint appears, but the earlier snapshot plus commit 1 is all that is needed.
  writeFileSync(path.join(table, '_delta_log', `${String(1).padStart(20, '0')}.checkpoint.parquet`), '');
  commit(1, [remove('a.parquet'), add('b.parquet', '2024-01-02')]);

  const second = await readDeltaSnapshot(table, noCheckpoint, first);

  expect(second.version).toBe(1);
  expect(second.files.map((f) => path.basename(f.path))).toEqual(['b.parquet']);
  expect(first.files.map((f) => path.basename(f.path))).toEqual(['a.parquet']);
  expect(await readDeltaSnapshot(table, noCheckpoint, second)).toBe(second);
});

test('falls back to the checkpoint when the commits after an earlier snapshot were cleaned up', async () => {
  commit(0, [{ protocol }, { metaData }, add('a.parquet', '2024-01-01')]);
  const first = await readDeltaSnapshot(table, noCheckpoint);
  rmSync(path.join(table, '_delta_log', `${String(0).padStart(20, '0')}.json`));
  writeFileSync(path.join(table, '_delta_log', `${String(2).padStart(20, '0')}.checkpoint.parquet`), '');
  commit(3, [add('d.parquet', '2024-01-04')]);

  const later = await readDeltaSnapshot(
    table,
    async () => [{ protocol }, { metaData }, add('c.parquet', '2024-01-03')],
    first,
  );

  expect(later.version).toBe(3);
  expect(later.files.map((f) => path.basename(f.path)).sort()).toEqual(['c.parquet', 'd.parquet']);
});
