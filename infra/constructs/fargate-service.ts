// One container on ECS Fargate, the way both the schema registry and Metabase run: private subnets, no
// public IP, read-only root filesystem (writable scratch volumes only where named), secrets injected
// from Secrets Manager by the execution role, and a separate task role for what the app itself calls.
import { Construct } from 'constructs';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { assumeRolePolicy, policyDocument, type PolicyStatement } from '../iam';
import type { DeploymentContext } from './context';
import { encryptedLogGroup } from './log-group';

export interface FargateServiceProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  readonly clusterArn: string;
  /** Short service name: `registry`, `metabase`. */
  readonly service: string;
  readonly image: string;
  readonly cpu: number;
  readonly memory: number;
  readonly port: number;
  readonly environment: Record<string, string>;
  /** Environment variable → Secrets Manager reference (`<secret-arn>:<json-key>::`). */
  readonly secrets: Record<string, string>;
  /** The secrets those references point into, for the execution role. */
  readonly secretArns: string[];
  /** Paths the container must write to (temp files, plugins); each gets a task-local volume. */
  readonly writablePaths: string[];
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** What the application may call; empty for none. */
  readonly taskPolicy: PolicyStatement[];
  readonly targetGroupArn?: string;
  readonly serviceRegistryArn?: string;
  readonly healthCheckGraceSeconds?: number;
}

export class FargateService extends Construct {
  readonly serviceName: string;
  readonly taskRoleArn: string;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const ctx = props.context;
    const name = `${ctx.namePrefix}-${props.service}`;
    const logs = encryptedLogGroup(this, 'logs', ctx, `/streamsoft/${name}`, props.kmsKeyArn);

    const executionRole = new IamRole(this, 'execution-role', {
      name: `${name}-execution`,
      assumeRolePolicy: assumeRolePolicy('ecs-tasks.amazonaws.com', ctx.accountId),
    });
    new IamRolePolicy(this, 'execution-policy', {
      role: executionRole.id,
      name: 'start-task',
      policy: policyDocument([
        {
          sid: 'WriteLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${logs.arn}:*`],
        },
        { sid: 'ReadSecrets', actions: ['secretsmanager:GetSecretValue'], resources: props.secretArns },
        {
          sid: 'DecryptSecrets',
          actions: ['kms:Decrypt'],
          resources: [props.kmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${ctx.region}.amazonaws.com` } },
        },
      ]),
    });
    const taskRole = new IamRole(this, 'task-role', {
      name: `${name}-task`,
      assumeRolePolicy: assumeRolePolicy('ecs-tasks.amazonaws.com', ctx.accountId),
    });
    if (props.taskPolicy.length > 0) {
      new IamRolePolicy(this, 'task-policy', {
        role: taskRole.id,
        name: `${props.service}-app`,
        policy: policyDocument(props.taskPolicy),
      });
    }

    const volumes = props.writablePaths.map((p) => ({
      name: p.replace(/[^A-Za-z0-9]/g, '') || 'root',
      path: p,
    }));
    const container = {
      name: props.service,
      image: props.image,
      essential: true,
      readonlyRootFilesystem: true,
      privileged: false,
      portMappings: [{ containerPort: props.port, protocol: 'tcp' }],
      environment: Object.entries(props.environment).map(([n, value]) => ({ name: n, value })),
      secrets: Object.entries(props.secrets).map(([n, valueFrom]) => ({ name: n, valueFrom })),
      mountPoints: volumes.map((v) => ({ sourceVolume: v.name, containerPath: v.path, readOnly: false })),
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': logs.name,
          'awslogs-region': ctx.region,
          'awslogs-stream-prefix': props.service,
        },
      },
    };
    const task = new EcsTaskDefinition(this, 'task', {
      family: name,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(props.cpu),
      memory: String(props.memory),
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      volume: volumes.map((v) => ({ name: v.name })),
      containerDefinitions: JSON.stringify([container]),
    });
    const service = new EcsService(this, 'service', {
      name,
      cluster: props.clusterArn,
      taskDefinition: task.arn,
      desiredCount: 1,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      propagateTags: 'SERVICE',
      enableExecuteCommand: false,
      networkConfiguration: {
        subnets: props.subnetIds,
        securityGroups: props.securityGroupIds,
        assignPublicIp: false,
      },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      ...(props.targetGroupArn === undefined
        ? {}
        : {
            loadBalancer: [
              {
                targetGroupArn: props.targetGroupArn,
                containerName: props.service,
                containerPort: props.port,
              },
            ],
            healthCheckGracePeriodSeconds: props.healthCheckGraceSeconds ?? 300,
          }),
      ...(props.serviceRegistryArn === undefined
        ? {}
        : { serviceRegistries: { registryArn: props.serviceRegistryArn } }),
    });
    this.serviceName = service.name;
    this.taskRoleArn = taskRole.arn;
  }
}
