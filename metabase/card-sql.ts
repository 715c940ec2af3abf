// Card SQL is written once, in Metabase's native-query template syntax: `{{name}}` is a filter's value and
// `[[ ... ]]` an optional clause, kept only when every filter in it has a value (Metabase v0.64,
// https://github.com/metabase/metabase/blob/v0.64.2.2/docs/questions/native-editor/optional-variables.md).
// Metabase substitutes the values itself; locally this module turns the same text into DuckDB SQL with
// `$name` placeholders whose values DuckDB binds, so what a user types never becomes SQL text.
import { ConfigError } from '../core/errors';

export type FilterValues = Record<string, string | number | undefined>;

export interface BoundSql {
  sql: string;
  /** Values for the `$name` placeholders left in `sql`, exactly those it uses. */
  params: Record<string, string | number>;
}

const TAG = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g;
const OPTIONAL = /\[\[([\s\S]*?)\]\]/g;

/** Names of the template tags in the SQL, in order of first use. */
export function templateTags(sql: string): string[] {
  return [...new Set([...sql.matchAll(TAG)].map((m) => m[1] as string))];
}

/** Names of the tags used outside any optional clause: the card cannot run without them. */
export function requiredTags(sql: string): string[] {
  return templateTags(sql.replace(OPTIONAL, ''));
}

const hasValue = (values: FilterValues, name: string): boolean =>
  values[name] !== undefined && values[name] !== '';

/** The card's SQL for DuckDB with the given filter values bound, optional clauses without values dropped. */
export function bindCardSql(sql: string, values: FilterValues): BoundSql {
  const kept = sql.replace(OPTIONAL, (_clause, inner: string) =>
    templateTags(inner).every((name) => hasValue(values, name)) ? inner : '',
  );
  const params: Record<string, string | number> = {};
  const bound = kept.replace(TAG, (_tag, name: string) => {
    if (!hasValue(values, name)) throw new ConfigError(`${name}: a value is required`);
    params[name] = values[name] as string | number;
    return `$${name}`;
  });
  return { sql: bound, params };
}
