/**
 * A reference evaluator: runs a backend-neutral hunt over plain event objects in JavaScript,
 * following the semantics written in `ir.ts` step by step. It is slow (every event meets every
 * indicator row) and exists so that tests can check each backend against an independent reading
 * of the same hunt.
 */
import ipaddr from 'ipaddr.js';
import type {
  ColumnType,
  FilterExpr,
  Hunt,
  IocCell,
  KeyNormalization,
  Literal,
  Lookback,
  MatchKey,
} from './ir.js';
import {
  addressListTokens,
  arrayElements,
  assertBranchShape,
  assertKeyShape,
  canonicalAddressHost,
  fallbackAddress,
  fallbackPort,
  urlKeyInput,
} from './ir.js';
import { hitColumnTypes, eventColumnTypes, valueKind, type ValueKind } from './hit-columns.js';
import { urlKey } from '../indicators/url.js';

/** A plain event: column name to value, as the log readers produce them. */
export type EventRow = Readonly<Record<string, unknown>>;

export interface EvaluateOptions {
  /** Counts the lookback window back from this time; without it no time limit applies. */
  now?: Date;
  /** Keeps events after `now`, as Kusto's `> ago(lookback)` does; see {@link inWindow}. */
  openEnded?: boolean;
}

/** One hit: which event met which indicator row, through which match branch. */
export interface EvaluatedHit {
  /** Index of the event in the input array. */
  eventIndex: number;
  /** Index of the row in `hunt.iocs.rows`. */
  iocIndex: number;
  /** `MatchedOn`: the label of the match branch, or its array label (see `ir.ts`). */
  matchedOn: string;
}

/** Runs `hunt` over `events` and returns its hits in event, branch and indicator order. */
export function evaluateHunt(
  hunt: Hunt,
  events: readonly EventRow[],
  options: EvaluateOptions = {},
): EvaluatedHit[] {
  const eventKinds = kindsOf(eventColumnTypes(hunt));
  const hitKinds = kindsOf(hitColumnTypes(hunt));
  const cutoff = options.now ? lookbackStart(options.now, hunt.lookback) : undefined;
  const hits: EvaluatedHit[] = [];

  events.forEach((event, eventIndex) => {
    const end = options.openEnded ? undefined : options.now;
    if (cutoff !== undefined && !inWindow(event[hunt.source.timeColumn], cutoff, end)) {
      return;
    }
    if (hunt.where && !evaluateFilter(hunt.where, event, eventKinds)) return;
    for (const branch of hunt.match) {
      assertBranchShape(branch);
      hunt.iocs.rows.forEach((row, iocIndex) => {
        let arrayOnly = false;
        const matches = branch.keys.every((key) => {
          const iocValue = cellOf(hunt, row, key.iocColumn);
          const inputs = eventKeyInputs(key, event);
          const met = inputs.map((value) => keysEqual(key.normalization, value, iocValue));
          // The first input of a key with an array column is the key column's own value.
          if (key.arrayColumn !== undefined && !met[0] && met.includes(true)) arrayOnly = true;
          return met.includes(true);
        });
        if (!matches) return;
        const label = arrayOnly ? (branch.arrayLabel ?? branch.label) : branch.label;
        const hit = { ...event, ...iocRecord(hunt, row), MatchedOn: label };
        if (hunt.exclusions.some((exclusion) => evaluateFilter(exclusion.filter, hit, hitKinds))) {
          return;
        }
        hits.push({ eventIndex, iocIndex, matchedOn: label });
      });
    }
  });
  return hits;
}

/** Returns the first instant inside the window: `now` minus the lookback. */
export function lookbackStart(now: Date, lookback: Lookback): number {
  const hours = lookback.unit === 'd' ? lookback.amount * 24 : lookback.amount;
  return now.getTime() - hours * 3_600_000;
}

/**
 * True when the time lies in the window (cutoff, end], or after the cutoff without an end.
 * Kusto's `> ago(lookback)` has no end, so a log whose times run ahead of the clock (a device
 * clock that is fast, or local times read as UTC) still meets it. A local hunt with `--now`, an
 * end in the past, leaves out events after that end.
 */
export function inWindow(value: unknown, cutoff: number, end: Date | undefined): boolean {
  if (!(value instanceof Date) || value.getTime() <= cutoff) return false;
  return end === undefined || value.getTime() <= end.getTime();
}

function kindsOf(types: Map<string, ColumnType>): Map<string, ValueKind> {
  return new Map([...types].map(([name, type]) => [name, valueKind(type)]));
}

