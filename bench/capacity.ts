// The capacity model: for 1k, 10k, 100k and 1M trades/s, what the deployed stack needs and costs, from the
// per-core rates measured by bench/ (infra/capacity-measurements.json) and AWS's published limits and prices
// (QUOTAS, PRICES below, each with its page). Writes infra/CAPACITY.md.
// Run: npx tsx bench/capacity.ts                          (render from the committed measurements)
//      npx tsx bench/capacity.ts --measurements-from bench/results   (first refresh them from bench JSON)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { UNIVERSE } from '../producers/universe';

export interface Measurements {
  /** When and where the figures below were measured. */
  measuredOn: string;
  machine: string;
  /** Mean framed trade (Confluent header + Avro), bytes: bench/serde.ts. */
  recordBytes: number;
  /** Bronze decode + both Delta commits, records per core-second, read from Kafka: bench/bronze.ts --transport msk. */
  bronzePerCore: number;
  /** Our Kinesis source alone (8 shards, local[2], noop sink), records per core-second: bench/kinesis_read.py. */
  kinesisReadPerCore: number;
  /** kinesalite's own GetRecords ceiling in the same run, records/s (context for the figure above). */
  kinesaliteCeiling: number | null;
  /** Silver + gold incremental run, CPU seconds per new bronze row: bench/silver_gold.py. */
  silverGoldCpuSecondsPerRow: number;
}

interface Sourced {
  value: number;
  source: string;
}

/** AWS limits. A rule of AWS, each with its page; the model's own choices are in ASSUMPTIONS. */
export const QUOTAS = {
  kinesisShardRecordsIn: {
    value: 1000,
    source: 'https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html',
  },
  kinesisShardBytesIn: {
    value: 1_000_000,
    source: 'https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html',
  },
  kinesisShardBytesOut: {
    value: 2_000_000,
    source: 'https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html',
  },
  kinesisShardReadsPerSecond: {
    value: 5,
    source: 'https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html',
  },
  kinesisShardsPerAccount: {
    value: 20_000,
    source: 'https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html',
  },
  kinesisOnDemandMaxBytesIn: {
    value: 10_000_000_000,
    source: 'https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html',
  },
  mskPartitionsPerBrokerM7gLarge: {
    value: 1000,
    source: 'https://docs.aws.amazon.com/msk/latest/developerguide/bestpractices.html',
  },
  mskBrokersPerClusterKraft: {
    value: 60,
    source: 'https://docs.aws.amazon.com/msk/latest/developerguide/limits.html',
  },
  glueG1xVcpus: { value: 4, source: 'https://docs.aws.amazon.com/glue/latest/dg/worker-types.html' },
  s3PutsPerPrefixPerSecond: {
    value: 3500,
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html',
  },
} satisfies Record<string, Sourced>;

/** List prices, us-east-1, USD. */
export const PRICE_DATE = '2026-12-02';
export const PRICES = {
  kinesisShardHour: { value: 0.015, source: 'https://aws.amazon.com/kinesis/data-streams/pricing/' },
  kinesisPutPayloadUnitsPerMillion: {
    value: 0.014,
    source: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
  },
  kinesisOnDemandStreamHour: { value: 0.04, source: 'https://aws.amazon.com/kinesis/data-streams/pricing/' },
  kinesisOnDemandGbIn: { value: 0.08, source: 'https://aws.amazon.com/kinesis/data-streams/pricing/' },
  kinesisOnDemandGbOut: { value: 0.04, source: 'https://aws.amazon.com/kinesis/data-streams/pricing/' },
  mskM7gLargeHour: { value: 0.204, source: 'https://aws.amazon.com/msk/pricing/' },
  mskStorageGbMonth: { value: 0.1, source: 'https://aws.amazon.com/msk/pricing/' },
  glueDpuHour: { value: 0.44, source: 'https://aws.amazon.com/glue/pricing/' },
  s3PutPerThousand: { value: 0.005, source: 'https://aws.amazon.com/s3/pricing/' },
  s3StorageGbMonth: { value: 0.023, source: 'https://aws.amazon.com/s3/pricing/' },
  athenaPerTbScanned: { value: 5, source: 'https://aws.amazon.com/athena/pricing/' },
} satisfies Record<string, Sourced>;

