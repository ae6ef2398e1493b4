/**
 * Builds the backend-neutral hunts of one family from its indicators and the data-source catalog.
 */
import type {
  Exclusion,
  Hunt,
  HuntVariant,
  IocCell,
  IocColumn,
  IocTable,
  Lookback,
  MatchBranch,
} from './ir.js';
import {
  addressKeyColumns,
  DATA_SOURCES,
  hostKeyColumns,
  portKeyColumns,
  urlKeyColumns,
  type DataSourceEntry,
} from '../pipeline/data-sources.js';
import type { HashKind, Indicator } from '../indicators/model.js';
import { unicodeHostName } from '../indicators/domain.js';
import {
  urlEndpoint,
  urlHostName,
  urlWithPercentEncodedPath,
  urlWithUnicodeHost,
} from '../indicators/url.js';

export interface BuildHuntsOptions {
  /** Printable family name, written into every hit as `IocFamily`. */
  family: string;
  /** Kebab-case family name used in hunt ids. */
  familySlug: string;
  lookback: Lookback;
  /** Exclusions to compile into a hunt, chosen per data source and variant. */
  exclusionsFor?: (source: DataSourceEntry, variant: HuntVariant) => Exclusion[];
  /** Data sources to build for; defaults to the whole catalog. */
  dataSources?: readonly DataSourceEntry[];
}

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
interface UrlOnAddress {
  indicator: IocTableSource;
  address: string;
  port?: number;
}

/**
 * Rows of the port-aware table: one per ip:port indicator, then one per address and port of a
 * URL on an address that no earlier row has.
 */
