/**
 * URL normalization for indicators, and the URL match key that hunts compare.
 *
 * The parser is hand-written instead of WHATWG `new URL`, because WHATWG parsing rewrites the
 * path (it resolves `..`, turns `\` into `/` and percent-encodes spaces and quotes). An indicator
 * keeps its path and query as the feed gave them, apart from spaces written as `%20`, because
 * clients other than browsers may send them so. `urlInBrowserForm` derives the browser's form.
 */
import { quoteValue } from '../errors.js';
import { parseBrowserIPv4, parseIPv4, parseIPv6, parsePort } from './address.js';
import { checkDomain, checkIpv4 } from '../feeds/text-hosts.js';
import { AMBIGUOUS_TLDS } from '../feeds/text-rules.js';
import { describeRemovedCharacters, normalizeDomain, unicodeHostName } from './domain.js';
import { isRejection, ValueRejection } from './rejection.js';

export interface ParsedUrl {
  /** `scheme://[userinfo@]host[:port]/path?query`, with the parts below. */
  url: string;
  scheme: string;
  host: string;
  hostKind: 'domain' | 'ipv4' | 'ipv6';
  port?: number;
  pathAndQuery: string;
  /** Fixes applied to read a malformed URL, each to be reported as a warning. Absent when none. */
  repairs?: UrlRepair[];
}

/** One fix applied to a malformed URL: the warning code and why the fix is made. */
export interface UrlRepair {
  code:
    | 'URL_SCHEME_REPEATED'
    | 'URL_HOST_IPV4_FORM'
    | 'URL_HOST_TRAILING_DOT'
    | 'URL_SPACE_ENCODED'
    | 'INVISIBLE_CHARACTER_REMOVED';
  /** A clause that follows "because", such as `its scheme is written twice`. */
  reason: string;
}

/**
 * The port a client connects to for a URL that names none, by scheme: the default ports of the
 * WHATWG URL Standard's special schemes other than file.
 */
const DEFAULT_PORTS: ReadonlyMap<string, number> = new Map([
  ['http', 80],
  ['https', 443],
  ['ws', 80],
  ['wss', 443],
  ['ftp', 21],
]);

/**
 * Normalizes an absolute URL: scheme and host lower-cased, an internationalized host in
 * punycode, the scheme's default port dropped (80 for http and ws, 443 for https and wss, 21 for
 * ftp), the fragment dropped
 * and an empty path written as `/`. Userinfo, path and query are kept exactly as given. Any
 * scheme followed by `://` and a host is accepted (http, https, ftp, tcp, ws, ...).
 *
 * Some malformed forms are read with a repair listed in `repairs`. A scheme written twice
 * (`https://https://host/`) is read as the inner URL. An IPv4 host with hex or octal parts
 * (`94.0x4A.164.136`) is read as the dotted decimal address that browsers connect to. A space
 * in the path or query is written as `%20`, the form that browsers send, unless a part after it
 * looks like a second value, such as another URL, a host name or a note in brackets. Spaces at
 * either end are dropped. Any other whitespace or control character, and a space in the
 * authority, are rejected.
 */
export function parseUrl(value: string): ParsedUrl | ValueRejection {
  // WHATWG URL parsing strips spaces at either end, so no browser sends them as %20.
  const trimmed = value.replace(/^ +| +$/g, '');
  const secondValue = findSecondValue(trimmed);
  if (secondValue !== undefined) {
    return new ValueRejection(
      'INVALID_URL',
      `The URL seems to contain more than one value, because ${quoteValue(secondValue)} follows a space. Expected one URL per field. Put a second URL or a note in its own field, and write a space that belongs to the path as %20.`,
    );
  }
  const { text, firstSpace } = withSpacesPercentEncoded(trimmed);
  const parsed = parseEncodedUrl(text);
  if (firstSpace < 0 || isRejection(parsed)) return parsed;
  const repair: UrlRepair = {
    code: 'URL_SPACE_ENCODED',
    reason: `it has a space in its path or query (the first at position ${firstSpace + 1}), which browsers send as %20`,
  };
  parsed.repairs = [...(parsed.repairs ?? []), repair];
  return parsed;
}

