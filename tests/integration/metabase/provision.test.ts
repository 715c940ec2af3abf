// Contract test of `streamsoft metabase provision` against a fake Metabase that implements the documented
// endpoints: what is created on the first run, and that a second run updates in place, duplicating nothing.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../core/paths';
import { loadDashboardSpec } from '../../../metabase/dashboard-spec';
import { MetabaseApiError, MetabaseClient } from '../../../metabase/metabase-client';
import { provisionDashboard, type AthenaConnection } from '../../../metabase/provisioner';
import { startFakeMetabase, type FakeMetabase } from './fake-metabase';

const run = promisify(execFile);
const spec = loadDashboardSpec();
const athena: AthenaConnection = {
  name: 'StreamSoft lake',
  region: 'eu-west-1',
  workgroup: 'streamsoft',
  catalog: 'AwsDataCatalog',
};

let metabase: FakeMetabase;
beforeEach(async () => {
  metabase = await startFakeMetabase('admin@example.com', 's3cret');
});
afterEach(() => metabase.close());

const writes = (fake: FakeMetabase) =>
  fake.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path.replace(/\d+/g, ':id')}`);

test('first run creates the Athena connection, one native question per card and the laid-out dashboard', async () => {
  const api = await MetabaseClient.login(metabase.url, { user: 'admin@example.com', password: 's3cret' });
  const summary = await provisionDashboard({ api, spec, athena });

  expect(metabase.databases).toHaveLength(1);
  expect(metabase.databases[0]).toMatchObject({
    name: 'StreamSoft lake',
    engine: 'athena',
    details: { region: 'eu-west-1', workgroup: 'streamsoft', catalog: 'AwsDataCatalog' },
  });
  expect(metabase.cards.map((c) => c.name)).toEqual(spec.cards.map((c) => c.title));
  for (const [i, c] of spec.cards.entries()) {
    expect(metabase.cards[i]).toMatchObject({
      display: c.visualization.type,
      dataset_query: { type: 'native', database: summary.database.id, native: { query: c.sql } },
    });
  }
  const exchange = metabase.cards.find((c) => c.name.startsWith('Purchases and sales'));
  expect(exchange?.visualization_settings).toEqual({
    'graph.dimensions': ['exchange'],
    'graph.metrics': ['purchases', 'sales'],
    'graph.x_axis.title_text': 'exchange',
    'stackable.stack_type': 'stacked',
  });
  expect(metabase.dashboards).toHaveLength(1);
  const dashcards = metabase.dashboards[0]?.dashcards as Record<string, number>[];
  expect(dashcards.map((d) => [d.card_id, d.row, d.col, d.size_x, d.size_y])).toEqual(
    spec.cards.map((c, i) => [
      metabase.cards[i]?.id,
      c.layout.row,
      c.layout.col,
      c.layout.sizeX,
      c.layout.sizeY,
    ]),
  );
  expect(summary.dashboard).toEqual({
    id: metabase.dashboards[0]?.id,
    action: 'created',
    dashcards: spec.cards.length,
  });
  expect(writes(metabase)).toEqual([
    'POST /api/session',
    'POST /api/database',
    ...spec.cards.map(() => 'POST /api/card'),
    'POST /api/dashboard',
    'PUT /api/dashboard/:id',
  ]);
});

test('a second run updates everything in place: same ids, no duplicates, dashcards kept', async () => {
  const api = await MetabaseClient.login(metabase.url, { user: 'admin@example.com', password: 's3cret' });
  const first = await provisionDashboard({ api, spec, athena });
  const dashcardIds = (metabase.dashboards[0]?.dashcards as { id: number }[]).map((d) => d.id);
  metabase.requests.length = 0;

  const changed = {
    ...spec,
    cards: spec.cards.map((c, i) => (i === 0 ? { ...c, sql: c.sql + ' LIMIT 500' } : c)),
  };
  const second = await provisionDashboard({ api, spec: changed, athena: { ...athena, workgroup: 'other' } });

  expect(metabase.databases).toHaveLength(1);
  expect(metabase.cards).toHaveLength(spec.cards.length);
  expect(metabase.dashboards).toHaveLength(1);
  expect(second.database).toEqual({ id: first.database.id, action: 'updated' });
  expect(second.cards.map((c) => c.id)).toEqual(first.cards.map((c) => c.id));
  expect(second.cards.every((c) => c.action === 'updated')).toBe(true);
  expect(second.dashboard).toMatchObject({ id: first.dashboard.id, action: 'updated' });
  expect((metabase.dashboards[0]?.dashcards as { id: number }[]).map((d) => d.id)).toEqual(dashcardIds);
  expect(metabase.databases[0]).toMatchObject({ details: { workgroup: 'other' } });
  expect((metabase.cards[0]?.dataset_query as { native: { query: string } }).native.query).toMatch(
    /LIMIT 500$/,
  );
  expect(writes(metabase).filter((w) => w.startsWith('POST'))).toEqual([]);
});

test('wrong credentials are a clear error naming the endpoint and status', async () => {
  const login = MetabaseClient.login(metabase.url, { user: 'admin@example.com', password: 'wrong' });
  await expect(login).rejects.toThrow(MetabaseApiError);
  await expect(login).rejects.toThrow(/POST \/api\/session failed with HTTP 401: Password did not match/);
});

test('the CLI provisions idempotently and reports what it did as JSON', async () => {
  const args = [
    path.join(REPO_ROOT, 'bin', 'streamsoft.js'),
    'metabase',
    'provision',
    '--url',
    metabase.url,
    '--user',
    'admin@example.com',
    '--region',
    'eu-west-1',
    '--json',
  ];
  const env = { ...process.env, STREAMSOFT_PASSWORD: 's3cret' };
  const first = JSON.parse((await run(process.execPath, args, { env })).stdout);
  const second = JSON.parse((await run(process.execPath, args, { env })).stdout);

  expect(first.dashboard.action).toBe('created');
  expect(second.dashboard).toEqual({ ...first.dashboard, action: 'updated' });
  expect(metabase.cards).toHaveLength(spec.cards.length);
  expect(metabase.dashboards).toHaveLength(1);
});

test('the CLI refuses to run without a password source, exit 2', async () => {
  const args = [
    path.join(REPO_ROOT, 'bin', 'streamsoft.js'),
    'metabase',
    'provision',
    '--url',
    metabase.url,
    '--user',
    'a',
    '--region',
    'eu-west-1',
  ];
  const failed = await run(process.execPath, args).catch((error: { code: number; stderr: string }) => error);
  expect(failed).toMatchObject({ code: 2 });
  expect((failed as { stderr: string }).stderr).toMatch(
    /--password: give exactly one of --password or --password-secret/,
  );
});
