/**
 * Compiles a backend-neutral hunt into one KQL query for Microsoft Sentinel or Defender XDR
 * advanced hunting.
 *
 * Shape of every query: a `datatable` of indicators, the events of the lookback window, one
 * `lookup` per match branch (a `union` when there are several), the exclusions as
 * `where not(...)`, then the analyst's columns. Indicator values only ever appear inside string
 * literals written by `kqlString`, so no feed value can change the query's structure.
 */
import type {
  Hunt,
  IocCell,
  IocColumn,
  IocTable,
  KeyNormalization,
  MatchBranch,
} from '../../compile/ir.js';
import {
  ADDRESS_LIST_TOKEN_PATTERN,
  assertBranchShape,
  assertKeyShape,
  BRACKETED_ADDRESS_PATTERN,
  DEFENDER_RETENTION_DAYS,
  exceedsDefenderRetention,
  FALLBACK_PORT_PATTERN,
  formatLookback,
  FTP_SCHEME_PATTERN,
  HOST_WITH_PORT_PATTERN,
  IPV4_WITH_PORT_PATTERN,
  KEY_IPV4_HOST_PATTERN,
  KEY_IPV6_HOST_PATTERN,
  PERCENT_HEX_UPPER_STEPS,
} from '../../compile/ir.js';
import { compileKqlFilter, eventAddressKql } from './kql.filter.js';
import { kqlDatetime, kqlIdentifier, kqlString } from './kql.escape.js';

/** Sentinel rejects analytics-rule queries longer than this many characters. */
export const SENTINEL_QUERY_LIMIT = 10_000;

export interface KqlCompileOptions {
  /** Version written into the header comment. */
  generatorVersion: string;
  /**
   * Read the indicators from this Microsoft Sentinel watchlist instead of an inline
   * `datatable`; for lists too long to inline. The watchlist's columns are the hunt's
   * indicator columns (see `watchlistCsv`).
   */
  watchlistAlias?: string;
  /**
   * Read the indicators with `externaldata` from the CSV file at this URL instead of an inline
   * `datatable`; for Defender advanced hunting, which has no watchlists. The file is the one a
   * watchlist would be made from (see `watchlistCsv`): a header row, then the hunt's indicator
   * columns.
   */
  listUrl?: string;
}

// Host of a bare host name or of a URL: after an optional scheme and user info, up to the first
// port, path, query or fragment delimiter; a bracketed IPv6 literal is kept whole.
const HOST_PATTERN = String.raw`^(?:[A-Za-z][A-Za-z0-9+.\-]*://)?(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)`;

function verbatim(pattern: string): string {
  // A KQL verbatim string (@"...") ends at the first lone double quote; the patterns have none.
  if (pattern.includes('"'))
    throw new Error('A verbatim KQL pattern cannot contain a double quote.');
  return `@"${pattern}"`;
}

/**
 * A KQL function `UrlKey` that computes the URL key of a string, step for step as `urlKey` in
 * src/indicators/url.ts: trim, cut the fragment, drop `scheme://`, lower-case the authority (up
 * to the first `/` or `?`) and drop user info up to its last `@`, drop `:80` or `:443` (and
 * `:21` after the scheme `ftp`) and the host's root dot, and write the path with a leading `/`. An empty authority gives "", which never matches. An
 * address host is then written as `parse_ipv6` writes it, in brackets, as
 * `canonicalAddressHost` in the compile folder does. In RE2, Kusto's regular expression syntax,
 * `.` matches a line break only with the flag `s` (Microsoft Learn, "RE2 syntax"). A logged URL
 * may contain one, and `urlKey` reads across it, so the patterns that use `.` set `(?s)`.
 */
