// What `up` runs, pointed at this run's stand-ins and data dir: the `streamsoft` subcommands it starts as
// children (flags always explicit, so a STREAMSOFT_* variable meant for `up` cannot redirect a child) and
// the bronze job's settings.
import type { BronzeJobConfig } from '../../glue-streaming/command';
import type { UpConfig } from './config';

/** The producer writes the latest Trade version; bronze reads every version into it. */

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

/** The bronze streaming job's settings for this run: the chosen transport's stand-in, from the start. */
export function bronzeJobConfig(config: UpConfig, endpoints: StandInEndpoints): BronzeJobConfig {
  return {
    source: config.transport,
    stream: config.stream,
    topic: config.stream,
    kinesisEndpoint: endpoints.kinesis ?? 'aws',
    region: 'us-east-1',
    kafkaBrokers: endpoints.kafka ?? '',
    kafkaAuth: 'none',
    registryUrl: endpoints.registry,
    // the subject's latest version, followed while the job runs (glue-streaming/BRONZE.md "Schema evolution")
    readerSchema: 'registry',
    triggerSeconds: config.triggerSeconds,
    startingPosition: 'earliest',
    availableNow: false,
    dataDir: config.dataDir,
  };
}
