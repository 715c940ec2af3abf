// The dashboard spec, one source of truth for both worlds: the local dashboard renders it from DuckDB and
// the provisioner turns it into Metabase cards over Athena. Its SQL keeps to what DuckDB and Trino share.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors';
import { requiredTags, templateTags } from './card-sql';

export const DASHBOARD_SPEC_FILE = path.join(__dirname, 'dashboard.json');

const column = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case column name');

const visualizationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('table') }),
  z.object({ type: z.literal('scalar'), y: z.tuple([column]) }),
  z
    .object({
      type: z.enum(['line', 'bar']),
      x: column,
      y: z.array(column).min(1),
      /** A column whose values split one metric into one line/bar per value (Metabase's breakout). */
      series: column.optional(),
      stacked: z.boolean().default(false),
      /** Axis title; the y columns' names when absent. */
      yTitle: z.string().min(1).optional(),
      /** Columns shown in the tooltip next to each point's value, e.g. the unindexed price. */
      tooltip: z.array(column).default([]),
    })
    .refine((v) => v.series === undefined || v.y.length === 1, {
      message: 'a chart with series shows exactly one y column',
    }),
  /** Candles (OHLC per x) with optional lines drawn over them, e.g. VWAP. */
  z.object({
    type: z.literal('candlestick'),
    x: column,
    open: column,
    high: column,
    low: column,
    close: column,
    overlay: z.array(column).default([]),
  }),
]);

/** How a column's numbers read: money in a fixed currency or in the currency a row names, or a percent. */
const columnFormatSchema = z.union([
  z.object({ currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code') }).strict(),
  z.object({ currencyColumn: column }).strict(),
  z.object({ percent: z.literal(true) }).strict(),
]);

const cardSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a snake_case id'),
  title: z.string().min(1),
  description: z.string().min(1),
  tables: z.array(z.string().regex(/^(bronze|silver|gold)\.[a-z0-9_]+$/)).min(1),
  sql: z
    .string()
    .min(1)
    .refine((sql) => !sql.includes('::'), { message: 'use CAST(... AS ...): Trino has no :: casts' })
    .refine((sql) => !sql.trim().endsWith(';'), { message: 'must not end with a semicolon' }),
  visualization: visualizationSchema,
  /** The column holding each row's time: the tile shows how old the newest one is. */
  timeColumn: column,
  columns: z.record(column, columnFormatSchema).default({}),
  /** Position on Metabase's 24-column grid. */
  layout: z.object({
    row: z.number().int().min(0),
    col: z.number().int().min(0).max(23),
    sizeX: z.number().int().min(1).max(24),
    sizeY: z.number().int().min(1),
  }),
});

/**
 * A dashboard filter: a Metabase dashboard parameter, and a control on the local page. Cards use it as the
 * template tag `{{id}}` (see card-sql.ts).
 */
const filterSchema = z.discriminatedUnion('type', [
  z.object({
    id: column,
    title: z.string().min(1),
    type: z.literal('text'),
    /** Lists the values to choose from on the local page; one column, one row per value. */
    valuesSql: z.string().min(1),
  }),
  z.object({
    id: column,
    title: z.string().min(1),
    type: z.literal('number'),
    default: z.number().positive(),
    choices: z.array(z.object({ value: z.number().positive(), label: z.string().min(1) })).min(1),
  }),
]);

const cardsSchema = z
  .array(cardSchema)
  .min(1)
  .refine((cards) => cards.every((c) => c.layout.col + c.layout.sizeX <= 24), {
    message: 'every card must fit the 24-column grid',
  });

export const dashboardSpecSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().min(1),
    refreshSeconds: z.number().int().min(1),
    filters: z.array(filterSchema).default([]),
    cards: cardsSchema,
    /** A view per value of one column (a symbol): clicking that value on the dashboard opens it. */
    drilldown: z
      .object({
        column,
        /** The filter its cards require, set to the clicked value. */
        filter: column,
        name: z.string().min(1),
        description: z.string().min(1),
        cards: cardsSchema,
      })
      .optional(),
  })
  .superRefine((spec, ctx) => {
    const all = [...spec.cards, ...(spec.drilldown?.cards ?? [])];
    if (new Set(all.map((c) => c.id)).size !== all.length)
      ctx.addIssue({ code: 'custom', path: ['cards'], message: 'card ids must be unique' });
    const filters = new Set(spec.filters.map((f) => f.id));
    if (filters.size !== spec.filters.length)
      ctx.addIssue({ code: 'custom', path: ['filters'], message: 'filter ids must be unique' });
    if (spec.drilldown !== undefined && !filters.has(spec.drilldown.filter))
      ctx.addIssue({ code: 'custom', path: ['drilldown', 'filter'], message: 'must be one of the filters' });
    const check = (cards: CardShape[], where: 'cards' | 'drilldown', required: Set<string>): void =>
      cards.forEach((card, i) => {
        const path = where === 'cards' ? ['cards', i, 'sql'] : ['drilldown', 'cards', i, 'sql'];
        for (const tag of templateTags(card.sql))
          if (!filters.has(tag))
            ctx.addIssue({ code: 'custom', path, message: `{{${tag}}} is not a filter` });
        for (const tag of requiredTags(card.sql))
          if (!required.has(tag))
            ctx.addIssue({
              code: 'custom',
              path,
              message: `{{${tag}}} must be inside an optional [[ ]] clause`,
            });
      });
    check(spec.cards, 'cards', new Set());
    if (spec.drilldown !== undefined)
      check(spec.drilldown.cards, 'drilldown', new Set([spec.drilldown.filter]));
  });

type CardShape = z.infer<typeof cardSchema>;

export type DashboardSpec = z.infer<typeof dashboardSpecSchema>;
export type CardSpec = DashboardSpec['cards'][number];
export type Visualization = CardSpec['visualization'];
export type FilterSpec = DashboardSpec['filters'][number];
export type ColumnFormat = CardSpec['columns'][string];

/** Every card of the spec: the dashboard's, then the drill-down view's. */
export function allCards(spec: DashboardSpec): CardSpec[] {
  return [...spec.cards, ...(spec.drilldown?.cards ?? [])];
}

export function parseDashboardSpec(raw: unknown, source = 'dashboard spec'): DashboardSpec {
  const result = dashboardSpecSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'root';
  throw new ConfigError(`${source}: ${where}: ${issue?.message ?? 'invalid'}`);
}

export function loadDashboardSpec(file = DASHBOARD_SPEC_FILE): DashboardSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file}: not readable JSON`, { cause: error });
  }
  return parseDashboardSpec(raw, file);
}
