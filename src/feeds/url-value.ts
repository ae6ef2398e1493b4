/**
 * Reads a URL field of a structured feed, such as a STIX `url:value` comparison or a MISP `url`
 * attribute. These forms, which vendors' feeds carry and URL normalization rejects, are read
 * with a warning. The free-text reader repairs the WebDAV form and the trailing dot the same way.
 * - the WebDAV form that writes the port after `@` (`https://1.2.3.4@80/x` for
 *   `\\1.2.3.4@80\x`) becomes `https://1.2.3.4:80/x`;
 * - a bare host name with no scheme, port or path (`www.example.com`) becomes a domain
 *   indicator, and a bare IPv4 address an ip indicator;
 * - an IPv4 host with one trailing dot (`http://1.2.3.4./x`) loses the dot, which browsers
 *   ignore;
 * - a host with a path but no scheme (`www.example.com/a/b.txt`, `evil.top:8080/gate.php`,
 *   `[2001:db8::1]:8080/gate.php`) becomes an `http://` URL. URL hunts compare URLs without
 *   their scheme, so the URL matches whichever scheme the client used.
 * - a Windows UNC path with a port or `@SSL` (`\\1.2.3.4@80\share\a.cmd`), alone or as the
 *   `location:` of a `search:` link, becomes the URL that Windows' WebDAV client requests
 *   (`http://1.2.3.4:80/share/a.cmd`). Without either, Windows tries SMB first, so the path
 *   gives only its host.
 * Any other value is passed on unchanged, so normalization accepts or rejects it as before.
 */
import { quoteValue, type HuntpackIssue, type SourceLocation } from '../errors.js';
import { parseBrowserIPv4 } from '../indicators/address.js';
import { checkHost } from './text-hosts.js';

export interface UrlValueReading {
  type: 'url' | 'domain' | 'ip';
  value: string;
  warning?: HuntpackIssue;
}

/** `scheme://`, the authority up to the first `/`, `?`, `#` or `\`, and the rest. */
const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#\\]*)([\s\S]*)$/;