function urlKeyFunction(): string {
  const v6 = verbatim(KEY_IPV6_HOST_PATTERN);
  const v4 = verbatim(KEY_IPV4_HOST_PATTERN);
  return [
    'let UrlKey = (value: string) {',
    '    let unfragmented = extract(@"^([^#]*)", 1, trim(@"[ \\t\\n\\f\\r]+", value));',
    '    let rest = replace_regex(unfragmented, @"^[A-Za-z][A-Za-z0-9+.-]*://", "");',
    '    let hostAndPort = replace_regex(tolower(extract(@"^([^/?]*)", 1, rest)), @"(?s)^.*@", "");',
    '    let withoutHttpPort = replace_regex(hostAndPort, @":(80|443)$", "");',
    `    let withoutPort = iff(unfragmented matches regex ${verbatim(FTP_SCHEME_PATTERN)}, replace_regex(withoutHttpPort, @":21$", ""), withoutHttpPort);`,
    '    let authority = replace_regex(withoutPort, @"\\.(:[0-9]*)?$", @"\\1");',
    '    let rawPath = extract(@"(?s)^[^/?]*(.*)$", 1, rest);',
    `    let path = iff(indexof(rawPath, "%") < 0, rawPath, ${upperPercentHexKql('rawPath')});`,
    '    let key = iff(isempty(authority), "", strcat(authority, iff(path startswith "/", path, strcat("/", path))));',
    `    let ipv6 = extract(${v6}, 1, key);`,
    `    let ipv4 = extract(${v4}, 1, key);`,
    '    let address = parse_ipv6(iff(isnotempty(ipv6), ipv6, ipv4));',
    '    let hostLength = iff(isnotempty(ipv6), strlen(ipv6) + 2, strlen(ipv4));',
    '    iff(isempty(address), key, strcat("[", address, "]", substring(key, hostLength)))',
    '};',
  ].join('\n');
}

/** Returns the KQL of `text` with the hex digits after each `%` upper-cased. */
function upperPercentHexKql(text: string): string {
  let kql = text;
  for (const [pattern, replacement] of PERCENT_HEX_UPPER_STEPS) {
    kql = `replace_regex(${kql}, ${verbatim(pattern)}, ${verbatim(replacement)})`;
  }
  return kql;
}

function urlKeyExpression(column: string): string {
  return `UrlKey(${column})`;
}

/** Returns a KQL expression for the lower-cased host of a host-name or URL column. */
function hostExpression(column: string): string {
  return `trim_end(@"\\.", tolower(extract(${verbatim(HOST_PATTERN)}, 1, trim(@"\\s+", ${column}))))`;
}

function keyExpression(normalization: KeyNormalization, column: string): string {
  switch (normalization) {
    case 'exact':
      return column;
    case 'lower':
      return `tolower(${column})`;
    case 'ip':
      return eventAddressKql(column);
    case 'host-suffix':
      return hostExpression(column);
    case 'url':
      return urlKeyExpression(column);
  }
}

function iocKeyExpression(normalization: KeyNormalization, column: string): string {
  // The indicator side contains canonical values already; the same functions still run on it so
  // that both sides of each comparison come from identical code.
  return normalization === 'host-suffix'
    ? `tolower(${column})`
    : keyExpression(normalization, column);
}

function cell(column: IocColumn, value: IocCell): string {
  // Kusto strings are never null, so a missing string is the empty string, as in the tables.
  if (value === null) return column.type === 'string' ? '""' : `${column.type}(null)`;
  switch (column.type) {
    case 'string':
      return kqlString(String(value));
    case 'int':
    case 'real':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new Error(`Invalid ${column.type} value ${String(value)} in column ${column.name}.`);
      }
      return column.type === 'int' ? String(Math.trunc(value)) : `real(${value})`;
    case 'datetime':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
        throw new Error(`Invalid datetime value ${String(value)} in column ${column.name}.`);
      }
      return kqlDatetime(value);
  }
}

/**
 * The indicator table read from a Sentinel watchlist. `_GetWatchlist` returns every column as
 * text inside the `WatchlistItem` bag, so each is converted back to the hunt's column type.
 */
function iocWatchlist(hunt: Hunt, alias: string): string {
  const conversions: Record<IocColumn['type'], string> = {
    string: 'tostring',
    int: 'toint',
    real: 'toreal',
    datetime: 'todatetime',
  };
  const columns = hunt.iocs.columns.map(
    (column) =>
      `${column.name} = ${conversions[column.type]}(WatchlistItem[${kqlString(column.name)}])`,
  );
  return `let Iocs = _GetWatchlist(${kqlString(alias)})\n| project ${columns.join(',\n    ')};`;
}

