// The Glue jobs: one streaming bronze job reading every configured transport (Kinesis and/or MSK, one
// query and checkpoint each) and compacting the bronze tables itself, and silver and gold either as batch
// jobs chained by a workflow (silver on a schedule, gold when silver succeeded; the default), or, in
// continuous mode, as one streaming job running both layers' queries in one driver (refine_streaming.py).
// Each writes only its own layers, and every job allows one run at a time (maxConcurrentRuns 1): the
// local checkpoint lock's counterpart, so no two drivers ever share a checkpoint or a table.
// One writer per layer: Delta's default S3 log store is transactional only when all writes to a table
// come from a single Spark driver (https://docs.delta.io/latest/delta-storage.html#amazon-s3), so no two
// jobs may write the same prefix (tests/infra/one-writer.test.ts). Each job has its own role allowed
// exactly what that job touches: its sources, its layer's prefix, its checkpoint folders, the code
// objects, its logs and the platform key.
import { Construct } from 'constructs';
import { GlueConnection } from '@cdktf/provider-aws/lib/glue-connection';
import { GlueJob } from '@cdktf/provider-aws/lib/glue-job';
import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import { GlueTrigger } from '@cdktf/provider-aws/lib/glue-trigger';
import { GlueWorkflow } from '@cdktf/provider-aws/lib/glue-workflow';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import {
  batchArguments,
  bronzeArguments,
  checkpointsOf,
  refineArguments,
  type BronzeSource,
  type JobLocations,
  type KinesisReaderName,
} from '../../glue-streaming/job-arguments';
import { assumeRolePolicy, KMS_USE_ACTIONS, policyDocument, type PolicyStatement } from '../iam';
import { arn, type DeploymentContext } from './context';
import { GlueArtifacts } from './glue-artifacts';
import type { Lake } from './lake';
import { SecureBucket } from './secure-bucket';

/** Glue 6.0: Spark 4.1.1, Python 3.13, Delta Lake 4.2.0 (DESIGN.md §2). */
export const GLUE_VERSION = '6.0';
/** Where the bronze job publishes their batch metrics (`--cloudwatch-namespace`); the alarms read it. */
export const BRONZE_METRICS_NAMESPACE = 'StreamSoft/Bronze';
/**
 * The jobs' Spark settings (one `--conf` argument; Glue passes each ` --conf ` part to Spark):
 * - Delta as Glue documents it, with the single-driver S3 log store (each table has one writing job):
 *   https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-format-delta-lake.html
 * - S3A's region: Glue 6.0 removed EMRFS, and S3A in subnets with no internet route must be told the
 *   region rather than resolve it:
 *   https://docs.aws.amazon.com/glue/latest/dg/migrating-version-60.html#migrating-version-60-from-51
 */
export function sparkConf(region: string): string {
  return [
    'spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension',
    'spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog',
    'spark.delta.logStore.class=org.apache.spark.sql.delta.storage.S3SingleDriverLogStore',
    `spark.hadoop.fs.s3a.endpoint.region=${region}`,
  ].join(' --conf ');
}

export interface KinesisSource {
  readonly streamName: string;
  readonly streamArn: string;
  /** The reader the bronze job reads it with (`--kinesis-reader`, always passed). */
  readonly reader: KinesisReaderName;
  /** With reader `aws`: the enhanced fan-out consumer registered for the job. */
  readonly efoConsumer?: { readonly name: string; readonly arn: string };
}

/**
 * What the bronze job calls on the stream and on its enhanced fan-out consumer, each scoped to the
 * resource type the Service Authorization Reference gives the action
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesisdatastreams.html):
 * `stream` for the stream-level reads, `consumer` for DescribeStreamConsumer and SubscribeToShard.
 * - Both readers: ListShards, GetShardIterator, GetRecords (polling) and DescribeStream(Summary).
 * - `aws-kinesis` with EFO looks the consumer up (DescribeStreamSummary for the stream ARN, then
 *   DescribeStreamConsumer by stream ARN and name) before it subscribes (SubscribeToShard); it registers
 *   the consumer only when that lookup finds none (KinesisUtils.registerStreamConsumer in
 *   https://github.com/awslabs/spark-sql-kinesis-connector). The stack registers it, so the role gets no
 *   RegisterStreamConsumer, nor DeregisterStreamConsumer: the connector deregisters its consumer when the
 *   query stops and ignores a failure there, which keeps the stack's consumer (and its ARN, which this
 *   policy names) across job restarts.
 */
