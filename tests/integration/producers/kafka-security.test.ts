// `streamsoft produce --transport msk` over the Kafka stand-in's secure listeners, as Amazon MSK offers
// them (https://docs.aws.amazon.com/msk/latest/developerguide/msk-authentication.html): TLS with the
// broker's certificate verified against a CA file, then SASL/SCRAM-SHA-512 over TLS. Each is read back
// by an independent kafkajs consumer with the same settings; each misconfiguration a user can make fails
// within a bound with one line naming the cause. One broker per security mode, shared by its tests.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KafkaConfig } from 'kafkajs';
import { createTradeSerde } from '../../../connectors/serde/trade-serde';
import type { ServiceListener } from '../../../local/services/service';
import { startStandIns, type StandIns } from '../../../local/services/throwaway-stand-ins';
import { readKafkaTopic, readRecordFile } from './read-back';
import { runProduceCli, verifyStream, type CliRun } from './verify';

jest.setTimeout(300_000);

const BIN = path.resolve(__dirname, '../../../bin/streamsoft.js');
/** The bound for a misconfigured connection to fail, start-up of the CLI included. */
const FAILURE_BOUND_MS = 30_000;

let registry: StandIns;
let dir: string;

beforeAll(async () => {
  registry = await startStandIns(['registry']);
  dir = mkdtempSync(path.join(os.tmpdir(), 'produce-kafka-security-'));
});

