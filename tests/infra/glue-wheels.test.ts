// The Glue jobs' Python packages: the wheels `streamsoft setup` stages are uploaded as content-hashed S3
// objects and passed to --additional-python-modules; without them synth stops with one line (exit 2),
// unless --pip-install-modules asks the jobs to pip-install from PyPI. Dummy wheels only, no download.
import './setup-cdktf';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { EnvironmentError } from '../../core/errors';
import { REPO_ROOT } from '../../core/paths';
import { matchWheels, pinText, readPins } from '../../glue-streaming/glue-wheels';
import { resolveInfraConfig } from '../../infra/config';
import { synthInfra } from '../../infra/main';
import {
  dummyWheelsDir,
  FIXTURE_GLUE_DIR,
  resourcesOf,
  synthTransport,
  writeDummyWheels,
} from './synth-support';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'bin', 'streamsoft.js');
const PINS = readPins().map(pinText);

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-glue-wheels-test-'));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

function bronzeModules(doc: ReturnType<typeof synthTransport>['doc']): string[] {
  const job = Object.values(resourcesOf(doc, 'aws_glue_job')).find(
    (j) => j.name === 'streamsoft-dev-bronze',
  )!;
  return String((job.default_arguments as Record<string, string>)['--additional-python-modules']).split(',');
}

test('the pins cover fastavro and requests, and match what the local venv runs', () => {
  const venv = fs.readFileSync(path.join(REPO_ROOT, 'glue-streaming', 'requirements.txt'), 'utf8');
  expect(PINS.filter((p) => /^(fastavro|requests)==/.test(p))).toHaveLength(2);
  for (const pin of ['fastavro', 'requests']) {
    const local = new RegExp(`^${pin}==(\\S+)$`, 'm').exec(venv)?.[1];
    expect(PINS).toContain(`${pin}==${local}`);
  }
});

test('wheel files are recognised by distribution name and version', () => {
  const pins = [
    { name: 'charset-normalizer', version: '3.5.3' },
    { name: 'fastavro', version: '1.12.1' },
  ];
  const files = [
    'charset_normalizer-3.5.3-cp313-cp313-manylinux_2_28_x86_64.whl',
    'fastavro-1.12.0-cp313-cp313-manylinux2014_x86_64.whl',
    'README.txt',
  ];
  expect(matchWheels(pins, files)).toEqual({
    wheels: ['charset_normalizer-3.5.3-cp313-cp313-manylinux_2_28_x86_64.whl'],
    missing: [{ name: 'fastavro', version: '1.12.1' }],
  });
});

