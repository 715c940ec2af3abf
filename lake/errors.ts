// Errors of the local lake reader: a table that is not there, or a Delta log this reader cannot honour.
import { StreamSoftError } from '../core/errors';

/** A `<layer>.<table>` the query names has no Delta log under the lake folder. */
export class TableNotFoundError extends StreamSoftError {
  constructor(
    readonly table: string,
    lakeDir: string,
  ) {
    super(`table ${table} does not exist in the lake at ${lakeDir} (no _delta_log yet; has its job run?)`);
  }
}

/** A Delta log is malformed, or uses a feature (deletion vectors, column mapping) this reader does not support. */
export class DeltaLogError extends StreamSoftError {}

/** DuckDB rejected a query: its message is the user's to read (syntax, unknown column, …). */
export class QueryError extends StreamSoftError {}
