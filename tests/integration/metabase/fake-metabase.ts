// A fake Metabase for contract tests: the documented endpoints the provisioner uses, with the request and
// response shapes of Metabase's REST API as of v0.64 (the pinned image; dashboards take their cards as
// `dashcards` on PUT since v0.47), in memory, recording every request. Native questions must declare a
// template tag for every `{{name}}` in their SQL (docs/questions/native-editor/basic-sql-parameters.md), and
// a dashcard's parameter mappings must name a dashboard parameter and one of its card's template tags as
// `["variable", ["template-tag", name]]`. Metabase itself cannot run here, so this is the contract.
//
// Dashboard and card bodies are checked against the request schemas in Metabase's source of the v0.64 era
// (src/metabase/dashboards_rest/api.clj: POST "/" and DashUpdates with UpdatedDashboardCard, both
// `{:closed true}`; src/metabase/parameters/schema.cljc: ::parameter and ::parameter-mapping; the card keys as in
// the generated reference frontend/src/scripting/core-api/docs/ApiCard*Request.md). Metabase's request
// decoder drops a key its schema does not declare (src/metabase/api/macros.clj, decode-transformer), so a
// misspelled field would be lost without an error there; the fake rejects it instead, so a test sees it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Request bodies are untyped JSON; the fake checks the fields it needs with `require`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonBody = any;

export interface RecordedRequest {
  method: string;
  path: string;
  body: JsonBody;
}

interface Entity {
  id: number;
  name: string;
  archived: boolean;
  [key: string]: unknown;
}

export interface FakeMetabase {
  url: string;
  requests: RecordedRequest[];
  databases: Entity[];
  cards: Entity[];
  dashboards: Entity[];
  close(): Promise<void>;
}

const SESSION = 'session-1234';

/** The keys each request map may carry in Metabase v0.64 (see the header). */
const DECLARED = {
  dashboardPost: ['name', 'description', 'parameters', 'cache_ttl', 'collection_id', 'collection_position'],
  dashboardPut: [
    'name',
    'description',
    'caveats',
    'points_of_interest',
    'show_in_getting_started',
    'enable_embedding',
    'embedding_type',
    'embedding_params',
    'parameters',
    'position',
    'width',
    'archived',
    'auto_apply_filters',
    'collection_id',
    'collection_position',
    'cache_ttl',
    'dashcards',
    'tabs',
  ],
  dashcard: [
    'id',
    'size_x',
    'size_y',
    'row',
    'col',
    'card_id',
    'action_id',
    'dashboard_tab_id',
    'parameter_mappings',
    'visualization_settings',
    'inline_parameters',
    'series',
  ],
  parameter: [
    'default',
    'filteringParameters',
    'id',
    'mappings',
    'name',
    'sectionId',
    'slug',
    'target',
    'temporal_units',
    'type',
    'values_query_type',
    'values_source_config',
    'values_source_type',
  ],
  parameterMapping: ['parameter_id', 'target', 'card_id', 'dashcard'],
  // POST /api/card; PUT /api/card/:id takes the same but entity_id and parameter_mappings, plus these last four.
  cardPost: [
    'name',
    'type',
    'dataset_query',
    'parameters',
    'parameter_mappings',
    'description',
    'display',
    'visualization_settings',
    'collection_id',
    'collection_position',
    'result_metadata',
    'cache_ttl',
    'dashboard_id',
    'dashboard_tab_id',
    'entity_id',
  ],
  cardPutOnly: ['archived', 'enable_embedding', 'embedding_params', 'collection_preview'],
} as const;
const CARD_PUT = [
  ...DECLARED.cardPost.filter((k) => k !== 'entity_id' && k !== 'parameter_mappings'),
  ...DECLARED.cardPutOnly,
];

