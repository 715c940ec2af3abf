// The whole pipeline in one stack: it only wires the provider and the domain constructs together,
// turning the validated configuration into each construct's props.
import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { includesKinesis, includesMsk, namePrefix, type InfraConfig } from '../config';
import { Alarms } from '../constructs/alarms';
import { Athena } from '../constructs/athena';
import type { DeploymentContext } from '../constructs/context';
import { FargateCluster } from '../constructs/fargate-cluster';
import { BRONZE_METRICS_NAMESPACE, GlueJobs } from '../constructs/glue-jobs';
import { Lake } from '../constructs/lake';
import { Metabase } from '../constructs/metabase';
import { MskCluster } from '../constructs/msk-cluster';
import { Network } from '../constructs/network';
import { PlatformKey } from '../constructs/platform-key';
import { SchemaRegistryService } from '../constructs/schema-registry-service';
import { TradeStream } from '../constructs/trade-stream';

export interface StreamSoftStackProps {
  readonly config: InfraConfig;
  /** Wheel files of the Glue jobs' packages (main.ts finds them); empty with `pipInstallModules`. */
  readonly wheelFiles: string[];
  /** `name==version` pins of those packages (glue-streaming/requirements-glue.txt). */
  readonly pythonModules: string[];
}

export class StreamSoftStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: StreamSoftStackProps) {
    super(scope, id);
    const config = props.config;
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: { project: 'streamsoft', environment: config.env, 'managed-by': 'cdktf' } }],
    });
    const identity = new DataAwsCallerIdentity(this, 'identity');
    const partition = new DataAwsPartition(this, 'partition');
    const context: DeploymentContext = {
      namePrefix: namePrefix(config),
      region: config.region,
      accountId: identity.accountId,
      partition: partition.partition,
      logRetentionDays: config.logRetentionDays,
      allowDestroy: config.allowDestroy,
    };

    const key = new PlatformKey(this, 'platform-key', { context });
    const kmsKeyArn = key.keyArn;
    const network = new Network(this, 'network', {
      context,
      cidr: config.vpcCidr,
      azCount: config.azCount,
      kmsKeyArn,
    });
    const stream = includesKinesis(config.transport)
      ? new TradeStream(this, 'trade-stream', {
          context,
          kmsKeyArn,
          retentionHours: config.kinesisRetentionHours,
          ...(config.kinesisEfo ? { efoConsumerName: `${context.namePrefix}-bronze` } : {}),
        })
      : undefined;
    const msk = includesMsk(config.transport)
      ? new MskCluster(this, 'msk', {
          context,
          kmsKeyArn,
          vpcId: network.vpcId,
          subnetIds: network.dataSubnetIds,
          kafkaVersion: config.mskKafkaVersion,
          brokerInstanceType: config.mskBrokerInstanceType,
          brokerVolumeGb: config.mskBrokerVolumeGb,
          ...(config.mskBrokers === undefined ? {} : { brokers: config.mskBrokers }),
          partitions: config.mskPartitions,
          topic: config.topic,
          consumerGroup: config.consumerGroup,
          clientSecurityGroupIds: [network.glueSecurityGroupId],
          clientCidr: network.vpcCidr,
        })
      : undefined;

    const services = new FargateCluster(this, 'services', { context });
    const registry = new SchemaRegistryService(this, 'schema-registry', {
      context,
      kmsKeyArn,
      clusterArn: services.clusterArn,
      vpcId: network.vpcId,
      appSubnetIds: network.appSubnetIds,
      dataSubnetIds: network.dataSubnetIds,
      image: config.registryImage,
      dbInstanceClass: config.dbInstanceClass,
      postgresVersion: config.postgresVersion,
      clientSecurityGroupIds: [network.glueSecurityGroupId],
      clientCidr: network.vpcCidr,
    });

    const lake = new Lake(this, 'lake', { context, kmsKeyArn });
    const jobs = new GlueJobs(this, 'glue-jobs', {
      context,
      kmsKeyArn,
      lake,
      sourceDir: config.glueSourceDir,
      wheelFiles: props.wheelFiles,
      pythonModules: props.pythonModules,
      mskIamAuthJar: config.mskIamAuthJar,
      kinesis: stream && {
        streamName: stream.streamName,
        streamArn: stream.streamArn,
        reader: config.kinesisReader,
        efoConsumer: stream.efoConsumer,
      },
      kafka: msk && {
        bootstrapBrokers: msk.bootstrapBrokers,
        topic: msk.topic,
        clusterArn: msk.clusterArn,
        topicArn: msk.topicArn,
        groupArn: msk.groupArn,
        groupIdPrefix: msk.consumerGroup,
      },
      registryUrl: registry.url,
      vpcId: network.vpcId,
      subnetId: network.glueSubnetId,
      availabilityZone: network.glueAvailabilityZone,
      securityGroupId: network.glueSecurityGroupId,
      streamingWorkerType: config.streamingWorkerType,
      streamingWorkers: config.streamingWorkers,
      batchWorkerType: config.batchWorkerType,
      batchWorkers: config.batchWorkers,
      triggerSeconds: config.triggerSeconds,
      startingPosition: config.startingPosition,
      silverSchedule: config.silverSchedule,
      refineMode: config.refineMode,
      refineTriggerSeconds: config.refineTriggerSeconds,
      bronzeCompactMinutes: config.bronzeCompactMinutes,
    });
    const athena = new Athena(this, 'athena', { context, kmsKeyArn, lake });

    const certificateArn = config.certificateArn ?? this.certificateVariable();
    const metabase = new Metabase(this, 'metabase', {
      context,
      kmsKeyArn,
      clusterArn: services.clusterArn,
      vpcId: network.vpcId,
      publicSubnetIds: network.publicSubnetIds,
      appSubnetIds: network.appSubnetIds,
      dataSubnetIds: network.dataSubnetIds,
      image: config.metabaseImage,
      certificateArn,
      adminEmail: config.metabaseAdminEmail,
      allowedCidrs: config.metabaseAllowedCidrs,
      dbInstanceClass: config.dbInstanceClass,
      postgresVersion: config.postgresVersion,
      queryPolicy: athena.queryPolicy,
    });

    const alarms = new Alarms(this, 'alarms', {
      context,
      kmsKeyArn,
      email: config.alarmEmail,
      kinesis: stream && {
        streamName: stream.streamName,
        iteratorAgeThresholdMs: config.iteratorAgeThresholdMs,
      },
      msk: jobs.bronzeSources.includes('kafka')
        ? { jobName: jobs.bronzeJobName, offsetLagThreshold: config.offsetLagThreshold }
        : undefined,
      glue: {
        // One job, one metrics series per source it reads (the `Source` dimension).
        streamingJobs: jobs.bronzeSources.map((source) => ({ jobName: jobs.bronzeJobName, source })),
        allJobNames: [jobs.bronzeJobName, ...jobs.refineJobNames],
        batchDurationThresholdMs: config.batchDurationThresholdMs ?? config.triggerSeconds * 2000,
      },
      bronzeMetricsNamespace: BRONZE_METRICS_NAMESPACE,
    });

    const output = (name: string, value: string | string[], description: string) =>
      new TerraformOutput(this, name, { value, description });
    output('lake_bucket', lake.bucketName, 'S3 bucket of the Delta lake');
    output('lake_path', lake.lakePath, 'Root of the Delta tables (<lake_path>/<layer>/<table>)');
    output('registry_url', registry.url, 'Schema registry Confluent API, inside the VPC');
    output('glue_streaming_jobs', jobs.streamingJobNames, 'Streaming jobs: start them after apply');
    if (jobs.workflowName !== undefined) output('glue_workflow', jobs.workflowName, 'Silver/gold workflow');
    output('athena_workgroup', athena.workgroupName, 'Athena workgroup for dashboards');
    output('metabase_url', metabase.url, 'Metabase (HTTPS); point your DNS name for the certificate here');
    output(
      'metabase_admin_secret_arn',
      metabase.adminSecretArn,
      'Secret with the Metabase admin email/password',
    );
    output('alarm_topic_arn', alarms.topicArn, 'SNS topic receiving the pipeline alarms');
    if (stream !== undefined)
      output('kinesis_stream', stream.streamName, 'Kinesis stream to produce trades to');
    if (msk !== undefined) {
      output(
        'msk_bootstrap_brokers',
        msk.bootstrapBrokers,
        'MSK bootstrap brokers (IAM auth, TLS, port 9098)',
      );
      output('msk_topic', msk.topic, 'Kafka topic to create and produce trades to');
    }
  }

  /** Without --certificate-arn, `terraform apply` asks for the certificate. */
  private certificateVariable(): string {
    return new TerraformVariable(this, 'metabase_certificate_arn', {
      type: 'string',
      description: 'ACM certificate ARN for the Metabase HTTPS listener (or synth with --certificate-arn)',
      validation: [
        {
          condition: '${can(regex("^arn:aws[a-z-]*:acm:", var.metabase_certificate_arn))}',
          errorMessage: 'metabase_certificate_arn must be an ACM certificate ARN',
        },
      ],
    }).stringValue;
  }
}
