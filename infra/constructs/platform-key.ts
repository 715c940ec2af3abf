// The customer-managed KMS key that encrypts everything at rest (stream, lake, logs, topics, databases,
// secrets), with a key policy that names each AWS service allowed to use it and nothing more.
import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { policyDocument } from '../iam';
import { arn, type DeploymentContext } from './context';

export interface PlatformKeyProps {
  readonly context: DeploymentContext;
}

// The account's administrators manage the key through IAM; enumerated instead of `kms:*`.
const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:CreateGrant',
];

export class PlatformKey extends Construct {
  readonly keyArn: string;
  readonly keyId: string;

  constructor(scope: Construct, id: string, props: PlatformKeyProps) {
    super(scope, id);
    const ctx = props.context;
    const key = new KmsKey(this, 'key', {
      description: `${ctx.namePrefix}: encryption at rest for the trades pipeline`,
      enableKeyRotation: true,
      deletionWindowInDays: ctx.allowDestroy ? 7 : 30,
      policy: policyDocument([
        {
          sid: 'AccountAdministration',
          principal: { AWS: `arn:${ctx.partition}:iam::${ctx.accountId}:root` },
          actions: KEY_ADMIN_ACTIONS,
          resources: ['*'],
        },
        {
          // AWS's statement (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html)
          // less its kms:Describe*: DescribeKey and DescribeCustomKeyStores carry no encryption context, so
          // under this condition they were never allowed (parliament: UNKNOWN_CONDITION_FOR_ACTION).
          sid: 'CloudWatchLogsEncryptLogGroups',
          principal: { Service: `logs.${ctx.region}.amazonaws.com` },
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            ArnLike: { 'kms:EncryptionContext:aws:logs:arn': arn(ctx, 'logs', 'log-group:*') },
          },
        },
        {
          // Without a condition, as AWS documents for encrypted topics: what may publish is decided by
          // the topic policy (this account's alarms, this stack's EventBridge rule).
          sid: 'AlarmsAndEventsPublishToEncryptedTopic',
          principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        },
      ]),
    });
    new KmsAlias(this, 'alias', { name: `alias/${ctx.namePrefix}`, targetKeyId: key.keyId });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
  }
}
