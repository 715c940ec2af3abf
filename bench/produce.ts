// Producer throughput per transport on this machine, as JSON: records/s, MB/s and ack latency p50/p99
// for Kinesis (kinesalite) and Kafka (the local KRaft broker, acks=all), plus kinesalite's own raw
// PutRecords ceiling measured in the same run and the producer's ratio to it.
// Run: npx tsx bench/produce.ts [--count N] [--kafka-count N]
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { createKafkaTransport } from '../connectors/kafka/transport';
import { createKinesisClient } from '../connectors/kinesis/client';
import { ensureStream } from '../connectors/kinesis/stream';
import { createKinesisTransport } from '../connectors/kinesis/transport';
import { RegistryClient } from '../connectors/serde/registry-client';
import { createTradeSerde, type TradeSerde } from '../connectors/serde/trade-serde';
import type { Transport } from '../connectors/transport';
import { silentLogger } from '../core/logger';
import { runProducer, type ProducerSummary } from '../producers/run-producer';
import { TradeSimulator } from '../producers/trade-simulator';
import { tradeSchema } from '../schemas/trade-schemas';
import { startStandIns } from '../local/services/throwaway-stand-ins';

const KINESIS_CONCURRENCY = 8;
const CEILING_CONCURRENCY = 16;

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function serdeFor(registryUrl: string, subject: string): Promise<TradeSerde> {
  await new RegistryClient({ url: registryUrl }).register(subject, tradeSchema(2));
  return createTradeSerde({ registryUrl, subject, schemaVersion: 2 });
}

function figures(summary: ProducerSummary, cpuSeconds: number) {
  const seconds = summary.durationMs / 1000;
  return {
    /** Records per second of this process's CPU: what one core sustains while others share the machine. */
    recordsPerCpuSec: Math.round(summary.acked / cpuSeconds),
    records: summary.acked,
    failed: summary.failed,
    retried: summary.retried,
    recordsPerSec: Math.round(summary.acked / seconds),
    mbPerSec: Number((summary.bytes / 1e6 / seconds).toFixed(2)),
    ackLatencyMs: summary.ackLatencyMs,
  };
}

async function produce(transport: Transport, serde: TradeSerde, count: number) {
  await transport.connect();
  const cpu = process.cpuUsage();
  const summary = await runProducer(
    { rate: 0, count },
    { simulator: new TradeSimulator({ seed: 1 }), encoder: serde, transport },
  );
  const used = process.cpuUsage(cpu);
  await transport.close();
  return figures(summary, (used.user + used.system) / 1e6);
}

/** kinesalite's ceiling: pre-encoded 500-record PutRecords requests, CEILING_CONCURRENCY at a time. */
async function kinesisCeiling(endpoint: string, serde: TradeSerde, count: number) {
  // Encode everything first, so the measured loop does nothing but PutRecords.
  const simulator = new TradeSimulator({ seed: 2 });
  const requests: PutRecordsCommandInput[] = [];
  let bytes = 0;
  for (let sent = 0; sent < count; sent += 500) {
    const Records = Array.from({ length: Math.min(500, count - sent) }, () => {
      const { trade } = simulator.next();
      const Data = serde.encode(trade);
      bytes += Data.length;
      return { Data, PartitionKey: trade.symbol };
    });
    requests.push({ StreamName: 'bench-ceiling', Records });
  }
  const client = createKinesisClient({ endpoint, maxSockets: CEILING_CONCURRENCY });
  await ensureStream(client, { streamName: 'bench-ceiling', shards: 4, create: true, logger: silentLogger });
  let next = 0;
  let failed = 0;
  let resent = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CEILING_CONCURRENCY }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        for (;;) {
          try {
            const out = await client.send(new PutRecordsCommand(request));
            failed += out.FailedRecordCount ?? 0;
            break;
          } catch {
            // A kept-alive socket the emulator closed: send the same request again.
            resent++;
          }
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  client.destroy();
  return {
    records: count - failed,
    failed,
    resentRequests: resent,
    concurrency: CEILING_CONCURRENCY,
    recordsPerSec: Math.round((count - failed) / seconds),
    mbPerSec: Number((bytes / 1e6 / seconds).toFixed(2)),
  };
}

async function main(): Promise<void> {
  const count = flag('--count', 60_000);
  const kafkaCount = flag('--kafka-count', 200_000);
  const standIns = await startStandIns(['kinesis', 'kafka', 'registry']);
  try {
    const { kinesis, kafka, registry } = standIns.endpoints as Required<typeof standIns.endpoints>;

    const kinesisSerde = await serdeFor(registry, 'bench-kinesis-value');
    const ceiling = await kinesisCeiling(kinesis, kinesisSerde, count);
    const kinesisProducer = await produce(
      createKinesisTransport({
        client: createKinesisClient({ endpoint: kinesis, maxSockets: KINESIS_CONCURRENCY * 2 }),
        endpoint: kinesis,
        streamName: 'bench-kinesis',
        shards: 4,
        createStream: true,
        concurrency: KINESIS_CONCURRENCY,
      }),
      kinesisSerde,
      count,
    );

    const kafkaSerde = await serdeFor(registry, 'bench-kafka-value');
    const kafkaResults: Record<string, unknown> = {};
    for (const compression of ['none', 'gzip'] as const) {
      kafkaResults[compression] = await produce(
        createKafkaTransport({
          brokers: [kafka],
          topic: `bench-kafka-${compression}`,
          partitions: 4,
          createTopic: true,
          compression,
        }),
        kafkaSerde,
        kafkaCount,
      );
    }

    const result = {
      benchmark: 'produce',
      loadAverage1m: Number(os.loadavg()[0]!.toFixed(1)),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
      },
      kinesis: {
        emulator: 'kinesalite',
        concurrency: KINESIS_CONCURRENCY,
        producer: kinesisProducer,
        emulatorCeiling: ceiling,
        ratioToCeiling: Number((kinesisProducer.recordsPerSec / ceiling.recordsPerSec).toFixed(3)),
      },
      msk: {
        broker: 'Apache Kafka (KRaft, local)',
        acks: 'all',
        idempotent: true,
        byCompression: kafkaResults,
      },
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    await standIns.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/produce: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