export const KINESIS_STREAM_READ_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
];
export const KINESIS_EFO_CONSUMER_ACTIONS = ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'];

export interface KafkaSource {
  readonly bootstrapBrokers: string;
  readonly topic: string;
  readonly clusterArn: string;
  readonly topicArn: string;
  /** Consumer-group names the job may use (`<prefix>*`), and the prefix the job is told to use. */
  readonly groupArn: string;
  readonly groupIdPrefix: string;
}

export interface GlueJobsProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  readonly lake: Lake;
  readonly sourceDir: string;
  /** Wheels for `--additional-python-modules`; when empty, the jobs pip-install `pythonModules` instead. */
  readonly wheelFiles: string[];
  /** `name==version` pins of the packages the jobs need beyond the Glue runtime. */
  readonly pythonModules: string[];
  readonly mskIamAuthJar?: string;
  readonly kinesis?: KinesisSource;
  readonly kafka?: KafkaSource;
  readonly registryUrl: string;
  /** The VPC of the workers' subnet: Glue reads its DNS attributes when it places the workers. */
  readonly vpcId: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly securityGroupId: string;
  readonly streamingWorkerType: string;
  readonly streamingWorkers: number;
  readonly batchWorkerType: string;
  readonly batchWorkers: number;
  readonly triggerSeconds: number;
  readonly startingPosition: string;
  readonly silverSchedule: string;
  /** batch: silver and gold batch jobs in a workflow; continuous: one streaming job for both. */
  readonly refineMode: 'batch' | 'continuous';
  readonly refineTriggerSeconds: number;
  /** How often the bronze job compacts the bronze tables, in minutes (`--compact-every-minutes`; 0: never). */
  readonly bronzeCompactMinutes: number;
}

export type Source = BronzeSource;

export class GlueJobs extends Construct {
  /** The bronze streaming job: the only writer of the bronze tables. */
  readonly bronzeJobName: string;
  /** The sources the bronze job reads, each the `Source` dimension of its metrics. */
  readonly bronzeSources: Source[];
  /** The jobs writing silver and gold: `silver` and `gold` (batch), or `refine` (continuous). */
  readonly refineJobNames: string[];
  /** The jobs that run until stopped (started after apply). */
  readonly streamingJobNames: string[];
  /** The silver-then-gold workflow (batch mode only). */
  readonly workflowName?: string;
  readonly artifactsBucketName: string;

  private readonly props: GlueJobsProps;
  private readonly artifacts: GlueArtifacts;
  private readonly artifactsBucket: SecureBucket;
  private readonly connectionName: string;
  private readonly securityConfigurationName: string;
  private readonly locations: JobLocations;

  constructor(scope: Construct, id: string, props: GlueJobsProps) {
    super(scope, id);
    this.props = props;
    const ctx = props.context;
    this.locations = { lakePath: props.lake.lakePath, checkpointsPath: props.lake.checkpointsPath };
    this.artifactsBucket = new SecureBucket(this, 'artifacts', {
      context: ctx,
      purpose: 'artifacts',
      kmsKeyArn: props.kmsKeyArn,
      noncurrentVersionDays: 30,
    });
    this.artifacts = new GlueArtifacts(this, 'code', {
      context: ctx,
      kmsKeyArn: props.kmsKeyArn,
      bucket: this.artifactsBucket,
      sourceDir: props.sourceDir,
      wheelFiles: props.wheelFiles,
      mskIamAuthJar: props.mskIamAuthJar,
      needsMskJar: props.kafka !== undefined,
    });
    const connection = new GlueConnection(this, 'vpc-connection', {
      name: `${ctx.namePrefix}-vpc`,
      connectionType: 'NETWORK',
      description: 'Places job workers in the isolated data subnet',
      physicalConnectionRequirements: {
        availabilityZone: props.availabilityZone,
        subnetId: props.subnetId,
        securityGroupIdList: [props.securityGroupId],
      },
    });
    this.connectionName = connection.name;
    const securityConfiguration = new GlueSecurityConfiguration(this, 'security', {
      name: `${ctx.namePrefix}-glue`,
      encryptionConfiguration: {
        s3Encryption: { s3EncryptionMode: 'SSE-KMS', kmsKeyArn: props.kmsKeyArn },
        cloudwatchEncryption: { cloudwatchEncryptionMode: 'SSE-KMS', kmsKeyArn: props.kmsKeyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: props.kmsKeyArn },
      },
    });
    this.securityConfigurationName = securityConfiguration.name;

    this.bronzeSources = [
      ...(props.kinesis === undefined ? [] : ['kinesis' as const]),
      ...(props.kafka === undefined ? [] : ['kafka' as const]),
    ];
    if (this.bronzeSources.length === 0)
      throw new Error('GlueJobs: the bronze job needs a Kinesis or a Kafka source');
    this.bronzeJobName = this.bronzeJob();

    if (props.refineMode === 'continuous') {
      const refine = this.refineJob();
      this.refineJobNames = [refine];
      this.streamingJobNames = [this.bronzeJobName, refine];
    } else {
      const batch = this.batchRefineJobs();
      this.refineJobNames = batch.jobNames;
      this.workflowName = batch.workflowName;
      this.streamingJobNames = [this.bronzeJobName];
    }

    this.artifactsBucketName = this.artifactsBucket.bucketName;
  }

