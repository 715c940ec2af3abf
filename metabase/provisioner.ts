// Provisions the dashboard spec into Metabase, idempotently: the Athena database connection, one native
// SQL question per card (its filters as template tags), the dashboard with its layout and filters (dashboard
// parameters mapped onto each card's template tags), and the drill-down dashboard that clicking a symbol
// opens; each matched by name and updated in place, so running it again changes what differs and
// duplicates nothing. Written against the REST API of Metabase v0.64 (the image infra pins,
// metabase/metabase:v0.64.2.2): docs/api (dashboard, card) and docs/questions/native-editor of that tag.
import { createHash } from 'node:crypto';
import { silentLogger, type Logger } from '../core/logger';
import { requiredTags, templateTags } from './card-sql';
import type { CardSpec, ColumnFormat, DashboardSpec, FilterSpec, Visualization } from './dashboard-spec';
import type { MetabaseApi } from './metabase-client';

export interface AthenaConnection {
  /** The Metabase database's display name, used to find it again. */
  name: string;
  region: string;
  workgroup: string;
  /** Query results location; optional when the workgroup enforces its own. */
  s3StagingDir?: string;
  catalog: string;
}

export interface ProvisionOptions {
  api: MetabaseApi;
  spec: DashboardSpec;
  athena: AthenaConnection;
  /** Collection for the cards and dashboard; the root collection when absent. */
  collectionId?: number;
  logger?: Logger;
}

export type Action = 'created' | 'updated';

export interface DashboardSummary {
  id: number;
  action: Action;
  dashcards: number;
}

export interface ProvisionSummary {
  database: { id: number; action: Action };
  cards: { key: string; id: number; action: Action }[];
  dashboard: DashboardSummary;
  drilldown?: DashboardSummary;
}

interface Named {
  id: number;
  name: string;
  archived?: boolean;
}

interface Dashcard {
  id: number;
  card_id: number | null;
}

/** Metabase answers some list endpoints with a bare array and newer ones with `{ data: [...] }`. */
function listOf<T>(answer: unknown): T[] {
  if (Array.isArray(answer)) return answer as T[];
  const data = (answer as { data?: unknown } | null)?.data;
  return Array.isArray(data) ? (data as T[]) : [];
}

function findByName<T extends Named>(items: T[], name: string): T | undefined {
  return items.find((item) => item.name === name && item.archived !== true);
}

export function athenaDatabaseBody(athena: AthenaConnection): Record<string, unknown> {
  const details: Record<string, unknown> = {
    region: athena.region,
    workgroup: athena.workgroup,
    catalog: athena.catalog,
  };
  // No access keys: Metabase on ECS reads Athena with its task role (the default credential chain).
  if (athena.s3StagingDir !== undefined) details['s3_staging_dir'] = athena.s3StagingDir;
  return { name: athena.name, engine: 'athena', details };
}

/** Metabase's display for a visualization: it has no candles, so those show as lines of their prices. */
export function metabaseDisplay(visualization: Visualization): string {
  return visualization.type === 'candlestick' ? 'line' : visualization.type;
}

/** Column formats as Metabase `column_settings`; a per-row currency has no Metabase setting (the column shows). */
function columnSettings(columns: Record<string, ColumnFormat>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [name, format] of Object.entries(columns)) {
    const key = JSON.stringify(['name', name]);
    if ('currency' in format) settings[key] = { number_style: 'currency', currency: format.currency };
    if ('percent' in format) settings[key] = { suffix: ' %' };
  }
  return settings;
}

export function visualizationSettings(
  visualization: Visualization,
  columns: Record<string, ColumnFormat> = {},
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const formats = columnSettings(columns);
  if (Object.keys(formats).length > 0) settings['column_settings'] = formats;
  switch (visualization.type) {
    case 'table':
      return settings;
    case 'scalar':
      return { ...settings, 'scalar.field': visualization.y[0] };
    case 'candlestick':
      return {
        ...settings,
        'graph.dimensions': [visualization.x],
        'graph.metrics': [
          visualization.open,
          visualization.high,
          visualization.low,
          visualization.close,
          ...visualization.overlay,
        ],
        'graph.x_axis.title_text': visualization.x,
      };
    case 'line':
    case 'bar': {
      const dimensions =
        visualization.series === undefined ? [visualization.x] : [visualization.x, visualization.series];
      Object.assign(settings, {
        'graph.dimensions': dimensions,
        'graph.metrics': visualization.y,
        'graph.x_axis.title_text': visualization.x,
      });
      if (visualization.yTitle !== undefined) settings['graph.y_axis.title_text'] = visualization.yTitle;
      if (visualization.stacked) settings['stackable.stack_type'] = 'stacked';
      return settings;
    }
  }
}