/** Choices of this model (not AWS rules). */
export const ASSUMPTIONS = {
  /** Size streams and workers for this share of a limit, for bursts and uneven keys. */
  utilisation: 0.7,
  /** A kafka.m7g.large broker's sustained ingress with RF 3 and one consumer: its ~117 MB/s baseline
   * network shared by ingress, two replica copies and the consumer read, at half that for headroom. */
  mskBrokerIngressBytes: 15_000_000,
  mskReplication: 3,
  retentionHours: 24,
  bronzeTriggerSeconds: 5,
  /** Delta log + checkpoint files per bronze micro-batch besides the data files (commit json, offsets,
   * commits, our shard ends are per shard). */
  bronzeFixedPutsPerBatch: 4,
  /** Parquet bytes per silver trade row (snappy), for the dashboards' scans and S3 storage. */
  parquetBytesPerTrade: 45,
  /** Gold bytes per symbol-minute (ohlcv_1m row), and the dashboard's window. */
  goldBytesPerSymbolMinute: 80,
  dashboardWindowMinutes: 24 * 60,
  /** Athena bills at least 10 MB per query. */
  athenaMinBytes: 10_000_000,
  secondsPerMonth: 730 * 3600,
  /** Silver + gold stay a scheduled job while their work fits this many cores on average. */
  scheduledMaxCores: 4,
};

export const RATES = [1_000, 10_000, 100_000, 1_000_000];

export interface Sizing {
  rate: number;
  bytesPerSecond: number;
  hotSymbol: { symbol: string; share: number; recordsPerSecond: number };
  kinesis: { shards: number; provisionedMonthly: number; onDemandMonthly: number; onDemandOk: boolean };
  msk: { brokers: number; partitions: number; monthly: number };
  bronze: { cores: number; workers: number; monthly: number; tasksPerBatch: number };
  silverGold: { cores: number; mode: 'hourly' | 'continuous'; workers: number; monthly: number };
  s3: { putsPerMinute: number; deltaCommitsPerMinute: number; monthly: number; storageMonthly: number };
  athena: { bytesPerGoldRefresh: number; bytesPerTradesRefresh: number; costPerTradesRefresh: number };
  breaksFirst: string[];
}

export function hotSymbol(): { symbol: string; share: number } {
  const total = UNIVERSE.reduce((sum, i) => sum + i.weight, 0);
  const top = UNIVERSE.reduce((best, i) => (i.weight > best.weight ? i : best));
  return { symbol: top.symbol, share: top.weight / total };
}

const roundUpTo = (n: number, step: number): number => Math.ceil(n / step) * step;

