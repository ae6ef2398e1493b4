/**
 * The backend-neutral form of a hunt.
 *
 * A hunt names a data source (a table), a lookback window, a table of indicator rows and the
 * ways those rows meet events (match branches), plus filters and exclusions over the table's
 * real columns. Backends (KQL, DuckDB SQL, the reference backend) compile this form, and the
 * reference evaluator runs it directly; all of them follow the semantics written here.
 *
 * Semantics of one hunt over one event row:
 * 1. The row's time column lies within the lookback window, counted back from now.
 * 2. `where`, if present, is true for the row.
 * 3. For each match branch and each indicator row whose keys all equal the event's keys after
 *    normalization, the hunt makes one hit: the event's columns, the indicator row's columns,
 *    the constants and `MatchedOn` set to the branch label. When a key with an array column
 *    meets the indicator row only through that column's elements, and the branch has an
 *    `arrayLabel`, `MatchedOn` is that label instead.
 * 4. A hit is dropped when any exclusion's filter is true for it. Exclusion filters may name
 *    event columns, indicator columns and `MatchedOn`.
 *
 * Filters use two-valued logic: a comparison on a missing (null) value is false, and `not`
 * turns it into true. A string column that is missing counts as the empty string, as in Kusto.
 */
import type { ThreatGroupKind } from '../indicators/model.js';

/** Column types, in the lower-case spelling of Kusto scalar types. */
export type ColumnType =
  | 'string'
  | 'int'
  | 'long'
  | 'real'
  | 'decimal'
  | 'bool'
  | 'datetime'
  | 'timespan'
  | 'guid'
  | 'dynamic';

export type Literal = string | number | boolean;

export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Case-insensitive substring operators, with the meaning of Kusto's operators of these names. */
export type TextOperator = 'contains' | 'startswith' | 'endswith';

/** A boolean condition over a table's columns. */
export type FilterExpr =
  | { kind: 'const'; value: boolean }
  | { kind: 'and'; terms: FilterExpr[] }
  | { kind: 'or'; terms: FilterExpr[] }
  | { kind: 'not'; term: FilterExpr }
  /** `caseInsensitive` applies to string equality only (`=~` and `!~` in Kusto). */
  | {
      kind: 'compare';
      column: string;
      op: CompareOperator;
      value: Literal;
      caseInsensitive?: boolean;
    }
  | { kind: 'in'; column: string; values: Literal[]; caseInsensitive?: boolean }
  | { kind: 'text'; column: string; op: TextOperator; value: string }
  /** True when the column contains an IPv4 or IPv6 address inside one of the CIDR ranges. */
  | { kind: 'cidr'; column: string; ranges: string[] }
  /** True when the column is missing or the empty string. */
  | { kind: 'empty'; column: string };

/**
 * How an event column and an indicator column are compared:
 * - `exact`: equal values of the same type.
 * - `lower`: equal after lower-casing both (hashes).
 * - `ip`: the same address after canonicalization; IPv4-mapped IPv6 equals its IPv4 address.
 * - `host-suffix`: the host in the event column (a bare host name or a URL) equals the
 *   indicator's domain or is a subdomain of it; `evil.com` matches `a.evil.com`, not `notevil.com`.
 * - `url`: equal URL keys (see `urlKey` in the indicators folder): scheme ignored, host
 *   lower-cased, default port dropped, an empty path written as `/`, the hex digits after each
 *   `%` upper-cased. An address host is then written in one form (see `canonicalAddressHost`),
 *   so `[2001:DB8:0::1]` equals `[2001:db8::1]`.
 */
export type KeyNormalization = 'exact' | 'lower' | 'ip' | 'host-suffix' | 'url';

