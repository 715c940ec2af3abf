// Alarms on what breaks a streaming pipeline, all to one KMS-encrypted SNS topic: the bronze job
// falling behind Kinesis (iterator age) or MSK (offsets behind latest), any Glue job run failing
// (EventBridge), and micro-batches taking longer than the trigger interval allows. MSK lag and batch
// duration come from the metrics the bronze job publishes itself (glue-streaming/BRONZE.md "Metrics"):
// Spark's Kafka source commits no consumer-group offsets, and Glue's own streaming batch metrics exist
// only for GlueContext.forEachBatch.
import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { policyDocument } from '../iam';
import type { DeploymentContext } from './context';

export interface AlarmsProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  /** Subscribed to the topic when set (the address must confirm the subscription). */
  readonly email?: string;
  readonly kinesis?: { streamName: string; iteratorAgeThresholdMs: number };
  /** The Kafka bronze job, whose `MaxOffsetsBehindLatest` is the MSK lag. */
  readonly msk?: { jobName: string; offsetLagThreshold: number };
  readonly glue: {
    /** Bronze streaming jobs and their `Source` dimension (`kinesis` | `kafka`). */
    streamingJobs: { jobName: string; source: string }[];
    allJobNames: string[];
    batchDurationThresholdMs: number;
  };
  /** CloudWatch namespace the bronze jobs publish their batch metrics to (`--cloudwatch-namespace`). */
  readonly bronzeMetricsNamespace: string;
}

export class Alarms extends Construct {
  readonly topicArn: string;
  readonly alarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const ctx = props.context;
    const topic = new SnsTopic(this, 'topic', {
      name: `${ctx.namePrefix}-alarms`,
      kmsMasterKeyId: props.kmsKeyArn,
    });
    this.topicArn = topic.arn;
    if (props.email !== undefined) {
      new SnsTopicSubscription(this, 'email', {
        topicArn: topic.arn,
        protocol: 'email',
        endpoint: props.email,
      });
    }

    const rule = new CloudwatchEventRule(this, 'glue-job-failed', {
      name: `${ctx.namePrefix}-glue-job-failed`,
      description: 'A StreamSoft Glue job run failed, timed out or errored',
      eventPattern: JSON.stringify({
        source: ['aws.glue'],
        'detail-type': ['Glue Job State Change'],
        detail: { jobName: props.glue.allJobNames, state: ['FAILED', 'TIMEOUT', 'ERROR'] },
      }),
    });
    new CloudwatchEventTarget(this, 'glue-job-failed-to-topic', { rule: rule.name, arn: topic.arn });
    new SnsTopicPolicy(this, 'topic-policy', {
      arn: topic.arn,
      policy: policyDocument([
        {
          sid: 'CloudWatchAlarmsPublish',
          principal: { Service: 'cloudwatch.amazonaws.com' },
          actions: ['sns:Publish'],
          resources: [topic.arn],
          conditions: { StringEquals: { 'aws:SourceAccount': ctx.accountId } },
        },
        {
          sid: 'GlueFailureRulePublishes',
          principal: { Service: 'events.amazonaws.com' },
          actions: ['sns:Publish'],
          resources: [topic.arn],
          conditions: { ArnEquals: { 'aws:SourceArn': rule.arn } },
        },
      ]),
    });

    const alarm = (
      alarmId: string,
      spec: {
        description: string;
        namespace: string;
        metricName: string;
        dimensions: Record<string, string>;
        statistic: string;
        threshold: number;
        periods?: number;
      },
    ) => {
      const name = `${ctx.namePrefix}-${alarmId}`;
      new CloudwatchMetricAlarm(this, alarmId, {
        alarmName: name,
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        statistic: spec.statistic,
        period: 60,
        evaluationPeriods: spec.periods ?? 5,
        threshold: spec.threshold,
        comparisonOperator: 'GreaterThanThreshold',
        // No data means no traffic or a stopped job; job stops are caught by the failure rule.
        treatMissingData: 'notBreaching',
        alarmActions: [topic.arn],
        okActions: [topic.arn],
      });
      this.alarmNames.push(name);
    };

    if (props.kinesis !== undefined) {
      alarm('kinesis-iterator-age', {
        description: 'The bronze job is falling behind the Kinesis stream',
        namespace: 'AWS/Kinesis',
        metricName: 'GetRecords.IteratorAgeMilliseconds',
        dimensions: { StreamName: props.kinesis.streamName },
        statistic: 'Maximum',
        threshold: props.kinesis.iteratorAgeThresholdMs,
      });
    }
    if (props.msk !== undefined) {
      alarm('msk-consumer-lag', {
        description: 'The bronze job is falling behind the MSK topic (offsets behind the latest offset)',
        namespace: props.bronzeMetricsNamespace,
        metricName: 'MaxOffsetsBehindLatest',
        dimensions: { JobName: props.msk.jobName, Source: 'kafka' },
        statistic: 'Maximum',
        threshold: props.msk.offsetLagThreshold,
      });
    }
    props.glue.streamingJobs.forEach(({ jobName, source }, i) => {
      alarm(`streaming-batch-duration-${i}`, {
        description: `Micro-batches of ${jobName} take longer than the trigger interval allows`,
        namespace: props.bronzeMetricsNamespace,
        metricName: 'BatchDurationMs',
        dimensions: { JobName: jobName, Source: source },
        statistic: 'Maximum',
        threshold: props.glue.batchDurationThresholdMs,
        periods: 3,
      });
    });
  }
}
