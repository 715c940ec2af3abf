// The jobs' own arguments (what bronze_streaming.py, silver_batch.py, gold_batch.py and refine_streaming.py
// parse), built in this one module. The deployed job definitions (infra/constructs/glue-jobs.ts), `up`,
// `streamsoft jobs`, the e2e tests and the benchmarks all call it, so a renamed flag or a moved checkpoint
// is one change here. Glue's own arguments (`--JOB_NAME`, `--conf`, `--extra-py-files`, …) stay with the
// job definition (infra/constructs/glue-job-definition.ts); tests/jobs/test_glue_contract.py feeds the
// synthesized result to each job's parser.

/** Where a job's tables and checkpoints live: `s3://<bucket>/lake|checkpoints` on AWS, folders locally. */
export interface JobLocations {
  readonly lakePath: string;
  readonly checkpointsPath: string;
}

export type BronzeSource = 'kinesis' | 'kafka';
/** bronze_streaming.py's Kinesis readers (streamsoft_jobs/kinesis_readers.py; glue-streaming/BRONZE.md). */
export type KinesisReaderName = 'streamsoft' | 'aws';
export type KafkaAuth = 'none' | 'iam' | 'tls' | 'scram';

/**
 * Each query's checkpoint folder under `checkpointsPath`. Bronze keeps one per source, so adding or removing
 * a transport never replays the other; continuous refine uses the batch jobs' folders, so a deployment can
 * switch modes without replaying anything.
 */
export const CHECKPOINTS = {
  bronze: (source: BronzeSource): string => `bronze-${source}`,
  silver: 'silver',
  gold: 'gold',
} as const;

/** `<root>/<name>` for an S3 URI or a POSIX folder alike. */
export function checkpointPath(locations: JobLocations, name: string): string {
  return `${locations.checkpointsPath.replace(/\/+$/, '')}/${name}`;
}

export interface BronzeArguments {
  readonly locations: JobLocations;
  readonly region: string;
  readonly registryUrl: string;
  readonly triggerSeconds: number;
  /** latest | earliest | trim_horizon | an ISO-8601 time | epoch milliseconds */
  readonly startingPosition: string;
  /** `registry` (the subject's latest version, followed while the job runs) or an .avsc path; job default: registry. */
  readonly readerSchema?: string;
  readonly kinesis?: {
    readonly streamName: string;
    /** An emulator's URL; unset on AWS (the regional endpoint). */
    readonly endpoint?: string;
    /**
     * Which reader the job reads the stream with; written out even for the default, so a deployed job
     * never depends on the Python default. Default here: streamsoft (ours, the one every test runs).
     */
    readonly reader?: KinesisReaderName;
    /** With reader `aws`: the enhanced fan-out consumer registered for the job (SubscribeToShard). */
    readonly efoConsumer?: string;
  };
  readonly kafka?: {
    readonly topic: string;
    readonly brokers: string;
    readonly auth: KafkaAuth;
    /** The consumer-group prefix an MSK IAM policy allows (`<prefix>*`). */
    readonly groupIdPrefix?: string;
    readonly username?: string;
    readonly password?: string;
    readonly caFile?: string;
  };
  /** OPTIMIZE + VACUUM of the bronze tables by the job itself this often (0: never); job default otherwise. */
  readonly compactEveryMinutes?: number;
  /** Publish per-batch metrics to this CloudWatch namespace. */
  readonly cloudwatchNamespace?: string;
  /** Drain what is in the stream, then stop. */
  readonly availableNow?: boolean;
  readonly maxRecordsPerTrigger?: number;
}

