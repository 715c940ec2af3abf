// End to end on the real stand-ins: `streamsoft produce` (duplicates, bad and late records, two rounds)
// → `jobs bronze --available-now` → `jobs silver` → `jobs gold`, after each round. Then every record is
// where it should be (produced = silver + duplicates dropped + rejected + quarantined), the gold tables,
// read with an independent Delta reader (the Python `deltalake` package), equal what plain Python computes
// from the producer's record files with Decimal arithmetic, and a rerun without input changes no table.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataDirLayout } from '../../core/paths';
import { readRecordFile, runPythonJson, runStreamsoft, type RecordLine } from '../support/pipeline-runs';
import { startStandIns, type StandIns } from '../../local/services/throwaway-stand-ins';
import { LAKE_TABLES } from '../../lake/tables';

jest.setTimeout(2_400_000);

const THRESHOLD_PCT = '0.05';
// Every table the silver and gold jobs write, from the lake-table contract.
const TABLES = LAKE_TABLES.filter((t) => t.writer !== 'bronze').map((t) => `${t.layer}/${t.table}`);

interface LakeCheck {
  counts: Record<string, number>;
  silver_ids: string[];
  mismatched: string[];
  versions: Record<string, number>;
}

// Reads the lake with `deltalake` (not Spark) and compares gold with the independent Python model of
// tests/jobs/test_reconcile.py, fed with the producer's record files.
const CHECK_LAKE = `
import datetime as dt, json, sys
from decimal import Decimal
sys.path[:0] = ["tests/jobs", "glue-streaming"]
import test_reconcile as model
from deltalake import DeltaTable
from streamsoft_jobs.reference import EXCHANGES

lake, threshold, tables, files = sys.argv[1], Decimal(sys.argv[2]), sys.argv[3].split(","), sys.argv[4:]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

def naive(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value

def rows(name):
    table = DeltaTable(f"{lake}/{name}").to_pyarrow_table().to_pylist()
    return [{k: naive(v) for k, v in r.items()} for r in table]

def trade(t):
    return {**t, "timestamp": EPOCH + dt.timedelta(milliseconds=t["timestamp"]), "price": Decimal(t["price"])}

lines = [json.loads(line) for f in files for line in open(f) if line.strip()]
trades = [trade(line["trade"]) for line in lines if line["kind"] == "trade"]
rates = {code: info.usd_rate for code, info in EXCHANGES.items()}
bars = model.expected_ohlcv(trades)
bronze = rows("bronze/trades")
for r in bronze:
    r["timestamp"] = r["timestamp"].replace(tzinfo=dt.timezone.utc)
    r["_arrival_at"] = r["_arrival_at"].replace(tzinfo=dt.timezone.utc)
    r["_ingested_at"] = r["_ingested_at"].replace(tzinfo=dt.timezone.utc)
quarantine = rows("bronze/trades_quarantine")
classified = model.expected_silver(bronze, {code: info.currency for code, info in EXCHANGES.items()})
checks = {
    "gold/ohlcv_1m": (model.actual_ohlcv, bars),
    "gold/exchange_activity_hourly": (model.actual_activity, model.expected_activity(trades)),
    "gold/trader_leaderboard_daily": (model.actual_leaderboard, model.expected_leaderboard(trades, rates)),
    "gold/price_alerts": (model.actual_alerts, model.expected_alerts(trades, bars, threshold)),
    "gold/pipeline_health_hourly": (model.actual_health, model.expected_health(bronze, quarantine, classified)),
}
mismatched = [name for name, (actual, expected) in checks.items() if actual(rows(name)) != expected]
names = tables + ["bronze/trades", "bronze/trades_quarantine"]
print(json.dumps({
    "counts": {name: len(rows(name)) for name in names},
    "silver_ids": sorted(r["operation_id"] for r in rows("silver/trades")),
    "mismatched": mismatched,
    "versions": {name: DeltaTable(f"{lake}/{name}").version() for name in tables},
}))
`;