/** A value with nothing but host name characters: no scheme, port, user info or path. */
const BARE_HOST = /^[^\s/\\?#@:[\]]+$/;

/**
 * A host name, IPv4 address or bracketed IPv6 address, an optional port, and a path, with no
 * scheme before them.
 */
const HOST_AND_PATH = /^([^\s/\\?#@:[\]]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?(\/[^\s\\]*)$/;

/** The name of a feed's URL field in messages, and the code of its bare-host warning. */
export interface UrlField {
  /** Such as `url:value` or `url attribute`. */
  name: string;
  /** Such as `STIX_URL_BARE_HOST`. */
  bareHostCode: string;
}

/** Reads one URL field value; see the file comment. */
export function readUrlValue(
  value: string,
  source: SourceLocation,
  field: UrlField,
): UrlValueReading {
  if (BARE_HOST.test(value)) {
    const host = checkHost(value);
    if (host.kind === 'domain' || host.kind === 'ipv4') {
      const type = host.kind === 'domain' ? 'domain' : 'ip';
      const kind = type === 'domain' ? 'domain' : 'IP address';
      const message = `${field.name} ${quoteValue(value)} is a host name without a scheme or path, so it was read as the ${kind} ${quoteValue(value)}, which matches all traffic to that host.`;
      return {
        type,
        value,
        warning: { code: field.bareHostCode, severity: 'warning', message, source },
      };
    }
    return { type: 'url', value };
  }
  return (
    readUncPath(value, source, field) ??
    readPortAfterAt(value, source) ??
    readIpv4TrailingDot(value, source) ??
    readWithoutScheme(value, source, field) ?? { type: 'url', value }
  );
}

/**
 * Returns an IPv4 URL host without its one trailing dot (`1.2.3.4.` gives `1.2.3.4`), or
 * undefined for any other host. Browsers (WHATWG URL parsing, as in Node.js 20) ignore the
 * dot and connect to the address, and URL normalization rejects the host.
 */
export function withoutIpv4TrailingDot(host: string): string | undefined {
  if (!host.endsWith('.')) return undefined;
  const address = host.slice(0, -1);
  if (checkHost(address).kind === 'ipv4' || parseBrowserIPv4(address) !== undefined) {
    return address;
  }
  return undefined;
}

/** Returns the message of the URL_HOST_TRAILING_DOT warning, which every reader of URLs shares. */
export function ipv4TrailingDotMessage(url: string, host: string, rewritten: string): string {
  return `URL ${quoteValue(url)} writes its address host ${quoteValue(host)} with a trailing dot, which browsers ignore, so it was read as ${quoteValue(rewritten)}.`;
}

/** Rewrites `http://1.2.3.4./x` as `http://1.2.3.4/x`, with a URL_HOST_TRAILING_DOT warning. */
function readIpv4TrailingDot(value: string, source: SourceLocation): UrlValueReading | undefined {
  const parts = URL_PARTS.exec(value);
  if (!parts) return undefined;
  const [, scheme = '', authority = '', rest = ''] = parts;
  const at = authority.lastIndexOf('@');
  const userinfo = authority.slice(0, at + 1);
  const hostAndPort = /^([^:]*)(:\d*)?$/.exec(authority.slice(at + 1));
  const host = hostAndPort?.[1] ?? '';
  const address = withoutIpv4TrailingDot(host);
  if (address === undefined) return undefined;

  const rewritten = `${scheme}${userinfo}${address}${hostAndPort?.[2] ?? ''}${rest}`;
  const message = ipv4TrailingDotMessage(value, host, rewritten);
  return {
    type: 'url',
    value: rewritten,
    warning: { code: 'URL_HOST_TRAILING_DOT', severity: 'warning', message, source },
  };
}

/**
 * Reads `www.example.com/a/b.txt` as `http://www.example.com/a/b.txt`, with a URL_NO_SCHEME
 * warning, when the part before the first `/` is a valid host name, IPv4 address or bracketed
 * IPv6 address and an optional port.
 */
function readWithoutScheme(
  value: string,
  source: SourceLocation,
  field: UrlField,
): UrlValueReading | undefined {
  const parts = HOST_AND_PATH.exec(value);
  if (!parts) return undefined;
  if (checkHost(parts[1] ?? '').kind === 'invalid') return undefined;
  const rewritten = `http://${value}`;
  const message = `${field.name} ${quoteValue(value)} has no scheme, so it was read as ${quoteValue(rewritten)}. URL hunts compare URLs without their scheme, so it also matches the same URL over https.`;
  return {
    type: 'url',
    value: rewritten,
    warning: { code: 'URL_NO_SCHEME', severity: 'warning', message, source },
  };
}

/**
 * A UNC path at the start of the value, or as the `location:` of a `search:` or `search-ms:`
 * link. Its groups are the host, `@SSL`, `@port` and the path up to the end of the value, `&` or
 * a quote. Search links (`search:query=x&crumb=location:\\host@80\share`) open such a share in
 * Explorer. A link that merely carries one in its query, such as a redirector's, stays a URL.
 */
const UNC_PATH =
  /(?:^|^search(?:-ms)?:[^\\]*?location:)\\\\([^\\\s@/&'"]+?)(@SSL)?(?:@(\d{1,5}))?((?:\\[^\\&'"]*)*)(?=$|[&'"])/i;

/**
 * Reads a Windows UNC path as a URL or a host, with a URL_UNC_PATH warning. With `@SSL` or a
 * port, Windows reaches the share over WebDAV, an HTTP request for the path (HTTPS with `@SSL`,
 * port 80 or 443 when none is given). Without either it tries SMB first, so only the host is
 * read, as a domain or an IPv4 address.
 */
function readUncPath(
  value: string,
  source: SourceLocation,
  field: UrlField,
): UrlValueReading | undefined {
  const parts = UNC_PATH.exec(value);
  if (!parts) return undefined;
  const [, host = '', ssl, port, path = ''] = parts;
  const checked = checkHost(host);
  if (checked.kind === 'invalid') return undefined;
  if (ssl === undefined && port === undefined) {
    if (checked.kind !== 'domain' && checked.kind !== 'ipv4') return undefined;
    const type = checked.kind === 'domain' ? 'domain' : 'ip';
    const message = `${field.name} ${quoteValue(value)} is a Windows UNC path without a WebDAV port, which Windows opens over SMB first, so only its host was read, as ${quoteValue(host)}.`;
    return {
      type,
      value: host,
      warning: { code: 'URL_UNC_PATH', severity: 'warning', message, source },
    };
  }
  const scheme = ssl === undefined ? 'http' : 'https';
  const segments = path.split('\\').map((segment) => encodeURI(segment));
  const rewritten = `${scheme}://${host}${port === undefined ? '' : `:${port}`}${segments.join('/') || '/'}`;
  const message = `${field.name} ${quoteValue(value)} is a Windows UNC path to a WebDAV share, which Windows requests over ${scheme.toUpperCase()}, so it was read as ${quoteValue(rewritten)}.`;
  return {
    type: 'url',
    value: rewritten,
    warning: { code: 'URL_UNC_PATH', severity: 'warning', message, source },
  };
}

/**
 * Rewrites `https://104.41.51.80@80/path` as `https://104.41.51.80:80/path`, with the same
 * URL_PORT_AFTER_AT warning as the free-text reader. The rewrite applies only when the part
 * before `@` is a valid host without a `:` and the part after it is only digits. URL parsers
 * would read the host as user info and the digits as the host (0.0.0.80 in browsers), which
 * names no server.
 */
function readPortAfterAt(value: string, source: SourceLocation): UrlValueReading | undefined {
  const parts = URL_PARTS.exec(value);
  if (!parts) return undefined;
  const [, scheme = '', authority = '', rest = ''] = parts;
  const at = authority.lastIndexOf('@');
  if (at < 0) return undefined;
  const host = authority.slice(0, at);
  const port = authority.slice(at + 1);
  if (host.includes(':') || !/^\d+$/.test(port)) return undefined;
  if (checkHost(host).kind === 'invalid') return undefined;

  const rewritten = `${scheme}${host}:${port}${rest}`;
  const message = portAfterAtMessage(value, host, port, rewritten);
  return {
    type: 'url',
    value: rewritten,
    warning: { code: 'URL_PORT_AFTER_AT', severity: 'warning', message, source },
  };
}

/** Returns the message of the URL_PORT_AFTER_AT warning, which every reader of URLs shares. */
export function portAfterAtMessage(
  url: string,
  host: string,
  port: string,
  rewritten: string,
): string {
  return `URL ${quoteValue(url)} writes its port after "@", as a WebDAV path does (\\\\${host}@${port}\\share), so it was read as ${quoteValue(rewritten)}. URL parsers would read ${quoteValue(host)} as user info and ${quoteValue(port)} as the host. Check the source.`;
}