  /** Silver and gold batch jobs, silver on a schedule and gold when silver succeeded. */
  private batchRefineJobs(): { jobNames: string[]; workflowName: string } {
    const props = this.props;
    const ctx = props.context;
    const silver = this.job({
      job: 'silver',
      type: 'glueetl',
      script: this.artifacts.scripts.silver,
      arguments: batchArguments('silver', this.locations),
      readPrefixes: ['lake/bronze'],
      writeLayers: ['silver'],
      sourcePolicy: [],
    });
    const gold = this.job({
      job: 'gold',
      type: 'glueetl',
      script: this.artifacts.scripts.gold,
      arguments: batchArguments('gold', this.locations),
      // Pipeline health counts every layer.
      readPrefixes: ['lake/bronze', 'lake/silver'],
      writeLayers: ['gold'],
      sourcePolicy: [],
    });
    const workflow = new GlueWorkflow(this, 'workflow', {
      name: `${ctx.namePrefix}-refine`,
      description: 'silver on a schedule, then gold when silver succeeded',
      maxConcurrentRuns: 1,
    });
    new GlueTrigger(this, 'silver-schedule', {
      name: `${ctx.namePrefix}-silver-schedule`,
      type: 'SCHEDULED',
      schedule: props.silverSchedule,
      workflowName: workflow.name,
      startOnCreation: true,
      actions: [{ jobName: silver.name }],
    });
    new GlueTrigger(this, 'gold-after-silver', {
      name: `${ctx.namePrefix}-gold-after-silver`,
      type: 'CONDITIONAL',
      workflowName: workflow.name,
      startOnCreation: true,
      predicate: { conditions: [{ jobName: silver.name, state: 'SUCCEEDED', logicalOperator: 'EQUALS' }] },
      actions: [{ jobName: gold.name }],
    });
    return { jobNames: [silver.name, gold.name], workflowName: workflow.name };
  }

  /**
   * Continuous mode: silver and gold as long-running queries in one streaming job, on the batch jobs'
   * checkpoints (a deployment can switch modes without replaying anything). One driver writes both layers,
   * and silver and gold each keep exactly one writer: this job.
   */
  private refineJob(): string {
    return this.job({
      job: 'refine',
      type: 'gluestreaming',
      script: this.artifacts.scripts.refine,
      arguments: refineArguments(this.locations, this.props.refineTriggerSeconds),
      readPrefixes: ['lake/bronze'],
      writeLayers: ['silver', 'gold'],
      sourcePolicy: [],
    }).name;
  }

