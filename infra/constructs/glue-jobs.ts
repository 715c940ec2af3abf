// The Glue jobs: one streaming bronze job reading every configured transport (Kinesis and/or MSK, one
// query and checkpoint each) and compacting the bronze tables itself, and silver and gold either as batch
// jobs chained by a workflow or as one continuous streaming job (glue-refine-jobs.ts). Each writes only its
// own layers, and every job allows one run at a time (maxConcurrentRuns 1): the local checkpoint lock's
// counterpart, so no two drivers ever share a checkpoint or a table.
// One writer per layer: Delta's default S3 log store is transactional only when all writes to a table
// come from a single Spark driver (https://docs.delta.io/latest/delta-storage.html#amazon-s3), so no two
// jobs may write the same prefix (tests/infra/one-writer.test.ts). Each job has its own role allowed
// exactly what that job touches: its sources, its layer's prefix, its checkpoint folders, the code
// objects, its logs and the platform key (glue-job-definition.ts, glue-job-policy.ts).
import { Construct } from 'constructs';
import { GlueConnection } from '@cdktf/provider-aws/lib/glue-connection';
import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import { bronzeArguments, type BronzeSource } from '../../glue-streaming/job-arguments';
import { sourceStatements, type KafkaSource, type KinesisSource } from './glue-bronze-sources';
import { GlueArtifacts } from './glue-artifacts';
import { glueJob, type GlueJobPlatform, type GlueJobSettings } from './glue-job-definition';
import { batchRefineJobs, continuousRefineJob } from './glue-refine-jobs';
import { SecureBucket } from './secure-bucket';

/** Where the bronze job publishes their batch metrics (`--cloudwatch-namespace`); the alarms read it. */
export const BRONZE_METRICS_NAMESPACE = 'StreamSoft/Bronze';

export interface GlueJobsProps extends GlueJobSettings {
  readonly sourceDir: string;
  readonly mskIamAuthJar?: string;
  readonly kinesis?: KinesisSource;
  readonly kafka?: KafkaSource;
  readonly registryUrl: string;
  readonly availabilityZone: string;
  readonly triggerSeconds: number;
  readonly startingPosition: string;
  readonly silverSchedule: string;
  /** batch: silver and gold batch jobs in a workflow; continuous: one streaming job for both. */
  readonly refineMode: 'batch' | 'continuous';
  readonly refineTriggerSeconds: number;
  /** How often the bronze job compacts the bronze tables, in minutes (`--compact-every-minutes`; 0: never). */
  readonly bronzeCompactMinutes: number;
}

export class GlueJobs extends Construct {
  /** The bronze streaming job: the only writer of the bronze tables. */
  readonly bronzeJobName: string;
  /** The sources the bronze job reads, each the `Source` dimension of its metrics. */
  readonly bronzeSources: BronzeSource[];
  /** The jobs writing silver and gold: `silver` and `gold` (batch), or `refine` (continuous). */
  readonly refineJobNames: string[];
  /** The jobs that run until stopped (started after apply). */
  readonly streamingJobNames: string[];
  /** The silver-then-gold workflow (batch mode only). */
  readonly workflowName?: string;
  readonly artifactsBucketName: string;

  private readonly props: GlueJobsProps;
  private readonly platform: GlueJobPlatform;

  constructor(scope: Construct, id: string, props: GlueJobsProps) {
    super(scope, id);
    this.props = props;
    const ctx = props.context;
    const artifactsBucket = new SecureBucket(this, 'artifacts', {
      context: ctx,
      purpose: 'artifacts',
      kmsKeyArn: props.kmsKeyArn,
      noncurrentVersionDays: 30,
    });
    const artifacts = new GlueArtifacts(this, 'code', {
      context: ctx,
      kmsKeyArn: props.kmsKeyArn,
      bucket: artifactsBucket,
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
    const securityConfiguration = new GlueSecurityConfiguration(this, 'security', {
      name: `${ctx.namePrefix}-glue`,
      encryptionConfiguration: {
        s3Encryption: { s3EncryptionMode: 'SSE-KMS', kmsKeyArn: props.kmsKeyArn },
        cloudwatchEncryption: { cloudwatchEncryptionMode: 'SSE-KMS', kmsKeyArn: props.kmsKeyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: props.kmsKeyArn },
      },
    });
    this.platform = {
      ...props,
      locations: { lakePath: props.lake.lakePath, checkpointsPath: props.lake.checkpointsPath },
      artifacts,
      artifactsBucket,
      connectionName: connection.name,
      securityConfigurationName: securityConfiguration.name,
    };

    this.bronzeSources = [
      ...(props.kinesis === undefined ? [] : ['kinesis' as const]),
      ...(props.kafka === undefined ? [] : ['kafka' as const]),
    ];
    if (this.bronzeSources.length === 0)
      throw new Error('GlueJobs: the bronze job needs a Kinesis or a Kafka source');
    this.bronzeJobName = this.bronzeJob();

    if (props.refineMode === 'continuous') {
      const refine = continuousRefineJob(this, this.platform, props.refineTriggerSeconds);
      this.refineJobNames = [refine];
      this.streamingJobNames = [this.bronzeJobName, refine];
    } else {
      const batch = batchRefineJobs(this, this.platform, props.silverSchedule);
      this.refineJobNames = batch.jobNames;
      this.workflowName = batch.workflowName;
      this.streamingJobNames = [this.bronzeJobName];
    }

    this.artifactsBucketName = artifactsBucket.bucketName;
  }

  /** One job, one driver, one query per source: the bronze tables' only writer (see the file comment). */
  private bronzeJob(): string {
    const p = this.props;
    const artifacts = this.platform.artifacts;
    const args = bronzeArguments({
      locations: this.platform.locations,
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
    // Glue's own argument: the MSK IAM login module on the driver's and executors' classpath.
    if (p.kafka !== undefined) args['--extra-jars'] = artifacts.mskIamAuthJarUri!;
    return glueJob(this, this.platform, {
      job: 'bronze',
      type: 'gluestreaming',
      script: artifacts.scripts.bronze,
      arguments: args,
      readPrefixes: [],
      writeLayers: ['bronze'],
      sourcePolicy: sourceStatements({
        kinesis: p.kinesis,
        kafka: p.kafka,
        mskIamAuthJarArn: artifacts.mskIamAuthJarArn,
      }),
      metricsNamespaces: ['Glue', BRONZE_METRICS_NAMESPACE],
    }).name;
  }
}
