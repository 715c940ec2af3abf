import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSSASLAuthenticationError } from 'kafkajs';
import { ConfigError } from '../../../core/errors';
import { saslFor, tlsFor, type MskTokenSigner } from '../../../connectors/kafka/client';
import { securityMismatch } from '../../../connectors/kafka/preflight';
import { KafkaTransport } from '../../../connectors/kafka/transport';

/** kafkajs's OAUTHBEARER authenticator (not in its public typings): what it sends is what a broker gets. */
const oauthBearerAuthenticator = jest.requireActual<
  (
    sasl: unknown,
  ) => (broker: {
    host: string;
    port: number;
    logger: { debug: () => void; error: () => void };
    saslAuthenticate: (args: { request: { encode: () => Promise<Buffer> } }) => Promise<void>;
  }) => { authenticate: () => Promise<void> }
>('kafkajs/src/broker/saslAuthenticator/oauthBearer');

describe('Kafka authentication modes', () => {
  it('uses no SASL for plaintext and TLS-only', () => {
    expect(saslFor({ mode: 'none' })).toBeUndefined();
    expect(saslFor({ mode: 'tls' })).toBeUndefined();
  });

  it('uses SCRAM-SHA-512 with the given credentials, and refuses missing ones', () => {
    expect(saslFor({ mode: 'scram', username: 'svc', password: 'secret' })).toEqual({
      mechanism: 'scram-sha-512',
      username: 'svc',
      password: 'secret',
    });
    expect(() => saslFor({ mode: 'scram', username: '', password: '' })).toThrow(ConfigError);
  });

  it('uses OAUTHBEARER for MSK IAM, and kafkajs sends a freshly signed token at each authentication', async () => {
    let signed = 0;
    const regions: string[] = [];
    const signer: MskTokenSigner = async ({ region }) => {
      regions.push(region);
      signed += 1;
      return { token: `token-${signed}`, expiryTime: Date.now() + 900_000 };
    };
    const sasl = saslFor({ mode: 'iam', region: 'eu-west-1' }, signer);
    expect(sasl?.mechanism).toBe('oauthbearer');

    // kafkajs's own OAUTHBEARER authenticator, given a fake broker exchange that keeps what it is sent.
    const sent: string[] = [];
    const authenticator = oauthBearerAuthenticator(sasl)({
      host: 'b-1.example.kafka.eu-west-1.amazonaws.com',
      port: 9098,
      logger: { debug: () => undefined, error: () => undefined },
      saslAuthenticate: async ({ request }) => {
        sent.push((await request.encode()).subarray(4).toString()); // an int32 length, then the message
      },
    });
    await authenticator.authenticate();
    // A reauthentication (kafkajs reauthenticates within reauthenticationThreshold of the session lifetime
    // the broker returns, see kafkajs src/network/connection.js) signs again, never resending the old token.
    await authenticator.authenticate();

    expect(regions).toEqual(['eu-west-1', 'eu-west-1']);
    // RFC 7628 client initial response: gs2 header, then auth=Bearer <token>, each part ended by SOH.
    expect(sent).toEqual([
      'n,,\u0001auth=Bearer token-1\u0001\u0001',
      'n,,\u0001auth=Bearer token-2\u0001\u0001',
    ]);
  });

  it('passes a signer failure on to kafkajs rather than sending no token', async () => {
    const sasl = saslFor({ mode: 'iam', region: 'eu-west-1' }, () =>
      Promise.reject(new Error('no credentials')),
    );
    const provider = (sasl as { oauthBearerProvider: () => Promise<unknown> }).oauthBearerProvider;
    await expect(provider()).rejects.toThrow('no credentials');
  });
});

