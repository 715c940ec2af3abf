// Serde-only throughput on one core, as JSON: records/s for encode (v2), decode (v2 -> v2) and decode of
// v1 records into the v2 reader, with static schemas (no registry, no I/O). Median of several rounds;
// rates per CPU second stay meaningful when other work shares the machine, wall-clock rates do not.
// Run: npx tsx bench/serde.ts [--records N] [--rounds N]
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { WireFormat } from '../connectors/serde/wire-format';
import type { Trade } from '../schemas/trade';
import { tradeSchema } from '../schemas/trade-schemas';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const SYMBOLS = [
  ['AAPL', 'NASDAQ', 'USD'],
  ['VOD.L', 'LSE', 'GBP'],
  ['7203.T', 'JPX', 'JPY'],
  ['AIR.PA', 'Euronext', 'EUR'],
  ['0700.HK', 'HKEX', 'HKD'],
] as const;

/** A fixed pool of varied trades (prices of different magnitudes, some brokers), cycled through. */
function tradePool(size: number): Trade[] {
  return Array.from({ length: size }, (_, i) => {
    const [symbol, exchange, currency] = SYMBOLS[i % SYMBOLS.length] as (typeof SYMBOLS)[number];
    const unscaled = (i * 7919 + 1) * (i % 3 === 0 ? 1 : 1013);
    return {
      operation_id: `6f1c1b0e-2f4e-4f60-9a3e-${i.toString(16).padStart(12, '0')}`,
      person_name: i % 4 === 0 ? 'Zoë Ångström' : 'Jane Doe',
      symbol,
      timestamp: 1764316800000 + i,
      exchange,
      currency,
      price: `${Math.floor(unscaled / 10000)}.${String(unscaled % 10000).padStart(4, '0')}`,
      operation: i % 2 === 0 ? 'purchase' : 'sale',
      quantity: 1 + (i % 500),
      broker: i % 3 === 0 ? null : 'Interactive Brokers',
    };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

interface Rate {
  /** Records per second of wall-clock time. */
  wall: number;
  /** Records per second of CPU time used by this process: what one core sustains, even on a busy machine. */
  cpu: number;
}

function measure(records: number, run: () => void): Rate {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  run();
  const wallSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { wall: Math.round(records / wallSeconds), cpu: Math.round(records / cpuSeconds) };
}

function main(): void {
  const records = flag('--records', 1_000_000);
  const rounds = flag('--rounds', 5);
  const wireFormat = new WireFormat<Trade>({
    readerSchema: tradeSchema(2),
    schemas: { 1: tradeSchema(1), 2: tradeSchema(2) },
  });
  const pool = tradePool(1024);
  const encoder = wireFormat.encoder(2);
  const framedV2 = pool.map((trade) => encoder.encode(trade));
  const framedV1 = pool.map((trade) => wireFormat.encode(1, trade));
  let sink = 0;

  const encode = (): void => {
    for (let i = 0; i < records; i += 1) sink += encoder.encode(pool[i & 1023] as Trade).length;
  };
  const decode = (framed: Buffer[]) => (): void => {
    for (let i = 0; i < records; i += 1) sink += wireFormat.decodeSync(framed[i & 1023] as Buffer).quantity;
  };

  // Warm-up so V8 has optimised the generated avsc readers and writers before measuring.
  for (let i = 0; i < 200_000; i += 1) {
    encoder.encode(pool[i & 1023] as Trade);
    wireFormat.decodeSync(framedV2[i & 1023] as Buffer);
    wireFormat.decodeSync(framedV1[i & 1023] as Buffer);
  }

  const results = { encode: [] as Rate[], decode: [] as Rate[], decodeV1AsV2: [] as Rate[] };
  for (let round = 0; round < rounds; round += 1) {
    results.encode.push(measure(records, encode));
    results.decode.push(measure(records, decode(framedV2)));
    results.decodeV1AsV2.push(measure(records, decode(framedV1)));
  }
  const summary = (rates: Rate[]) => ({
    per_cpu_s: median(rates.map((rate) => rate.cpu)),
    per_wall_s: median(rates.map((rate) => rate.wall)),
  });
  const meanBytes = framedV2.reduce((total, framed) => total + framed.length, 0) / framedV2.length;

  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'serde',
      unit: 'records/s on one core (per CPU second and per wall-clock second), median of rounds',
      records_per_round: records,
      rounds,
      encode_v2: summary(results.encode),
      decode_v2: summary(results.decode),
      decode_v1_as_v2: summary(results.decodeV1AsV2),
      mean_record_bytes: Math.round(meanBytes * 10) / 10,
      goal_encode_per_s: 500_000,
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        node: process.version,
        load_average_1m: os.loadavg()[0],
      },
      checksum: sink,
    })}\n`,
  );
}

main();
