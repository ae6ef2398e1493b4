/**
 * DuckDB expressions for the key normalizations of `ir.ts`. The loader computes the `ip` key (see
 * `ip-key.ts`). The others run in SQL with regular expressions in RE2 syntax, which both DuckDB
 * and Kusto use, so the host and URL patterns below mean the same in both backends.
 */
import type { KeyNormalization } from '../../compile/ir.js';
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

/**
 * Returns the SQL of the URL key that `urlKey` in the indicators folder computes, or NULL when
 * the authority is empty. The authority is lower-cased, and user info up to its last `@` and a
 * final `:80` or `:443` are removed. The path and query follow, with `/` put first when they do
 * not start with one.
 */
export function urlKeySql(column: string): string {
  const value = trimmed(column);
  const authority = `lower(regexp_extract(${value}, ${sqlString(AUTHORITY_PATTERN)}, 1))`;
  const withoutUser = `regexp_replace(${authority}, '(?s)^.*@', '')`;
  const host = `regexp_replace(${withoutUser}, ':(80|443)$', '')`;
  const path = `regexp_extract(${value}, ${sqlString(PATH_PATTERN)}, 1)`;
  const slashed = `CASE WHEN starts_with(${path}, '/') THEN ${path} ELSE '/' || ${path} END`;
  return `CASE WHEN ${host} = '' THEN NULL ELSE ${host} || ${slashed} END`;
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