function cellOf(hunt: Hunt, row: IocCell[], column: string): IocCell {
  const index = hunt.iocs.columns.findIndex((entry) => entry.name === column);
  return index < 0 ? null : (row[index] ?? null);
}

function iocRecord(hunt: Hunt, row: IocCell[]): Record<string, unknown> {
  const record: Record<string, unknown> = { ...hunt.constants };
  hunt.iocs.columns.forEach((column, index) => {
    record[column.name] = row[index] ?? null;
  });
  return record;
}

// ---------------------------------------------------------------------------------------------
// Key normalizations

/**
 * Returns the event values a key normalizes: the fallback column's address when the key column
 * contains no address, the fallback column's port when the address column contains none and it
 * writes one, the host column's value put before a path, or the tokens of an address list. Any
 * other key reads the key column's value followed by the elements of the array column.
 */
function eventKeyInputs(key: MatchKey, event: EventRow): unknown[] {
  assertKeyShape(key);
  if (key.hostColumn !== undefined) return [urlKeyInput(key, event)];
  const value = event[key.column];
  if (key.addressList) return addressListTokens(value);
  if (key.arrayColumn !== undefined) return [value, ...arrayElements(event[key.arrayColumn])];
  if (key.fallbackColumn === undefined) return [value];
  if (key.addressColumn !== undefined) {
    if (ipNumber(event[key.addressColumn]) !== undefined) return [value];
    return [fallbackPort(event[key.fallbackColumn]) ?? value];
  }
  if (ipNumber(value) !== undefined) return [value];
  return [fallbackAddress(event[key.fallbackColumn])];
}

function keysEqual(
  normalization: KeyNormalization,
  eventValue: unknown,
  iocValue: IocCell,
): boolean {
  if (eventValue === null || eventValue === undefined || iocValue === null) return false;
  switch (normalization) {
    case 'exact':
      return eventValue === iocValue;
    case 'lower':
      return (
        typeof eventValue === 'string' &&
        eventValue !== '' &&
        eventValue.toLowerCase() === String(iocValue).toLowerCase()
      );
    case 'ip': {
      const event = ipNumber(eventValue);
      return event !== undefined && event === ipNumber(iocValue);
    }
    case 'host-suffix': {
      const host = typeof eventValue === 'string' ? hostOf(eventValue) : '';
      const domain = String(iocValue).toLowerCase();
      return host !== '' && (host === domain || host.endsWith(`.${domain}`));
    }
    case 'url': {
      const event = typeof eventValue === 'string' ? addressUrlKey(eventValue) : undefined;
      return event !== undefined && event === addressUrlKey(String(iocValue));
    }
  }
}

/** Returns the key that `url` keys compare: `urlKey` with its address host in one form. */
export function addressUrlKey(text: string): string | undefined {
  const key = urlKey(text);
  return key === undefined ? undefined : canonicalAddressHost(key);
}

/**
 * Returns an address as a 128-bit number, IPv4 as its IPv4-mapped IPv6 form, or undefined for
 * text that is not a strict dotted decimal IPv4 or an IPv6 address without a zone id.
 */
export function ipNumber(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  let parts: number[] | undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) {
    parts = ipaddr.IPv4.parse(value).toIPv4MappedAddress().parts;
  } else if (!value.includes('%')) {
    parts = ipv6Parts(value);
  }
  return parts?.reduce((sum, part) => (sum << 16n) | BigInt(part), 0n);
}

/**
 * Returns the eight groups of IPv6 text, whose dotted IPv4 tail must be strict dotted decimal.
 * ipaddr.js 2.5 reads `::1.2.3.4` as `::ffff:1.2.3.4`, but RFC 4291 (section 2.5.5.1) makes it
 * the IPv4-compatible address `::102:304`, so the tail is written as two groups first.
 */
function ipv6Parts(text: string): number[] | undefined {
  const tailStart = text.lastIndexOf(':') + 1;
  const tail = text.slice(tailStart);
  let hex = text;
  if (tailStart > 0 && tail.includes('.')) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
    const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets as [number, number, number, number];
    hex = `${text.slice(0, tailStart)}${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`;
  }
  return ipaddr.IPv6.isValid(hex) ? ipaddr.IPv6.parse(hex).parts : undefined;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Returns the lower-cased host of a bare host name or a URL, with one trailing dot removed. It
 * trims whitespace and skips the scheme and the user info up to the first `@`. The host is then
 * a bracketed IPv6 literal, or the text up to the first `:`, `/`, `?` or `#`.
 */
