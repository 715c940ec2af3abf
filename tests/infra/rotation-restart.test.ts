// After RDS rotates a master password, the service that reads it restarts: the rule matches the
// documented "Secret Label Updated" event of its own secret's AWSCURRENT label only, and its target may
// restart only its own service.
import './setup-cdktf';
import { secretRotatedPattern } from '../../infra/constructs/rotation-restart';
import { resourcesOf, synthTransport, type Synthesized } from './synth-support';

let stack: Synthesized;
beforeAll(() => {
  stack = synthTransport('both');
});

/**
 * EventBridge matching for the pattern forms used here: arrays of exact values, nested objects; an array
 * in the event matches when it shares an element with the pattern's
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html).
 */
function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) {
    return Array.isArray(event) ? event.some((value) => pattern.includes(value)) : pattern.includes(event);
  }
  if (typeof pattern !== 'object' || pattern === null) throw new Error('unsupported pattern');
  if (typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([k, p]) => matches(p, (event as Record<string, unknown>)[k]));
}

/**
 * A "Secret Label Updated" event, shaped as AWS's example
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/event-detail-secret-label-updated-secretsmanager.html):
 * the secret's ARN in `resources`, its friendly name, the label moved and the new version.
 */
function labelEvent(secretArn: string, labelUpdated = 'AWSCURRENT') {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'Secret Label Updated',
    source: 'aws.secretsmanager',
    account: '123456789012',
    time: '2026-12-07T16:43:48Z',
    region: 'eu-west-1',
    resources: [secretArn],
    detail: {
      name: secretArn.split(':secret:')[1] ?? secretArn,
      labelUpdated,
      versionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    },
  };
}

const SERVICES = ['registry', 'metabase'];

function restartOf(service: string) {
  const rules = Object.values(resourcesOf(stack.doc, 'aws_cloudwatch_event_rule'));
  const rule = rules.find((r) => r.name === `streamsoft-dev-${service}-restart-on-rotation`)!;
  const machine = Object.entries(resourcesOf(stack.doc, 'aws_sfn_state_machine')).find(
    ([, m]) => m.name === `streamsoft-dev-${service}-restart`,
  )!;
  const task = Object.values(resourcesOf(stack.doc, 'aws_ecs_task_definition')).find(
    (t) => t.family === `streamsoft-dev-${service}`,
  )!;
  const app = (
    JSON.parse(String(task.container_definitions)) as { name: string; secrets: { valueFrom: string }[] }[]
  ).find((c) => c.name === service)!;
  const secretArns = [
    ...new Set(app.secrets.map((s) => s.valueFrom.split(':username::')[0]!.split(':password::')[0]!)),
  ];
  const ecsService = Object.entries(resourcesOf(stack.doc, 'aws_ecs_service')).find(
    ([, s]) => s.name === `streamsoft-dev-${service}`,
  )!;
  return { rule, machineId: machine[0], machine: machine[1], secretArns, serviceId: ecsService[0] };
}

test.each(SERVICES)(
  '%s: the rule fires when its own secret gets a new current value, and only then',
  (service) => {
    const { rule, secretArns } = restartOf(service);
    expect(secretArns).toHaveLength(1);
    const pattern = JSON.parse(String(rule.event_pattern)) as unknown;
    expect(matches(pattern, labelEvent(secretArns[0]!))).toBe(true);
    // a custom staging label moving is no new password
    expect(matches(pattern, labelEvent(secretArns[0]!, 'RELEASE'))).toBe(false);
    const other = restartOf(service === 'registry' ? 'metabase' : 'registry').secretArns[0]!;
    expect(other).not.toBe(secretArns[0]);
    expect(matches(pattern, labelEvent(other))).toBe(false);
  },
);

test('the matcher refuses an event of another shape (a CloudTrail record, not the native event)', () => {
  const event = { ...labelEvent('arn:x'), 'detail-type': 'AWS Service Event via CloudTrail' };
  expect(matches(secretRotatedPattern(['arn:x']), event)).toBe(false);
  expect(matches(secretRotatedPattern(['arn:x']), labelEvent('arn:x'))).toBe(true);
});

test.each(SERVICES)(
  '%s: the target forces a new deployment of that service, and may do nothing else',
  (service) => {
    const { rule, machineId, machine, serviceId } = restartOf(service);
    const targets = Object.values(resourcesOf(stack.doc, 'aws_cloudwatch_event_target')).filter((t) =>
      String(t.rule).includes(
        Object.entries(resourcesOf(stack.doc, 'aws_cloudwatch_event_rule')).find(([, r]) => r === rule)![0],
      ),
    );
    expect(targets).toHaveLength(1);
    expect(String(targets[0]!.arn)).toContain(`aws_sfn_state_machine.${machineId}.arn`);

    const definition = JSON.parse(String(machine.definition)) as {
      States: Record<string, { Resource: string; Parameters: Record<string, unknown> }>;
    };
    const steps = Object.values(definition.States);
    expect(steps).toHaveLength(1);
    expect(steps[0]!.Resource).toBe('arn:aws:states:::aws-sdk:ecs:updateService');
    expect(steps[0]!.Parameters).toMatchObject({
      ForceNewDeployment: true,
      Service: expect.stringContaining(serviceId),
    });

    const policies = Object.values(resourcesOf(stack.doc, 'aws_iam_role_policy'));
    const machinePolicy = policies.find((p) =>
      String(p.role).includes(String(machine.role_arn).split('.arn')[0]!.replace('${', '')),
    )!;
    const statements = (
      JSON.parse(String(machinePolicy.policy)) as { Statement: { Action: string[]; Resource: string[] }[] }
    ).Statement;
    const ecs = statements.filter((s) => s.Action.some((a) => a.startsWith('ecs:')));
    expect(ecs).toEqual([
      expect.objectContaining({
        Action: ['ecs:UpdateService'],
        Resource: [`\${aws_ecs_service.${serviceId}.id}`],
      }),
    ]);
    // nothing else but CloudWatch Logs delivery
    for (const s of statements) {
      expect(s.Action.every((a) => a === 'ecs:UpdateService' || a.startsWith('logs:'))).toBe(true);
    }
  },
);

test('RDS keeps managing (and rotating) both master passwords', () => {
  const dbs = Object.values(resourcesOf(stack.doc, 'aws_db_instance'));
  expect(dbs).toHaveLength(2);
  for (const db of dbs) expect(db.manage_master_user_password).toBe(true);
});
