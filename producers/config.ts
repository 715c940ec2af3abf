// The produce command's configuration: its flags (each with a STREAMSOFT_* variable) and their validation.
import type { Command } from 'commander';
import { z } from 'zod';
import { addKafkaAuthOptions, kafkaAuthFields } from '../cli/kafka-auth-options';
import { envOption } from '../cli/options';
import {
  DEFAULT_KAFKA_BROKERS,
  DEFAULT_KINESIS_ENDPOINT,
  DEFAULT_REGISTRY_URL,
} from '../core/local-endpoints';
import { positiveInt, ratio } from '../core/validation';
import { DEFAULT_STREAM_NAME } from '../schemas/trade';
import { collectAssignment, fieldAssignments } from './field-values';

export function addProduceOptions(command: Command): Command {
  const upToKafka = command
    .addOption(envOption('--transport <kind>', 'where trades go: kinesis or msk', 'kinesis'))
    .addOption(envOption('--rate <n>', 'trades per second (0: as fast as acknowledged)', '1000'))
    .addOption(envOption('--count <n>', 'stop after this many trades'))
    .addOption(envOption('--duration <time>', 'stop after this long: seconds, or 30s, 5m, 1h'))
    .addOption(
      envOption(
        '--schema-version <n>',
        'Trade schema version to write: 1 or 2 (shipped, registered if missing) or any version registered for the subject',
        '2',
      ),
    )
    .addOption(envOption('--schema-file <avsc>', 'register this Avro schema file and write with it'))
    .addOption(
      envOption(
        '--set <field=value>',
        'value for a writer-schema field the simulator does not generate, instead of its default (repeatable)',
      ).argParser(collectAssignment),
    )
    .addOption(envOption('--seed <n>', 'seed for a reproducible trade sequence (default: random)'))
    .addOption(envOption('--dup-ratio <r>', 'share of records that resend an earlier trade', '0'))
    .addOption(envOption('--bad-ratio <r>', 'share of records that are not valid framed Avro', '0'))
    .addOption(envOption('--late-ratio <r>', 'share of trades with an event time minutes in the past', '0'))
    .addOption(
      envOption(
        '--jump-rate <rate>',
        'expected price jumps per trade of a symbol (Poisson; 0: no jumps)',
        '0',
      ),
    )
    .addOption(envOption('--jump-size <sigma>', 'standard deviation of the log price jump', '0.02'))
    .addOption(
      envOption(
        '--kinesis-endpoint <url>',
        'Kinesis endpoint, or "aws" for the real service',
        DEFAULT_KINESIS_ENDPOINT,
      ),
    )
    .addOption(envOption('--stream <name>', 'Kinesis stream name', DEFAULT_STREAM_NAME))
    .addOption(envOption('--shards <n>', 'shards when the stream is created', '4'))
    .addOption(
      envOption('--create-stream <when>', 'create a missing stream: auto (local only), yes, no', 'auto'),
    )
    .addOption(envOption('--concurrency <n>', 'Kinesis requests in flight at once', '8'))
    .addOption(
      envOption('--kafka-brokers <list>', 'comma-separated Kafka bootstrap brokers', DEFAULT_KAFKA_BROKERS),
    )
    .addOption(envOption('--topic <name>', 'Kafka topic', DEFAULT_STREAM_NAME))
    .addOption(envOption('--partitions <n>', 'partitions when the topic is created', '4'))
    .addOption(
      envOption('--create-topic <when>', 'create a missing topic: auto (plaintext only), yes, no', 'auto'),
    );
  return addKafkaAuthOptions(upToKafka, "the system's")
    .addOption(envOption('--compression <codec>', 'Kafka compression: none or gzip', 'gzip'))
    .addOption(envOption('--registry-url <url>', 'schema registry (Confluent API)', DEFAULT_REGISTRY_URL))
    .addOption(envOption('--region <region>', 'AWS region (default: the SDK provider chain)'))
    .addOption(envOption('--retry-attempts <n>', 'attempts per batch before records count as failed', '10'))
    .addOption(envOption('--record-file <path>', 'write every acknowledged record as a JSON line'))
    .addOption(envOption('--json', 'print the summary as JSON on stdout'));
}

/** `--jump-rate` and `--jump-size`, shared with `up`: a Poisson intensity per trade, a log-jump std-dev. */
export const jumpFields = {
  jumpRate: z.coerce
    .number({ error: 'must be a number' })
    .min(0, 'must be at least 0')
    .max(1, 'must be at most 1'),
  jumpSize: z.coerce
    .number({ error: 'must be a number' })
    .positive('must be greater than 0')
    .max(1, 'must be at most 1'),
};
const when = z
  .enum(['auto', 'yes', 'no'])
  .transform((value) => (value === 'auto' ? undefined : value === 'yes'));

/** `90`, `90s`, `5m`, `1h` → milliseconds. */
const duration = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, 'must be a number of seconds or end in ms, s, m or h')
  .transform((text) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text)!;
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
    return Number(match[1]) * unit;
  })
  .refine((ms) => ms > 0, 'must be greater than 0');

const url = z.string().url('must be a URL');

export const produceConfigSchema = z
  .object({
    transport: z.enum(['kinesis', 'msk'], { message: 'must be kinesis or msk' }),
    rate: z.coerce.number().min(0, 'must not be negative').finite('must be a number'),
    count: positiveInt.optional(),
    duration: duration.optional(),
    schemaVersion: z.coerce
      .number()
      .pipe(z.number().int('must be a version number').positive('must be a version number')),
    schemaFile: z.string().min(1).optional(),
    set: fieldAssignments,
    seed: z.coerce.number().int('must be a whole number').optional(),
    dupRatio: ratio,
    badRatio: ratio,
    lateRatio: ratio,
    ...jumpFields,
    kinesisEndpoint: z.union([z.literal('aws'), url]),
    stream: z.string().min(1),
    shards: positiveInt,
    createStream: when,
    concurrency: positiveInt.max(64, 'must be at most 64'),
    kafkaBrokers: z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((broker) => broker.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port[,host:port...]'))
          .min(1, 'must name a broker'),
      ),
    topic: z.string().min(1),
    partitions: positiveInt,
    createTopic: when,
    ...kafkaAuthFields,
    compression: z.enum(['none', 'gzip'], { message: 'must be none or gzip' }),
    registryUrl: url,
    region: z.string().optional(),
    retryAttempts: positiveInt.max(100, 'must be at most 100'),
    recordFile: z.string().optional(),
    json: z.boolean().optional(),
  })
  .refine((config) => config.dupRatio + config.badRatio <= 1, {
    message: '--dup-ratio plus --bad-ratio must not exceed 1',
    path: ['badRatio'],
  })
  .refine((config) => config.count === undefined || config.duration === undefined, {
    message: 'give --count or --duration, not both',
    path: ['duration'],
  });

export type ProduceConfig = z.infer<typeof produceConfigSchema>;
