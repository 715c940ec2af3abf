// A private RDS PostgreSQL instance for one service's state (the registry's schemas, Metabase's app DB):
// encrypted, TLS enforced, Multi-AZ, backed up, its master password generated and kept by RDS in
// Secrets Manager (never in Terraform state or code).
import { Construct } from 'constructs';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { assumeRolePolicy } from '../iam';
import type { DeploymentContext } from './context';
import { encryptedLogGroup } from './log-group';
import { allowIngress } from './security-rules';

export interface PostgresDatabaseProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  /** Which service the database belongs to: `registry`, `metabase`. */
  readonly service: string;
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly instanceClass: string;
  readonly engineVersion: string;
  /** The only group allowed to connect. */
  readonly clientSecurityGroupId: string;
}

export const POSTGRES_PORT = 5432;

export class PostgresDatabase extends Construct {
  readonly address: string;
  readonly port = POSTGRES_PORT;
  readonly databaseName: string;
  /** RDS-managed secret holding `{"username": …, "password": …}`. */
  readonly masterSecretArn: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const ctx = props.context;
    const identifier = `${ctx.namePrefix}-${props.service}`;
    const major = props.engineVersion.split('.')[0];

    const sg = new SecurityGroup(this, 'sg', {
      name: `${identifier}-db`,
      description: `PostgreSQL for ${props.service}: its service only`,
      vpcId: props.vpcId,
    });
    allowIngress(this, 'client-in', sg.id, {
      peer: { securityGroupId: props.clientSecurityGroupId },
      port: POSTGRES_PORT,
      description: `PostgreSQL from the ${props.service} service`,
    });
    const subnets = new DbSubnetGroup(this, 'subnets', {
      name: identifier,
      subnetIds: props.subnetIds,
      description: `Isolated subnets for the ${props.service} database`,
    });
    const parameters = new DbParameterGroup(this, 'parameters', {
      name: identifier,
      family: `postgres${major}`,
      description: `TLS-only connections and connection logging for ${props.service}`,
      parameter: [
        { name: 'rds.force_ssl', value: '1' },
        { name: 'log_connections', value: '1' },
        { name: 'log_disconnections', value: '1' },
      ],
    });
    const monitoringRole = new IamRole(this, 'monitoring-role', {
      name: `${identifier}-rds-monitoring`,
      assumeRolePolicy: assumeRolePolicy('monitoring.rds.amazonaws.com', ctx.accountId),
    });
    new IamRolePolicyAttachment(this, 'monitoring-policy', {
      role: monitoringRole.name,
      policyArn: `arn:${ctx.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
    });
    // Pre-created so the exported logs are encrypted and expire like every other log group.
    const logGroups = ['postgresql', 'upgrade'].map((kind) =>
      encryptedLogGroup(this, `log-${kind}`, ctx, `/aws/rds/instance/${identifier}/${kind}`, props.kmsKeyArn),
    );
    const databaseName = props.service.replace(/[^a-z0-9]/g, '');
    const db = new DbInstance(this, 'instance', {
      identifier,
      engine: 'postgres',
      engineVersion: props.engineVersion,
      instanceClass: props.instanceClass,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      storageType: 'gp3',
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      dbName: databaseName,
      username: `${databaseName}_admin`,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.kmsKeyArn,
      dbSubnetGroupName: subnets.name,
      parameterGroupName: parameters.name,
      vpcSecurityGroupIds: [sg.id],
      publiclyAccessible: false,
      multiAz: true,
      backupRetentionPeriod: 7,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      iamDatabaseAuthenticationEnabled: true,
      monitoringInterval: 60,
      monitoringRoleArn: monitoringRole.arn,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.kmsKeyArn,
      enabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
      deletionProtection: !ctx.allowDestroy,
      skipFinalSnapshot: ctx.allowDestroy,
      finalSnapshotIdentifier: ctx.allowDestroy ? undefined : `${identifier}-final`,
      dependsOn: logGroups,
    });
    this.address = db.address;
    this.databaseName = databaseName;
    this.masterSecretArn = db.masterUserSecret.get(0).secretArn;
    this.securityGroupId = sg.id;
  }
}
