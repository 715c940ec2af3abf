// Provisions the dashboard spec into Metabase, idempotently: the Athena database connection, one native
// SQL question per card and the dashboard with its layout, each matched by name and updated in place, so
// running it again changes what differs and duplicates nothing.
import { silentLogger, type Logger } from '../core/logger';
import type { CardSpec, DashboardSpec, Visualization } from './dashboard-spec';
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

export interface ProvisionSummary {
  database: { id: number; action: Action };
  cards: { key: string; id: number; action: Action }[];
  dashboard: { id: number; action: Action; dashcards: number };
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

export function visualizationSettings(visualization: Visualization): Record<string, unknown> {
  switch (visualization.type) {
    case 'table':
      return {};
    case 'scalar':
      return { 'scalar.field': visualization.y[0] };
    case 'line':
    case 'bar': {
      const dimensions =
        visualization.series === undefined ? [visualization.x] : [visualization.x, visualization.series];
      const settings: Record<string, unknown> = {
        'graph.dimensions': dimensions,
        'graph.metrics': visualization.y,
        'graph.x_axis.title_text': visualization.x,
      };
      if (visualization.stacked) settings['stackable.stack_type'] = 'stacked';
      return settings;
    }
  }
}

export function cardBody(card: CardSpec, databaseId: number, collectionId?: number): Record<string, unknown> {
  return {
    name: card.title,
    description: card.description,
    display: card.visualization.type,
    visualization_settings: visualizationSettings(card.visualization),
    dataset_query: {
      type: 'native',
      database: databaseId,
      native: { query: card.sql, 'template-tags': {} },
    },
    collection_id: collectionId ?? null,
  };
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
  for (const card of spec.cards) {
    const body = cardBody(card, database.id, options.collectionId);
    const existing = findByName(existingCards, card.title);
    const saved = existing
      ? { id: (await api.put<Named>(`/api/card/${existing.id}`, body)).id, action: 'updated' as const }
      : { id: (await api.post<Named>('/api/card', body)).id, action: 'created' as const };
    cards.push({ key: card.id, ...saved });
    log.info({ card: card.title, ...saved }, 'card');
  }

  const found = listOf<Named & { model?: string }>(
    await api.get(`/api/search?models=dashboard&q=${encodeURIComponent(spec.name)}`),
  ).filter((item) => item.model === undefined || item.model === 'dashboard');
  const existingDashboard = findByName(found, spec.name);
  const dashboardId = existingDashboard
    ? existingDashboard.id
    : (
        await api.post<Named>('/api/dashboard', {
          name: spec.name,
          description: spec.description,
          collection_id: options.collectionId ?? null,
        })
      ).id;
  const current = await api.get<{ dashcards?: Dashcard[] }>(`/api/dashboard/${dashboardId}`);
  const dashcardIdByCard = new Map((current.dashcards ?? []).map((d) => [d.card_id, d.id]));
  // PUT with `dashcards` replaces the whole layout: existing dashcards keep their ids, new ones get
  // negative placeholder ids, and any dashcard not listed is removed.
  const dashcards = spec.cards.map((card, index) => {
    const cardId = cards[index]?.id ?? 0;
    return {
      id: dashcardIdByCard.get(cardId) ?? -(index + 1),
      card_id: cardId,
      row: card.layout.row,
      col: card.layout.col,
      size_x: card.layout.sizeX,
      size_y: card.layout.sizeY,
      parameter_mappings: [],
      visualization_settings: {},
      series: [],
    };
  });
  await api.put(`/api/dashboard/${dashboardId}`, {
    name: spec.name,
    description: spec.description,
    dashcards,
  });
  const dashboard = {
    id: dashboardId,
    action: existingDashboard ? ('updated' as const) : ('created' as const),
    dashcards: dashcards.length,
  };
  log.info({ dashboard: spec.name, ...dashboard }, 'dashboard');
  return { database, cards, dashboard };
}
