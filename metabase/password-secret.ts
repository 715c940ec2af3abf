// Reads the Metabase admin password from AWS Secrets Manager: a plain string secret, or a JSON secret with
// a `password` field (the shape the infra stack generates).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, StreamSoftError } from '../core/errors';

export function passwordFromSecretString(secretId: string, secret: string): string {
  const trimmed = secret.trim();
  if (!trimmed.startsWith('{')) return secret;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    throw new ConfigError(`--password-secret: secret ${secretId} looks like JSON but does not parse`, {
      cause: error,
    });
  }
  const password = (parsed as { password?: unknown }).password;
  if (typeof password !== 'string' || password === '') {
    throw new ConfigError(`--password-secret: secret ${secretId} has no "password" field`);
  }
  return password;
}

export async function readPasswordSecret(secretId: string, region?: string): Promise<string> {
  const client = new SecretsManagerClient(region === undefined ? {} : { region });
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (answer.SecretString === undefined) {
      throw new ConfigError(`--password-secret: secret ${secretId} has no string value`);
    }
    return passwordFromSecretString(secretId, answer.SecretString);
  } catch (error) {
    if (error instanceof StreamSoftError) throw error;
    throw new StreamSoftError(`could not read secret ${secretId}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    client.destroy();
  }
}
