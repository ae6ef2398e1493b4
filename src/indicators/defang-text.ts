/**
 * Defanging of hosts, addresses and URLs inside free text and logged values, in the forms that
 * `defang` gives indicators, for reports and messages that quote them.
 */
import { isIP } from 'node:net';
import { defangAddress, defangDots, defangEmbeddedUrls } from './defang.js';

/**
 * Defangs a host name or address as logged, in the forms of `defang`: dots become `[.]`, and an
 * IPv6 address, bracketed or not, is bracketed with each colon as `[:]`.
 */
export function defangHostText(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // The dots of an IPv4-mapped IPv6 address, such as ::ffff:192.0.2.1, are defanged too.
  return isIP(bare) === 6 ? defangDots(defangAddress(bare, 'ipv6')) : defangDots(bare);
}

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * The scheme of a URL inside other text. It has at most 32 characters, so that a long run of
 * letters is not read again from each of them.
 */
const EMBEDDED_SCHEME = /[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\//g;

/** The end of a URL's authority: the path, query or fragment that follows it. */
const AUTHORITY_END = /[/?#\\]/g;

/** The end of a URL inside other text: the next space, quote or angle bracket. */
const EMBEDDED_URL_END = /[\s"'<>]/g;

/**
 * Defangs a URL as logged, in the forms of `defang` for URL indicators: `http://` and `https://`
 * become `hxxp://` and `hxxps://` wherever they appear, and the host is defanged as a host name
 * or address. So is the host of each URL in the path or query. Userinfo, port, path and query
 * keep their other dots. A value without a scheme, such as `evil.com/a` or a bare host name,
 * starts with its host.
 *
 * NOTE: a host name in the path or query without a scheme, as in `/go?to=evil.com`, stays live.
 */
export function defangUrlText(url: string): string {
  const schemeEnd = URL_SCHEME.exec(url)?.[0].length ?? 0;
  let text = defangEmbeddedUrls(url.slice(0, schemeEnd));
  // The URLs in the path or query are taken one after another, not by recursion, so that a
  // value of many nested URLs costs time linear in its length.
  let authorityStart = schemeEnd;
  let urlEnd = url.length;
  let embeddedEnd = -1;
  for (;;) {
    AUTHORITY_END.lastIndex = authorityStart;
    const authorityEnd = Math.min(AUTHORITY_END.exec(url)?.index ?? urlEnd, urlEnd);
    text += defangAuthority(url.slice(authorityStart, authorityEnd));
    EMBEDDED_SCHEME.lastIndex = authorityEnd;
    const next = EMBEDDED_SCHEME.exec(url);
    if (next === null) return text + url.slice(authorityEnd);
    text += url.slice(authorityEnd, next.index) + defangEmbeddedUrls(next[0]);
    authorityStart = next.index + next[0].length;
    // An embedded URL ends at the next space, quote or angle bracket. URLs nested in one another
    // share that end, so it is searched for again only once passed.
    if (embeddedEnd < authorityStart) {
      EMBEDDED_URL_END.lastIndex = authorityStart;
      embeddedEnd = EMBEDDED_URL_END.exec(url)?.index ?? url.length;
    }
    urlEnd = embeddedEnd;
  }
}

/** Defangs the host of a URL's authority and keeps its userinfo and port. */
function defangAuthority(authority: string): string {
  const hostStart = authority.lastIndexOf('@') + 1;
  const [host, port] = splitPort(authority.slice(hostStart));
  return authority.slice(0, hostStart) + defangHostText(host) + port;
}

/** Splits `host:port` or `[v6]:port` into the host and `:port`; a bare IPv6 address has none. */
function splitPort(hostAndPort: string): [host: string, port: string] {
  if (hostAndPort.startsWith('[')) {
    const end = hostAndPort.indexOf(']') + 1;
    return end > 0 ? [hostAndPort.slice(0, end), hostAndPort.slice(end)] : [hostAndPort, ''];
  }
  const colon = hostAndPort.lastIndexOf(':');
  if (colon < 0 || isIP(hostAndPort) !== 0) return [hostAndPort, ''];
  // Only digits make a port, so that `blocked:evil.com` keeps `evil.com` in the host.
  if (!/^:\d*$/.test(hostAndPort.slice(colon))) return [hostAndPort, ''];
  return [hostAndPort.slice(0, colon), hostAndPort.slice(colon)];
}

/**
 * Matches, in free text, a URL with any scheme, an IPv6 address (bracketed, or standing alone),
 * or a dotted name, which may be a host name or an IPv4 address.
 */
const HOSTS_IN_TEXT = new RegExp(
  [
    // The scheme and the labels have bounded lengths (a scheme of up to 32 characters, a DNS
    // label of up to 63), so that a long word is not read again from each of its letters.
    String.raw`(?<url>[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s"'<>]*)`,
    String.raw`(?<ipv6>\[(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*\]|(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*(?![\w:]))`,
    String.raw`(?<name>(?<![\p{L}\p{N}])(?:[\p{L}\p{N}](?:[\p{L}\p{N}_-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)`,
  ].join('|'),
  'gu',
);

/**
 * Defangs every URL, IPv6 address, IPv4 address and host name in free text, such as a logged
 * action or a warning that quotes a log value. A dotted name counts as a host name when its last
 * label contains a letter, so `gate.php` becomes `gate[.]php` but a version such as `1.2.3` stays.
 */
export function defangText(text: string): string {
  return text.replace(HOSTS_IN_TEXT, (match: string, ...rest: unknown[]) => {
    const groups = rest.at(-1) as Record<string, string | undefined>;
    if (groups.url !== undefined) return defangUrlText(match);
    if (groups.ipv6 !== undefined) {
      // A sentence may end right after an address, so a final dot is not part of it.
      const address = match.endsWith('.') && !match.endsWith(']') ? match.slice(0, -1) : match;
      const bare = address.startsWith('[') ? address.slice(1, -1) : address;
      if (isIP(bare) !== 6) return match;
      return defangHostText(bare) + match.slice(address.length);
    }
    const lastLabel = match.slice(match.lastIndexOf('.') + 1);
    return /\p{L}/u.test(lastLabel) || isIP(match) === 4 ? defangDots(match) : match;
  });
}
