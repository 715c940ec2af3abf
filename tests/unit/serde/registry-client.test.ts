// The registry client's error translation when nothing answers: a retriable REGISTRY_UNAVAILABLE.
import { SchemaError } from '../../../core/errors';
import { RegistryClient } from '../../../connectors/serde/registry-client';
import { closedPort } from '../../support/ports';

/** A port nobody listens on: bound to find it free, then closed. */
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
