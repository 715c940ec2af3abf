// `streamsoft jobs bronze|silver|gold|compact`: run a Glue job script on local Spark against the local lake.
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { addKafkaAuthOptions, kafkaAuthFields } from '../cli/kafka-auth-options';
import { envOption } from '../cli/options';
import { parseConfig } from '../core/validation';
import { logger as rootLogger } from '../core/logger';
import {
  DEFAULT_KAFKA_BROKERS,
  DEFAULT_KINESIS_ENDPOINT,
  DEFAULT_REGISTRY_URL,
} from '../core/local-endpoints';
import { DEFAULT_DATA_DIR } from '../core/paths';
import { DEFAULT_STREAM_NAME } from '../schemas/trade';
import { bronzeArguments, toArgv } from './job-arguments';
import {
  JOB_SUMMARY_LINE,
  localBatchArgs,
  localJobLocations,
  runJob,
  type JobName,
  type JobResult,
} from './run-job';
// The subject's latest version, followed while the job runs; an .avsc path pins the reader schema.
const DEFAULT_READER_SCHEMA = 'registry';

const startingPosition = z
  .string()
  .refine(
    (value) =>
      ['latest', 'earliest', 'trim_horizon'].includes(value.toLowerCase()) ||
      /^\d+$/.test(value) ||
      !Number.isNaN(Date.parse(value)),
    'must be latest, earliest, an ISO-8601 time or epoch milliseconds',
  );

const bronzeConfigSchema = z.object({
  source: z.enum(['kinesis', 'msk'], { message: 'must be kinesis or msk' }),
  stream: z.string().min(1),
  topic: z.string().min(1).optional(),
  kinesisEndpoint: z.union([z.literal('aws'), z.url({ message: 'must be a URL or "aws"' })]),
  region: z.string().min(1),
  kafkaBrokers: z.string().min(1),
  ...kafkaAuthFields,
  registryUrl: z.url({ message: 'must be a URL' }),
  readerSchema: z.string().min(1),
  triggerSeconds: z.coerce.number().int().min(0, 'must be 0 or more seconds'),
  startingPosition,
  availableNow: z.boolean().default(false),
  maxRecordsPerTrigger: z.coerce.number().int().positive('must be a positive number').optional(),
  dataDir: z.string().min(1),
});
export type BronzeJobConfig = z.infer<typeof bronzeConfigSchema>;

const batchConfigSchema = z.object({ dataDir: z.string().min(1) });

/** bronze_streaming.py's command line for a local run: the one source the config names. */
export function bronzeJobArgs(config: BronzeJobConfig): string[] {
  const kafka = config.source === 'msk';
  const args = bronzeArguments({
    locations: localJobLocations(config.dataDir),
    region: config.region,
    registryUrl: config.registryUrl,
    readerSchema: config.readerSchema,
    triggerSeconds: config.triggerSeconds,
    startingPosition: config.startingPosition,
    ...(kafka
      ? {
          kafka: {
            topic: config.topic ?? config.stream,
            brokers: config.kafkaBrokers,
            auth: config.kafkaAuth,
            ...(config.kafkaUsername === undefined ? {} : { username: config.kafkaUsername }),
            ...(config.kafkaPassword === undefined ? {} : { password: config.kafkaPassword }),
            ...(config.kafkaCaFile === undefined ? {} : { caFile: path.resolve(config.kafkaCaFile) }),
          },
        }
      : { kinesis: { streamName: config.stream, endpoint: config.kinesisEndpoint } }),
    availableNow: config.availableNow,
    ...(config.maxRecordsPerTrigger === undefined
      ? {}
      : { maxRecordsPerTrigger: config.maxRecordsPerTrigger }),
  });
  // The job names its query `<job>-<source>` (the Delta idempotence id of its writes).
  return ['--JOB_NAME', 'streamsoft-bronze', ...toArgv(args)];
}

