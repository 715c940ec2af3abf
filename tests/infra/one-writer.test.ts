// One writer per Delta table: Delta's default S3 log store (S3SingleDriverLogStore) is transactional only
// when every write to a table comes from a single Spark driver; two drivers committing to one table can
// overwrite each other's commit and lose data:
//   https://docs.delta.io/latest/delta-storage.html#amazon-s3 ("concurrent writes to S3 must originate
//   from a single Spark driver in order for Delta Lake to provide transactional guarantees")
// Each Glue job run is one driver. What AWS enforces is each job role's policy, so the writers of a
// prefix are read from the synthesized IAM policies: the s3:PutObject resources on the lake bucket.
import { type Transport } from '../../infra/config';
import { replaceInterpolations, resourcesOf, synthTransport, type TerraformJson } from './synth-support';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

/**
 * Parses a synthesized policy document. Its Terraform interpolations may hold quotes (`${replace(…)}`):
 * each is parsed as an opaque placeholder and put back in the strings afterwards.
 */
function parsePolicy(text: string): Statement[] {
  const held: string[] = [];
  const protectedText = replaceInterpolations(text, (expression) => {
    held.push(`\${${expression}}`);
    return `@@${held.length - 1}@@`;
  });
  const restore = (value: string): string => value.replace(/@@(\d+)@@/g, (_, n: string) => held[Number(n)]!);
  const statements = (JSON.parse(protectedText) as { Statement: Statement[] }).Statement;
  return statements.map((st) => ({
    Effect: st.Effect,
    Action: asList(st.Action).map(restore),
    Resource: asList(st.Resource).map(restore),
  }));
}

