// Each construct's key resources and settings in the synthesized stack, and the transport switch.
import './setup-cdktf';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { GlueTrigger } from '@cdktf/provider-aws/lib/glue-trigger';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { MskCluster } from '@cdktf/provider-aws/lib/msk-cluster';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { INTERFACE_ENDPOINT_SERVICES } from '../../infra/constructs/network';
import { LAKE_LAYERS, LAKE_TABLES } from '../../lake/tables';
import { countOf, resourcesOf, synthTransport, type Synthesized } from './synth-support';

const ANY_TOKEN = expect.stringContaining('${');

let both: Synthesized;
let kinesisOnly: Synthesized;
let mskOnly: Synthesized;

beforeAll(() => {
  both = synthTransport('both');
  kinesisOnly = synthTransport('kinesis');
  mskOnly = synthTransport('msk');
});

function glueJob(s: Synthesized, name: string): Record<string, unknown> {
  const job = Object.values(resourcesOf(s.doc, 'aws_glue_job')).find((j) => j.name === name);
  if (job === undefined) throw new Error(`no Glue job ${name}`);
  return job;
}

describe('PlatformKey', () => {
  test('a rotating customer-managed key with an explicit key policy', () => {
    expect(both.json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, policy: ANY_TOKEN });
  });
});

describe('Network', () => {
  test('VPC with DNS, three subnet tiers across two zones, no public IPs on launch', () => {
    expect(both.json).toHaveResourceWithProperties(Vpc, {
      enable_dns_hostnames: true,
      enable_dns_support: true,
    });
    const subnets = Object.values(resourcesOf(both.doc, 'aws_subnet'));
    expect(subnets).toHaveLength(6);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
  });

  test('S3 gateway endpoint and the interface endpoints the jobs need', () => {
    expect(both.json).toHaveResourceWithProperties(VpcEndpoint, {
      service_name: 'com.amazonaws.eu-west-1.s3',
      vpc_endpoint_type: 'Gateway',
    });
    for (const service of [
      'glue',
      'kinesis-streams',
      'sts',
      'secretsmanager',
      'logs',
      'ecr.api',
      'ecr.dkr',
    ]) {
      expect(INTERFACE_ENDPOINT_SERVICES).toContain(service);
      expect(both.json).toHaveResourceWithProperties(VpcEndpoint, {
        service_name: `com.amazonaws.eu-west-1.${service}`,
        vpc_endpoint_type: 'Interface',
        private_dns_enabled: true,
      });
    }
  });

  test('the data subnets have no route out; only the app tier routes through NAT', () => {
    const routes = Object.values(resourcesOf(both.doc, 'aws_route'));
    expect(routes).toHaveLength(2);
    expect(routes.filter((r) => r.nat_gateway_id !== undefined)).toHaveLength(1);
    expect(routes.filter((r) => r.gateway_id !== undefined)).toHaveLength(1);
  });

  test('every log group is KMS-encrypted and kept at least a year', () => {
    const groups = Object.values(resourcesOf(both.doc, 'aws_cloudwatch_log_group'));
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(group.kms_key_id).toEqual(ANY_TOKEN);
      expect(group.retention_in_days).toBeGreaterThanOrEqual(365);
    }
    expect(both.json).toHaveResource(CloudwatchLogGroup);
  });
});

describe('TradeStream', () => {
  test('on-demand Kinesis stream encrypted with KMS', () => {
    expect(kinesisOnly.json).toHaveResourceWithProperties(KinesisStream, {
      name: 'streamsoft-dev-trades',
      encryption_type: 'KMS',
      kms_key_id: ANY_TOKEN,
      retention_period: 24,
      stream_mode_details: { stream_mode: 'ON_DEMAND' },
    });
  });
});

