// The capacity model: infra/CAPACITY.md is what bench/capacity.ts renders from the committed measurements,
// and the model's arithmetic on a small case, worked out by hand from the quotas it cites.
import { readFileSync } from 'node:fs';
import { CAPACITY_FILE, measurementsFrom, renderCapacity } from '../../bench/capacity';
import { MEASUREMENTS_FILE, hotSymbol, model, type Measurements } from '../../infra/capacity-model';

const simple: Measurements = {
  measuredOn: 'test',
  machine: 'test',
  recordBytes: 100,
  bronzePerCore: 1000,
  kinesisReadPerCore: 1000,
  kinesaliteCeiling: null,
  silverGoldCpuSecondsPerRow: 0.001,
};

describe('capacity model', () => {
  test('infra/CAPACITY.md is up to date with bench/capacity.ts (regenerate: npx tsx bench/capacity.ts)', () => {
    const measurements = JSON.parse(readFileSync(MEASUREMENTS_FILE, 'utf8')) as Measurements;
    expect(readFileSync(CAPACITY_FILE, 'utf8')).toBe(renderCapacity(measurements));
  });

  test('1,000 trades/s of 100-byte records, by hand', () => {
    const sizing = model(1000, simple);
    // 1,000 records/s per shard at 70%: ceil(1000 / 700) = 2 shards; bytes need only 1
    // https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
    expect(sizing.kinesis.shards).toBe(2);
    // 2 shards × $0.015 × 730 h + 1,000 × 730 × 3,600 records × $0.014 per million payload units
    expect(sizing.kinesis.provisionedMonthly).toBeCloseTo(21.9 + 36.792, 6);
    // on-demand: each record billed as 1 KB: 2.628e9 KiB = 2,506.26 GiB × ($0.08 + $0.04) + 730 × $0.04
    expect(sizing.kinesis.onDemandMonthly).toBeCloseTo((2.628e9 / 1024 ** 2) * 0.12 + 29.2, 6);
    // 1,000 × (1/1000 + 1/1000) core-s / 0.7 = 2.857 cores: one G.1X executor worker + the driver's
    expect(sizing.bronze.cores).toBeCloseTo(2 / 0.7, 9);
    expect(sizing.bronze.workers).toBe(2);
    // 0.1 MB/s fits one broker; MSK spreads brokers over 3 AZs
    expect(sizing.msk.brokers).toBe(3);
    // 1.43 cores of silver + gold: hourly on 2 G.1X, busy 1.43 / 4 of each hour: 0.357 × 2 DPU × 730 h × $0.44
    expect(sizing.silverGold.mode).toBe('hourly');
    expect(sizing.silverGold.monthly).toBeCloseTo((1 / 0.7 / 4) * 2 * 730 * 0.44, 6);
    // 12 batches a minute × (2 shards' data files + 2 shard ends + 4 log/checkpoint files)
    expect(sizing.s3.putsPerMinute).toBe(12 * 8);
    expect(sizing.breaksFirst).toEqual([]);
  });

  test('the hottest symbol breaks Kinesis first: its shard passes 700 records/s', () => {
    const hot = hotSymbol();
    expect(hot.symbol).toBe('AAPL');
    const threshold = 700 / hot.share;
    expect(model(Math.floor(threshold), simple).breaksFirst).toEqual([]);
    expect(model(Math.ceil(threshold) + 1, simple).breaksFirst[0]).toMatch(
      /^Kinesis hot key: AAPL alone sends/,
    );
  });

  test('fresh bench JSON replaces only the figures it measured', () => {
    const next = measurementsFrom('tests/fixtures/capacity-bench', simple, '2026-12-02');
    expect(next).toEqual({
      ...simple,
      measuredOn: '2026-12-02',
      kinesisReadPerCore: 5000,
      kinesaliteCeiling: 12000,
    });
  });
});