export function hostOf(value: string): string {
  let rest = value.replace(/^[ \t\n\f\r]+|[ \t\n\f\r]+$/g, '');
  rest = rest.replace(SCHEME, '');
  const at = rest.indexOf('@');
  if (at >= 0 && !/[/?#]/.test(rest.slice(0, at))) rest = rest.slice(at + 1);
  let host: string;
  const close = rest.indexOf(']');
  if (rest.startsWith('[') && close > 0 && !/[/?#]/.test(rest.slice(0, close))) {
    host = rest.slice(0, close + 1);
  } else {
    host = rest.slice(0, firstIndexOf(rest, ':/?#'));
  }
  host = host.toLowerCase();
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

function firstIndexOf(text: string, characters: string): number {
  for (let i = 0; i < text.length; i++) {
    if (characters.includes(text.charAt(i))) return i;
  }
  return text.length;
}

// ---------------------------------------------------------------------------------------------
// Filters, in two-valued logic

/**
 * Evaluates a filter over one row. A comparison on a missing value is false, and a missing
 * string column counts as the empty string. A literal of another type than the column never
 * matches.
 */
export function evaluateFilter(
  expr: FilterExpr,
  row: EventRow,
  kinds: ReadonlyMap<string, ValueKind>,
): boolean {
  switch (expr.kind) {
    case 'const':
      return expr.value;
    case 'and':
      return expr.terms.every((term) => evaluateFilter(term, row, kinds));
    case 'or':
      return expr.terms.some((term) => evaluateFilter(term, row, kinds));
    case 'not':
      return !evaluateFilter(expr.term, row, kinds);
    case 'compare':
      return compareValue(
        valueOf(row, expr.column, kinds),
        expr.op,
        expr.value,
        expr.caseInsensitive,
      );
    case 'in': {
      const value = valueOf(row, expr.column, kinds);
      return expr.values.some((literal) =>
        compareValue(value, '==', literal, expr.caseInsensitive),
      );
    }
    case 'text':
      return textMatches(valueOf(row, expr.column, kinds), expr.op, expr.value);
    case 'cidr':
      return kinds.get(expr.column) === 'string' && inRanges(row[expr.column], expr.ranges);
    case 'empty': {
      const value = row[expr.column];
      return value === null || value === undefined || value === '';
    }
  }
}

function valueOf(row: EventRow, column: string, kinds: ReadonlyMap<string, ValueKind>): unknown {
  const kind = kinds.get(column);
  // A column the table does not have never matches, as it cannot be named in a query.
  if (kind === undefined) return undefined;
  const value = row[column];
  if ((value === null || value === undefined) && kind === 'string') return '';
  if (typeof value === 'string' && kind === 'number') return Number(value);
  return value;
}

/**
 * Compares a cell with a literal under the filter semantics: a missing value or a value of
 * another type never matches, and `caseInsensitive` folds case for strings only.
 */
export function compareValue(
  value: unknown,
  op: Extract<FilterExpr, { kind: 'compare' }>['op'],
  literal: Literal,
  caseInsensitive = false,
): boolean {
  if (value === null || value === undefined || typeof value !== typeof literal) return false;
  let left = value as Literal;
  let right = literal;
  if (caseInsensitive && typeof left === 'string' && typeof right === 'string') {
    left = left.toLowerCase();
    right = right.toLowerCase();
  }
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

function textMatches(value: unknown, op: 'contains' | 'startswith' | 'endswith', text: string) {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  const haystack = String(value).toLowerCase();
  const needle = text.toLowerCase();
  if (op === 'contains') return haystack.includes(needle);
  return op === 'startswith' ? haystack.startsWith(needle) : haystack.endsWith(needle);
}

/** Tests an address against ranges; IPv4 also lies in an IPv6 range of its mapped form. */
export function inRanges(value: unknown, ranges: string[]): boolean {
  const number = ipNumber(value);
  if (number === undefined) return false;
  const address = ipaddr.IPv6.parse(bigintToIPv6(number));
  return ranges.some((range) => {
    const cidr = parseRange(range);
    if (!cidr) return false;
    const [network, bits] = cidr;
    if (network.kind() === 'ipv6') return address.match(network, bits);
    return address.isIPv4MappedAddress() && address.toIPv4Address().match(network, bits);
  });
}

/** Parses a CIDR block or a bare address; an invalid range matches nothing. */
function parseRange(range: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  const text = range.includes('/') ? range : `${range}/${range.includes(':') ? 128 : 32}`;
  try {
    return ipaddr.parseCIDR(text);
  } catch {
    return undefined;
  }
}

function bigintToIPv6(value: bigint): string {
  const parts: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    parts.push(((value >> shift) & 0xffffn).toString(16));
  return parts.join(':');
}