export async function startFakeMetabase(user: string, password: string): Promise<FakeMetabase> {
  let nextId = 1;
  let nextDashcardId = 100;
  const state = {
    requests: [] as RecordedRequest[],
    databases: [] as Entity[],
    cards: [] as Entity[],
    dashboards: [] as Entity[],
  };

  const fail = (res: http.ServerResponse, status: number, message: string): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message }));
  };
  const ok = (res: http.ServerResponse, value: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const require = (condition: boolean, what: string): void => {
    if (!condition) throw Object.assign(new Error(what), { status: 400 });
  };
  const declaredOnly = (value: JsonBody, keys: readonly string[], what: string): void => {
    const unknown = Object.keys(value ?? {}).filter((k) => !keys.includes(k));
    require(unknown.length ===
      0, `${what}: ${unknown.join(', ')} not in Metabase's schema (it would drop them)`);
  };
  const checkParameters = (parameters: JsonBody): void => {
    for (const p of parameters ?? []) {
      declaredOnly(p, DECLARED.parameter, 'parameter');
      require(['id', 'name', 'slug', 'type'].every(
        (k) => typeof p[k] === 'string' && p[k] !== '',
      ), 'parameters need id, name, slug, type');
      if (p.values_source_type !== undefined)
        require(['static-list', 'card'].includes(
          p.values_source_type,
        ), 'values_source_type: static-list or card');
      if (p.values_query_type !== undefined)
        require(['none', 'list', 'search'].includes(
          p.values_query_type,
        ), 'values_query_type: none, list or search');
    }
  };
  const byId = (list: Entity[], id: string | undefined): Entity => {
    const found = list.find((e) => e.id === Number(id));
    if (found === undefined) throw Object.assign(new Error('Not found.'), { status: 404 });
    return found;
  };

  const checkTemplateTags = (body: JsonBody): void => {
    const native = body.dataset_query.native;
    const tags = native['template-tags'] ?? {};
    for (const [, name] of (native.query as string).matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
      const tag = tags[name as string];
      require(tag !== undefined, `template tag ${name} is not declared`);
      require(tag.name === name &&
        typeof tag.id === 'string' &&
        typeof tag['display-name'] === 'string', `template tag ${name} needs id, name, display-name`);
      require(['text', 'number', 'date'].includes(
        tag.type,
      ), `template tag ${name}: unknown type ${tag.type}`);
    }
  };

  const route = (method: string, url: URL, body: JsonBody, res: http.ServerResponse): void => {
    const p = url.pathname.replace(/\/$/, '');
    let m: RegExpExecArray | null;
    if (method === 'GET' && p === '/api/database')
      return ok(res, { data: state.databases, total: state.databases.length });
    if (method === 'POST' && p === '/api/database') {
      require(typeof body.name === 'string' &&
        typeof body.engine === 'string' &&
        typeof body.details === 'object', 'name, engine and details are required');
      const db = { id: nextId++, archived: false, ...body };
      state.databases.push(db);
      return ok(res, db);
    }
    if (method === 'PUT' && (m = /^\/api\/database\/(\d+)$/.exec(p))) {
      const db = byId(state.databases, m[1]);
      Object.assign(db, body);
      return ok(res, db);
    }
    if (method === 'GET' && p === '/api/card') {
      require(url.searchParams.get('f') === 'all', 'expected f=all');
      return ok(res, state.cards);
    }
    if (method === 'POST' && p === '/api/card') {
      declaredOnly(body, DECLARED.cardPost, 'POST /api/card');
      checkParameters(body.parameters);
      require(typeof body.name === 'string', 'name is required');
      require(typeof body.display === 'string', 'display is required');
      require(typeof body.visualization_settings === 'object', 'visualization_settings is required');
      const q = body.dataset_query;
      require(q?.type === 'native' &&
        typeof q.native?.query === 'string', 'dataset_query must be a native query');
      require(state.databases.some((d) => d.id === q.database), 'dataset_query.database must exist');
      checkTemplateTags(body);
      const card = { id: nextId++, archived: false, ...body };
      state.cards.push(card);
      return ok(res, card);
    }
    if (method === 'PUT' && (m = /^\/api\/card\/(\d+)$/.exec(p))) {
      const card = byId(state.cards, m[1]);
      declaredOnly(body, CARD_PUT, 'PUT /api/card/:id');
      checkParameters(body.parameters);
      if (body.dataset_query !== undefined) checkTemplateTags(body);
      Object.assign(card, body);
      return ok(res, card);
    }
    if (method === 'GET' && p === '/api/search') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const models = url.searchParams.getAll('models');
      const hits =
        models.includes('dashboard') || models.length === 0
          ? state.dashboards
              .filter((d) => d.name.toLowerCase().includes(q))
              .map((d) => ({ ...d, model: 'dashboard' }))
          : [];
      return ok(res, { data: hits, total: hits.length });
    }
    if (method === 'POST' && p === '/api/dashboard') {
      declaredOnly(body, DECLARED.dashboardPost, 'POST /api/dashboard');
      require(typeof body.name === 'string' && body.name.trim() !== '', 'name is required');
      checkParameters(body.parameters);
      const dashboard = { id: nextId++, archived: false, dashcards: [], ...body };
      state.dashboards.push(dashboard);
      return ok(res, dashboard);
    }
    if (method === 'GET' && (m = /^\/api\/dashboard\/(\d+)$/.exec(p)))
      return ok(res, byId(state.dashboards, m[1]));
    if (method === 'PUT' && (m = /^\/api\/dashboard\/(\d+)$/.exec(p))) {
      const dashboard = byId(state.dashboards, m[1]);
      declaredOnly(body, DECLARED.dashboardPut, 'PUT /api/dashboard/:id');
      checkParameters(body.parameters);
      const { dashcards, ...rest } = body;
      const parameters = (rest.parameters ?? dashboard.parameters ?? []) as { id: string }[];
      if (dashcards !== undefined) {
        const existing = new Set((dashboard.dashcards as { id: number }[]).map((d) => d.id));
        const ids = (dashcards as { id: number }[]).map((d) => d.id);
        require(new Set(ids).size === ids.length, 'dashcard ids must be unique');
        for (const d of dashcards) {
          declaredOnly(d, DECLARED.dashcard, `dashcard ${d.id}`);
          require(Number.isInteger(d.id), 'a dashcard needs an integer id');
          require(d.id < 0 || existing.has(d.id), `dashcard ${d.id} is not on this dashboard`);
          require(state.cards.some((c) => c.id === d.card_id), `card ${d.card_id} does not exist`);
          require([d.row, d.col].every((n) => Number.isInteger(n) && n >= 0) &&
            [d.size_x, d.size_y].every(
              (n) => Number.isInteger(n) && n > 0,
            ), 'row and col (integers >= 0), size_x and size_y (integers > 0) are required');
          for (const s of d.series ?? []) declaredOnly(s, ['id'], `dashcard ${d.id} series`);
          const card = state.cards.find((c) => c.id === d.card_id) as JsonBody;
          const tags = card.dataset_query.native['template-tags'];
          for (const mapping of d.parameter_mappings ?? []) {
            declaredOnly(mapping, DECLARED.parameterMapping, `dashcard ${d.id} parameter mapping`);
            require(parameters.some(
              (p) => p.id === mapping.parameter_id,
            ), `no dashboard parameter ${mapping.parameter_id}`);
            require(mapping.card_id === d.card_id, "a mapping names its dashcard's card");
            const [kind, [tagKind, tag]] = mapping.target;
            require(kind === 'variable' &&
              tagKind === 'template-tag' &&
              tags[tag] !==
                undefined, `card ${d.card_id} has no template tag ${JSON.stringify(mapping.target)}`);
          }
        }
        // Metabase replaces the layout: listed dashcards are kept or created, others deleted.
        Object.assign(dashboard, rest);
        dashboard.dashcards = dashcards.map((d: { id: number }) => ({
          ...d,
          id: d.id < 0 ? nextDashcardId++ : d.id,
        }));
      } else Object.assign(dashboard, rest);
      return ok(res, dashboard);
    }
    fail(res, 404, `API endpoint does not exist: ${method} ${p}`);
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = raw === '' ? undefined : JSON.parse(raw);
      state.requests.push({ method: req.method ?? '', path: url.pathname + url.search, body });
      try {
        if (req.method === 'POST' && url.pathname === '/api/session') {
          if (body?.username === user && body?.password === password) return ok(res, { id: SESSION });
          return fail(res, 401, 'Password did not match stored password.');
        }
        if (req.headers['x-metabase-session'] !== SESSION) return fail(res, 401, 'Unauthenticated');
        route(req.method ?? '', url, body, res);
      } catch (error) {
        const status = (error as { status?: number }).status ?? 500;
        fail(res, status, (error as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ...state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