  /** One job, one driver, one query per source: the bronze tables' only writer (see the file comment). */
  private bronzeJob(): string {
    const p = this.props;
    const args = bronzeArguments({
      locations: this.locations,
      region: p.context.region,
      registryUrl: p.registryUrl,
      triggerSeconds: p.triggerSeconds,
      startingPosition: p.startingPosition,
      compactEveryMinutes: p.bronzeCompactMinutes,
      cloudwatchNamespace: BRONZE_METRICS_NAMESPACE,
      ...(p.kinesis === undefined
        ? {}
        : {
            kinesis: {
              streamName: p.kinesis.streamName,
              reader: p.kinesis.reader,
              ...(p.kinesis.efoConsumer === undefined ? {} : { efoConsumer: p.kinesis.efoConsumer.name }),
            },
          }),
      ...(p.kafka === undefined
        ? {}
        : {
            kafka: {
              topic: p.kafka.topic,
              brokers: p.kafka.bootstrapBrokers,
              auth: 'iam' as const,
              groupIdPrefix: p.kafka.groupIdPrefix,
            },
          }),
    });
    const sourcePolicy: PolicyStatement[] = [];
    if (p.kinesis !== undefined) {
      sourcePolicy.push({
        sid: 'ReadTradeStream',
        actions: KINESIS_STREAM_READ_ACTIONS,
        resources: [p.kinesis.streamArn],
      });
      if (p.kinesis.efoConsumer !== undefined) {
        sourcePolicy.push({
          sid: 'SubscribeAsEfoConsumer',
          actions: KINESIS_EFO_CONSUMER_ACTIONS,
          resources: [p.kinesis.efoConsumer.arn],
        });
      }
    }
    if (p.kafka !== undefined) {
      const k = p.kafka;
      // Glue's own argument: the MSK IAM login module on the driver's and executors' classpath.
      args['--extra-jars'] = this.artifacts.mskIamAuthJarUri!;
      sourcePolicy.push(
        {
          sid: 'ConnectToCluster',
          actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
          resources: [k.clusterArn],
        },
        {
          sid: 'ReadTradesTopic',
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          resources: [k.topicArn],
        },
        {
          sid: 'UseConsumerGroup',
          actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
          resources: [k.groupArn],
        },
        { sid: 'ReadMskIamJar', actions: ['s3:GetObject'], resources: [this.artifacts.mskIamAuthJarArn!] },
      );
    }
    return this.job({
      job: 'bronze',
      type: 'gluestreaming',
      script: this.artifacts.scripts.bronze,
      arguments: args,
      readPrefixes: [],
      writeLayers: ['bronze'],
      sourcePolicy,
      metricsNamespaces: ['Glue', BRONZE_METRICS_NAMESPACE],
    }).name;
  }

  private job(spec: {
    job: string;
    type: 'gluestreaming' | 'glueetl';
    script: string;
    arguments: Record<string, string>;
    readPrefixes: string[];
    /** The lake layers the job writes; it may also write the checkpoint folders its arguments name. */
    writeLayers: string[];
    sourcePolicy: PolicyStatement[];
    /** CloudWatch namespaces the job may publish to; Glue's own job metrics by default. */
    metricsNamespaces?: string[];
  }): GlueJob {
    const p = this.props;
    const ctx = p.context;
    const name = `${ctx.namePrefix}-${spec.job}`;
    const streaming = spec.type === 'gluestreaming';
    const role = new IamRole(this, `${spec.job}-role`, {
      name: `${name}-glue`,
      assumeRolePolicy: assumeRolePolicy('glue.amazonaws.com', ctx.accountId),
    });
    new IamRolePolicy(this, `${spec.job}-policy`, {
      role: role.id,
      name: `${spec.job}-least-privilege`,
      policy: policyDocument([
        ...spec.sourcePolicy,
        ...this.commonPolicy(
          spec.job,
          spec.readPrefixes,
          [
            ...spec.writeLayers.map((layer) => `lake/${layer}`),
            // the checkpoint folders under `s3://<bucket>/checkpoints` its arguments name
            ...checkpointsOf(spec.arguments, this.locations).map((name) => `checkpoints/${name}`),
          ],
          spec.metricsNamespaces ?? ['Glue'],
        ),
      ]),
    });
    const modules = p.wheelFiles.length > 0 ? this.artifacts.wheelUris : p.pythonModules;
    return new GlueJob(this, spec.job, {
      name,
      description: `StreamSoft ${spec.job} (${streaming ? 'streaming' : 'batch'})`,
      roleArn: role.arn,
      glueVersion: GLUE_VERSION,
      command: { name: spec.type, scriptLocation: spec.script, pythonVersion: '3' },
      workerType: streaming ? p.streamingWorkerType : p.batchWorkerType,
      numberOfWorkers: streaming ? p.streamingWorkers : p.batchWorkers,
      connections: [this.connectionName],
      securityConfiguration: this.securityConfigurationName,
      // One run at a time: a second run of a job would be a second driver on its checkpoints and tables
      // ("An error is returned when this threshold is reached",
      // https://docs.aws.amazon.com/glue/latest/webapi/API_ExecutionProperty.html).
      executionProperty: { maxConcurrentRuns: 1 },
      maxRetries: 0,
      ...(streaming ? {} : { timeout: 60 }),
      defaultArguments: {
        '--JOB_NAME': name,
        '--job-language': 'python',
        '--datalake-formats': 'delta',
        '--conf': sparkConf(ctx.region),
        '--extra-py-files': this.artifacts.sharedPackageUri,
        '--additional-python-modules': modules.join(','),
        // Staged wheels: pip must not look for an index, which the isolated subnets cannot reach
        // (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-python-libraries.html).
        ...(p.wheelFiles.length > 0 ? { '--python-modules-installer-option': '--no-index' } : {}),
        '--enable-metrics': 'true',
        '--enable-observability-metrics': 'true',
        '--enable-continuous-cloudwatch-log': 'true',
        '--job-bookmark-option': 'job-bookmark-disable',
        '--TempDir': `s3://${this.artifactsBucket.bucketName}/tmp/${spec.job}/`,
        ...spec.arguments,
      },
    });
  }

