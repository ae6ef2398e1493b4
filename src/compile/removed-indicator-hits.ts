/**
 * Finds the indicators whose own hits an exclusion surely removes, such as
 * `DestinationHostName endswith ".duckdns.org"` in a pack whose C2 domains are all under
 * duckdns.org.
 *
 * An indicator's own hit, for one match branch of one hunt, is the event whose key columns
 * contain the indicator value (address and port, host, URL or hash) and whose other event columns
 * are unknown. The hit's indicator columns, constants and `MatchedOn` are known too. The filter is
 * "surely true" for it when the filter checker finds the filter, with every known column put in,
 * always true whatever the unknown columns contain. A filter that only may remove the hit, such as
 * one on a column the event does not fix, does not count.
 */
import type { FilterExpr, Hunt, IocCell, MatchBranch } from './ir.js';
import type { Indicator } from '../indicators/model.js';
import { analyzeFilter, listAtoms } from '../pipeline/filter-check/analyze.js';
import { evaluateAtom } from '../pipeline/filter-check/evaluate.js';
import type { CellValue, FilterAtom } from '../pipeline/filter-check/evaluate.js';
import { hitColumnTypes } from './hit-columns.js';

/** An indicator row's own hit that a filter surely removes. */
export interface RemovedRowKeys {
  /** The indicator cells of the row that the branch's keys compare, by indicator column. */
  keys: ReadonlyMap<string, IocCell>;
  /** The `MatchedOn` label of the branch the hit matched on, such as `destination`. */
  label: string;
}

/**
 * Returns the key cells and branch label of each own hit of an indicator row of `hunts` that the
 * filter surely removes, one entry per row and branch. Each hunt is checked with its own column
 * types.
 */
export function findRemovedRowKeys(hunts: readonly Hunt[], filter: FilterExpr): RemovedRowKeys[] {
  const removed: RemovedRowKeys[] = [];
  const atoms = listAtoms(filter);
  const filterColumns = new Set(atoms.map((atom) => atom.column));
  for (const hunt of hunts) {
    const types = hitColumnTypes(hunt);
    const columnType = (column: string) => types.get(column);
    // The residual filter depends only on the values of the atoms on known columns, so rows
    // whose atoms have the same values share one verdict.
    const verdicts = new Map<string, boolean>();
    for (const row of hunt.iocs.rows) {
      for (const branch of hunt.match) {
        const known = ownHitCells(hunt, row, branch, types, filterColumns);
        const key = atomValuesKey(atoms, known);
        let verdict = verdicts.get(key);
        if (verdict === undefined) {
          const residual = putKnownCells(filter, known);
          verdict = analyzeFilter(residual, { columnType }).verdict === 'always-true';
          verdicts.set(key, verdict);
        }
        if (verdict) {
          removed.push({ keys: branchKeyCells(hunt, row, branch), label: branch.label });
        }
      }
    }
  }
  return removed;
}

/**
 * Returns one character per atom: `t` or `f` for its value on the known cells, `u` when its
 * column is unknown. Equal strings give equal results of `putKnownCells`.
 */
function atomValuesKey(
  atoms: readonly FilterAtom[],
  known: ReadonlyMap<string, CellValue>,
): string {
  let key = '';
  for (const atom of atoms) {
    if (!known.has(atom.column)) key += 'u';
    else key += evaluateAtom(atom, known.get(atom.column) ?? null) ? 't' : 'f';
  }
  return key;
}

/**
 * Returns the indicators that own one of the removed rows: every key cell of the row equals the
 * indicator's value in that column. An ip:port indicator owns its port-aware row and the
 * address-only row of its address.
 *
 * The rows are indexed by their key columns and cells, so each indicator costs one lookup per
 * distinct set of key columns, not one comparison per row.
 */
export function indicatorsOwningRows(
  indicators: readonly Indicator[],
  rows: readonly RemovedRowKeys[],
): Indicator[] {
  const index = indexRowsByKeyColumns(rows);
  return indicators.filter((indicator) => {
    const cells = indicatorCells(indicator);
    for (const { columns, keys } of index) {
      if (!columns.every((column) => cells.has(column))) continue;
      const key = cellsKey(columns.map((column) => cells.get(column) ?? null));
      if (key !== undefined && keys.has(key)) return true;
    }
    return false;
  });
}

/** Removed rows with the same key columns. */
interface RowKeyGroup {
  /** The key column names, sorted. */
  columns: string[];
  /** The `cellsKey` of each row's cells, in the order of `columns`. */
  keys: Set<string>;
}

