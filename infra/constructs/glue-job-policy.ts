// What every Glue job's role is allowed besides its sources: its code, its own lake prefixes and
// checkpoint folders, its temporary folder, logs and metrics, the VPC connection and the workers' network
// interfaces, and the platform key, each statement scoped to that one job's resources.
import { KMS_USE_ACTIONS, type PolicyStatement } from '../iam';
import { arn, type DeploymentContext } from './context';
import type { GlueArtifacts } from './glue-artifacts';
import type { Lake } from './lake';
import type { SecureBucket } from './secure-bucket';

/** The stack's resources a job role is scoped to (GlueJobsProps carries them). */
export interface JobRoleScope {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  readonly lake: Lake;
  /** The VPC of the workers' subnet: Glue reads its DNS attributes when it places the workers. */
  readonly vpcId: string;
  readonly subnetId: string;
  readonly securityGroupId: string;
}

/** What GlueJobs builds once for every job: the uploaded code, its bucket and the VPC connection. */
export interface SharedJobResources {
  readonly artifacts: GlueArtifacts;
  readonly artifactsBucket: SecureBucket;
  readonly connectionName: string;
}

/** What one job reaches: its temporary folder (by job name), its lake prefixes, its metric namespaces. */
export interface JobAccess {
  readonly job: string;
  readonly readPrefixes: string[];
  readonly writePrefixes: string[];
  readonly metricsNamespaces: string[];
}

/** What every job needs besides its source: code, its lake prefixes, logs, metrics, VPC, the key. */
export function commonStatements(
  shared: JobRoleScope & SharedJobResources,
  access: JobAccess,
): PolicyStatement[] {
  const ctx = shared.context;
  const lake = shared.lake;
  const statements: PolicyStatement[] = [
    { sid: 'ReadJobCode', actions: ['s3:GetObject'], resources: [shared.artifacts.objectsArn] },
    {
      sid: 'UseTempDir',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [`${shared.artifactsBucket.bucketArn}/tmp/${access.job}/*`],
    },
    {
      sid: 'ListBuckets',
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resources: [lake.bucketArn, shared.artifactsBucket.bucketArn],
    },
    {
      sid: 'WriteOwnLayersAndCheckpoint',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: access.writePrefixes.map((prefix) => lake.objectsArn(prefix)),
    },
    { sid: 'UsePlatformKey', actions: KMS_USE_ACTIONS, resources: [shared.kmsKeyArn] },
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
            access.metricsNamespaces.length === 1 ? access.metricsNamespaces[0]! : access.metricsNamespaces,
        },
      },
    },
    {
      sid: 'ReadVpcConnection',
      actions: ['glue:GetConnection'],
      resources: [arn(ctx, 'glue', 'catalog'), arn(ctx, 'glue', `connection/${shared.connectionName}`)],
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
      resources: [arn(ctx, 'ec2', `vpc/${shared.vpcId}`)],
    },
    {
      sid: 'WorkerNetworkInterfaces',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [
        arn(ctx, 'ec2', 'network-interface/*'),
        arn(ctx, 'ec2', `subnet/${shared.subnetId}`),
        arn(ctx, 'ec2', `security-group/${shared.securityGroupId}`),
      ],
    },
    {
      sid: 'CleanUpWorkerNetworkInterfaces',
      actions: ['ec2:DeleteNetworkInterface', 'ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [arn(ctx, 'ec2', 'network-interface/*')],
    },
  ];
  if (access.readPrefixes.length > 0) {
    statements.push({
      sid: 'ReadUpstreamLayers',
      actions: ['s3:GetObject'],
      resources: access.readPrefixes.map((prefix) => lake.objectsArn(prefix)),
    });
  }
  return statements;
}
