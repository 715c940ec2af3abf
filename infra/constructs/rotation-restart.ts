// Restarts one ECS service whenever RDS rotates a database password it reads. ECS injects `secrets`
// only when a task starts, so after a rotation the running tasks hold a password the database no longer
// accepts for new connections; a forced new deployment starts tasks with the new value and drains the
// old ones (the service's circuit breaker rolls back if they do not come up).
// EventBridge cannot call ecs:UpdateService itself: the rule starts a one-step Step Functions state
// machine that calls it through the AWS SDK integration
// (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html), with no code to
// ship and a role allowed exactly that call on exactly this service.
import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { assumeRolePolicy, policyDocument } from '../iam';
import type { DeploymentContext } from './context';
import { encryptedLogGroup } from './log-group';

export interface RotationRestartProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  /** Short service name: `registry`, `metabase`. */
  readonly service: string;
  readonly clusterArn: string;
  readonly serviceArn: string;
  readonly serviceName: string;
  /** Secrets whose rotation invalidates what the service's tasks read at start. */
  readonly secretArns: string[];
}

/**
 * The event Secrets Manager itself sends to EventBridge when a rotation has moved a secret's AWSCURRENT
 * label to the new version ("Secret Label Updated": source `aws.secretsmanager`, the secret's ARN in
 * `resources`, `detail.labelUpdated` = the label; sent for every label but AWSPENDING and AWSPREVIOUS, on
 * the default bus, enabled for all secrets:
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/secret-event-notifications.html and
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/event-detail-secret-label-updated-secretsmanager.html).
 * It is a documented native event with a documented example, not one derived from CloudTrail records, and
 * it fires for any new current value (RDS's rotation, or a value put by hand), which is exactly when the
 * running tasks hold a stale password. `resources` is an array in the event: EventBridge matches when it
 * shares an element with the pattern's list
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html).
 */
export function secretRotatedPattern(secretArns: string[]): Record<string, unknown> {
  return {
    source: ['aws.secretsmanager'],
    'detail-type': ['Secret Label Updated'],
    resources: secretArns,
    detail: { labelUpdated: ['AWSCURRENT'] },
  };
}

export class RotationRestart extends Construct {
  readonly stateMachineArn: string;

  constructor(scope: Construct, id: string, props: RotationRestartProps) {
    super(scope, id);
    const ctx = props.context;
    const name = `${ctx.namePrefix}-${props.service}-restart`;
    const logs = encryptedLogGroup(this, 'logs', ctx, `/aws/vendedlogs/states/${name}`, props.kmsKeyArn);

    const machineRole = new IamRole(this, 'machine-role', {
      name: `${name}-sfn`,
      assumeRolePolicy: assumeRolePolicy('states.amazonaws.com', ctx.accountId),
    });
    new IamRolePolicy(this, 'machine-policy', {
      role: machineRole.id,
      name: 'force-new-deployment',
      policy: policyDocument([
        { sid: 'RestartService', actions: ['ecs:UpdateService'], resources: [props.serviceArn] },
        {
          // Step Functions delivers execution logs through CloudWatch Logs vended delivery, whose APIs
          // take no resource ARN (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
          sid: 'DeliverLogs',
          actions: [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          resources: ['*'],
        },
      ]),
    });
    const machine = new SfnStateMachine(this, 'machine', {
      name,
      type: 'STANDARD',
      roleArn: machineRole.arn,
      definition: JSON.stringify({
        Comment: `Force a new deployment of ${props.serviceName} so its tasks read the rotated secret`,
        StartAt: 'ForceNewDeployment',
        States: {
          ForceNewDeployment: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:ecs:updateService',
            Parameters: { Cluster: props.clusterArn, Service: props.serviceName, ForceNewDeployment: true },
            Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 2 }],
            End: true,
          },
        },
      }),
      // One execution a week per service: log each in full. Its data is the CloudTrail event (the
      // secret's ARN, never its value) and UpdateService's answer, into a KMS-encrypted group.
      loggingConfiguration: {
        logDestination: `${logs.arn}:*`,
        level: 'ALL',
        includeExecutionData: true,
      },
      tracingConfiguration: { enabled: true },
      encryptionConfiguration: {
        type: 'CUSTOMER_MANAGED_KMS_KEY',
        kmsKeyId: props.kmsKeyArn,
        kmsDataKeyReusePeriodSeconds: 300,
      },
    });

    const rule = new CloudwatchEventRule(this, 'rotated', {
      name: `${name}-on-rotation`,
      description: `Restart ${props.serviceName} after RDS rotates its database password`,
      eventPattern: JSON.stringify(secretRotatedPattern(props.secretArns)),
    });
    const eventsRole = new IamRole(this, 'events-role', {
      name: `${name}-events`,
      assumeRolePolicy: assumeRolePolicy('events.amazonaws.com', ctx.accountId),
    });
    new IamRolePolicy(this, 'events-policy', {
      role: eventsRole.id,
      name: 'start-restart',
      policy: policyDocument([
        { sid: 'StartRestart', actions: ['states:StartExecution'], resources: [machine.arn] },
      ]),
    });
    new CloudwatchEventTarget(this, 'target', {
      rule: rule.name,
      arn: machine.arn,
      roleArn: eventsRole.arn,
    });
    this.stateMachineArn = machine.arn;
  }
}