/**
 * Finds the first space-separated part after the path's first part that looks like another value
 * and not a path, and returns undefined when there is none. Such a part is a URL (`://`), a note
 * in brackets (`(C2)`, `[payload]`), or a host name or IPv4 address with or without a port or
 * path. A name whose top-level domain is also a file extension, such as `copy.zip`, is read as a
 * file name.
 */
function findSecondValue(value: string): string | undefined {
  const schemeEnd = findSchemeEnd(value);
  if (schemeEnd < 0) return undefined;
  const pathStart = findAuthorityEnd(value, schemeEnd + 3);
  const parts = value.slice(pathStart).split(' ').slice(1);
  return parts.find(
    (part) =>
      part.includes('://') || part.startsWith('(') || part.startsWith('[') || isHostLike(part),
  );
}

function isHostLike(part: string): boolean {
  const host = part.split(/[/:?#]/, 1)[0] ?? '';
  if (checkIpv4(host) !== undefined) return true;
  const domain = checkDomain(host);
  return domain.kind === 'domain' && !AMBIGUOUS_TLDS.has(domain.tld);
}

/**
 * Writes each space after the authority of `value` as `%20`, as WHATWG URL parsing writes it in
 * a path, query or fragment. `firstSpace` is the index of the first space in the path or query,
 * or -1 when they have none. A value with a space in or before its authority is returned
 * unchanged, so that parsing rejects it. An HTTP request line cannot carry a literal space
 * (RFC 9112, section 3), so `%20` is the form that a proxy receives.
 *
 * NOTE: a log that percent-decodes the URL it records would contain the space, and the hunts do
 * not match that form. Neither the CEF `request` field nor Defender's RemoteUrl is documented
 * as decoded.
 */
function withSpacesPercentEncoded(value: string): { text: string; firstSpace: number } {
  const unchanged = { text: value, firstSpace: -1 };
  const space = value.indexOf(' ');
  if (space < 0) return unchanged;
  const schemeEnd = findSchemeEnd(value);
  if (schemeEnd < 0) return unchanged;
  const pathStart = findAuthorityEnd(value, schemeEnd + 3);
  if (space < pathStart) return unchanged;
  const fragmentStart = value.indexOf('#', pathStart);
  const text = value.slice(0, pathStart) + value.slice(pathStart).replaceAll(' ', '%20');
  const inPathOrQuery = fragmentStart < 0 || space < fragmentStart;
  return { text, firstSpace: inPathOrQuery ? space : -1 };
}

function parseEncodedUrl(text: string): ParsedUrl | ValueRejection {
  const badCharacter = findWhitespaceOrControl(text);
  if (badCharacter >= 0) {
    return new ValueRejection(
      'INVALID_URL',
      `The URL contains a space or control character at position ${badCharacter + 1}. Expected a percent-encoded URL, such as %20 for a space.`,
    );
  }
  const schemeEnd = findSchemeEnd(text);
  if (schemeEnd < 0) {
    return new ValueRejection(
      'INVALID_URL',
      'The URL has no scheme. Expected scheme://host/path, such as http://example.com/a. Declare a bare host name as domain.',
    );
  }
  const scheme = text.slice(0, schemeEnd).toLowerCase();
  const authorityStart = schemeEnd + 3;
  const innerSchemeEnd = findSchemeEnd(text.slice(authorityStart));
  if (innerSchemeEnd >= 0) {
    return parseRepeatedScheme(text, scheme, authorityStart, innerSchemeEnd);
  }
  const authorityEnd = findAuthorityEnd(text, authorityStart);
  const fragmentStart = text.indexOf('#', authorityEnd);
  const pathAndQuery = withLeadingSlash(
    text.slice(authorityEnd, fragmentStart < 0 ? text.length : fragmentStart),
  );

  const authority = text.slice(authorityStart, authorityEnd);
  if (authority.includes('\\')) {
    // Browsers read `\` as `/` in http and https URLs, so `http://evil.com\@good.com/` goes to
    // evil.com while a parser that follows RFC 3986 finds the host good.com.
    return new ValueRejection(
      'INVALID_URL',
      'The URL has a backslash before its path, which browsers read as "/" and other parsers do not, so its host is ambiguous. Expected "/" or %5C.',
    );
  }
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at + 1);
  const hostAndPort = authority.slice(at + 1);
  if (at >= 0 && !userinfo.includes(':') && /^\d+$/.test(hostAndPort)) {
    return portAfterAtRejection(text.slice(0, authorityStart), userinfo, hostAndPort, pathAndQuery);
  }
  const host = parseHostAndPort(hostAndPort, scheme);
  if (isRejection(host)) return host;

  const port = host.port === DEFAULT_PORTS.get(scheme) ? undefined : host.port;
  const hostText = host.hostKind === 'ipv6' ? `[${host.host}]` : host.host;
  const portText = port === undefined ? '' : `:${port}`;
  const url = `${scheme}://${userinfo}${hostText}${portText}${pathAndQuery}`;
  const parsed: ParsedUrl = { url, scheme, host: host.host, hostKind: host.hostKind, pathAndQuery };
  if (port !== undefined) parsed.port = port;
  if (host.repair) parsed.repairs = [host.repair];
  return parsed;
}

const HTTP_SCHEMES = new Set(['http', 'https']);

/**
 * Reads `scheme://scheme://host/...`, a copy error seen in ThreatFox URLs, as the inner URL when
 * both schemes are equal or both are http or https. Other nested schemes are rejected.
 */
function parseRepeatedScheme(
  text: string,
  scheme: string,
  authorityStart: number,
  innerSchemeEnd: number,
): ParsedUrl | ValueRejection {
  const inner = text.slice(authorityStart);
  const innerScheme = inner.slice(0, innerSchemeEnd).toLowerCase();
  const repeated = text.slice(0, authorityStart + innerSchemeEnd + 3);
  if (innerScheme !== scheme && !(HTTP_SCHEMES.has(scheme) && HTTP_SCHEMES.has(innerScheme))) {
    return new ValueRejection(
      'INVALID_URL',
      `The URL starts with two different schemes (${quoteValue(repeated)}). Expected one scheme, so fix the feed record.`,
    );
  }
  const parsed = parseUrl(inner);
  if (isRejection(parsed)) return parsed;
  const repair: UrlRepair = {
    code: 'URL_SCHEME_REPEATED',
    reason: `it starts with the scheme twice (${quoteValue(repeated)}), so the URL after the first scheme is read`,
  };
  parsed.repairs = [
    repair,
    ...(parsed.repairs ?? []).filter((other) => other.code !== repair.code),
  ];
  return parsed;
}

/**
 * Returns a normalized URL with its host in Unicode, when the host has a punycode (`xn--`) label,
 * and undefined otherwise. The rest of the URL is kept as it is.
 */
export function urlWithUnicodeHost(url: string): string | undefined {
  if (!url.includes('xn--')) return undefined;
  const { hostStart, authorityEnd } = authorityBounds(url);
  if (hostStart < 0) return undefined;
  const hostAndPort = url.slice(hostStart, authorityEnd);
  const colon = hostAndPort.lastIndexOf(':');
  const host = colon < 0 ? hostAndPort : hostAndPort.slice(0, colon);
  const unicode = unicodeHostName(host);
  if (unicode === undefined) return undefined;
  return url.slice(0, hostStart) + unicode + url.slice(hostStart + host.length);
}

const NON_ASCII = /[^\p{ASCII}]/u;
const NON_ASCII_RUNS = /[^\p{ASCII}]+/gu;
const utf8 = new TextEncoder();

/**
 * Returns a normalized URL with each non-ASCII character of its path and query percent-encoded
 * as UTF-8 in upper-case hex, as browsers send it (`/путь` becomes `/%D0%BF%D1%83%D1%82%D1%8C`),
 * and undefined when its path and query are ASCII. Scheme, user info and host are kept as they
 * are, and so are the ASCII characters of the path and query, `%XX` sequences included. A lone
 * surrogate is encoded as U+FFFD (`%EF%BF%BD`), the character that WHATWG URL parsing reads it as.
 *
 * NOTE: a link on a page in a legacy encoding, such as windows-1251, sends its query in that
 * encoding (WHATWG URL Standard), not in UTF-8, and this form does not match it.
 */
export function urlWithPercentEncodedPath(url: string): string | undefined {
  if (!NON_ASCII.test(url)) return undefined;
  const { hostStart, authorityEnd } = authorityBounds(url);
  if (hostStart < 0) return undefined;
  const pathAndQuery = url.slice(authorityEnd);
  const encoded = pathAndQuery.replace(NON_ASCII_RUNS, percentEncodeUtf8);
  return encoded === pathAndQuery ? undefined : url.slice(0, authorityEnd) + encoded;
}

/**
 * Returns a normalized URL with its path and query as a browser sends them, when its scheme is
 * http, https, ws, wss or ftp and that form has another URL key, and undefined otherwise. The
 * form is the path and query of WHATWG URL parsing (Node's `new URL(url).href`): `.` and `..`
 * segments resolved (`%2e` too), `\` read as `/`, and space, `"`, `<`, `>`, `` ` ``, `{` and `}`
 * in the path and space, `"`, `<`, `>` and `'` in the query percent-encoded. Non-ASCII
 * characters are percent-encoded as UTF-8, as in {@link urlWithPercentEncodedPath}. Scheme, user
 * info, host and port are kept as they are, so the form always names the URL's own host. A form
 * whose path is `/` with no query, the host's home page, returns undefined too.
 */
export function urlInBrowserForm(url: string): string | undefined {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0 || !BROWSER_IPV4_SCHEMES.has(url.slice(0, schemeEnd))) return undefined;
  let href: string;
  try {
    href = new URL(url).href;
  } catch {
    // WHATWG parsing rejects some hosts that normalization accepts, and no browser visits those.
    return undefined;
  }
  const pathAndQuery = href.slice(authorityBounds(href).authorityEnd);
  // A path such as `/a/..` resolves to the host's home page, another page than the feed's. The
  // domain hunt covers the host, and a home-page row would match every visit to it.
  if (pathAndQuery === '/') return undefined;
  const browserForm = url.slice(0, authorityBounds(url).authorityEnd) + pathAndQuery;
  return urlKey(browserForm) === urlKey(url) ? undefined : browserForm;
}