/** A stable UUID-shaped id for a card's template tag, so re-provisioning keeps the parameter wiring. */
function templateTagId(cardId: string, tag: string): string {
  const hex = createHash('sha256').update(`${cardId}/${tag}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The widget type of a filter: text variables take "category", number variables "number/=". */
function parameterType(filter: FilterSpec): { type: string; sectionId: string } {
  return filter.type === 'text'
    ? { type: 'category', sectionId: 'string' }
    : { type: 'number/=', sectionId: 'number' };
}

function filtersOf(card: CardSpec, filters: FilterSpec[]): FilterSpec[] {
  const tags = templateTags(card.sql);
  return tags.map((tag) => {
    const filter = filters.find((f) => f.id === tag);
    if (filter === undefined) throw new Error(`card ${card.id}: {{${tag}}} is not a filter`);
    return filter;
  });
}

/**
 * The card's template tags (`dataset_query.native.template-tags`): one variable per `{{name}}`, typed as its
 * filter; a tag outside every optional `[[ ]]` clause is required.
 */
export function templateTagsOf(
  card: CardSpec,
  filters: FilterSpec[],
): Record<string, Record<string, unknown>> {
  const required = new Set(requiredTags(card.sql));
  return Object.fromEntries(
    filtersOf(card, filters).map((filter) => [
      filter.id,
      {
        id: templateTagId(card.id, filter.id),
        name: filter.id,
        'display-name': filter.title,
        type: filter.type,
        required: required.has(filter.id),
      },
    ]),
  );
}

/** The target a parameter maps to: a basic (non-field-filter) variable is `["variable", ["template-tag", name]]`. */
function variableTarget(tag: string): unknown[] {
  return ['variable', ['template-tag', tag]];
}

export function cardBody(
  card: CardSpec,
  databaseId: number,
  collectionId?: number,
  filters: FilterSpec[] = [],
): Record<string, unknown> {
  const tags = templateTagsOf(card, filters);
  return {
    name: card.title,
    description: card.description,
    display: metabaseDisplay(card.visualization),
    visualization_settings: visualizationSettings(card.visualization, card.columns),
    dataset_query: {
      type: 'native',
      database: databaseId,
      native: { query: card.sql, 'template-tags': tags },
    },
    parameters: filtersOf(card, filters).map((filter) => ({
      id: tags[filter.id]?.['id'],
      name: filter.title,
      slug: filter.id,
      type: parameterType(filter).type,
      target: variableTarget(filter.id),
    })),
    collection_id: collectionId ?? null,
  };
}

/** Dashboard parameters for the filters the cards use, in the spec's order. */
export function dashboardParameters(cards: CardSpec[], filters: FilterSpec[]): Record<string, unknown>[] {
  const used = new Set(cards.flatMap((card) => templateTags(card.sql)));
  return filters
    .filter((filter) => used.has(filter.id))
    .map((filter) => {
      const parameter: Record<string, unknown> = {
        id: filter.id,
        name: filter.title,
        slug: filter.id,
        ...parameterType(filter),
      };
      if (filter.type === 'number') {
        parameter['default'] = [filter.default];
        parameter['values_query_type'] = 'list';
        parameter['values_source_type'] = 'static-list';
        parameter['values_source_config'] = { values: filter.choices.map((c) => [c.value, c.label]) };
      }
      return parameter;
    });
}

/** Clicking a value of `column` opens the drill-down dashboard with its filter set to that value. */
function drilldownClick(column: string, filter: string, dashboardId: number): Record<string, unknown> {
  return {
    type: 'link',
    linkType: 'dashboard',
    targetId: dashboardId,
    parameterMapping: {
      [filter]: {
        id: filter,
        source: { type: 'column', id: column, name: column },
        target: { type: 'parameter', id: filter },
      },
    },
  };
}

function dashcardClickSettings(
  card: CardSpec,
  drilldown: { column: string; filter: string; dashboardId: number } | undefined,
): Record<string, unknown> {
  if (drilldown === undefined) return {};
  const click = drilldownClick(drilldown.column, drilldown.filter, drilldown.dashboardId);
  const vis = card.visualization;
  if ((vis.type === 'line' || vis.type === 'bar') && vis.series === drilldown.column)
    return { click_behavior: click };
  if (vis.type === 'table' && new RegExp(`\\b${drilldown.column}\\b`).test(card.sql))
    return { column_settings: { [JSON.stringify(['name', drilldown.column])]: { click_behavior: click } } };
  return {};
}

export async function provisionDashboard(options: ProvisionOptions): Promise<ProvisionSummary> {
  const { api, spec, athena } = options;
  const log = options.logger ?? silentLogger;

  const databases = listOf<Named>(await api.get('/api/database'));
  const existingDb = findByName(databases, athena.name);
  const dbBody = athenaDatabaseBody(athena);
  const database = existingDb
    ? { id: (await api.put<Named>(`/api/database/${existingDb.id}`, dbBody)).id, action: 'updated' as const }
    : { id: (await api.post<Named>('/api/database', dbBody)).id, action: 'created' as const };
  log.info({ database: athena.name, ...database }, 'Athena database');

  const existingCards = listOf<Named>(await api.get('/api/card?f=all'));
  const cards: ProvisionSummary['cards'] = [];
  const cardIds = new Map<string, number>();
  for (const card of [...spec.cards, ...(spec.drilldown?.cards ?? [])]) {
    const body = cardBody(card, database.id, options.collectionId, spec.filters);
    const existing = findByName(existingCards, card.title);
    const saved = existing
      ? { id: (await api.put<Named>(`/api/card/${existing.id}`, body)).id, action: 'updated' as const }
      : { id: (await api.post<Named>('/api/card', body)).id, action: 'created' as const };
    cards.push({ key: card.id, ...saved });
    cardIds.set(card.id, saved.id);
    log.info({ card: card.title, ...saved }, 'card');
  }

  const layout = { api, spec, cardIds, collectionId: options.collectionId };
  let drilldown: DashboardSummary | undefined;
  if (spec.drilldown !== undefined) {
    const { name, description, cards: drillCards } = spec.drilldown;
    drilldown = await provisionLayout(layout, { name, description, cards: drillCards });
    log.info({ dashboard: name, ...drilldown }, 'drill-down dashboard');
  }
  const dashboard = await provisionLayout(layout, {
    name: spec.name,
    description: spec.description,
    cards: spec.cards,
    drilldown:
      spec.drilldown === undefined || drilldown === undefined
        ? undefined
        : { column: spec.drilldown.column, filter: spec.drilldown.filter, dashboardId: drilldown.id },
  });
  log.info({ dashboard: spec.name, ...dashboard }, 'dashboard');
  return drilldown === undefined ? { database, cards, dashboard } : { database, cards, dashboard, drilldown };
}

interface LayoutContext {
  api: MetabaseApi;
  spec: DashboardSpec;
  cardIds: Map<string, number>;
  collectionId?: number;
}

interface LayoutTarget {
  name: string;
  description: string;
  cards: CardSpec[];
  drilldown?: { column: string; filter: string; dashboardId: number };
}

/** Finds or creates the dashboard named `target.name` and sets its parameters and dashcards. */
async function provisionLayout(context: LayoutContext, target: LayoutTarget): Promise<DashboardSummary> {
  const { api, spec, cardIds } = context;
  const found = listOf<Named & { model?: string }>(
    await api.get(`/api/search?models=dashboard&q=${encodeURIComponent(target.name)}`),
  ).filter((item) => item.model === undefined || item.model === 'dashboard');
  const existingDashboard = findByName(found, target.name);
  const dashboardId = existingDashboard
    ? existingDashboard.id
    : (
        await api.post<Named>('/api/dashboard', {
          name: target.name,
          description: target.description,
          collection_id: context.collectionId ?? null,
        })
      ).id;
  const current = await api.get<{ dashcards?: Dashcard[] }>(`/api/dashboard/${dashboardId}`);
  const dashcardIdByCard = new Map((current.dashcards ?? []).map((d) => [d.card_id, d.id]));
  const parameters = dashboardParameters(target.cards, spec.filters);
  const parameterIds = new Set(parameters.map((p) => p['id']));
  // PUT with `dashcards` replaces the whole layout: existing dashcards keep their ids, new ones get
  // negative placeholder ids, and any dashcard not listed is removed. Each dashcard maps every dashboard
  // parameter its card's SQL uses onto that template tag.
  const dashcards = target.cards.map((card, index) => {
    const cardId = cardIds.get(card.id) ?? 0;
    return {
      id: dashcardIdByCard.get(cardId) ?? -(index + 1),
      card_id: cardId,
      row: card.layout.row,
      col: card.layout.col,
      size_x: card.layout.sizeX,
      size_y: card.layout.sizeY,
      parameter_mappings: templateTags(card.sql)
        .filter((tag) => parameterIds.has(tag))
        .map((tag) => ({ parameter_id: tag, card_id: cardId, target: variableTarget(tag) })),
      visualization_settings: dashcardClickSettings(card, target.drilldown),
      series: [],
    };
  });
  await api.put(`/api/dashboard/${dashboardId}`, {
    name: target.name,
    description: target.description,
    parameters,
    dashcards,
  });
  return {
    id: dashboardId,
    action: existingDashboard ? 'updated' : 'created',
    dashcards: dashcards.length,
  };
}
