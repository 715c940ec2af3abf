// The bronze job's Kinesis reader as a deployment option (--kinesis-reader, --kinesis-efo): the deployed
// job is always told which reader to run, and with enhanced fan-out the stack registers the consumer and
// grants the job role the consumer-level actions on that consumer only.
import './setup-cdktf';
import { KinesisStreamConsumer } from '@cdktf/provider-aws/lib/kinesis-stream-consumer';
import { policyDocuments } from './policy-documents';
import { countOf, resourcesOf, synthTransport, type Synthesized, type TerraformJson } from './synth-support';

/**
 * The resource type each Kinesis action the bronze job may be granted is authorized against, and each
 * type's ARN format, as the Service Authorization Reference documents them:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesisdatastreams.html
 * (Actions table: ListShards, GetShardIterator, GetRecords, DescribeStream, DescribeStreamSummary,
 * RegisterStreamConsumer → stream*; SubscribeToShard, DescribeStreamConsumer, DeregisterStreamConsumer →
 * consumer*. Resource types table: stream `arn:${Partition}:kinesis:${Region}:${Account}:stream/${StreamName}`;
 * consumer `arn:${Partition}:kinesis:${Region}:${Account}:${StreamType}/${StreamName}/consumer/${ConsumerName}:${ConsumerCreationTimpstamp}`.)
 */
const DOCUMENTED_RESOURCE_TYPE: Record<string, 'stream' | 'consumer'> = {
  'kinesis:ListShards': 'stream',
  'kinesis:GetShardIterator': 'stream',
  'kinesis:GetRecords': 'stream',
  'kinesis:DescribeStream': 'stream',
  'kinesis:DescribeStreamSummary': 'stream',
  'kinesis:RegisterStreamConsumer': 'stream',
  'kinesis:SubscribeToShard': 'consumer',
  'kinesis:DescribeStreamConsumer': 'consumer',
  'kinesis:DeregisterStreamConsumer': 'consumer',
};
const ARN_FORMAT: Record<'stream' | 'consumer', RegExp> = {
  stream: /^arn:aws:kinesis:[a-z0-9-]+:\d{12}:stream\/[A-Za-z0-9_.-]+$/,
  consumer: /^arn:aws:kinesis:[a-z0-9-]+:\d{12}:stream\/[A-Za-z0-9_.-]+\/consumer\/[A-Za-z0-9_.-]+:\d+$/,
};

interface Statement {
  Sid?: string;
  Action: string[];
  Resource: string[];
}

function bronzeArgs(s: Synthesized): Record<string, string> {
  const job = Object.values(resourcesOf(s.doc, 'aws_glue_job')).find(
    (j) => j.name === 'streamsoft-dev-bronze',
  );
  if (job === undefined) throw new Error('no bronze job');
  return job.default_arguments as Record<string, string>;
}

/** The bronze role's statements, with every interpolation resolved to an ARN of AWS's documented shape. */
function bronzeStatements(doc: TerraformJson): Statement[] {
  const policy = policyDocuments(doc).find((d) =>
    /^aws_iam_role_policy\.glue-jobs_bronze-policy_[0-9A-F]{8}\.policy$/.test(d.name),
  );
  if (policy === undefined) throw new Error('no bronze role policy');
  return (JSON.parse(policy.policy) as { Statement: Statement[] }).Statement;
}

/** [action, resource] for every Kinesis action the bronze role is granted. */
function kinesisGrants(doc: TerraformJson): [string, string][] {
  return bronzeStatements(doc).flatMap((s) =>
    s.Action.filter((a) => a.startsWith('kinesis:')).flatMap((a) =>
      s.Resource.map((r): [string, string] => [a, r]),
    ),
  );
}

let byDefault: Synthesized;
let awsReader: Synthesized;
let efo: Synthesized;

beforeAll(() => {
  byDefault = synthTransport('kinesis');
  awsReader = synthTransport('both', { kinesisReader: 'aws' });
  efo = synthTransport('kinesis', { kinesisReader: 'aws', kinesisEfo: true });
});