describe('MskCluster', () => {
  test('IAM auth only, TLS in transit and in cluster, KMS at rest, broker logs', () => {
    expect(mskOnly.json).toHaveResourceWithProperties(MskCluster, {
      kafka_version: '4.1.x.kraft',
      number_of_broker_nodes: 2,
      client_authentication: { sasl: { iam: true }, unauthenticated: false },
      encryption_info: {
        encryption_at_rest_kms_key_arn: ANY_TOKEN,
        encryption_in_transit: { client_broker: 'TLS', in_cluster: true },
      },
    });
    const config = Object.values(resourcesOf(mskOnly.doc, 'aws_msk_configuration'))[0]!;
    expect(config.server_properties).toContain('auto.create.topics.enable=false');
    expect(config.server_properties).toContain('min.insync.replicas=1');
  });
});

describe('transport switch', () => {
  test('kinesis: a stream, no MSK cluster, the bronze job reads Kinesis', () => {
    expect(countOf(kinesisOnly.doc, 'aws_kinesis_stream')).toBe(1);
    expect(countOf(kinesisOnly.doc, 'aws_msk_cluster')).toBe(0);
    expect(glueJob(kinesisOnly, 'streamsoft-dev-bronze').default_arguments).toMatchObject({
      '--source': 'kinesis',
      '--kinesis-checkpoint-path': expect.stringMatching(/\/checkpoints\/bronze-kinesis$/),
    });
    expect(kinesisOnly.doc.variable?.msk_iam_auth_jar_s3_uri).toBeUndefined();
  });

  test('msk: a cluster, no stream, the bronze job reads Kafka and needs the IAM auth jar', () => {
    expect(countOf(mskOnly.doc, 'aws_kinesis_stream')).toBe(0);
    expect(countOf(mskOnly.doc, 'aws_msk_cluster')).toBe(1);
    expect(glueJob(mskOnly, 'streamsoft-dev-bronze').default_arguments).toMatchObject({
      '--source': 'kafka',
      '--kafka-checkpoint-path': expect.stringMatching(/\/checkpoints\/bronze-kafka$/),
    });
    expect(mskOnly.doc.variable?.msk_iam_auth_jar_s3_uri).toBeDefined();
  });

  test('both: stream and cluster, one bronze job (one driver) with a checkpoint per source', () => {
    expect(countOf(both.doc, 'aws_kinesis_stream')).toBe(1);
    expect(countOf(both.doc, 'aws_msk_cluster')).toBe(1);
    const bronzeJobs = Object.values(resourcesOf(both.doc, 'aws_glue_job')).filter((j) =>
      String(j.name).includes('bronze'),
    );
    expect(bronzeJobs.map((j) => j.name)).toEqual(['streamsoft-dev-bronze']);
    const args = glueJob(both, 'streamsoft-dev-bronze').default_arguments as Record<string, string>;
    expect(args['--source']).toBe('kinesis,kafka');
    expect(args['--kinesis-checkpoint-path']).toMatch(/\/checkpoints\/bronze-kinesis$/);
    expect(args['--kafka-checkpoint-path']).toMatch(/\/checkpoints\/bronze-kafka$/);
    expect(args).not.toHaveProperty('--checkpoint-path');
  });

  test('a Maven-fetched jar in the jar folder is uploaded by content hash', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-msk-jar-'));
    try {
      fs.writeFileSync(path.join(dir, 'aws-msk-iam-auth-2.3.2-all.jar'), 'stand-in jar');
      const s = synthTransport('msk', { mskIamJarDir: dir });
      expect(s.doc.variable?.msk_iam_auth_jar_s3_uri).toBeUndefined();
      const args = glueJob(s, 'streamsoft-dev-bronze').default_arguments as Record<string, string>;
      expect(args['--extra-jars']).toMatch(
        /^s3:\/\/\$\{.+\}\/jars\/[0-9A-F]+\/aws-msk-iam-auth-2\.3\.2-all\.jar$/,
      );
      expect(s.json).toHaveResourceWithProperties(S3Object, {
        key: expect.stringMatching(/^jars\/[0-9A-F]+\/aws-msk-iam-auth-2\.3\.2-all\.jar$/),
        kms_key_id: ANY_TOKEN,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an s3:// jar for MSK replaces the Terraform variable', () => {
    const s = synthTransport('msk', { mskIamAuthJar: 's3://jars-bucket/aws-msk-iam-auth-2.3.2-all.jar' });
    expect(s.doc.variable?.msk_iam_auth_jar_s3_uri).toBeUndefined();
    const args = glueJob(s, 'streamsoft-dev-bronze').default_arguments as Record<string, string>;
    expect(args['--extra-jars']).toBe('s3://jars-bucket/aws-msk-iam-auth-2.3.2-all.jar');
  });
});

describe('GlueJobs', () => {
  test('bronze streaming job: Glue 6.0, gluestreaming, Delta, the documented arguments', () => {
    const job = glueJob(both, 'streamsoft-dev-bronze');
    expect(job.glue_version).toBe('6.0');
    expect(job.command).toMatchObject({ name: 'gluestreaming', python_version: '3' });
    expect((job.command as Record<string, string>).script_location).toMatch(
      /\/glue\/[0-9A-F]+\/bronze_streaming\.py$/,
    );
    expect(job.security_configuration).toEqual(ANY_TOKEN);
    expect(job.connections).toHaveLength(1);
    expect(job.default_arguments).toMatchObject({
      '--JOB_NAME': 'streamsoft-dev-bronze',
      '--source': 'kinesis,kafka',
      '--stream-name': ANY_TOKEN,
      '--region': 'eu-west-1',
      '--registry-url': 'http://registry.streamsoft-dev.internal:8080/apis/ccompat/v7',
      '--trigger-seconds': '30',
      '--starting-position': 'earliest',
      '--datalake-formats': 'delta',
      '--lake-path': expect.stringMatching(/^s3:\/\/\$\{.+\}\/lake$/),
      '--extra-py-files': expect.stringMatching(/\/glue\/[0-9A-F]+\/streamsoft_jobs\.zip$/),
      '--cloudwatch-namespace': 'StreamSoft/Bronze',
      '--compact-every-minutes': '60', // the bronze job compacts its own tables
    });
  });

  test('every job tells S3A its region and uses Delta as Glue documents it', () => {
    // Glue 6.0 removed EMRFS; S3A in subnets with no internet route needs the region set
    // (https://docs.aws.amazon.com/glue/latest/dg/migrating-version-60.html#migrating-version-60-from-51), and
    // Delta on Glue takes its extensions and S3 log store from --conf
    // (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-format-delta-lake.html).
    for (const s of [both, synthTransport('kinesis', { region: 'ap-southeast-2' })]) {
      const region = (s.doc as unknown as { provider: { aws: { region: string }[] } }).provider.aws[0]!
        .region;
      const jobs = Object.values(resourcesOf(s.doc, 'aws_glue_job'));
      expect(jobs.length).toBeGreaterThan(2);
      for (const job of jobs) {
        const conf = String((job.default_arguments as Record<string, string>)['--conf']);
        const settings = Object.fromEntries(
          conf.split(' --conf ').map((kv) => kv.split('=', 2) as [string, string]),
        );
        expect(settings).toMatchObject({
          'spark.hadoop.fs.s3a.endpoint.region': region,
          'spark.sql.extensions': 'io.delta.sql.DeltaSparkSessionExtension',
          'spark.sql.catalog.spark_catalog': 'org.apache.spark.sql.delta.catalog.DeltaCatalog',
          'spark.delta.logStore.class': 'org.apache.spark.sql.delta.storage.S3SingleDriverLogStore',
        });
      }
    }
  });

  test('bronze roles may publish metrics to Glue and StreamSoft/Bronze only; batch roles to Glue only', () => {
    const policyOf = (job: string): string => {
      const policy = Object.values(resourcesOf(both.doc, 'aws_iam_role_policy')).find(
        (p) => p.name === `${job}-least-privilege`,
      );
      if (policy === undefined) throw new Error(`no policy for ${job}`);
      return String(policy.policy);
    };
    // PutMetricData has no resource-level permissions: the namespace condition is what confines it.
    const publishStatement = (namespaces: string | string[]) =>
      JSON.stringify({
        Sid: 'PublishJobMetrics',
        Effect: 'Allow',
        Action: ['cloudwatch:PutMetricData'],
        Resource: ['*'],
        Condition: { StringEquals: { 'cloudwatch:namespace': namespaces } },
      });
    for (const job of ['bronze']) {
      const policy = policyOf(job);
      expect(policy).toContain(publishStatement(['Glue', 'StreamSoft/Bronze']));
      expect(policy.match(/PutMetricData/g)).toHaveLength(1);
    }
    for (const job of ['silver', 'gold']) {
      expect(policyOf(job)).toContain(publishStatement('Glue'));
      expect(policyOf(job)).not.toContain('StreamSoft/Bronze');
    }
    expect(glueJob(both, 'streamsoft-dev-silver').default_arguments).not.toHaveProperty(
      '--cloudwatch-namespace',
    );
  });

  test('the bronze job reads Kafka with IAM authentication and loads the jar', () => {
    expect(glueJob(both, 'streamsoft-dev-bronze').default_arguments).toMatchObject({
      '--topic': 'trades',
      '--kafka-brokers': ANY_TOKEN,
      '--kafka-auth': 'iam',
      '--extra-jars': '${var.msk_iam_auth_jar_s3_uri}',
    });
  });

  test('silver and gold are glueetl batch jobs with their own checkpoints', () => {
    for (const layer of ['silver', 'gold']) {
      const job = glueJob(both, `streamsoft-dev-${layer}`);
      expect(job.glue_version).toBe('6.0');
      expect(job.command).toMatchObject({ name: 'glueetl' });
      expect((job.command as Record<string, string>).script_location).toMatch(
        new RegExp(`${layer}_batch\\.py$`),
      );
      expect(job.default_arguments).toMatchObject({
        '--JOB_NAME': `streamsoft-dev-${layer}`,
        '--lake-path': expect.stringMatching(/\/lake$/),
        '--checkpoint-path': expect.stringMatching(new RegExp(`/checkpoints/${layer}$`)),
      });
    }
  });

  test('no compact job: each job compacts the tables it writes (one writer per table)', () => {
    const names = Object.values(resourcesOf(both.doc, 'aws_glue_job')).map((j) => String(j.name));
    expect(names.sort()).toEqual(['streamsoft-dev-bronze', 'streamsoft-dev-gold', 'streamsoft-dev-silver']);
    const triggers = Object.values(resourcesOf(both.doc, 'aws_glue_trigger')).map((t) => String(t.name));
    expect(triggers.sort()).toEqual(['streamsoft-dev-gold-after-silver', 'streamsoft-dev-silver-schedule']);
  });

  test('workflow: silver on a schedule, gold when silver succeeded', () => {
    expect(both.json).toHaveResourceWithProperties(GlueTrigger, {
      type: 'SCHEDULED',
      schedule: 'cron(0/15 * * * ? *)',
      actions: [expect.objectContaining({ job_name: ANY_TOKEN })],
    });
    expect(both.json).toHaveResourceWithProperties(GlueTrigger, {
      type: 'CONDITIONAL',
      predicate: {
        conditions: [expect.objectContaining({ state: 'SUCCEEDED', logical_operator: 'EQUALS' })],
      },
    });
  });

  test('each job has a role of its own', () => {
    const roles = new Set(Object.values(resourcesOf(both.doc, 'aws_glue_job')).map((j) => j.role_arn));
    expect(roles.size).toBe(countOf(both.doc, 'aws_glue_job'));
  });
});

describe('Lake', () => {
  test('every bucket: public access blocked, versioned, KMS by default, TLS-only policy, lifecycle', () => {
    const buckets = countOf(both.doc, 'aws_s3_bucket');
    expect(buckets).toBe(3);
    expect(both.json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(both.json).toHaveResourceWithProperties(S3BucketVersioningA, {
      versioning_configuration: { status: 'Enabled' },
    });
    expect(countOf(both.doc, 'aws_s3_bucket_public_access_block')).toBe(buckets);
    expect(countOf(both.doc, 'aws_s3_bucket_versioning')).toBe(buckets);
    expect(countOf(both.doc, 'aws_s3_bucket_lifecycle_configuration')).toBe(buckets);
    for (const enc of Object.values(
      resourcesOf(both.doc, 'aws_s3_bucket_server_side_encryption_configuration'),
    )) {
      const rule = (enc.rule as Record<string, Record<string, string>>[])[0]!;
      expect(rule.apply_server_side_encryption_by_default!.sse_algorithm).toBe('aws:kms');
    }
    for (const policy of Object.values(resourcesOf(both.doc, 'aws_s3_bucket_policy'))) {
      expect(String(policy.policy)).toContain('aws:SecureTransport');
    }
  });

  test('Glue databases bronze/silver/gold and every Delta table registered for Athena', () => {
    expect(LAKE_LAYERS).toEqual(['bronze', 'silver', 'gold']);
    for (const layer of LAKE_LAYERS) {
      expect(both.json).toHaveResourceWithProperties(GlueCatalogDatabase, { name: layer });
    }
    const registered = Object.values(resourcesOf(both.doc, 'aws_glue_catalog_table'));
    for (const { layer, table } of LAKE_TABLES) {
      expect(both.json).toHaveResourceWithProperties(GlueCatalogTable, {
        database_name: expect.stringContaining(layer),
        name: table,
        table_type: 'EXTERNAL_TABLE',
        parameters: expect.objectContaining({ table_type: 'DELTA' }),
        storage_descriptor: { location: expect.stringMatching(new RegExp(`/lake/${layer}/${table}$`)) },
      });
    }
    expect(registered).toHaveLength(LAKE_TABLES.length);
    // LAKE.md documents silver.trades_duplicates; the catalog once missed it, so Athena could not see it.
    const names = registered.map(
      (t) => String((t.storage_descriptor as { location: string }).location).split('/lake/')[1],
    );
    expect(names).toContain('silver/trades_duplicates');
  });
});

describe('Athena', () => {
  test('workgroup enforces its configuration and encrypts results with KMS', () => {
    expect(both.json).toHaveResourceWithProperties(AthenaWorkgroup, {
      configuration: expect.objectContaining({
        enforce_workgroup_configuration: true,
        result_configuration: expect.objectContaining({
          encryption_configuration: { encryption_option: 'SSE_KMS', kms_key_arn: ANY_TOKEN },
        }),
      }),
    });
  });
});

describe('SchemaRegistryService and Metabase', () => {
  test('both run on Fargate in private subnets without public IPs', () => {
    const services = Object.values(resourcesOf(both.doc, 'aws_ecs_service'));
    expect(services.map((s) => s.name).sort()).toEqual([
      'streamsoft-dev-metabase',
      'streamsoft-dev-registry',
    ]);
    expect(both.json).toHaveResourceWithProperties(EcsService, {
      launch_type: 'FARGATE',
      network_configuration: expect.objectContaining({ assign_public_ip: false }),
    });
  });

  test('registry is Apicurio on PostgreSQL with credentials from Secrets Manager', () => {
    const task = Object.values(resourcesOf(both.doc, 'aws_ecs_task_definition')).find(
      (t) => t.family === 'streamsoft-dev-registry',
    )!;
    const container = (JSON.parse(String(task.container_definitions)) as Record<string, unknown>[]).find(
      (c) => c.name === 'registry',
    );
    expect(container!.image).toBe('apicurio/apicurio-registry:3.3.3');
    expect(container!.readonlyRootFilesystem).toBe(true);
    const env = Object.fromEntries(
      (container!.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject({ APICURIO_STORAGE_KIND: 'sql', APICURIO_STORAGE_SQL_KIND: 'postgresql' });
    const secrets = (container!.secrets as { name: string }[]).map((s) => s.name).sort();
    expect(secrets).toEqual(['APICURIO_DATASOURCE_PASSWORD', 'APICURIO_DATASOURCE_USERNAME']);
  });

  test('databases: encrypted, private, Multi-AZ, password managed by RDS', () => {
    expect(countOf(both.doc, 'aws_db_instance')).toBe(2);
    expect(both.json).toHaveResourceWithProperties(DbInstance, {
      storage_encrypted: true,
      kms_key_id: ANY_TOKEN,
      publicly_accessible: false,
      multi_az: true,
      manage_master_user_password: true,
      deletion_protection: true,
    });
  });

  test('Metabase: HTTPS listener with the certificate input, admin secret in Secrets Manager', () => {
    expect(both.json).toHaveResourceWithProperties(LbListener, {
      port: 443,
      protocol: 'HTTPS',
      certificate_arn: '${var.metabase_certificate_arn}',
    });
    expect(both.json).not.toHaveResourceWithProperties(LbListener, { port: 80 });
    expect(both.json).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: 'streamsoft-dev/metabase/admin',
      kms_key_id: ANY_TOKEN,
    });
  });

  test('the load balancer sits behind a WAF with the managed rule groups, logging encrypted', () => {
    expect(both.json).toHaveResource(Wafv2WebAclAssociation);
    const acl = Object.values(resourcesOf(both.doc, 'aws_wafv2_web_acl'))[0]!;
    const groups = (acl.rule as { statement: { managed_rule_group_statement: { name: string } } }[]).map(
      (r) => r.statement.managed_rule_group_statement.name,
    );
    expect(groups).toEqual(
      expect.arrayContaining(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']),
    );
    expect(countOf(both.doc, 'aws_wafv2_web_acl_logging_configuration')).toBe(1);
  });

  test('a certificate ARN given at synth replaces the variable', () => {
    const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab';
    const s = synthTransport('kinesis', { certificateArn: arn });
    expect(s.doc.variable?.metabase_certificate_arn).toBeUndefined();
    expect(s.json).toHaveResourceWithProperties(LbListener, { certificate_arn: arn });
  });
});

describe('Alarms', () => {
  test('encrypted topic; iterator age, consumer lag and batch duration alarms; failure rule', () => {
    expect(both.json).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: ANY_TOKEN });
    expect(both.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      namespace: 'AWS/Kinesis',
      metric_name: 'GetRecords.IteratorAgeMilliseconds',
    });
    // MSK lag and batch duration are what the bronze job publishes itself (bronze_metrics.py)
    expect(both.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      namespace: 'StreamSoft/Bronze',
      metric_name: 'MaxOffsetsBehindLatest',
      dimensions: {
        JobName: expect.stringContaining('aws_glue_job.glue-jobs_bronze_'),
        Source: 'kafka',
      },
      statistic: 'Maximum',
      threshold: 10000,
    });
    for (const source of ['kinesis', 'kafka']) {
      expect(both.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        namespace: 'StreamSoft/Bronze',
        metric_name: 'BatchDurationMs',
        dimensions: {
          JobName: expect.stringContaining('aws_glue_job.glue-jobs_bronze_'),
          Source: source,
        },
        statistic: 'Maximum',
        threshold: 60000,
      });
    }
    const namespaces = Object.values(resourcesOf(both.doc, 'aws_cloudwatch_metric_alarm')).map(
      (a) => `${String(a.namespace)} ${String(a.metric_name)}`,
    );
    expect(namespaces.sort()).toEqual([
      'AWS/Kinesis GetRecords.IteratorAgeMilliseconds',
      'StreamSoft/Bronze BatchDurationMs',
      'StreamSoft/Bronze BatchDurationMs',
      'StreamSoft/Bronze MaxOffsetsBehindLatest',
    ]);
    const rule = Object.values(resourcesOf(both.doc, 'aws_cloudwatch_event_rule'))[0]!;
    const pattern = JSON.parse(String(rule.event_pattern)) as {
      detail: { jobName: string[]; state: string[] };
    };
    expect(pattern.detail.state).toContain('FAILED');
    expect(pattern.detail.jobName).toHaveLength(3); // bronze, silver, gold
    expect(both.json).toHaveResource(CloudwatchEventRule);
  });

  test('the alarm set follows the transport', () => {
    const names = (s: Synthesized) =>
      Object.values(resourcesOf(s.doc, 'aws_cloudwatch_metric_alarm')).map((a) => String(a.metric_name));
    expect(names(kinesisOnly)).not.toContain('MaxOffsetsBehindLatest');
    expect(names(kinesisOnly)).toContain('BatchDurationMs');
    expect(names(mskOnly)).toContain('MaxOffsetsBehindLatest');
    expect(names(mskOnly)).not.toContain('GetRecords.IteratorAgeMilliseconds');
  });
});
