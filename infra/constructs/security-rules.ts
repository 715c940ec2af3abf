// One-line helpers for security-group rules as standalone resources, so groups can reference each other
// without cycles. Every rule says where it comes from and why (the description).
import { Construct } from 'constructs';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';

/** The other side of a rule: a security group, an IPv4 CIDR block or a managed prefix list. */
export type Peer = { securityGroupId: string } | { cidr: string } | { prefixListId: string };

export interface RuleSpec {
  readonly peer: Peer;
  /** One port, or an inclusive [from, to] range; TCP only. */
  readonly port: number | [number, number];
  readonly description: string;
}

function ruleFields(spec: RuleSpec) {
  const [fromPort, toPort] = typeof spec.port === 'number' ? [spec.port, spec.port] : spec.port;
  const peer = spec.peer;
  return {
    ipProtocol: 'tcp',
    fromPort,
    toPort,
    description: spec.description,
    ...('securityGroupId' in peer ? { referencedSecurityGroupId: peer.securityGroupId } : {}),
    ...('cidr' in peer ? { cidrIpv4: peer.cidr } : {}),
    ...('prefixListId' in peer ? { prefixListId: peer.prefixListId } : {}),
  };
}

export function allowIngress(scope: Construct, id: string, securityGroupId: string, spec: RuleSpec): void {
  new VpcSecurityGroupIngressRule(scope, id, { securityGroupId, ...ruleFields(spec) });
}

export function allowEgress(scope: Construct, id: string, securityGroupId: string, spec: RuleSpec): void {
  new VpcSecurityGroupEgressRule(scope, id, { securityGroupId, ...ruleFields(spec) });
}
