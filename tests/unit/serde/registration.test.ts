// The register/check logic over an in-memory registry: ordering, skipping, when the level is set, and who
// decides a compatibility verdict (with the field named either way).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaError } from '../../../core/errors';
import type { RegistryClient } from '../../../connectors/serde/registry-client';
import { checkCompatibility } from '../../../schemas/compatibility';
import type { CompatibilityLevel } from '../../../schemas/compatibility-levels';
import { checkSchema, registerSchemas } from '../../../schemas/registration';
import { tradeSchema } from '../../../schemas/trade-schemas';

type SchemaJson = Record<string, unknown>;

const v3 = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/schemas/trade-v3-incompatible.avsc'), 'utf8'),
) as SchemaJson;

/** One subject of a Confluent-like registry, enforcing its level with the same Avro rules. */
class FakeRegistry {
  level: CompatibilityLevel | undefined;
  readonly schemas: string[] = [];
  readonly calls: string[] = [];
  /** Like registries that only accept a level once the subject exists. */
  levelNeedsSubject = false;
  /** The verdict the fake's compatibility endpoint gives, when a test wants the registry to disagree. */
  verdict: { compatible: boolean; messages: string[] } | undefined;

  async setCompatibility(_subject: string, level: CompatibilityLevel): Promise<boolean> {
    this.calls.push(`level ${level}`);
    if (this.levelNeedsSubject && this.schemas.length === 0) return false;
    this.level = level;
    return true;
  }

  async compatibility(): Promise<CompatibilityLevel | undefined> {
    return this.level;
  }

  async idOfSchema(_subject: string, schema: SchemaJson): Promise<number | undefined> {
    const index = this.schemas.indexOf(JSON.stringify(schema));
    return index < 0 ? undefined : index + 100;
  }

  async register(_subject: string, schema: SchemaJson): Promise<number> {
    this.calls.push(`register ${String(schema.doc).slice(0, 40)}`);
    const known = await this.idOfSchema('', schema);
    if (known !== undefined) return known;
    const registered = this.schemas.map((text, index) => ({ version: index + 1, schema: JSON.parse(text) }));
    if (!checkCompatibility(schema, registered, this.level ?? 'NONE').compatible) {
      throw new SchemaError('INCOMPATIBLE_SCHEMA', 'Incompatible artifact: diff at /fields/6/type');
    }
    this.schemas.push(JSON.stringify(schema));
    return this.schemas.length + 99;
  }

  async versions(): Promise<number[]> {
    return this.schemas.map((_, index) => index + 1);
  }

  async version(subject: string, version: number) {
    return { subject, version, id: version + 99, schema: this.schemas[version - 1] as string };
  }

  async checkCompatibility(_subject: string, schema: SchemaJson) {
    if (this.verdict !== undefined) return this.verdict;
    const registered = this.schemas.map((text, index) => ({ version: index + 1, schema: JSON.parse(text) }));
    return {
      compatible: checkCompatibility(schema, registered, this.level ?? 'NONE').compatible,
      messages: [],
    };
  }

  client(): RegistryClient {
    return this as unknown as RegistryClient;
  }
}

const bundled = [
  { label: 'v1', schema: tradeSchema(1) },
  { label: 'v2', schema: tradeSchema(2) },
];

