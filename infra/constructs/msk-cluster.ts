// The Amazon MSK cluster, the alternative transport: brokers in the isolated subnets, clients
// authenticate with IAM over TLS (port 9098), data encrypted at rest with the platform key.
//
// Topic settings (applied by the cluster configuration below; the topic itself is created once after
// deploy, see infra/README.md): replication factor = min(3, brokers), min.insync.replicas = RF - 1
// (at least 1), 6 partitions keyed by symbol, 7 days retention, no unclean leader election, and no
// automatic topic creation, so a typo in a producer's topic name fails instead of creating a topic.
import { Construct } from 'constructs';
import { MskCluster as MskClusterResource } from '@cdktf/provider-aws/lib/msk-cluster';
import { MskConfiguration } from '@cdktf/provider-aws/lib/msk-configuration';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { arn, type DeploymentContext } from './context';
import { encryptedLogGroup } from './log-group';
import { allowEgress, allowIngress } from './security-rules';

export interface MskClusterProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly kafkaVersion: string;
  readonly brokerInstanceType: string;
  readonly brokerVolumeGb: number;
  /** Brokers, a multiple of the subnets; one per subnet when unset. */
  readonly brokers?: number;
  /** `num.partitions`: a topic created without a partition count gets this many. */
  readonly partitions: number;
  readonly topic: string;
  /** Consumer group whose lag is alarmed on and which the bronze job may use. */
  readonly consumerGroup: string;
  /** Groups of the consumers (Glue) allowed to reach the brokers. */
  readonly clientSecurityGroupIds: string[];
  /** Producers inside the VPC (IAM still decides what they may do). */
  readonly clientCidr: string;
}

/** The IAM-authenticated TLS listener. */
export const MSK_IAM_PORT = 9098;

export class MskCluster extends Construct {
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly bootstrapBrokers: string;
  readonly topic: string;
  readonly topicArn: string;
  readonly consumerGroup: string;
  /** ARN pattern of consumer groups, for `kafka-cluster:*Group` permissions. */
  readonly groupArn: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: MskClusterProps) {
    super(scope, id);
    const ctx = props.context;
    const brokers = props.brokers ?? props.subnetIds.length;
    const replication = Math.min(3, brokers);
    const name = `${ctx.namePrefix}-trades`;

    const sg = new SecurityGroup(this, 'sg', {
      name: `${ctx.namePrefix}-msk`,
      description: 'MSK brokers: IAM-authenticated TLS clients only',
      vpcId: props.vpcId,
    });
    props.clientSecurityGroupIds.forEach((groupId, i) => {
      allowIngress(this, `client-sg-in-${i}`, sg.id, {
        peer: { securityGroupId: groupId },
        port: MSK_IAM_PORT,
        description: 'Kafka over TLS with IAM auth from the consumers',
      });
      allowEgress(this, `client-sg-out-${i}`, groupId, {
        peer: { securityGroupId: sg.id },
        port: MSK_IAM_PORT,
        description: 'Kafka over TLS with IAM auth to the brokers',
      });
    });
    allowIngress(this, 'producers-in', sg.id, {
      peer: { cidr: props.clientCidr },
      port: MSK_IAM_PORT,
      description: 'Kafka over TLS with IAM auth from producers in the VPC',
    });

    const configuration = new MskConfiguration(this, 'configuration', {
      name,
      kafkaVersions: [props.kafkaVersion],
      serverProperties: [
        'auto.create.topics.enable=false',
        `default.replication.factor=${replication}`,
        `min.insync.replicas=${Math.max(1, replication - 1)}`,
        `num.partitions=${props.partitions}`,
        'log.retention.hours=168',
        'unclean.leader.election.enable=false',
      ].join('\n'),
    });
    const logs = encryptedLogGroup(
      this,
      'broker-logs',
      ctx,
      `/streamsoft/${ctx.namePrefix}/msk`,
      props.kmsKeyArn,
    );
    const cluster = new MskClusterResource(this, 'cluster', {
      clusterName: name,
      kafkaVersion: props.kafkaVersion,
      numberOfBrokerNodes: brokers,
      brokerNodeGroupInfo: {
        instanceType: props.brokerInstanceType,
        clientSubnets: props.subnetIds,
        securityGroups: [sg.id],
        storageInfo: { ebsStorageInfo: { volumeSize: props.brokerVolumeGb } },
      },
      clientAuthentication: { sasl: { iam: true }, unauthenticated: false },
      encryptionInfo: {
        encryptionAtRestKmsKeyArn: props.kmsKeyArn,
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
      enhancedMonitoring: 'PER_TOPIC_PER_PARTITION',
      loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logs.name } } },
    });

    this.clusterArn = cluster.arn;
    this.clusterName = name;
    this.bootstrapBrokers = cluster.bootstrapBrokersSaslIam;
    this.topic = props.topic;
    this.consumerGroup = props.consumerGroup;
    // Topic and group ARNs are the cluster's with another resource type: …:topic/<name>/<uuid>/<topic>.
    const scoped = (kind: string, rest: string) =>
      arn(ctx, 'kafka', `${kind}/${name}/${cluster.clusterUuid}/${rest}`);
    this.topicArn = scoped('topic', props.topic);
    this.groupArn = scoped('group', `${props.consumerGroup}*`);
    this.securityGroupId = sg.id;
  }
}
