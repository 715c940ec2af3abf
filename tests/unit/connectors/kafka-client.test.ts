import { ConfigError } from '../../../core/errors';
import { saslFor, type MskTokenSigner } from '../../../connectors/kafka/client';
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
