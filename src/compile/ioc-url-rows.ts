/**
 * Folds the rows of the URL table whose values have the same match key, such as
 * `http://evil.com/a`, `https://evil.com/a` and `http://user@evil.com:443/a`, into one row. URL
 * hunts join on the key alone, so each of those rows would give its own hit for one event.
 */
import { canonicalAddressHost, type IocCell, type IocColumn, type IocTable } from './ir.js';
import { derivedRowSource, markDerivedRow } from './ioc-table-rows.js';
import { urlKey } from '../indicators/url.js';

/** The column of a folded row that names the other indicator URLs with its key. */
export const OTHER_URLS_COLUMN: IocColumn = { name: 'IocOtherUrls', type: 'string' };

/** Positions of the cells of a URL table row, as `valueTable` writes them. */
const VALUE = 0;
const THREAT_TYPE = 1;
const CONFIDENCE = 2;
const FIRST_SEEN = 3;

/** Returns the key that URL hunts compare for `value`, as both backends compute it. */
function matchKey(value: IocCell): string | undefined {
  const key = typeof value === 'string' ? urlKey(value) : undefined;
  return key === undefined ? undefined : canonicalAddressHost(key);
}

/** Returns the indicator value that a row stands for: its source, or its own value. */
function indicatorValue(row: readonly IocCell[]): string {
  return derivedRowSource(row) ?? String(row[VALUE]);
}

/**
 * Orders the rows of one key so that the row to display comes first: an indicator's own row
 * before a derived one, then the shorter value, then the value first in code-unit order. The
 * order depends only on the values, so a pack read back folds its rows the same way.
 */
function compareForDisplay(a: readonly IocCell[], b: readonly IocCell[]): number {
  const derivedA = derivedRowSource(a) === undefined ? 0 : 1;
  const derivedB = derivedRowSource(b) === undefined ? 0 : 1;
  if (derivedA !== derivedB) return derivedA - derivedB;
  const valueA = String(a[VALUE]);
  const valueB = String(b[VALUE]);
  if (valueA.length !== valueB.length) return valueA.length - valueB.length;
  if (valueA === valueB) return 0;
  return valueA < valueB ? -1 : 1;
}

/**
 * Returns one row for the rows of one key. It has the displayed value, then the indicator values
 * of the other rows separated by spaces, because a normalized URL contains none. The context
 * cells follow the address table's merge rules: the threat type of the row of highest
 * confidence, that confidence and the earliest first seen.
 */
function foldedRow(rows: readonly IocCell[][]): IocCell[] {
  const sorted = [...rows].sort(compareForDisplay);
  const displayed = sorted[0]!;
  let best = displayed;
  let firstSeen = displayed[FIRST_SEEN] ?? null;
  for (const row of sorted) {
    if (Number(row[CONFIDENCE] ?? -1) > Number(best[CONFIDENCE] ?? -1)) best = row;
    const seen = row[FIRST_SEEN] ?? null;
    if (seen instanceof Date && (!(firstSeen instanceof Date) || seen < firstSeen)) {
      firstSeen = seen;
    }
  }
  const displayedValue = indicatorValue(displayed);
  const others = [...new Set(sorted.map(indicatorValue))].filter(
    (value) => value !== displayedValue,
  );
  const row: IocCell[] = [
    displayed[VALUE] ?? null,
    others.join(' '),
    best[THREAT_TYPE] ?? null,
    best[CONFIDENCE] ?? null,
    firstSeen,
  ];
  const source = derivedRowSource(displayed);
  return source === undefined ? row : markDerivedRow(row, source);
}

/**
 * Returns the URL table with one row per match key, in the order of each key's first row. A key
 * of one row keeps that row, and so does a value without a key (no host). When any rows were
 * folded, the table gets the column `IocOtherUrls` after `IocUrl`. It lists the other indicator
 * URLs of the key, naming a derived row by the indicator it comes from, and is "" in other rows.
 */
export function foldSameKeyUrlRows(table: IocTable): IocTable {
  const groups = new Map<string, IocCell[][]>();
  const ordered: Array<IocCell[][]> = [];
  for (const row of table.rows) {
    const key = matchKey(row[VALUE] ?? null);
    const group = key === undefined ? undefined : groups.get(key);
    if (group !== undefined) {
      group.push(row);
      continue;
    }
    const created = [row];
    if (key !== undefined) groups.set(key, created);
    ordered.push(created);
  }
  if (ordered.length === table.rows.length) return table;

  const rows = ordered.map((group) =>
    group.length === 1 ? withoutOthers(group[0]!) : foldedRow(group),
  );
  const [value, ...context] = table.columns;
  return { columns: [value!, OTHER_URLS_COLUMN, ...context], rows };
}

/** Returns `row` with an empty `IocOtherUrls` cell, keeping the record of its source. */
function withoutOthers(row: readonly IocCell[]): IocCell[] {
  const [value, ...context] = row;
  const result: IocCell[] = [value ?? null, '', ...context];
  const source = derivedRowSource(row);
  return source === undefined ? result : markDerivedRow(result, source);
}