const asList = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/** True when one of `actions` (IAM wildcards allowed) grants s3:PutObject. */
function grantsPutObject(actions: string[]): boolean {
  return actions.some((action) => {
    const pattern = new RegExp(`^${action.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
    return pattern.test('s3:PutObject');
  });
}

/** `aws_s3_bucket.<id>`: the bucket of the job's `--lake-path` (`s3://${aws_s3_bucket.<id>.bucket}/lake`). */
function lakeBucketOf(job: Record<string, unknown>): string {
  const lakePath = String((job.default_arguments as Record<string, string>)['--lake-path']);
  const match = /^s3:\/\/\$\{(aws_s3_bucket\.[^.}]+)\.bucket\}\//.exec(lakePath);
  if (match === null) throw new Error(`${String(job.name)}: unexpected --lake-path ${lakePath}`);
  return match[1]!;
}

/** Key prefixes of the lake bucket each Glue job's role may PutObject to (`lake/bronze/`, …). */
export function writtenPrefixes(doc: TerraformJson): Map<string, string[]> {
  const policies = Object.values(resourcesOf(doc, 'aws_iam_role_policy'));
  const attachments = Object.values(resourcesOf(doc, 'aws_iam_role_policy_attachment'));
  const writers = new Map<string, string[]>();
  for (const job of Object.values(resourcesOf(doc, 'aws_glue_job'))) {
    const name = String(job.name);
    const role = /^\$\{(aws_iam_role\.[^.}]+)\.arn\}$/.exec(String(job.role_arn))?.[1];
    if (role === undefined) throw new Error(`${name}: role_arn is not a role of this stack`);
    if (attachments.some((a) => String(a.role).includes(`${role}.`))) {
      throw new Error(`${name}: managed policy attachments are not read by this test; extend it`);
    }
    const bucketArn = `\${${lakeBucketOf(job)}.arn}`;
    const prefixes: string[] = [];
    for (const policy of policies.filter((p) => String(p.role).includes(`${role}.`))) {
      for (const statement of parsePolicy(String(policy.policy))) {
        if (statement.Effect !== 'Allow' || !grantsPutObject(asList(statement.Action))) continue;
        for (const resource of asList(statement.Resource)) {
          if (resource === '*') prefixes.push('');
          else if (resource.startsWith(`${bucketArn}/`)) {
            // what a wildcard may match starts where it stands: `lake/bronze/*` covers `lake/bronze/`
            prefixes.push(resource.slice(bucketArn.length + 1).split('*')[0]!);
          }
        }
      }
    }
    writers.set(name, prefixes);
  }
  return writers;
}

/** Pairs of jobs allowed to write a common key (one prefix contains the other), with that prefix. */
export function sharedWrites(writers: Map<string, string[]>): string[] {
  const jobs = [...writers.keys()].sort();
  const shared: string[] = [];
  for (const [i, a] of jobs.entries()) {
    for (const b of jobs.slice(i + 1)) {
      for (const pa of writers.get(a)!) {
        for (const pb of writers.get(b)!) {
          if (pa.startsWith(pb) || pb.startsWith(pa))
            shared.push(`${a} and ${b} both write ${pa.length < pb.length ? pb : pa}`);
        }
      }
    }
  }
  return shared;
}

describe.each<Transport>(['kinesis', 'msk', 'both'])(
  'transport %s: one writer per lake prefix',
  (transport) => {
    const { doc } = synthTransport(transport);
    const writers = writtenPrefixes(doc);

    test('no two Glue jobs may write the same lake prefix', () => {
      expect(sharedWrites(writers)).toEqual([]);
    });

    test('each layer and checkpoint has exactly the writer it should', () => {
      const writerOf = (prefix: string) =>
        [...writers.entries()].filter(([, prefixes]) => prefixes.includes(prefix)).map(([job]) => job);
      expect(writerOf('lake/bronze/')).toEqual(['streamsoft-dev-bronze']);
      expect(writerOf('lake/silver/')).toEqual(['streamsoft-dev-silver']);
      expect(writerOf('lake/gold/')).toEqual(['streamsoft-dev-gold']);
      const sources =
        transport === 'both' ? ['kinesis', 'kafka'] : [transport === 'msk' ? 'kafka' : 'kinesis'];
      for (const source of sources) {
        expect(writerOf(`checkpoints/bronze-${source}/`)).toEqual(['streamsoft-dev-bronze']);
      }
    });
  },
);

describe.each<Transport>(['kinesis', 'both'])(
  'transport %s, continuous silver and gold: one writer per lake prefix',
  (transport) => {
    const { doc } = synthTransport(transport, { refineMode: 'continuous' });
    const writers = writtenPrefixes(doc);

    test('no two Glue jobs may write the same lake prefix', () => {
      expect(sharedWrites(writers)).toEqual([]);
    });

    test('one streaming job writes silver and gold and their checkpoints; no batch job or workflow is left', () => {
      const writerOf = (prefix: string) =>
        [...writers.entries()].filter(([, prefixes]) => prefixes.includes(prefix)).map(([job]) => job);
      expect(writerOf('lake/bronze/')).toEqual(['streamsoft-dev-bronze']);
      for (const prefix of ['lake/silver/', 'lake/gold/', 'checkpoints/silver/', 'checkpoints/gold/']) {
        expect(writerOf(prefix)).toEqual(['streamsoft-dev-refine']);
      }
      const jobs = Object.values(resourcesOf(doc, 'aws_glue_job'));
      expect(jobs.map((job) => String(job.name)).sort()).toEqual([
        'streamsoft-dev-bronze',
        'streamsoft-dev-refine',
      ]);
      const refine = jobs.find((job) => job.name === 'streamsoft-dev-refine')!;
      expect(JSON.stringify(refine.command)).toContain('"name":"gluestreaming"');
      expect(resourcesOf(doc, 'aws_glue_workflow')).toEqual({});
    });

    test('every job allows one run at a time, so no two drivers share a checkpoint', () => {
      // "The maximum number of concurrent runs allowed for the job. The default is 1. An error is returned
      // when this threshold is reached." https://docs.aws.amazon.com/glue/latest/webapi/API_ExecutionProperty.html
      for (const job of Object.values(resourcesOf(doc, 'aws_glue_job'))) {
        expect(job.execution_property).toEqual({ max_concurrent_runs: 1 });
      }
    });
  },
);

describe('the scan itself', () => {
  test('finds two writers of one prefix, and a wildcard over a layer', () => {
    expect(
      sharedWrites(
        new Map([
          ['bronze-kinesis', ['lake/bronze/', 'checkpoints/bronze-kinesis/']],
          ['bronze-kafka', ['lake/bronze/', 'checkpoints/bronze-kafka/']],
          ['silver', ['lake/silver/']],
          ['admin', ['lake/']],
        ]),
      ),
    ).toEqual([
      'admin and bronze-kafka both write lake/bronze/',
      'admin and bronze-kinesis both write lake/bronze/',
      'admin and silver both write lake/silver/',
      'bronze-kafka and bronze-kinesis both write lake/bronze/',
    ]);
    expect(grantsPutObject(['s3:Put*'])).toBe(true);
    expect(grantsPutObject(['s3:GetObject', 's3:DeleteObject'])).toBe(false);
  });
});
