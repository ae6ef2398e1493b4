/**
 * Finds URLs in one refanged line of free text.
 */
import { ipv4TrailingDotMessage, portAfterAtMessage, withoutIpv4TrailingDot } from './url-value.js';
import { quoteValue } from '../errors.js';
import { parseBrowserIPv4 } from '../indicators/address.js';
import { checkHost, type HostCheck } from './text-hosts.js';
import {
  accept,
  blank,
  drop,
  execAt,
  fangedLinkDropReason,
  issue,
  parsePort,
  reject,
  type LineScan,
  type ScanSettings,
} from './text-scan.js';

/** Tag of the host of a URL that was cut or shortened and so is not hunted as a URL. */
const CUT_URL_TAG = 'from-cut-url';

/** The ellipsis character that writers put where they left part of a long URL out. */
const ELLIPSIS = '\u2026';

/** A possessive after a URL (`hxxp://evil[.]com/gate's`), which ends the URL at the quote. */
const POSSESSIVE = /'s(?![\p{L}\p{N}])/uy;

/** A quote right after a URL, then the text that the quote cut off (`?c="2"`). */
const QUOTE_THEN_TEXT = /(["'])([\p{L}\p{N}][^\s"'<>`|]*)/uy;

/** The word after the space that ends a URL. */
const NEXT_WORD = / (\S+)/y;

/**
 * Any scheme followed by `://`, in group 1. A scheme of HUNTED_SCHEMES starts a URL indicator,
 * and any other (`smb://`, `file://`) gives its host only. A scheme without `//` (`search:`,
 * `mailto:`) names no host and is not read. Schemes with dots (`com.example.app://`) are not
 * matched, so a domain written before `://` is not read as a scheme.
 */
const URL_START = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+-]*):\/\//g;

/** Schemes of the URLs that the reader hunts as URL indicators. */
const HUNTED_SCHEMES: ReadonlySet<string> = new Set([
  'http',
  'https',
  'ftp',
  'ftps',
  'sftp',
  'ws',
  'wss',
  'tcp',
]);

/**
 * Returns the tag of the host of a URL whose scheme is not hunted, such as `from-smb-url`.
 * `writtenScheme` is the scheme as written, so a scheme that an unknown defang cut is named
 * whole (`from-h*tp-url`, where URL_START reads only `tp`).
 */
function otherSchemeTag(writtenScheme: string): string {
  return `from-${writtenScheme.toLowerCase()}-url`;
}

/**
 * A second scheme right after the first (`hxxp://http://evil.com/`), a copy error that
 * ThreatFox URLs carry too. URL normalization reads the URL after the first scheme, with a
 * URL_SCHEME_REPEATED warning, so the reader finds the host after the second one.
 */
const REPEATED_SCHEME = /(?:https?|ftps?|sftp|wss?|tcp):\/\//iy;

