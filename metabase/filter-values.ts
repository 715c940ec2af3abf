// The dashboard filters as the local server reads them from a request's query string, checked against
// the spec: unknown names, non-numbers and values off a number filter's choices are one-line errors.
import { ConfigError } from '../core/errors';
import type { FilterValues } from './card-sql';
import type { FilterSpec } from './dashboard-spec';

/** Longer text than any symbol or exchange code is a mistake, not a value to look up. */
const MAX_TEXT_LENGTH = 64;

/** Filter values from query parameters; number filters left unset take their default, as in Metabase. */
export function filterValuesFromQuery(filters: FilterSpec[], query: URLSearchParams): FilterValues {
  const byId = new Map(filters.map((f) => [f.id, f]));
  for (const name of query.keys())
    if (!byId.has(name))
      throw new ConfigError(`${name}: not a filter (filters: ${[...byId.keys()].join(', ')})`);
  const values: FilterValues = {};
  for (const filter of filters) {
    const raw = query.get(filter.id) ?? '';
    if (filter.type === 'text') {
      if (raw.length > MAX_TEXT_LENGTH)
        throw new ConfigError(`${filter.id}: longer than ${MAX_TEXT_LENGTH} characters`);
      if (raw !== '') values[filter.id] = raw;
      continue;
    }
    if (raw === '') {
      values[filter.id] = filter.default;
      continue;
    }
    const value = Number(raw);
    if (!filter.choices.some((choice) => choice.value === value))
      throw new ConfigError(
        `${filter.id}: must be one of ${filter.choices.map((c) => c.value).join(', ')}, got "${raw}"`,
      );
    values[filter.id] = value;
  }
  return values;
}
