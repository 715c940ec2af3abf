// One container on ECS Fargate, the way both the schema registry and Metabase run: private subnets, no
// public IP, a non-root user on a read-only root filesystem (writable scratch volumes only where the
// image needs them), secrets injected from Secrets Manager by the execution role, and a separate task
// role for what the app itself calls.
import { Construct } from 'constructs';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { assumeRolePolicy, policyDocument, type PolicyStatement } from '../iam';
import type { ContainerRuntime } from './container-runtimes';
import type { DeploymentContext } from './context';
import { encryptedLogGroup } from './log-group';
import { RotationRestart } from './rotation-restart';

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
  /** The secrets those references point into, for the execution role; a rotation of any restarts the service. */
  readonly secretArns: string[];
  /** The image's user and the paths it writes to (container-runtimes.ts); each path gets a task volume. */
  readonly runtime: ContainerRuntime;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** What the application may call; empty for none. */
  readonly taskPolicy: PolicyStatement[];
  readonly targetGroupArn?: string;
  readonly serviceRegistryArn?: string;
  readonly healthCheckGraceSeconds?: number;
}

/** The non-essential container that makes the task's volumes writable for the app's user. */
export const VOLUME_PERMISSIONS_CONTAINER = 'volume-permissions';

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

    const volumes = props.runtime.writablePaths.map((p) => ({
      name: p.replace(/[^A-Za-z0-9]/g, '') || 'root',
      path: p,
    }));
    const mountPoints = volumes.map((v) => ({
      sourceVolume: v.name,
      containerPath: v.path,
      readOnly: false,
    }));
    const logConfiguration = {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': logs.name,
        'awslogs-region': ctx.region,
        'awslogs-stream-prefix': props.service,
      },
    };
    // Fargate bind-mount volumes start empty, owned by root, mode 0755 (the image declares no VOLUME to
    // copy ownership from: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html),
    // so the non-root app could not write them. A short-lived container of the same image (nothing more
    // to pull) runs as root, opens them up like /tmp (1777) and exits; the app starts only after it
    // succeeded (https://github.com/aws/containers-roadmap/issues/938 for the pattern).
    const prepareVolumes = {
      name: VOLUME_PERMISSIONS_CONTAINER,
      image: props.image,
      essential: false,
      user: '0',
      readonlyRootFilesystem: true,
      privileged: false,
      entryPoint: ['/bin/sh', '-c'],
      command: [`chmod 1777 ${volumes.map((v) => v.path).join(' ')}`],
      mountPoints,
      logConfiguration,
    };
    const container = {
      name: props.service,
      image: props.image,
      essential: true,
      user: props.runtime.user,
      readonlyRootFilesystem: true,
      privileged: false,
      portMappings: [{ containerPort: props.port, protocol: 'tcp' }],
      environment: Object.entries(props.environment).map(([n, value]) => ({ name: n, value })),
      secrets: Object.entries(props.secrets).map(([n, valueFrom]) => ({ name: n, valueFrom })),
      mountPoints,
      ...(volumes.length === 0
        ? {}
        : { dependsOn: [{ containerName: VOLUME_PERMISSIONS_CONTAINER, condition: 'SUCCESS' }] }),
      logConfiguration,
    };
    const containers = volumes.length === 0 ? [container] : [prepareVolumes, container];
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
      containerDefinitions: JSON.stringify(containers),
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
    new RotationRestart(this, 'rotation-restart', {
      context: ctx,
      kmsKeyArn: props.kmsKeyArn,
      service: props.service,
      clusterArn: props.clusterArn,
      serviceArn: service.id,
      serviceName: service.name,
      secretArns: props.secretArns,
    });
    this.serviceName = service.name;
    this.taskRoleArn = taskRole.arn;
  }
}
