// The `streamsoft` subcommands `up` runs as children, with the flags that point them at this run's
// stand-ins and data dir. Flags are always passed explicitly, so a STREAMSOFT_* variable meant for `up`
// cannot silently redirect a child.
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
    ...(config.seed === undefined ? [] : ['--seed', String(config.seed)]),
  ];
}

export function bronzeArgs(config: UpConfig, endpoints: StandInEndpoints): string[] {
  return [
    'jobs',
    'bronze',
    '--source',
    config.transport,
    ...transportArgs(config, endpoints),
    '--stream',
    config.stream,
    '--registry-url',
    endpoints.registry,
    '--trigger-seconds',
    String(config.triggerSeconds),
    '--data-dir',
    config.dataDir,
  ];
}

export function batchJobArgs(job: 'silver' | 'gold', config: UpConfig): string[] {
  return ['jobs', job, '--data-dir', config.dataDir];
}