export interface MatchKey {
  /** Event column. */
  column: string;
  /**
   * `ip` keys: the event column read when `column` contains no address, such as
   * DestinationHostName for a CEF line with `dst=-` and `dhost=13.86.36.66`. The event has one
   * key, never two, so an address in both columns matches once. This column may also write the
   * address as `[ipv6]`, `[ipv6]:port` or `ipv4:port` (see `fallbackAddress`).
   *
   * `exact` keys with `addressColumn` (a port): the same column of the branch's `ip` key. When
   * `addressColumn` contains no address and this column writes a port (`ipv4:port` or
   * `[ipv6]:port`, see `fallbackPort`), that port is the event's key in place of `column`'s, so
   * `dst=- dhost=1.2.3.4:4444 dpt=8080` has the port 4444.
   */
  fallbackColumn?: string;
  /**
   * `exact` keys with a fallback column only: the address column of the branch's `ip` key, such
   * as DestinationIP. The fallback column's port is read only when this column contains no
   * address, which is when the `ip` key reads its address from the fallback column too.
   */
  addressColumn?: string;
  /**
   * `url` keys only: the event column that contains the host when `column` contains only a
   * path. A value of `column` that starts with `/` is read as this column's value followed by
   * the path, so `dhost=evil.com` and `request=/gate.php` give the key `evil.com/gate.php`.
   */
  hostColumn?: string;
  /**
   * `url` keys with a host column only: the event column that contains the server port, such as
   * DestinationPort. See `urlKeyInput` for when the port joins the host.
   */
  portColumn?: string;
  /**
   * `url` and `host-suffix` keys only: a dynamic array column, such as UrlClickEvents' redirect
   * chain UrlChain, whose string elements are further values of the key. The event's keys are
   * the distinct keys of `column` and of every element, so an indicator row that several of them
   * meet makes one hit. An element that is not a string is read as its JSON text.
   */
  arrayColumn?: string;
  /**
   * `ip` keys only: `column` is text that lists addresses, such as the answers in DnsEvents'
   * IPAddresses (`1.2.3.4,5.6.7.8`) or in the ASIM DnsResponseName, whose format varies by
   * source. The event's keys are the distinct addresses among its tokens (see
   * `addressListTokens`), and tokens that are no address are skipped.
   */
  addressList?: boolean;
  /** Column of the indicator table. */
  iocColumn: string;
  normalization: KeyNormalization;
}

/** One way indicators meet events, such as "destination address and port". */
export interface MatchBranch {
  /** Short label written into each hit's `MatchedOn` column, such as `destination`. */
  label: string;
  /**
   * Label of a hit whose indicator row meets a key's array column but not its key column, such
   * as `UrlChain` for a redirect that the clicked `Url` does not match. Only branches with a key
   * that has an `arrayColumn` can have one.
   */
  arrayLabel?: string;
  /** All keys must match (a conjunction). */
  keys: MatchKey[];
}

export type IocColumnType = 'string' | 'int' | 'real' | 'datetime';

export interface IocColumn {
  name: string;
  type: IocColumnType;
}

export type IocCell = string | number | Date | null;

/** The indicators of one hunt, as rows of typed columns. */
export interface IocTable {
  columns: IocColumn[];
  rows: IocCell[][];
}

/** A benign activity that a hunt would match, with the filter that removes its events. */
export interface Exclusion {
  /** Stable id, such as `denied-inbound-probe`. */
  id: string;
  title: string;
  /** The reason such events match and are benign. */
  description: string;
  /** The hits to remove: a hunt keeps a hit only when this is false. */
  filter: FilterExpr;
}

/** The place a hunt runs: one table on one platform. */
export interface DataSource {
  /** Stable id, such as `sentinel-commonsecuritylog`. */
  id: string;
  table: string;
  platform: 'sentinel' | 'defender';
  /** Time column: `TimeGenerated` in Sentinel, `Timestamp` in Defender advanced hunting. */
  timeColumn: string;
  /** Product that fills the table, such as `Microsoft Defender for Endpoint`. */
  product: string;
  /** Data connector that brings the table into the workspace. */
  connector: string;
}

/** A lookback window in whole days or hours. */
export interface Lookback {
  amount: number;
  unit: 'd' | 'h';
}

export type HuntVariant = 'port-aware' | 'address-only' | 'domain' | 'url' | 'hash';

export interface Hunt {
  /** Stable id, made from the family, the data source and the variant, such as `remcos-sentinel-csl-ip-port`. */
  id: string;
  title: string;
  /** The hunt's purpose and how to read its hits. */
  description: string;
  family: string;
  /** Kind of threat group that `family` names, absent for a malware family. */
  familyKind?: ThreatGroupKind;
  variant: HuntVariant;
  source: DataSource;
  lookback: Lookback;
  iocs: IocTable;
  /** The branches are alternatives: a hit from any of them counts. */
  match: MatchBranch[];
  where?: FilterExpr;
  exclusions: Exclusion[];
  /** Event columns shown for each hit, before the indicator columns. */
  project: string[];
  /** Columns with one value for every hit, such as `IocFamily`. */
  constants: Record<string, string>;
  /** Set when a long indicator list was split across several hunts. */
  part?: { index: number; count: number };
}

