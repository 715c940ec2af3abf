// The VPC: public subnets only for the Metabase load balancer and the NAT gateway, private "app" subnets
// with outbound internet for the Fargate services (their images come from Docker Hub), and isolated
// "data" subnets with no route out at all for MSK, Glue and RDS, which reach AWS APIs through VPC
// endpoints instead.
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { GLUE_SELF_REFERENCING_INGRESS } from '../aws-rules';
import { assumeRolePolicy, policyDocument } from '../iam';
import type { DeploymentContext } from './context';
import { encryptedLogGroup } from './log-group';
import { allowEgress, allowIngress } from './security-rules';

export interface NetworkProps {
  readonly context: DeploymentContext;
  readonly cidr: string;
  readonly azCount: number;
  readonly kmsKeyArn: string;
}

/** Interface endpoints the jobs and services need so no AWS call leaves the VPC. */
export const INTERFACE_ENDPOINT_SERVICES = [
  'glue',
  'kinesis-streams',
  'sts',
  'secretsmanager',
  'logs',
  'monitoring',
  'kms',
  'ecr.api',
  'ecr.dkr',
] as const;

type Tier = 'public' | 'app' | 'data';

export class Network extends Construct {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly publicSubnetIds: string[];
  /** Private subnets with outbound internet through NAT: Fargate services. */
  readonly appSubnetIds: string[];
  /** Isolated subnets, no route out: MSK, Glue, RDS. */
  readonly dataSubnetIds: string[];
  /** The first data subnet and its zone, where the Glue connection places job workers. */
  readonly glueSubnetId: string;
  readonly glueAvailabilityZone: string;
  /** Glue workers' group: Glue requires it to admit itself; others admit it by id. */
  readonly glueSecurityGroupId: string;
  readonly s3PrefixListId: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const ctx = props.context;
    // Named zones, so the subnets never move when AWS opens another zone in the region.
    const zoneNames = ['a', 'b', 'c'].slice(0, props.azCount).map((letter) => `${ctx.region}${letter}`);
    const zones = new DataAwsAvailabilityZones(this, 'zones', {
      state: 'available',
      filter: [{ name: 'zone-name', values: zoneNames }],
    });
    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: ctx.namePrefix },
    });
    // The default group would admit anything that forgets to name a group; strip all its rules.
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: vpc.id, ingress: [], egress: [] });
    this.flowLogs(vpc, ctx, props.kmsKeyArn);

    const subnets = (tier: Tier, offset: number): Subnet[] =>
      Array.from({ length: props.azCount }, (_, i) => {
        return new Subnet(this, `${tier}-subnet-${i}`, {
          vpcId: vpc.id,
          cidrBlock: Fn.cidrsubnet(vpc.cidrBlock, 4, offset + i),
          availabilityZone: Fn.element(zones.names, i),
          mapPublicIpOnLaunch: false,
          tags: { Name: `${ctx.namePrefix}-${tier}-${i}`, tier },
        });
      });
    const publicSubnets = subnets('public', 0);
    const appSubnets = subnets('app', 4);
    const dataSubnets = subnets('data', 8);

    const igw = new InternetGateway(this, 'igw', { vpcId: vpc.id });
    const publicRoutes = this.routeTable(ctx.namePrefix, 'public', vpc.id, publicSubnets);
    new Route(this, 'public-default-route', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });
    const natIp = new Eip(this, 'nat-ip', { domain: 'vpc', dependsOn: [igw] });
    const nat = new NatGateway(this, 'nat', {
      allocationId: natIp.allocationId,
      subnetId: publicSubnets[0]!.id,
    });
    const appRoutes = this.routeTable(ctx.namePrefix, 'app', vpc.id, appSubnets);
    new Route(this, 'app-default-route', {
      routeTableId: appRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: nat.id,
    });
    const dataRoutes = this.routeTable(ctx.namePrefix, 'data', vpc.id, dataSubnets);

    const s3 = new VpcEndpoint(this, 'endpoint-s3', {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${ctx.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [appRoutes.id, dataRoutes.id],
      tags: { Name: `${ctx.namePrefix}-s3` },
    });
    const endpointSg = new SecurityGroup(this, 'endpoints-sg', {
      name: `${ctx.namePrefix}-endpoints`,
      description: 'VPC interface endpoints: HTTPS from inside the VPC',
      vpcId: vpc.id,
    });
    allowIngress(this, 'endpoints-https-in', endpointSg.id, {
      peer: { cidr: vpc.cidrBlock },
      port: 443,
      description: 'AWS API calls from the VPC',
    });
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      new VpcEndpoint(this, `endpoint-${service.replace('.', '-')}`, {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${ctx.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: dataSubnets.map((s) => s.id),
        securityGroupIds: [endpointSg.id],
        tags: { Name: `${ctx.namePrefix}-${service}` },
      });
    }

    const glueSg = new SecurityGroup(this, 'glue-sg', {
      name: `${ctx.namePrefix}-glue`,
      description: 'Glue job workers',
      vpcId: vpc.id,
    });
    // Glue refuses to start a job run unless one of its security groups admits itself on ALL TCP
    // ports (GLUE_SELF_REFERENCING_INGRESS, with its pages); a split that skips 22, 80 or 3389 fails
    // every run. The source is the group itself, so nothing outside the group gets in.
    allowIngress(this, 'glue-self-in', glueSg.id, {
      peer: { securityGroupId: glueSg.id },
      port: [GLUE_SELF_REFERENCING_INGRESS.fromPort, GLUE_SELF_REFERENCING_INGRESS.toPort],
      description: 'Glue workers talk to each other on all TCP ports (required by Glue)',
    });
    allowEgress(this, 'glue-self-out', glueSg.id, {
      peer: { securityGroupId: glueSg.id },
      port: [0, 65535],
      description: 'Glue workers talk to each other (required by Glue)',
    });
    allowEgress(this, 'glue-endpoints-out', glueSg.id, {
      peer: { securityGroupId: endpointSg.id },
      port: 443,
      description: 'AWS APIs through the interface endpoints',
    });
    allowEgress(this, 'glue-s3-out', glueSg.id, {
      peer: { prefixListId: s3.prefixListId },
      port: 443,
      description: 'S3 through the gateway endpoint',
    });

    this.vpcId = vpc.id;
    this.vpcCidr = vpc.cidrBlock;
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.appSubnetIds = appSubnets.map((s) => s.id);
    this.dataSubnetIds = dataSubnets.map((s) => s.id);
    this.glueSubnetId = dataSubnets[0]!.id;
    this.glueAvailabilityZone = dataSubnets[0]!.availabilityZone;
    this.glueSecurityGroupId = glueSg.id;
    this.s3PrefixListId = s3.prefixListId;
  }

  private routeTable(prefix: string, tier: Tier, vpcId: string, subnets: Subnet[]): RouteTable {
    const table = new RouteTable(this, `${tier}-routes`, {
      vpcId,
      tags: { Name: `${prefix}-${tier}` },
    });
    subnets.forEach((subnet, i) => {
      new RouteTableAssociation(this, `${tier}-routes-${i}`, { subnetId: subnet.id, routeTableId: table.id });
    });
    return table;
  }

  private flowLogs(vpc: Vpc, ctx: DeploymentContext, kmsKeyArn: string): void {
    const group = encryptedLogGroup(
      this,
      'flow-log-group',
      ctx,
      `/streamsoft/${ctx.namePrefix}/vpc-flow-logs`,
      kmsKeyArn,
    );
    const role = new IamRole(this, 'flow-log-role', {
      name: `${ctx.namePrefix}-vpc-flow-logs`,
      assumeRolePolicy: assumeRolePolicy('vpc-flow-logs.amazonaws.com', ctx.accountId),
    });
    new IamRolePolicy(this, 'flow-log-policy', {
      role: role.id,
      name: 'write-flow-logs',
      policy: policyDocument([
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [group.arn, `${group.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, 'flow-log', {
      vpcId: vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: group.arn,
      iamRoleArn: role.arn,
    });
  }
}