/** Returns `%XX` for each byte of the UTF-8 form of `text`, with upper-case hex digits. */
function percentEncodeUtf8(text: string): string {
  let encoded = '';
  // Every byte of a non-ASCII character's UTF-8 form is 0x80 or more, so it has two hex digits.
  for (const byte of utf8.encode(text)) encoded += `%${byte.toString(16).toUpperCase()}`;
  return encoded;
}

/**
 * Returns the host of a normalized URL when it is a name, such as `cdn.evil.com`, and undefined
 * when it is an address or the text is no URL.
 */
export function urlHostName(url: string): string | undefined {
  const { hostStart, authorityEnd } = authorityBounds(url);
  if (hostStart < 0 || url.charCodeAt(hostStart) === 0x5b) return undefined;
  const hostAndPort = url.slice(hostStart, authorityEnd);
  const colon = hostAndPort.lastIndexOf(':');
  const host = colon < 0 ? hostAndPort : hostAndPort.slice(0, colon);
  // Normalization writes every IPv4 host as a dotted quad, and a name never ends in digits alone.
  if (host === '' || /^[\d.]+$/.test(host)) return undefined;
  return host;
}

/**
 * Returns where the host of a normalized URL starts (after any user info) and where its
 * authority ends, or -1 for a text without `://`.
 */
