import { ConfigError } from '../../../core/errors';
import { saslFor } from '../../../connectors/kafka/client';
import { KafkaTransport } from '../../../connectors/kafka/transport';

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

  it('uses OAUTHBEARER with a token provider for MSK IAM', () => {
    const sasl = saslFor({ mode: 'iam', region: 'eu-west-1' });
    expect(sasl?.mechanism).toBe('oauthbearer');
    expect(typeof (sasl as { oauthBearerProvider?: unknown }).oauthBearerProvider).toBe('function');
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
