/**
 * Compiles a backend-neutral filter expression into a KQL boolean expression.
 *
 * The filter form has two-valued logic (a comparison on a missing value is false), while KQL
 * comparisons on a null number or datetime yield null, which `not()` keeps null and `where`
 * drops. Comparisons on non-string literals are therefore guarded with `isnotnull(...)`, and
 * address range tests default to false.
 * String columns in Kusto are never null (a missing string is ""), so they need no guard.
 */
import type { FilterExpr, Literal } from '../../compile/ir.js';
import { kqlIdentifier, kqlString } from './kql.escape.js';

function literal(value: Literal): string {
  if (typeof value === 'string') return kqlString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (!Number.isFinite(value)) throw new Error(`Cannot write the number ${value} in KQL.`);
  return Number.isInteger(value) ? String(value) : `real(${value})`;
}

function guarded(column: string, condition: string, values: Literal[]): string {
  if (values.every((value) => typeof value === 'string')) return condition;
  return `(isnotnull(${column}) and ${condition})`;
}

/**
 * Writes a range test that is false, never null, for a value that is no address. The range
 * functions return null for an empty column, `-` or an address of the other family, and
 * `not(null)` would drop such an event from a hunt instead of keeping it.
 */
function rangeTest(functionName: string, column: string, ranges: string[]): string {
  return `coalesce(${functionName}(${column}, dynamic([${ranges.map(kqlString).join(', ')}])), false)`;
}

/**
 * Returns the column for an IPv4 range test: without the `::ffff:` of an IPv4-mapped IPv6
 * address, which the local hunt reads as the IPv4 address and `ipv4_is_in_any_range` rejects.
 * NOTE: the longer spellings of that prefix (`0:0:0:0:0:ffff:`) keep their null result.
 */
function ipv4Operand(column: string): string {
  return `trim_start(@"::[fF]{4}:", ${column})`;
}

function cidrCondition(column: string, ranges: string[]): string {
  const v4 = ranges.filter((range) => !range.includes(':'));
  const v6 = ranges.filter((range) => range.includes(':'));
  const parts: string[] = [];
  if (v4.length > 0) parts.push(rangeTest('ipv4_is_in_any_range', ipv4Operand(column), v4));
  if (v6.length > 0) parts.push(rangeTest('ipv6_is_in_any_range', column, v6));
  if (parts.length === 0) return 'false';
  return parts.length === 1 ? parts[0]! : `(${parts.join(' or ')})`;
}

/** Compiles a filter expression to KQL, parenthesized wherever precedence could matter. */
export function compileKqlFilter(expr: FilterExpr): string {
  switch (expr.kind) {
    case 'const':
      return expr.value ? 'true' : 'false';
    case 'and':
    case 'or': {
      if (expr.terms.length === 0) return expr.kind === 'and' ? 'true' : 'false';
      const joined = expr.terms.map(compileKqlFilter).join(` ${expr.kind} `);
      return expr.terms.length === 1 ? joined : `(${joined})`;
    }
    case 'not':
      return `not(${compileKqlFilter(expr.term)})`;
    case 'compare': {
      const column = kqlIdentifier(expr.column);
      let op: string = expr.op;
      if (expr.caseInsensitive && typeof expr.value === 'string') {
        if (expr.op === '==') op = '=~';
        else if (expr.op === '!=') op = '!~';
      }
      return guarded(column, `${column} ${op} ${literal(expr.value)}`, [expr.value]);
    }
    case 'in': {
      const column = kqlIdentifier(expr.column);
      if (expr.values.length === 0) return 'false';
      const op = expr.caseInsensitive ? 'in~' : 'in';
      const list = expr.values.map(literal).join(', ');
      return guarded(column, `${column} ${op} (${list})`, expr.values);
    }
    case 'text':
      return `${kqlIdentifier(expr.column)} ${expr.op} ${kqlString(expr.value)}`;
    case 'cidr':
      return cidrCondition(kqlIdentifier(expr.column), expr.ranges);
    case 'empty':
      return `isempty(${kqlIdentifier(expr.column)})`;
  }
}
