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
import { parseIpRange, type IpRange } from '../../pipeline/allowlist/ip-number.js';
import { mappedRange } from '../duckdb/ip-key.js';
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
 * Writes an address range test that is false, never null, for a value that is no address.
 *
 * `parse_ipv6` writes every spelling of an address in one IPv6 form, and an IPv4 address as its
 * IPv4-mapped form, so `1.2.3.4`, `::ffff:1.2.3.4` (as Defender writes it), `::ffff:102:304` and
 * `0:0:0:0:0:ffff:1.2.3.4` are the same address. Each range is written as an IPv6 prefix, an IPv4
 * `/N` as `/(96+N)` inside `::ffff:0:0/96`, which is how the local hunt compares addresses
 * (see `mappedRange`). `parse_ipv6` returns an empty string for text that is no address, and
 * `ipv6_is_in_any_range` returns null for it, which `not()` would keep null and `where` drop.
 * A range that is not valid CIDR is left out, as the local hunt leaves it out. A value with a
 * prefix, such as `10.1.2.3/24`, is no address (see `eventAddressKql`).
 */
function cidrCondition(column: string, ranges: string[]): string {
  const prefixes: string[] = [];
  for (const text of ranges) {
    const range = parseIpRange(text);
    if (range) prefixes.push(mappedPrefix(range));
  }
  if (prefixes.length === 0) return 'false';
  const list = `dynamic([${prefixes.map(kqlString).join(', ')}])`;
  return `coalesce(ipv6_is_in_any_range(${eventAddressKql(column)}, ${list}), false)`;
}

/**
 * Returns the KQL of the address in an event value, as `parse_ipv6` writes it, or "" when the
 * value is no address. Kusto's parse_ipv6 reads a value with a prefix (`10.1.2.3/24`) as the
 * masked address 10.1.2.0 (Microsoft Learn, "parse_ipv6()"). The local hunt reads such a value as
 * no address, so a value that contains `/` gives "" here: `extract` returns "" without a match.
 */
export function eventAddressKql(value: string): string {
  return `parse_ipv6(extract(@"^([^/]*)$", 1, ${value}))`;
}

/** Writes a range as an IPv6 prefix of eight hexadecimal groups, such as `0:0:0:0:0:ffff:a00:0/104`. */
function mappedPrefix(range: IpRange): string {
  const { first, last } = mappedRange(range);
  // A CIDR block holds a power of two addresses, 2 ** hostBits.
  const hostBits = (last - first + 1n).toString(2).length - 1;
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(((first >> shift) & 0xffffn).toString(16));
  }
  return `${groups.join(':')}/${128 - hostBits}`;
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
