// The bronze job's MSK IAM settings against the jar `streamsoft setup --only msk-iam` fetches: the login
// module and callback handler it names must be classes in that jar, or Glue fails at the first connect.
// The setup step runs here into a temp dir (Maven's local repository caches the download).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VENV_DIR, REPO_ROOT } from '../../../core/paths';
import { runSetup, type SetupWorkspace } from '../../../local/setup/run-setup';
import { lazyTools, mskIamJarStep } from '../../../local/setup/steps';
import { MSK_IAM_AUTH_VERSION } from '../../../local/setup/tools';

jest.setTimeout(300_000);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-msk-iam-jar-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What the bronze job sets for `--kafka-auth iam` (streamsoft_jobs/bronze_sources.py kafka_options). */
function bronzeIamOptions(): Record<string, string> {
  const script = [
    'import json',
    'from streamsoft_jobs.args import parse_job_args',
    'from streamsoft_jobs.bronze_config import BronzeConfig',
    'from streamsoft_jobs.bronze_sources import kafka_options',
    'args = ["--lake-path", "/l", "--checkpoint-path", "/c", "--registry-url", "http://r",',
    '        "--source", "kafka", "--kafka-brokers", "b:9098", "--kafka-auth", "iam"]',
    'print(json.dumps(kafka_options(BronzeConfig.from_args(parse_job_args(args)))))',
  ].join('\n');
  const result = spawnSync(path.join(VENV_DIR, 'bin', 'python'), ['-c', script], {
    cwd: path.join(REPO_ROOT, 'glue-streaming'),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as Record<string, string>;
}

/** `a.b.C` → `a/b/C.class`, as a jar stores it. */
const classEntry = (name: string): string => `${name.replace(/\./g, '/')}.class`;

test('the IAM login module and callback handler the bronze job names are classes in the fetched jar', async () => {
  const target = path.join(dir, 'msk-iam');
  const workspace: SetupWorkspace = {
    stamps: path.join(dir, 'stamps'),
    logs: path.join(dir, 'logs'),
    scratch: path.join(dir, 'tmp'),
    lock: path.join(dir, 'setup.lock'),
  };
  const step = mskIamJarStep(target);
  expect(await runSetup({ steps: [step], workspace, tools: lazyTools(), quiet: true })).toEqual({
    ran: ['msk-iam-jar'],
    upToDate: [],
  });
  // The file name synth looks for (infra/main.ts findMskIamJar).
  expect(fs.readdirSync(target)).toEqual([`aws-msk-iam-auth-${MSK_IAM_AUTH_VERSION}-all.jar`]);

  const listing = spawnSync('unzip', ['-Z1', step.target], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(listing.status).toBe(0);
  const entries = new Set(listing.stdout.split('\n'));

  const options = bronzeIamOptions();
  // https://github.com/aws/aws-msk-iam-auth#configuring-a-kafka-client-to-use-aws-iam-with-aws_msk_iam-mechanism
  expect(options['kafka.security.protocol']).toBe('SASL_SSL');
  expect(options['kafka.sasl.mechanism']).toBe('AWS_MSK_IAM');
  const loginModule = /^(\S+) required;$/.exec(options['kafka.sasl.jaas.config'] ?? '')?.[1];
  const handler = options['kafka.sasl.client.callback.handler.class'];
  expect(loginModule).toBe('software.amazon.msk.auth.iam.IAMLoginModule');
  expect(handler).toBe('software.amazon.msk.auth.iam.IAMClientCallbackHandler');
  expect(entries.has(classEntry(loginModule!))).toBe(true);
  expect(entries.has(classEntry(handler!))).toBe(true);
  // The negative control: a name the jar does not hold is not found by this check.
  expect(entries.has(classEntry('software.amazon.msk.auth.iam.IAMLoginModuleX'))).toBe(false);
  // The shaded build carries the AWS SDK the module signs with, so Glue needs no other jar.
  expect([...entries].some((entry) => entry.includes('/auth/credentials/'))).toBe(true);
});
