// Every IAM policy document of a synthesized stack (identity, trust and resource policies, found wherever a
// resource holds one), with its Terraform interpolations replaced by stand-in values of the shape AWS
// gives them, so a linter that matches resources against each action's ARN formats can judge them.
import { replaceInterpolations, type TerraformJson } from './synth-support';

export interface PolicyDocument {
  /** `<resource type>.<logical id>.<attribute path>`, e.g. `aws_iam_role.glue-jobs_silver-role_1A2B.assume_role_policy`. */
  name: string;
  /** The document as Terraform would send it at apply time, stand-ins in place of interpolations. */
  policy: string;
}

const ACCOUNT_ID = '123456789012';
const KMS_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MSK_CLUSTER_UUID = 'abcd1234-0123-abcd-5678-1234abcd5678-2';
const MSK_IAM_JAR_KEY = 'example-jars/msk/aws-msk-iam-auth-2.3.2-all.jar';
/** A Kinesis consumer ARN ends in its creation time, in epoch seconds. */
const CONSUMER_CREATED = '1700000000';

type Attributes = Record<string, unknown>;

/**
 * What each referenced attribute resolves to, in the ARN formats of the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
 * and the attribute docs of the Terraform AWS provider (a log group's `arn` has no `:*` suffix; an S3
 * bucket's name is its `bucket_prefix` plus a generated suffix).
 */
const ATTRIBUTE_STAND_INS: Record<string, (r: Attributes, region: string, doc: TerraformJson) => string> = {
  'aws_s3_bucket.arn': (r) =>
    `arn:aws:s3:::${typeof r.bucket === 'string' ? literal(r, 'bucket') : `${literal(r, 'bucket_prefix')}20240101000000000000000001`}`,
  'aws_kms_key.arn': (_, region) => `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${KMS_KEY_ID}`,
  'aws_kinesis_stream.arn': (r, region) =>
    `arn:aws:kinesis:${region}:${ACCOUNT_ID}:stream/${literal(r, 'name')}`,
  // consumer: arn:${Partition}:kinesis:${Region}:${Account}:${StreamType}/${StreamName}/consumer/${ConsumerName}:${ConsumerCreationTimpstamp}
  'aws_kinesis_stream_consumer.arn': (r, _region, doc) =>
    `${standIn(referenceIn(r, 'stream_arn'), doc)}/consumer/${literal(r, 'name')}:${CONSUMER_CREATED}`,
  'aws_msk_cluster.arn': (r, region) =>
    `arn:aws:kafka:${region}:${ACCOUNT_ID}:cluster/${literal(r, 'cluster_name')}/${MSK_CLUSTER_UUID}`,
  'aws_msk_cluster.cluster_uuid': () => MSK_CLUSTER_UUID,
  'aws_cloudwatch_log_group.arn': (r, region) =>
    `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${literal(r, 'name')}`,
  'aws_db_instance.master_user_secret[0].secret_arn': (_, region) =>
    `arn:aws:secretsmanager:${region}:${ACCOUNT_ID}:secret:rds!db-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-AbCdEf`,
  'aws_athena_workgroup.arn': (r, region) =>
    `arn:aws:athena:${region}:${ACCOUNT_ID}:workgroup/${literal(r, 'name')}`,
  'aws_sns_topic.arn': (r, region) => `arn:aws:sns:${region}:${ACCOUNT_ID}:${literal(r, 'name')}`,
  'aws_cloudwatch_event_rule.arn': (r, region) =>
    `arn:aws:events:${region}:${ACCOUNT_ID}:rule/${literal(r, 'name')}`,
  'aws_sfn_state_machine.arn': (r, region) =>
    `arn:aws:states:${region}:${ACCOUNT_ID}:stateMachine:${literal(r, 'name')}`,
  // The provider's aws_ecs_service `id` is the service ARN (service/<cluster>/<service>).
  'aws_ecs_service.id': (r, region) =>
    `arn:aws:ecs:${region}:${ACCOUNT_ID}:service/streamsoft-cluster/${literal(r, 'name')}`,
  'aws_glue_connection.name': (r) => literal(r, 'name'),
  'aws_vpc.id': () => 'vpc-0123456789abcdef0',
  'aws_subnet.id': () => 'subnet-0123456789abcdef0',
  'aws_security_group.id': () => 'sg-0123456789abcdef0',
};