function checkLake(lake: string, recordFiles: string[]): Promise<LakeCheck> {
  return runPythonJson<LakeCheck>(CHECK_LAKE, [lake, THRESHOLD_PCT, TABLES.join(','), ...recordFiles]);
}

describe('silver and gold end to end over Kinesis', () => {
  let standIns: StandIns;
  let dir: string;

  beforeAll(async () => {
    standIns = await startStandIns(['kinesis', 'registry']);
    dir = mkdtempSync(path.join(os.tmpdir(), 'silver-gold-e2e-'));
  });

  afterAll(async () => {
    await standIns?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function expectOk(args: string[]): Promise<string> {
    const result = await runStreamsoft(args);
    if (result.code !== 0) throw new Error(`streamsoft ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout;
  }

  test('faults land where they should, counts reconcile, gold equals an independent computation', async () => {
    const stream = 'trades-silver-gold';
    const dataDir = path.join(dir, 'data');
    const lake = dataDirLayout(dataDir).lake;
    const produce = (recordFile: string, seed: string, late: string): Promise<string> =>
      expectOk([
        ...['produce', '--transport', 'kinesis', '--kinesis-endpoint', standIns.endpoints.kinesis!],
        ...['--stream', stream, '--shards', '2', '--registry-url', standIns.endpoints.registry!],
        ...['--count', '600', '--rate', '0', '--seed', seed, '--record-file', recordFile],
        ...['--dup-ratio', '0.05', '--bad-ratio', '0.03', '--late-ratio', late],
      ]);
    const pipeline = async (): Promise<void> => {
      await expectOk([
        ...['jobs', 'bronze', '--available-now', '--stream', stream, '--trigger-seconds', '1'],
        ...[
          '--kinesis-endpoint',
          standIns.endpoints.kinesis!,
          '--registry-url',
          standIns.endpoints.registry!,
        ],
        ...['--data-dir', dataDir],
      ]);
      await expectOk(['jobs', 'silver', '--data-dir', dataDir]);
      await expectOk(['jobs', 'gold', '--data-dir', dataDir, '--', '--alert-threshold-pct', THRESHOLD_PCT]);
    };

    // Round two's late trades (2-30 minutes old) fall in minutes round one already aggregated.
    const files = [path.join(dir, 'round1.jsonl'), path.join(dir, 'round2.jsonl')];
    await produce(files[0]!, '21', '0.1');
    await pipeline();
    await produce(files[1]!, '22', '0.3');
    await pipeline();

    const records = files.flatMap(readRecordFile);
    const check = await checkLake(lake, files);
    const count = (kind: RecordLine['kind']): number => records.filter((r) => r.kind === kind).length;
    expect(count('duplicate')).toBeGreaterThan(0);
    expect(count('bad')).toBeGreaterThan(0);
    expect(records.some((r) => r.late === true)).toBe(true);

    expect(check.silver_ids).toEqual(
      records
        .filter((r) => r.kind === 'trade')
        .map((r) => r.trade.operation_id)
        .sort(),
    );
    expect(check.counts['silver/trades_duplicates']).toBe(count('duplicate'));
    expect(check.counts['silver/trades_rejected']).toBe(0);
    expect(check.counts['bronze/trades_quarantine']).toBe(count('bad'));
    expect(
      check.counts['silver/trades']! +
        check.counts['silver/trades_duplicates']! +
        check.counts['silver/trades_rejected']! +
        check.counts['bronze/trades_quarantine']!,
    ).toBe(records.length);
    // Includes price_alerts; how many alerts there are depends on where the wall-clock minutes fall.
    expect(check.mismatched).toEqual([]);

    // A run with nothing new commits nothing, and says so on stdout.
    const summary = await expectOk(['jobs', 'silver', '--data-dir', dataDir]);
    expect(JSON.parse(summary)).toEqual({
      job: 'silver',
      batches: 0,
      bronze_rows: 0,
      trades: 0,
      rejected: 0,
      duplicates: 0,
    });
    await expectOk(['jobs', 'gold', '--data-dir', dataDir, '--', '--alert-threshold-pct', THRESHOLD_PCT]);
    expect((await checkLake(lake, files)).versions).toEqual(check.versions);
  });
});