function authorityBounds(url: string): { hostStart: number; authorityEnd: number } {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return { hostStart: -1, authorityEnd: -1 };
  const authorityStart = schemeEnd + 3;
  const length = url.slice(authorityStart).search(/[/?#]/);
  const authorityEnd = length < 0 ? url.length : authorityStart + length;
  const at = url.lastIndexOf('@', authorityEnd - 1);
  return { hostStart: at >= authorityStart ? at + 1 : authorityStart, authorityEnd };
}

/** The address a URL's host names and the port a client connects to, when the host is an address. */
export interface UrlEndpoint {
  /** Canonical address text, IPv6 without brackets. */
  address: string;
  /** The URL's port, or its scheme's default; absent for a scheme without a known default. */
  port?: number;
}

/**
 * Returns the address and port that a normalized URL connects to, when its host is an IPv4 or
 * IPv6 address, and undefined when the host is a name or the text is no URL.
 */
export function urlEndpoint(url: string): UrlEndpoint | undefined {
  // A host that starts with neither a digit nor a bracket is a name: most URLs stop here.
  const { hostStart } = authorityBounds(url);
  if (hostStart < 0) return undefined;
  const first = url.charCodeAt(hostStart);
  if (first !== 0x5b && (first < 0x30 || first > 0x39)) return undefined;
  const parsed = parseUrl(url);
  if (isRejection(parsed) || parsed.hostKind === 'domain') return undefined;
  const port = parsed.port ?? DEFAULT_PORTS.get(parsed.scheme);
  return port === undefined ? { address: parsed.host } : { address: parsed.host, port };
}

/**
 * Rejects `https://104.41.51.80@80/path`, where the host is only digits after user info. URL
 * parsers read the host as an address (0.0.0.80 in browsers), but reports that copy a WebDAV
 * path (`\\104.41.51.80@80\path`) into a URL mean the port. Normalization does not guess
 * which, so the message names the fix that the free-text reader applies itself.
 */
function portAfterAtRejection(
  schemePart: string,
  userinfo: string,
  digits: string,
  pathAndQuery: string,
): ValueRejection {
  const user = userinfo.slice(0, -1);
  return new ValueRejection(
    'INVALID_URL',
    `The URL host ${quoteValue(digits)} is only digits after the user info ${quoteValue(user)}, which URL parsers read as an address and WebDAV paths (\\\\host@port\\path) as a port. If it means host ${quoteValue(user)} on port ${digits}, write ${quoteValue(`${schemePart}${user}:${digits}${pathAndQuery}`)}.`,
  );
}

interface ParsedHost {
  host: string;
  hostKind: ParsedUrl['hostKind'];
  port: number | undefined;
  repair?: UrlRepair;
}

/**
 * Schemes whose hosts WHATWG URL parsing reads as IPv4 when they end in a number (the "special"
 * schemes other than file). Hosts of other schemes are opaque to it.
 */
const BROWSER_IPV4_SCHEMES = new Set(['http', 'https', 'ws', 'wss', 'ftp']);

/** Parses `host`, `host:port`, `[ipv6]` or `[ipv6]:port`. An empty port counts as no port. */
function parseHostAndPort(text: string, scheme: string): ParsedHost | ValueRejection {
  let hostText = text;
  let portText = '';
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    const after = close < 0 ? '' : text.slice(close + 1);
    if (close < 0 || (after !== '' && !after.startsWith(':'))) {
      return invalidHost(text, 'Expected an IPv6 host in brackets, such as [2001:db8::1]:8080.');
    }
    hostText = text.slice(0, close + 1);
    portText = after.slice(1);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      hostText = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }

  const port = portText === '' ? undefined : parsePort(portText);
  if (isRejection(port)) return port;
  return classifyHost(hostText, port, scheme);
}

function classifyHost(
  text: string,
  port: number | undefined,
  scheme: string,
): ParsedHost | ValueRejection {
  if (text === '') return invalidHost(text, 'Expected scheme://host, with a host name or address.');
  if (text.startsWith('[')) {
    const parsed = parseIPv6(text.slice(1, -1));
    if (isRejection(parsed)) return parsed;
    return { host: parsed.address, hostKind: parsed.family, port };
  }
  if (text.includes(':')) {
    return invalidHost(text, 'Expected an IPv6 host in brackets, such as http://[2001:db8::1]/.');
  }
  const readsIPv4 = BROWSER_IPV4_SCHEMES.has(scheme);
  const dotted = readsIPv4 ? withoutIpv4TrailingDot(text, port, scheme) : undefined;
  if (dotted) return dotted;
  if (endsInDigit(text) || (readsIPv4 && endsInHexNumber(text))) {
    // A host whose last label is numeric can only be an IPv4 address (no top-level domain is
    // numeric). Browsers also read hex (0x4A) and octal (010) parts, so a host of four such
    // parts is read as the address they connect to, and anything else is rejected.
    const ipv4 = parseIPv4(text);
    if (!isRejection(ipv4)) return { host: ipv4, hostKind: 'ipv4', port };
    const reading = readsIPv4 ? parseBrowserIPv4(text) : undefined;
    if (reading === undefined) return ipv4;
    const reason = `browsers (WHATWG URL parsing) read its host ${quoteValue(text)}, which has hex or octal parts, as ${reading}`;
    return {
      host: reading,
      hostKind: 'ipv4',
      port,
      repair: { code: 'URL_HOST_IPV4_FORM', reason },
    };
  }
  const domain = normalizeDomain(text);
  if (isRejection(domain)) return domain;
  const removed = describeRemovedCharacters(text);
  if (removed === undefined) return { host: domain, hostKind: 'domain', port };
  const repair: UrlRepair = { code: 'INVISIBLE_CHARACTER_REMOVED', reason: removed };
  return { host: domain, hostKind: 'domain', port, repair };
}

/**
 * Reads an IPv4 host written with one trailing dot (`1.2.3.4.`) as the address, with a repair:
 * browsers ignore the dot and connect to the address. Returns undefined for any other host.
 */
function withoutIpv4TrailingDot(
  text: string,
  port: number | undefined,
  scheme: string,
): ParsedHost | undefined {
  if (!text.endsWith('.') || text.endsWith('..')) return undefined;
  const address = text.slice(0, -1);
  if (!endsInDigit(address) && !endsInHexNumber(address)) return undefined;
  const inner = classifyHost(address, port, scheme);
  if (isRejection(inner) || inner.hostKind !== 'ipv4') return undefined;
  const dot = `browsers (WHATWG URL parsing) ignore the trailing dot of its address host ${quoteValue(text)}`;
  const repair: UrlRepair = inner.repair
    ? { code: inner.repair.code, reason: `${inner.repair.reason}, and ${dot}` }
    : { code: 'URL_HOST_TRAILING_DOT', reason: dot };
  return { ...inner, repair };
}

function invalidHost(text: string, expected: string): ValueRejection {
  return new ValueRejection(
    'INVALID_URL',
    `The URL host ${quoteValue(text)} is invalid. ${expected}`,
  );
}

/** Returns true when the last dot-separated label of `text` consists of digits only. */
function endsInDigit(text: string): boolean {
  const start = text.lastIndexOf('.') + 1;
  if (start === text.length) return false;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Returns true when the last dot-separated label of `text` is `0x` followed by hex digits. */
function endsInHexNumber(text: string): boolean {
  return /(?:^|\.)0[xX][0-9A-Fa-f]*$/.test(text);
}

/**
 * Returns the index of the `:` in a leading `scheme://`, or -1. A scheme is a letter followed by
 * letters, digits, `+`, `-` or `.` (RFC 3986 section 3.1).
 */
function findSchemeEnd(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const isLetter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (isLetter) continue;
    if (i > 0 && ((code >= 48 && code <= 57) || code === 43 || code === 45 || code === 46))
      continue;
    return i > 0 && code === 58 && text.startsWith('//', i + 1) ? i : -1;
  }
  return -1;
}

/** Returns the index of the first `/`, `?` or `#` at or after `start`, or the text length. */
function findAuthorityEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 47 || code === 63 || code === 35) return i;
  }
  return text.length;
}

