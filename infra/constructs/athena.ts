// Athena for the dashboards: a workgroup whose settings clients cannot override (results location,
// KMS encryption, a per-query scan limit), and the encrypted bucket its results go to.
import { Construct } from 'constructs';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { KMS_USE_ACTIONS, type PolicyStatement } from '../iam';
import { arn, type DeploymentContext } from './context';
import type { Lake } from './lake';
import { SecureBucket } from './secure-bucket';

export interface AthenaProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  readonly lake: Lake;
  /** A query scanning more than this fails instead of running up the bill. */
  readonly bytesScannedCutoffPerQuery?: number;
}

export class Athena extends Construct {
  readonly workgroupName: string;
  readonly workgroupArn: string;
  readonly resultsBucketName: string;
  /** What a dashboard client (Metabase) needs to query the lake through this workgroup. */
  readonly queryPolicy: PolicyStatement[];

  constructor(scope: Construct, id: string, props: AthenaProps) {
    super(scope, id);
    const ctx = props.context;
    const results = new SecureBucket(this, 'results', {
      context: ctx,
      purpose: 'athena-results',
      kmsKeyArn: props.kmsKeyArn,
      noncurrentVersionDays: 7,
      expireAfterDays: 30,
    });
    const workgroup = new AthenaWorkgroup(this, 'workgroup', {
      name: ctx.namePrefix,
      description: 'StreamSoft dashboards over the Delta lake',
      state: 'ENABLED',
      forceDestroy: ctx.allowDestroy,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3,
        // Delta Lake tables are read on engine version 3 only, and the workgroup must be configured for it
        // (https://docs.aws.amazon.com/athena/latest/ug/delta-lake-tables.html); AUTO leaves the choice to
        // Athena. The value is one of ListEngineVersions' names.
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${results.bucketName}/results/`,
          expectedBucketOwner: ctx.accountId,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKeyArn: props.kmsKeyArn },
        },
      },
    });
    this.workgroupName = workgroup.name;
    this.workgroupArn = workgroup.arn;
    this.resultsBucketName = results.bucketName;
    this.queryPolicy = [
      {
        sid: 'RunQueriesInWorkgroup',
        actions: [
          'athena:StartQueryExecution',
          'athena:StopQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:GetQueryResultsStream',
          'athena:GetWorkGroup',
          'athena:ListQueryExecutions',
        ],
        resources: [workgroup.arn],
      },
      {
        // List calls have no resource-level permissions in IAM.
        sid: 'ListCatalogsAndWorkgroups',
        actions: ['athena:ListDataCatalogs', 'athena:ListWorkGroups'],
        resources: ['*'],
      },
      {
        sid: 'ReadDefaultCatalog',
        actions: ['athena:GetDataCatalog'],
        resources: [arn(ctx, 'athena', 'datacatalog/AwsDataCatalog')],
      },
      {
        sid: 'ReadTableDefinitions',
        actions: [
          'glue:GetDatabase',
          'glue:GetDatabases',
          'glue:GetTable',
          'glue:GetTables',
          'glue:GetPartition',
          'glue:GetPartitions',
        ],
        resources: props.lake.catalogArns,
      },
      {
        sid: 'ReadLakeTables',
        actions: ['s3:GetObject'],
        resources: [props.lake.objectsArn('lake')],
      },
      {
        sid: 'ListLake',
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [props.lake.bucketArn, results.bucketArn],
      },
      {
        sid: 'WriteQueryResults',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [`${results.bucketArn}/results/*`],
      },
      { sid: 'UsePlatformKey', actions: KMS_USE_ACTIONS, resources: [props.kmsKeyArn] },
    ];
  }
}