function ipPortTable(indicators: IocTableSource[], urls: readonly UrlOnAddress[]): IocTable {
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
function addressTable(indicators: IocTableSource[], urls: readonly UrlOnAddress[]): IocTable {
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

function valueTable(
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
interface DerivedValue {
  indicator: IocTableSource;
  value: string;
  /** The value a finding names in place of the indicator's, such as a host that URLs share. */
  source?: string;
}

/**
 * Appends a row for each Unicode form, after the table's own rows, so that a log that writes an
 * internationalized name as browsers show it matches too.
 */
function withUnicodeRows(table: IocTable, forms: readonly DerivedValue[]): IocTable {
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
function withUrlHostRows(
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
 * Appends a row for each URL form with a percent-encoded path or query, after every other row of
 * the URL table. Browsers send the non-ASCII characters of a path or query percent-encoded as
 * UTF-8 (WHATWG URL Standard), so a log of the request as sent contains that form. The rows come
 * last so that the row ranges named by packs built before them still select the same rows. A form
 * that equals a URL indicator or an earlier form adds no row, because an event would match twice.
 */
function withPercentEncodedRows(
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

interface HuntPlan {
  variant: HuntVariant;
  what: string;
  table: IocTable;
  branches: (source: DataSourceEntry) => MatchBranch[];
  description: string;
}

export interface IocTableOptions {
  /**
   * The pack format whose rows to build; default the current one. Format 4 added the rows derived
   * from other rows' values: the address and port of each URL on an address, and the Unicode form
   * of each punycode domain and URL host. Format 5 added the host of each URL on a name to the
   * domain table. Packs of earlier formats were built without them. Format 6 added the rows of URLs
   * with a percent-encoded path. They are built for every format, because they come after all
   * other rows, so the row ranges of packs built without them still select the same rows.
   * Format 7 leaves out the address and port of a URL on a CDN edge or on a compromised site.
   */
  formatVersion?: number;
}

/** The first pack format with rows derived from URLs and punycode names. */
const DERIVED_ROWS_FORMAT = 4;
/**
 * The first pack format whose domain table contains the hosts of URLs, and whose port-aware table
 * contains the address and port of a URL hunted whole.
 */
const URL_HOST_ROWS_FORMAT = 5;
/**
 * The first pack format in which a URL adds no address rows when its host is a CDN edge or a
 * compromised site, because every visit to the address would match.
 */
const URL_ONLY_FORMAT = 7;

/**
 * Builds the indicator table of each hunt variant: the rows a hunt of that variant matches, in
 * the order of `indicators`. A URL whose host is an address also adds that address, with its
 * port or its scheme's default, after the address tables' own rows: firewalls and endpoints log
 * the connection without the URL. A URL that may be matched only whole adds only its address and
 * port, never its address alone or its host. A domain
 * or URL host in punycode also adds its Unicode form after the table's own rows. A URL whose path
 * or query has non-ASCII characters adds its form with them percent-encoded, and the same form of
 * its Unicode host URL, after all other URL rows. A URL matched only whole adds that form too,
 * because it is the same URL as a browser requests it. A variant without indicators gets a table
 * without rows.
 */
export function buildIocTables(
  indicators: readonly IocTableSource[],
  options: IocTableOptions = {},
): Record<HuntVariant, IocTable> {
  const ipPort: IocTableSource[] = [];
  const addresses: IocTableSource[] = [];
  const domains: IocTableSource[] = [];
  const urls: IocTableSource[] = [];
  const urlsOnAddresses: UrlOnAddress[] = [];
  const unicodeDomains: DerivedValue[] = [];
  const unicodeUrls: DerivedValue[] = [];
  const urlHosts: DerivedValue[] = [];
  const encodedUrls: DerivedValue[] = [];
  const format = options.formatVersion ?? Infinity;
  const derived = format >= DERIVED_ROWS_FORMAT;
  const hostRows = format >= URL_HOST_ROWS_FORMAT;
  const urlOnly = format >= URL_ONLY_FORMAT;
  const hashes: IocTableSource[] = [];
  // One pass in place of a filter per kind: a pack can hold a million indicators.
  for (const indicator of indicators) {
    switch (indicator.kind) {
      case 'ip-port':
        ipPort.push(indicator);
        addresses.push(indicator);
        break;
      case 'ip':
        addresses.push(indicator);
        break;
      case 'domain': {
        domains.push(indicator);
        // Only a name with a punycode label has a Unicode form; the test skips the call for most.
        const unicode = derived && indicator.domain.includes('xn--');
        const value = unicode ? unicodeHostName(indicator.domain) : undefined;
        if (value !== undefined) unicodeDomains.push({ indicator, value });
        break;
      }
      case 'url': {
        urls.push(indicator);
        const encoded = urlWithPercentEncodedPath(indicator.url);
        if (encoded !== undefined) encodedUrls.push({ indicator, value: encoded });
        if (!derived) break;
        // A compromised legitimate site serves its other visitors too, so only its URL is hunted,
        // not its host name or address. On a CDN edge, the address and port serve every site.
        const compromised = indicator.isCompromised === true;
        const wholeUrlOnly = urlOnly && (indicator.exactOnly?.urlOnly === true || compromised);
        if (indicator.exactOnly) {
          // A URL on a rented hosting address is as specific on its address and port as an
          // ip:port there, so it keeps the port-aware row, but it gets no address-only row.
          const endpoint = hostRows && !wholeUrlOnly ? urlEndpoint(indicator.url) : undefined;
          if (endpoint?.port !== undefined) urlsOnAddresses.push({ indicator, ...endpoint });
          break;
        }
        const endpoint = urlEndpoint(indicator.url);
        if (endpoint && !wholeUrlOnly) urlsOnAddresses.push({ indicator, ...endpoint });
        const host = hostRows && !endpoint && !compromised && urlHostName(indicator.url);
        if (host) urlHosts.push({ indicator, value: host });
        const value = indicator.url.includes('xn--')
          ? urlWithUnicodeHost(indicator.url)
          : undefined;
        if (value === undefined) break;
        unicodeUrls.push({ indicator, value });
        // A log may decode the host and not the path, so the Unicode host URL gets that form too.
        const unicodeEncoded = encoded === undefined ? undefined : urlWithPercentEncodedPath(value);
        if (unicodeEncoded !== undefined) encodedUrls.push({ indicator, value: unicodeEncoded });
        break;
      }
      default:
        hashes.push(indicator);
    }
  }

  return {
    'port-aware': ipPortTable(ipPort, urlsOnAddresses),
    'address-only': addressTable(addresses, urlsOnAddresses),
    domain: withUrlHostRows(
      withUnicodeRows(
        valueTable(domains, 'IocDomain', (i) => (i.kind === 'domain' ? i.domain : undefined)),
        unicodeDomains,
      ),
      domains,
      urlHosts,
    ),
    url: withPercentEncodedRows(
      withUnicodeRows(
        valueTable(urls, 'IocUrl', (i) => (i.kind === 'url' ? i.url : undefined)),
        unicodeUrls,
      ),
      urls,
      encodedUrls,
    ),
    hash: valueTable(
      hashes,
      'IocHash',
      (i) => (i.kind === 'md5' || i.kind === 'sha1' || i.kind === 'sha256' ? i.hash : undefined),
      { name: 'IocHashType', value: (i) => i.kind },
    ),
  };
}

function plans(indicators: Indicator[]): HuntPlan[] {
  const tables = buildIocTables(indicators);
  return [
    {
      variant: 'port-aware',
      what: 'C2 address and port',
      table: tables['port-aware'],
      description:
        'Connections to or from an indicator address on the indicator port. Each ip:port ' +
        'indicator matches only that address on that port. A URL whose host is an address ' +
        'adds that address on its port, or the usual port of its scheme (80, 443 or 21) when it names none.',
      branches: (source) =>
        source.endpoints.map((endpoint) => ({
          label: endpoint.side,
          keys: [
            {
              ...addressKeyColumns(endpoint),
              iocColumn: 'IocAddress',
              normalization: 'ip',
            },
            {
              ...portKeyColumns(endpoint),
              iocColumn: 'IocPort',
              normalization: 'exact',
            },
          ],
        })),
    },
    {
      variant: 'address-only',
      what: 'C2 address on any port',
      table: tables['address-only'],
      description:
        'ADDRESS-ONLY: connections to or from an indicator address on any port. It finds the same ' +
        'hosts on other ports, and also unrelated services that share the address (hosting, ' +
        'CDNs, NAT), so triage each hit: IocFeedPorts lists the ports the feed named. Addresses ' +
        'of URLs are included; rented cloud hosting addresses are left out, because their other ' +
        'tenants would flood it. In DNS tables it matches answers that resolve a name to an ' +
        'indicator address.',
      branches: (source) => [
        ...source.endpoints.map((endpoint): MatchBranch => ({
          label: endpoint.side,
          keys: [
            {
              ...addressKeyColumns(endpoint),
              iocColumn: 'IocAddress',
              normalization: 'ip',
            },
          ],
        })),
        ...(source.answerAddressColumns ?? []).map((column): MatchBranch => ({
          label: column,
          keys: [{ column, addressList: true, iocColumn: 'IocAddress', normalization: 'ip' }],
        })),
      ],
    },
    {
      variant: 'domain',
      what: 'domain and its subdomains',
      table: tables.domain,
      description:
        'Events whose host is an indicator domain or one of its subdomains. The host is compared ' +
        'label by label, so evil.com matches a.evil.com but not notevil.com. The hosts of URL ' +
        'indicators are included, except a URL hunted whole because its host is shared, and a ' +
        'URL on a site that the feed marks as compromised.',
      branches: (source) =>
        source.hostColumns.map((column) => ({
          label: column,
          keys: [
            {
              ...hostKeyColumns(source, column),
              iocColumn: 'IocDomain',
              normalization: 'host-suffix',
            },
          ],
        })),
    },
    {
      variant: 'url',
      what: 'URL',
      table: tables.url,
      description:
        'Events whose URL equals an indicator URL. Both sides are compared without the scheme, ' +
        'with the host lower-cased, the default port dropped and an empty path written as /. ' +
        'A path or query with non-ASCII characters also matches with them percent-encoded ' +
        'as UTF-8, as browsers send it.',
      branches: (source) =>
        source.urlColumns.map((column) => ({
          label: column,
          keys: [{ ...urlKeyColumns(source, column), iocColumn: 'IocUrl', normalization: 'url' }],
        })),
    },
    {
      variant: 'hash',
      what: 'file hash',
      table: tables.hash,
      description:
        'Files, and processes that wrote a file, started a process or made a connection, whose ' +
        'MD5, SHA1 or SHA256 equals an indicator hash.',
      branches: (source) =>
        source.hashColumns.map((column) => ({
          label: column,
          keys: [{ column, iocColumn: 'IocHash', normalization: 'lower' }],
        })),
    },
  ];
}

/** Builds every hunt a family's indicators call for, one per variant and data source. */
export function buildHunts(indicators: Indicator[], options: BuildHuntsOptions): Hunt[] {
  const hunts: Hunt[] = [];
  for (const plan of plans(indicators)) {
    if (plan.table.rows.length === 0) continue;
    for (const source of options.dataSources ?? DATA_SOURCES) {
      const match = plan.branches(source);
      if (match.length === 0) continue;
      const platform = source.platform === 'sentinel' ? 'Sentinel' : 'Defender';
      hunts.push({
        id: `${options.familySlug}-${source.slug}-${plan.variant}`,
        title: `${options.family} ${plan.what} in ${source.table} (${platform}, ${plan.variant})`,
        description: plan.description,
        family: options.family,
        variant: plan.variant,
        source: {
          id: source.id,
          table: source.table,
          platform: source.platform,
          timeColumn: source.timeColumn,
          product: source.product,
          connector: source.connector,
        },
        lookback: options.lookback,
        iocs: plan.table,
        match,
        ...(source.where === undefined ? {} : { where: source.where }),
        exclusions: options.exclusionsFor?.(source, plan.variant) ?? [],
        project: source.project,
        constants: { IocFamily: options.family },
      });
    }
  }
  return hunts;
}
