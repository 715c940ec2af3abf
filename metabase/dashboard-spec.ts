// The dashboard spec, one source of truth for both worlds: the local dashboard renders it from DuckDB and
// the provisioner turns it into Metabase cards over Athena. Its SQL keeps to what DuckDB and Trino share.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors';

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
    })
    .refine((v) => v.series === undefined || v.y.length === 1, {
      message: 'a chart with series shows exactly one y column',
    }),
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
  /** Position on Metabase's 24-column grid. */
  layout: z.object({
    row: z.number().int().min(0),
    col: z.number().int().min(0).max(23),
    sizeX: z.number().int().min(1).max(24),
    sizeY: z.number().int().min(1),
  }),
});

export const dashboardSpecSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().min(1),
    refreshSeconds: z.number().int().min(1),
    cards: z.array(cardSchema).min(1),
  })
  .refine((spec) => new Set(spec.cards.map((c) => c.id)).size === spec.cards.length, {
    message: 'card ids must be unique',
  })
  .refine((spec) => spec.cards.every((c) => c.layout.col + c.layout.sizeX <= 24), {
    message: 'every card must fit the 24-column grid',
  });

export type DashboardSpec = z.infer<typeof dashboardSpecSchema>;
export type CardSpec = DashboardSpec['cards'][number];
export type Visualization = CardSpec['visualization'];

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
