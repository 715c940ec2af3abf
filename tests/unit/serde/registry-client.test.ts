// The registry client's error translation when nothing answers: a retriable REGISTRY_UNAVAILABLE.
import { createServer } from 'node:net';
import { SchemaError } from '../../../core/errors';
import { RegistryClient } from '../../../connectors/serde/registry-client';

/** A port nobody listens on: bound to find it free, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('RegistryClient against an unreachable registry', () => {
  let client: RegistryClient;

  beforeAll(async () => {
    client = new RegistryClient({
      url: `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`,
      retries: 0,
    });
  });

  it.each([
    ['subjects (plain HTTP)', () => client.subjects()],
    ['schemaById (registry library)', () => client.schemaById(1)],
    ['latestId (registry library)', () => client.latestId('trades-value')],
  ])('%s fails with a retriable REGISTRY_UNAVAILABLE', async (_label, call) => {
    const error = await call().then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).code).toBe('REGISTRY_UNAVAILABLE');
    expect((error as SchemaError).retriable).toBe(true);
    expect((error as SchemaError).message).toMatch(/unreachable/);
  });
});