describe('MSK IAM token from the real signer', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    // Static fake credentials: the default chain takes them from the environment, so nothing is fetched.
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIDEXAMPLE';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    delete process.env['AWS_SESSION_TOKEN'];
    delete process.env['AWS_PROFILE'];
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('is a base64url SigV4 presigned kafka-cluster:Connect URL for the region, with expiry and user agent', async () => {
    const sasl = saslFor({ mode: 'iam', region: 'ap-southeast-2' });
    const before = Date.now();
    const { value } = await (
      sasl as { oauthBearerProvider: () => Promise<{ value: string }> }
    ).oauthBearerProvider();

    // The token format, as documented by AWS:
    // - aws-msk-iam-sasl-signer-js README (https://github.com/aws/aws-msk-iam-sasl-signer-js): the kafkajs
    //   oauthBearerProvider returns { value: generateAuthToken({ region }).token };
    // - aws-msk-iam-sasl-signer-python README (https://github.com/aws/aws-msk-iam-sasl-signer-python):
    //   the token is "a base 64 encoded signed url", signed with the caller's IAM credentials;
    // - the signer's source (aws-msk-iam-sasl-signer-js 1.0.3, src/getMSKAuthToken.ts and src/constants.ts):
    //   GET https://kafka.<region>.amazonaws.com/?Action=kafka-cluster:Connect, SigV4 presigned for service
    //   kafka-cluster, 900 s, then User-Agent=aws-msk-iam-sasl-signer-js/<version>, base64url without padding.
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('kafka.ap-southeast-2.amazonaws.com');
    expect(url.pathname).toBe('/');
    const query = url.searchParams;
    expect(query.get('Action')).toBe('kafka-cluster:Connect');
    expect(query.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(query.get('X-Amz-Credential')).toMatch(
      /^AKIDEXAMPLE\/\d{8}\/ap-southeast-2\/kafka-cluster\/aws4_request$/,
    );
    expect(query.get('X-Amz-SignedHeaders')).toBe('host');
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(query.get('X-Amz-Expires')).toBe('900');
    expect(query.get('User-Agent')).toMatch(/^aws-msk-iam-sasl-signer-js\/\d+\.\d+\.\d+$/);
    const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(query.get('X-Amz-Date') ?? '');
    expect(date).not.toBeNull();
    const [, y, mo, d, h, mi, s] = date!.map(Number) as number[];
    const signedAt = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
    expect(signedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(signedAt).toBeLessThanOrEqual(Date.now());
    // The credential scope's date is the signing date.
    expect(query.get('X-Amz-Credential')?.split('/')[1]).toBe(query.get('X-Amz-Date')?.slice(0, 8));
  });
});

describe('KafkaTransport partitioning', () => {
  it('places each key where the Java client’s default (murmur2) partitioner does', () => {
    const transport = new KafkaTransport({ brokers: ['127.0.0.1:1'], topic: 'trades' });
    (transport as unknown as { partitionMetadata: unknown[] }).partitionMetadata = Array.from(
      { length: 4 },
      (_, partitionId) => ({ partitionId, leader: 0 }),
    );
    // Reference values computed with Kafka 4.1.2's Java client: Utils.toPositive(Utils.murmur2(key)) % 4.
    const keys = ['AAPL', 'MSFT', 'NVDA', '7203', '0700', 'BRK.B'];
    expect(keys.map((key) => transport.partitionOf(key))).toEqual([1, 2, 1, 1, 0, 3]);
  });
});

describe('Kafka TLS trust', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-ca-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('trusts the system store by default (Amazon MSK), and exactly a given CA file otherwise', () => {
    expect(tlsFor({ mode: 'none' }, undefined)).toBe(false);
    expect(tlsFor({ mode: 'iam', region: 'eu-west-1' }, undefined)).toBe(true);
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const file = path.join(dir, 'ca.pem');
    fs.writeFileSync(file, pem);
    expect(tlsFor({ mode: 'tls' }, file)).toEqual({ ca: [pem] });
  });

  it('refuses a CA file without TLS, a missing file, and a file with no certificate, naming the flag', () => {
    const notPem = path.join(dir, 'key.txt');
    fs.writeFileSync(notPem, 'not a certificate');
    expect(() => tlsFor({ mode: 'none' }, notPem)).toThrow(
      new ConfigError('--kafka-ca-file: needs --kafka-auth tls, scram or iam'),
    );
    expect(() => tlsFor({ mode: 'tls' }, path.join(dir, 'absent.pem'))).toThrow(
      /^--kafka-ca-file: cannot read .*absent\.pem \(ENOENT\)$/,
    );
    expect(() => tlsFor({ mode: 'tls' }, notPem)).toThrow(
      `--kafka-ca-file: ${notPem} holds no PEM certificate`,
    );
  });
});

describe('security mismatches found by the first connection attempt', () => {
  const brokers = ['127.0.0.1:9094'];
  const retriesExceeded = (cause: Error): Error =>
    Object.assign(new KafkaJSNonRetriableError('retries exceeded'), { cause });

  it('names a wrong SCRAM password, an untrusted certificate and a listener of the other kind', () => {
    const scram = { mode: 'scram' as const, username: 'svc', password: 'x' };
    expect(
      securityMismatch(
        // kafkajs's constructor takes the message; its typings declare none.
        new (KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error)(
          'SASL SCRAM SHA512 authentication failed',
        ),
        scram,
        brokers,
      )?.message,
    ).toBe(
      'Kafka broker 127.0.0.1:9094 rejected SASL/SCRAM user "svc": wrong --kafka-username or --kafka-password',
    );
    const untrusted = new KafkaJSConnectionError(
      'Connection error: self-signed certificate in certificate chain',
      {
        broker: '127.0.0.1:9094',
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      },
    );
    expect(securityMismatch(retriesExceeded(untrusted), { mode: 'tls' }, brokers)?.message).toMatch(
      /^the TLS certificate of Kafka broker 127\.0\.0\.1:9094 is not trusted \(self-signed certificate in certificate chain\)/,
    );
    const reset = new KafkaJSConnectionError('Connection error: socket disconnected', {
      broker: '127.0.0.1:9092',
      code: 'ECONNRESET',
    });
    expect(securityMismatch(retriesExceeded(reset), { mode: 'tls' }, brokers)?.message).toMatch(
      /^Kafka broker 127\.0\.0\.1:9092 dropped the TLS handshake: it looks like a plaintext listener/,
    );
    const { KafkaJSConnectionClosedError } = jest.requireActual<{
      KafkaJSConnectionClosedError: new (message: string, meta: object) => Error;
    }>('kafkajs');
    const closed = new KafkaJSConnectionClosedError('Closed connection', { host: '127.0.0.1', port: 9094 });
    expect(securityMismatch(retriesExceeded(closed), { mode: 'none' }, brokers)?.message).toMatch(
      /^Kafka broker 127\.0\.0\.1:9094 closed the connection on a plaintext request: it looks like a TLS listener/,
    );
  });

  it('leaves anything else (a broker not up yet) to the client’s retries', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {
      code: 'ECONNREFUSED',
    });
    expect(securityMismatch(retriesExceeded(refused), { mode: 'tls' }, brokers)).toBeUndefined();
    expect(securityMismatch(retriesExceeded(refused), { mode: 'none' }, brokers)).toBeUndefined();
    expect(securityMismatch(new Error('boom'), { mode: 'tls' }, brokers)).toBeUndefined();
  });
});