/**
 * Groups the removed rows by their key columns. A row with a cell that equals no indicator value
 * adds no key (see `cellsKey`).
 */
function indexRowsByKeyColumns(rows: readonly RemovedRowKeys[]): RowKeyGroup[] {
  const groups = new Map<string, RowKeyGroup>();
  for (const row of rows) {
    const columns = [...row.keys.keys()].sort();
    const groupId = JSON.stringify(columns);
    let group = groups.get(groupId);
    if (group === undefined) {
      group = { columns, keys: new Set() };
      groups.set(groupId, group);
    }
    const key = cellsKey(columns.map((column) => row.keys.get(column) ?? null));
    if (key !== undefined) group.keys.add(key);
  }
  return [...groups.values()];
}

/**
 * Returns a string that is the same for two lists of cells exactly when their cells are pairwise
 * `===`, or undefined when a cell is a Date or NaN, which is `===` to no indicator value.
 */
function cellsKey(cells: readonly IocCell[]): string | undefined {
  if (cells.some((cell) => cell instanceof Date || Number.isNaN(cell))) return undefined;
  // JSON keeps a string apart from a number of the same digits, and null apart from both.
  return JSON.stringify(cells);
}

/** Returns the indicator table cells an indicator's own rows have. */
export function indicatorCells(indicator: Indicator): Map<string, IocCell> {
  switch (indicator.kind) {
    case 'ip':
      return new Map([['IocAddress', indicator.address]]);
    case 'ip-port':
      return new Map<string, IocCell>([
        ['IocAddress', indicator.address],
        ['IocPort', indicator.port],
      ]);
    case 'domain':
      return new Map([['IocDomain', indicator.domain]]);
    case 'url':
      return new Map([['IocUrl', indicator.url]]);
    default:
      return new Map([['IocHash', indicator.hash]]);
  }
}

function cellOf(hunt: Hunt, row: readonly IocCell[], column: string): IocCell {
  const index = hunt.iocs.columns.findIndex((entry) => entry.name === column);
  return index < 0 ? null : (row[index] ?? null);
}

function branchKeyCells(
  hunt: Hunt,
  row: readonly IocCell[],
  branch: MatchBranch,
): Map<string, IocCell> {
  return new Map(branch.keys.map((key) => [key.iocColumn, cellOf(hunt, row, key.iocColumn)]));
}

/**
 * Returns the known columns among `columns` of an indicator row's own hit on one branch: the key
 * columns set to the indicator's cells, then the hit's indicator columns, constants and
 * `MatchedOn`. A key's fallback, host, port and array columns stay unknown. Dates stay unknown too,
 * because the filter language has no datetime literal.
 */
function ownHitCells(
  hunt: Hunt,
  row: readonly IocCell[],
  branch: MatchBranch,
  types: ReadonlyMap<string, string>,
  columns: ReadonlySet<string>,
): Map<string, CellValue> {
  const known = new Map<string, CellValue>();
  for (const key of branch.keys) {
    putKnownCell(known, types, columns, key.column, cellOf(hunt, row, key.iocColumn));
  }
  for (let index = 0; index < hunt.iocs.columns.length; index += 1) {
    putKnownCell(known, types, columns, hunt.iocs.columns[index]!.name, row[index] ?? null);
  }
  for (const [name, value] of Object.entries(hunt.constants)) {
    putKnownCell(known, types, columns, name, value);
  }
  putKnownCell(known, types, columns, 'MatchedOn', branch.label);
  return known;
}

/** Sets `column` to `cell` in `known` when `columns` contains it and the cell is no date. */
function putKnownCell(
  known: Map<string, CellValue>,
  types: ReadonlyMap<string, string>,
  columns: ReadonlySet<string>,
  column: string,
  cell: IocCell,
): void {
  if (cell instanceof Date || !columns.has(column)) return;
  // A missing string column counts as the empty string, as in the filter semantics.
  known.set(column, cell === null && types.get(column) === 'string' ? '' : cell);
}

/** Replaces each comparison on a known column by its value, leaving the unknown ones. */
function putKnownCells(expr: FilterExpr, known: ReadonlyMap<string, CellValue>): FilterExpr {
  switch (expr.kind) {
    case 'const':
      return expr;
    case 'and':
    case 'or':
      return { kind: expr.kind, terms: expr.terms.map((term) => putKnownCells(term, known)) };
    case 'not':
      return { kind: 'not', term: putKnownCells(expr.term, known) };
    default:
      if (!known.has(expr.column)) return expr;
      return { kind: 'const', value: evaluateAtom(expr, known.get(expr.column) ?? null) };
  }
}
