// AWS's documented name and Glue rules (infra/aws-rules.ts) and their synth-time check: every rule holds
// at its documented boundary and fails one past it (numbers and examples taken from the AWS pages cited
// next to each row, not from our constants), the stack of every transport passes, --env is refused early,
// and a name AWS would refuse stops synth with one line and exit code 2.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../../core/errors';
import { REPO_ROOT } from '../../core/paths';
import { brokenGlueJobRule, brokenNameRule, NAME_RULES, NAMES_WITHOUT_RULES } from '../../infra/aws-rules';
import { MAX_ENV_LENGTH, resolveInfraConfig, TRANSPORTS, type Transport } from '../../infra/config';
import { synthInfra } from '../../infra/main';
import { ruleViolations } from '../../infra/name-check';
import {
  dummyWheelsDir,
  FIXTURE_GLUE_DIR,
  resourcesOf,
  synthTransport,
  type TerraformJson,
} from './synth-support';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'bin', 'streamsoft.js');

interface RuleCase {
  type: string;
  attribute: string;
  /** The documented maximum, and a valid name of a given length. */
  max: number;
  name: (length: number) => string;
  /** Names the page says AWS refuses, whatever their length. */
  refused: string[];
  /** Names within the rules that look close to refused ones. */
  accepted?: string[];
}

const letters = (n: number) => 'a'.repeat(n);