afterAll(async () => {
  await registry?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function listener(broker: StandIns, name: ServiceListener['name']): ServiceListener {
  const found = broker.kafkaListeners.find((l) => l.name === name);
  if (found === undefined) throw new Error(`the broker has no ${name} listener`);
  return found;
}

async function produce(
  topic: string,
  brokers: string,
  flags: string[],
  env: Record<string, string> = {},
): Promise<CliRun & { ms: number }> {
  const started = Date.now();
  const run = await runProduceCli(
    [
      ...['--transport', 'msk', '--kafka-brokers', brokers, '--topic', topic, '--create-topic', 'yes'],
      ...['--registry-url', registry.endpoints.registry!, '--json'],
      ...['--record-file', path.join(dir, `${topic}.jsonl`)],
      ...flags,
    ],
    undefined,
    env,
  );
  return { ...run, ms: Date.now() - started };
}

/** 2,000 trades produced and acknowledged, then read back exactly by a consumer with `security`. */
async function expectRoundTrip(
  topic: string,
  run: CliRun,
  brokers: string,
  security: Pick<KafkaConfig, 'ssl' | 'sasl'>,
): Promise<void> {
  expect(run.stderr).not.toMatch(/"level":(50|60)/);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({ sent: 2000, acked: 2000, failed: 0 });
  const lines = readRecordFile(path.join(dir, `${topic}.jsonl`));
  const stream = await readKafkaTopic(brokers, topic, security);
  const serde = await createTradeSerde({
    registryUrl: registry.endpoints.registry!,
    subject: `${topic}-value`,
    schemaVersion: 2,
  });
  const check = await verifyStream(stream, lines, serde.decode);
  expect(lines.length).toBe(2000);
  expect(stream.length).toBe(2000);
  expect(check.missing).toEqual([]);
  expect(check.extra).toEqual([]);
  expect(check.mismatched).toEqual([]);
  expect(check.decoded).toBe(2000);
}

/** Exits non-zero within the bound, with exactly one line on stderr, matching `message`. */
function expectOneLineFailure(run: CliRun & { ms: number }, message: RegExp): void {
  expect(run.code).not.toBe(0);
  expect(run.ms).toBeLessThan(FAILURE_BOUND_MS);
  const lines = run.stderr.split('\n').filter((line) => line.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

const UNTRUSTED =
  /^streamsoft: the TLS certificate of Kafka broker 127\.0\.0\.1:\d+ is not trusted \(self-signed certificate in certificate chain\): pass the CA that signed it with --kafka-ca-file$/;
const PLAINTEXT_ON_TLS =
  /^streamsoft: Kafka broker 127\.0\.0\.1:\d+ closed the connection on a plaintext request: it looks like a TLS listener/;
const TLS_ON_PLAINTEXT =
  /^streamsoft: Kafka broker 127\.0\.0\.1:\d+ dropped the TLS handshake: it looks like a plaintext listener/;

describe('TLS listener (--kafka-security tls)', () => {
  let broker: StandIns;
  let tls: ServiceListener;
  let plaintext: ServiceListener;

  beforeAll(async () => {
    broker = await startStandIns(['kafka'], { kafkaSecurity: 'tls' });
    tls = listener(broker, 'SSL');
    plaintext = listener(broker, 'PLAINTEXT');
  });

  afterAll(async () => {
    await broker?.stop();
  });

  test('services status --json lists each listener on 127.0.0.1, its port, and the CA that signed the broker', () => {
    const result = spawnSync(
      process.execPath,
      [BIN, 'services', 'status', '--only', 'kafka', '--data-dir', broker.dataDir, '--json'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.status).toBe(0);
    const [kafka] = JSON.parse(result.stdout) as Array<{ healthy: boolean; listeners: ServiceListener[] }>;
    expect(kafka!.healthy).toBe(true);
    expect(kafka!.listeners.map(({ name, endpoint }) => [name, endpoint])).toEqual([
      ['PLAINTEXT', `127.0.0.1:${plaintext.port}`],
      ['SSL', `127.0.0.1:${tls.port}`],
    ]);
    expect(kafka!.listeners[1]!.caFile).toBe(path.join(broker.dataDir, 'services/kafka/security/ca.pem'));
    expect(kafka!.listeners[0]!.caFile).toBeUndefined();

    // The certificate the TLS listener presents is for 127.0.0.1 and signed by the listed CA.
    const ca = new X509Certificate(readFileSync(tls.caFile!));
    const served = spawnSync(
      'openssl',
      ['s_client', '-connect', tls.endpoint, '-CAfile', tls.caFile!, '-verify_return_error'],
      { input: '', encoding: 'utf8', timeout: 30_000 },
    );
    expect(served.stdout).toMatch(/Verify return code: 0 \(ok\)/);
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(served.stdout)![0];
    const cert = new X509Certificate(pem);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(ca.ca).toBe(true);
  });

  test('2,000 trades over TLS, trusting the CA file, all acknowledged and read back', async () => {
    const run = await produce('tls-trades', tls.endpoint, [
      ...['--kafka-auth', 'tls', '--kafka-ca-file', tls.caFile!, '--count', '2000', '--rate', '0'],
    ]);
    await expectRoundTrip('tls-trades', run, tls.endpoint, {
      ssl: { ca: [readFileSync(tls.caFile!, 'utf8')] },
    });
  });

  test('without the CA file the broker is untrusted: one line, at once', async () => {
    const run = await produce('untrusted', tls.endpoint, ['--kafka-auth', 'tls', '--count', '10']);
    expectOneLineFailure(run, UNTRUSTED);
  });

  test('a plaintext client on the TLS port: one line naming a TLS listener', async () => {
    const run = await produce('plain-on-tls', tls.endpoint, ['--kafka-auth', 'none', '--count', '10']);
    expectOneLineFailure(run, PLAINTEXT_ON_TLS);
  });

  test('a TLS client on the plaintext port: one line naming a plaintext listener', async () => {
    const run = await produce('tls-on-plain', plaintext.endpoint, [
      ...['--kafka-auth', 'tls', '--kafka-ca-file', tls.caFile!, '--count', '10'],
    ]);
    expectOneLineFailure(run, TLS_ON_PLAINTEXT);
  });
});

describe('SASL/SCRAM-SHA-512 over TLS listener (--kafka-security scram)', () => {
  let broker: StandIns;
  let scram: ServiceListener;
  let password: string;

  beforeAll(async () => {
    broker = await startStandIns(['kafka'], { kafkaSecurity: 'scram' });
    scram = listener(broker, 'SASL_SSL');
    password = readFileSync(scram.passwordFile!, 'utf8').trim();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  test('2,000 trades as the SCRAM user, the CA from STREAMSOFT_KAFKA_CA_FILE, all acknowledged and read back', async () => {
    expect(scram).toMatchObject({ saslMechanism: 'SCRAM-SHA-512', username: 'streamsoft' });
    const run = await produce(
      'scram-trades',
      scram.endpoint,
      [
        ...['--kafka-auth', 'scram', '--kafka-username', scram.username!, '--kafka-password', password],
        ...['--count', '2000', '--rate', '0'],
      ],
      { STREAMSOFT_KAFKA_CA_FILE: scram.caFile! },
    );
    await expectRoundTrip('scram-trades', run, scram.endpoint, {
      ssl: { ca: [readFileSync(scram.caFile!, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username: scram.username!, password },
    });
  });

  test('a wrong password: one line naming the credentials, at once', async () => {
    const run = await produce('wrong-password', scram.endpoint, [
      ...['--kafka-auth', 'scram', '--kafka-username', scram.username!, '--kafka-password', 'not-it'],
      ...['--kafka-ca-file', scram.caFile!, '--count', '10'],
    ]);
    expectOneLineFailure(
      run,
      /^streamsoft: Kafka broker 127\.0\.0\.1:\d+ rejected SASL\/SCRAM user "streamsoft": wrong --kafka-username or --kafka-password$/,
    );
  });

  test('the SCRAM port without the CA file is untrusted too: one line', async () => {
    const run = await produce('scram-untrusted', scram.endpoint, [
      ...['--kafka-auth', 'scram', '--kafka-username', scram.username!, '--kafka-password', password],
      ...['--count', '10'],
    ]);
    expectOneLineFailure(run, UNTRUSTED);
  });
});
