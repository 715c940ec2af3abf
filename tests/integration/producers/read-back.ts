// Independent consumers for the producer's integration tests: everything in a Kinesis stream (all shards,
// from TRIM_HORIZON) or a Kafka topic (all partitions, up to the high watermarks), in stream order.
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { readFileSync } from 'node:fs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, KafkaJSError, logLevel, type KafkaConfig } from 'kafkajs';
import type { RecordLine } from '../../../producers/record-file';

const READ_TIMEOUT_MS = 120_000;

export interface StreamRecord {
  partition: string;
  position: string;
  key: string;
  value: Buffer;
}

export async function readKinesisStream(endpoint: string, streamName: string): Promise<StreamRecord[]> {
  const client = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // The SDK's default Kinesis handler speaks HTTP/2, which kinesalite does not.
    requestHandler: new NodeHttpHandler(),
  });
  try {
    const shards = (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
    const out: StreamRecord[] = [];
    for (const shard of shards) {
      let iterator = (
        await client.send(
          new GetShardIteratorCommand({
            StreamName: streamName,
            ShardId: shard.ShardId!,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )
      ).ShardIterator;
      while (iterator !== undefined) {
        const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        for (const record of page.Records ?? []) {
          out.push({
            partition: shard.ShardId!,
            position: record.SequenceNumber!,
            key: record.PartitionKey!,
            value: Buffer.from(record.Data!),
          });
        }
        if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    return out;
  } finally {
    client.destroy();
  }
}

/** `security`: kafkajs's TLS and SASL settings for a secure listener (plaintext without). */
export async function readKafkaTopic(
  brokers: string,
  topic: string,
  security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {},
): Promise<StreamRecord[]> {
  const kafka = new Kafka({
    clientId: 'read-back',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    ...security,
  });
  const watermarks = await highWatermarks(kafka, topic);
  const end = new Map(watermarks.map((w) => [w.partition, BigInt(w.high)]));
  const remaining = new Set(watermarks.filter((w) => BigInt(w.high) > BigInt(w.low)).map((w) => w.partition));
  const out: StreamRecord[] = [];
  if (remaining.size === 0) return out;

  const consumer = kafka.consumer({
    groupId: `read-back-${process.pid}-${Date.now()}`,
    maxBytes: 50 * 1024 * 1024,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`read ${out.length} records of ${topic}; partitions ${[...remaining]} unfinished`),
          ),
        READ_TIMEOUT_MS,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              if (BigInt(message.offset) >= end.get(batch.partition)!) continue;
              out.push({
                partition: String(batch.partition),
                position: message.offset,
                key: message.key!.toString(),
                value: message.value!,
              });
              if (BigInt(message.offset) + 1n >= end.get(batch.partition)!) remaining.delete(batch.partition);
            }
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Partition offsets, waiting out a broker that has just restarted and not yet led its partitions. */
async function highWatermarks(kafka: Kafka, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await admin.fetchTopicOffsets(topic);
      } catch (error) {
        if (!(error instanceof KafkaJSError && error.retriable) || attempt >= 60) throw error;
        await sleep(500);
      }
    }
  } finally {
    await admin.disconnect();
  }
}

export function readRecordFile(path: string): RecordLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as RecordLine);
}
