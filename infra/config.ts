// The deployment configuration: chosen once (by main.ts or the CLI), validated here, then handed to the
// stack as a plain typed object. Constructs never read the environment; they receive slices of this.
import path from 'node:path';
import { z } from 'zod';
import { intBetween, parseConfig } from '../core/validation';
import { REPO_ROOT, TOOLS_DIR } from '../core/paths';
import { GLUE_WHEELS_DIR } from '../glue-streaming/glue-wheels';
import { ConfigError } from '../core/errors';
import { NAME_RULES } from './aws-rules';
import { applyExpectedRate } from './sizing';

export const TRANSPORTS = ['kinesis', 'msk', 'both'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** The bronze job's Kinesis readers (`--kinesis-reader` of bronze_streaming.py; glue-streaming/BRONZE.md). */
export const KINESIS_READERS = ['streamsoft', 'aws'] as const;
export type KinesisReader = (typeof KINESIS_READERS)[number];

const cidrV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function isCidr(value: string, maxPrefix = 32): boolean {
  const m = cidrV4.exec(value);
  if (m === null) return false;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  return octets.every((o) => o <= 255) && prefix <= maxPrefix;
}

const glueCron = (fallback: string) =>
  z
    .string()
    .regex(/^cron\(.+\)$/, `must be a Glue cron expression such as ${fallback}`)
    .default(fallback);

/** Name stem of every resource of an environment: `streamsoft-<env>`. */
const NAME_STEM = 'streamsoft';
/**
 * The longest suffix after `streamsoft-<env>` of a name with the tightest rule: the Athena results bucket's
 * `bucket_prefix` (`streamsoft-<env>-athena-results-`), which Terraform caps at 37 characters
 * (S3_BUCKET_PREFIX in aws-rules.ts). tests/infra/aws-rules.test.ts synthesizes every transport at this
 * length and one more, so a longer name elsewhere fails the tests rather than a deployment.
 */
const TIGHTEST_NAME_SUFFIX = '-athena-results-';
export const MAX_ENV_LENGTH =
  NAME_RULES.aws_s3_bucket!.bucket_prefix!.maxLength - `${NAME_STEM}-`.length - TIGHTEST_NAME_SUFFIX.length;
/**
 * Lowercase because S3 bucket names are; single hyphens, not at either end, because RDS identifiers
 * (`streamsoft-<env>-metabase`) may not hold two consecutive hyphens.
 */
const ENV_RULE =
  `must be 1-${MAX_ENV_LENGTH} lowercase letters and digits, starting with a letter, ` +
  'optionally split by single dashes (it is part of every AWS resource name)';

/** Every setting with its default; the CLI and `main.ts` pass only what the user chose. */
export const infraConfigSchema = z.object({
  env: z
    .string()
    .max(MAX_ENV_LENGTH, ENV_RULE)
    .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, ENV_RULE)
    .default('dev'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-west-1')
    .default('eu-west-1'),
  transport: z.enum(TRANSPORTS, { message: 'must be kinesis, msk or both' }).default('kinesis'),
  vpcCidr: z
    .string()
    .refine((v) => isCidr(v, 20), 'must be an IPv4 CIDR block of /20 or larger, e.g. 10.40.0.0/16')
    .default('10.40.0.0/16'),
  azCount: intBetween(2, 3).default(2),
  kinesisRetentionHours: intBetween(24, 8760).default(24),
  // Which reader the bronze job reads Kinesis with: ours (the default, the one the tests run) or Glue's
  // bundled `aws-kinesis` connector; with `aws`, kinesisEfo registers an enhanced fan-out consumer for it.
  kinesisReader: z.enum(KINESIS_READERS, { message: 'must be streamsoft or aws' }).default('streamsoft'),
  kinesisEfo: z.boolean().default(false),
  mskKafkaVersion: z
    .string()
    .regex(/^\d+\.\d+\.(\d+|x)(\.kraft)?$/, 'must be an MSK Kafka version such as 4.1.x.kraft')
    .default('4.1.x.kraft'),
  mskBrokerInstanceType: z
    .string()
    .regex(/^(kafka|express)\.[a-z0-9]+\.[a-z0-9]+$/)
    .default('kafka.m7g.large'),
  mskBrokerVolumeGb: intBetween(1, 16384).default(100),
  /** Brokers: a multiple of azCount (MSK spreads them evenly over the subnets); one per AZ by default. */
  mskBrokers: intBetween(2, 60).optional(),
  /** `num.partitions`: the partitions of a topic created without a count (the operator creates the topic). */
  mskPartitions: intBetween(1, 10_000).default(6),
  topic: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/)
    .default('trades'),
  consumerGroup: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/)
    .default('streamsoft-bronze'),
  glueSourceDir: z.string().default(path.join(REPO_ROOT, 'glue-streaming')),
  /** Wheels of the jobs' extra Python packages (Glue workers cannot reach PyPI), staged by `streamsoft setup`. */
  glueWheelsDir: z.string().default(GLUE_WHEELS_DIR),
  /** Upload no wheels: the jobs pip-install their packages from PyPI at start (needs a route to PyPI). */
  pipInstallModules: z.boolean().default(false),
  /** Where a Maven-fetched aws-msk-iam-auth `-all` jar is picked up when --msk-iam-auth-jar is not given. */
  mskIamJarDir: z.string().default(path.join(TOOLS_DIR, 'jars', 'msk-iam')),
  mskIamAuthJar: z
    .string()
    .refine(
      (v) => /^s3:\/\/[^/]+\/.+\.jar$/.test(v) || v.endsWith('.jar'),
      'must be an s3:// URI or a local path of a .jar',
    )
    .optional(),
  /** Size the Glue jobs and MSK from the capacity model for this many trades/s (infra/sizing.ts). */
  expectedRate: intBetween(1, 10_000_000).optional(),
  streamingWorkerType: z.enum(['G.025X', 'G.1X', 'G.2X']).default('G.025X'),
  streamingWorkers: intBetween(2, 100).default(2),
  batchWorkerType: z.enum(['G.1X', 'G.2X', 'G.4X']).default('G.1X'),
  batchWorkers: intBetween(2, 100).default(2),
  triggerSeconds: intBetween(1, 3600).default(30),
  startingPosition: z.enum(['earliest', 'latest']).default('earliest'),
  silverSchedule: glueCron('cron(0/15 * * * ? *)'),
  // batch: silver and gold Glue batch jobs in a workflow on silverSchedule (the default); continuous: one
  // Glue streaming job running both (refine_streaming.py), a micro-batch every refineTriggerSeconds.
  refineMode: z.enum(['batch', 'continuous'], { message: 'must be batch or continuous' }).default('batch'),
  refineTriggerSeconds: intBetween(1, 3600).default(10),
  // The bronze job compacts its tables (OPTIMIZE of past days, VACUUM) this often, in its own driver; 0: never.
  bronzeCompactMinutes: intBetween(0, 1440).default(60),
  registryImage: z.string().min(1).default('apicurio/apicurio-registry:3.3.3'),
  metabaseImage: z.string().min(1).default('metabase/metabase:v0.64.2.2'),
  certificateArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
      'must be an ACM certificate ARN',
    )
    .optional(),
  metabaseAdminEmail: z.email('must be an email address').default('admin@streamsoft.example.com'),
  metabaseAllowedCidrs: z
    .array(z.string().refine((v) => isCidr(v), 'must be IPv4 CIDR blocks'))
    .min(1)
    .default(['0.0.0.0/0']),
  dbInstanceClass: z
    .string()
    .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/)
    .default('db.t4g.micro'),
  postgresVersion: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .default('17'),
  alarmEmail: z.email('must be an email address').optional(),
  iteratorAgeThresholdMs: intBetween(1000, 7 * 24 * 3600 * 1000).default(60_000),
  offsetLagThreshold: intBetween(1, 1_000_000_000).default(10_000),
  /** Micro-batch duration that raises an alarm; by default twice the trigger interval. */
  batchDurationThresholdMs: intBetween(1000, 24 * 3600 * 1000).optional(),
  logRetentionDays: z
    .union(
      [z.literal(365), z.literal(400), z.literal(545), z.literal(731), z.literal(1827), z.literal(3653)],
      {
        message: 'must be one of 365, 400, 545, 731, 1827, 3653 (at least a year)',
      },
    )
    .default(365),
  /** Dev-only: turn off deletion protection and let `terraform destroy` empty buckets. */
  allowDestroy: z.boolean().default(false),
});

