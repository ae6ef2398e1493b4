/**
 * The reference meaning of a filter over one row, following the semantics in `compile/ir.ts`:
 * two-valued logic, comparisons on a missing value are false, and callers store a missing
 * string as `''` because a missing string column counts as the empty string.
 */
import { compareValue, inRanges } from '../../compile/evaluate.js';
import type { FilterExpr } from '../../compile/ir.js';

/** A cell value; `null` is a missing value of a non-string column. */
export type CellValue = string | number | boolean | null;

export type FilterAtom = Extract<
  FilterExpr,
  { kind: 'compare' } | { kind: 'in' } | { kind: 'text' } | { kind: 'cidr' } | { kind: 'empty' }
>;

/** Evaluates a filter on a row; a column absent from the row counts as missing. */
export function evaluateFilter(
  expr: FilterExpr,
  row: Readonly<Record<string, CellValue>>,
): boolean {
  return evaluateWith(expr, (atom) => evaluateAtom(atom, row[atom.column] ?? null));
}

/** Evaluates the logic of a filter, asking `atomValue` for the truth of each comparison. */
export function evaluateWith(expr: FilterExpr, atomValue: (atom: FilterAtom) => boolean): boolean {
  switch (expr.kind) {
    case 'const':
      return expr.value;
    case 'and':
      return expr.terms.every((term) => evaluateWith(term, atomValue));
    case 'or':
      return expr.terms.some((term) => evaluateWith(term, atomValue));
    case 'not':
      return !evaluateWith(expr.term, atomValue);
    default:
      return atomValue(expr);
  }
}

/** Evaluates one comparison on one cell value. */
export function evaluateAtom(atom: FilterAtom, value: CellValue): boolean {
  if (atom.kind === 'empty') return value === null || value === '';
  if (value === null) return false;
  switch (atom.kind) {
    case 'compare':
      return compareValue(value, atom.op, atom.value, atom.caseInsensitive === true);
    case 'in':
      return atom.values.some((literal) =>
        compareValue(value, '==', literal, atom.caseInsensitive === true),
      );
    case 'text':
      return matchText(String(value).toLowerCase(), atom.op, atom.value.toLowerCase());
    case 'cidr':
      // The reference evaluator's range test, which both hunt backends follow, so an address
      // matches in any spelling (`::ffff:a01:203`) and IPv4 lies in its mapped IPv6 range.
      return inRanges(value, atom.ranges);
  }
}

/** Compares like Kusto: values of different types are never equal nor ordered. */
/** Both arguments are lower-cased already; an empty needle matches every string. */
export function matchText(
  haystack: string,
  op: 'contains' | 'startswith' | 'endswith',
  needle: string,
): boolean {
  if (op === 'contains') return haystack.includes(needle);
  if (op === 'startswith') return haystack.startsWith(needle);
  return haystack.endsWith(needle);
}
