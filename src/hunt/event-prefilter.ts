/**
 * A conservative prefilter in front of DuckDB. From the hunts' backend-neutral form it collects
 * the normalized indicator keys that each match branch needs. An event none of whose key
 * columns contains one of them is not loaded into DuckDB, because no hunt could match it.
 * DuckDB still decides every finding, so the prefilter changes speed, never results.
 *
 * The prefilter keeps a superset of the events that any hunt matches. A branch matches only when
 * all of its keys are equal, so testing one key per branch is enough, and `where`, exclusions
 * and the lookback window only remove hits. Each key is computed as the reference evaluator
 * computes it (see `evaluate.ts`); DuckDB computes the same keys in SQL.
 *
 * Case folding is the one place where JavaScript and DuckDB could differ: both fold ASCII alike,
 * but their Unicode case mappings are not guaranteed to be the same. So an event value with a
 * non-ASCII character is always kept, and an indicator that folds to non-ASCII text, which only
 * such a value can match, needs no key. An `exact` key (a port) is never the one tested, and a
 * branch with only exact keys keeps every event of its table.
 */
import type { Hunt, IocCell, KeyNormalization, MatchBranch, MatchKey } from '../compile/ir.js';
import { addressListTokens, fallbackAddress, keyEventColumns, urlKeyInput } from '../compile/ir.js';
import { addressUrlKey } from '../compile/evaluate.js';
import { isPlaceholder } from './logs/columns.js';
import { parseIPv4Number, parseIPv6Number } from '../pipeline/allowlist/ip-number.js';
import { isHexDigest } from '../indicators/model.js';
import { comparableColumns, type ComparedKind } from '../pipeline/data-sources.js';

/** Normalizations the prefilter can test; `exact` keys are left to DuckDB. */
export type PrefilterNormalization = Exclude<KeyNormalization, 'exact'>;

/**
 * A normalized key: an IPv4 address (also in its IPv4-mapped IPv6 form) as a number, another
 * IPv6 address as a bigint, anything else as a string.
 */
export type PrefilterKey = string | number | bigint;

/**
 * One test: the event passes when the key of `column` is one of `keys`. An `ip` check with a
 * fallback column also passes on the fallback column's key, and a `url` check with a host column
 * puts that column's value (and the port column's) before a path, as the match key does. An `ip`
 * check of an address list passes when any token of the list is one of `keys`.
 */
export interface PrefilterCheck {
  column: string;
  fallbackColumn?: string;
  addressList?: boolean;
  hostColumn?: string;
  portColumn?: string;
  normalization: PrefilterNormalization;
  keys: PrefilterKey[];
}

/**
 * The prefilter as plain data, which structured clone can copy to a worker thread. Per table:
 * `'all'` keeps every event, a list of checks keeps an event when any check passes, and a table
 * that no hunt reads is absent, so none of its events is kept.
 */
export type PrefilterSpec = Record<string, 'all' | PrefilterCheck[]>;

/** The order in which a branch's key is chosen: the cheapest and most selective first. */
const PREFERENCE: readonly KeyNormalization[] = ['ip', 'lower', 'url', 'host-suffix'];

/** Collects the keys of every hunt's match branches into a prefilter spec. */
export function compilePrefilterSpec(hunts: readonly Hunt[]): PrefilterSpec {
  const checks = new Map<string, Map<string, PrefilterCheck> | 'all'>();
  for (const hunt of hunts) {
    const table = hunt.source.table;
    if (!checks.has(table)) checks.set(table, new Map());
    for (const branch of hunt.match) {
      const tableChecks = checks.get(table)!;
      if (tableChecks === 'all') break;
      const check = branchCheck(hunt, branch);
      if (check === 'all') {
        checks.set(table, 'all');
        break;
      }
      const id = [
        check.normalization,
        check.addressList ? 'list' : 'value',
        ...keyEventColumns(check),
      ].join('\u0000');
      const existing = tableChecks.get(id);
      // A loop, because spreading more than about 100,000 keys as arguments overflows the stack.
      if (existing) for (const key of check.keys) existing.keys.push(key);
      else tableChecks.set(id, check);
    }
  }
  const spec: PrefilterSpec = {};
  for (const [table, tableChecks] of checks) {
    spec[table] =
      tableChecks === 'all'
        ? 'all'
        : [...tableChecks.values()].map((check) => ({ ...check, keys: [...new Set(check.keys)] }));
  }
  return spec;
}

