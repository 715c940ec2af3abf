// IAM lint: parliament (from PyPI, installed into .tools/checkov-venv by `streamsoft setup` from
// infra/requirements-checkov.txt) over every policy document of the synthesized stack, for every
// transport (and the Kinesis enhanced fan-out option): each action must exist, each resource must match one of its action's resource types, each
// condition key must apply. Only the findings listed with a reason in infra/iam-lint-allow.json pass.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, TOOLS_DIR } from '../../core/paths';
import { TRANSPORTS } from '../../infra/config';
import { policyDocuments, type PolicyDocument } from './policy-documents';
import { synthTransport } from './synth-support';

const PYTHON = path.join(TOOLS_DIR, 'checkov-venv', 'bin', 'python');
const LINT_SCRIPT = path.join(__dirname, 'parliament_lint.py');
const ALLOW_FILE = path.join(REPO_ROOT, 'infra', 'iam-lint-allow.json');

interface Finding {
  name: string;
  issue: string;
  severity: string;
  title: string;
  detail: unknown;
  location: Record<string, unknown>;
}
interface Allowed {
  policy: string;
  issue: string;
  detail?: string;
  reason: string;
}

const allowed = (JSON.parse(fs.readFileSync(ALLOW_FILE, 'utf8')) as { allow: Allowed[] }).allow;

/** Runs parliament over the documents in one Python process. */
function lint(documents: PolicyDocument[]): Promise<Finding[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      PYTHON,
      [LINT_SCRIPT],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`parliament_lint.py failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as Finding[]);
      },
    );
    child.stdin!.end(JSON.stringify(documents));
  });
}

/** `aws_kms_key.platform-key_D125F7BC.policy` → `aws_kms_key.platform-key.policy`: no cdktf hash suffix. */
function policyKey(name: string): string {
  return name.replace(/_[0-9A-F]{8}(?=\.)/, '');
}

function detailText(finding: Finding): string {
  return typeof finding.detail === 'string' ? finding.detail : JSON.stringify(finding.detail);
}

function isAllowed(finding: Finding, entry: Allowed): boolean {
  return (
    policyKey(finding.name) === entry.policy &&
    finding.issue === entry.issue &&
    (entry.detail === undefined || detailText(finding).includes(entry.detail))
  );
}

function explain(finding: Finding): string {
  const sid = finding.location.string ?? finding.location.column;
  return `${policyKey(finding.name)}: ${finding.issue} (${finding.title}) ${detailText(finding)} at ${String(sid)}`;
}

let documents: PolicyDocument[];
let findings: Finding[];

beforeAll(async () => {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`parliament's virtualenv not found at ${PYTHON}: run \`npx streamsoft setup\``);
  }
  documents = [
    ...TRANSPORTS.flatMap((transport) => policyDocuments(synthTransport(transport).doc)),
    // The enhanced fan-out consumer's actions (tests/infra/kinesis-reader.test.ts): only this option grants them.
    ...policyDocuments(synthTransport('kinesis', { kinesisReader: 'aws', kinesisEfo: true }).doc),
  ];
  findings = await lint(documents);
}, 300_000);

test('every allow-list entry names a policy and an issue and gives a reason with its source', () => {
  expect(allowed.length).toBeLessThanOrEqual(10);
  for (const entry of allowed) {
    expect(entry.policy).toMatch(/^aws_[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z_.[\]0-9]+$/);
    expect(entry.issue).toMatch(/^[A-Z_]+$/);
    expect(entry.reason).toMatch(/https:\/\/docs\.aws\.amazon\.com\//);
  }
});

test('the scan found every kind of policy the stack holds', () => {
  const kinds = new Set(documents.map((d) => d.name.replace(/\..*\./, '.')));
  expect([...kinds].sort()).toEqual([
    'aws_iam_role.assume_role_policy',
    'aws_iam_role_policy.policy',
    'aws_kms_key.policy',
    'aws_s3_bucket_policy.policy',
    'aws_sns_topic_policy.policy',
  ]);
  // Both bronze jobs' policies (kinesis and msk transports) are among them.
  expect(documents.some((d) => d.policy.includes('kafka-cluster:ReadData'))).toBe(true);
  expect(documents.some((d) => d.policy.includes('kinesis:GetRecords'))).toBe(true);
  expect(documents.some((d) => d.policy.includes('kinesis:SubscribeToShard'))).toBe(true);
  // Stand-ins replaced every interpolation.
  expect(documents.filter((d) => d.policy.includes('${'))).toEqual([]);
});

test('parliament reports no finding outside the allow-list', () => {
  const unexplained = findings.filter((f) => !allowed.some((entry) => isAllowed(f, entry)));
  expect([...new Set(unexplained.map(explain))]).toEqual([]);
});

test('every allow-list entry still matches a finding', () => {
  const stale = allowed.filter((entry) => !findings.some((f) => isAllowed(f, entry)));
  expect(stale).toEqual([]);
});

test('the lint catches an action that does not exist and a resource of the wrong type', async () => {
  const bad: PolicyDocument = {
    name: 'aws_iam_role_policy.bad_0000ABCD.policy',
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['kinesis:ReadEverything'], Resource: ['*'] },
        {
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:kinesis:eu-west-1:123456789012:stream/streamsoft-dev-trades'],
        },
      ],
    }),
  };
  const found = await lint([bad]);
  expect(found.map((f) => f.issue).sort()).toEqual(['RESOURCE_MISMATCH', 'UNKNOWN_ACTION']);
  expect(found.some((f) => isAllowed(f, allowed[0]!))).toBe(false);
});
