// AWS's documented rules for what the stack creates, each with the page that states it: the name rules
// (length, characters, reserved prefixes) per Terraform resource type and attribute, the Glue job types
// and worker types, and the security-group rule Glue needs. name-check.ts applies them at synth time;
// the tests read them from here. Most constraints are the API reference's own (botocore's models carry
// the same min/max/pattern).

/** One documented constraint on a name, as the sentence a user reads when it is broken. */
export interface NameConstraint {
  readonly text: string;
  readonly holds: (name: string) => boolean;
}

export interface NameRule {
  readonly minLength: number;
  readonly maxLength: number;
  /** Glue counts UTF-8 bytes; everything else characters. */
  readonly lengthUnit: 'characters' | 'bytes';
  readonly constraints: readonly NameConstraint[];
  readonly doc: string;
}

const only = (pattern: RegExp, text: string): NameConstraint => ({
  text: `must contain only ${text}`,
  holds: (name) => pattern.test(name),
});
const notStartingWith = (...prefixes: string[]): NameConstraint => ({
  text: `must not start with ${prefixes.map((p) => `"${p}"`).join(' or ')}`,
  holds: (name) => prefixes.every((p) => !name.startsWith(p)),
});
const notEndingWith = (...suffixes: string[]): NameConstraint => ({
  text: `must not end with ${suffixes.map((s) => `"${s}"`).join(' or ')}`,
  holds: (name) => suffixes.every((s) => !name.endsWith(s)),
});
const firstLetter: NameConstraint = {
  text: 'must start with a letter',
  holds: (name) => /^[A-Za-z]/.test(name),
};
const noHyphenAtEdges: NameConstraint = {
  text: 'must not begin or end with a hyphen',
  holds: (name) => !name.startsWith('-') && !name.endsWith('-'),
};
const noDoubleHyphen: NameConstraint = {
  text: 'must not contain two consecutive hyphens',
  holds: (name) => !name.includes('--'),
};

function rule(
  maxLength: number,
  doc: string,
  constraints: NameConstraint[],
  options: { minLength?: number; lengthUnit?: 'characters' | 'bytes' } = {},
): NameRule {
  return {
    minLength: options.minLength ?? 1,
    maxLength,
    lengthUnit: options.lengthUnit ?? 'characters',
    constraints,
    doc,
  };
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const S3_RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const S3_RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3'];

const S3_BUCKET = rule(
  63,
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html',
  [
    only(/^[a-z0-9.-]+$/, 'lowercase letters, digits, dots and hyphens'),
    {
      text: 'must begin and end with a letter or digit',
      holds: (name) => /^[a-z0-9]/.test(name) && /[a-z0-9]$/.test(name),
    },
    { text: 'must not contain two adjacent periods', holds: (name) => !name.includes('..') },
    {
      text: 'must not be formatted as an IP address',
      holds: (name) => !/^\d{1,3}(\.\d{1,3}){3}$/.test(name),
    },
    notStartingWith(...S3_RESERVED_PREFIXES),
    notEndingWith(...S3_RESERVED_SUFFIXES),
  ],
  { minLength: 3 },
);

// Terraform completes a bucket_prefix with a 26-character unique suffix, so the prefix may have at most
// 63 - 26 = 37 characters; the rest of the bucket rules apply to its start (its end is the suffix).
// https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/s3_bucket#bucket_prefix
const S3_BUCKET_PREFIX = rule(
  37,
  'https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/s3_bucket#bucket_prefix',
  [
    only(/^[a-z0-9.-]+$/, 'lowercase letters, digits, dots and hyphens'),
    { text: 'must begin with a letter or digit', holds: (name) => /^[a-z0-9]/.test(name) },
    { text: 'must not contain two adjacent periods', holds: (name) => !name.includes('..') },
    notStartingWith(...S3_RESERVED_PREFIXES),
  ],
);

const IAM_NAME_CHARS = only(/^[\w+=,.@-]+$/, 'letters, digits and _+=,.@-');

/**
 * Glue's "Single-line string pattern", which names of jobs, triggers, workflows, connections, security
 * configurations, databases and tables follow (1 to 255 UTF-8 bytes).
 * https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-common.html#aws-glue-api-regex-oneLine
 */
const GLUE_NAME = rule(
  255,
  'https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html',
  [
    only(
      /^[\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}\t]*$/u,
      'one line of text (no line breaks or control characters)',
    ),
  ],
  { lengthUnit: 'bytes' },
);