/** Returns the key of a branch that the prefilter tests, or undefined when none can be. */
function testedKey(branch: MatchBranch): MatchKey | undefined {
  return PREFERENCE.map((normalization) =>
    branch.keys.find((candidate) => candidate.normalization === normalization),
  ).find((candidate) => candidate !== undefined);
}

/** Returns the check of one branch, or `'all'` when no key of it can be tested safely. */
function branchCheck(hunt: Hunt, branch: MatchBranch): PrefilterCheck | 'all' {
  const key = testedKey(branch);
  if (!key) return 'all';
  const normalization = key.normalization as PrefilterNormalization;
  const keys: PrefilterKey[] = [];
  const index = hunt.iocs.columns.findIndex((column) => column.name === key.iocColumn);
  // DuckDB also finds a constant under the column name; the evaluator finds nothing there.
  const constant = hunt.constants[key.iocColumn];
  for (const row of hunt.iocs.rows) {
    const cell: IocCell | undefined = index >= 0 ? row[index] : constant;
    if (cell === null || cell === undefined) continue;
    const iocKey = indicatorKey(normalization, cell);
    // Only an event value that is not ASCII can fold to such a key, in either engine, and the
    // checks keep every such value, so the key itself need not be tested.
    if (iocKey === UNFOLDABLE) continue;
    if (iocKey !== undefined) keys.push(iocKey);
  }
  const check: PrefilterCheck = { column: key.column, normalization, keys };
  if (key.fallbackColumn !== undefined) check.fallbackColumn = key.fallbackColumn;
  if (key.addressList) check.addressList = true;
  if (key.hostColumn !== undefined) check.hostColumn = key.hostColumn;
  if (key.portColumn !== undefined) check.portColumn = key.portColumn;
  return check;
}

/**
 * Marks an indicator whose case-folded text is not ASCII, such as the Unicode form of an
 * internationalized name. It is left out of the keys: ASCII folds to ASCII in JavaScript and in
 * DuckDB, so only a non-ASCII event value can match it, and every such value is kept.
 */
const UNFOLDABLE = Symbol('unfoldable');

/**
 * Returns the key of an indicator cell, undefined when it can match nothing, or UNFOLDABLE when
 * its case-folded text is not ASCII.
 */
function indicatorKey(
  normalization: PrefilterNormalization,
  cell: Exclude<IocCell, null>,
): PrefilterKey | typeof UNFOLDABLE | undefined {
  const text = String(cell);
  switch (normalization) {
    case 'ip':
      return typeof cell === 'string' ? addressKey(cell) : undefined;
    case 'lower':
    case 'host-suffix': {
      const folded = text.toLowerCase();
      return isAscii(folded) ? folded : UNFOLDABLE;
    }
    case 'url': {
      const key = addressUrlKey(text);
      if (key === undefined) return undefined;
      // Only the authority is case-folded; the path is compared as written.
      return isAscii(key.slice(0, key.indexOf('/'))) ? key : UNFOLDABLE;
    }
  }
}

const NON_ASCII = /[^\p{ASCII}]/u;

function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

const MAPPED_HIGH = 0xffffn;
const LOW_32 = 0xffffffffn;

/**
 * Returns the address key of strict dotted decimal IPv4 or IPv6 text without a zone id, or
 * undefined. IPv4 and its IPv4-mapped IPv6 form give the same number.
 */
export function addressKey(text: string): number | bigint | undefined {
  if (!text.includes(':')) return parseIPv4Number(text);
  const value = parseIPv6Number(text);
  if (value === undefined) return undefined;
  return value >> 32n === MAPPED_HIGH ? Number(value & LOW_32) : value;
}

/** Tests one column value of an event against a check's keys. */
type ValueTest = (value: unknown) => boolean;

