// Schemas and serde against the real local registry (Apicurio, Confluent-compatible API): registration
// and evolution, rejection of the incompatible fixture with the field named, the CLI's exit codes, and
// encode/decode through registry ids, including corrupt input.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaError } from '../../../core/errors';
import { silentLogger } from '../../../core/logger';
import { RegistryClient } from '../../../connectors/serde/registry-client';
import { createTradeSerde } from '../../../connectors/serde/trade-serde';
import { openSerde } from '../../../producers/command';
import { DEFAULT_COMPATIBILITY } from '../../../schemas/compatibility-levels';
import type { Trade, TradeV1 } from '../../../schemas/trade';
import { tradeSchema } from '../../../schemas/trade-schemas';
import { startStandIns, type StandIns } from '../../../local/services/throwaway-stand-ins';
import { closedPort } from '../../support/ports';

const ROOT = join(__dirname, '../../..');
const V3_FIXTURE = join(ROOT, 'tests/fixtures/schemas/trade-v3-incompatible.avsc');
const V2_FILE = join(ROOT, 'schemas/trade-v2.avsc');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function streamsoft(args: string[]): Promise<CliResult> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('STREAMSOFT_')),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/streamsoft.js'), ...args],
      { cwd: ROOT, env: { ...env, STREAMSOFT_LOG_LEVEL: 'warn' }, timeout: 90_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const v1Trade: TradeV1 = {
  operation_id: '7d9f8e6c-5b4a-4392-8170-6f5e4d3c2b1a',
  person_name: 'Katherine Johnson',
  symbol: 'NVDA',
  timestamp: 1764316800456,
  exchange: 'NASDAQ',
  currency: 'USD',
  price: '880.9100',
  operation: 'purchase',
};

async function rejection(promise: Promise<unknown>): Promise<SchemaError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SchemaError);
  return error as SchemaError;
}

