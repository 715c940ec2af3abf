// The settings a user can choose for the AWS deployment, as flags: one table read by both
// `streamsoft infra synth` (flags, then STREAMSOFT_* variables) and `cdktf synth` (main.ts, variables
// only), so the two cannot read different variables.
import { envNameForFlag, readEnv } from '../core/env';
import { MAX_ENV_LENGTH, type InfraConfigInput } from './config';

export interface SynthFlag {
  /** commander flags, e.g. `--env <name>`; the variable is derived from the long name. */
  readonly flags: string;
  readonly description: string;
  /** The config key it sets. */
  readonly key: keyof InfraConfigInput;
  /** `switch`: a boolean flag; `list`: comma-separated values. */
  readonly kind?: 'switch' | 'list';
}

export const SYNTH_FLAGS: readonly SynthFlag[] = [
  { flags: '--transport <kind>', key: 'transport', description: 'kinesis, msk or both (default kinesis)' },
  {
    flags: '--env <name>',
    key: 'env',
    description: `environment name, part of every resource name: 1-${MAX_ENV_LENGTH} lowercase letters, digits, single dashes (default dev)`,
  },
  { flags: '--region <region>', key: 'region', description: 'AWS region (default eu-west-1)' },
  {
    flags: '--certificate-arn <arn>',
    key: 'certificateArn',
    description: 'ACM certificate for Metabase HTTPS (else asked at apply)',
  },
  {
    flags: '--msk-iam-auth-jar <s3-uri-or-path>',
    key: 'mskIamAuthJar',
    description: 'aws-msk-iam-auth jar for the MSK bronze job',
  },
  { flags: '--alarm-email <address>', key: 'alarmEmail', description: 'email subscribed to the alarm topic' },
  {
    flags: '--glue-wheels-dir <dir>',
    key: 'glueWheelsDir',
    description: "wheels of the jobs' Python packages (default .tools/glue-wheels)",
  },
  {
    flags: '--pip-install-modules',
    key: 'pipInstallModules',
    kind: 'switch',
    description:
      'upload no wheels: the jobs pip-install their packages from PyPI at start (needs a route to PyPI)',
  },
  {
    flags: '--metabase-admin-email <address>',
    key: 'metabaseAdminEmail',
    description: 'email of the first Metabase admin',
  },
  {
    flags: '--metabase-allowed-cidrs <list>',
    key: 'metabaseAllowedCidrs',
    kind: 'list',
    description: 'comma-separated CIDRs allowed to reach Metabase',
  },
  { flags: '--az-count <n>', key: 'azCount', description: 'availability zones (2 or 3)' },
  {
    flags: '--kinesis-retention-hours <n>',
    key: 'kinesisRetentionHours',
    description: 'Kinesis retention, 24 to 8760 hours',
  },
  {
    flags: '--kinesis-reader <reader>',
    key: 'kinesisReader',
    description:
      "the bronze job's Kinesis reader: streamsoft (ours, default) or aws (Glue's aws-kinesis connector; glue-streaming/BRONZE.md)",
  },
  {
    flags: '--kinesis-efo',
    key: 'kinesisEfo',
    kind: 'switch',
    description:
      'with --kinesis-reader aws: register an enhanced fan-out consumer for the bronze job (billed extra)',
  },
  {
    flags: '--msk-broker-instance-type <type>',
    key: 'mskBrokerInstanceType',
    description: 'MSK broker type, e.g. kafka.m7g.large',
  },
  {
    flags: '--expected-rate <trades-per-second>',
    key: 'expectedRate',
    description:
      'size the Glue workers, refine mode and MSK brokers/partitions from the capacity model (infra/CAPACITY.md); explicit flags win',
  },
  { flags: '--msk-brokers <n>', key: 'mskBrokers', description: 'MSK brokers, a multiple of --az-count' },
  {
    flags: '--msk-partitions <n>',
    key: 'mskPartitions',
    description: 'num.partitions of the MSK cluster (a topic created without a count)',
  },
  {
    flags: '--streaming-workers <n>',
    key: 'streamingWorkers',
    description: 'workers of each bronze streaming job',
  },
  { flags: '--batch-workers <n>', key: 'batchWorkers', description: 'workers of the silver and gold jobs' },
  { flags: '--trigger-seconds <n>', key: 'triggerSeconds', description: 'bronze micro-batch interval' },
  {
    flags: '--silver-schedule <cron>',
    key: 'silverSchedule',
    description: 'Glue cron of the silver/gold workflow',
  },
  {
    flags: '--refine-mode <mode>',
    key: 'refineMode',
    description:
      'silver and gold: batch (Glue batch jobs on --silver-schedule, default) or continuous (one Glue streaming job)',
  },
  {
    flags: '--refine-trigger-seconds <n>',
    key: 'refineTriggerSeconds',
    description: 'with --refine-mode continuous: silver/gold micro-batch interval (default 10)',
  },
  {
    flags: '--bronze-compact-minutes <n>',
    key: 'bronzeCompactMinutes',
    description: 'how often the bronze job compacts its tables (0: never)',
  },
  {
    flags: '--allow-destroy',
    key: 'allowDestroy',
    kind: 'switch',
    description: 'dev only: no deletion protection, buckets emptied on destroy',
  },
];

/** `--env <name>` → `--env`. */
export function longFlag(flag: SynthFlag): string {
  return flag.flags.split(' ')[0]!;
}

/**
 * The config input from one raw value per flag (`undefined` when not given): switches become booleans
 * and lists arrays; everything else goes to the config schema as given, to be validated there.
 */
export function infraInput(rawValue: (flag: SynthFlag) => unknown): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const flag of SYNTH_FLAGS) {
    const raw = rawValue(flag);
    if (raw === undefined) continue;
    if (flag.kind === 'switch') input[flag.key] = raw === true || raw === 'true';
    else if (flag.kind === 'list' && typeof raw === 'string')
      input[flag.key] = raw.split(',').map((v) => v.trim());
    else input[flag.key] = raw;
  }
  return input;
}

/** The config input from STREAMSOFT_* variables alone (`cdktf synth`). */
export function infraInputFromEnvironment(): Record<string, unknown> {
  return infraInput((flag) => readEnv(envNameForFlag(longFlag(flag))));
}
