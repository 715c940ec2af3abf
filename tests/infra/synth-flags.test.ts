// `streamsoft infra synth` (flags and STREAMSOFT_* variables) and `cdktf synth` (main.ts, variables
// only) must read the same variables: each variable the CLI documents changes the config cdktf sees.
import { Command, type Option } from 'commander';
import { registerInfraCommand } from '../../infra/command';
import { resolveInfraConfig } from '../../infra/config';
import { configFromEnvironment } from '../../infra/main';

/** A valid non-default value for every variable the CLI documents (`--out`, `--json` are CLI-only). */
const SAMPLES: Record<string, string> = {
  STREAMSOFT_TRANSPORT: 'msk',
  STREAMSOFT_ENV: 'qa',
  STREAMSOFT_REGION: 'us-east-1',
  STREAMSOFT_CERTIFICATE_ARN: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123',
  STREAMSOFT_MSK_IAM_AUTH_JAR: 's3://jars-bucket/aws-msk-iam-auth-2.3.2-all.jar',
  STREAMSOFT_ALARM_EMAIL: 'ops@example.com',
  STREAMSOFT_GLUE_WHEELS_DIR: '/tmp/wheels',
  STREAMSOFT_PIP_INSTALL_MODULES: 'true',
  STREAMSOFT_METABASE_ADMIN_EMAIL: 'bi@example.com',
  STREAMSOFT_METABASE_ALLOWED_CIDRS: '10.0.0.0/8, 192.168.0.0/16',
  STREAMSOFT_AZ_COUNT: '3',
  STREAMSOFT_KINESIS_RETENTION_HOURS: '48',
  STREAMSOFT_KINESIS_READER: 'aws',
  STREAMSOFT_KINESIS_EFO: 'true',
  STREAMSOFT_MSK_BROKER_INSTANCE_TYPE: 'kafka.m7g.xlarge',
  STREAMSOFT_MSK_BROKERS: '6',
  STREAMSOFT_MSK_PARTITIONS: '24',
  STREAMSOFT_EXPECTED_RATE: '5000',
  STREAMSOFT_STREAMING_WORKERS: '4',
  STREAMSOFT_BATCH_WORKERS: '5',
  STREAMSOFT_TRIGGER_SECONDS: '10',
  STREAMSOFT_SILVER_SCHEDULE: 'cron(0/5 * * * ? *)',
  STREAMSOFT_BRONZE_COMPACT_MINUTES: '30',
  STREAMSOFT_REFINE_MODE: 'continuous',
  STREAMSOFT_REFINE_TRIGGER_SECONDS: '20',
  STREAMSOFT_ALLOW_DESTROY: 'true',
};
const CLI_ONLY = new Set(['STREAMSOFT_OUT', 'STREAMSOFT_JSON']);
/** Variables a sample is valid only with (--kinesis-efo needs --kinesis-reader aws), set on both sides. */
const COMPANIONS: Record<string, Record<string, string>> = {
  STREAMSOFT_KINESIS_EFO: { STREAMSOFT_KINESIS_READER: 'aws' },
};

function synthOptions(): Option[] {
  const program = new Command();
  registerInfraCommand(program);
  const synth = program.commands
    .find((c) => c.name() === 'infra')!
    .commands.find((c) => c.name() === 'synth')!;
  return synth.options as Option[];
}

describe('infra synth settings', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('every variable the CLI documents has a sample here (a new flag needs one)', () => {
    const documented = synthOptions()
      .map((o) => o.envVar!)
      .filter((v) => !CLI_ONLY.has(v));
    expect(documented.sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  test.each(Object.entries(SAMPLES))('%s reaches the config cdktf synth builds', (variable, value) => {
    Object.assign(process.env, COMPANIONS[variable] ?? {});
    const defaults = configFromEnvironment();
    process.env[variable] = value;
    const changed = configFromEnvironment();
    expect(changed).not.toEqual(defaults);
  });

  test('--kinesis-efo without --kinesis-reader aws is refused with both flags named', () => {
    process.env.STREAMSOFT_KINESIS_EFO = 'true';
    expect(() => configFromEnvironment()).toThrow(
      '--kinesis-efo: only with --kinesis-reader aws (got --kinesis-reader streamsoft)',
    );
  });

  test('a bad variable is refused with the setting it names', () => {
    process.env.STREAMSOFT_AZ_COUNT = '7';
    expect(() => configFromEnvironment()).toThrow(/azCount|az-count/);
    expect(() => resolveInfraConfig({ azCount: 7 })).toThrow();
  });
});
