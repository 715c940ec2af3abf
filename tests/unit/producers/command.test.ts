// Bad flags end `streamsoft produce` before anything is sent: one line naming the flag, exit code 2.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';
import { parseConfig } from '../../../core/validation';
import { ConfigError } from '../../../core/errors';
import { addProduceOptions, produceConfigSchema } from '../../../producers/config';
import { closedPort } from '../../support/ports';

const BIN = path.resolve(__dirname, '../../../bin/streamsoft.js');

function configFrom(args: string[]) {
  const command = addProduceOptions(new Command('produce')).exitOverride();
  command.parse(args, { from: 'user' });
  return parseConfig(produceConfigSchema, command.opts());
}

function produceCli(args: string[]): { status: number | null; stderr: string; stdout: string } {
  const run = spawnSync(process.execPath, [BIN, 'produce', ...args], {
    encoding: 'utf8',
    env: { ...process.env, STREAMSOFT_LOG_FORMAT: 'json' },
    timeout: 90_000,
  });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

/** A loopback port with nothing listening on it. */
function streamsoftLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('streamsoft:'));
}

describe('produce configuration', () => {
  it('has local defaults: Kinesis transport, kinesalite, the local broker and registry, stream/topic trades', () => {
    expect(configFrom([])).toMatchObject({
      transport: 'kinesis',
      rate: 1000,
      schemaVersion: 2,
      kinesisEndpoint: 'http://127.0.0.1:4567',
      stream: 'trades',
      kafkaBrokers: ['127.0.0.1:9092'],
      topic: 'trades',
      registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      kafkaAuth: 'none',
      createStream: undefined,
    });
  });

  it('has price jumps off by default, and reads --jump-rate and --jump-size', () => {
    expect(configFrom([])).toMatchObject({ jumpRate: 0, jumpSize: 0.02 });
    expect(configFrom(['--jump-rate', '0.001', '--jump-size', '0.05'])).toMatchObject({
      jumpRate: 0.001,
      jumpSize: 0.05,
    });
  });

  it('parses durations and lists', () => {
    expect(configFrom(['--duration', '90']).duration).toBe(90_000);
    expect(configFrom(['--duration', '5m']).duration).toBe(300_000);
    expect(configFrom(['--kafka-brokers', 'b1:9098, b2:9098']).kafkaBrokers).toEqual(['b1:9098', 'b2:9098']);
    expect(configFrom(['--create-stream', 'no']).createStream).toBe(false);
  });

  it.each([
    [['--transport', 'pigeon'], '--transport: must be kinesis or msk (got "pigeon")'],
    [['--rate', '-5'], '--rate: must not be negative (got "-5")'],
    [['--dup-ratio', '1.5'], '--dup-ratio: must be at most 1 (got "1.5")'],
    [
      ['--dup-ratio', '0.6', '--bad-ratio', '0.6'],
      '--bad-ratio: --dup-ratio plus --bad-ratio must not exceed 1',
    ],
    [['--schema-version', '0'], '--schema-version: must be a version number (got "0")'],
    [['--count', '10', '--duration', '5s'], '--duration: give --count or --duration, not both (got "5s")'],
    [['--kafka-auth', 'kerberos'], '--kafka-auth: must be none, tls, scram or iam (got "kerberos")'],
    [['--kafka-brokers', 'nope'], '--kafka-brokers: must be host:port[,host:port...] (got "nope")'],
    [['--jump-rate', '-0.1'], '--jump-rate: must be at least 0 (got "-0.1")'],
    [['--jump-rate', 'often'], '--jump-rate: must be a number (got "often")'],
    [['--jump-rate', '2'], '--jump-rate: must be at most 1 (got "2")'],
    [['--jump-size', '0'], '--jump-size: must be greater than 0 (got "0")'],
    [['--jump-size', 'big'], '--jump-size: must be a number (got "big")'],
  ])('%j is refused naming the flag', (args, message) => {
    let error: unknown;
    try {
      configFrom(args);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message.startsWith(message)).toBe(true);
    expect((error as ConfigError).exitCode).toBe(2);
  });
});

describe('streamsoft produce (the CLI)', () => {
  it('an unknown transport → one line, exit 2', () => {
    const run = produceCli(['--transport', 'pigeon']);
    expect(run.status).toBe(2);
    expect(streamsoftLines(run.stderr)).toEqual([
      'streamsoft: --transport: must be kinesis or msk (got "pigeon")',
    ]);
    expect(run.stdout).toBe('');
  });

  it('a bad --jump-rate → one line, exit 2, before anything is sent', () => {
    const run = produceCli(['--jump-rate', '-1']);
    expect(run.status).toBe(2);
    expect(streamsoftLines(run.stderr)).toEqual(['streamsoft: --jump-rate: must be at least 0 (got "-1")']);
    expect(run.stdout).toBe('');
  });

  it('an unreachable registry → one line naming --registry-url, exit 2', async () => {
    const port = await closedPort();
    const run = produceCli(['--registry-url', `http://127.0.0.1:${port}/apis/ccompat/v7`, '--count', '1']);
    expect(run.status).toBe(2);
    expect(streamsoftLines(run.stderr)).toEqual([
      expect.stringMatching(/^streamsoft: --registry-url: .*unreachable/),
    ]);
  });
});