/** Whole expressions that are not a plain attribute reference. */
const EXPRESSION_STAND_INS: Record<string, string> = {
  'data.aws_partition.partition.partition': 'aws',
  'data.aws_caller_identity.identity.account_id': ACCOUNT_ID,
  'trimprefix(var.msk_iam_auth_jar_s3_uri, "s3://")': MSK_IAM_JAR_KEY,
};

/** The first of `keys` that the resource sets to a literal (interpolation-free) string. */
function literal(resource: Attributes, ...keys: string[]): string {
  for (const key of keys) {
    const value = resource[key];
    if (typeof value === 'string' && !value.includes('${')) return value;
  }
  throw new Error(`no literal ${keys.join(' or ')} to build a stand-in from`);
}

/** The expression of an attribute that is one whole interpolation (`${aws_kinesis_stream.x.arn}`). */
function referenceIn(resource: Attributes, key: string): string {
  const value = resource[key];
  const m = typeof value === 'string' ? /^\$\{([^{}]+)\}$/.exec(value) : null;
  if (m === null) throw new Error(`${key} is not one interpolation to build a stand-in from`);
  return m[1]!;
}

function regionOf(doc: TerraformJson): string {
  const providers = (doc as { provider?: { aws?: { region?: string }[] } }).provider?.aws ?? [];
  const region = providers[0]?.region;
  if (region === undefined) throw new Error('the synthesized stack has no aws provider region');
  return region;
}

/** The stand-in for one interpolation, or an error naming it (add it to the tables above). */
export function standIn(expression: string, doc: TerraformJson): string {
  const fixed = EXPRESSION_STAND_INS[expression];
  if (fixed !== undefined) return fixed;
  const reference = /^(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.(.+)$/.exec(expression);
  const build = reference && ATTRIBUTE_STAND_INS[`${reference[1]}.${reference[3]}`];
  const resource = reference && doc.resource[reference[1]]?.[reference[2]];
  if (!build || !resource) {
    throw new Error(
      `no stand-in value for the interpolation \${${expression}} (tests/infra/policy-documents.ts)`,
    );
  }
  return build(resource, regionOf(doc), doc);
}

function isPolicyText(value: string): boolean {
  return value.trimStart().startsWith('{') && value.includes('"Statement"');
}

/**
 * A role's trust policy is the role's resource-based policy
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html): the role
 * is its resource, and IAM refuses a Resource element in it ("Has prohibited field Resource"). Linters
 * that require one (parliament reports MALFORMED and checks nothing else) are given the role's own ARN,
 * so the action, principal and condition keys are still checked against sts:AssumeRole's definition.
 */
function withRoleAsResource(policy: string, role: Attributes): string {
  const document = JSON.parse(policy) as { Statement: Record<string, unknown>[] | Record<string, unknown> };
  const roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/${literal(role, 'name')}`;
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  for (const statement of statements) {
    if (!('Resource' in statement) && !('NotResource' in statement)) statement.Resource = roleArn;
  }
  return JSON.stringify(document);
}

/** Every policy document held by any resource attribute, nested blocks included, stand-ins resolved. */
export function policyDocuments(doc: TerraformJson): PolicyDocument[] {
  const found: PolicyDocument[] = [];
  const visit = (value: unknown, name: string, owner: Attributes, trust: boolean): void => {
    if (typeof value === 'string') {
      if (isPolicyText(value)) {
        const policy = replaceInterpolations(value, (expression) => standIn(expression, doc));
        found.push({ name, policy: trust ? withRoleAsResource(policy, owner) : policy });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${name}[${index}]`, owner, trust));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, `${name}.${key}`, owner, trust);
    }
  };
  for (const [type, resources] of Object.entries(doc.resource)) {
    for (const [id, attributes] of Object.entries(resources)) {
      for (const [key, value] of Object.entries(attributes)) {
        const trust = type === 'aws_iam_role' && key === 'assume_role_policy';
        visit(value, `${type}.${id}.${key}`, attributes, trust);
      }
    }
  }
  return found;
}