/** Characters that end a URL in prose: space, quotes, angle brackets, backticks, table bars. */
const URL_STOP = /[\s"'<>`|]/;

/**
 * Characters stripped from the end of a URL: sentence punctuation and closing quotes, the
 * typographic ones that word processors put in reports included.
 */
const TRAILING = new Set([
  ...['.', ',', ';', ':', '!', '?', ')', ']', '}', "'", '"', '>', '*'],
  ...['\u201D', '\u2019', '\u00BB', '\u203A'],
]);

/** A next token that reads like the rest of a path: `Client.js`, `dir/file`. */
const PATH_CONTINUATION = /^(?:[\w%~+-]+\.[A-Za-z0-9]{1,5}|[\w%~+.-]*\/\S*)$/;

/** A host that `checkHost` accepted. */
type HostFound = Exclude<HostCheck, { kind: 'invalid' }>;

interface Authority {
  host: string;
  userinfo?: string;
  port?: string;
  /** Offset of the path, query or fragment after the authority. */
  pathStart: number;
}

/** Finds the end of a URL that starts at `start`, before trailing punctuation is stripped. */
function findRawEnd(text: string, start: number, hostStart: number): number {
  let end = start;
  while (end < text.length) {
    const char = text[end] ?? '';
    if (URL_STOP.test(char)) break;
    // An AsciiDoc link (`https://x.org[text]`) ends at its bracket, but an IPv6 host starts with one.
    if (char === '[' && end !== hostStart) break;
    end++;
  }
  return end;
}

/**
 * Strips trailing punctuation, keeping a closing bracket that matches an opening one. The
 * brackets are counted once, so a URL that ends in a long run of them takes linear time.
 */
function stripTrailing(url: string): string {
  const openParens = count(url, '(');
  const openBrackets = count(url, '[');
  let closeParens = count(url, ')');
  let closeBrackets = count(url, ']');
  let end = url.length;
  while (end > 0 && TRAILING.has(url[end - 1] ?? '')) {
    const last = url[end - 1];
    if (last === ')' && openParens >= closeParens) break;
    if (last === ']' && openBrackets >= closeBrackets) break;
    if (last === ')') closeParens--;
    if (last === ']') closeBrackets--;
    end--;
  }
  return url.slice(0, end);
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** Splits `user@host:port` after the scheme into its parts. */
function parseAuthority(url: string, hostStart: number): Authority {
  const rest = url.slice(hostStart);
  const authorityLength = rest.search(/[/?#\\]/);
  const authority = authorityLength === -1 ? rest : rest.slice(0, authorityLength);
  const pathStart = hostStart + authority.length;

  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? undefined : authority.slice(0, at);
  const hostPort = authority.slice(at + 1);
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  const result: Authority = { host: match?.[1] ?? hostPort, pathStart };
  if (userinfo !== undefined) result.userinfo = userinfo;
  if (match?.[2] !== undefined) result.port = match[2];
  return result;
}

/**
 * Finds URLs with a scheme. A URL ends at a space or a quote, so a path with a space or a quote
 * is cut there, and a URL shortened with "…" lacks part of its text. Such a URL is not hunted,
 * because it cannot match the real request. Its host is read instead, with a warning.
 */
export function scanUrls(scan: LineScan, settings: ScanSettings): void {
  // This pass blanks each URL and the words it takes after it. A later match inside one of them
  // (`?next=https://...`) is skipped. The text from a match that is not skipped onward reads as
  // in `text`, so no match needs a fresh copy of the line.
  const text = scan.work.read();
  for (const match of text.matchAll(URL_START)) {
    const start = match.index;
    const schemeEnd = start + match[0].length;
    if (scan.work.isBlanked(start, schemeEnd)) continue;
    const hostStart = schemeEnd + (execAt(REPEATED_SCHEME, text, schemeEnd)?.[0].length ?? 0);

    const rawEnd = findRawEnd(text, start, hostStart);
    const url = stripTrailing(scan.line.text.slice(start, rawEnd));
    const end = start + url.length;
    blank(scan, start, rawEnd);
    if (end <= hostStart) {
      drop(scan, 'invalid-domain', scan.line.text.slice(start, rawEnd));
      continue;
    }
    const scheme = (match[1] ?? '').toLowerCase();
    if (!HUNTED_SCHEMES.has(scheme)) {
      const found = { url, start, end, hostStart, cut: undefined };
      const written = writtenScheme(text, start, match[1] ?? '');
      readOtherSchemeUrl(scan, settings, found, scheme, written);
      continue;
    }
    const cut = findUrlCut(scan, text, { url, hostOffset: hostStart - start, end, rawEnd });
    readUrl(scan, settings, { url, start, end, hostStart, cut });
  }
}

/**
 * The symbols and letters that a scheme defanged in an unknown way (`h*tp`, `h__xp`) has before
 * the part that URL_START reads as the scheme.
 */
const MANGLED_SCHEME_START = /[A-Za-z0-9]*[*_][A-Za-z0-9*_]*$/;

/**
 * Returns the scheme as written, which is longer than `scheme` when a defang that the reader
 * does not refang cut it, as in `h*tp://`, where URL_START reads only `tp`.
 */
function writtenScheme(text: string, start: number, scheme: string): string {
  const before = text.slice(Math.max(0, start - 32), start);
  const prefix = MANGLED_SCHEME_START.exec(before)?.[0] ?? '';
  return prefix + scheme;
}

/** The reason that the URL as written is only part of the real URL. */
interface UrlCut {
  code: 'URL_CUT_AT_SPACE' | 'URL_CUT_AT_QUOTE' | 'URL_SHORTENED';
  /** The sentence of the warning that names where the URL was cut. */
  reason: string;
}

interface FoundUrl {
  url: string;
  start: number;
  end: number;
  hostStart: number;
  /** Set when the URL was cut or shortened, so that only its host is hunted. */
  cut: UrlCut | undefined;
}

/**
 * A URL that `scanUrls` found. It ends at `end`, and it ended at `rawEnd` before trailing
 * punctuation was stripped.
 */
interface UrlEnd {
  url: string;
  /** Offset of the host in `url`. */
  hostOffset: number;
  end: number;
  rawEnd: number;
}

/**
 * Returns how a URL that ends at `end` was cut, or undefined when it looks whole. A URL with a
 * path is cut when it contains "…", when it stops at a quote that letters or digits follow
 * (`c="2"`), or when the next word looks like the rest of its path. `text` is the working copy
 * as the URL pass read it.
 */
function findUrlCut(scan: LineScan, text: string, found: UrlEnd): UrlCut | undefined {
  const { url, hostOffset, end, rawEnd } = found;
  const path = url.slice(hostOffset).replace(/^[^/?#\\]*/, '');
  if (path === '' || path === '/') return undefined;

  if (path.includes(ELLIPSIS)) {
    const reason =
      `URL ${quoteValue(url)} contains "${ELLIPSIS}", which marks text left out, so the URL ` +
      `is shortened.`;
    return { code: 'URL_SHORTENED', reason };
  }
  if (rawEnd !== end) return undefined;

  const quoted = execAt(QUOTE_THEN_TEXT, scan.line.text, end);
  if (quoted && !execAt(POSSESSIVE, scan.line.text, end)) {
    const reason =
      `URL ${quoteValue(url)} is followed by a quote and ${quoteValue(quoted[2] ?? '')} with ` +
      `no space between, so the quote is part of the URL and the URL was cut at it.`;
    return { code: 'URL_CUT_AT_QUOTE', reason };
  }

  const cutWord = takeCutPathWord(scan, text, path, end);
  if (cutWord === undefined) return undefined;
  const reason =
    `URL ${quoteValue(url)} is followed by ${quoteValue(cutWord)}, which looks like the ` +
    `rest of its path, so the URL was cut at the space.`;
  return { code: 'URL_CUT_AT_SPACE', reason };
}

function readUrl(scan: LineScan, settings: ScanSettings, found: FoundUrl): void {
  const { url, start, end } = found;
  const authority = parseAuthority(url, found.hostStart - start);
  const webDav = readPortAfterAt(authority);
  const written = webDav?.host ?? authority.host;
  // Browsers ignore one dot after an IPv4 host and URL normalization rejects it, so it is removed.
  const dotless = withoutIpv4TrailingDot(written);
  const host = dotless ?? written;
  const port = webDav?.port ?? authority.port;

  const path = url.slice(authority.pathStart);
  const reason = fangedLinkDropReason(scan, settings, { start, end, host, path });
  if (reason) return drop(scan, reason, url);

  const checked = checkUrlHost(host);
  if (checked.kind === 'invalid') {
    const message = `Invalid host ${quoteValue(host)} in URL ${quoteValue(url)}: expected a domain with a known top-level domain or an IP address.`;
    return reject(scan, settings, 'INVALID_URL_HOST', message);
  }
  if (port !== undefined && port !== '' && parsePort(port) === undefined) {
    const message = `Invalid port ${quoteValue(port)} in URL ${quoteValue(url)}: expected a number from 0 to 65535.`;
    return reject(scan, settings, 'INVALID_PORT', message);
  }

  if (found.cut !== undefined) {
    return readCutUrlHost(scan, settings, { ...found, cut: found.cut, host, port, checked });
  }

  let value = url;
  if (webDav || dotless !== undefined) {
    const userinfo = !webDav && authority.userinfo !== undefined ? `${authority.userinfo}@` : '';
    const portText = port === undefined ? '' : `:${port}`;
    value = url.slice(0, found.hostStart - start) + userinfo + host + portText + path;
  }
  if (webDav) {
    const message = portAfterAtMessage(url, host, port ?? '', value);
    scan.warnings.push(issue(scan, settings, 'URL_PORT_AFTER_AT', message));
  }
  if (dotless !== undefined) {
    const message = ipv4TrailingDotMessage(url, written, value);
    scan.warnings.push(issue(scan, settings, 'URL_HOST_TRAILING_DOT', message));
  }

  // A pack hunts a URL whose host is an address on that address and port as well, so the reader
  // derives no ip-port from it. An address with a port still covers bare mentions of it.
  const addressWithPort = checked.kind !== 'domain' && port !== undefined && port !== '';
  accept(scan, 'url', value, start, addressWithPort ? { address: checked.canonical } : {});
}

/**
 * Checks a URL host like `checkHost`, and also reads an IPv4 host with hex or octal parts
 * (`0x7f.0.0.1`) as the dotted decimal address that browsers connect to. URL normalization
 * reads such a host the same way, with a URL_HOST_IPV4_FORM warning.
 */
function checkUrlHost(host: string): HostCheck {
  const checked = checkHost(host);
  if (checked.kind !== 'invalid') return checked;
  const address = parseBrowserIPv4(host);
  return address === undefined ? checked : { kind: 'ipv4', canonical: address };
}

/**
 * Reads the WebDAV form of host and port that some reports carry into URLs, as in
 * `https://104.41.51.80@80/path` for `\\104.41.51.80@80\path`, and returns that host and port.
 * URL parsers would read the address as user info and the port as the host (0.0.0.80 in
 * browsers), which names no server. Returns undefined for any other authority.
 */
function readPortAfterAt(authority: Authority): { host: string; port: string } | undefined {
  const { userinfo, host, port } = authority;
  if (userinfo === undefined || port !== undefined || !/^\d+$/.test(host)) return undefined;
  if (checkHost(userinfo).kind === 'invalid') return undefined;
  return { host: userinfo, port: host };
}

/**
 * Returns the word after a URL when it looks like the rest of a path cut off at a space, and
 * blanks it so that no later scanner reads it. Returns undefined otherwise.
 */
function takeCutPathWord(
  scan: LineScan,
  text: string,
  path: string,
  end: number,
): string | undefined {
  if (path.endsWith('/')) return undefined;

  const next = execAt(NEXT_WORD, text, end);
  const word = next?.[1];
  if (word === undefined || word.includes('://') || !PATH_CONTINUATION.test(word)) return undefined;
  if (checkHost(word).kind !== 'invalid') return undefined;

  blank(scan, end + 1, end + 1 + word.length);
  return word;
}

/**
 * Reads the host of a cut or shortened URL in place of the URL. A URL hunt matches whole
 * requests, so the cut URL could never match. The scanners after this one do not see the host,
 * because the URL is blanked, so without this step the report's server would be lost.
 */
function readCutUrlHost(
  scan: LineScan,
  settings: ScanSettings,
  found: FoundUrl & { cut: UrlCut; host: string; port: string | undefined; checked: HostFound },
): void {
  const { cut } = found;
  const hunted = acceptUrlHost(scan, found, CUT_URL_TAG);
  const message =
    `${cut.reason} The cut URL cannot match the real request, so it is not hunted as a URL, ` +
    `and ${hunted} instead. Check the source and add the full URL by hand to hunt it.`;
  scan.warnings.push(issue(scan, settings, cut.code, message));
}

/**
 * Schemes whose authority names an app, a package or a browser extension rather than a server:
 * `android-app://com.example.app/...` names the package com.example.app. An Android
 * `intent://host/path#Intent;...` link names a web server, so it is not one of them.
 */
const APP_SCHEMES = new Set([
  'android-app',
  'ios-app',
  'market',
  'itms-apps',
  'chrome-extension',
  'moz-extension',
  'ms-browser-extension',
  'safari-web-extension',
  'ms-appx',
  'ms-appx-web',
]);

/**
 * Reads the host of a URL whose scheme the reader does not hunt as a URL (`smb://`, `file://`,
 * `meow://`), as a domain, ip or ip-port tagged `from-SCHEME-url`, with a URL_SCHEME_NOT_HUNTED
 * warning. The host is the server the URL names, whatever protocol reaches it. A host that is
 * no valid name or address is dropped, because such schemes also name apps and local resources
 * (`chrome-extension://id/`, `file:///C:/x`).
 */
function readOtherSchemeUrl(
  scan: LineScan,
  settings: ScanSettings,
  found: FoundUrl,
  scheme: string,
  written: string,
): void {
  const { url, start, end } = found;
  if (APP_SCHEMES.has(scheme)) return drop(scan, 'app-link', url);
  if (APP_SCHEMES.has(scheme.toLowerCase())) return drop(scan, 'app-link', url);
  const authority = parseAuthority(url, found.hostStart - start);
  const host = withoutIpv4TrailingDot(authority.host) ?? authority.host;
  const path = url.slice(authority.pathStart);
  const reason = fangedLinkDropReason(scan, settings, { start, end, host, path });
  if (reason) return drop(scan, reason, url);

  const checked = checkHost(host);
  if (checked.kind === 'invalid') return drop(scan, checked.reason, url);
  const port = authority.port;
  if (port !== undefined && port !== '' && parsePort(port) === undefined) {
    const message = `Invalid port ${quoteValue(port)} in URL ${quoteValue(url)}: expected a number from 0 to 65535.`;
    return reject(scan, settings, 'INVALID_PORT', message);
  }

  const hunted = acceptUrlHost(scan, { start, host, port, checked }, otherSchemeTag(written));
  const schemes = [...HUNTED_SCHEMES].join(', ');
  const message =
    `URL ${quoteValue(written.slice(0, -scheme.length) + url)} has the scheme ` +
    `${quoteValue(written)}, which the free-text reader does not hunt as a URL (it hunts ` +
    `${schemes}), so ${hunted} instead. Check the source, ` +
    'and add the URL by hand if a log you hunt records it.';
  scan.warnings.push(issue(scan, settings, 'URL_SCHEME_NOT_HUNTED', message));
}

/**
 * Accepts the host of a URL that is not hunted whole: a domain (tagged `port:N` when the URL
 * names a port), an ip-port, or an ip. Returns the clause that names what is hunted.
 */
function acceptUrlHost(
  scan: LineScan,
  found: { start: number; host: string; port: string | undefined; checked: HostFound },
  tag: string,
): string {
  const { start, host, checked } = found;
  const port = found.port === '' ? undefined : found.port;
  const tags = [tag];
  if (checked.kind === 'domain') {
    if (port !== undefined) tags.push(`port:${port}`);
    accept(scan, 'domain', host, start, { tags });
    return `its host ${quoteValue(host)} is hunted as a domain`;
  }
  if (port !== undefined) {
    // An IPv4 host with hex or octal parts is hunted as the address that browsers read.
    const server = `${checked.kind === 'ipv4' ? checked.canonical : host}:${port}`;
    accept(scan, 'ip-port', server, start, { address: checked.canonical, tags });
    return `its server ${quoteValue(server)} is hunted as an ip-port`;
  }
  const address = checked.kind === 'ipv6' ? host.slice(1, -1) : checked.canonical;
  accept(scan, 'ip', address, start, { address: checked.canonical, tags });
  return `its host ${quoteValue(address)} is hunted as an ip`;
}
