// Security scan: checkov (from PyPI, installed into .tools/checkov-venv by `streamsoft setup` from
// infra/requirements-checkov.txt) over the synthesized Terraform JSON of every transport and of the Kinesis
// enhanced fan-out option. Only the checks listed with a reason in infra/checkov-skips.json are skipped;
// any other finding fails.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveInfraConfig, TRANSPORTS } from '../../infra/config';
import { synthInfra } from '../../infra/main';
import { REPO_ROOT, TOOLS_DIR } from '../../core/paths';
import { dummyWheelsDir, FIXTURE_GLUE_DIR } from './synth-support';

const run = promisify(execFile);
const CHECKOV = path.join(TOOLS_DIR, 'checkov-venv', 'bin', 'checkov');
const SKIPS_FILE = path.join(REPO_ROOT, 'infra', 'checkov-skips.json');

interface Skip {
  id: string;
  reason: string;
}
interface CheckovReport {
  check_type: string;
  summary: { passed: number; failed: number; parsing_errors: number };
  results: { failed_checks: { check_id: string; resource: string; file_path: string; check_name: string }[] };
}

const skips = (JSON.parse(fs.readFileSync(SKIPS_FILE, 'utf8')) as { skips: Skip[] }).skips;
let workDir: string;
let reports: CheckovReport[];

beforeAll(async () => {
  if (!fs.existsSync(CHECKOV)) {
    throw new Error(
      `checkov not installed at ${CHECKOV}: run \`npx streamsoft setup\` (or python3 -m venv .tools/checkov-venv && ` +
        '.tools/checkov-venv/bin/pip install -r infra/requirements-checkov.txt)',
    );
  }
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-checkov-'));
  // Every transport, and the Kinesis enhanced fan-out option (the only one adding a resource type).
  const variants: [string, Record<string, unknown>][] = [
    ...TRANSPORTS.map((transport): [string, Record<string, unknown>] => [transport, { transport }]),
    ['kinesis-efo', { transport: 'kinesis', kinesisReader: 'aws', kinesisEfo: true }],
  ];
  for (const [name, options] of variants) {
    const config = resolveInfraConfig({
      ...options,
      glueSourceDir: FIXTURE_GLUE_DIR,
      glueWheelsDir: dummyWheelsDir(),
      mskIamJarDir: path.join(workDir, 'no-jars'),
    });
    synthInfra(config, path.join(workDir, name));
  }
  // One checkov process over the synth outputs; offline (no guideline download, no telemetry).
  const { stdout } = await run(
    CHECKOV,
    [
      '-d',
      workDir,
      '--framework',
      'terraform_json',
      '--skip-check',
      skips.map((s) => s.id).join(','),
      '-o',
      'json',
      '--quiet',
      '--skip-download',
    ],
    {
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        BC_SKIP_MAPPING: 'TRUE',
        CHECKOV_SKIP_DOWNLOAD: 'TRUE',
        PYTHONWARNINGS: 'ignore',
      },
    },
  ).catch((error: { stdout?: string; code?: number }) => {
    // checkov exits 1 when a check fails; the report on stdout says which.
    if (error.stdout) return { stdout: error.stdout };
    throw error;
  });
  const parsed = JSON.parse(stdout) as CheckovReport | CheckovReport[];
  reports = Array.isArray(parsed) ? parsed : [parsed];
}, 300_000);

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test('every skip names a check and gives a reason', () => {
  expect(skips.length).toBeGreaterThan(0);
  expect(skips.length).toBeLessThanOrEqual(10);
  for (const skip of skips) {
    expect(skip.id).toMatch(/^CKV2?_AWS_\d+$/);
    expect(skip.reason.length).toBeGreaterThan(30);
  }
});

test('checkov scanned every transport and the fan-out option without parsing errors', () => {
  const report = reports.find((r) => r.check_type === 'terraform_json');
  expect(report).toBeDefined();
  expect(report!.summary.parsing_errors).toBe(0);
  expect(report!.summary.passed).toBeGreaterThan(300);
});

test('no failed checkov check', () => {
  const failed = reports.flatMap((r) =>
    r.results.failed_checks.map((f) => `${f.check_id} ${f.resource} (${f.file_path}): ${f.check_name}`),
  );
  expect(failed).toEqual([]);
});
