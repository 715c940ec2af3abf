// What every construct needs to know about where it is deployed, resolved once by the stack.

export interface DeploymentContext {
  /** `streamsoft-<env>`: the stem of every resource name. */
  readonly namePrefix: string;
  readonly region: string;
  /** Tokens from the caller-identity and partition data sources. */
  readonly accountId: string;
  readonly partition: string;
  /** Log groups keep logs this many days (at least a year). */
  readonly logRetentionDays: number;
  /** Dev teardown: no deletion protection, buckets emptied on destroy, no final DB snapshot. */
  readonly allowDestroy: boolean;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` for this deployment. */
export function arn(ctx: DeploymentContext, service: string, resource: string, region = ctx.region): string {
  return `arn:${ctx.partition}:${service}:${region}:${ctx.accountId}:${resource}`;
}