test('each wheel becomes a content-hashed S3 object that every job installs', () => {
  const dir = path.join(workDir, 'wheels-a');
  const files = writeDummyWheels(dir);
  const s = synthTransport('both', { glueWheelsDir: dir });
  const objects = Object.values(resourcesOf(s.doc, 'aws_s3_object')).filter((o) =>
    String(o.key).startsWith('glue/wheels/'),
  );
  expect(objects.map((o) => path.basename(String(o.key))).sort()).toEqual([...files].sort());
  for (const object of objects) {
    expect(String(object.key)).toMatch(/^glue\/wheels\/[0-9A-F]{32}\/[^/]+\.whl$/);
    expect(object).toMatchObject({ server_side_encryption: 'aws:kms', source_hash: expect.any(String) });
    expect(String(object.key)).toContain(`/${String(object.source_hash)}/`);
  }
  expect(s.json).toHaveResourceWithProperties(S3Object, { key: expect.stringMatching(/^glue\/wheels\//) });

  const modules = bronzeModules(s.doc);
  expect(modules).toHaveLength(files.length);
  for (const object of objects) {
    expect(modules).toContainEqual(expect.stringMatching(new RegExp(`^s3://.+/${String(object.key)}$`)));
  }
  for (const job of Object.values(resourcesOf(s.doc, 'aws_glue_job'))) {
    const args = job.default_arguments as Record<string, string>;
    expect(args['--additional-python-modules']).toBe(modules.join(','));
    // The isolated subnets have no route to PyPI: pip installs the staged wheels and asks no index
    // (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-python-libraries.html).
    expect(args['--python-modules-installer-option']).toBe('--no-index');
  }

  // The key follows the content: a changed wheel is a new object, the others keep theirs.
  const other = path.join(workDir, 'wheels-b');
  writeDummyWheels(other);
  fs.writeFileSync(path.join(other, files[0]!), 'another build\n');
  const keys = (dirName: string) =>
    Object.values(resourcesOf(synthTransport('both', { glueWheelsDir: dirName }).doc, 'aws_s3_object'))
      .map((o) => String(o.key))
      .filter((k) => k.startsWith('glue/wheels/'))
      .sort();
  const before = keys(dir);
  const after = keys(other);
  expect(after.filter((k) => !before.includes(k))).toEqual([
    expect.stringMatching(new RegExp(`/${files[0]!.replace(/\./g, '\\.')}$`)),
  ]);
});

test('synth writes the wheels next to the Terraform JSON for terraform to upload', () => {
  const out = path.join(workDir, 'out-wheels');
  const result = synthInfra(
    resolveInfraConfig({ glueSourceDir: FIXTURE_GLUE_DIR, glueWheelsDir: dummyWheelsDir() }),
    out,
  );
  expect(result.wheelFiles.map((f) => path.basename(f)).sort()).toEqual(
    fs.readdirSync(dummyWheelsDir()).sort(),
  );
  const doc = JSON.parse(fs.readFileSync(path.join(result.stackDir, 'cdk.tf.json'), 'utf8')) as {
    resource: { aws_s3_object: Record<string, { key: string; source: string }> };
  };
  const wheels = Object.values(doc.resource.aws_s3_object).filter((o) => o.key.startsWith('glue/wheels/'));
  expect(wheels).toHaveLength(PINS.length);
  for (const object of wheels) {
    const staged = path.resolve(result.stackDir, object.source);
    expect(fs.readFileSync(staged, 'utf8')).toMatch(/^dummy /);
  }
});

test('a missing wheels folder is one line naming the packages and the way out', () => {
  const missing = path.join(workDir, 'no-such-wheels');
  const out = path.join(workDir, 'out-missing');
  const synth = () =>
    synthInfra(resolveInfraConfig({ glueSourceDir: FIXTURE_GLUE_DIR, glueWheelsDir: missing }), out);
  expect(synth).toThrow(EnvironmentError);
  expect(synth).toThrow(
    `infra synth: no Glue wheel for ${PINS.join(', ')} in ${missing}; run \`streamsoft setup\` to stage them, ` +
      'or pass --pip-install-modules to have the jobs pip-install from PyPI at start',
  );
  expect(fs.existsSync(out)).toBe(false);
});

test('a folder lacking one pinned wheel names only that one', () => {
  const dir = path.join(workDir, 'wheels-partial');
  const files = writeDummyWheels(dir);
  fs.rmSync(path.join(dir, files[1]!));
  const synth = () =>
    synthInfra(
      resolveInfraConfig({ glueSourceDir: FIXTURE_GLUE_DIR, glueWheelsDir: dir }),
      path.join(workDir, 'o'),
    );
  expect(synth).toThrow(`infra synth: no Glue wheel for ${PINS[1]} in ${dir};`);
});

describe('streamsoft infra synth', () => {
  test('without wheels: exit 2 and one line on stderr, nothing written', async () => {
    const missing = path.join(workDir, 'cli-no-wheels');
    const failure = await run(
      process.execPath,
      [BIN, 'infra', 'synth', '--glue-wheels-dir', missing, '--out', 'cli-out-missing'],
      { cwd: workDir },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toBe(
      `streamsoft: infra synth: no Glue wheel for ${PINS.join(', ')} in ${missing}; run \`streamsoft setup\` ` +
        'to stage them, or pass --pip-install-modules to have the jobs pip-install from PyPI at start\n',
    );
    expect(fs.existsSync(path.join(workDir, 'cli-out-missing'))).toBe(false);
  });

  test('--pip-install-modules: no wheels needed, the jobs pip-install the pins, and a note says so', async () => {
    const out = path.join(workDir, 'cli-out-pip');
    const { stdout, stderr } = await run(
      process.execPath,
      [
        BIN,
        'infra',
        'synth',
        '--glue-wheels-dir',
        path.join(workDir, 'cli-no-wheels'),
        '--pip-install-modules',
        '--out',
        out,
        '--json',
      ],
      { cwd: workDir },
    );
    const result = JSON.parse(stdout) as { directory: string; glueWheels: string[] };
    expect(result.glueWheels).toEqual([]);
    const doc = JSON.parse(fs.readFileSync(path.join(result.directory, 'cdk.tf.json'), 'utf8')) as Parameters<
      typeof bronzeModules
    >[0];
    expect(bronzeModules(doc)).toEqual(PINS);
    for (const job of Object.values(resourcesOf(doc, 'aws_glue_job'))) {
      expect(job.default_arguments).not.toHaveProperty('--python-modules-installer-option');
    }
    expect(stderr).toMatch(/^note: --pip-install-modules: .*PyPI.*\n$/);
  });

  test('--glue-wheels-dir: the wheels are listed in the JSON result', async () => {
    const { stdout } = await run(
      process.execPath,
      [BIN, 'infra', 'synth', '--glue-wheels-dir', dummyWheelsDir(), '--out', 'cli-out-wheels', '--json'],
      { cwd: workDir },
    );
    expect((JSON.parse(stdout) as { glueWheels: string[] }).glueWheels.sort()).toEqual(
      fs.readdirSync(dummyWheelsDir()).sort(),
    );
  });
});
