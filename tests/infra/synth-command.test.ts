// `streamsoft infra synth` end to end (offline, each transport), configuration validation, and the
// deterministic package zip the Glue jobs import from.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, EnvironmentError } from '../../core/errors';
import { REPO_ROOT } from '../../core/paths';
import { resolveInfraConfig, TRANSPORTS } from '../../infra/config';
import { zipPackage } from '../../infra/deterministic-zip';
import { synthInfra } from '../../infra/main';
import { dummyWheelsDir } from './synth-support';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'bin', 'streamsoft.js');
/** Synth needs the jobs' wheels (glue-wheels.test.ts covers them); dummy ones, so no setup is needed here. */
const WHEELS = ['--glue-wheels-dir', dummyWheelsDir()];

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamsoft-infra-synth-'));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('streamsoft infra synth', () => {
  test.each(TRANSPORTS)(
    'writes the Terraform JSON and the job code for --transport %s',
    async (transport) => {
      const out = path.join(workDir, transport);
      const { stdout } = await run(
        process.execPath,
        [BIN, 'infra', 'synth', '--transport', transport, '--out', out, '--json', ...WHEELS],
        {
          cwd: workDir,
        },
      );
      const result = JSON.parse(stdout) as { stack: string; transport: string; directory: string };
      expect(result).toMatchObject({
        stack: 'streamsoft-dev',
        transport,
        directory: path.join(out, 'stacks', 'streamsoft-dev'),
      });
      const doc = JSON.parse(fs.readFileSync(path.join(result.directory, 'cdk.tf.json'), 'utf8')) as {
        provider: { aws: { region: string }[] };
        resource: Record<string, unknown>;
      };
      expect(doc.provider.aws[0]!.region).toBe('eu-west-1');
      expect(Object.keys(doc.resource)).toContain('aws_glue_job');
      const assets = fs.readdirSync(path.join(result.directory, 'assets'));
      expect(assets.some((a) => a.includes('shared-package'))).toBe(true);
      expect(fs.existsSync(path.join(out, '.staging'))).toBe(false);
    },
  );

  test('prints where it wrote and the next step', async () => {
    const { stdout } = await run(
      process.execPath,
      [BIN, 'infra', 'synth', '--env', 'qa', '--region', 'us-east-1', '--out', 'out', ...WHEELS],
      {
        cwd: workDir,
      },
    );
    expect(stdout).toContain(
      'wrote Terraform JSON for stack streamsoft-qa (transport kinesis) to out/stacks/streamsoft-qa/cdk.tf.json',
    );
    expect(stdout).toContain('terraform init && terraform apply');
  });

  test('sizes and access come from flags', async () => {
    const out = path.join(workDir, 'sized');
    await run(
      process.execPath,
      [
        BIN,
        'infra',
        'synth',
        '--out',
        out,
        '--az-count',
        '3',
        '--streaming-workers',
        '4',
        '--metabase-allowed-cidrs',
        '203.0.113.0/24, 198.51.100.0/24',
        '--trigger-seconds',
        '10',
        ...WHEELS,
      ],
      { cwd: workDir },
    );
    const doc = JSON.parse(
      fs.readFileSync(path.join(out, 'stacks', 'streamsoft-dev', 'cdk.tf.json'), 'utf8'),
    ) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(Object.keys(doc.resource.aws_subnet!)).toHaveLength(9);
    const bronze = Object.values(doc.resource.aws_glue_job!).find((j) => j.name === 'streamsoft-dev-bronze')!;
    expect(bronze.number_of_workers).toBe(4);
    expect((bronze.default_arguments as Record<string, string>)['--trigger-seconds']).toBe('10');
    const https = Object.values(doc.resource.aws_vpc_security_group_ingress_rule!)
      .filter(
        (r) => r.from_port === 443 && typeof r.cidr_ipv4 === 'string' && !String(r.cidr_ipv4).includes('$'),
      )
      .map((r) => r.cidr_ipv4)
      .sort();
    expect(https).toEqual(['198.51.100.0/24', '203.0.113.0/24']);
  });

  test('an invalid value is one line naming the flag, exit code 2', async () => {
    const failure = await run(
      process.execPath,
      [BIN, 'infra', 'synth', '--transport', 'kafka', '--out', 'bad'],
      { cwd: workDir },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr.trim()).toBe(
      'streamsoft: --transport: must be kinesis, msk or both (got "kafka")',
    );
    expect(fs.existsSync(path.join(workDir, 'bad'))).toBe(false);
  });

  test('--kinesis-efo with our reader is one line naming both flags, exit code 2', async () => {
    const failure = await run(
      process.execPath,
      [BIN, 'infra', 'synth', '--kinesis-efo', '--out', 'bad-efo', ...WHEELS],
      { cwd: workDir },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr.trim()).toBe(
      'streamsoft: --kinesis-efo: only with --kinesis-reader aws (got --kinesis-reader streamsoft)',
    );
    expect(fs.existsSync(path.join(workDir, 'bad-efo'))).toBe(false);
  });
});