describe('registerSchemas', () => {
  it('sets the level first, then registers v1 and v2 in order', async () => {
    const registry = new FakeRegistry();
    const registered = await registerSchemas(registry.client(), 'trades-value', bundled, 'BACKWARD');
    expect(registered).toEqual([
      { label: 'v1', subject: 'trades-value', id: 100, version: 1 },
      { label: 'v2', subject: 'trades-value', id: 101, version: 2 },
    ]);
    expect(registry.calls[0]).toBe('level BACKWARD');
    expect(registry.level).toBe('BACKWARD');
  });

  it('sets the level right after the first registration when the registry needs the subject first', async () => {
    const registry = new FakeRegistry();
    registry.levelNeedsSubject = true;
    await registerSchemas(registry.client(), 'trades-value', bundled, 'FULL');
    expect(registry.calls.map((call) => call.split(' ')[0])).toEqual([
      'level',
      'register',
      'level',
      'register',
    ]);
    expect(registry.level).toBe('FULL');
  });

  it('explains a rejection with the field, not the registry diff path', async () => {
    const registry = new FakeRegistry();
    await registerSchemas(registry.client(), 'trades-value', bundled, 'BACKWARD');
    const error: unknown = await registerSchemas(
      registry.client(),
      'trades-value',
      [{ label: 'v3.avsc', schema: v3 }],
      'BACKWARD',
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).code).toBe('INCOMPATIBLE_SCHEMA');
    expect((error as SchemaError).message).toMatch(
      /^v3\.avsc was rejected for trades-value: BACKWARD: field 'price'/,
    );
  });

  it('skips an older version when a newer one is already registered', async () => {
    const registry = new FakeRegistry();
    await registry.register('trades-value', tradeSchema(2));
    const registered = await registerSchemas(registry.client(), 'trades-value', bundled, 'BACKWARD');
    expect(registered).toEqual([
      { label: 'v1', subject: 'trades-value', skipped: true },
      { label: 'v2', subject: 'trades-value', id: 100, version: 1 },
    ]);
    expect(registry.schemas).toHaveLength(1);
  });
});

describe('checkSchema', () => {
  async function registryWithV1V2(level: CompatibilityLevel): Promise<FakeRegistry> {
    const registry = new FakeRegistry();
    await registerSchemas(registry.client(), 'trades-value', bundled, level);
    return registry;
  }

  it('finds anything compatible with an empty subject', async () => {
    const result = await checkSchema(new FakeRegistry().client(), 'trades-value', v3, undefined, 'BACKWARD');
    expect(result).toMatchObject({ compatible: true, decidedBy: 'registry' });
  });

  it("follows the registry at the subject's level and names the field itself", async () => {
    const registry = await registryWithV1V2('BACKWARD');
    const result = await checkSchema(registry.client(), 'trades-value', v3, undefined, 'BACKWARD');
    expect(result).toMatchObject({
      compatible: false,
      level: 'BACKWARD',
      latestVersion: 2,
      decidedBy: 'registry',
    });
    expect(result.reason).toMatch(/field 'price'/);
    expect(
      await checkSchema(registry.client(), 'trades-value', tradeSchema(2), undefined, 'BACKWARD'),
    ).toMatchObject({
      compatible: true,
    });
  });

  it("keeps the registry's verdict and messages when the local rules find no reason", async () => {
    const registry = await registryWithV1V2('BACKWARD');
    registry.verdict = {
      compatible: false,
      messages: ['reader type: LONG not compatible at /fields/8/type'],
    };
    const result = await checkSchema(
      registry.client(),
      'trades-value',
      tradeSchema(2),
      undefined,
      'BACKWARD',
    );
    expect(result).toMatchObject({ compatible: false, decidedBy: 'registry' });
    expect(result.reason).toBe('reader type: LONG not compatible at /fields/8/type');
  });

  it("decides locally when asked for another level than the subject's", async () => {
    const registry = await registryWithV1V2('BACKWARD');
    const added = tradeSchema(2);
    (added.fields as unknown[]).push({ name: 'venue', type: 'string' });
    const forward = await checkSchema(registry.client(), 'trades-value', added, 'FORWARD', 'BACKWARD');
    expect(forward).toMatchObject({ compatible: true, level: 'FORWARD', decidedBy: 'local' });
    const backward = await checkSchema(registry.client(), 'trades-value', added, undefined, 'BACKWARD');
    expect(backward).toMatchObject({ compatible: false, decidedBy: 'registry' });
    expect(backward.reason).toMatch(/field 'venue'/);
  });
});
