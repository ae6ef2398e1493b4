/**
 * Builds the indicator table of each hunt variant from a family's indicators, for the pack
 * format being written or read.
 */
import type { HuntVariant, IocTable } from './ir.js';
import { unicodeHostName } from '../indicators/domain.js';
import {
  urlEndpoint,
  urlHostName,
  urlInBrowserForm,
  urlWithPercentEncodedPath,
  urlWithUnicodeHost,
} from '../indicators/url.js';
import {
  addressTable,
  ipPortTable,
  valueTable,
  withPercentEncodedRows,
  withUnicodeRows,
  withUrlHostRows,
  type DerivedValue,
  type IocTableSource,
  type UrlOnAddress,
} from './ioc-table-rows.js';
import { foldSameKeyUrlRows } from './ioc-url-rows.js';

export interface IocTableOptions {
  /**
   * The pack format whose rows to build; default the current one. Format 4 added the rows derived
   * from other rows' values: the address and port of each URL on an address, and the Unicode form
   * of each punycode domain and URL host. Format 5 added the host of each URL on a name to the
   * domain table. Packs of earlier formats were built without them. Format 6 added the rows of URLs
   * with a percent-encoded path. They are built for every format, because they come after all
   * other rows, so the row ranges of packs built without them still select the same rows.
   * Format 7 leaves out the address and port of a URL on a CDN edge or on a compromised site.
   * Format 9 folds the URL rows with the same match key into one row. Format 10 added the form
   * in which browsers send a URL whose path has dot segments, backslashes, quotes and the like.
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
/** The first pack format whose URL table has one row per match key. */
const URL_FOLD_FORMAT = 9;
/** The first pack format whose URL table has the form in which browsers send each URL. */
const BROWSER_FORM_FORMAT = 10;

/**
 * Builds the indicator table of each hunt variant: the rows a hunt of that variant matches, in
 * the order of `indicators`. A URL whose host is an address also adds that address, with its
 * port or its scheme's default, after the address tables' own rows: firewalls and endpoints log
 * the connection without the URL. A URL that may be matched only whole adds only its address and
 * port, never its address alone or its host. A domain
 * or URL host in punycode also adds its Unicode form after the table's own rows. A URL whose path
 * or query has non-ASCII characters adds its form with them percent-encoded, and the same form of
 * its Unicode host URL, after all other URL rows. A URL matched only whole adds that form too,
 * because it is the same URL as a browser requests it. Then each URL that is neither matched
 * only whole nor on a compromised site adds the form in which browsers send it
 * (`urlInBrowserForm`) when that form differs from both, and so does its Unicode host URL. URL rows with the same match key, such as `http://evil.com/a` and
 * `https://evil.com/a`, are then folded into one, which names the others in `IocOtherUrls`, so
 * that one event gives one hit. A variant without indicators gets a table without rows.
 *
 * NOTE: rows carry no indicator id, so a UrlClickEvents click whose `Url` and `UrlChain` contain
 * two forms of one indicator gives one hit for each form.
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
  const browserUrls: DerivedValue[] = [];
  const format = options.formatVersion ?? Infinity;
  const browserForms = format >= BROWSER_FORM_FORMAT;
  const derived = format >= DERIVED_ROWS_FORMAT;
  const hostRows = format >= URL_HOST_ROWS_FORMAT;
  const urlOnly = format >= URL_ONLY_FORMAT;
  const foldUrlRows = (table: IocTable): IocTable =>
    format >= URL_FOLD_FORMAT ? foldSameKeyUrlRows(table) : table;
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
        // Browsers send the URL normalized, and other clients, such as malware, may send it as
        // written, so both forms are hunted. For a path whose only change is non-ASCII
        // characters, the browser form equals the encoded form and adds no second row. A URL on
        // a shared platform or a compromised site is hunted as written only, because its browser
        // form can be another tenant's page or the site's home page.
        const browser =
          browserForms && !indicator.exactOnly && indicator.isCompromised !== true
            ? urlInBrowserForm(indicator.url)
            : undefined;
        if (browser !== undefined && browser !== encoded) {
          browserUrls.push({ indicator, value: browser });
        }
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
        // A log may decode the host and not the path, so the Unicode host URL gets the encoded
        // and browser forms too.
        const unicodeEncoded = encoded === undefined ? undefined : urlWithPercentEncodedPath(value);
        if (unicodeEncoded !== undefined) encodedUrls.push({ indicator, value: unicodeEncoded });
        const unicodeBrowser = browser === undefined ? undefined : urlInBrowserForm(value);
        if (unicodeBrowser !== undefined && unicodeBrowser !== unicodeEncoded) {
          browserUrls.push({ indicator, value: unicodeBrowser });
        }
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
    url: foldUrlRows(
      withPercentEncodedRows(
        withPercentEncodedRows(
          withUnicodeRows(
            valueTable(urls, 'IocUrl', (i) => (i.kind === 'url' ? i.url : undefined)),
            unicodeUrls,
          ),
          urls,
          encodedUrls,
        ),
        urls,
        browserUrls,
      ),
    ),
    hash: valueTable(
      hashes,
      'IocHash',
      (i) => (i.kind === 'md5' || i.kind === 'sha1' || i.kind === 'sha256' ? i.hash : undefined),
      { name: 'IocHashType', value: (i) => i.kind },
    ),
  };
}
