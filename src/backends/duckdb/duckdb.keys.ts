/**
 * DuckDB expressions for the key normalizations of `ir.ts`. The loader computes the `ip` key (see
 * `ip-key.ts`). The others run in SQL with regular expressions in RE2 syntax, which both DuckDB
 * and Kusto use, so the host and URL patterns below mean the same in both backends.
 */
import type { KeyNormalization } from '../../compile/ir.js';
import {
  FTP_SCHEME_PATTERN,
  KEY_IPV4_HOST_PATTERN,
  KEY_IPV6_HOST_PATTERN,
  PERCENT_HEX_UPPER_STEPS,
} from '../../compile/ir.js';
import { sqlString } from './duckdb.escape.js';

const SCHEME = String.raw`(?:[A-Za-z][A-Za-z0-9+.\-]*://)?`;

/**
 * Pattern of the host of a bare host name or of a URL, the same as the KQL backend's. The host
 * starts after an optional scheme and user info and ends before the first port, path, query or
 * fragment delimiter, but a bracketed IPv6 literal is kept whole.
 */
export const HOST_PATTERN = String.raw`^${SCHEME}(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)`;
/** Authority (user info, host and port) of a URL with or without a scheme. */
export const AUTHORITY_PATTERN = String.raw`^${SCHEME}([^/?#]*)`;
/** Path and query of a URL with or without a scheme, without the fragment. */
export const PATH_PATTERN = String.raw`^${SCHEME}[^/?#]*([^#]*)`;

/** ASCII whitespace as `urlKey` trims it: space, tab, LF, form feed, CR (RE2's `\s`). */
function trimmed(sql: string): string {
  return `trim(${sql}, ${sqlString(' \t\n\f\r')})`;
}

/** Returns the SQL of the lower-cased host of a host or URL column, minus one trailing dot. */
export function hostSql(column: string): string {
  const host = `lower(regexp_extract(${trimmed(column)}, ${sqlString(HOST_PATTERN)}, 1))`;
  return `regexp_replace(${host}, '\\.$', '')`;
}

const STRICT_IPV4 = sqlString(String.raw`(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}`);
const KEY_IPV6_HOST = sqlString(KEY_IPV6_HOST_PATTERN);
const KEY_IPV4_HOST = sqlString(KEY_IPV4_HOST_PATTERN);

/**
 * Returns SQL that evaluates `body` with `name` bound to the value of `value`, as a one-element
 * `list_transform`, so that a long value is computed once and not once per use.
 */
function bind(value: string, name: string, body: string): string {
  return `list_transform([${value}], lambda ${name}: ${body})[1]`;
}

/** Returns the SQL of dotted decimal IPv4 text as two groups of four hex digits, or NULL. */
function ipv4GroupsSql(text: string): string {
  const octets = `list_transform(string_split(t4, '.'), lambda o: try_cast(o AS INTEGER))`;
  const groups = `CASE WHEN list_max(os) <= 255 THEN printf('%04x:%04x', os[1] * 256 + os[2], os[3] * 256 + os[4]) END`;
  return bind(
    text,
    't4',
    `CASE WHEN regexp_full_match(t4, ${STRICT_IPV4}) THEN ${bind(octets, 'os', groups)} END`,
  );
}

/** Returns the SQL of the groups on one side (1 or 2) of the `::` in `x`. */
function halfGroupsSql(side: 1 | 2): string {
  const half = `split_part(x, '::', ${side})`;
  return `CASE WHEN ${half} = '' THEN []::VARCHAR[] ELSE string_split(${half}, ':') END`;
}

/** Returns the SQL of lower-case IPv6 text as eight groups of four hex digits, or NULL. */
function ipv6GroupsSql(text: string): string {
  const tail = ipv4GroupsSql(`regexp_extract(h6, '([^:]*)$', 1)`);
  const hex = `CASE WHEN NOT contains(h6, '.') THEN h6 ELSE regexp_extract(h6, '^(.*:)', 1) || ${tail} END`;
  const filled = `CASE WHEN len(p[1]) + len(p[2]) > 7 THEN []::VARCHAR[]
      ELSE list_concat(p[1], list_transform(range(8 - len(p[1]) - len(p[2])), lambda i: '0'), p[2]) END`;
  const list = `CASE WHEN length(x) - length(replace(x, '::', '')) > 2 THEN []::VARCHAR[]
    WHEN NOT contains(x, '::') THEN string_split(x, ':')
    ELSE ${bind(`[${halfGroupsSql(1)}, ${halfGroupsSql(2)}]`, 'p', filled)} END`;
  const joined = `CASE WHEN len(g) = 8
      AND list_bool_and(list_transform(g, lambda e: regexp_full_match(e, '[0-9a-f]{1,4}')))
    THEN array_to_string(list_transform(g, lambda e: lpad(e, 4, '0')), ':') END`;
  return bind(text, 'h6', bind(hex, 'x', bind(list, 'g', joined)));
}