describe('--kinesis-reader', () => {
  test('by default the deployed job is told to run ours, with no consumer registered', () => {
    expect(bronzeArgs(byDefault)).toMatchObject({ '--kinesis-reader': 'streamsoft' });
    expect(bronzeArgs(byDefault)).not.toHaveProperty('--kinesis-efo-consumer');
    expect(countOf(byDefault.doc, 'aws_kinesis_stream_consumer')).toBe(0);
    expect(kinesisGrants(byDefault.doc).filter(([a]) => DOCUMENTED_RESOURCE_TYPE[a] === 'consumer')).toEqual(
      [],
    );
  });

  test('aws without fan-out: the connector polls with GetRecords, so no consumer either', () => {
    expect(bronzeArgs(awsReader)).toMatchObject({ '--kinesis-reader': 'aws', '--source': 'kinesis,kafka' });
    expect(bronzeArgs(awsReader)).not.toHaveProperty('--kinesis-efo-consumer');
    expect(countOf(awsReader.doc, 'aws_kinesis_stream_consumer')).toBe(0);
  });

  test('an MSK-only stack passes no Kinesis reader', () => {
    expect(bronzeArgs(synthTransport('msk'))).not.toHaveProperty('--kinesis-reader');
  });
});

describe('--kinesis-reader aws --kinesis-efo', () => {
  test('registers one consumer on the trade stream and hands its name to the job', () => {
    expect(efo.json).toHaveResourceWithProperties(KinesisStreamConsumer, {
      name: 'streamsoft-dev-bronze',
      stream_arn: expect.stringMatching(/^\$\{aws_kinesis_stream\.[A-Za-z0-9_-]+\.arn\}$/),
    });
    const consumers = resourcesOf(efo.doc, 'aws_kinesis_stream_consumer');
    expect(Object.keys(consumers)).toHaveLength(1);
    const [id, consumer] = Object.entries(consumers)[0]!;
    const args = bronzeArgs(efo);
    expect(args['--kinesis-reader']).toBe('aws');
    // The argument is the consumer's own name attribute, so the job runs after the consumer exists.
    expect(args['--kinesis-efo-consumer']).toBe(`\${aws_kinesis_stream_consumer.${id}.name}`);
    expect(consumer.name).toBe('streamsoft-dev-bronze');
  });

  test('grants SubscribeToShard and DescribeStreamConsumer on the consumer ARN, stream reads on the stream ARN', () => {
    const grants = kinesisGrants(efo.doc);
    const actions = new Set(grants.map(([a]) => a));
    // What the aws-kinesis connector calls with enhanced fan-out (glue-bronze-sources.ts cites its source).
    for (const needed of [
      'kinesis:SubscribeToShard',
      'kinesis:DescribeStreamConsumer',
      'kinesis:DescribeStreamSummary',
      'kinesis:ListShards',
    ]) {
      expect(actions).toContain(needed);
    }
    for (const [action, resource] of grants) {
      const type = DOCUMENTED_RESOURCE_TYPE[action];
      expect([action, type]).toEqual([action, expect.any(String)]);
      expect([action, resource]).toEqual([action, expect.stringMatching(ARN_FORMAT[type!])]);
    }
    // Consumer-level actions on the consumer only: never `*`, never the stream.
    const onConsumer = grants.filter(([a]) => DOCUMENTED_RESOURCE_TYPE[a] === 'consumer');
    expect(new Set(onConsumer.map(([, r]) => r)).size).toBe(1);
    expect(onConsumer[0]![1]).toMatch(/\/consumer\/streamsoft-dev-bronze:\d+$/);
  });

  test('the stack owns the consumer: the job may neither register nor deregister one', () => {
    // The connector deregisters its consumer when the query stops and ignores a refusal; without the
    // permission the stack's consumer, and the ARN the policy names, outlive a job restart.
    const actions = kinesisGrants(efo.doc).map(([a]) => a);
    expect(actions).not.toContain('kinesis:RegisterStreamConsumer');
    expect(actions).not.toContain('kinesis:DeregisterStreamConsumer');
  });
});
