// Whole-document scans of the synthesized stack, for every transport: no IAM policy allows a wildcard
// action on a wildcard resource (nor s3:*, kinesis:*, glue:* anywhere), and the only ingress from
// the internet is HTTPS to the Metabase load balancer.
import { GLUE_SELF_REFERENCING_INGRESS } from '../../infra/aws-rules';
import { TRANSPORTS, type Transport } from '../../infra/config';
import { actionResourceTypes } from './service-authorization';
import { resourcesOf, synthTransport, withoutInterpolations, type TerraformJson } from './synth-support';

const POLICY_FIELDS = ['policy', 'assume_role_policy', 'key_policy'];
const WORLD = ['0.0.0.0/0', '::/0'];

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** Every policy document in the stack, wherever it sits, with where it came from. */
function policyDocuments(doc: TerraformJson): { where: string; statements: Statement[] }[] {
  const found: { where: string; statements: Statement[] }[] = [];
  for (const [type, resources] of Object.entries(doc.resource)) {
    for (const [id, resource] of Object.entries(resources)) {
      for (const field of POLICY_FIELDS) {
        const value = resource[field];
        if (typeof value !== 'string' || !value.trim().startsWith('{')) continue;
        const parsed = JSON.parse(withoutInterpolations(value)) as { Statement: Statement[] };
        found.push({ where: `${type}.${id}.${field}`, statements: parsed.Statement });
      }
    }
  }
  return found;
}

const docs = new Map<Transport, TerraformJson>();
let resourceTypes: Map<string, string[]>;
beforeAll(() => {
  for (const transport of TRANSPORTS) docs.set(transport, synthTransport(transport).doc);
  resourceTypes = actionResourceTypes();
});