describe('synthInfra', () => {
  test('is deterministic: the same sources give the same Terraform and object keys', () => {
    const config = resolveInfraConfig({
      transport: 'both',
      glueWheelsDir: dummyWheelsDir(),
      mskIamJarDir: path.join(workDir, 'no-jars'),
    });
    const read = (out: string) =>
      fs.readFileSync(path.join(synthInfra(config, out).stackDir, 'cdk.tf.json'), 'utf8');
    const first = read(path.join(workDir, 'det-1'));
    expect(read(path.join(workDir, 'det-2'))).toBe(first);
    expect(first).toMatch(/"key": "glue\/[0-9A-F]{32}\/streamsoft_jobs\.zip"/);
  });

  test('a missing job script stops synth with one line naming it, before anything is written', () => {
    const glue = path.join(workDir, 'partial-glue');
    fs.mkdirSync(path.join(glue, 'streamsoft_jobs'), { recursive: true });
    fs.writeFileSync(path.join(glue, 'streamsoft_jobs', '__init__.py'), '');
    fs.writeFileSync(path.join(glue, 'bronze_streaming.py'), '');
    const out = path.join(workDir, 'partial-out');
    const synth = () => synthInfra(resolveInfraConfig({ glueSourceDir: glue }), out);
    expect(synth).toThrow(EnvironmentError);
    expect(synth).toThrow(`infra synth: file to upload not found: ${path.join(glue, 'silver_batch.py')}`);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('resolveInfraConfig', () => {
  test('fills defaults', () => {
    expect(resolveInfraConfig({})).toMatchObject({
      env: 'dev',
      region: 'eu-west-1',
      transport: 'kinesis',
      azCount: 2,
      mskKafkaVersion: '4.1.x.kraft',
      registryImage: 'apicurio/apicurio-registry:3.3.3',
      logRetentionDays: 365,
      allowDestroy: false,
    });
  });

  test.each([
    [{ env: 'Prod!' }, /^--env: /],
    [{ region: 'moon-1' }, /^--region: must be an AWS region name/],
    [{ certificateArn: 'not-an-arn' }, /^--certificate-arn: must be an ACM certificate ARN/],
    [{ vpcCidr: '10.0.0.0/24' }, /^--vpc-cidr: /],
    [{ mskIamAuthJar: 's3://bucket/' }, /^--msk-iam-auth-jar: /],
    [{ logRetentionDays: 30 }, /^--log-retention-days: must be one of/],
    [{ kinesisReader: 'kcl' }, /^--kinesis-reader: must be streamsoft or aws/],
    [
      { kinesisEfo: true },
      /^--kinesis-efo: only with --kinesis-reader aws \(got --kinesis-reader streamsoft\)$/,
    ],
    [
      { transport: 'msk', kinesisReader: 'aws' },
      /^--kinesis-reader aws: only with --transport kinesis or both \(got --transport msk\)$/,
    ],
    [
      { transport: 'msk', kinesisReader: 'aws', kinesisEfo: true },
      /^--kinesis-efo: only with --transport kinesis or both/,
    ],
  ])('rejects %j with one line naming the setting', (raw, message) => {
    expect(() => resolveInfraConfig(raw)).toThrow(ConfigError);
    expect(() => resolveInfraConfig(raw)).toThrow(message);
  });
});

describe('zipPackage', () => {
  test('same bytes for the same files, whatever their timestamps; no caches; package folder on top', () => {
    const pkg = path.join(workDir, 'zipcase', 'streamsoft_jobs');
    fs.mkdirSync(path.join(pkg, '__pycache__'), { recursive: true });
    fs.writeFileSync(path.join(pkg, '__init__.py'), '');
    fs.writeFileSync(path.join(pkg, 'lake.py'), 'LAYERS = ("bronze", "silver", "gold")\n');
    fs.writeFileSync(path.join(pkg, '__pycache__', 'lake.cpython-311.pyc'), 'cache');
    const first = zipPackage(pkg);
    fs.utimesSync(path.join(pkg, 'lake.py'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(zipPackage(pkg).equals(first)).toBe(true);
    const names = first.toString('latin1');
    expect(names).toContain('streamsoft_jobs/__init__.py');
    expect(names).toContain('streamsoft_jobs/lake.py');
    expect(names).not.toContain('__pycache__');
    fs.writeFileSync(path.join(pkg, 'lake.py'), 'LAYERS = ()\n');
    expect(zipPackage(pkg).equals(first)).toBe(false);
  });

  test('Python can import from the zip', async () => {
    const pkg = path.join(workDir, 'zipimport', 'streamsoft_jobs');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, '__init__.py'), 'VERSION = "zip-ok"\n');
    const zip = path.join(workDir, 'zipimport.zip');
    fs.writeFileSync(zip, zipPackage(pkg));
    const { stdout } = await run('python3', [
      '-c',
      'import sys; sys.path.insert(0, sys.argv[1]); import streamsoft_jobs; print(streamsoft_jobs.VERSION)',
      zip,
    ]);
    expect(stdout.trim()).toBe('zip-ok');
  });
});
