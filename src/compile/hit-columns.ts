/**
 * Column types of the rows a hunt's filters see: the event table's columns for `where`, and for
 * exclusions also the indicator columns, the constants and `MatchedOn`. Backends and the
 * reference evaluator read types from here so that they treat a missing value alike.
 */
import type { ColumnType, Hunt } from './ir.js';
import { ConfigError } from '../errors.js';
import { getTableSchema } from '../pipeline/schemas.js';

/** Returns the type of every column an exclusion filter of `hunt` may name. */
export function hitColumnTypes(hunt: Hunt): Map<string, ColumnType> {
  const types = eventColumnTypes(hunt);
  for (const column of hunt.iocs.columns) types.set(column.name, column.type);
  for (const name of Object.keys(hunt.constants)) types.set(name, 'string');
  types.set('MatchedOn', 'string');
  return types;
}

/** Returns the columns of the hunt's event table, or an empty map for a table with no schema. */
export function eventColumnTypes(hunt: Hunt): Map<string, ColumnType> {
  const types = new Map<string, ColumnType>();
  let columns: Array<{ name: string; type: ColumnType }> = [];
  try {
    columns = getTableSchema(hunt.source.table, hunt.source.platform).columns;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A table without a schema file: every column counts as untyped, so filters on it compare
    // by the literal's type alone.
  }
  for (const column of columns) types.set(column.name, column.type);
  types.set(hunt.source.timeColumn, 'datetime');
  return types;
}

/** Comparison class of a column, which decides how its missing value and literals behave. */
export type ValueKind = 'string' | 'number' | 'bool' | 'datetime' | 'other';

/** Maps a column type to the comparison kind shared by the evaluator and the SQL backend. */
export function valueKind(type: ColumnType | undefined): ValueKind {
  switch (type) {
    case 'string':
    case 'guid':
    case 'dynamic':
    case 'timespan':
    case 'decimal':
      return 'string';
    case 'int':
    case 'long':
    case 'real':
      return 'number';
    case 'bool':
      return 'bool';
    case 'datetime':
      return 'datetime';
    default:
      return 'other';
  }
}
