// CloudWatch log groups are always KMS-encrypted and kept for the configured retention.
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { DeploymentContext } from './context';

export function encryptedLogGroup(
  scope: Construct,
  id: string,
  ctx: DeploymentContext,
  name: string,
  kmsKeyArn: string,
): CloudwatchLogGroup {
  return new CloudwatchLogGroup(scope, id, {
    name,
    kmsKeyId: kmsKeyArn,
    retentionInDays: ctx.logRetentionDays,
  });
}
