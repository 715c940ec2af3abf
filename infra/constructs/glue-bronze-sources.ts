// What the bronze job reads, as the stack hands it to GlueJobs: the Kinesis stream (with the reader and
// any enhanced fan-out consumer) and/or the MSK topic, and the IAM statements reading each one takes.
import type { KinesisReaderName } from '../../glue-streaming/job-arguments';
import type { PolicyStatement } from '../iam';

export interface KinesisSource {
  readonly streamName: string;
  readonly streamArn: string;
  /** The reader the bronze job reads it with (`--kinesis-reader`, always passed). */
  readonly reader: KinesisReaderName;
  /** With reader `aws`: the enhanced fan-out consumer registered for the job. */
  readonly efoConsumer?: { readonly name: string; readonly arn: string };
}

export interface KafkaSource {
  readonly bootstrapBrokers: string;
  readonly topic: string;
  readonly clusterArn: string;
  readonly topicArn: string;
  /** Consumer-group names the job may use (`<prefix>*`), and the prefix the job is told to use. */
  readonly groupArn: string;
  readonly groupIdPrefix: string;
}

/**
 * What the bronze job calls on the stream and on its enhanced fan-out consumer, each scoped to the
 * resource type the Service Authorization Reference gives the action
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesisdatastreams.html):
 * `stream` for the stream-level reads, `consumer` for DescribeStreamConsumer and SubscribeToShard.
 * - Both readers: ListShards, GetShardIterator, GetRecords (polling) and DescribeStream(Summary).
 * - `aws-kinesis` with EFO looks the consumer up (DescribeStreamSummary for the stream ARN, then
 *   DescribeStreamConsumer by stream ARN and name) before it subscribes (SubscribeToShard); it registers
 *   the consumer only when that lookup finds none (KinesisUtils.registerStreamConsumer in
 *   https://github.com/awslabs/spark-sql-kinesis-connector). The stack registers it, so the role gets no
 *   RegisterStreamConsumer, nor DeregisterStreamConsumer: the connector deregisters its consumer when the
 *   query stops and ignores a failure there, which keeps the stack's consumer (and its ARN, which this
 *   policy names) across job restarts.
 */
export const KINESIS_STREAM_READ_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
];
export const KINESIS_EFO_CONSUMER_ACTIONS = ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'];

/**
 * The bronze role's statements for its sources: the stream (and its consumer), and/or the cluster, topic
 * and consumer groups with the MSK IAM login jar, whose object ARN is given when there is a Kafka source.
 */
export function sourceStatements(sources: {
  readonly kinesis?: KinesisSource;
  readonly kafka?: KafkaSource;
  readonly mskIamAuthJarArn?: string;
}): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const { kinesis, kafka } = sources;
  if (kinesis !== undefined) {
    statements.push({
      sid: 'ReadTradeStream',
      actions: KINESIS_STREAM_READ_ACTIONS,
      resources: [kinesis.streamArn],
    });
    if (kinesis.efoConsumer !== undefined) {
      statements.push({
        sid: 'SubscribeAsEfoConsumer',
        actions: KINESIS_EFO_CONSUMER_ACTIONS,
        resources: [kinesis.efoConsumer.arn],
      });
    }
  }
  if (kafka !== undefined) {
    statements.push(
      {
        sid: 'ConnectToCluster',
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        resources: [kafka.clusterArn],
      },
      {
        sid: 'ReadTradesTopic',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: [kafka.topicArn],
      },
      {
        sid: 'UseConsumerGroup',
        actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
        resources: [kafka.groupArn],
      },
      { sid: 'ReadMskIamJar', actions: ['s3:GetObject'], resources: [sources.mskIamAuthJarArn!] },
    );
  }
  return statements;
}