describe('schemas against the local registry', () => {
  let standIns: StandIns;
  let registryUrl: string;

  beforeAll(async () => {
    standIns = await startStandIns(['registry']);
    registryUrl = standIns.endpoints.registry as string;
  }, 300_000);

  afterAll(async () => {
    await standIns?.stop();
  }, 60_000);

  describe('evolution of the trades subject', () => {
    const stream = 'evolution';
    const subject = 'evolution-value';

    it('registers v1 then v2 under <stream>-value with BACKWARD compatibility', async () => {
      const result = await streamsoft([
        'schemas',
        'register',
        '--registry-url',
        registryUrl,
        '--stream',
        stream,
        '--json',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const output = JSON.parse(result.stdout) as {
        subject: string;
        registered: Array<{ label: string; id: number; version: number }>;
      };
      expect(output.subject).toBe(subject);
      expect(output.registered.map(({ label, version }) => [label, version])).toEqual([
        ['v1', 1],
        ['v2', 2],
      ]);
      const registry = new RegistryClient({ url: registryUrl });
      expect(await registry.compatibility(subject)).toBe('BACKWARD');
      expect(await registry.versions(subject)).toEqual([1, 2]);
      expect(await registry.idOfSchema(subject, tradeSchema(2))).toBe(output.registered[1]?.id);
    });

    it('is idempotent: registering again returns the same ids', async () => {
      const second = await streamsoft([
        'schemas',
        'register',
        '--registry-url',
        registryUrl,
        '--stream',
        stream,
        '--json',
      ]);
      expect(second.code).toBe(0);
      const again = JSON.parse(second.stdout) as { registered: Array<{ id: number; version: number }> };
      const registry = new RegistryClient({ url: registryUrl });
      expect(again.registered).toEqual([
        { label: 'v1', subject, id: await registry.idOfSchema(subject, tradeSchema(1)), version: 1 },
        { label: 'v2', subject, id: await registry.idOfSchema(subject, tradeSchema(2)), version: 2 },
      ]);
      expect(await new RegistryClient({ url: registryUrl }).versions(subject)).toEqual([1, 2]);
    });

    it('rejects the v3 fixture with a message naming the price field', async () => {
      const result = await streamsoft([
        'schemas',
        'register',
        '--registry-url',
        registryUrl,
        '--stream',
        stream,
        '--file',
        V3_FIXTURE,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/rejected for evolution-value: BACKWARD: field 'price'/);
      expect(await new RegistryClient({ url: registryUrl }).versions(subject)).toEqual([1, 2]);
    });

    it('schemas check exits 1 on the v3 fixture, naming the field, and 0 on v2', async () => {
      const bad = await streamsoft([
        'schemas',
        'check',
        V3_FIXTURE,
        '--registry-url',
        registryUrl,
        '--stream',
        stream,
      ]);
      expect(bad.code).toBe(1);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/incompatible with evolution-value: BACKWARD: field 'price'/);

      const good = await streamsoft([
        'schemas',
        'check',
        V2_FILE,
        '--registry-url',
        registryUrl,
        '--stream',
        stream,
      ]);
      expect(good.stderr).toBe('');
      expect(good.code).toBe(0);
      expect(good.stdout).toMatch(/compatible with evolution-value \(BACKWARD, latest version 2\)/);
    });

    it('schemas check --json reports the verdict on stdout with the same exit codes', async () => {
      const bad = await streamsoft([
        'schemas',
        'check',
        V3_FIXTURE,
        '--registry-url',
        registryUrl,
        '--subject',
        subject,
        '--json',
      ]);
      expect(bad.code).toBe(1);
      const verdict = JSON.parse(bad.stdout) as { compatible: boolean; reason: string; decidedBy: string };
      expect(verdict).toMatchObject({ compatible: false, decidedBy: 'registry' });
      expect(verdict.reason).toMatch(/field 'price'/);
    });

    it('schemas check at another level than the subject decides locally, with the same rules', async () => {
      const result = await streamsoft([
        'schemas',
        'check',
        V3_FIXTURE,
        '--registry-url',
        registryUrl,
        '--stream',
        stream,
        '--compatibility',
        'none',
        '--json',
      ]);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        compatible: true,
        level: 'NONE',
        decidedBy: 'local',
      });
    });

    it('schemas list shows the subject, its versions, ids and level', async () => {
      const result = await streamsoft(['schemas', 'list', '--registry-url', registryUrl, '--json']);
      expect(result.code).toBe(0);
      const listings = JSON.parse(result.stdout) as Array<{
        subject: string;
        compatibility: string;
        versions: unknown[];
      }>;
      const listing = listings.find((entry) => entry.subject === subject);
      expect(listing?.compatibility).toBe('BACKWARD');
      expect(listing?.versions).toHaveLength(2);
      const text = await streamsoft(['schemas', 'list', '--registry-url', registryUrl, '--subject', subject]);
      expect(text.stdout).toMatch(/^evolution-value \(BACKWARD\): v1=id \d+, v2=id \d+$/m);
    });

    it('encodes with registry ids and decodes v1 records into v2 with quantity 1', async () => {
      const writerV1 = await createTradeSerde({ registryUrl, subject, schemaVersion: 1 });
      const writerLatest = await createTradeSerde({ registryUrl, subject });
      const registry = new RegistryClient({ url: registryUrl });
      expect(writerV1.schemaId).toBe(await registry.idOfSchema(subject, tradeSchema(1)));
      expect(writerLatest.schemaId).toBe(await registry.idOfSchema(subject, tradeSchema(2)));

      const reader = await createTradeSerde({ registryUrl, subject, schemaVersion: 2 });
      const fromV1 = writerV1.encode({ ...v1Trade, quantity: 99, broker: 'ignored by v1' } as Trade);
      expect(fromV1.readUInt32BE(1)).toBe(writerV1.schemaId);
      expect(await reader.decode(fromV1)).toEqual({ ...v1Trade, quantity: 1, broker: null });

      for (const price of ['880.9100', '0.0001', '99999999999999.9999', '-12.3400']) {
        const trade: Trade = { ...v1Trade, price, quantity: 7, broker: 'Nomura' };
        expect(await reader.decode(writerLatest.encode(trade))).toEqual(trade);
      }
    });

    it('raises typed errors for corrupt input, never crashing', async () => {
      const serde = await createTradeSerde({ registryUrl, subject });
      const good = serde.encode({ ...v1Trade, quantity: 3, broker: null });
      const unknownId = Buffer.from(good);
      unknownId.writeUInt32BE(987654, 1);
      const cases: Array<[Buffer, string]> = [
        [Buffer.alloc(0), 'EMPTY_PAYLOAD'],
        [Buffer.concat([Buffer.from([0x7b]), good.subarray(1)]), 'BAD_MAGIC_BYTE'],
        [unknownId, 'UNKNOWN_SCHEMA_ID'],
        [good.subarray(0, good.length - 5), 'CORRUPT_BODY'],
      ];
      for (const [payload, code] of cases) {
        expect((await rejection(serde.decode(payload))).code).toBe(code);
      }
      expect(await serde.decode(good)).toEqual({ ...v1Trade, quantity: 3, broker: null });
    });
  });

  it('sets another compatibility level on a new subject and enforces it', async () => {
    const registered = await streamsoft([
      'schemas',
      'register',
      '--registry-url',
      registryUrl,
      '--subject',
      'forward-only',
      '--compatibility',
      'FORWARD',
      '--version',
      '1',
    ]);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toMatch(/^forward-only v1: id \d+ \(subject version 1\)$/m);
    const registry = new RegistryClient({ url: registryUrl });
    expect(await registry.compatibility('forward-only')).toBe('FORWARD');
    // Under FORWARD, v1 readers must read v2 data: they ignore quantity and broker, so v2 is accepted.
    const v2 = await streamsoft([
      'schemas',
      'register',
      '--registry-url',
      registryUrl,
      '--subject',
      'forward-only',
      '--compatibility',
      'FORWARD',
      '--version',
      '2',
      '--only',
    ]);
    expect(v2.code).toBe(0);
    expect(await registry.versions('forward-only')).toEqual([1, 2]);
  });

  it('never registers an older version on top of a newer one', async () => {
    const registry = new RegistryClient({ url: registryUrl });
    const v2Id = await registry.register('v2-first-value', tradeSchema(2));
    const result = await streamsoft([
      'schemas',
      'register',
      '--registry-url',
      registryUrl,
      '--stream',
      'v2-first',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).registered).toEqual([
      { label: 'v1', subject: 'v2-first-value', skipped: true },
      { label: 'v2', subject: 'v2-first-value', id: v2Id, version: 1 },
    ]);
    expect(await registry.versions('v2-first-value')).toEqual([1]);
  });

  describe("the producer's auto-registration (the path `schemas register` takes)", () => {
    const log = silentLogger;

    it('registers the versions up to the one written and sets the default level on a new subject', async () => {
      const serde = await openSerde(registryUrl, 'auto-new-value', 2, log);
      const registry = new RegistryClient({ url: registryUrl });
      expect(await registry.versions('auto-new-value')).toEqual([1, 2]);
      expect(await registry.compatibility('auto-new-value')).toBe(DEFAULT_COMPATIBILITY);
      expect(serde.schemaId).toBe(await registry.idOfSchema('auto-new-value', tradeSchema(2)));
    });

    it("keeps a subject's own compatibility level", async () => {
      const registry = new RegistryClient({ url: registryUrl });
      await registry.register('auto-forward-value', tradeSchema(1));
      await registry.setCompatibility('auto-forward-value', 'FORWARD');
      await openSerde(registryUrl, 'auto-forward-value', 2, log);
      expect(await registry.compatibility('auto-forward-value')).toBe('FORWARD');
      expect(await registry.versions('auto-forward-value')).toEqual([1, 2]);
    });

    it('explains a rejection: the field that breaks compatibility', async () => {
      const registry = new RegistryClient({ url: registryUrl });
      const v3 = JSON.parse(readFileSync(V3_FIXTURE, 'utf8')) as Record<string, unknown>;
      await registry.register('auto-rejected-value', v3);
      await registry.setCompatibility('auto-rejected-value', 'BACKWARD');
      const error = await rejection(openSerde(registryUrl, 'auto-rejected-value', 2, log));
      expect(error.code).toBe('INCOMPATIBLE_SCHEMA');
      expect(error.message).toMatch(/^v1 was rejected for auto-rejected-value: .*\bprice\b/);
      expect(await registry.versions('auto-rejected-value')).toEqual([1]);
    });
  });

  it('refuses a serde for a subject without the schema, saying how to register it', async () => {
    const error = await rejection(
      createTradeSerde({ registryUrl, subject: 'empty-value', schemaVersion: 2 }),
    );
    expect(error.code).toBe('UNKNOWN_SCHEMA_ID');
    expect(error.message).toMatch(/streamsoft schemas register/);
    expect((await rejection(createTradeSerde({ registryUrl, subject: 'empty-value' }))).code).toBe(
      'UNKNOWN_SCHEMA_ID',
    );
  });
});

describe('schemas CLI without a registry', () => {
  it('says the registry is unreachable in one line and exits 2', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`;
    const result = await streamsoft(['schemas', 'list', '--registry-url', url]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`schema registry at ${url} is unreachable`);
  });

  it('names a schema file that is not Avro and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamsoft-schemas-'));
    try {
      const file = join(dir, 'not-avro.avsc');
      writeFileSync(file, '{"type": "record", "name": "X", "fields": [{"name": "a", "type": "money"}]}');
      const result = await streamsoft(['schemas', 'check', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `schema file ${file} is not an Avro schema: undefined type name: money`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a bad flag and exits 2', async () => {
    const result = await streamsoft(['schemas', 'register', '--compatibility', 'SIDEWAYS']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--compatibility: must be one of/);
  });
});