/**
 * Returns the statement that reads the indicator table with `externaldata` from a CSV file with a
 * header row. The URL is written as an obfuscated literal (`h"..."`), so that Kusto leaves a shared access signature in
 * it out of its traces.
 */
function iocExternalData(hunt: Hunt, url: string): string {
  const schema = hunt.iocs.columns.map((column) => `${column.name}:${column.type}`).join(', ');
  return (
    `let Iocs = externaldata(${schema})\n[\n    h${kqlString(url)}\n]\n` +
    'with (format="csv", ignoreFirstRecord=true);'
  );
}

/**
 * Datatable row texts by the rows array they render. Hunts of several data sources share one
 * indicator table, and splitting a hunt compiles its rows more than once, so each row is written
 * once per build.
 */
const rowTexts = new WeakMap<readonly IocCell[][], readonly string[]>();

function datatableRows(table: IocTable): readonly string[] {
  let texts = rowTexts.get(table.rows);
  if (texts === undefined) {
    const { columns } = table;
    texts = table.rows.map((row) => {
      let text = '    ';
      for (let index = 0; index < columns.length; index++) {
        if (index > 0) text += ', ';
        text += cell(columns[index]!, row[index] ?? null);
      }
      return text + ',';
    });
    rowTexts.set(table.rows, texts);
  }
  return texts;
}

/**
 * Tells the compiler that `part` contains rows `start` onwards of `whole`, so that a part of a split
 * hunt reuses the row texts already written for the whole table.
 */
export function sharePartRows(whole: IocTable, part: IocTable, start: number): void {
  const texts = rowTexts.get(whole.rows);
  if (texts !== undefined) rowTexts.set(part.rows, texts.slice(start, start + part.rows.length));
}

function iocDatatable(hunt: Hunt): string {
  const schema = hunt.iocs.columns.map((column) => `${column.name}:${column.type}`).join(', ');
  return `let Iocs = datatable(${schema})\n[\n${datatableRows(hunt.iocs).join('\n')}\n];`;
}

/** The indicator table with one computed key column per key of every branch. */
function iocKeysStatement(hunt: Hunt): string {
  const extensions = new Map<string, string>();
  hunt.match.forEach((branch, branchIndex) =>
    branch.keys.forEach((key, keyIndex) => {
      extensions.set(
        `IocKey${branchIndex + 1}_${keyIndex + 1}`,
        iocKeyExpression(key.normalization, key.iocColumn),
      );
    }),
  );
  const assignments = [...extensions].map(([name, expression]) => `${name} = ${expression}`);
  return `let IocKeys = Iocs\n| extend ${assignments.join(',\n    ')};`;
}

/**
 * Returns the lines that expand the host of `value` into one row per label-aligned suffix in
 * `MatchKey<suffix>`: a.evil.com yields a.evil.com, evil.com and com, and the lookup keeps the
 * candidates that are indicator domains.
 */
function hostSuffixLines(value: string, suffix: string): string[] {
  return [
    `| extend MatchHost${suffix} = ${hostExpression(value)}`,
    `| where isnotempty(MatchHost${suffix})`,
    `| extend MatchLabels${suffix} = split(MatchHost${suffix}, ".")`,
    `| mv-expand MatchStart${suffix} = range(0, array_length(MatchLabels${suffix}) - 1, 1) to typeof(long)`,
    `| extend MatchKey${suffix} = strcat_array(array_slice(MatchLabels${suffix}, MatchStart${suffix}, -1), ".")`,
  ];
}

/**
 * Returns the lines that give one row per distinct key of a column and the elements of its
 * array column. `mv-apply` computes the keys of every value of one event and `make_set` removes
 * duplicates, so an indicator row that several values meet makes one hit, as `ir.ts` requires.
 * `MatchColumnKeys` keeps the keys of the column's own value, item 0, for the branch's
 * `arrayLabel`.
 */
