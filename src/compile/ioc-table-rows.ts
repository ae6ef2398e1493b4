/**
 * Builds the rows of the indicator tables: the row of each indicator with its context cells, and
 * the rows derived from other indicators' values, such as the host of a URL or the Unicode form
 * of a punycode name.
 */
import type { IocCell, IocColumn, IocTable } from './ir.js';
import type { HashKind, Indicator } from '../indicators/model.js';
import { unicodeHostName } from '../indicators/domain.js';

/**
 * The fields of an indicator that its rows in the indicator tables are made of. Every
 * {@link Indicator} has them, and a pack reader rebuilds them from pack.json.
 */
export type IocTableSource = Pick<
  Indicator,
  'threatType' | 'confidence' | 'firstSeen' | 'exactOnly' | 'isCompromised'
> &
  (
    | { kind: 'ip'; address: string }
    | { kind: 'ip-port'; address: string; port: number }
    | { kind: 'domain'; domain: string }
    | { kind: 'url'; url: string }
    | { kind: HashKind; hash: string }
  );

const CONTEXT_COLUMNS: IocColumn[] = [
  { name: 'IocThreatType', type: 'string' },
  { name: 'IocConfidence', type: 'int' },
  { name: 'IocFirstSeen', type: 'datetime' },
];

/*
 * The rows are array literals of their final length. A row grown by push would keep room for
 * about 16 more cells, which for a million rows costs about 100 MB.
 */

/** The indicator value of each row derived from another indicator's value, by row. */
const derivedRowSources = new WeakMap<readonly IocCell[], string>();

/**
 * Returns the value of the indicator that a row was derived from, such as the URL whose host a
 * domain row is, or undefined for an indicator's own row. Tables read from pack.json lists,
 * rather than rebuilt from its indicators, have no such record.
 */
export function derivedRowSource(row: readonly IocCell[]): string | undefined {
  return derivedRowSources.get(row);
}

/** Records that `row` was derived from the indicator value `source`, and returns it. */
export function markDerivedRow(row: IocCell[], source: string): IocCell[] {
  derivedRowSources.set(row, source);
  return row;
}

/**
 * Records that `row` was derived from the value of `indicator`, or from `source` when given, and
 * returns it.
 */
function derived(indicator: IocTableSource, row: IocCell[], source?: string): IocCell[] {
  const from =
    source ??
    (indicator.kind === 'url'
      ? indicator.url
      : indicator.kind === 'domain'
        ? indicator.domain
        : undefined);
  if (from !== undefined) derivedRowSources.set(row, from);
  return row;
}

/** Returns the values that occur more than once in `values`. */
function sharedValues(values: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) shared.add(value);
    else seen.add(value);
  }
  return shared;
}

/** Returns `value` followed by the context cells of `indicator`, as one row. */
function rowWithContext(indicator: IocTableSource, value: IocCell): IocCell[] {
  return [
    value,
    indicator.threatType ?? null,
    indicator.confidence ?? null,
    indicator.firstSeen ?? null,
  ];
}

/** Returns `first` and `second` followed by the context cells of `indicator`, as one row. */
function pairRowWithContext(indicator: IocTableSource, first: IocCell, second: IocCell): IocCell[] {
  return [
    first,
    second,
    indicator.threatType ?? null,
    indicator.confidence ?? null,
    indicator.firstSeen ?? null,
  ];
}

/** A URL whose host is an address, with the address and port it connects to. */
export interface UrlOnAddress {
  indicator: IocTableSource;
  address: string;
  port?: number;
}

/**
 * Rows of the port-aware table: one per ip:port indicator, then one per address and port of a
 * URL on an address that no earlier row has.
 */
export function ipPortTable(indicators: IocTableSource[], urls: readonly UrlOnAddress[]): IocTable {
  const rows: IocCell[][] = [];
  for (const indicator of indicators) {
    if (indicator.kind !== 'ip-port') continue;
    rows.push(pairRowWithContext(indicator, indicator.address, indicator.port));
  }
  if (urls.some((url) => url.port !== undefined)) {
    const rowKeys = new Set<string>();
    for (const indicator of indicators) {
      if (indicator.kind === 'ip-port') rowKeys.add(`${indicator.address}|${indicator.port}`);
    }
    const shared = sharedValues(urls.map(({ address, port }) => `${address}|${port}`));
    for (const { indicator, address, port } of urls) {
      if (port === undefined) continue;
      const key = `${address}|${port}`;
      if (rowKeys.has(key)) continue;
      rowKeys.add(key);
      const row = pairRowWithContext(indicator, address, port);
      // A row that several URLs give stands for all of them, so it names none.
      rows.push(shared.has(key) ? row : derived(indicator, row));
    }
  }
  const columns: IocColumn[] = [
    { name: 'IocAddress', type: 'string' },
    { name: 'IocPort', type: 'int' },
    ...CONTEXT_COLUMNS,
  ];
  return { columns, rows };
}

/**
 * Rows of the address-only table: one per address, from ip indicators, from the addresses of
 * ip:port indicators and then from URLs on an address, so that one event never matches the same
 * address twice. An ip:port or a URL that may be hunted only on its exact value adds no row.
 */