/**
 * Number of days of events that Defender XDR advanced hunting keeps. A Defender query with a
 * longer lookback still runs, but reads only these days. The Sentinel copy of a table keeps
 * events for the workspace's retention period.
 */
export const DEFENDER_RETENTION_DAYS = 30;

/**
 * Maximum query period, in days, of a Microsoft Sentinel scheduled analytics rule ("Lookup data
 * from the last" in the rule wizard). A rule reads that period, whatever time filter its query
 * has, so a longer lookback applies only when the query is run as a hunt.
 */
export const ANALYTICS_RULE_MAX_DAYS = 14;

/** Tells whether a lookback is longer than a scheduled analytics rule can read. */
export function exceedsAnalyticsRulePeriod(lookback: Lookback): boolean {
  return lookbackHours(lookback) > ANALYTICS_RULE_MAX_DAYS * 24;
}

/** Returns whether a lookback reaches further back than Defender advanced hunting keeps events. */
export function exceedsDefenderRetention(lookback: Lookback): boolean {
  return lookbackHours(lookback) > DEFENDER_RETENTION_DAYS * 24;
}

function lookbackHours(lookback: Lookback): number {
  return lookback.unit === 'd' ? lookback.amount * 24 : lookback.amount;
}

/** Formats a lookback as Kusto writes a timespan: `30d`, `12h`. */
export function formatLookback(lookback: Lookback): string {
  return `${lookback.amount}${lookback.unit}`;
}

/**
 * Returns the event columns a match key reads: its column, then its fallback, address, host,
 * port or array column.
 */
export function keyEventColumns(
  key: Pick<
    MatchKey,
    'column' | 'fallbackColumn' | 'addressColumn' | 'hostColumn' | 'portColumn' | 'arrayColumn'
  >,
): string[] {
  const columns = [key.column];
  if (key.fallbackColumn !== undefined) columns.push(key.fallbackColumn);
  if (key.addressColumn !== undefined) columns.push(key.addressColumn);
  if (key.hostColumn !== undefined) columns.push(key.hostColumn);
  if (key.portColumn !== undefined) columns.push(key.portColumn);
  if (key.arrayColumn !== undefined) columns.push(key.arrayColumn);
  return columns;
}

/**
 * Throws when a key combines fields that no backend defines. A fallback column needs the `ip`
 * normalization, or `exact` with an address column, and an address column needs `exact` with a
 * fallback column. A host column needs `url`, a port column needs a host column, and an array
 * column needs `url` or `host-suffix` and no host column.
 */
export function assertKeyShape(key: MatchKey): void {
  const portFallback = key.normalization === 'exact' && key.addressColumn !== undefined;
  if (key.fallbackColumn !== undefined && key.normalization !== 'ip' && !portFallback) {
    throw new Error(
      `Match key on ${key.column} has fallbackColumn ${key.fallbackColumn}, which only ip keys and exact keys with an addressColumn can have.`,
    );
  }
  if (key.addressColumn !== undefined && (!portFallback || key.fallbackColumn === undefined)) {
    throw new Error(
      `Match key on ${key.column} has addressColumn ${key.addressColumn}, which only exact keys with a fallbackColumn can have.`,
    );
  }
  if (key.hostColumn !== undefined && key.normalization !== 'url') {
    throw new Error(
      `Match key on ${key.column} has hostColumn ${key.hostColumn}, which only url keys can have.`,
    );
  }
  if (key.portColumn !== undefined && key.hostColumn === undefined) {
    throw new Error(
      `Match key on ${key.column} has portColumn ${key.portColumn} but no hostColumn, which no backend defines.`,
    );
  }
  if (key.addressList && (key.normalization !== 'ip' || key.fallbackColumn !== undefined)) {
    throw new Error(
      `Match key on ${key.column} is an address list, which only ip keys without a fallback column can be.`,
    );
  }
  if (key.arrayColumn === undefined) return;
  if (key.normalization !== 'url' && key.normalization !== 'host-suffix') {
    throw new Error(
      `Match key on ${key.column} has arrayColumn ${key.arrayColumn}, which only url and host-suffix keys can have.`,
    );
  }
  if (key.hostColumn !== undefined) {
    throw new Error(
      `Match key on ${key.column} has both hostColumn and arrayColumn, which no backend combines.`,
    );
  }
}

/** Returns the labels a hit of the branch can have in `MatchedOn`: its label, then its array label. */
export function branchLabels(branch: MatchBranch): string[] {
  return branch.arrayLabel === undefined ? [branch.label] : [branch.label, branch.arrayLabel];
}

