// The capacity model: what the deployed stack needs for a given trade rate, from the per-core rates measured
// by bench/ (infra/capacity-measurements.json) and AWS's published limits and prices (QUOTAS, PRICES below,
// each with its page). Used by `infra synth --expected-rate` to size the stack, and by bench/capacity.ts to
// render infra/CAPACITY.md.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UNIVERSE } from '../producers/universe';

export const MEASUREMENTS_FILE = path.join(__dirname, 'capacity-measurements.json');

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

export interface Sourced {
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

/** `n` rounded up to a multiple of `step`. */
export const roundUpTo = (n: number, step: number): number => Math.ceil(n / step) * step;

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

/** The committed measurements the model sizes from. */
export function committedMeasurements(): Measurements {
  return JSON.parse(readFileSync(MEASUREMENTS_FILE, 'utf8')) as Measurements;
}