/** Runs a job in the foreground: its log lines on stderr, Ctrl-C/SIGTERM stop it cleanly, twice kills it. */
async function runInForeground(job: JobName, args: string[], dataDir: string): Promise<JobResult> {
  const log = rootLogger('jobs', { job });
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      process.stderr.write(`\nstreamsoft: second ${signal}, killing the ${job} job\n`);
      process.exit(130);
    }
    log.info({ signal }, 'stopping the job (send the signal again to kill it)');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runJob({
      job,
      args,
      dataDir,
      signal: stop.signal,
      logger: log,
      // The JSON summary is the command's output (stdout, for scripts); the log lines go to stderr.
      onLine: (line) => (JOB_SUMMARY_LINE.test(line) ? process.stdout : process.stderr).write(line + '\n'),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('Run the Glue jobs on local Spark against the local lake');

  const bronze = jobs
    .command('bronze')
    .description(
      'Stream trades from Kinesis or MSK into bronze Delta tables (until stopped, or --available-now)',
    )
    .addOption(envOption('--source <kind>', 'where trades come from: kinesis or msk', 'kinesis'))
    .addOption(envOption('--stream <name>', 'Kinesis stream name (and Kafka topic)', DEFAULT_STREAM_NAME))
    .addOption(envOption('--topic <name>', 'Kafka topic (default: the --stream name)'))
    .addOption(envOption('--kinesis-endpoint <url>', 'Kinesis endpoint, or "aws"', DEFAULT_KINESIS_ENDPOINT))
    .addOption(envOption('--region <region>', 'AWS region', 'us-east-1'))
    .addOption(
      envOption('--kafka-brokers <list>', 'comma-separated Kafka bootstrap brokers', DEFAULT_KAFKA_BROKERS),
    );
  addKafkaAuthOptions(bronze, "the JVM's")
    .addOption(envOption('--registry-url <url>', 'schema registry (Confluent API)', DEFAULT_REGISTRY_URL))
    .addOption(
      envOption(
        '--reader-schema <path>',
        'reader schema: an .avsc file, or "registry" for the latest version of the subject',
        DEFAULT_READER_SCHEMA,
      ),
    )
    .addOption(envOption('--trigger-seconds <n>', 'micro-batch interval', '5'))
    .addOption(
      envOption(
        '--starting-position <pos>',
        'first start: latest, earliest, or a time (ISO-8601 / epoch ms)',
        'earliest',
      ),
    )
    .addOption(envOption('--available-now', 'drain what is in the stream, then exit'))
    .addOption(envOption('--max-records-per-trigger <n>', 'cap per micro-batch (per shard on Kinesis)'))
    .addOption(envOption('--data-dir <path>', 'local state: lake, checkpoints, logs', DEFAULT_DATA_DIR))
    .action(async (raw: Record<string, unknown>) => {
      const config = parseConfig(bronzeConfigSchema, raw);
      await runInForeground('bronze', bronzeJobArgs(config), config.dataDir);
    });

  const batchJobs = {
    silver: 'Run the silver batch job once over what arrived since its last run',
    gold: 'Run the gold batch job once over what arrived since its last run',
    // Each writer compacts its own tables (the bronze job every --compact-every-minutes, silver and gold
    // VACUUM after each run); this is for a lake nothing writes: one writer per Delta table.
    compact:
      'Compact lake tables (OPTIMIZE past days, then VACUUM) only while no pipeline or job writes the lake',
  } as const;
  for (const [job, description] of Object.entries(batchJobs) as [keyof typeof batchJobs, string][]) {
    jobs
      .command(job)
      .description(`${description} (extra job arguments after --)`)
      .argument('[args...]', 'extra arguments for the job script (after -- or as unknown options)')
      .allowUnknownOption()
      .addOption(envOption('--data-dir <path>', 'local state: lake, checkpoints, logs', DEFAULT_DATA_DIR))
      .action(async (extra: string[], raw: Record<string, unknown>) => {
        const config = parseConfig(batchConfigSchema, raw);
        await runInForeground(job, [...localBatchArgs(job, config.dataDir), ...extra], config.dataDir);
      });
  }
}