const ECS_NAME_CHARS = only(/^[A-Za-z0-9_-]+$/, 'letters, digits, underscores and hyphens');
const ELB_NAME_CHARS = only(/^[A-Za-z0-9-]+$/, 'letters, digits and hyphens');
const RDS_IDENTIFIER = [
  only(/^[A-Za-z0-9-]+$/, 'letters, digits and hyphens'),
  firstLetter,
  notEndingWith('-'),
  noDoubleHyphen,
];

/** Terraform resource type → attribute → the rule of the AWS API that receives it. */
export const NAME_RULES: Readonly<Record<string, Readonly<Record<string, NameRule>>>> = {
  aws_s3_bucket: { bucket: S3_BUCKET, bucket_prefix: S3_BUCKET_PREFIX },
  aws_iam_role: {
    name: rule(64, 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html', [
      IAM_NAME_CHARS,
    ]),
  },
  aws_iam_role_policy: {
    name: rule(128, 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html', [
      IAM_NAME_CHARS,
    ]),
  },
  aws_glue_job: { name: GLUE_NAME },
  aws_glue_trigger: { name: GLUE_NAME },
  aws_glue_workflow: { name: GLUE_NAME },
  aws_glue_connection: { name: GLUE_NAME },
  aws_glue_security_configuration: { name: GLUE_NAME },
  aws_glue_catalog_database: { name: GLUE_NAME },
  aws_glue_catalog_table: { name: GLUE_NAME },
  aws_cloudwatch_log_group: {
    name: rule(
      512,
      'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
      [only(/^[.\-_/#A-Za-z0-9]+$/, 'letters, digits and ._-/#')],
    ),
  },
  aws_kinesis_stream: {
    name: rule(128, 'https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html', [
      only(/^[a-zA-Z0-9_.-]+$/, 'letters, digits and _.-'),
    ]),
  },
  aws_kinesis_stream_consumer: {
    name: rule(
      128,
      'https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html',
      [only(/^[a-zA-Z0-9_.-]+$/, 'letters, digits and _.-')],
    ),
  },
  aws_msk_cluster: {
    cluster_name: rule(
      64,
      'https://docs.aws.amazon.com/msk/1.0/apireference/clusters.html#clusters-prop-createclusterrequest-clustername',
      [],
    ),
  },
  aws_ecs_cluster: {
    name: rule(255, 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html', [
      ECS_NAME_CHARS,
    ]),
  },
  aws_ecs_service: {
    name: rule(255, 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html', [
      ECS_NAME_CHARS,
    ]),
  },
  aws_ecs_task_definition: {
    family: rule(
      255,
      'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html',
      [ECS_NAME_CHARS],
    ),
  },
  aws_lb: {
    name: rule(
      32,
      'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html',
      [ELB_NAME_CHARS, noHyphenAtEdges, notStartingWith('internal-')],
    ),
  },
  aws_lb_target_group: {
    name: rule(
      32,
      'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html',
      [ELB_NAME_CHARS, noHyphenAtEdges],
    ),
  },
  aws_db_instance: {
    identifier: rule(
      63,
      'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html',
      RDS_IDENTIFIER,
    ),
    final_snapshot_identifier: rule(
      255,
      'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html',
      RDS_IDENTIFIER,
    ),
    // PostgreSQL's database name and the master user name.
    db_name: rule(63, 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html', [
      only(/^[A-Za-z0-9_]+$/, 'letters, digits and underscores'),
      firstLetter,
    ]),
    username: rule(
      16,
      'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html',
      [only(/^[A-Za-z0-9_]+$/, 'letters, digits and underscores'), firstLetter],
    ),
  },
  aws_db_parameter_group: {
    name: rule(
      255,
      'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html',
      RDS_IDENTIFIER,
    ),
  },
  aws_db_subnet_group: {
    name: rule(
      255,
      'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html',
      [
        only(/^[A-Za-z0-9._ -]+$/, 'letters, digits, periods, underscores, spaces and hyphens'),
        firstLetter,
        { text: 'must not be "default"', holds: (name) => name.toLowerCase() !== 'default' },
      ],
    ),
  },
  aws_secretsmanager_secret: {
    name: rule(512, 'https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html', [
      only(/^[A-Za-z0-9/_+=.@-]+$/, 'ASCII letters, digits and /_+=.@-'),
      // Secrets Manager appends "-" and six characters to the ARN; a name ending the same way
      // makes lookups by partial ARN ambiguous.
      {
        text: 'must not end with a hyphen followed by six characters',
        holds: (name) => !/-[^-]{6}$/.test(name),
      },
    ]),
  },
  aws_sns_topic: {
    name: rule(256, 'https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html', [
      only(/^[A-Za-z0-9_-]+(\.fifo)?$/, 'ASCII letters, digits, underscores and hyphens'),
    ]),
  },
  aws_athena_workgroup: {
    name: rule(128, 'https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html', [
      only(/^[a-zA-Z0-9._-]+$/, 'letters, digits and ._-'),
    ]),
  },
  aws_kms_alias: {
    name: rule(256, 'https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html', [
      only(/^[a-zA-Z0-9:/_-]+$/, 'letters, digits and :/_-'),
      { text: 'must begin with "alias/"', holds: (name) => name.startsWith('alias/') },
      notStartingWith('alias/aws/'),
    ]),
  },
  aws_service_discovery_private_dns_namespace: {
    name: rule(253, 'https://docs.aws.amazon.com/cloud-map/latest/api/API_CreatePrivateDnsNamespace.html', [
      only(/^[!-~]+$/, 'printable ASCII characters'),
      notStartingWith('arn:'),
    ]),
  },
  aws_service_discovery_service: {
    name: rule(127, 'https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateService.html', [
      {
        text: 'must be DNS labels of letters, digits, hyphens and underscores, each at most 63 characters and not beginning or ending with a hyphen',
        holds: (name) =>
          name === '.' ||
          name
            .split('.')
            .every((label) => /^([a-zA-Z0-9_][a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])$/.test(label)),
      },
    ]),
  },
  aws_security_group: {
    name: rule(255, 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html', [
      only(/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, 'letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*'),
      notStartingWith('sg-'),
    ]),
  },
  aws_cloudwatch_event_rule: {
    name: rule(64, 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html', [
      only(/^[.\-_A-Za-z0-9]+$/, 'letters, digits and ._-'),
    ]),
  },
  aws_sfn_state_machine: {
    // 1-80 characters; with logging to CloudWatch Logs (which the rotation restart uses) only 0-9 A-Z a-z - _.
    name: rule(
      80,
      'https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html',
      [only(/^[-_A-Za-z0-9]+$/, 'letters, digits, - and _')],
    ),
  },
  aws_cloudwatch_metric_alarm: {
    alarm_name: rule(
      255,
      'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html',
      // eslint-disable-next-line no-control-regex
      [only(/^[^\u0000-\u001F\u007F]+$/, 'characters other than ASCII control characters')],
    ),
  },
  aws_wafv2_web_acl: {
    name: rule(128, 'https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html', [
      only(/^[\w-]+$/, 'letters, digits, underscores and hyphens'),
    ]),
  },
};

