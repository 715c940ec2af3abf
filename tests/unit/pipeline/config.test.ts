// `up` flags: validated once, one line naming the flag; children get explicit endpoints for the transport.
import { Command } from 'commander';
import { parseConfig } from '../../../core/validation';
import { addUpOptions, upConfigSchema, type UpConfig } from '../../../local/pipeline/config';
import { bronzeJobArgs } from '../../../glue-streaming/command';
import { bronzeJobConfig, produceArgs } from '../../../local/pipeline/pipeline-commands';

function parse(...argv: string[]): UpConfig {
  const command = addUpOptions(new Command('up').exitOverride());
  command.parse(argv, { from: 'user' });
  return parseConfig(upConfigSchema, command.opts());
}

test('defaults: kinesis at 50 trades/s, silver and gold continuous every 5 s, dashboard on 3000', () => {
  expect(parse()).toMatchObject({
    transport: 'kinesis',
    rate: 50,
    refine: 'continuous',
    refineTriggerSeconds: 5,
    batchInterval: 60,
    dashboardPort: 3000,
    dataDir: '.streamsoft',
    jumpRate: 0.0005,
    jumpSize: 0.02,
  });
});

test.each([
  [['--transport', 'pigeon'], /^--transport: must be kinesis or msk/],
  [['--rate', '-5'], /^--rate: must be greater than 0 \(got "-5"\)/],
  [['--batch-interval', '0'], /^--batch-interval: must be greater than 0/],
  [['--refine', 'sometimes'], /^--refine: must be continuous or batch/],
  [['--refine-trigger-seconds', '0'], /^--refine-trigger-seconds: must be greater than 0/],
  [['--dashboard-port', '70000'], /^--dashboard-port: must be a port number/],
  [['--dup-ratio', '2'], /^--dup-ratio: must be at most 1/],
  [['--jump-rate', '-1'], /^--jump-rate: must be at least 0 \(got "-1"\)/],
  [['--jump-size', 'wide'], /^--jump-size: must be a number \(got "wide"\)/],
])('%j is one clear line', (argv, message) => {
  expect(() => parse(...argv)).toThrow(message);
});

test('children are pointed at the stand-ins of the chosen transport', () => {
  const endpoints = {
    kinesis: 'http://127.0.0.1:1',
    kafka: '127.0.0.1:2',
    registry: 'http://127.0.0.1:3/apis/ccompat/v7',
  };
  const kinesis = parse('--rate', '10', '--seed', '7');
  expect(produceArgs(kinesis, endpoints)).toEqual(
    expect.arrayContaining([
      'produce',
      '--transport',
      'kinesis',
      '--kinesis-endpoint',
      'http://127.0.0.1:1',
      '--seed',
      '7',
    ]),
  );
  expect(produceArgs(kinesis, endpoints)).not.toContain('--kafka-brokers');
  const jumps = (config: UpConfig) => {
    const args = produceArgs(config, endpoints);
    return [args[args.indexOf('--jump-rate') + 1], args[args.indexOf('--jump-size') + 1]];
  };
  expect(jumps(kinesis)).toEqual(['0.0005', '0.02']);
  expect(jumps(parse('--jump-rate', '0', '--jump-size', '0.1'))).toEqual(['0', '0.1']);
  const msk = bronzeJobArgs(bronzeJobConfig(parse('--transport', 'msk', '--data-dir', '/tmp/x'), endpoints));
  expect(msk).toEqual(
    expect.arrayContaining(['--source', 'kafka', '--kafka-brokers', '127.0.0.1:2', '--topic', 'trades']),
  );
  expect(msk).toEqual(
    expect.arrayContaining(['--lake-path', '/tmp/x/lake', '--starting-position', 'earliest']),
  );
  expect(msk).not.toContain('--kinesis-endpoint');
  const bronzeKinesis = bronzeJobArgs(bronzeJobConfig(parse(), endpoints));
  expect(bronzeKinesis).toEqual(
    expect.arrayContaining(['--source', 'kinesis', '--kinesis-endpoint', 'http://127.0.0.1:1']),
  );
  // a bronze batch holds about 10 s of input (at least 1,000 records; on Kinesis up to twice that, per
  // shard), so the startup backlog cannot make the first batch minutes long
  const cap = (config: UpConfig) => {
    const args = bronzeJobArgs(bronzeJobConfig(config, endpoints));
    return args[args.indexOf('--max-records-per-trigger') + 1];
  };
  const lanes = (config: UpConfig) => {
    const args = produceArgs(config, endpoints);
    return [args[args.indexOf('--shards') + 1], args[args.indexOf('--partitions') + 1]];
  };
  expect(lanes(parse())).toEqual(['4', '4']);
  expect(cap(parse('--rate', '500'))).toBe('2500'); // Kinesis: per shard, twice the even share of 4
  expect(cap(parse('--rate', '2000', '--transport', 'msk'))).toBe('20000'); // Kafka: the whole batch
  expect(cap(parse('--rate', '5'))).toBe('500');
});