function valueTest(normalization: PrefilterNormalization, keys: Set<PrefilterKey>): ValueTest {
  switch (normalization) {
    case 'ip':
      return (value) => {
        if (typeof value !== 'string') return false;
        const key = addressKey(value);
        return key !== undefined && keys.has(key);
      };
    case 'lower':
      return (value) => {
        if (value === null || value === undefined || value === '') return false;
        if (typeof value !== 'string' || !isAscii(value)) return true;
        return keys.has(value.toLowerCase());
      };
    case 'url':
      return (value) => {
        if (value === null || value === undefined) return false;
        if (typeof value !== 'string' || !isAscii(value)) return true;
        const key = addressUrlKey(value);
        return key !== undefined && keys.has(key);
      };
    case 'host-suffix': {
      const lastLabels = new Set<PrefilterKey>();
      for (const key of keys) lastLabels.add(lastLabel(String(key)));
      return (value) => {
        if (value === null || value === undefined) return false;
        if (typeof value !== 'string' || !isAscii(value)) return true;
        const host = hostKey(value);
        // A host and each of its suffixes end in the host's last label, so a host whose last
        // label ends no key (an address, say) needs no suffix lookups.
        return lastLabels.has(lastLabel(host)) && hasDomainSuffix(host, keys);
      };
    }
  }
}

/** Returns the text after the last dot, or the whole text without one. */
function lastLabel(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

const SLASH = 47;
const QUESTION_MARK = 63;
const HASH = 35;
const COLON = 58;

/** True for the characters `urlKey` and `hostOf` trim: space, tab, LF, form feed and CR. */
function isTrimmed(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 12 || code === 13;
}

function isSchemeChar(code: number, first: boolean): boolean {
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  if (first) return letter;
  return letter || (code >= 48 && code <= 57) || code === 43 || code === 46 || code === 45;
}

/** Returns the index of the first `/`, `?` or `#` in `[from, to)`, or `to`. */
function delimiterIndex(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === SLASH || code === QUESTION_MARK || code === HASH) return i;
  }
  return to;
}

/**
 * Returns what the evaluator's `hostOf` returns, with index arithmetic instead of regular
 * expressions: the lower-cased host of a bare host name or a URL, minus one trailing dot.
 */
export function hostKey(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isTrimmed(value.charCodeAt(start))) start++;
  while (end > start && isTrimmed(value.charCodeAt(end - 1))) end--;

  // An optional scheme, `[A-Za-z][A-Za-z0-9+.-]*://`.
  let i = start;
  while (i < end && isSchemeChar(value.charCodeAt(i), i === start)) i++;
  if (i > start && value.startsWith('://', i) && i + 3 <= end) start = i + 3;

  // User info up to the first `@`, unless a path, query or fragment starts before it.
  const at = value.indexOf('@', start);
  if (at >= 0 && at < end && delimiterIndex(value, start, at) === at) start = at + 1;

  let hostEnd: number;
  const close = value.indexOf(']', start);
  if (
    value.charCodeAt(start) === 91 &&
    close > start &&
    close < end &&
    delimiterIndex(value, start, close) === close
  ) {
    hostEnd = close + 1;
  } else {
    hostEnd = start;
    while (hostEnd < end) {
      const code = value.charCodeAt(hostEnd);
      if (code === COLON || code === SLASH || code === QUESTION_MARK || code === HASH) break;
      hostEnd++;
    }
  }
  const host = value.slice(start, hostEnd).toLowerCase();
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** True when the host or one of its label-aligned suffixes (`a.b.c`, `b.c`, `c`) is a key. */
function hasDomainSuffix(host: string, keys: Set<PrefilterKey>): boolean {
  if (host === '') return false;
  let start = 0;
  for (;;) {
    if (keys.has(start === 0 ? host : host.slice(start))) return true;
    const dot = host.indexOf('.', start);
    if (dot < 0) return false;
    start = dot + 1;
  }
}

interface CompiledCheck {
  column: string;
  hostColumn?: string;
  portColumn?: string;
  test: ValueTest;
}

/**
 * Compiles one check. An `ip` check with a fallback column becomes a test of each column, which
 * keeps every event the key could match: the key reads one of the two. The fallback column's
 * test reads the address that `fallbackAddress` takes out of it.
 */
function compileCheck(check: PrefilterCheck): CompiledCheck[] {
  const valueMatches = valueTest(check.normalization, new Set(check.keys));
  const test: ValueTest = check.addressList
    ? (value) => addressListTokens(value).some(valueMatches)
    : valueMatches;
  const compiled: CompiledCheck[] = [{ column: check.column, test }];
  if (check.hostColumn !== undefined) compiled[0]!.hostColumn = check.hostColumn;
  if (check.portColumn !== undefined) compiled[0]!.portColumn = check.portColumn;
  if (check.fallbackColumn !== undefined) {
    compiled.push({
      column: check.fallbackColumn,
      test: (value) => test(fallbackAddress(value)),
    });
  }
  return compiled;
}