/**
 * Name-like attributes that carry no name of ours, or none AWS constrains, and why; the tests require
 * every other literal `name`/`identifier`/`prefix`/`family` attribute of the stack to have a rule.
 */
export const NAMES_WITHOUT_RULES: Readonly<Record<string, string>> = {
  'aws_cloudwatch_metric_alarm.metric_name': 'a metric AWS or the bronze job defines, not a resource name',
  'aws_db_parameter_group.family': 'an engine family AWS defines (postgres17)',
  'aws_vpc_endpoint.service_name': 'an AWS service endpoint name',
  'aws_msk_configuration.name':
    'MSK documents no length or character rule for configuration names (CreateConfiguration API)',
};

/** The rule broken by `name`, as one phrase, or undefined when it follows them all. */
export function brokenNameRule(rule: NameRule, name: string): string | undefined {
  const length = rule.lengthUnit === 'bytes' ? Buffer.byteLength(name, 'utf8') : name.length;
  if (length > rule.maxLength) return `is ${length} ${rule.lengthUnit}, at most ${rule.maxLength} allowed`;
  if (length < rule.minLength) return `is ${length} ${rule.lengthUnit}, at least ${rule.minLength} needed`;
  return rule.constraints.find((c) => !c.holds(name))?.text;
}

/**
 * Glue job command names and what each runs.
 * https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html#aws-glue-api-jobs-job-JobCommand
 */