export function addressTable(
  indicators: IocTableSource[],
  urls: readonly UrlOnAddress[],
): IocTable {
  const byAddress = new Map<
    string,
    { ports: Set<number>; best: IocTableSource; firstSeen?: Date }
  >();
  const add = (address: string, port: number | undefined, indicator: IocTableSource): void => {
    let entry = byAddress.get(address);
    if (!entry) {
      entry = { ports: new Set(), best: indicator, firstSeen: indicator.firstSeen };
      byAddress.set(address, entry);
    }
    if (port !== undefined) entry.ports.add(port);
    if ((indicator.confidence ?? -1) > (entry.best.confidence ?? -1)) entry.best = indicator;
    if (indicator.firstSeen && (!entry.firstSeen || indicator.firstSeen < entry.firstSeen)) {
      entry.firstSeen = indicator.firstSeen;
    }
  };
  for (const indicator of indicators) {
    if (indicator.kind === 'ip') add(indicator.address, undefined, indicator);
    else if (indicator.kind === 'ip-port' && !indicator.exactOnly) {
      add(indicator.address, indicator.port, indicator);
    }
  }
  for (const { indicator, address, port } of urls) {
    if (!indicator.exactOnly) add(address, port, indicator);
  }
  const rows: IocCell[][] = [];
  for (const [address, entry] of byAddress) {
    const ports = [...entry.ports].sort((a, b) => a - b).join(',');
    rows.push([
      address,
      ports,
      entry.best.threatType ?? null,
      entry.best.confidence ?? null,
      entry.firstSeen ?? null,
    ]);
  }
  const columns: IocColumn[] = [
    { name: 'IocAddress', type: 'string' },
    { name: 'IocFeedPorts', type: 'string' },
    ...CONTEXT_COLUMNS,
  ];
  return { columns, rows };
}

/**
 * Builds a table of one value column, plus the `extra` column when given, with one row per
 * indicator for which `pick` returns a value.
 */
export function valueTable(
  indicators: IocTableSource[],
  column: string,
  pick: (indicator: IocTableSource) => string | undefined,
  extra?: { name: string; value: (indicator: IocTableSource) => string },
): IocTable {
  const rows: IocCell[][] = [];
  for (const indicator of indicators) {
    const value = pick(indicator);
    if (value === undefined) continue;
    rows.push(
      extra
        ? pairRowWithContext(indicator, value, extra.value(indicator))
        : rowWithContext(indicator, value),
    );
  }
  const columns: IocColumn[] = [{ name: column, type: 'string' }];
  if (extra) columns.push({ name: extra.name, type: 'string' });
  columns.push(...CONTEXT_COLUMNS);
  return { columns, rows };
}

/**
 * An indicator and a value derived from its own, such as the Unicode form of its name, for a row
 * after the table's own rows.
 */
export interface DerivedValue {
  indicator: IocTableSource;
  value: string;
  /** The value a finding names in place of the indicator's, such as a host that URLs share. */
  source?: string;
}

/**
 * Appends a row for each Unicode form, after the table's own rows, so that a log that writes an
 * internationalized name as browsers show it matches too.
 */
export function withUnicodeRows(table: IocTable, forms: readonly DerivedValue[]): IocTable {
  for (const { indicator, value, source } of forms) {
    table.rows.push(derived(indicator, rowWithContext(indicator, value), source));
  }
  return table;
}

/**
 * Appends a row for the host of each URL, with the context of the first URL on that host, then
 * the Unicode form of each punycode host. A proxy, DNS server or TLS handshake often logs only
 * the host of a request for the URL. The domain hunts match subdomains, so a host that a domain
 * indicator or another URL's host already covers adds no row: an event would match it twice.
 */
export function withUrlHostRows(
  table: IocTable,
  domains: readonly IocTableSource[],
  hosts: readonly DerivedValue[],
): IocTable {
  if (hosts.length === 0) return table;
  const covering = new Set<string>();
  for (const indicator of domains) if (indicator.kind === 'domain') covering.add(indicator.domain);
  for (const { value } of hosts) covering.add(value);
  const covered = (host: string): boolean => {
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      if (covering.has(host.slice(dot + 1))) return true;
    }
    return false;
  };
  const seen = new Set<string>();
  for (const indicator of domains) if (indicator.kind === 'domain') seen.add(indicator.domain);
  const unicodeHosts: DerivedValue[] = [];
  const shared = sharedValues(hosts.map(({ value }) => value));
  for (const { indicator, value } of hosts) {
    if (seen.has(value) || covered(value)) continue;
    seen.add(value);
    const row = rowWithContext(indicator, value);
    // A host that several URLs share stands for all of them, so it names none.
    table.rows.push(shared.has(value) ? row : derived(indicator, row));
    const unicode = value.includes('xn--') ? unicodeHostName(value) : undefined;
    // The Unicode form of a shared host names the host, as the host's own row names nothing.
    const source = shared.has(value) ? value : undefined;
    if (unicode !== undefined) unicodeHosts.push({ indicator, value: unicode, source });
  }
  return withUnicodeRows(table, unicodeHosts);
}

/**
 * Appends a row for each URL form that browsers send, after every other row of the URL table.
 * Browsers send the non-ASCII characters of a path or query percent-encoded as UTF-8, resolve
 * dot segments and encode quotes (WHATWG URL Standard), so a log of the request as sent contains
 * that form. The rows come
 * last so that the row ranges named by packs built before them still select the same rows. A form
 * that equals a URL indicator or an earlier form adds no row, because an event would match twice.
 */
export function withPercentEncodedRows(
  table: IocTable,
  urls: readonly IocTableSource[],
  forms: readonly DerivedValue[],
): IocTable {
  if (forms.length === 0) return table;
  const formValues = new Set(forms.map((form) => form.value));
  const seen = new Set<string>();
  for (const indicator of urls) {
    if (indicator.kind === 'url' && formValues.has(indicator.url)) seen.add(indicator.url);
  }
  for (const { indicator, value } of forms) {
    if (seen.has(value)) continue;
    seen.add(value);
    table.rows.push(derived(indicator, rowWithContext(indicator, value)));
  }
  return table;
}