describe.each(TRANSPORTS)('transport %s', (transport) => {
  test('policy documents are found (the scan is not vacuous)', () => {
    const found = policyDocuments(docs.get(transport)!);
    expect(found.length).toBeGreaterThan(15);
    expect(found.some((d) => d.where.startsWith('aws_kms_key'))).toBe(true);
    expect(found.some((d) => d.where.startsWith('aws_iam_role_policy'))).toBe(true);
  });

  test('no Allow statement has a wildcard action on a wildcard resource', () => {
    const offending: string[] = [];
    for (const { where, statements } of policyDocuments(docs.get(transport)!)) {
      for (const s of statements) {
        if (s.Effect !== 'Allow') continue;
        const wildAction = list(s.Action).some((a) => a === '*' || a.endsWith(':*'));
        const wildResource = list(s.Resource).some((r) => r === '*');
        if (wildAction && wildResource) offending.push(`${where}: ${JSON.stringify(s)}`);
      }
    }
    expect(offending).toEqual([]);
  });

  test('no Allow statement grants a whole service (s3:*, kinesis:*, glue:*, …)', () => {
    const offending: string[] = [];
    for (const { where, statements } of policyDocuments(docs.get(transport)!)) {
      for (const s of statements) {
        if (s.Effect !== 'Allow') continue;
        for (const action of list(s.Action))
          if (action === '*' || action.endsWith(':*')) offending.push(`${where}: ${action}`);
      }
    }
    expect(offending).toEqual([]);
  });

  test('statements on "*" name only actions without resource-level permissions', () => {
    // Judged by AWS's Service Authorization Reference: an action with no resource type can only be
    // granted on "*"; any other must name its resources.
    const offending: string[] = [];
    for (const { where, statements } of policyDocuments(docs.get(transport)!)) {
      // A key policy's "*" means the key itself.
      if (where.startsWith('aws_kms_key')) continue;
      for (const s of statements) {
        if (s.Effect !== 'Allow' || !list(s.Resource).includes('*')) continue;
        for (const action of list(s.Action))
          if (resourceTypes.get(action.toLowerCase())?.length !== 0) offending.push(`${where}: ${action}`);
      }
    }
    expect(offending).toEqual([]);
  });

  test('the only ingress from anywhere is 443 to the Metabase load balancer', () => {
    const doc = docs.get(transport)!;
    const groups = resourcesOf(doc, 'aws_security_group');
    const albGroupRef = Object.entries(groups).find(([, g]) => g.name === 'streamsoft-dev-metabase-alb')![0];
    const world: Record<string, unknown>[] = [];
    for (const rule of Object.values(resourcesOf(doc, 'aws_vpc_security_group_ingress_rule'))) {
      if (WORLD.includes(String(rule.cidr_ipv4)) || WORLD.includes(String(rule.cidr_ipv6))) world.push(rule);
    }
    for (const rule of Object.values(resourcesOf(doc, 'aws_security_group_rule'))) {
      const cidrs = [...list(rule.cidr_blocks as string[]), ...list(rule.ipv6_cidr_blocks as string[])];
      if (rule.type === 'ingress' && cidrs.some((c) => WORLD.includes(c))) world.push(rule);
    }
    for (const group of Object.values(groups)) {
      for (const rule of (group.ingress as Record<string, unknown>[] | undefined) ?? []) {
        const cidrs = [...list(rule.cidr_blocks as string[]), ...list(rule.ipv6_cidr_blocks as string[])];
        if (cidrs.some((c) => WORLD.includes(c))) world.push({ ...rule, security_group_id: group.name });
      }
    }
    expect(world).toHaveLength(1);
    expect(world[0]).toMatchObject({
      from_port: 443,
      to_port: 443,
      ip_protocol: 'tcp',
      security_group_id: `\${aws_security_group.${albGroupRef}.id}`,
    });
  });

  test('every security group is attached to something (checkov CKV2_AWS_5 cannot see Glue connections)', () => {
    const doc = docs.get(transport)!;
    const ruleTypes = new Set([
      'aws_security_group',
      'aws_vpc_security_group_ingress_rule',
      'aws_vpc_security_group_egress_rule',
    ]);
    const users = Object.entries(doc.resource)
      .filter(([type]) => !ruleTypes.has(type))
      .map(([, resources]) => JSON.stringify(resources))
      .join('\n');
    const unattached = Object.keys(resourcesOf(doc, 'aws_security_group')).filter(
      (id) => !users.includes(`aws_security_group.${id}.id`),
    );
    expect(unattached).toEqual([]);
  });

  test('Glue workers have no path to the internet', () => {
    const doc = docs.get(transport)!;
    const glueRef = Object.entries(resourcesOf(doc, 'aws_security_group')).find(
      ([, g]) => g.name === 'streamsoft-dev-glue',
    )![0];
    const glueEgress = Object.values(resourcesOf(doc, 'aws_vpc_security_group_egress_rule')).filter(
      (r) => r.security_group_id === `\${aws_security_group.${glueRef}.id}`,
    );
    expect(glueEgress.length).toBeGreaterThan(0);
    expect(glueEgress.filter((r) => r.cidr_ipv4 !== undefined)).toEqual([]);
    const connection = Object.values(resourcesOf(doc, 'aws_glue_connection'))[0]!;
    const subnetRef = String(
      (connection.physical_connection_requirements as { subnet_id: string }).subnet_id,
    );
    expect(subnetRef).toContain('network_data-subnet-0');
    const dataRoutesRef = Object.keys(resourcesOf(doc, 'aws_route_table')).find((id) =>
      id.includes('data-routes'),
    )!;
    const routesOut = Object.values(resourcesOf(doc, 'aws_route')).filter((r) =>
      String(r.route_table_id).includes(dataRoutesRef),
    );
    expect(routesOut).toEqual([]);
  });

  test('encryption at rest names the platform key everywhere it can be set', () => {
    const doc = docs.get(transport)!;
    const keyed: [string, string][] = [
      ['aws_s3_object', 'kms_key_id'],
      ['aws_secretsmanager_secret', 'kms_key_id'],
      ['aws_sns_topic', 'kms_master_key_id'],
      ['aws_cloudwatch_log_group', 'kms_key_id'],
      ['aws_db_instance', 'kms_key_id'],
      ['aws_kinesis_stream', 'kms_key_id'],
    ];
    for (const [type, field] of keyed) {
      for (const [id, resource] of Object.entries(resourcesOf(doc, type))) {
        expect([id, resource[field]]).toEqual([id, expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/)]);
      }
    }
  });

  test('the load balancer listens on 443 only (no plain HTTP), and only a group itself may reach its SSH port', () => {
    const doc = docs.get(transport)!;
    const listeners = Object.values(resourcesOf(doc, 'aws_lb_listener'));
    expect(listeners.map((l) => [l.port, l.protocol])).toEqual([[443, 'HTTPS']]);
    for (const rule of Object.values(resourcesOf(doc, 'aws_vpc_security_group_ingress_rule'))) {
      const from = Number(rule.from_port);
      const to = Number(rule.to_port);
      const selfReferencing = rule.referenced_security_group_id === rule.security_group_id;
      expect([rule.description, from <= 22 && 22 <= to && !selfReferencing]).toEqual([
        rule.description,
        false,
      ]);
    }
  });

  // Glue's documented rule (GLUE_SELF_REFERENCING_INGRESS, with its pages): a job in a VPC needs a
  // security group with a self-referencing inbound rule for ALL TCP ports; otherwise every run fails at
  // start. A rule split around a few ports does not count.
  test('a security group of the Glue connection admits itself on every TCP port, as Glue requires', () => {
    const all = GLUE_SELF_REFERENCING_INGRESS;
    const doc = docs.get(transport)!;
    const connection = Object.values(resourcesOf(doc, 'aws_glue_connection'))[0]!;
    const groups = (connection.physical_connection_requirements as { security_group_id_list: string[] })
      .security_group_id_list;
    const ingress = Object.values(resourcesOf(doc, 'aws_vpc_security_group_ingress_rule'));
    const opensAllTcpToItself = (group: string): boolean =>
      ingress.some(
        (r) =>
          r.security_group_id === group &&
          r.referenced_security_group_id === group &&
          [all.protocol, '-1'].includes(String(r.ip_protocol)) &&
          (String(r.ip_protocol) === '-1' ||
            (Number(r.from_port) === all.fromPort && Number(r.to_port) === all.toPort)),
      );
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.filter(opensAllTcpToItself).length).toBeGreaterThan(0);
  });
});
