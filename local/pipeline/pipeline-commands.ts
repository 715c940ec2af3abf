// What `up` runs, pointed at this run's stand-ins and data dir: the `streamsoft` subcommands it starts as
// children (flags always explicit, so a STREAMSOFT_* variable meant for `up` cannot redirect a child) and
// the bronze job's settings.
import type { BronzeJobConfig } from '../../glue-streaming/command';
import type { UpConfig } from './config';

export interface StandInEndpoints {
  /** http://127.0.0.1:PORT (kinesis transport) */
  kinesis?: string;
  /** 127.0.0.1:PORT (msk transport) */
  kafka?: string;
  /** http://127.0.0.1:PORT/apis/ccompat/v7 */
  registry: string;
}

export function registerSchemasArgs(config: UpConfig, endpoints: StandInEndpoints): string[] {
  return ['schemas', 'register', '--registry-url', endpoints.registry, '--stream', config.stream];
}

function transportArgs(config: UpConfig, endpoints: StandInEndpoints): string[] {
  return config.transport === 'kinesis'
    ? ['--kinesis-endpoint', endpoints.kinesis ?? '']
    : ['--kafka-brokers', endpoints.kafka ?? ''];
}

/** Shards of up's Kinesis stream, or partitions of its Kafka topic. */
const UP_LANES = 4;

export function produceArgs(config: UpConfig, endpoints: StandInEndpoints): string[] {
  return [
    'produce',
    '--transport',
    config.transport,
    '--rate',
    String(config.rate),
    ...transportArgs(config, endpoints),
    '--stream',
    config.stream,
    '--topic',
    config.stream,
    // up creates the stream (or topic) with this many lanes; its bronze batch cap is per shard on Kinesis
    '--shards',
    String(UP_LANES),
    '--partitions',
    String(UP_LANES),
    '--registry-url',
    endpoints.registry,
    '--dup-ratio',
    String(config.dupRatio),
    '--bad-ratio',
    String(config.badRatio),
    '--late-ratio',
    String(config.lateRatio),
    '--jump-rate',
    String(config.jumpRate),
    '--jump-size',
    String(config.jumpSize),
    ...(config.seed === undefined ? [] : ['--seed', String(config.seed)]),
  ];
}

/** A bronze run on local stand-ins: what differs between `up`, the e2e tests and the benchmark. */
export interface LocalBronzeRun {
  transport: 'kinesis' | 'msk';
  /** The Kinesis stream, or the Kafka topic. */
  stream: string;
  endpoints: StandInEndpoints;
  dataDir: string;
  triggerSeconds: number;
  /** Drain what is in the stream, then stop (`--available-now`). */
  availableNow: boolean;
  maxRecordsPerTrigger?: number;
}

/**
 * The bronze job's settings against local stand-ins, from the start of the stream, reading with the
 * subject's latest registered version (bronze reads every version into it and follows new ones).
 */
export function localBronzeJobConfig(run: LocalBronzeRun): BronzeJobConfig {
  return {
    source: run.transport,
    stream: run.stream,
    topic: run.stream,
    // The other transport's endpoint is never contacted; these only keep the job's arguments complete.
    kinesisEndpoint: run.endpoints.kinesis ?? 'aws',
    region: 'us-east-1',
    kafkaBrokers: run.endpoints.kafka ?? '',
    kafkaAuth: 'none',
    registryUrl: run.endpoints.registry,
    // the subject's latest version, followed while the job runs (glue-streaming/BRONZE.md "Schema evolution")
    readerSchema: 'registry',
    triggerSeconds: run.triggerSeconds,
    startingPosition: 'earliest',
    availableNow: run.availableNow,
    ...(run.maxRecordsPerTrigger === undefined ? {} : { maxRecordsPerTrigger: run.maxRecordsPerTrigger }),
    dataDir: run.dataDir,
  };
}

/**
 * Seconds of input (at up's --rate) one bronze micro-batch takes at most. The producer starts before the
 * bronze JVM does, so the stream holds a backlog when the query starts; uncapped, the first batch is the
 * whole backlog (97,590 trades after a 3-minute start at 500/s, tens of seconds of work) and every layer
 * waits for it. Capped, the first rows reach bronze, silver and gold within a short batch, and the
 * backlog follows in batches the size of a few seconds of input.
 */
const UP_BATCH_INPUT_SECONDS = 10;

/**
 * --max-records-per-trigger for up's bronze job. Kafka caps a batch in total; Kinesis caps it per shard, and
 * the eight symbols hash unevenly over the shards, so a shard may take twice its even share.
 */
function batchCap(config: UpConfig): number {
  const records = Math.max(1000, Math.ceil(config.rate * UP_BATCH_INPUT_SECONDS));
  return config.transport === 'kinesis' ? Math.ceil((2 * records) / UP_LANES) : records;
}

/** The bronze streaming job's settings for this run: the chosen transport's stand-in, from the start. */
export function bronzeJobConfig(config: UpConfig, endpoints: StandInEndpoints): BronzeJobConfig {
  return localBronzeJobConfig({
    transport: config.transport,
    stream: config.stream,
    endpoints,
    dataDir: config.dataDir,
    triggerSeconds: config.triggerSeconds,
    availableNow: false,
    maxRecordsPerTrigger: batchCap(config),
  });
}