/** The sizing for `rate` trades/s. Pure: the measurements, QUOTAS, PRICES and ASSUMPTIONS only. */
export function model(rate: number, m: Measurements): Sizing {
  const a = ASSUMPTIONS;
  const bytesPerSecond = rate * m.recordBytes;
  const hot = hotSymbol();
  const hotRate = rate * hot.share;

  const shards = Math.max(
    1,
    Math.ceil(rate / (QUOTAS.kinesisShardRecordsIn.value * a.utilisation)),
    Math.ceil(bytesPerSecond / (QUOTAS.kinesisShardBytesIn.value * a.utilisation)),
  );
  const recordsPerMonth = rate * a.secondsPerMonth;
  // every record is at least one 25 KB PUT payload unit (provisioned) and is billed as at least 1 KB (on-demand)
  const provisionedMonthly =
    shards * PRICES.kinesisShardHour.value * 730 +
    (recordsPerMonth / 1e6) * PRICES.kinesisPutPayloadUnitsPerMillion.value;
  const billedGb = (recordsPerMonth * Math.max(1024, m.recordBytes)) / 1024 ** 3;
  const onDemandMonthly =
    PRICES.kinesisOnDemandStreamHour.value * 730 +
    billedGb * (PRICES.kinesisOnDemandGbIn.value + PRICES.kinesisOnDemandGbOut.value);

  const brokers = Math.max(3, roundUpTo(Math.ceil(bytesPerSecond / a.mskBrokerIngressBytes), 3));

  // one core reads and decodes a record in 1/read + 1/decode-and-write seconds
  const secondsPerRecord = 1 / m.kinesisReadPerCore + 1 / m.bronzePerCore;
  const bronzeCores = (rate * secondsPerRecord) / a.utilisation;
  const vcpus = QUOTAS.glueG1xVcpus.value;
  const bronzeWorkers = Math.max(2, Math.ceil(bronzeCores / vcpus) + 1); // +1: the driver's worker
  const partitions = Math.max(6, roundUpTo(Math.ceil(bronzeCores), brokers));

  const sgCores = (rate * m.silverGoldCpuSecondsPerRow) / a.utilisation;
  const sgMode = sgCores <= a.scheduledMaxCores ? 'hourly' : 'continuous';
  const sgWorkers = sgMode === 'hourly' ? 2 : Math.ceil(sgCores / vcpus) + 1;
  // hourly: the job runs for the share of the hour its work needs on its executors' cores
  const sgDpuHoursPerMonth =
    sgMode === 'hourly'
      ? Math.min(1, sgCores / ((sgWorkers - 1) * vcpus)) * sgWorkers * 730
      : sgWorkers * 730;

  const batchesPerMinute = 60 / a.bronzeTriggerSeconds;
  // one data file per task per batch (a batch rarely spans two event dates), one shard end per shard
  const putsPerMinute = batchesPerMinute * (2 * shards + a.bronzeFixedPutsPerBatch);
  const deltaCommitsPerMinute = batchesPerMinute + (sgMode === 'hourly' ? 0 : 2 * batchesPerMinute);
  const storedGb = (rate * a.secondsPerMonth * a.parquetBytesPerTrade * 2) / 1e9; // bronze + silver, a month

  const goldBytes = Math.max(
    a.athenaMinBytes,
    UNIVERSE.length * a.dashboardWindowMinutes * a.goldBytesPerSymbolMinute,
  );
  // a "latest trades" panel over today: partition pruning by event_date reads the whole day so far (half on average)
  const tradesBytes = Math.max(a.athenaMinBytes, (rate * 86_400 * a.parquetBytesPerTrade) / 2);

  const breaksFirst: string[] = [];
  if (hotRate > QUOTAS.kinesisShardRecordsIn.value * a.utilisation) {
    breaksFirst.push(
      `Kinesis hot key: ${hot.symbol} alone sends ${Math.round(hotRate).toLocaleString('en-US')} records/s to one shard ` +
        `(limit ${QUOTAS.kinesisShardRecordsIn.value}/s); more shards do not help while the partition key is the symbol`,
    );
  }
  if (bytesPerSecond > QUOTAS.kinesisOnDemandMaxBytesIn.value)
    breaksFirst.push('Kinesis on-demand write ceiling');
  if (shards > QUOTAS.kinesisShardsPerAccount.value) breaksFirst.push('Kinesis shards per account');
  if (brokers > QUOTAS.mskBrokersPerClusterKraft.value) breaksFirst.push('MSK brokers per cluster');
  if ((partitions * a.mskReplication) / brokers > QUOTAS.mskPartitionsPerBrokerM7gLarge.value) {
    breaksFirst.push('MSK partitions per kafka.m7g.large broker');
  }
  if (putsPerMinute / 60 > QUOTAS.s3PutsPerPrefixPerSecond.value) breaksFirst.push('S3 PUTs per prefix');
  if (shards * batchesPerMinute > 60 * 60) {
    breaksFirst.push('bronze small files: over 3,600 files a minute into one event_date partition');
  }

  return {
    rate,
    bytesPerSecond,
    hotSymbol: { ...hot, recordsPerSecond: hotRate },
    kinesis: {
      shards,
      provisionedMonthly,
      onDemandMonthly,
      onDemandOk: bytesPerSecond <= QUOTAS.kinesisOnDemandMaxBytesIn.value,
    },
    msk: {
      brokers,
      partitions,
      monthly:
        brokers * PRICES.mskM7gLargeHour.value * 730 +
        ((bytesPerSecond * a.retentionHours * 3600 * a.mskReplication) / 1e9) *
          PRICES.mskStorageGbMonth.value,
    },
    bronze: {
      cores: bronzeCores,
      workers: bronzeWorkers,
      monthly: bronzeWorkers * PRICES.glueDpuHour.value * 730,
      tasksPerBatch: shards,
    },
    silverGold: {
      cores: sgCores,
      mode: sgMode,
      workers: sgWorkers,
      monthly: sgDpuHoursPerMonth * PRICES.glueDpuHour.value,
    },
    s3: {
      putsPerMinute,
      deltaCommitsPerMinute,
      monthly: ((putsPerMinute * 60 * 730) / 1000) * PRICES.s3PutPerThousand.value,
      storageMonthly: storedGb * PRICES.s3StorageGbMonth.value,
    },
    athena: {
      bytesPerGoldRefresh: goldBytes,
      bytesPerTradesRefresh: tradesBytes,
      costPerTradesRefresh: (tradesBytes / 1e12) * PRICES.athenaPerTbScanned.value,
    },
    breaksFirst,
  };
}