function findWhitespaceOrControl(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 32 || code === 127) return i;
  }
  return -1;
}

function withLeadingSlash(pathAndQuery: string): string {
  return pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
}

/**
 * Returns the key that URL hunts compare, for indicator URLs and event values alike, or
 * undefined when the text has no host. The rule, which the KQL and DuckDB backends reproduce:
 * 1. Trim ASCII whitespace (space, tab, CR, LF, form feed) at both ends, and cut everything from
 *    the first `#`.
 * 2. Remove a leading `scheme://`: a letter, then letters, digits, `+`, `-` or `.`.
 * 3. The authority runs up to the first `/` or `?`. Lower-case it, and remove everything up to
 *    and including its last `@` (userinfo).
 * 4. Remove a final `:80` or `:443` from the authority. Both go whatever the scheme, because a
 *    log value such as `host:443/path` may have none. Remove a final `:21` when the scheme is
 *    `ftp` in any letter case. Then remove the root dot of a host written as `evil.com.` or
 *    `evil.com.:8080`, the same host to a browser.
 * 5. Write an empty path as `/`, and put `/` before a query that follows the authority directly.
 * 6. Upper-case the two hex digits after each `%` in the path and query (`%3c` as `%3C`),
 *    because both spell the same octet.
 * Path and query otherwise keep their case and are not percent-decoded, so `%2F` and `/` differ.
 * The host is not converted to punycode or otherwise canonicalized here. Hunts then write an address host
 * in one form (`canonicalAddressHost` in the compile folder), so any IPv6 spelling matches. A
 * value that starts with `//` has an empty authority.
 */
