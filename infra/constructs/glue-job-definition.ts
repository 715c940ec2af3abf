// One Glue job as every StreamSoft job is defined: the Glue runtime and Spark settings, its workers in the
// VPC connection, Glue's own arguments around the job's, one run at a time, and a role of its own allowed
// exactly that job's sources, prefixes and checkpoints (glue-job-policy.ts).
import type { Construct } from 'constructs';
import { GlueJob } from '@cdktf/provider-aws/lib/glue-job';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { checkpointsOf, type JobLocations } from '../../glue-streaming/job-arguments';
import { assumeRolePolicy, policyDocument, type PolicyStatement } from '../iam';
import { commonStatements, type JobRoleScope, type SharedJobResources } from './glue-job-policy';

/** Glue 6.0: Spark 4.1.1, Python 3.13, Delta Lake 4.2.0 (DESIGN.md §2). */
export const GLUE_VERSION = '6.0';
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

/** The stack's choices every job is built from; GlueJobsProps adds the sources and the refine settings. */
export interface GlueJobSettings extends JobRoleScope {
  /** Wheels for `--additional-python-modules`; when empty, the jobs pip-install `pythonModules` instead. */
  readonly wheelFiles: string[];
  /** `name==version` pins of the packages the jobs need beyond the Glue runtime. */
  readonly pythonModules: string[];
  readonly streamingWorkerType: string;
  readonly streamingWorkers: number;
  readonly batchWorkerType: string;
  readonly batchWorkers: number;
}

/** The settings and what GlueJobs builds once for all its jobs. */
export interface GlueJobPlatform extends GlueJobSettings, SharedJobResources {
  readonly locations: JobLocations;
  readonly securityConfigurationName: string;
}

export interface GlueJobSpec {
  /** Short job name: `bronze`, `silver`, `gold`, `refine`. */
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
}

/** The job `<prefix>-<job>` with its role `<prefix>-<job>-glue`, both in `scope`. */
export function glueJob(scope: Construct, platform: GlueJobPlatform, spec: GlueJobSpec): GlueJob {
  const ctx = platform.context;
  const name = `${ctx.namePrefix}-${spec.job}`;
  const streaming = spec.type === 'gluestreaming';
  const role = new IamRole(scope, `${spec.job}-role`, {
    name: `${name}-glue`,
    assumeRolePolicy: assumeRolePolicy('glue.amazonaws.com', ctx.accountId),
  });
  new IamRolePolicy(scope, `${spec.job}-policy`, {
    role: role.id,
    name: `${spec.job}-least-privilege`,
    policy: policyDocument([
      ...spec.sourcePolicy,
      ...commonStatements(platform, {
        job: spec.job,
        readPrefixes: spec.readPrefixes,
        writePrefixes: [
          ...spec.writeLayers.map((layer) => `lake/${layer}`),
          // the checkpoint folders under `s3://<bucket>/checkpoints` its arguments name
          ...checkpointsOf(spec.arguments, platform.locations).map((name) => `checkpoints/${name}`),
        ],
        metricsNamespaces: spec.metricsNamespaces ?? ['Glue'],
      }),
    ]),
  });
  const modules = platform.wheelFiles.length > 0 ? platform.artifacts.wheelUris : platform.pythonModules;
  return new GlueJob(scope, spec.job, {
    name,
    description: `StreamSoft ${spec.job} (${streaming ? 'streaming' : 'batch'})`,
    roleArn: role.arn,
    glueVersion: GLUE_VERSION,
    command: { name: spec.type, scriptLocation: spec.script, pythonVersion: '3' },
    workerType: streaming ? platform.streamingWorkerType : platform.batchWorkerType,
    numberOfWorkers: streaming ? platform.streamingWorkers : platform.batchWorkers,
    connections: [platform.connectionName],
    securityConfiguration: platform.securityConfigurationName,
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
      '--extra-py-files': platform.artifacts.sharedPackageUri,
      '--additional-python-modules': modules.join(','),
      // Staged wheels: pip must not look for an index, which the isolated subnets cannot reach
      // (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-python-libraries.html).
      ...(platform.wheelFiles.length > 0 ? { '--python-modules-installer-option': '--no-index' } : {}),
      '--enable-metrics': 'true',
      '--enable-observability-metrics': 'true',
      '--enable-continuous-cloudwatch-log': 'true',
      '--job-bookmark-option': 'job-bookmark-disable',
      '--TempDir': `s3://${platform.artifactsBucket.bucketName}/tmp/${spec.job}/`,
      ...spec.arguments,
    },
  });
}