/**
 * Macro that writes the address host of a URL key as `canonicalAddressHost` in `ir.ts` does,
 * step for step, because DuckDB cannot load its `inet` extension offline. The session creates it
 * before it runs any statement.
 * NOTE: the macro adds an estimated 5 to 10 ms to each statement that calls it, measured over a
 * few batches of 20 events on two cores, most of it before the first row is read.
 */
export const ADDRESS_HOST_MACRO = `CREATE OR REPLACE MACRO huntpack_address_host(k) AS
  CASE
    WHEN regexp_matches(k, ${KEY_IPV6_HOST}) THEN coalesce(
      '[' || ${ipv6GroupsSql(`regexp_extract(k, ${KEY_IPV6_HOST}, 1)`)} || ']'
        || substr(k, length(regexp_extract(k, ${KEY_IPV6_HOST}, 0)) + 1),
      k)
    WHEN regexp_matches(k, ${KEY_IPV4_HOST}) THEN coalesce(
      '[0000:0000:0000:0000:0000:ffff:' || ${ipv4GroupsSql(`regexp_extract(k, ${KEY_IPV4_HOST}, 1)`)} || ']'
        || substr(k, length(regexp_extract(k, ${KEY_IPV4_HOST}, 1)) + 1),
      k)
    ELSE k
  END`;

/**
 * Returns the SQL of the URL key that `urlKey` in the indicators folder computes, or NULL when
 * the authority is empty. The authority is lower-cased, and user info up to its last `@`, a
 * final `:80` or `:443`, a final `:21` after the scheme `ftp` and the host's root dot are
 * removed. The path and query follow, with `/` put first when they do not start with one and
 * the hex digits of each `%` escape upper-cased. `addressHostSql` then writes an address host in
 * one form.
 */
export function urlKeySql(column: string): string {
  const value = trimmed(column);
  const authority = `lower(regexp_extract(${value}, ${sqlString(AUTHORITY_PATTERN)}, 1))`;
  const withoutUser = `regexp_replace(${authority}, '(?s)^.*@', '')`;
  const withoutHttpPort = `regexp_replace(${withoutUser}, ':(80|443)$', '')`;
  const isFtp = `regexp_matches(${value}, ${sqlString(FTP_SCHEME_PATTERN)})`;
  const withoutPort = `CASE WHEN ${isFtp} THEN regexp_replace(${withoutHttpPort}, ':21$', '') ELSE ${withoutHttpPort} END`;
  const host = `regexp_replace(${withoutPort}, '\\.(:[0-9]*)?$', '\\1')`;
  const path = bind(
    `regexp_extract(${value}, ${sqlString(PATH_PATTERN)}, 1)`,
    'p',
    `CASE WHEN contains(p, '%') THEN ${upperPercentHexSql('p')} ELSE p END`,
  );
  const slashed = `CASE WHEN starts_with(${path}, '/') THEN ${path} ELSE '/' || ${path} END`;
  return `CASE WHEN ${host} = '' THEN NULL ELSE ${host} || ${slashed} END`;
}

/** Returns the SQL of `text` with the hex digits after each `%` upper-cased. */
function upperPercentHexSql(text: string): string {
  let sql = text;
  for (const [pattern, replacement] of PERCENT_HEX_UPPER_STEPS) {
    sql = `regexp_replace(${sql}, ${sqlString(pattern)}, ${sqlString(replacement)}, 'g')`;
  }
  return sql;
}

/**
 * Returns the SQL that writes the address host of a URL key column in one form (see
 * `ADDRESS_HOST_MACRO`). The macro repeats its argument, so `column` should name a column and
 * not a long expression such as the URL key's.
 */
export function addressHostSql(column: string): string {
  return `huntpack_address_host(${column})`;
}

/**
 * Returns the key expression of an event column or indicator column. `host-suffix` returns the host
 * only; the compiler expands it into its label-aligned suffixes on the event side. `ip` columns
 * are read from the loader's `<column>__ip` address column, named by the caller.
 */
export function keySql(normalization: KeyNormalization, column: string, side: 'event' | 'ioc') {
  switch (normalization) {
    case 'exact':
      return column;
    case 'lower':
      return `nullif(lower(${column}), '')`;
    case 'ip':
      throw new Error('ip keys are loaded as address columns; see ip-key.ts.');
    case 'host-suffix':
      return side === 'ioc' ? `lower(${column})` : hostSql(column);
    case 'url':
      return urlKeySql(column);
  }
}