/**
 * Per table, the columns compared by the table's checks in which at least one event had a
 * non-empty value. Plain data, so that a worker thread can send it back with its results.
 */
export type ColumnsWithValues = Record<string, string[]>;

/** A column that a table's checks compare, and whether any event had a value in it yet. */
interface ComparedColumn {
  name: string;
  hasValue: boolean;
}

/**
 * Whether an event of one file had a value in a column that some hunt of its table compares,
 * and else the first table with hunts that its events belonged to.
 */
export interface FileValues {
  valued: boolean;
  table?: string;
}

/** The compiled checks of one table, with the columns they compare. */
interface TableFilter {
  checks: 'all' | CompiledCheck[];
  /** Empty for `'all'`, because such a table runs its hunts on every event. */
  compared: ComparedColumn[];
  /** Columns of `compared` in which no event had a value yet. */
  withoutValue: number;
  /** Every column that some hunt of the table compares; see `comparableColumns`. */
  comparable: Map<string, ComparedKind>;
}

/**
 * True for a value a key can be computed from: not missing, null, empty or a placeholder such
 * as `-` or `N/A`, which would let a hunt count as run on events that hold nothing to compare.
 */
function hasValue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  return typeof value !== 'string' || !isPlaceholder(value);
}

/**
 * Returns the event columns whose value alone gives a check or its key something to compare:
 * its column, and the fallback column of an `ip` key. The host and port columns of a `url` key
 * are left out, because they join the key only in front of a path in `column`.
 */
function comparedColumns(check: Pick<PrefilterCheck, 'column' | 'fallbackColumn'>): string[] {
  return check.fallbackColumn === undefined ? [check.column] : [check.column, check.fallbackColumn];
}

/**
 * A compiled prefilter, which decides whether an event of a table could meet any hunt. It also
 * records which compared columns had a value in some event, kept or not, so that a run can tell
 * a hunt that compared nothing from one that found nothing.
 */
export class EventPrefilter {
  private readonly tables = new Map<string, TableFilter>();
  /** Compared values of the file being read; see {@link startFile}. */
  private file: FileValues = { valued: true };

  constructor(readonly spec: PrefilterSpec) {
    for (const [table, checks] of Object.entries(spec)) {
      const names = checks === 'all' ? [] : [...new Set(checks.flatMap(comparedColumns))];
      this.tables.set(table, {
        checks: checks === 'all' ? 'all' : checks.flatMap(compileCheck),
        compared: names.map((name) => ({ name, hasValue: false })),
        withoutValue: names.length,
        comparable: comparableColumns(table),
      });
    }
  }

  /** Compiles the prefilter of `hunts`. */
  static of(hunts: readonly Hunt[]): EventPrefilter {
    return new EventPrefilter(compilePrefilterSpec(hunts));
  }

  /** Columns of `table` that {@link keeps} reads; undefined when it reads none. */
  columns(table: string): string[] | undefined {
    const checks = this.tables.get(table)?.checks;
    return checks === undefined || checks === 'all'
      ? undefined
      : [...new Set(checks.flatMap((check) => keyEventColumns(check)))];
  }

  /**
   * False only when no hunt on `table` can match an event with these columns. Also records
   * which compared columns have a value, until each of them has had one.
   */
  keeps(table: string, columns: Readonly<Record<string, unknown>>): boolean {
    const filter = this.tables.get(table);
    if (filter === undefined) return false;
    // Once every compared column has had a value, this costs one comparison per event.
    if (filter.withoutValue > 0) recordValues(filter, columns);
    if (!this.file.valued) this.recordFileValues(table, filter, columns);
    const checks = filter.checks;
    if (checks === 'all') return true;
    for (const check of checks) {
      const value =
        check.hostColumn === undefined ? columns[check.column] : urlKeyInput(check, columns);
      if (check.test(value)) return true;
    }
    return false;
  }