/** Throws when a branch has an `arrayLabel` but no key with an array column to give it. */
export function assertBranchShape(branch: MatchBranch): void {
  if (branch.arrayLabel === undefined) return;
  if (!branch.keys.some((key) => key.arrayColumn !== undefined)) {
    throw new Error(
      `Match branch ${branch.label} has arrayLabel ${branch.arrayLabel} but no key with an arrayColumn.`,
    );
  }
}

/**
 * Returns the elements of an array column's value: a JSON array as an array, or a string that
 * contains a JSON array, as a log export writes a dynamic column. Elements that are not strings
 * become their JSON text, and null elements stay null. Any other value has no elements.
 */
export function arrayElements(value: unknown): unknown[] {
  let array: unknown = value;
  if (typeof value === 'string') {
    try {
      array = JSON.parse(value);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(array)) return [];
  return array.map((element: unknown) =>
    element === null || typeof element === 'string' ? element : JSON.stringify(element),
  );
}

/**
 * Pattern of one token of an address list: a run of characters other than ASCII whitespace,
 * commas, semicolons, quotes, brackets, braces, parentheses, `<`, `>`, `|` and `=`. So
 * `1.2.3.4,5.6.7.8`, `[2001:db8::1]` and `{"Response":"1.2.3.4"}` give their addresses as whole
 * tokens, and `1.2.3.4.example` stays one token, which is no address. RE2 syntax, which the KQL
 * backend uses, and JavaScript reads it the same way.
 */
export const ADDRESS_LIST_TOKEN_PATTERN = String.raw`[^\t\n\f\r ,;\x22'\[\](){}<>|=]+`;
const ADDRESS_LIST_TOKEN = new RegExp(ADDRESS_LIST_TOKEN_PATTERN, 'g');

/** Returns the tokens of an address list (see `ADDRESS_LIST_TOKEN_PATTERN`); none for a non-string. */
export function addressListTokens(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value.match(ADDRESS_LIST_TOKEN) ?? [];
}

/**
 * Patterns of a server address that a host column writes with brackets or a port: `[ipv6]`,
 * `[ipv6]:port` and `ipv4:port`. Group 1 is the address. RE2 syntax, which the KQL backend uses.
 */
export const BRACKETED_ADDRESS_PATTERN = String.raw`^\[([^\]]*:[^\]]*)\](?::[0-9]{1,5})?$`;
export const IPV4_WITH_PORT_PATTERN = String.raw`^([0-9.]+):[0-9]{1,5}$`;
const BRACKETED_ADDRESS = new RegExp(BRACKETED_ADDRESS_PATTERN);
const IPV4_WITH_PORT = new RegExp(IPV4_WITH_PORT_PATTERN);

/**
 * Returns the address text that an `ip` key reads from its fallback column: the address inside
 * `[ipv6]`, `[ipv6]:port` or `ipv4:port`, else the value itself. The port is read by the port key
 * (see `fallbackPort`).
 */
export function fallbackAddress(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = BRACKETED_ADDRESS.exec(value) ?? IPV4_WITH_PORT.exec(value);
  return match === null ? value : match[1];
}

/** RE2 pattern of a port number from 0 to 65535, written with one to five digits. */
const PORT_NUMBER_PATTERN = String.raw`(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[0-5][0-9]{4}|[0-9]{1,4})`;

/**
 * Pattern of a fallback column's value that writes a port: `[ipv6]:port` or `ipv4:port`, with
 * the brackets of the two patterns above and a port from 0 to 65535. Group 1 is the port. A
 * bare IPv6 address has no port, because its last group is part of the address. A port out of
 * range, such as `1.2.3.4:99999`, does not match either, so the port column is compared. RE2 syntax,
 * which the KQL and DuckDB backends use.
 */
export const FALLBACK_PORT_PATTERN = String.raw`^(?:\[[^\]]*:[^\]]*\]|[0-9.]+):(${PORT_NUMBER_PATTERN})$`;
const FALLBACK_PORT = new RegExp(FALLBACK_PORT_PATTERN);

/**
 * Returns the port that a fallback column's value writes after its address, as a number
 * (`45.9.148.10:4444` and `[2001:db8::1]:4444` give 4444), or undefined when it writes none.
 */
export function fallbackPort(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = FALLBACK_PORT.exec(value);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Returns a host column's value as a URL writes its host: an IPv6 address, which has two or
 * more colons, in brackets unless it has them already. A host with one colon is `name:port`.
 */
export function urlHost(host: string): string {
  if (host.startsWith('[') || host.indexOf(':') === host.lastIndexOf(':')) return host;
  return `[${host}]`;
}

/**
 * Pattern of a host that names its own port: a bracketed IPv6 literal or a name followed by `:`.
 * RE2 syntax, which the KQL and DuckDB backends use too.
 */
export const HOST_WITH_PORT_PATTERN = String.raw`^(?:\[[^\]]*\]|[^\[\]:]*):`;
const HOST_WITH_PORT = new RegExp(HOST_WITH_PORT_PATTERN);

/**
 * Returns the text a `url` key normalizes for one event: the host column's value (see `urlHost`)
 * followed by the key column's value when that starts with `/`, else the key column's value. A
 * missing host counts as the empty string, which leaves a path with no host and so no key.
 *
 * The port column's value joins the host as `:port` when it is an integer from 1 to 65535 other
 * than 80 and 443, the host is not empty and names no port of its own. So `http://h:8888/p`
 * matches `dhost=h dpt=8888 request=/p` only, and `https://h/p` matches `/p` on port 80, 443 or
 * none, as the URL key drops `:80` and `:443` whatever the scheme.
 * NOTE: a WAF can log its backend's port as `dpt`, so a request for `https://h/p` that a WAF
 * forwards to port 8080 does not match.
 */
export function urlKeyInput(
  key: Pick<MatchKey, 'column' | 'hostColumn' | 'portColumn'>,
  event: Readonly<Record<string, unknown>>,
): unknown {
  const value = event[key.column];
  if (key.hostColumn === undefined || typeof value !== 'string' || !value.startsWith('/')) {
    return value;
  }
  const hostValue = event[key.hostColumn];
  const host = typeof hostValue === 'string' ? urlHost(hostValue) : '';
  const port = key.portColumn === undefined ? undefined : event[key.portColumn];
  return host + joinedPort(host, port) + value;
}

/** Returns `:port` for a port that a joined URL writes, else the empty string. */
function joinedPort(host: string, port: unknown): string {
  if (host === '' || HOST_WITH_PORT.test(host)) return '';
  if (typeof port !== 'number' || !Number.isInteger(port)) return '';
  if (port < 1 || port > 65535 || port === 80 || port === 443) return '';
  return `:${port}`;
}

/**
 * Regular expression replacements that upper-case the two hex digits after each `%` in a URL
 * key's path and query, as `urlKey` in the indicators folder does. They run in this order: the
 * first digit's letter, then the second's. Each replaces every match, as Kusto's replace_regex
 * does and DuckDB's regexp_replace does with 'g'. Matches never overlap, because `%` is no hex
 * digit. RE2 syntax, with `\1` for the first group in the replacement.
 */
export const PERCENT_HEX_UPPER_STEPS: ReadonlyArray<[pattern: string, replacement: string]> = [
  ...['a', 'b', 'c', 'd', 'e', 'f'].map((letter): [string, string] => [
    `%${letter}([0-9A-Fa-f])`,
    `%${letter.toUpperCase()}\\1`,
  ]),
  ...['a', 'b', 'c', 'd', 'e', 'f'].map((letter): [string, string] => [
    `(%[0-9A-F])${letter}`,
    `\\1${letter.toUpperCase()}`,
  ]),
];

/**
 * Pattern of a value that starts with the scheme `ftp://` in any case, whose URL key drops a
 * final `:21` from the authority (see `urlKey` in the indicators folder). RE2 syntax, which the
 * KQL and DuckDB backends use.
 */
export const FTP_SCHEME_PATTERN = '^[Ff][Tt][Pp]://';

/**
 * Patterns of the address host at the start of a URL key: a bracketed IPv6 literal (group 1 is
 * the address) and a strict dotted decimal IPv4 address followed by the port or the path (group
 * 1 is the address). RE2 syntax, which the KQL and DuckDB backends use too.
 */
export const KEY_IPV6_HOST_PATTERN = String.raw`^\[([^\]/]*:[^\]/]*)\]`;
export const KEY_IPV4_HOST_PATTERN = String.raw`^((?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3})[:/]`;
const KEY_IPV6_HOST = new RegExp(KEY_IPV6_HOST_PATTERN);
const STRICT_IPV4 = /^(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;

/**
 * Writes the host of a URL key (see `urlKey` in the indicators folder) in the form that Kusto's
 * `parse_ipv6` returns (Microsoft Learn, "parse_ipv6()") when it is an address. That form is
 * eight groups of four hex digits in brackets, with IPv4 as its IPv4-mapped address. So
 * `[2001:db8:0::1]`, `[2001:db8::1]` and `[2001:db8:0:0:0:0:0:1]` are one host, and
 * `[::ffff:1.2.3.4]` is `1.2.3.4`. Returns any other key unchanged.
 *
 * The IPv6 grammar is RFC 4291 text: hex groups of one to four digits, at most one `::` for one or
 * more zero groups, and an optional dotted decimal IPv4 tail for the last two groups. A zone id
 * or an IPv4 part with a leading zero is no address here.
 * NOTE: Kusto's `parse_ipv6` may read a few more spellings as addresses than this grammar does.
 */
export function canonicalAddressHost(key: string): string {
  // Most keys start with a host name, and only `[` or a digit can start an address host.
  const first = key.charCodeAt(0);
  if (first !== 0x5b && (first < 0x30 || first > 0x39)) return key;
  const ipv6 = first === 0x5b ? KEY_IPV6_HOST.exec(key) : null;
  if (ipv6 !== null) {
    const groups = ipv6Groups(ipv6[1]!);
    return groups === undefined ? key : `[${groups}]${key.slice(ipv6[0].length)}`;
  }
  if (first === 0x5b) return key;
  // The digits and dots before the first `:` or `/`, as KEY_IPV4_HOST_PATTERN reads them.
  let end = 1;
  for (; end < key.length; end++) {
    const code = key.charCodeAt(end);
    if (code !== 0x2e && (code < 0x30 || code > 0x39)) break;
  }
  const next = key.charCodeAt(end);
  if (next !== 0x3a && next !== 0x2f) return key;
  const groups = cachedIpv4Groups(key.slice(0, end));
  return groups === undefined ? key : `[0000:0000:0000:0000:0000:ffff:${groups}]${key.slice(end)}`;
}

/** Groups of the IPv4 hosts seen lately: a log names the same servers on many lines. */
const ipv4GroupCache = new Map<string, string | null>();
const IPV4_GROUP_CACHE_SIZE = 4096;

function cachedIpv4Groups(text: string): string | undefined {
  let groups = ipv4GroupCache.get(text);
  if (groups === undefined) {
    if (ipv4GroupCache.size >= IPV4_GROUP_CACHE_SIZE) ipv4GroupCache.clear();
    groups = ipv4Groups(text) ?? null;
    ipv4GroupCache.set(text, groups);
  }
  return groups ?? undefined;
}

/**
 * Returns dotted decimal IPv4 text as two groups of four hex digits, `0102:0304`. It reads the
 * octets by hand, because every URL key of an event with an IPv4 host comes here.
 */
function ipv4Groups(text: string): string | undefined {
  if (!STRICT_IPV4.test(text)) return undefined;
  let groups = '';
  let octet = 0;
  let high = 0;
  let index = 0;
  for (let at = 0; at <= text.length; at++) {
    const code = at < text.length ? text.charCodeAt(at) : 0x2e;
    if (code !== 0x2e) {
      octet = octet * 10 + (code - 0x30);
      continue;
    }
    if (octet > 255) return undefined;
    if (index % 2 === 0) {
      high = octet;
    } else {
      if (index === 3) groups += ':';
      groups += (high * 256 + octet).toString(16).padStart(4, '0');
    }
    octet = 0;
    index += 1;
  }
  return groups;
}

/** Returns lower-case IPv6 text as eight groups of four hex digits, or undefined. */
function ipv6Groups(text: string): string | undefined {
  let hex = text;
  if (hex.includes('.')) {
    const tailStart = hex.lastIndexOf(':') + 1;
    const tail = ipv4Groups(hex.slice(tailStart));
    if (tail === undefined) return undefined;
    hex = hex.slice(0, tailStart) + tail;
  }
  const halves = hex.split('::');
  let groups: string[];
  if (halves.length === 2) {
    const left = halves[0] === '' ? [] : halves[0]!.split(':');
    const right = halves[1] === '' ? [] : halves[1]!.split(':');
    if (left.length + right.length > 7) return undefined;
    const zeros = new Array<string>(8 - left.length - right.length).fill('0');
    groups = [...left, ...zeros, ...right];
  } else if (halves.length === 1) {
    groups = hex.split(':');
  } else {
    return undefined;
  }
  if (groups.length !== 8 || !groups.every((group) => HEX_GROUP.test(group))) return undefined;
  return groups.map((group) => group.padStart(4, '0')).join(':');
}
