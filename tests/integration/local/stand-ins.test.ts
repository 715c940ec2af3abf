// A real round trip through each stand-in started by local/services/throwaway-stand-ins: Kinesis PutRecords and
// GetRecords, Kafka produce and consume, registry register and fetch, and data surviving restarts.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Kafka, logLevel } from 'kafkajs';
import { startStandIns, type StandIns } from '../../../local/services/throwaway-stand-ins';
import { dataDirLayout } from '../../../core/paths';
import { listStreamsProbe } from '../../../local/services/kinesis';
import { logFile, readRunRecord } from '../../../local/services/supervisor';

jest.setTimeout(300_000);

let standIns: StandIns;

beforeAll(async () => {
  standIns = await startStandIns(['kinesis', 'kafka', 'registry']);
});

afterAll(async () => {
  await standIns?.stop();
});

function kinesisClient(): KinesisClient {
  return new KinesisClient({
    endpoint: standIns.endpoints.kinesis,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
}

async function readAll(client: KinesisClient, stream: string): Promise<string[]> {
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: stream }));
  const values: string[] = [];
  for (const shard of Shards ?? []) {
    let { ShardIterator: iterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    for (;;) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const record of page.Records ?? []) values.push(Buffer.from(record.Data!).toString('utf8'));
      if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return values.sort();
}

const AVRO_TICK = {
  type: 'record',
  name: 'Tick',
  namespace: 'com.streamsoft.test',
  fields: [
    { name: 'symbol', type: 'string' },
    { name: 'price', type: 'double' },
  ],
};

describe('stand-ins', () => {
  it('reports the endpoints in the documented shapes', () => {
    expect(standIns.endpoints.kinesis).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(standIns.endpoints.kafka).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(standIns.endpoints.registry).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
  });

  it('kinesis: PutRecords then GetRecords returns every record, also after a restart', async () => {
    const client = kinesisClient();
    await client.send(new CreateStreamCommand({ StreamName: 'round-trip', ShardCount: 2 }));
    const sent = Array.from({ length: 25 }, (_, i) => `trade-${String(i).padStart(2, '0')}`);
    const put = await client.send(
      new PutRecordsCommand({
        StreamName: 'round-trip',
        Records: sent.map((value, i) => ({ Data: Buffer.from(value), PartitionKey: `key-${i % 5}` })),
      }),
    );
    expect(put.FailedRecordCount).toBe(0);
    expect(await readAll(client, 'round-trip')).toEqual(sent);
    client.destroy();

    await standIns.restart('kinesis');
    const again = kinesisClient();
    expect(await readAll(again, 'round-trip')).toEqual(sent);
    again.destroy();
  });

  it('kinesis: a client that drops its connection mid-request does not take the server down', async () => {
    // Headers and the start of a body, then the socket closes: kinesalite's own handler throws on the
    // request's "aborted" error, which used to end the process for every other client (seen in CI).
    const { hostname, port } = new URL(standIns.endpoints.kinesis!);
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => {
        socket.write(
          'POST / HTTP/1.1\r\nHost: kinesis\r\nContent-Type: application/x-amz-json-1.1\r\n' +
            'X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 100\r\n\r\n{',
          () => setTimeout(() => socket.destroy(), 200),
        );
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await listStreamsProbe(standIns.endpoints.kinesis!)).toBe(true);
    expect(readFileSync(logFile(dataDirLayout(standIns.dataDir), 'kinesis'), 'utf8')).toMatch(
      /a client closed its connection mid-request/,
    );
  });

  it('kafka: messages produced with kafkajs are consumed back, also after a broker restart', async () => {
    const kafka = new Kafka({
      clientId: 'stand-ins-test',
      brokers: [standIns.endpoints.kafka!],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'round-trip', numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => `trade-${String(i).padStart(2, '0')}`);
    await producer.send({
      topic: 'round-trip',
      messages: sent.map((value, i) => ({ key: `k${i % 4}`, value })),
    });
    await producer.disconnect();

    const consumeAll = async (groupId: string): Promise<string[]> => {
      const consumer = kafka.consumer({ groupId });
      await consumer.connect();
      await consumer.subscribe({ topic: 'round-trip', fromBeginning: true });
      const received: string[] = [];
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              received.push(message.value!.toString('utf8'));
              if (received.length === sent.length) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      return received.sort();
    };

    expect(await consumeAll('round-trip-1')).toEqual(sent);
    await standIns.restart('kafka');
    expect(await consumeAll('round-trip-2')).toEqual(sent);
  });

  it('registry: a schema registered through the Confluent API is fetched back, also after a restart', async () => {
    const registry = new SchemaRegistry({ host: standIns.endpoints.registry! });
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(AVRO_TICK) },
      { subject: 'ticks-value' },
    );
    const encoded = await registry.encode(id, { symbol: 'ACME', price: 12.5 });
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ symbol: 'ACME', price: 12.5 });

    await standIns.restart('registry', { downMs: 200 });
    const fresh = new SchemaRegistry({ host: standIns.endpoints.registry! });
    expect(await fresh.getLatestSchemaId('ticks-value')).toBe(id);
    expect(await fresh.decode(encoded)).toEqual({ symbol: 'ACME', price: 12.5 });
  });
});

describe('a stand-in that died while in use', () => {
  it('is reported at stop with the end of its log', async () => {
    const own = await startStandIns(['kinesis']);
    const record = readRunRecord(dataDirLayout(own.dataDir), 'kinesis')!;
    process.kill(-record.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await own.stop();
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toMatch(
      new RegExp(
        `^stand-in kinesis \\(pid ${record.pid}\\) had exited before stop; its log ends:\\n[^]*kinesalite listening at`,
      ),
    );
  });
});