  /**
   * Starts a new file: from now on the prefilter records whether one of its events has a value in
   * a column that some hunt of its table compares, which {@link fileWithoutValues} reports.
   */
  startFile(): void {
    this.file = { valued: false };
  }

  /**
   * Returns a table of the file started last and the columns that its hunts can compare, when
   * the file had events of tables with hunts but none had a value in any of those columns,
   * whatever the indicators. Its events were then checked against nothing, as with a CSV export
   * whose columns have other names. A log that only lacks the columns of these hunts, such as a
   * Zeek conn log hunted with hashes, is no such file.
   */
  fileWithoutValues(): { table: string; columns: string[] } | undefined {
    if (this.file.valued || this.file.table === undefined) return undefined;
    const columns = [...(this.tables.get(this.file.table)?.comparable.keys() ?? [])];
    return { table: this.file.table, columns };
  }

  /** Returns the compared values of the current file so far. */
  fileValues(): FileValues {
    return { ...this.file };
  }

  /** Adds the compared values of a part of the current file read elsewhere, such as on a worker. */
  addFileValues(part: FileValues): void {
    if (this.file.valued) return;
    if (part.valued) this.file = { valued: true };
    else this.file.table ??= part.table;
  }

  private recordFileValues(
    table: string,
    filter: TableFilter,
    columns: Readonly<Record<string, unknown>>,
  ): void {
    if (filter.checks === 'all' || hasComparableValue(filter.comparable, columns)) {
      this.file = { valued: true };
    } else {
      this.file.table ??= table;
    }
  }

  /** Returns, per table with checks, the compared columns that had a value in some event. */
  columnsWithValues(): ColumnsWithValues {
    const result: ColumnsWithValues = {};
    for (const [table, filter] of this.tables) {
      if (filter.checks === 'all') continue;
      result[table] = filter.compared.filter((column) => column.hasValue).map(({ name }) => name);
    }
    return result;
  }

  /** Records the columns that had a value in events tested elsewhere, such as on a worker. */
  addColumnsWithValues(seen: ColumnsWithValues): void {
    for (const [table, names] of Object.entries(seen)) {
      const filter = this.tables.get(table);
      if (filter === undefined) continue;
      for (const column of filter.compared) {
        if (column.hasValue || !names.includes(column.name)) continue;
        column.hasValue = true;
        filter.withoutValue--;
      }
    }
  }

  /**
   * Returns the columns that the match branches of `hunt` compare when no event of its table
   * had a value in any of them, so the hunt compared nothing. Returns undefined when some event
   * had one, when the prefilter keeps every event of the table, or when the hunt has no branch.
   */
  columnsNeverFilled(hunt: Hunt): string[] | undefined {
    const filter = this.tables.get(hunt.source.table);
    if (filter === undefined || filter.checks === 'all') return undefined;
    const names = new Set<string>();
    for (const branch of hunt.match) {
      const key = testedKey(branch);
      if (key === undefined) return undefined;
      for (const name of comparedColumns(key)) names.add(name);
    }
    if (names.size === 0) return undefined;
    const filled = filter.compared.some((column) => column.hasValue && names.has(column.name));
    return filled ? undefined : [...names];
  }
}

/**
 * Tells whether an event has a value in one of `comparable` that a hunt could match. Such a value
 * is an address (the readers keep valid ones only), a host name or DNS response with a dot or
 * colon, a URL that names its host, or a whole MD5, SHA1 or SHA256. So `dhost=unknown`, a
 * request path without a host and `fileHash=0` give nothing to compare.
 */
function hasComparableValue(
  comparable: ReadonlyMap<string, ComparedKind>,
  columns: Readonly<Record<string, unknown>>,
): boolean {
  for (const [name, kind] of comparable) {
    const value = columns[name];
    if (!hasValue(value)) continue;
    if (kind === 'address') return true;
    const text = String(value).trim();
    if (kind === 'hash' ? isHexDigest(text) : /[.:]/.test(text) && !text.startsWith('/'))
      return true;
  }
  return false;
}

/** Marks the compared columns that have a value in `columns`. */
function recordValues(filter: TableFilter, columns: Readonly<Record<string, unknown>>): void {
  for (const column of filter.compared) {
    if (column.hasValue || !hasValue(columns[column.name])) continue;
    column.hasValue = true;
    filter.withoutValue--;
  }
}