export const GLUE_JOB_COMMANDS = ['glueetl', 'gluestreaming', 'pythonshell', 'glueray'] as const;
export type GlueJobCommand = (typeof GLUE_JOB_COMMANDS)[number];

export interface GlueWorkerTypeRule {
  /** The job commands the worker type is documented for. */
  readonly commands: readonly GlueJobCommand[];
  /** The oldest Glue version offering it, where the page states one. */
  readonly sinceGlueVersion?: string;
}

/**
 * Worker types of Glue jobs (the Job structure's WorkerType): G.1X and G.2X for Spark jobs; G.4X and
 * G.8X for Spark ETL jobs of Glue 3.0 or later; G.025X only for streaming jobs of Glue 3.0 or later;
 * Z.2X for Ray jobs.
 * https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html#aws-glue-api-jobs-job-Job
 */
export const GLUE_WORKER_TYPES: Readonly<Record<string, GlueWorkerTypeRule>> = {
  'G.1X': { commands: ['glueetl', 'gluestreaming'] },
  'G.2X': { commands: ['glueetl', 'gluestreaming'] },
  'G.4X': { commands: ['glueetl'], sinceGlueVersion: '3.0' },
  'G.8X': { commands: ['glueetl'], sinceGlueVersion: '3.0' },
  'G.025X': { commands: ['gluestreaming'], sinceGlueVersion: '3.0' },
  'Z.2X': { commands: ['glueray'] },
};

export const GLUE_JOBS_DOC = 'https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html';

const versionNumber = (version: string): number => Number.parseFloat(version);

/** Why a Glue job's command, worker type and version do not go together, or undefined when they do. */
export function brokenGlueJobRule(job: {
  command: string;
  workerType?: string;
  glueVersion: string;
}): string | undefined {
  if (!(GLUE_JOB_COMMANDS as readonly string[]).includes(job.command)) {
    return `command "${job.command}" is not a Glue job type (${GLUE_JOB_COMMANDS.join(', ')})`;
  }
  if (job.workerType === undefined) return undefined;
  const worker = GLUE_WORKER_TYPES[job.workerType];
  if (worker === undefined) return `worker type "${job.workerType}" is not a Glue worker type`;
  if (!(worker.commands as readonly string[]).includes(job.command)) {
    return `worker type ${job.workerType} is for ${worker.commands.join(' and ')} jobs, not ${job.command}`;
  }
  const since = worker.sinceGlueVersion;
  if (since !== undefined && versionNumber(job.glueVersion) < versionNumber(since)) {
    return `worker type ${job.workerType} needs Glue ${since} or later, not ${job.glueVersion}`;
  }
  return undefined;
}

/**
 * A job in a VPC needs one of its security groups to admit itself on ALL TCP ports; otherwise every run
 * fails at start with "At least one security group must open all ingress ports". A rule split around a
 * few ports does not count.
 */
export const GLUE_SELF_REFERENCING_INGRESS = {
  protocol: 'tcp',
  fromPort: 0,
  toPort: 65535,
  docs: [
    'https://docs.aws.amazon.com/glue/latest/dg/glue-troubleshooting-errors.html#error-inbound-self-reference-rule',
    'https://docs.aws.amazon.com/glue/latest/dg/setup-vpc-for-glue-access.html',
  ],
} as const;