function arrayKeyLines(
  normalization: 'url' | 'host-suffix',
  column: string,
  arrayColumn: string,
  suffix: string,
): string[] {
  const value = `MatchValue${suffix}`;
  const array = `MatchArray${suffix}`;
  const index = `MatchIndex${suffix}`;
  const key = `MatchKey${suffix}`;
  // array_length is null for a value that is not an array, such as an empty cell.
  const values = `array_concat(pack_array(${column}), iff(array_length(${array}) > 0, ${array}, dynamic([])))`;
  const keyLines =
    normalization === 'url'
      ? [`| extend MatchKey${suffix} = ${urlKeyExpression(value)}`]
      : hostSuffixLines(value, suffix);
  const inner = [...keyLines, `| where isnotempty(MatchKey${suffix})`];
  // The first line of the subquery is an operator without its leading pipe.
  inner[0] = inner[0]!.slice(2);
  return [
    // parse_json reads a string column that contains a JSON array, and keeps a dynamic as it is.
    `| extend ${array} = parse_json(${arrayColumn})`,
    `| mv-apply with_itemindex=${index} ${value} = ${values} to typeof(string) on (`,
    ...inner.map((line) => `    ${line}`),
    `    | summarize MatchKeys${suffix} = make_set(${key}), MatchColumnKeys${suffix} = make_set_if(${key}, ${index} == 0))`,
    `| mv-expand MatchKey${suffix} = MatchKeys${suffix} to typeof(string)`,
    `| where isnotempty(MatchKey${suffix})`,
  ];
}

/**
 * Returns the lines that give one row per distinct address among the tokens of an address list
 * column, such as DnsEvents' IPAddresses. `parse_ipv6` returns an empty value for a token that is
 * no address, and `make_set` removes duplicates, so an indicator row makes one hit per event.
 */
function addressListLines(column: string, suffix: string): string[] {
  const tokens = `MatchAddresses${suffix}`;
  const value = `MatchValue${suffix}`;
  return [
    `| extend ${tokens} = extract_all(${verbatim(`(${ADDRESS_LIST_TOKEN_PATTERN})`)}, ${column})`,
    `| mv-apply ${value} = ${tokens} to typeof(string) on (`,
    `    extend MatchKey${suffix} = ${eventAddressKql(value)}`,
    `    | where isnotempty(MatchKey${suffix})`,
    `    | summarize MatchKeys${suffix} = make_set(MatchKey${suffix}))`,
    `| mv-expand MatchKey${suffix} = MatchKeys${suffix} to typeof(string)`,
    `| where isnotempty(MatchKey${suffix})`,
  ];
}

/**
 * Returns a KQL expression for the `:port` that a path's joined URL writes after its host, or
 * "". The rule is that of `urlKeyInput` in the compile folder.
 */
function portText(host: string, port: string): string {
  const writes = [
    `isnotempty(${host})`,
    `isnotnull(${port})`,
    `${port} between (1 .. 65535)`,
    `${port} !in (80, 443)`,
    `not(${host} matches regex ${verbatim(HOST_WITH_PORT_PATTERN)})`,
  ];
  return `iff(${writes.join(' and ')}, strcat(":", tostring(${port})), "")`;
}

/**
 * Returns the lines of a port key with a fallback column. The key is the port that the fallback
 * column writes (`ipv4:port`, `[ipv6]:port`) when the address column contains no address,
 * because the branch's address key then reads the fallback column too. Otherwise it is the port
 * column. `extract` with `typeof(int)` returns null without a match (Microsoft Learn, "extract()").
 */
function fallbackPortLines(
  column: string,
  fallback: string,
  address: string,
  suffix: string,
): string[] {
  const hostPort = `MatchHostPort${suffix}`;
  const fellBack = `isempty(${eventAddressKql(address)}) and isnotnull(${hostPort})`;
  return [
    `| extend ${hostPort} = extract(${verbatim(FALLBACK_PORT_PATTERN)}, 1, ${fallback}, typeof(int))`,
    `| extend MatchKey${suffix} = iff(${fellBack}, ${hostPort}, ${column})`,
    `| where isnotnull(MatchKey${suffix})`,
  ];
}

