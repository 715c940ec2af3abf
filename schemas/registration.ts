// Registering, checking and listing Trade schemas in a registry subject: the work behind
// `streamsoft schemas register|check|list`, with a clear reason whenever a schema is incompatible.
import { SchemaError } from '../core/errors';
import type { RegistryClient } from '../connectors/serde/registry-client';
import { checkCompatibility, type CompatibilityVerdict } from './compatibility';
import type { CompatibilityLevel } from './compatibility-levels';
import { TRADE_SCHEMA_VERSIONS, tradeSchema, type TradeSchemaVersion } from './trade-schemas';

type SchemaJson = Record<string, unknown>;

export interface SchemaToRegister {
  /** What the schema is, for messages: "v2", "tests/fixtures/schemas/x.avsc". */
  label: string;
  schema: SchemaJson;
}

/** The bundled Trade versions from the first up to `last`, in registration order. */
export function tradeSchemasUpTo(last: TradeSchemaVersion): SchemaToRegister[] {
  return TRADE_SCHEMA_VERSIONS.filter((version) => version <= last).map((version) => ({
    label: `v${version}`,
    schema: tradeSchema(version),
  }));
}

export type RegisteredSchema =
  | {
      label: string;
      subject: string;
      id: number;
      /** The subject's version number for this schema. */
      version: number;
    }
  | {
      label: string;
      subject: string;
      /** Not registered: a newer version of the list is already in the subject. */
      skipped: true;
    };

async function registeredVersions(
  registry: RegistryClient,
  subject: string,
): Promise<Array<{ version: number; id: number; schema: SchemaJson }>> {
  const versions = await registry.versions(subject);
  const found = await Promise.all(versions.map((version) => registry.version(subject, version)));
  return found.map((entry) => ({
    version: entry.version,
    id: entry.id,
    schema: JSON.parse(entry.schema) as SchemaJson,
  }));
}

/**
 * Sets the subject's compatibility level and registers the schemas in order. The level is set before the
 * first registration where the registry allows it, else right after it (a first version has nothing to
 * be compatible with). A schema older than one already in the subject is skipped rather than registered
 * as the new latest version. A rejected schema ends the run with an INCOMPATIBLE_SCHEMA error naming the
 * field.
 */
export async function registerSchemas(
  registry: RegistryClient,
  subject: string,
  schemas: readonly SchemaToRegister[],
  level: CompatibilityLevel,
): Promise<RegisteredSchema[]> {
  let levelSet = await registry.setCompatibility(subject, level);
  const existingIds = await Promise.all(schemas.map(({ schema }) => registry.idOfSchema(subject, schema)));
  const newestPresent = existingIds.findLastIndex((id) => id !== undefined);
  const results: RegisteredSchema[] = [];
  for (const [index, { label, schema }] of schemas.entries()) {
    if (index < newestPresent && existingIds[index] === undefined) {
      results.push({ label, subject, skipped: true });
      continue;
    }
    let id: number;
    try {
      id = await registry.register(subject, schema);
    } catch (error) {
      if (error instanceof SchemaError && error.code === 'INCOMPATIBLE_SCHEMA') {
        throw await explainRejection(registry, subject, label, schema, level, error);
      }
      throw error;
    }
    if (!levelSet) levelSet = await registry.setCompatibility(subject, level);
    const versions = await registeredVersions(registry, subject);
    const version = versions.find((entry) => entry.id === id)?.version ?? versions.at(-1)?.version ?? 1;
    results.push({ label, subject, id, version });
  }
  return results;
}

async function explainRejection(
  registry: RegistryClient,
  subject: string,
  label: string,
  schema: SchemaJson,
  level: CompatibilityLevel,
  rejection: SchemaError,
): Promise<SchemaError> {
  const configured = (await registry.compatibility(subject)) ?? level;
  const verdict = checkCompatibility(schema, await registeredVersions(registry, subject), configured);
  const reason = verdict.reason ?? rejection.message;
  return new SchemaError('INCOMPATIBLE_SCHEMA', `${label} was rejected for ${subject}: ${reason}`, {
    cause: rejection,
  });
}

export interface CheckResult extends CompatibilityVerdict {
  subject: string;
  level: CompatibilityLevel;
  /** Version the candidate was compared with (the latest), if the subject has any. */
  latestVersion?: number;
  /** Who decided: the registry, or this tool when the requested level differs from the subject's. */
  decidedBy: 'registry' | 'local';
}

/**
 * Checks a candidate schema against the subject. When `level` is the subject's own level, the registry's
 * verdict stands and the reason is computed here (registries often do not name the field); otherwise the
 * check runs locally at the requested level, with the same rules.
 */
export async function checkSchema(
  registry: RegistryClient,
  subject: string,
  candidate: SchemaJson,
  requestedLevel: CompatibilityLevel | undefined,
  defaultLevel: CompatibilityLevel,
): Promise<CheckResult> {
  const versions = await registeredVersions(registry, subject);
  const configured = await registry.compatibility(subject);
  const level = requestedLevel ?? configured ?? defaultLevel;
  const latestVersion = versions.at(-1)?.version;
  const local = checkCompatibility(candidate, versions, level);
  if (versions.length === 0) return { subject, level, compatible: true, decidedBy: 'registry' };
  if (configured === undefined || configured !== level) {
    return { subject, level, latestVersion, decidedBy: 'local', ...local };
  }
  const remote = await registry.checkCompatibility(subject, candidate);
  if (remote.compatible) return { subject, level, latestVersion, decidedBy: 'registry', compatible: true };
  const reason =
    local.reason ??
    (remote.messages.length > 0
      ? remote.messages.join('; ')
      : `the registry reports it incompatible at ${level}`);
  return { subject, level, latestVersion, decidedBy: 'registry', compatible: false, reason };
}

export interface SubjectListing {
  subject: string;
  compatibility: CompatibilityLevel | undefined;
  versions: Array<{ version: number; id: number }>;
}

export async function listSubjects(registry: RegistryClient, only?: string): Promise<SubjectListing[]> {
  const subjects = only === undefined ? await registry.subjects() : [only];
  const listings: SubjectListing[] = [];
  for (const subject of subjects) {
    const versions = await registeredVersions(registry, subject);
    if (only !== undefined && versions.length === 0) continue;
    listings.push({
      subject,
      compatibility: await registry.compatibility(subject),
      versions: versions.map(({ version, id }) => ({ version, id })),
    });
  }
  return listings;
}
