// The Kinesis data stream trades are produced to: on-demand capacity (no shard sizing to get wrong),
// encrypted with the platform key, retention configurable; and, when the bronze job reads it with enhanced
// fan-out, the stream consumer registered for that job.
import { Construct } from 'constructs';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { KinesisStreamConsumer } from '@cdktf/provider-aws/lib/kinesis-stream-consumer';
import type { DeploymentContext } from './context';

export interface TradeStreamProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  readonly retentionHours: number;
  /**
   * Register an enhanced fan-out consumer of this name. The stack owns it: Glue's EFO guide has each job
   * use a consumer registered for it (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-kinesis-efo.html),
   * so the job role needs no RegisterStreamConsumer.
   */
  readonly efoConsumerName?: string;
}

export interface StreamConsumer {
  readonly name: string;
  /** `arn:…:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<creation timestamp>`. */
  readonly arn: string;
}

export class TradeStream extends Construct {
  readonly streamName: string;
  readonly streamArn: string;
  readonly efoConsumer?: StreamConsumer;

  constructor(scope: Construct, id: string, props: TradeStreamProps) {
    super(scope, id);
    const stream = new KinesisStream(this, 'stream', {
      name: `${props.context.namePrefix}-trades`,
      streamModeDetails: { streamMode: 'ON_DEMAND' },
      encryptionType: 'KMS',
      kmsKeyId: props.kmsKeyArn,
      retentionPeriod: props.retentionHours,
    });
    this.streamName = stream.name;
    this.streamArn = stream.arn;
    if (props.efoConsumerName !== undefined) {
      const consumer = new KinesisStreamConsumer(this, 'efo-consumer', {
        name: props.efoConsumerName,
        streamArn: stream.arn,
      });
      this.efoConsumer = { name: consumer.name, arn: consumer.arn };
    }
  }
}
