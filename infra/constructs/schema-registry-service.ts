// The schema registry producers and the bronze job share: Apicurio Registry (the same server as
// locally), its Confluent-compatible API at /apis/ccompat/v7, on Fargate in the private app subnets,
// storing schemas durably in its own RDS PostgreSQL, reachable only from the Glue workers and from
// producers inside the VPC, by a private DNS name (Cloud Map).
import { Construct } from 'constructs';
import { CCOMPAT_PATH } from '../../core/local-endpoints';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { ServiceDiscoveryPrivateDnsNamespace } from '@cdktf/provider-aws/lib/service-discovery-private-dns-namespace';
import { ServiceDiscoveryService } from '@cdktf/provider-aws/lib/service-discovery-service';
import type { DeploymentContext } from './context';
import { APICURIO_RUNTIME } from './container-runtimes';
import { FargateService } from './fargate-service';
import { POSTGRES_PORT, PostgresDatabase } from './postgres-database';
import { allowEgress, allowIngress } from './security-rules';

export interface SchemaRegistryServiceProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  readonly clusterArn: string;
  readonly vpcId: string;
  readonly appSubnetIds: string[];
  readonly dataSubnetIds: string[];
  readonly image: string;
  readonly dbInstanceClass: string;
  readonly postgresVersion: string;
  /** Consumers (Glue workers) allowed to call the registry. */
  readonly clientSecurityGroupIds: string[];
  /** Producers inside the VPC. */
  readonly clientCidr: string;
}

export const REGISTRY_PORT = 8080;

export class SchemaRegistryService extends Construct {
  /** `http://registry.<prefix>.internal:8080/apis/ccompat/v7`, resolvable inside the VPC only. */
  readonly url: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: SchemaRegistryServiceProps) {
    super(scope, id);
    const ctx = props.context;
    const sg = new SecurityGroup(this, 'sg', {
      name: `${ctx.namePrefix}-registry`,
      description: 'Schema registry tasks',
      vpcId: props.vpcId,
    });
    props.clientSecurityGroupIds.forEach((groupId, i) => {
      allowIngress(this, `client-sg-in-${i}`, sg.id, {
        peer: { securityGroupId: groupId },
        port: REGISTRY_PORT,
        description: 'Registry API from the consumers',
      });
      allowEgress(this, `client-sg-out-${i}`, groupId, {
        peer: { securityGroupId: sg.id },
        port: REGISTRY_PORT,
        description: 'Schema lookups in the registry',
      });
    });
    allowIngress(this, 'producers-in', sg.id, {
      peer: { cidr: props.clientCidr },
      port: REGISTRY_PORT,
      description: 'Registry API from producers in the VPC',
    });
    allowEgress(this, 'image-pull-out', sg.id, {
      peer: { cidr: '0.0.0.0/0' },
      port: 443,
      description: 'Container image pull and AWS APIs over HTTPS (through NAT)',
    });

    const db = new PostgresDatabase(this, 'db', {
      context: ctx,
      kmsKeyArn: props.kmsKeyArn,
      service: 'registry',
      vpcId: props.vpcId,
      subnetIds: props.dataSubnetIds,
      instanceClass: props.dbInstanceClass,
      engineVersion: props.postgresVersion,
      clientSecurityGroupId: sg.id,
    });
    allowEgress(this, 'db-out', sg.id, {
      peer: { securityGroupId: db.securityGroupId },
      port: POSTGRES_PORT,
      description: 'Registry storage',
    });

    const namespace = new ServiceDiscoveryPrivateDnsNamespace(this, 'namespace', {
      name: `${ctx.namePrefix}.internal`,
      description: 'Private names of the StreamSoft services',
      vpc: props.vpcId,
    });
    const discovery = new ServiceDiscoveryService(this, 'discovery', {
      name: 'registry',
      dnsConfig: {
        namespaceId: namespace.id,
        routingPolicy: 'MULTIVALUE',
        dnsRecords: [{ type: 'A', ttl: 10 }],
      },
    });

    new FargateService(this, 'service', {
      context: ctx,
      kmsKeyArn: props.kmsKeyArn,
      clusterArn: props.clusterArn,
      service: 'registry',
      image: props.image,
      cpu: 512,
      memory: 1024,
      port: REGISTRY_PORT,
      environment: {
        APICURIO_STORAGE_KIND: 'sql',
        APICURIO_STORAGE_SQL_KIND: 'postgresql',
        APICURIO_DATASOURCE_URL: `jdbc:postgresql://${db.address}:${POSTGRES_PORT}/${db.databaseName}?sslmode=require`,
      },
      secrets: {
        APICURIO_DATASOURCE_USERNAME: `${db.masterSecretArn}:username::`,
        APICURIO_DATASOURCE_PASSWORD: `${db.masterSecretArn}:password::`,
      },
      secretArns: [db.masterSecretArn],
      runtime: APICURIO_RUNTIME,
      subnetIds: props.appSubnetIds,
      securityGroupIds: [sg.id],
      taskPolicy: [],
      serviceRegistryArn: discovery.arn,
    });

    this.url = `http://registry.${ctx.namePrefix}.internal:${REGISTRY_PORT}${CCOMPAT_PATH}`;
    this.securityGroupId = sg.id;
  }
}