const n = (x: number, digits = 0): string =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const usd = (x: number): string => `$${n(x)}`;
const mb = (bytes: number): string => `${n(bytes / 1e6, 1)} MB`;

export function renderCapacity(m: Measurements): string {
  const rows = RATES.map((rate) => model(rate, m));
  const hot = hotSymbol();
  const line = (label: string, cell: (s: Sizing) => string): string =>
    `| ${label} | ${rows.map(cell).join(' | ')} |`;
  const header = `| | ${rows.map((s) => `${n(s.rate)} trades/s`).join(' | ')} |`;
  const rule = `| --- | ${rows.map(() => '---').join(' | ')} |`;
  const table = [
    header,
    rule,
    line('ingress', (s) => `${mb(s.bytesPerSecond)}/s`),
    line('Kinesis shards (provisioned)', (s) => n(s.kinesis.shards)),
    line('Kinesis provisioned / month', (s) => usd(s.kinesis.provisionedMonthly)),
    line('Kinesis on-demand / month', (s) => usd(s.kinesis.onDemandMonthly)),
    line('MSK kafka.m7g.large brokers', (s) => n(s.msk.brokers)),
    line('MSK partitions', (s) => n(s.msk.partitions)),
    line('MSK / month', (s) => usd(s.msk.monthly)),
    line('bronze cores (Kinesis read + decode + Delta)', (s) => n(s.bronze.cores, 1)),
    line('bronze Glue G.1X workers', (s) => n(s.bronze.workers)),
    line('bronze tasks per micro-batch', (s) => n(s.bronze.tasksPerBatch)),
    line('bronze / month', (s) => usd(s.bronze.monthly)),
    line('silver + gold', (s) => `${s.silverGold.mode}, ${s.silverGold.workers} G.1X`),
    line('silver + gold / month', (s) => usd(s.silverGold.monthly)),
    line('S3 PUTs / minute (bronze)', (s) => n(s.s3.putsPerMinute)),
    line('Delta commits / minute', (s) => n(s.s3.deltaCommitsPerMinute)),
    line('S3 requests + storage / month', (s) => usd(s.s3.monthly + s.s3.storageMonthly)),
    line('Athena scan, gold panel refresh', (s) => mb(s.athena.bytesPerGoldRefresh)),
    line('Athena scan, "today\'s trades" refresh', (s) => mb(s.athena.bytesPerTradesRefresh)),
    line('… its cost per refresh', (s) => `$${n(s.athena.costPerTradesRefresh, 3)}`),
    line('total / month (Kinesis provisioned)', (s) =>
      usd(
        s.kinesis.provisionedMonthly +
          s.bronze.monthly +
          s.silverGold.monthly +
          s.s3.monthly +
          s.s3.storageMonthly,
      ),
    ),
  ].join('\n');
  const breaks = rows
    .map(
      (s) => `- **${n(s.rate)} trades/s**: ${s.breaksFirst.length ? s.breaksFirst.join('; ') : 'nothing'}.`,
    )
    .join('\n');
  const quota = (name: string, q: Sourced): string => `| ${name} | ${n(q.value)} | ${q.source} |`;
  return `# Capacity model

GENERATED by \`npx tsx bench/capacity.ts\` (not formatted by prettier: see .prettierignore) from \`infra/capacity-measurements.json\` (refresh it from the bench
JSON with \`--measurements-from bench/results\`); do not edit by hand. \`tests/bench/capacity.test.ts\` checks
that this file is up to date.

## Inputs

Measured on ${m.measuredOn} (${m.machine}):

| measure | value | from |
| --- | --- | --- |
| framed trade | ${n(m.recordBytes, 1)} bytes | bench/serde.ts |
| bronze decode + Delta, per core | ${n(m.bronzePerCore)} records/s | bench/bronze.ts (Kafka, sustained) |
| Kinesis source read, per core | ${n(m.kinesisReadPerCore)} records/s | bench/kinesis_read.py (8 shards, local[2], kinesalite on the same 2 cores: a low bound) |
| kinesalite GetRecords ceiling, same run | ${m.kinesaliteCeiling === null ? 'n/a' : `${n(m.kinesaliteCeiling)} records/s`} | bench/kinesis_read.py |
| silver + gold incremental | ${n(m.silverGoldCpuSecondsPerRow * 1000, 3)} CPU ms per row | bench/silver_gold.py (100k rows on 5M, a run's fixed costs included: a high bound) |
| hottest symbol | ${hot.symbol}, ${n(hot.share * 100, 1)}% of trades | producers/universe.ts |

AWS limits:

| limit | value | source |
| --- | --- | --- |
${quota('Kinesis shard write, records/s', QUOTAS.kinesisShardRecordsIn)}
${quota('Kinesis shard write, bytes/s', QUOTAS.kinesisShardBytesIn)}
${quota('Kinesis shard read, bytes/s (shared by GetRecords consumers)', QUOTAS.kinesisShardBytesOut)}
${quota('Kinesis shard GetRecords calls/s', QUOTAS.kinesisShardReadsPerSecond)}
${quota('Kinesis shards per account (us-east-1, default)', QUOTAS.kinesisShardsPerAccount)}
${quota('Kinesis on-demand write ceiling, bytes/s (us-east-1)', QUOTAS.kinesisOnDemandMaxBytesIn)}
${quota('MSK partitions per kafka.m7g.large broker, incl. replicas', QUOTAS.mskPartitionsPerBrokerM7gLarge)}
${quota('MSK brokers per KRaft cluster', QUOTAS.mskBrokersPerClusterKraft)}
${quota('Glue G.1X vCPUs (1 DPU)', QUOTAS.glueG1xVcpus)}
${quota('S3 PUTs per prefix per second', QUOTAS.s3PutsPerPrefixPerSecond)}

List prices, us-east-1, USD, price date ${PRICE_DATE} (${Object.values(PRICES)
    .map((p) => p.source)
    .filter((s, i, all) => all.indexOf(s) === i)
    .join(
      ', ',
    )}): Kinesis $${PRICES.kinesisShardHour.value}/shard-hour and $${PRICES.kinesisPutPayloadUnitsPerMillion.value} per million
25 KB PUT payload units; on-demand $${PRICES.kinesisOnDemandStreamHour.value}/stream-hour, $${PRICES.kinesisOnDemandGbIn.value}/GB in and $${PRICES.kinesisOnDemandGbOut.value}/GB out, each
record billed as at least 1 KB; MSK kafka.m7g.large $${PRICES.mskM7gLargeHour.value}/broker-hour, storage $${PRICES.mskStorageGbMonth.value}/GB-month; Glue
$${PRICES.glueDpuHour.value}/DPU-hour; S3 $${PRICES.s3PutPerThousand.value} per 1,000 PUTs, $${PRICES.s3StorageGbMonth.value}/GB-month; Athena $${PRICES.athenaPerTbScanned.value}/TB scanned (10 MB minimum).

Choices of the model: sized at ${n(ASSUMPTIONS.utilisation * 100)}% of each limit; a kafka.m7g.large broker carries
${mb(ASSUMPTIONS.mskBrokerIngressBytes)}/s of ingress with replication ${ASSUMPTIONS.mskReplication} (brokers in multiples of 3 AZs); bronze needs
1/read + 1/decode core-seconds per record, on G.1X workers plus one for the driver, trigger ${ASSUMPTIONS.bronzeTriggerSeconds} s; silver + gold
run hourly on 2 G.1X while their work averages ≤ ${ASSUMPTIONS.scheduledMaxCores} cores, else continuously; ${ASSUMPTIONS.parquetBytesPerTrade} Parquet bytes per
trade; dashboards read a day of \`gold.ohlcv_1m\` (${ASSUMPTIONS.goldBytesPerSymbolMinute} bytes per symbol-minute) or today's trades.

## Sizing

${table}

## What breaks first

${breaks}

What changes there:

- **Partition key.** Kinesis caps a shard at 1,000 records/s and the key is the symbol, so the hottest symbol
  pins one shard: past ~${n(Math.floor((QUOTAS.kinesisShardRecordsIn.value * ASSUMPTIONS.utilisation) / hot.share))} trades/s no shard count helps. Key by \`symbol#operation_id\`
  (per-symbol order then comes from event time in silver, which already orders by it), or aggregate several
  trades per Kinesis record (KPL-style), which also divides PUT payload units and on-demand's 1 KB
  minimum per record.
- **Cost per record.** With ~100-byte trades every Kinesis price counts records, not bytes: on-demand bills
  each record as 1 KB. Aggregation, or MSK (billed per broker-hour), is the lever.
- **More shards per worker.** Our reader runs one Spark task per shard per batch, so a batch of thousands of
  shards is thousands of small tasks and files; group shards into one input partition per core, and
  coalesce before the Delta write.
- **Partitioned bronze.** Files per batch grow with shards: partition bronze by \`event_date\` and hour, and
  let the daily compaction (or Z-order on \`symbol\`) turn them into large files; Athena panels over
  "today's trades" then prune by hour instead of scanning the day.
- **Continuous silver/gold.** Once their work exceeds a few cores on average, run them as a streaming job
  from bronze's change data feed instead of hourly batches.
`;
}

