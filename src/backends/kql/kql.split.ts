/**
 * Keeps compiled queries under Sentinel's analytics-rule length limit by splitting a hunt's
 * indicator rows into numbered parts.
 */
import type { Hunt, IocTable } from '../../compile/ir.js';
import {
  compileKql,
  sharePartRows,
  SENTINEL_QUERY_LIMIT,
  type KqlCompileOptions,
} from './kql.backend.js';

export interface CompiledKqlHunt {
  hunt: Hunt;
  query: string;
}

function withRows(hunt: Hunt, start: number, end: number, index: number, count: number): Hunt {
  const iocs = { columns: hunt.iocs.columns, rows: hunt.iocs.rows.slice(start, end) };
  sharePartRows(hunt.iocs, iocs, start);
  return {
    ...hunt,
    id: count > 1 ? `${hunt.id}-part${index}` : hunt.id,
    iocs,
    part: count > 1 ? { index, count } : undefined,
  };
}

/** Lengths from {@link shortestRowsLength}, by table rows, which hunts of one pack share. */
const rowsLengths = new WeakMap<readonly unknown[], number>();

/**
 * Returns a length that the datatable rows of `table` together cannot be shorter than, counted
 * without writing them. Each row is indented, ends in a comma and separates its cells with a
 * comma and a space. A string cell takes its characters and two quotes, any other cell one
 * character at least.
 */
function shortestRowsLength(table: IocTable): number {
  const known = rowsLengths.get(table.rows);
  if (known !== undefined) return known;
  const separators = 5 + 2 * (table.columns.length - 1);
  let length = 0;
  for (const row of table.rows) {
    length += separators;
    for (const cell of row) {
      if (typeof cell !== 'string') length += 1;
      // No bound for a table that cannot be written: compiling it raises the error.
      else if (!cell.isWellFormed()) return 0;
      else length += cell.length + 2;
    }
  }
  rowsLengths.set(table.rows, length);
  return length;
}

export interface SplitOptions {
  /** Maximum characters of one query; Sentinel's analytics-rule limit by default. */
  limit?: number;
  /** Maximum number of parts; a hunt that needs more is not split. Unlimited by default. */
  maxParts?: number;
}

/**
 * Compiles a hunt, splitting its indicator rows into as few parts as needed so that every query
 * is at most `limit` characters. Rows keep their order; each part is a complete query. Returns
 * undefined when more than `maxParts` parts would be needed.
 *
 * @throws Error when a single indicator row cannot fit, which would mean a value longer than the
 *   limit itself.
 */
export function compileKqlWithinLimit(
  hunt: Hunt,
  options: KqlCompileOptions,
  split: SplitOptions = {},
): CompiledKqlHunt[] | undefined {
  const limit = split.limit ?? SENTINEL_QUERY_LIMIT;
  const maxParts = split.maxParts ?? Infinity;
  // A list that cannot fit in maxParts queries is known without compiling it, which costs seconds
  // for 100,000 rows. With no more rows than parts, the error below names a row that cannot fit.
  const total = hunt.iocs.rows.length;
  if (maxParts < total && shortestRowsLength(hunt.iocs) > limit * maxParts) return undefined;
  const whole = compileKql(hunt, options);
  if (whole.length <= limit) return [{ hunt, query: whole }];

  const fewest = Math.max(2, Math.ceil(whole.length / limit));
  if (fewest > maxParts) return undefined;
  for (let count = fewest; count <= Math.min(total, maxParts); count += 1) {
    const size = Math.ceil(total / count);
    const parts: CompiledKqlHunt[] = [];
    let fits = true;
    const partCount = Math.ceil(total / size);
    for (let index = 0; index < partCount && fits; index += 1) {
      const part = withRows(
        hunt,
        index * size,
        Math.min(total, (index + 1) * size),
        index + 1,
        partCount,
      );
      const query = compileKql(part, options);
      if (query.length > limit) fits = false;
      else parts.push({ hunt: part, query });
    }
    if (fits) return parts;
  }
  if (maxParts < total) return undefined;
  throw new Error(
    `Hunt ${hunt.id} cannot fit under ${limit} characters even with one indicator per query.`,
  );
}