/** bronze_streaming.py's arguments: one query per configured source, each on its own checkpoint. */
export function bronzeArguments(spec: BronzeArguments): Record<string, string> {
  const sources: BronzeSource[] = [
    ...(spec.kinesis === undefined ? [] : ['kinesis' as const]),
    ...(spec.kafka === undefined ? [] : ['kafka' as const]),
  ];
  if (sources.length === 0) throw new Error('bronze job arguments: a Kinesis or a Kafka source is required');
  const args: Record<string, string> = {
    '--source': sources.join(','),
    '--lake-path': spec.locations.lakePath,
    '--region': spec.region,
    '--registry-url': spec.registryUrl,
    '--trigger-seconds': String(spec.triggerSeconds),
    '--starting-position': spec.startingPosition,
  };
  for (const source of sources) {
    args[`--${source}-checkpoint-path`] = checkpointPath(spec.locations, CHECKPOINTS.bronze(source));
  }
  if (spec.readerSchema !== undefined) args['--reader-schema'] = spec.readerSchema;
  if (spec.kinesis !== undefined) {
    args['--stream-name'] = spec.kinesis.streamName;
    if (spec.kinesis.endpoint !== undefined) args['--kinesis-endpoint'] = spec.kinesis.endpoint;
    const reader = spec.kinesis.reader ?? 'streamsoft';
    args['--kinesis-reader'] = reader;
    if (spec.kinesis.efoConsumer !== undefined) {
      if (reader !== 'aws') {
        throw new Error('bronze job arguments: an enhanced fan-out consumer needs the aws Kinesis reader');
      }
      args['--kinesis-efo-consumer'] = spec.kinesis.efoConsumer;
    }
  }
  const kafka = spec.kafka;
  if (kafka !== undefined) {
    args['--topic'] = kafka.topic;
    args['--kafka-brokers'] = kafka.brokers;
    args['--kafka-auth'] = kafka.auth;
    if (kafka.groupIdPrefix !== undefined) args['--kafka-group-id-prefix'] = kafka.groupIdPrefix;
    if (kafka.username !== undefined) args['--kafka-username'] = kafka.username;
    if (kafka.password !== undefined) args['--kafka-password'] = kafka.password;
    if (kafka.caFile !== undefined) args['--kafka-ca-file'] = kafka.caFile;
  }
  if (spec.compactEveryMinutes !== undefined) {
    args['--compact-every-minutes'] = String(spec.compactEveryMinutes);
  }
  if (spec.cloudwatchNamespace !== undefined) args['--cloudwatch-namespace'] = spec.cloudwatchNamespace;
  if (spec.availableNow === true) args['--available-now'] = 'true';
  if (spec.maxRecordsPerTrigger !== undefined) {
    args['--max-records-per-trigger'] = String(spec.maxRecordsPerTrigger);
  }
  return args;
}

/** silver_batch.py's or gold_batch.py's arguments: the lake and the job's own checkpoint. */
export function batchArguments(job: 'silver' | 'gold', locations: JobLocations): Record<string, string> {
  return {
    '--lake-path': locations.lakePath,
    '--checkpoint-path': checkpointPath(locations, CHECKPOINTS[job]),
  };
}

/** compact_batch.py's arguments: the lake (it keeps no checkpoint; `streamsoft jobs compact` only). */
export function compactArguments(locations: JobLocations): Record<string, string> {
  return { '--lake-path': locations.lakePath };
}

/** refine_streaming.py's arguments: silver and gold continuously, on the batch jobs' checkpoints. */
export function refineArguments(locations: JobLocations, triggerSeconds: number): Record<string, string> {
  return {
    '--lake-path': locations.lakePath,
    '--silver-checkpoint-path': checkpointPath(locations, CHECKPOINTS.silver),
    '--gold-checkpoint-path': checkpointPath(locations, CHECKPOINTS.gold),
    '--trigger-seconds': String(triggerSeconds),
  };
}

/** The checkpoint folders (relative to `checkpointsPath`) a job's arguments name: its IAM write scope. */
export function checkpointsOf(args: Record<string, string>, locations: JobLocations): string[] {
  const root = checkpointPath(locations, '');
  return Object.entries(args)
    .filter(([flag]) => flag.endsWith('checkpoint-path'))
    .map(([, value]) => (value.startsWith(root) ? value.slice(root.length) : value));
}

/** A Glue argument map as a command line (`--key value …`), for running a script locally. */
export function toArgv(args: Record<string, string>): string[] {
  return Object.entries(args).flatMap(([flag, value]) => [flag, value]);
}
