// End to end, per transport (Kinesis on kinesalite, MSK on the local Apache Kafka), on the real stand-ins
// with Apicurio: the bronze job runs continuously and is never restarted while the Trade subject evolves.
// One producer sends v2; v3 (tests/fixtures/schemas/trade-v3-compatible.avsc, adds `venue`) is registered
// by a second producer with --schema-file, and both send at once, the v3 one giving `venue` a value with
// --set. Bronze then holds exactly the produced operation ids, rows of both writer schemas, and a `venue`
// column that the independent `deltalake` reader and `streamsoft query` (DuckDB) both see: the value given
// in every v3 row, null in every v2 row. Then the same on a second stream (topic) with the job SIGKILLed at
// its first batch after the switch and restarted: no record lost or duplicated.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataDirLayout, REPO_ROOT } from '../../core/paths';
import { bronzeJobArgs } from '../../glue-streaming/command';
import { localBronzeJobConfig } from '../../local/pipeline/pipeline-commands';
import { startJob, type JobHandle } from '../../glue-streaming/run-job';
import { readRecordFile, runPythonJson, runStreamsoft, type StreamsoftRun } from '../support/pipeline-runs';
import { startStandIns, type StandIns } from '../../local/services/throwaway-stand-ins';

jest.setTimeout(900_000);

type Transport = 'kinesis' | 'msk';

const V3_FILE = path.join(REPO_ROOT, 'tests', 'fixtures', 'schemas', 'trade-v3-compatible.avsc');

const READ_BRONZE = `
import json, sys
from deltalake import DeltaTable
table = DeltaTable(sys.argv[1] + "/bronze/trades")
rows = table.to_pyarrow_table().to_pylist()
print(json.dumps({"columns": [field.name for field in table.schema().fields],
                  "rows": [{"operation_id": r["operation_id"], "schema_id": r["_schema_id"], "venue": r.get("venue")}
                           for r in rows]}))
`;

interface Bronze {
  columns: string[];
  rows: Array<{ operation_id: string; schema_id: number; venue: string | null }>;
}

function expectSuccess(result: StreamsoftRun): void {
  if (result.code !== 0) throw new Error(`exit code ${result.code}:\n${result.stderr.slice(-4000)}`);
}

/** The writer schema id a `produce --json` run reports. */
function schemaIdOf(result: StreamsoftRun): number {
  return (JSON.parse(result.stdout) as { schemaId: number }).schemaId;
}

/** v3 rows (by writer schema id, and by the operation ids the v3 producer sent) carry `venue`, others null. */
function expectVenues(bronze: Bronze, v3SchemaId: number, v3Ids: string[], venue: string): void {
  const v3Rows = bronze.rows.filter((r) => r.schema_id === v3SchemaId);
  expect(v3Rows.map((r) => r.operation_id).sort()).toEqual([...v3Ids].sort());
  expect(v3Rows.every((r) => r.venue === venue)).toBe(true);
  const v2Rows = bronze.rows.filter((r) => r.schema_id !== v3SchemaId);
  expect(v2Rows.length).toBe(bronze.rows.length - v3Ids.length);
  expect(v2Rows.every((r) => r.venue === null)).toBe(true);
}

