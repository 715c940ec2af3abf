// The ECS cluster the Fargate services (schema registry, Metabase) run in, with Container Insights on.
import { Construct } from 'constructs';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import type { DeploymentContext } from './context';

export interface FargateClusterProps {
  readonly context: DeploymentContext;
}

export class FargateCluster extends Construct {
  readonly clusterArn: string;
  readonly clusterName: string;

  constructor(scope: Construct, id: string, props: FargateClusterProps) {
    super(scope, id);
    const cluster = new EcsCluster(this, 'cluster', {
      name: props.context.namePrefix,
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
  }
}