export function urlKey(text: string): string | undefined {
  let rest = trimAsciiWhitespace(text);
  const fragmentStart = rest.indexOf('#');
  if (fragmentStart >= 0) rest = rest.slice(0, fragmentStart);
  const schemeEnd = findSchemeEnd(rest);
  const isFtp = schemeEnd === 3 && rest.slice(0, 3).toLowerCase() === 'ftp';
  if (schemeEnd >= 0) rest = rest.slice(schemeEnd + 3);

  let authorityEnd = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const code = rest.charCodeAt(i);
    if (code === 47 || code === 63) {
      authorityEnd = i;
      break;
    }
  }
  let authority = rest.slice(0, authorityEnd).toLowerCase();
  authority = authority.slice(authority.lastIndexOf('@') + 1);
  if (authority.endsWith(':80')) authority = authority.slice(0, -3);
  else if (authority.endsWith(':443')) authority = authority.slice(0, -4);
  else if (isFtp && authority.endsWith(':21')) authority = authority.slice(0, -3);
  authority = withoutRootDot(authority);
  if (authority === '') return undefined;
  return authority + withLeadingSlash(upperPercentHex(rest.slice(authorityEnd)));
}

/** Upper-cases the hex digits of each `%` followed by two of them; see `PERCENT_HEX_UPPER_STEPS`. */
function upperPercentHex(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
}

/**
 * Removes the dot at the end of the host of an authority, before its `:port` if it has one, as
 * the pattern `\.(:[0-9]*)?$` finds it.
 */
function withoutRootDot(authority: string): string {
  let hostEnd = authority.length;
  while (hostEnd > 0 && isDigit(authority.charCodeAt(hostEnd - 1))) hostEnd--;
  if (hostEnd === 0 || authority.charCodeAt(hostEnd - 1) !== 58) hostEnd = authority.length;
  else hostEnd--;
  if (hostEnd === 0 || authority.charCodeAt(hostEnd - 1) !== 46) return authority;
  return authority.slice(0, hostEnd - 1) + authority.slice(hostEnd);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isAsciiWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 12 || code === 13;
}

function trimAsciiWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isAsciiWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isAsciiWhitespace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