function branchPipeline(branch: MatchBranch, branchIndex: number): string[] {
  const lines: string[] = [];
  const joins: string[] = [];
  branch.keys.forEach((key, keyIndex) => {
    assertKeyShape(key);
    const suffix = `${branchIndex + 1}_${keyIndex + 1}`;
    const column = kqlIdentifier(key.column);
    if (key.addressColumn !== undefined && key.fallbackColumn !== undefined) {
      const fallback = kqlIdentifier(key.fallbackColumn);
      const address = kqlIdentifier(key.addressColumn);
      lines.push(...fallbackPortLines(column, fallback, address, suffix));
      joins.push(`$left.MatchKey${suffix} == $right.IocKey${suffix}`);
      return;
    }
    if (key.normalization === 'exact') {
      lines.push(`| where isnotnull(${column})`);
    }
    if (
      key.arrayColumn !== undefined &&
      (key.normalization === 'url' || key.normalization === 'host-suffix')
    ) {
      const array = kqlIdentifier(key.arrayColumn);
      lines.push(...arrayKeyLines(key.normalization, column, array, suffix));
    } else if (key.normalization === 'host-suffix') {
      lines.push(...hostSuffixLines(column, suffix));
    } else if (key.addressList) {
      lines.push(...addressListLines(column, suffix));
    } else if (key.fallbackColumn !== undefined) {
      // parse_ipv6 returns an empty value for text that is not an address, and coalesce skips it.
      // extract returns "" when its pattern does not match.
      const fallback = kqlIdentifier(key.fallbackColumn);
      const addresses = [
        eventAddressKql(column),
        eventAddressKql(fallback),
        `parse_ipv6(extract(${verbatim(BRACKETED_ADDRESS_PATTERN)}, 1, ${fallback}))`,
        `parse_ipv6(extract(${verbatim(IPV4_WITH_PORT_PATTERN)}, 1, ${fallback}))`,
      ];
      lines.push(`| extend MatchKey${suffix} = coalesce(${addresses.join(', ')})`);
      lines.push(`| where isnotempty(MatchKey${suffix})`);
    } else {
      let value = column;
      if (key.hostColumn !== undefined) {
        // The URL key expression repeats its input, so a path joined to its host is computed
        // once into a column of its own. An IPv6 host gets brackets first, as `urlHost` in the
        // compile folder writes it.
        const hostColumn = kqlIdentifier(key.hostColumn);
        const host = `MatchUrlHost${suffix}`;
        lines.push(
          `| extend ${host} = iff(${hostColumn} startswith "[" or countof(${hostColumn}, ":") < 2, ${hostColumn}, strcat("[", ${hostColumn}, "]"))`,
        );
        const parts = [host];
        if (key.portColumn !== undefined) parts.push(portText(host, kqlIdentifier(key.portColumn)));
        const joined = `strcat(${[...parts, column].join(', ')})`;
        lines.push(
          `| extend MatchUrl${suffix} = iff(${column} startswith "/", ${joined}, ${column})`,
        );
        value = `MatchUrl${suffix}`;
      }
      lines.push(`| extend MatchKey${suffix} = ${keyExpression(key.normalization, value)}`);
      if (key.normalization !== 'exact') lines.push(`| where isnotempty(MatchKey${suffix})`);
    }
    joins.push(`$left.MatchKey${suffix} == $right.IocKey${suffix}`);
  });
  lines.push(`| lookup kind=inner (IocKeys) on ${joins.join(', ')}`);
  lines.push(`| extend MatchedOn = ${matchedOnExpression(branch, branchIndex)}`);
  return lines;
}

/**
 * Returns the KQL expression of a branch's `MatchedOn`: its array label when the key of an array
 * column met the indicator only through an element, so not through the key column's own value,
 * and its label otherwise.
 */
function matchedOnExpression(branch: MatchBranch, branchIndex: number): string {
  assertBranchShape(branch);
  if (branch.arrayLabel === undefined) return kqlString(branch.label);
  const arrayOnly = branch.keys.flatMap((key, keyIndex) => {
    if (key.arrayColumn === undefined) return [];
    const suffix = `${branchIndex + 1}_${keyIndex + 1}`;
    return [`not(set_has_element(MatchColumnKeys${suffix}, MatchKey${suffix}))`];
  });
  return `iff(${arrayOnly.join(' or ')}, ${kqlString(branch.arrayLabel)}, ${kqlString(branch.label)})`;
}

