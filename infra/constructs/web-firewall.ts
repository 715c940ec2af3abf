// The web application firewall in front of the one public endpoint (Metabase's load balancer): AWS
// managed rule groups for common exploits, known bad inputs (Log4Shell among them), IP reputation and
// anonymizing proxies, with its request log in an encrypted log group.
import { Construct } from 'constructs';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import type { DeploymentContext } from './context';
import { encryptedLogGroup } from './log-group';

export interface WebFirewallProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  /** What it protects, part of its name: `metabase`. */
  readonly name: string;
  readonly loadBalancerArn: string;
}

/**
 * Managed rule groups in priority order, with rules switched to count-only where they misfire on the
 * protected app: Metabase posts query and dashboard definitions larger than 8 KB, with SQL and markup.
 */
const MANAGED_RULE_GROUPS: { name: string; countOnly: string[] }[] = [
  { name: 'AWSManagedRulesAmazonIpReputationList', countOnly: [] },
  // Anonymizers (Tor, anonymous proxies) are blocked; cloud-hosted clients (CI, VPN egress) only counted.
  { name: 'AWSManagedRulesAnonymousIpList', countOnly: ['HostingProviderIPList'] },
  { name: 'AWSManagedRulesKnownBadInputsRuleSet', countOnly: [] },
  { name: 'AWSManagedRulesCommonRuleSet', countOnly: ['SizeRestrictions_BODY', 'CrossSiteScripting_BODY'] },
];

export class WebFirewall extends Construct {
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const ctx = props.context;
    const name = `${ctx.namePrefix}-${props.name}`;
    const visibility = (metric: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: metric.replace(/[^A-Za-z0-9]/g, ''),
    });
    const acl = new Wafv2WebAcl(this, 'acl', {
      name,
      description: `Managed protections for ${props.name}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(name),
      rule: MANAGED_RULE_GROUPS.map((group, priority) => ({
        name: group.name,
        priority,
        overrideAction: { none: {} },
        // `statement` is passed through to Terraform as written, hence the snake_case keys.
        statement: {
          managed_rule_group_statement: {
            name: group.name,
            vendor_name: 'AWS',
            rule_action_override: group.countOnly.map((rule) => ({
              name: rule,
              action_to_use: { count: {} },
            })),
          },
        },
        visibilityConfig: visibility(group.name),
      })),
    });
    new Wafv2WebAclAssociation(this, 'association', {
      resourceArn: props.loadBalancerArn,
      webAclArn: acl.arn,
    });
    // WAF only delivers to log groups whose name starts with aws-waf-logs-.
    const logs = encryptedLogGroup(this, 'logs', ctx, `aws-waf-logs-${name}`, props.kmsKeyArn);
    new Wafv2WebAclLoggingConfiguration(this, 'logging', {
      resourceArn: acl.arn,
      logDestinationConfigs: [logs.arn],
    });
    this.webAclArn = acl.arn;
  }
}
