/**
 * Compiles a backend-neutral filter into a DuckDB boolean expression with two-valued logic.
 *
 * SQL comparisons on NULL yield NULL, which `NOT` keeps NULL and `WHERE` drops, while the filter
 * form defines a comparison on a missing value as false. Every comparison on a column that may be
 * NULL is therefore wrapped in `coalesce(..., FALSE)`, and a missing string column reads as ''.
 * A literal whose type does not fit the column never matches, as in the reference evaluator.
 */
import type { FilterExpr, Literal } from '../../compile/ir.js';
import type { ValueKind } from '../../compile/hit-columns.js';
import { parseIpRange } from '../../pipeline/allowlist/ip-number.js';
import { sqlLiteral, sqlString } from './duckdb.escape.js';
import { mappedRange } from './ip-key.js';

/** Locator of the filtered row's columns in the SQL statement. */
export interface SqlColumnResolver {
  /** The SQL of a column and its kind, or undefined when the row has no such column. */
  column(name: string): { sql: string; kind: ValueKind } | undefined;
  /** The SQL of the column's address as a UHUGEINT (see `ip-key.ts`), when it was loaded. */
  address(name: string): string | undefined;
}

function fits(kind: ValueKind, literal: Literal): boolean {
  switch (kind) {
    case 'string':
      return typeof literal === 'string';
    case 'number':
      return typeof literal === 'number';
    case 'bool':
      return typeof literal === 'boolean';
    default:
      return false;
  }
}

function valueSql(column: { sql: string; kind: ValueKind }): string {
  return column.kind === 'string' ? `coalesce(${column.sql}, '')` : column.sql;
}

function caseFolded(sql: string, caseInsensitive: boolean | undefined, literal: Literal): string {
  return caseInsensitive && typeof literal === 'string' ? `lower(${sql})` : sql;
}

function compareSql(expr: Extract<FilterExpr, { kind: 'compare' }>, resolver: SqlColumnResolver) {
  const column = resolver.column(expr.column);
  if (!column || !fits(column.kind, expr.value)) return 'FALSE';
  let op: string = expr.op;
  if (op === '==') op = '=';
  else if (op === '!=') op = '<>';
  const left = caseFolded(valueSql(column), expr.caseInsensitive, expr.value);
  const right = caseFolded(sqlLiteral(expr.value), expr.caseInsensitive, expr.value);
  return `coalesce(${left} ${op} ${right}, FALSE)`;
}

function inSql(expr: Extract<FilterExpr, { kind: 'in' }>, resolver: SqlColumnResolver): string {
  const column = resolver.column(expr.column);
  if (!column) return 'FALSE';
  const values = expr.values.filter((value) => fits(column.kind, value));
  if (values.length === 0) return 'FALSE';
  const folded = expr.caseInsensitive && column.kind === 'string';
  const left = folded ? `lower(${valueSql(column)})` : valueSql(column);
  const list = values.map((value) => (folded ? `lower(${sqlLiteral(value)})` : sqlLiteral(value)));
  return `coalesce(${left} IN (${list.join(', ')}), FALSE)`;
}

const TEXT_FUNCTIONS = { contains: 'contains', startswith: 'starts_with', endswith: 'ends_with' };

function textSql(expr: Extract<FilterExpr, { kind: 'text' }>, resolver: SqlColumnResolver): string {
  const column = resolver.column(expr.column);
  if (!column || (column.kind !== 'string' && column.kind !== 'number')) return 'FALSE';
  const text = `lower(CAST(${valueSql(column)} AS VARCHAR))`;
  return `coalesce(${TEXT_FUNCTIONS[expr.op]}(${text}, lower(${sqlString(expr.value)})), FALSE)`;
}

function cidrSql(expr: Extract<FilterExpr, { kind: 'cidr' }>, resolver: SqlColumnResolver): string {
  const address = resolver.address(expr.column);
  if (!address) return 'FALSE';
  const tests: string[] = [];
  for (const text of expr.ranges) {
    const range = parseIpRange(text);
    if (!range) continue;
    const { first, last } = mappedRange(range);
    tests.push(`${address} BETWEEN ${uhugeint(first)} AND ${uhugeint(last)}`);
  }
  if (tests.length === 0) return 'FALSE';
  return `coalesce(${tests.join(' OR ')}, FALSE)`;
}

function uhugeint(value: bigint): string {
  return `CAST('${value.toString()}' AS UHUGEINT)`;
}

function emptySql(column: string, resolver: SqlColumnResolver): string {
  const resolved = resolver.column(column);
  if (!resolved) return 'TRUE';
  if (resolved.kind === 'string') return `coalesce(${resolved.sql}, '') = ''`;
  return `${resolved.sql} IS NULL`;
}

/** Compiles a filter to a DuckDB expression that is never NULL, parenthesized where needed. */
export function compileDuckDbFilter(expr: FilterExpr, resolver: SqlColumnResolver): string {
  switch (expr.kind) {
    case 'const':
      return expr.value ? 'TRUE' : 'FALSE';
    case 'and':
    case 'or': {
      if (expr.terms.length === 0) return expr.kind === 'and' ? 'TRUE' : 'FALSE';
      const terms = expr.terms.map((term) => compileDuckDbFilter(term, resolver));
      return `(${terms.join(expr.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not':
      return `(NOT ${compileDuckDbFilter(expr.term, resolver)})`;
    case 'compare':
      return compareSql(expr, resolver);
    case 'in':
      return inSql(expr, resolver);
    case 'text':
      return textSql(expr, resolver);
    case 'cidr':
      return cidrSql(expr, resolver);
    case 'empty':
      return emptySql(expr.column, resolver);
  }
}

/** Returns the columns a filter names, and those that `cidr` needs as addresses. */
export function filterColumns(expr: FilterExpr | undefined): {
  all: Set<string>;
  addresses: Set<string>;
} {
  const all = new Set<string>();
  const addresses = new Set<string>();
  const visit = (node: FilterExpr): void => {
    switch (node.kind) {
      case 'const':
        return;
      case 'and':
      case 'or':
        node.terms.forEach(visit);
        return;
      case 'not':
        visit(node.term);
        return;
      case 'cidr':
        addresses.add(node.column);
        all.add(node.column);
        return;
      default:
        all.add(node.column);
    }
  };
  if (expr) visit(expr);
  return { all, addresses };
}