const RULE_CASES: RuleCase[] = [
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html: 3-63 characters,
  // lowercase letters, numbers, dots, hyphens; begin and end with a letter or number; no two adjacent
  // periods; not an IP address; reserved prefixes xn--, sthree-, amzn-s3-demo-; suffixes -s3alias, --ol-s3.
  {
    type: 'aws_s3_bucket',
    attribute: 'bucket',
    max: 63,
    name: letters,
    refused: [
      'ab',
      'My-bucket',
      '-bucket',
      'bucket-',
      'my..bucket',
      '192.168.5.4',
      'xn--bucket',
      'sthree-bucket',
      'amzn-s3-demo-bucket',
      'bucket-s3alias',
      'bucket--ol-s3',
      'my_bucket',
    ],
    accepted: ['docexamplebucket1', 'log-delivery-march-2020', 'my.bucket.name'],
  },
  // https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/s3_bucket#bucket_prefix:
  // "Must be lowercase and less than or equal to 37 characters in length."
  {
    type: 'aws_s3_bucket',
    attribute: 'bucket_prefix',
    max: 37,
    name: (n) => `${letters(n - 1)}-`,
    refused: ['Streamsoft-', 'xn--stream-', '-stream-'],
  },
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: role names up to 64
  // characters, alphanumeric and + = , . @ _ -.
  {
    type: 'aws_iam_role',
    attribute: 'name',
    max: 64,
    name: letters,
    refused: ['my role', 'my/role', 'my*role'],
    accepted: ['A+b=c,d.e@f_g-h'],
  },
  // https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html: 1-128, [\w+=,.@-]+
  {
    type: 'aws_iam_role_policy',
    attribute: 'name',
    max: 128,
    name: letters,
    refused: ['least privilege', 'a/b'],
  },
  // https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html: 1 to 255 bytes, single-line
  // string pattern (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-common.html#aws-glue-api-regex-oneLine).
  ...[
    'aws_glue_job',
    'aws_glue_trigger',
    'aws_glue_workflow',
    'aws_glue_connection',
    'aws_glue_security_configuration',
    'aws_glue_catalog_database',
    'aws_glue_catalog_table',
  ].map((type): RuleCase => ({
    type,
    attribute: 'name',
    max: 255,
    name: letters,
    // 128 two-byte characters are 256 bytes: over the limit although only 128 characters.
    refused: ['two\nlines', 'é'.repeat(128)],
    accepted: [`${'é'.repeat(127)}a`, 'with spaces and ümlauts'],
  })),
  // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html:
  // 1-512, [\.\-_/#A-Za-z0-9]+
  {
    type: 'aws_cloudwatch_log_group',
    attribute: 'name',
    max: 512,
    name: letters,
    refused: ['a:b', 'a b', 'a*b'],
    accepted: ['/aws/rds/instance/db-1/postgresql', 'a#b'],
  },
  // https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html: 1-128, [a-zA-Z0-9_.-]+
  { type: 'aws_kinesis_stream', attribute: 'name', max: 128, name: letters, refused: ['a/b', 'a b', 'a:b'] },
  // https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html: ConsumerName
  // 1-128, [a-zA-Z0-9_.-]+
  {
    type: 'aws_kinesis_stream_consumer',
    attribute: 'name',
    max: 128,
    name: letters,
    refused: ['a/b', 'a b', 'a:b'],
    accepted: ['streamsoft-dev-bronze', 'a_b.c'],
  },
  // https://docs.aws.amazon.com/msk/1.0/apireference/clusters.html: ClusterName 1-64.
  { type: 'aws_msk_cluster', attribute: 'cluster_name', max: 64, name: letters, refused: [''] },
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html (and CreateService,
  // RegisterTaskDefinition): up to 255 letters, numbers, underscores and hyphens.
  { type: 'aws_ecs_cluster', attribute: 'name', max: 255, name: letters, refused: ['a.b', 'a b'] },
  { type: 'aws_ecs_service', attribute: 'name', max: 255, name: letters, refused: ['a.b', 'a/b'] },
  { type: 'aws_ecs_task_definition', attribute: 'family', max: 255, name: letters, refused: ['a:b', 'a.b'] },
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html:
  // at most 32 characters, alphanumeric or hyphens, not beginning or ending with a hyphen, not
  // beginning with "internal-".
  {
    type: 'aws_lb',
    attribute: 'name',
    max: 32,
    name: letters,
    refused: ['internal-metabase', '-metabase', 'metabase-', 'meta_base', 'meta.base'],
    accepted: ['my-internal-lb'],
  },
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html:
  // at most 32, alphanumeric or hyphens, not beginning or ending with a hyphen.
  {
    type: 'aws_lb_target_group',
    attribute: 'name',
    max: 32,
    name: letters,
    refused: ['-tg', 'tg-', 'my_tg'],
    accepted: ['internal-tg'],
  },
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html: 1 to 63 letters,
  // numbers, or hyphens; first character a letter; no trailing hyphen, no two consecutive hyphens.
  {
    type: 'aws_db_instance',
    attribute: 'identifier',
    max: 63,
    name: letters,
    refused: ['1db', 'my--db', 'mydb-', 'my_db'],
    accepted: ['mydbinstance', 'my-db-1'],
  },
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html: 1 to 255, same.
  {
    type: 'aws_db_instance',
    attribute: 'final_snapshot_identifier',
    max: 255,
    name: letters,
    refused: ['1snap', 'my--snapshot', 'my-snapshot-'],
    accepted: ['my-snapshot-id'],
  },
  // API_CreateDBInstance, PostgreSQL DBName: 1 to 63 letters, digits, underscores, starting with a letter.
  {
    type: 'aws_db_instance',
    attribute: 'db_name',
    max: 63,
    name: letters,
    refused: ['1db', 'my-db'],
    accepted: ['my_db_2'],
  },
  // API_CreateDBInstance, MasterUsername: 1 to 16 letters, numbers, or underscores; first a letter.
  {
    type: 'aws_db_instance',
    attribute: 'username',
    max: 16,
    name: letters,
    refused: ['1admin', 'db-admin'],
    accepted: ['db_admin'],
  },
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html: 1 to 255
  // letters, numbers, or hyphens; first a letter; no trailing hyphen, no two consecutive hyphens.
  {
    type: 'aws_db_parameter_group',
    attribute: 'name',
    max: 255,
    name: letters,
    refused: ['1pg', 'my--pg', 'pg-'],
  },
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html: no more than
  // 255 letters, numbers, periods, underscores, spaces, or hyphens; not "default"; first a letter.
  {
    type: 'aws_db_subnet_group',
    attribute: 'name',
    max: 255,
    name: letters,
    refused: ['default', '1subnets', 'a/b'],
    accepted: ['mydbsubnetgroup', 'my db.sub_net-group'],
  },
  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html: 1-512 ASCII
  // letters, numbers and /_+=.@-; do not end with a hyphen followed by six characters.
  {
    type: 'aws_secretsmanager_secret',
    attribute: 'name',
    max: 512,
    name: letters,
    refused: ['my secret', 'db-abcdef', 'a:b'],
    accepted: ['prod/metabase/admin', 'db-abcdefg'],
  },
  // https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html: 1-256 ASCII letters, numbers,
  // underscores and hyphens; FIFO topics end with .fifo.
  {
    type: 'aws_sns_topic',
    attribute: 'name',
    max: 256,
    name: letters,
    refused: ['my.topic', 'my topic'],
    accepted: ['my-topic.fifo'],
  },
  // https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html: [a-zA-Z0-9._-]{1,128}
  { type: 'aws_athena_workgroup', attribute: 'name', max: 128, name: letters, refused: ['a/b', 'a b'] },
  // https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html: 1-256 characters, begins
  // with alias/, alphanumeric, / _ - only; alias/aws/ is reserved.
  {
    type: 'aws_kms_alias',
    attribute: 'name',
    max: 256,
    name: (n) => `alias/${letters(n - 6)}`,
    refused: ['ExampleAlias', 'alias/aws/s3', 'alias/my key', 'alias/a.b'],
    accepted: ['alias/ExampleAlias'],
  },
  // https://docs.aws.amazon.com/cloud-map/latest/api/API_CreatePrivateDnsNamespace.html: up to 253
  // printable ASCII characters, not an ARN.
  {
    type: 'aws_service_discovery_private_dns_namespace',
    attribute: 'name',
    max: 253,
    name: letters,
    refused: ['arn:aws:x', 'my namespace'],
    accepted: ['example.internal'],
  },
  // https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateService.html: 1-127 characters of DNS
  // labels (letters, digits, hyphens, underscores; at most 63 each; no hyphen at either end).
  {
    type: 'aws_service_discovery_service',
    attribute: 'name',
    max: 127,
    name: (n) => `${letters(63)}.${letters(n - 64)}`,
    refused: [letters(64), '-registry', 'registry-', 'my registry'],
    accepted: ['_exampleservice._tcp', 'registry'],
  },
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html: up to 255
  // characters, a-z A-Z 0-9 spaces ._-:/()#,@[]+=&;{}!$*, not starting with sg-.
  {
    type: 'aws_security_group',
    attribute: 'name',
    max: 255,
    name: letters,
    refused: ['sg-workers', 'a~b', 'a%b'],
    accepted: ['Glue workers (all ports)'],
  },
  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html: 1-64, [\.\-_A-Za-z0-9]+
  { type: 'aws_cloudwatch_event_rule', attribute: 'name', max: 64, name: letters, refused: ['a/b', 'a b'] },
  // https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html: 1-80, and
  // only 0-9 A-Z a-z - _ for a machine that logs to CloudWatch Logs.
  {
    type: 'aws_sfn_state_machine',
    attribute: 'name',
    max: 80,
    name: letters,
    refused: ['a.b', 'a b', 'a:b'],
  },
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html: 1-255 UTF-8
  // characters, no ASCII control characters.
  {
    type: 'aws_cloudwatch_metric_alarm',
    attribute: 'alarm_name',
    max: 255,
    name: letters,
    refused: ['bell\u0007', 'two\nlines'],
    accepted: ['Kinesis iterator age > 60 s'],
  },
  // https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html: 1-128, ^[\w\-]+$
  { type: 'aws_wafv2_web_acl', attribute: 'name', max: 128, name: letters, refused: ['a.b', 'a b'] },
];

describe('each name rule, at the boundary AWS documents', () => {
  test.each(RULE_CASES.map((c) => [`${c.type}.${c.attribute}`, c] as const))('%s', (_, c) => {
    const rule = NAME_RULES[c.type]?.[c.attribute];
    expect(rule).toBeDefined();
    expect(rule!.doc).toMatch(/^https:\/\/(docs\.aws\.amazon\.com|registry\.terraform\.io)\//);
    const atMax = c.name(c.max);
    expect(atMax).toHaveLength(c.max);
    expect(brokenNameRule(rule!, atMax)).toBeUndefined();
    expect(brokenNameRule(rule!, c.name(c.max + 1))).toMatch(`at most ${c.max} allowed`);
    for (const name of c.refused)
      expect([name, brokenNameRule(rule!, name)]).toEqual([name, expect.any(String)]);
    for (const name of c.accepted ?? [])
      expect([name, brokenNameRule(rule!, name)]).toEqual([name, undefined]);
  });

  test('every rule of the module is tested here', () => {
    const tested = new Set(RULE_CASES.map((c) => `${c.type}.${c.attribute}`));
    const rules = Object.entries(NAME_RULES).flatMap(([type, attrs]) =>
      Object.keys(attrs).map((a) => `${type}.${a}`),
    );
    expect(rules.filter((r) => !tested.has(r))).toEqual([]);
  });
});

/** Literal values of name-like attributes (`name`, `*_name`, `*identifier`, `*prefix`, `family`, …). */
function literalNames(doc: TerraformJson): { where: string; key: string }[] {
  const found: { where: string; key: string }[] = [];
  for (const [type, resources] of Object.entries(doc.resource)) {
    for (const [id, resource] of Object.entries(resources)) {
      for (const [attribute, value] of Object.entries(resource)) {
        if (!/(^|_)(name|identifier|prefix|family|username)$/.test(attribute)) continue;
        if (typeof value !== 'string' || value.includes('${')) continue;
        found.push({ where: `${type}.${id}.${attribute}`, key: `${type}.${attribute}` });
      }
    }
  }
  return found;
}

const docs = new Map<Transport, TerraformJson>();
beforeAll(() => {
  for (const transport of TRANSPORTS) docs.set(transport, synthTransport(transport).doc);
});

describe.each(TRANSPORTS)('the stack for transport %s', (transport) => {
  test('breaks no AWS rule', () => {
    expect(ruleViolations(docs.get(transport)!)).toEqual([]);
  });

  test('has a rule for every name it sets (or a reason why none applies)', () => {
    const names = literalNames(docs.get(transport)!);
    expect(names.length).toBeGreaterThan(40);
    const unruled = names.filter(
      ({ key }) =>
        NAMES_WITHOUT_RULES[key] === undefined &&
        NAME_RULES[key.split('.')[0]!]?.[key.split('.')[1]!] === undefined,
    );
    expect(unruled.map((n) => n.where)).toEqual([]);
  });

  test('runs Glue jobs of documented types on worker types Glue 6.0 offers for them', () => {
    // https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html: JobCommand Name is glueetl
    // (Spark ETL), gluestreaming (Spark streaming), pythonshell or glueray. WorkerType: G.1X and G.2X for
    // Spark jobs; G.4X and G.8X for Spark ETL jobs of Glue 3.0 or later; G.025X only for streaming jobs
    // of Glue 3.0 or later.
    const documented: Record<string, string[]> = {
      glueetl: ['G.1X', 'G.2X', 'G.4X', 'G.8X'],
      gluestreaming: ['G.1X', 'G.2X', 'G.025X'],
    };
    const jobs = Object.values(resourcesOf(docs.get(transport)!, 'aws_glue_job'));
    expect(jobs.length).toBe(3);
    for (const job of jobs) {
      const command = (job.command as { name: string }).name;
      expect([job.name, job.glue_version]).toEqual([job.name, '6.0']);
      expect([job.name, documented[command]]).toEqual([job.name, expect.arrayContaining([job.worker_type])]);
    }
  });

  test('registers the Delta tables the way Athena reads them: engine version 3, a location, no columns', () => {
    // https://docs.aws.amazon.com/athena/latest/ug/delta-lake-tables.html: "Delta Lake queries are supported
    // only on Athena engine version 3. You must ensure that the workgroup you create is configured to use
    // Athena engine version 3", and "Athena requires only the location property in AWS Glue to read from
    // your Delta Lake tables" (the schema comes from the Delta log: a column added by schema evolution
    // shows up with no change to the catalog).
    const doc = docs.get(transport)!;
    const workgroups = Object.values(resourcesOf(doc, 'aws_athena_workgroup'));
    expect(workgroups.length).toBeGreaterThan(0);
    for (const workgroup of workgroups) {
      const configuration = workgroup.configuration as {
        engine_version?: { selected_engine_version?: string };
      };
      expect(configuration.engine_version?.selected_engine_version).toBe('Athena engine version 3');
    }
    const tables = Object.values(resourcesOf(doc, 'aws_glue_catalog_table'));
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) {
      expect([table.name, (table.parameters as Record<string, string>).table_type]).toEqual([
        table.name,
        'DELTA',
      ]);
      const storage = table.storage_descriptor as Record<string, unknown>;
      expect([table.name, Object.keys(storage)]).toEqual([table.name, ['location']]);
    }
  });

  test('a streaming job on a worker type of ETL jobs only is caught', () => {
    const doc = structuredClone(docs.get(transport)!);
    const streaming = Object.entries(resourcesOf(doc, 'aws_glue_job')).find(
      ([, j]) => (j.command as { name: string }).name === 'gluestreaming',
    )!;
    streaming[1].worker_type = 'G.4X';
    expect(ruleViolations(doc)).toEqual([
      expect.objectContaining({
        resource: `aws_glue_job.${streaming[0]}`,
        broken: 'worker type G.4X is for glueetl jobs, not gluestreaming',
      }),
    ]);
  });
});

describe('Glue job rules', () => {
  // https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html (JobCommand, WorkerType)
  test.each([
    [{ command: 'glueetl', workerType: 'G.8X', glueVersion: '6.0' }, undefined],
    [{ command: 'gluestreaming', workerType: 'G.025X', glueVersion: '6.0' }, undefined],
    [{ command: 'pythonshell', glueVersion: '3.0' }, undefined],
    [{ command: 'glueetl', workerType: 'G.025X', glueVersion: '6.0' }, /G.025X is for gluestreaming jobs/],
    [{ command: 'gluestreaming', workerType: 'G.8X', glueVersion: '6.0' }, /G.8X is for glueetl jobs/],
    [{ command: 'gluestreaming', workerType: 'G.025X', glueVersion: '2.0' }, /needs Glue 3.0 or later/],
    [{ command: 'glueetl', workerType: 'G.4X', glueVersion: '2.0' }, /needs Glue 3.0 or later/],
    [{ command: 'gluebatch', workerType: 'G.1X', glueVersion: '6.0' }, /not a Glue job type/],
    [{ command: 'glueetl', workerType: 'G.16X', glueVersion: '6.0' }, /not a Glue worker type/],
  ])('%j', (job, expected) => {
    const broken = brokenGlueJobRule(job);
    if (expected === undefined) expect(broken).toBeUndefined();
    else expect(broken).toMatch(expected);
  });
});

describe('--env', () => {
  let workDir: string;
  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-aws-rules-'));
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  const configFor = (transport: Transport, env: string) => ({
    ...resolveInfraConfig({
      transport,
      glueSourceDir: FIXTURE_GLUE_DIR,
      glueWheelsDir: dummyWheelsDir(),
      mskIamJarDir: '/nonexistent-jars',
    }),
    // Past the config's own check, to see what synth makes of the names.
    env,
  });

  test.each(TRANSPORTS)(
    'its limit is the tightest name rule: every name of the %s stack fits at that length, one more does not',
    (transport) => {
      expect(() => synthTransport(transport, { env: letters(MAX_ENV_LENGTH) })).not.toThrow();
      const out = path.join(workDir, `over-${transport}`);
      const synth = () => synthInfra(configFor(transport, letters(MAX_ENV_LENGTH + 1)), out);
      expect(synth).toThrow(ConfigError);
      expect(fs.existsSync(out)).toBe(false);
    },
  );

  test('a name AWS would refuse stops synth with one line naming the resource, the name and the rule', () => {
    const env = 'x'.repeat(30);
    let error: unknown;
    try {
      synthInfra(configFor('kinesis', env), path.join(workDir, 'long'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    // An IAM role name has at most 64 characters (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
    expect(message).toMatch(
      new RegExp(
        `^infra synth: AWS would refuse aws_iam_role\\.\\S+ name "streamsoft-${env}-[a-z-]+" is \\d+ characters, at most 64 allowed \\(https://docs\\.aws\\.amazon\\.com/IAM/`,
      ),
    );
    expect(message).toMatch(/; and \d+ more$/);
  });

  test.each([
    ['dev', true],
    ['qa-2', true],
    ['Prod', false], // S3 bucket names are lowercase
    ['a--b', false], // RDS identifiers may not hold two consecutive hyphens
    ['dev-', false],
    ['2dev', false],
    ['dev_1', false],
  ])('%j accepted: %s', (env, ok) => {
    if (ok) expect(resolveInfraConfig({ env }).env).toBe(env);
    else
      expect(() => resolveInfraConfig({ env })).toThrow(/^--env: must be 1-\d+ lowercase letters and digits/);
  });

  test('a 30-character --env is one line on the CLI, exit code 2, before anything is written', async () => {
    const failure = await run(
      process.execPath,
      [
        BIN,
        'infra',
        'synth',
        '--env',
        'x'.repeat(30),
        '--out',
        'never',
        '--glue-wheels-dir',
        dummyWheelsDir(),
      ],
      { cwd: workDir },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr.trim().split('\n')).toEqual([
      `streamsoft: --env: must be 1-${MAX_ENV_LENGTH} lowercase letters and digits, starting with a letter, ` +
        `optionally split by single dashes (it is part of every AWS resource name) (got "${'x'.repeat(30)}")`,
    ]);
    expect(fs.existsSync(path.join(workDir, 'never'))).toBe(false);
  });
});