export type InfraConfig = z.output<typeof infraConfigSchema>;
export type InfraConfigInput = z.input<typeof infraConfigSchema>;

/** Validates user choices and fills defaults; the first invalid value throws one ConfigError line. */
export function resolveInfraConfig(raw: Record<string, unknown>): InfraConfig {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const parsed = parseConfig(infraConfigSchema, defined);
  const config = applyExpectedRate(parsed, new Set(Object.keys(defined)), {
    kinesis: includesKinesis(parsed.transport),
    msk: includesMsk(parsed.transport),
  });
  checkKinesisReader(config);
  // MSK spreads brokers evenly over the client subnets, one per AZ here
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-msk-cluster-brokernodegroupinfo.html).
  if (config.mskBrokers !== undefined && config.mskBrokers % config.azCount !== 0) {
    throw new ConfigError(
      `--msk-brokers: must be a multiple of --az-count ${config.azCount} (got ${config.mskBrokers})`,
    );
  }
  return config;
}

/**
 * The Kinesis reader flags make sense only together and with a Kinesis transport: one line if not.
 * Enhanced fan-out is a consumer type of the `aws-kinesis` connector (`kinesis.consumerType
 * SubscribeToShard`, https://github.com/awslabs/spark-sql-kinesis-connector#kinesis-source-configuration);
 * our reader polls GetRecords only.
 */
function checkKinesisReader(config: InfraConfig): void {
  if (config.kinesisEfo && config.kinesisReader !== 'aws') {
    throw new ConfigError(
      `--kinesis-efo: only with --kinesis-reader aws (got --kinesis-reader ${config.kinesisReader})`,
    );
  }
  const flag = config.kinesisEfo
    ? '--kinesis-efo'
    : config.kinesisReader === 'aws'
      ? '--kinesis-reader aws'
      : undefined;
  if (flag !== undefined && !includesKinesis(config.transport)) {
    throw new ConfigError(
      `${flag}: only with --transport kinesis or both (got --transport ${config.transport})`,
    );
  }
}

export function includesKinesis(transport: Transport): boolean {
  return transport !== 'msk';
}

export function includesMsk(transport: Transport): boolean {
  return transport !== 'kinesis';
}

/** Name stem of every resource in one environment: `streamsoft-dev`. */
export function namePrefix(config: Pick<InfraConfig, 'env'>): string {
  return `${NAME_STEM}-${config.env}`;
}
