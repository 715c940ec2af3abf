// The Kinesis data stream trades are produced to: on-demand capacity (no shard sizing to get wrong),
// encrypted with the platform key, retention configurable.
import { Construct } from 'constructs';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import type { DeploymentContext } from './context';

export interface TradeStreamProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  readonly retentionHours: number;
}

export class TradeStream extends Construct {
  readonly streamName: string;
  readonly streamArn: string;

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
  }
}