  /** What every job needs besides its source: code, its lake prefixes, logs, metrics, VPC, the key. */
  private commonPolicy(
    job: string,
    readPrefixes: string[],
    writePrefixes: string[],
    metricsNamespaces: string[],
  ): PolicyStatement[] {
    const p = this.props;
    const ctx = p.context;
    const lake = p.lake;
    const statements: PolicyStatement[] = [
      { sid: 'ReadJobCode', actions: ['s3:GetObject'], resources: [this.artifacts.objectsArn] },
      {
        sid: 'UseTempDir',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [`${this.artifactsBucket.bucketArn}/tmp/${job}/*`],
      },
      {
        sid: 'ListBuckets',
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [lake.bucketArn, this.artifactsBucket.bucketArn],
      },
      {
        sid: 'WriteOwnLayersAndCheckpoint',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: writePrefixes.map((prefix) => lake.objectsArn(prefix)),
      },
      { sid: 'UsePlatformKey', actions: KMS_USE_ACTIONS, resources: [p.kmsKeyArn] },
      {
        sid: 'WriteJobLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: [
          arn(ctx, 'logs', 'log-group:/aws-glue/*'),
          arn(ctx, 'logs', 'log-group:/aws-glue/*:log-stream:*'),
        ],
      },
      {
        // PutMetricData has no resource-level permissions; the namespace condition confines it.
        sid: 'PublishJobMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'cloudwatch:namespace':
              metricsNamespaces.length === 1 ? metricsNamespaces[0]! : metricsNamespaces,
          },
        },
      },
      {
        sid: 'ReadVpcConnection',
        actions: ['glue:GetConnection'],
        resources: [arn(ctx, 'glue', 'catalog'), arn(ctx, 'glue', `connection/${this.connectionName}`)],
      },
      {
        // These Describe calls have no resource-level permissions.
        sid: 'DescribeNetwork',
        actions: [
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcEndpoints',
          'ec2:DescribeRouteTables',
        ],
        resources: ['*'],
      },
      {
        // DescribeVpcAttribute does: it requires a vpc resource
        // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
        sid: 'DescribeWorkerVpc',
        actions: ['ec2:DescribeVpcAttribute'],
        resources: [arn(ctx, 'ec2', `vpc/${p.vpcId}`)],
      },
      {
        sid: 'WorkerNetworkInterfaces',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [
          arn(ctx, 'ec2', 'network-interface/*'),
          arn(ctx, 'ec2', `subnet/${p.subnetId}`),
          arn(ctx, 'ec2', `security-group/${p.securityGroupId}`),
        ],
      },
      {
        sid: 'CleanUpWorkerNetworkInterfaces',
        actions: ['ec2:DeleteNetworkInterface', 'ec2:CreateTags', 'ec2:DeleteTags'],
        resources: [arn(ctx, 'ec2', 'network-interface/*')],
      },
    ];
    if (readPrefixes.length > 0) {
      statements.push({
        sid: 'ReadUpstreamLayers',
        actions: ['s3:GetObject'],
        resources: readPrefixes.map((prefix) => lake.objectsArn(prefix)),
      });
    }
    return statements;
  }
}