describe.each<Transport>(['kinesis', 'msk'])('schema evolution while bronze runs (%s)', (transport) => {
  let standIns: StandIns;
  let dir: string;
  let job: JobHandle | undefined;
  const restarted: JobHandle[] = [];

  beforeAll(async () => {
    standIns = await startStandIns([transport === 'kinesis' ? 'kinesis' : 'kafka', 'registry']);
    dir = mkdtempSync(path.join(os.tmpdir(), `evolution-e2e-${transport}-`));
  });

  /** The transport's flags of `streamsoft produce`: a 2-shard Kinesis stream or a 2-partition Kafka topic. */
  const transportArgs = (stream: string): string[] =>
    transport === 'kinesis'
      ? ['--kinesis-endpoint', standIns.endpoints.kinesis!, '--stream', stream, '--shards', '2']
      : ['--kafka-brokers', standIns.endpoints.kafka!, '--topic', stream, '--partitions', '2'];
  /** `streamsoft produce` to the stream (topic) through the registry, with a record file. */
  const producerTo =
    (stream: string) =>
    (recordFile: string, extra: string[]): Promise<StreamsoftRun> =>
      runStreamsoft([
        ...['produce', '--transport', transport, ...transportArgs(stream)],
        ...['--registry-url', standIns.endpoints.registry!, '--record-file', recordFile, ...extra],
      ]);
  /** The bronze job on the stand-ins, continuous, a trigger a second, from the registry's latest version. */
  const bronzeConfig = (stream: string, dataDir: string) =>
    localBronzeJobConfig({
      transport,
      stream,
      endpoints: { ...standIns.endpoints, registry: standIns.endpoints.registry! },
      dataDir,
      triggerSeconds: 1,
      availableNow: false,
    });

  afterAll(async () => {
    await job?.stop();
    for (const handle of restarted) await handle.stop();
    await standIns?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('a compatible v3 registered and produced mid-stream lands with its new column', async () => {
    const stream = 'trades-evolution';
    const dataDir = path.join(dir, 'data');
    const lake = dataDirLayout(dataDir).lake;
    const produce = producerTo(stream);

    const first = path.join(dir, 'v2-first.jsonl');
    expectSuccess(
      await produce(first, ['--count', '300', '--rate', '0', '--seed', '1', '--schema-version', '2']),
    );

    const config = bronzeConfig(stream, dataDir);
    let batches = 0;
    const lines: string[] = [];
    job = startJob({
      job: 'bronze',
      args: bronzeJobArgs(config),
      dataDir,
      onLine: (line) => {
        lines.push(line);
        if (/rows_in=[1-9]/.test(line)) batches += 1;
      },
    });
    let ended = false;
    // exited rejects when the job could not run; either way running() then throws with its log.
    void job.exited.then(
      () => (ended = true),
      () => (ended = true),
    );
    const running = (): boolean => {
      if (ended) throw new Error(`the bronze job ended:\n${readFileSync(job!.log, 'utf8').slice(-6000)}`);
      return true;
    };
    await waitFor(async () => running() && batches > 0, 600_000, job);

    // v2 and v3 at the same time; the v3 producer registers the file and gives venue a value
    const v2 = path.join(dir, 'v2-second.jsonl');
    const v3 = path.join(dir, 'v3.jsonl');
    const [sentV2, sentV3] = await Promise.all([
      produce(v2, ['--count', '400', '--rate', '200', '--seed', '2', '--schema-version', '2']),
      produce(v3, [
        ...['--count', '400', '--rate', '200', '--seed', '3', '--schema-file', V3_FILE],
        ...['--set', 'venue=XNAS', '--json'],
      ]),
    ]);
    expectSuccess(sentV2);
    expectSuccess(sentV3);

    const produced = [first, v2, v3]
      .flatMap((file) => readRecordFile(file))
      .filter((r) => r.kind === 'trade');
    const v3Versions = new Set(readRecordFile(v3).map((r) => r.schemaVersion));
    expect(v3Versions.size).toBe(1); // the subject version the file was registered as

    let bronze: Bronze = { columns: [], rows: [] };
    await waitFor(
      async () => {
        running();
        bronze = await runPythonJson<Bronze>(READ_BRONZE, [lake]);
        return bronze.rows.length >= produced.length;
      },
      600_000,
      job,
    );
    expect(job.pid).toBeGreaterThan(0); // the same job, never restarted
    expect(
      lines.some((line) => /reader schema: reader schema id \d+ -> reader schema id \d+/.test(line)),
    ).toBe(true);

    expect(bronze.columns).toContain('venue');
    expect(bronze.rows.map((r) => r.operation_id).sort()).toEqual(
      produced.map((r) => r.trade.operation_id).sort(),
    );
    expect(new Set(bronze.rows.map((r) => r.schema_id)).size).toBe(2);
    const v3SchemaId = schemaIdOf(sentV3);
    const v3Ids = readRecordFile(v3).map((r) => r.trade.operation_id);
    expect(v3Ids).toHaveLength(400);
    expectVenues(bronze, v3SchemaId, v3Ids, 'XNAS');

    const query = await runStreamsoft([
      'query',
      'SELECT _schema_id AS writer, count(*) AS n, count(venue) AS with_venue, min(venue) AS lowest, ' +
        'max(venue) AS highest FROM bronze.trades GROUP BY _schema_id ORDER BY _schema_id = ' +
        String(v3SchemaId),
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expectSuccess(query);
    // DuckDB's BIGINT counts come back as strings in --json
    const byWriter = (JSON.parse(query.stdout) as Array<Record<string, unknown>>).map((row) => ({
      ...row,
      writer: Number(row.writer),
    }));
    expect(byWriter).toEqual([
      {
        writer: expect.any(Number) as unknown,
        n: String(produced.length - 400),
        with_venue: '0',
        lowest: null,
        highest: null,
      },
      { writer: v3SchemaId, n: '400', with_venue: '400', lowest: 'XNAS', highest: 'XNAS' },
    ]);
    expect(byWriter[0]!.writer).not.toBe(v3SchemaId);
    const columns = await runStreamsoft([
      'query',
      "SELECT column_name FROM (DESCRIBE bronze.trades) WHERE column_name = 'venue'",
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expectSuccess(columns);
    expect(JSON.parse(columns.stdout)).toEqual([{ column_name: 'venue' }]);

    // --set is checked against the writer schema before anything is sent: v2 has no venue
    const refused = await produce(path.join(dir, 'refused.jsonl'), [
      ...['--count', '1', '--schema-version', '2', '--set', 'venue=XNAS'],
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n').filter((line) => line.startsWith('streamsoft:'))).toEqual([
      'streamsoft: --set venue: the writer schema has no field venue (every field of this writer schema is generated)',
    ]);
    expect(existsSync(path.join(dir, 'refused.jsonl'))).toBe(false);
  });

  test('killed (SIGKILL) just after the switch to v3 and restarted: no record lost or duplicated', async () => {
    const stream = 'trades-evolution-kill';
    const dataDir = path.join(dir, 'data-kill');
    const lake = dataDirLayout(dataDir).lake;
    const produce = producerTo(stream);
    const first = path.join(dir, 'kill-v2-first.jsonl');
    expectSuccess(
      await produce(first, ['--count', '150', '--rate', '0', '--seed', '4', '--schema-version', '2']),
    );

    // small batches, so the switch lands mid-stream (Kafka caps a batch in total, Kinesis each shard)
    const config = { ...bronzeConfig(stream, dataDir), maxRecordsPerTrigger: 50 };
    // Killed at the first batch with rows after the reader switched to v3: that batch's Delta commit may be
    // in the table while its end is not in the checkpoint, so the restart replays it with the new reader.
    let batches = 0;
    let switched = false;
    let killed = false;
    const firstRun = startJob({
      job: 'bronze',
      args: bronzeJobArgs(config),
      dataDir,
      onLine: (line) => {
        if (/reader schema: reader schema id \d+ -> reader schema id \d+/.test(line)) switched = true;
        if (/rows_in=[1-9]/.test(line)) {
          batches += 1;
          if (switched && !killed) {
            killed = true;
            process.kill(-firstRun.pid, 'SIGKILL');
          }
        }
      },
    });
    restarted.push(firstRun);
    let firstEnded = false;
    void firstRun.exited.then(
      () => (firstEnded = true),
      () => (firstEnded = true),
    );
    await waitFor(async () => batches > 0 || firstEnded, 600_000, firstRun);

    const v2 = path.join(dir, 'kill-v2.jsonl');
    const v3 = path.join(dir, 'kill-v3.jsonl');
    const [sentV2, sentV3] = await Promise.all([
      produce(v2, ['--count', '200', '--rate', '100', '--seed', '5', '--schema-version', '2']),
      produce(v3, [
        ...['--count', '200', '--rate', '100', '--seed', '6', '--schema-file', V3_FILE],
        ...['--set', 'venue=XLON', '--json'],
      ]),
    ]);
    expectSuccess(sentV2);
    expectSuccess(sentV3);
    const crashed = await firstRun.exited;
    if (!killed) {
      throw new Error(
        `the first run ended (${crashed.exitCode ?? crashed.signal}) before the switch:\n${readFileSync(crashed.log, 'utf8').slice(-6000)}`,
      );
    }
    expect(crashed.signal).toBe('SIGKILL');

    const produced = [first, v2, v3]
      .flatMap((file) => readRecordFile(file))
      .filter((r) => r.kind === 'trade');
    const second = startJob({ job: 'bronze', args: bronzeJobArgs(config), dataDir });
    restarted.push(second);
    let secondEnded = false;
    void second.exited.then(
      () => (secondEnded = true),
      () => (secondEnded = true),
    );
    let bronze: Bronze = { columns: [], rows: [] };
    await waitFor(
      async () => {
        if (secondEnded)
          throw new Error(`the restarted job ended:\n${readFileSync(second.log, 'utf8').slice(-6000)}`);
        if (!existsSync(path.join(lake, 'bronze', 'trades', '_delta_log'))) return false;
        bronze = await runPythonJson<Bronze>(READ_BRONZE, [lake]);
        return bronze.rows.length >= produced.length;
      },
      600_000,
      second,
    );
    // one more trigger: a duplicate written by a late replay would show here
    await new Promise((resolve) => setTimeout(resolve, 3000));
    bronze = await runPythonJson<Bronze>(READ_BRONZE, [lake]);
    const ids = bronze.rows.map((r) => r.operation_id);
    expect(new Set(ids).size).toBe(ids.length); // no duplicate
    expect(ids.sort()).toEqual(produced.map((r) => r.trade.operation_id).sort()); // none missing
    expect(bronze.columns).toContain('venue');
    expect(new Set(bronze.rows.map((r) => r.schema_id)).size).toBe(2);
    // the batch replayed by the restart carries the values the v3 producer set, like any other
    expectVenues(
      bronze,
      schemaIdOf(sentV3),
      readRecordFile(v3).map((r) => r.trade.operation_id),
      'XLON',
    );
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, job?: JobHandle): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const log = job === undefined || !existsSync(job.log) ? '' : readFileSync(job.log, 'utf8').slice(-6000);
      throw new Error(`condition not met within ${timeoutMs} ms; the bronze job's log ends:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