interface BenchJson {
  [key: string]: unknown;
}

function readJson(file: string): BenchJson | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchJson) : null;
}

/** Fresh measurements from bench/results/*.json; figures a run did not produce keep their old values. */
export function measurementsFrom(dir: string, previous: Measurements, today: string): Measurements {
  const read = readJson(path.join(dir, 'kinesis_read.json')) as {
    shards_8_local_2?: { records_per_s: number };
    kinesalite_ceiling_8_shards?: { records_per_s: number };
    machine?: { cpus: number };
  } | null;
  const bronze = readJson(path.join(dir, 'bronze.json')) as {
    transport?: string;
    throughput?: { sustained_records_per_s: number | null };
    machine?: { cpus: number };
  } | null;
  const next = { ...previous, measuredOn: today };
  if (read?.shards_8_local_2) {
    next.kinesisReadPerCore = Math.round(read.shards_8_local_2.records_per_s / 2);
    next.kinesaliteCeiling = read.kinesalite_ceiling_8_shards?.records_per_s ?? null;
  }
  if (bronze?.transport === 'msk' && bronze.throughput?.sustained_records_per_s) {
    next.bronzePerCore = Math.round(bronze.throughput.sustained_records_per_s / (bronze.machine?.cpus ?? 2));
  }
  return next;
}

export const MEASUREMENTS_FILE = path.join(__dirname, '..', 'infra', 'capacity-measurements.json');
export const CAPACITY_FILE = path.join(__dirname, '..', 'infra', 'CAPACITY.md');

function main(argv: string[]): void {
  let measurements = JSON.parse(readFileSync(MEASUREMENTS_FILE, 'utf8')) as Measurements;
  const from = argv.indexOf('--measurements-from');
  if (from >= 0) {
    const dir = argv[from + 1];
    if (dir === undefined) throw new Error('--measurements-from: expected a folder of bench JSON');
    measurements = measurementsFrom(dir, measurements, new Date().toISOString().slice(0, 10));
    writeFileSync(MEASUREMENTS_FILE, JSON.stringify(measurements, null, 2) + '\n');
  }
  writeFileSync(CAPACITY_FILE, renderCapacity(measurements));
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error: unknown) {
    process.stderr.write(`bench/capacity: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
