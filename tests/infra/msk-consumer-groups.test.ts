// The MSK bronze job's IAM policy must cover the consumer-group names Spark's Kafka source really uses.
// Spark generates them from the query's `groupIdPrefix` option (default "spark-kafka-source"):
//   https://spark.apache.org/docs/latest/streaming/structured-streaming-kafka-integration.html
// as `<prefix>-<random uuid>-<checkpoint hash>` plus `-driver-0` for the driver's consumer and
// `-executor` for the executors' (KafkaSourceProvider/KafkaSourceRDD in Spark's source).
// MSK IAM authorizes group operations per group ARN, `…:group/<cluster>/<uuid>/<group name>`:
//   https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html#kafka-actions
import { randomUUID } from 'node:crypto';
import { resourcesOf, synthTransport, withoutInterpolations } from './synth-support';

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: string | string[];
}

const { doc } = synthTransport('msk');

function kafkaJob(): Record<string, unknown> {
  const job = Object.values(resourcesOf(doc, 'aws_glue_job')).find((j) => String(j.name).endsWith('-bronze'));
  if (job === undefined) throw new Error('no bronze job in the msk stack');
  return job;
}

/** The group-name patterns (the part after the cluster uuid) that the job's policy allows. */
function allowedGroupPatterns(): string[] {
  const policy = Object.values(resourcesOf(doc, 'aws_iam_role_policy')).find(
    (p) => p.name === 'bronze-least-privilege',
  );
  if (policy === undefined) throw new Error('no bronze policy');
  const statements = (JSON.parse(withoutInterpolations(String(policy.policy))) as { Statement: Statement[] })
    .Statement;
  const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const resources = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
  return statements
    .filter((s) => actions(s).includes('kafka-cluster:DescribeGroup'))
    .flatMap(resources)
    .map((arn) => arn.slice(arn.lastIndexOf('/') + 1));
}

/** IAM ARN globs: `*` any run of characters, `?` one character. */
function globMatches(pattern: string, name: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(name);
}

function sparkGroupNames(prefix: string): string[] {
  const base = `${prefix}-${randomUUID()}-${-1234567890}`;
  return [`${base}-driver-0`, `${base}-executor`];
}

test("the MSK bronze job's policy allows the consumer groups Spark will create with the job's prefix", () => {
  const args = kafkaJob().default_arguments as Record<string, string>;
  const prefix = args['--kafka-group-id-prefix'];
  expect(prefix).toBeDefined();
  const patterns = allowedGroupPatterns();
  expect(patterns.length).toBeGreaterThan(0);
  for (const name of sparkGroupNames(prefix!)) {
    expect([name, patterns.some((p) => globMatches(p, name))]).toEqual([name, true]);
  }
  // Without the job argument, Spark's default prefix would be refused: the policy is no wider than it must be.
  for (const name of sparkGroupNames('spark-kafka-source')) {
    expect([name, patterns.some((p) => globMatches(p, name))]).toEqual([name, false]);
  }
});