function headerComment(hunt: Hunt, options: KqlCompileOptions): string {
  const lines = [
    `// ${hunt.title}`,
    `// Family: ${hunt.family}`,
    // Values, not indicators: a URL adds its host to the domain hunts, a punycode name its
    // Unicode form, so one indicator can give several rows.
    `// Indicator values: ${hunt.iocs.rows.length}`,
    ...(options.watchlistAlias
      ? [
          `// Indicator list: Sentinel watchlist "${options.watchlistAlias}" (upload the pack's CSV first)`,
        ]
      : []),
    ...(options.listUrl
      ? ["// Indicator list: the pack's CSV file, read with externaldata (upload it first)"]
      : []),
    `// Lookback: ${formatLookback(hunt.lookback)} (${hunt.source.timeColumn})`,
    `// Platform: ${hunt.source.platform === 'sentinel' ? 'Microsoft Sentinel' : 'Defender XDR advanced hunting'}`,
  ];
  if (hunt.source.platform === 'defender' && exceedsDefenderRetention(hunt.lookback)) {
    lines.push(
      `// Defender advanced hunting keeps ${DEFENDER_RETENTION_DAYS} days of events, so this query ` +
        `reads only those. The Sentinel query over ${hunt.source.table} covers the full lookback.`,
    );
  }
  if (hunt.part) {
    lines.push(
      `// Part ${hunt.part.index} of ${hunt.part.count}: the indicator list was split to stay under ` +
        `${SENTINEL_QUERY_LIMIT.toLocaleString('en-US')} characters. Run every part.`,
    );
  }
  lines.push(`// Generated by huntpack ${options.generatorVersion}`);
  // Comment text comes from feed values (the family name); a line break would end the comment.
  return lines.map((line) => line.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')).join('\n');
}

/** Compiles a hunt into one KQL query text. */
export function compileKql(hunt: Hunt, options: KqlCompileOptions): string {
  const table = kqlIdentifier(hunt.source.table);
  const time = kqlIdentifier(hunt.source.timeColumn);
  const parts: string[] = [headerComment(hunt, options)];
  parts.push(`let lookback = ${formatLookback(hunt.lookback)};`);
  if (options.watchlistAlias !== undefined && options.listUrl !== undefined) {
    throw new Error('A query reads its indicators from a watchlist or from a URL, not both.');
  }
  if (options.watchlistAlias !== undefined) parts.push(iocWatchlist(hunt, options.watchlistAlias));
  else if (options.listUrl !== undefined) parts.push(iocExternalData(hunt, options.listUrl));
  else parts.push(iocDatatable(hunt));
  const keys = hunt.match.flatMap((branch) => branch.keys);
  if (keys.some((key) => key.normalization === 'url')) parts.push(urlKeyFunction());
  parts.push(iocKeysStatement(hunt));

  const events = [`let Events = ${table}`, `| where ${time} > ago(lookback)`];
  if (hunt.where) events.push(`| where ${compileKqlFilter(hunt.where)}`);
  parts.push(events.join('\n') + ';');

  const branches = hunt.match.map((branch, index) => branchPipeline(branch, index));
  let body: string;
  if (branches.length === 1) {
    body = ['Events', ...branches[0]!].join('\n');
  } else {
    const alternatives = branches.map((lines) => `    (Events\n    ${lines.join('\n    ')})`);
    body = `union\n${alternatives.join(',\n')}`;
  }

  const tail: string[] = [];
  const constants = Object.entries(hunt.constants).map(
    ([name, value]) => `${kqlIdentifier(name)} = ${kqlString(value)}`,
  );
  if (constants.length > 0) tail.push(`| extend ${constants.join(', ')}`);
  for (const exclusion of hunt.exclusions) {
    tail.push(`// Exclusion: ${exclusion.title.replace(/[\r\n\u2028\u2029]+/g, ' ')}`);
    tail.push(`| where not(${compileKqlFilter(exclusion.filter)})`);
  }
  const projected = [
    ...hunt.project,
    'MatchedOn',
    ...hunt.iocs.columns.map((column) => column.name),
    ...Object.keys(hunt.constants),
  ];
  tail.push(`| project ${projected.map(kqlIdentifier).join(', ')}`);
  tail.push(`| order by ${time} desc`);

  parts.push([body, ...tail].join('\n'));
  return parts.join('\n') + '\n';
}
