// Metabase for the dashboards: Fargate tasks in the private app subnets behind an internet-facing load
// balancer that only speaks HTTPS (443, the one public ingress of the stack) and sits behind a WAF, its
// application database on RDS PostgreSQL, and admin credentials generated into Secrets Manager for
// `streamsoft metabase provision` to set Metabase up with. Metabase ships the Athena driver; it signs
// in with the task role (leave the access key fields empty when adding the Athena database).
import { Construct } from 'constructs';
import { DataAwsSecretsmanagerRandomPassword } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Fn } from 'cdktf';
import type { PolicyStatement } from '../iam';
import type { DeploymentContext } from './context';
import { METABASE_RUNTIME } from './container-runtimes';
import { FargateService } from './fargate-service';
import { POSTGRES_PORT, PostgresDatabase } from './postgres-database';
import { allowEgress, allowIngress } from './security-rules';
import { WebFirewall } from './web-firewall';

export interface MetabaseProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  readonly clusterArn: string;
  readonly vpcId: string;
  readonly publicSubnetIds: string[];
  readonly appSubnetIds: string[];
  readonly dataSubnetIds: string[];
  readonly image: string;
  /** ACM certificate for the HTTPS listener. */
  readonly certificateArn: string;
  readonly adminEmail: string;
  /** Who may reach the HTTPS listener. */
  readonly allowedCidrs: string[];
  readonly dbInstanceClass: string;
  readonly postgresVersion: string;
  /** What Metabase may do in Athena and the lake (from the Athena construct). */
  readonly queryPolicy: PolicyStatement[];
}

export const METABASE_PORT = 3000;
export const HTTPS_PORT = 443;
/** Where the image keeps its drivers (one of METABASE_RUNTIME's writable paths). */
export const METABASE_PLUGINS_DIR = '/plugins';

export class Metabase extends Construct {
  readonly url: string;
  readonly loadBalancerDnsName: string;
  /** Secret holding `{"email": …, "password": …}` for the first admin. */
  readonly adminSecretArn: string;
  readonly loadBalancerSecurityGroupId: string;

  constructor(scope: Construct, id: string, props: MetabaseProps) {
    super(scope, id);
    const ctx = props.context;
    const name = `${ctx.namePrefix}-metabase`;

    const albSg = new SecurityGroup(this, 'alb-sg', {
      name: `${name}-alb`,
      description: 'Metabase load balancer: HTTPS only',
      vpcId: props.vpcId,
    });
    const taskSg = new SecurityGroup(this, 'task-sg', {
      name: `${name}-tasks`,
      description: 'Metabase tasks: traffic from the load balancer only',
      vpcId: props.vpcId,
    });
    props.allowedCidrs.forEach((cidr, i) => {
      allowIngress(this, `https-in-${i}`, albSg.id, {
        peer: { cidr },
        port: HTTPS_PORT,
        description: 'Dashboards over HTTPS',
      });
    });
    allowEgress(this, 'alb-to-tasks', albSg.id, {
      peer: { securityGroupId: taskSg.id },
      port: METABASE_PORT,
      description: 'Forward to Metabase tasks',
    });
    allowIngress(this, 'tasks-from-alb', taskSg.id, {
      peer: { securityGroupId: albSg.id },
      port: METABASE_PORT,
      description: 'Requests from the load balancer',
    });
    allowEgress(this, 'tasks-https-out', taskSg.id, {
      peer: { cidr: '0.0.0.0/0' },
      port: HTTPS_PORT,
      description: 'Athena, Glue, S3 APIs and the image pull over HTTPS (through NAT)',
    });

    const db = new PostgresDatabase(this, 'db', {
      context: ctx,
      kmsKeyArn: props.kmsKeyArn,
      service: 'metabase',
      vpcId: props.vpcId,
      subnetIds: props.dataSubnetIds,
      instanceClass: props.dbInstanceClass,
      engineVersion: props.postgresVersion,
      clientSecurityGroupId: taskSg.id,
    });
    allowEgress(this, 'tasks-db-out', taskSg.id, {
      peer: { securityGroupId: db.securityGroupId },
      port: POSTGRES_PORT,
      description: 'Metabase application database',
    });

    const adminSecret = new SecretsmanagerSecret(this, 'admin-secret', {
      name: `${ctx.namePrefix}/metabase/admin`,
      description: 'First Metabase admin, used by streamsoft metabase provision',
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: ctx.allowDestroy ? 0 : 30,
    });
    const password = new DataAwsSecretsmanagerRandomPassword(this, 'admin-password', {
      passwordLength: 32,
      excludePunctuation: true,
    });
    new SecretsmanagerSecretVersion(this, 'admin-secret-value', {
      secretId: adminSecret.id,
      secretString: Fn.jsonencode({ email: props.adminEmail, password: password.randomPassword }),
      // The generator yields a new value on every plan; keep the first one (rotate it in Metabase).
      lifecycle: { ignoreChanges: ['secret_string'] },
    });

    const alb = new Lb(this, 'alb', {
      name,
      internal: false,
      loadBalancerType: 'application',
      securityGroups: [albSg.id],
      subnets: props.publicSubnetIds,
      dropInvalidHeaderFields: true,
      enableDeletionProtection: !ctx.allowDestroy,
    });
    new WebFirewall(this, 'firewall', {
      context: ctx,
      kmsKeyArn: props.kmsKeyArn,
      name: 'metabase',
      loadBalancerArn: alb.arn,
    });
    const targets = new LbTargetGroup(this, 'targets', {
      name: `${ctx.namePrefix}-mb`,
      port: METABASE_PORT,
      protocol: 'HTTP',
      targetType: 'ip',
      vpcId: props.vpcId,
      healthCheck: { path: '/api/health', matcher: '200', interval: 30, healthyThreshold: 2 },
    });
    new LbListener(this, 'https', {
      loadBalancerArn: alb.arn,
      port: HTTPS_PORT,
      protocol: 'HTTPS',
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificateArn: props.certificateArn,
      defaultAction: [{ type: 'forward', targetGroupArn: targets.arn }],
    });

    new FargateService(this, 'service', {
      context: ctx,
      kmsKeyArn: props.kmsKeyArn,
      clusterArn: props.clusterArn,
      service: 'metabase',
      image: props.image,
      cpu: 1024,
      memory: 2048,
      port: METABASE_PORT,
      environment: {
        MB_DB_TYPE: 'postgres',
        MB_DB_CONNECTION_URI: `postgres://${db.address}:${POSTGRES_PORT}/${db.databaseName}?ssl=true&sslmode=require`,
        MB_PLUGINS_DIR: METABASE_PLUGINS_DIR,
        MB_JETTY_PORT: String(METABASE_PORT),
        MB_SITE_URL: `https://${alb.dnsName}`,
        JAVA_TIMEZONE: 'UTC',
      },
      secrets: {
        MB_DB_USER: `${db.masterSecretArn}:username::`,
        MB_DB_PASS: `${db.masterSecretArn}:password::`,
      },
      secretArns: [db.masterSecretArn],
      runtime: METABASE_RUNTIME,
      subnetIds: props.appSubnetIds,
      securityGroupIds: [taskSg.id],
      taskPolicy: props.queryPolicy,
      targetGroupArn: targets.arn,
      healthCheckGraceSeconds: 600,
    });

    this.url = `https://${alb.dnsName}`;
    this.loadBalancerDnsName = alb.dnsName;
    this.adminSecretArn = adminSecret.arn;
    this.loadBalancerSecurityGroupId = albSg.id;
  }
}
