/**
 * Defanging for reports, so that no indicator written into a report, ticket or chat becomes a
 * live link, and refanging of the same forms when a feed gives defanged values.
 *
 * Forms written by {@link defang}:
 * - A dot in a host or IPv4 address becomes `[.]`: `evil[.]com`, `45[.]92[.]1[.]175:5220`.
 * - An IPv6 address is always bracketed and each colon in it becomes `[:]`:
 *   `[2001[:]db8[:][:]1]`, `[2001[:]db8[:][:]1]:443`. The port colon stays as it is.
 * - In a URL, `http://` becomes `hxxp://` and `https://` becomes `hxxps://`, at the start and
 *   anywhere in the path or query, keeping the case of each letter (`HTTP://` becomes
 *   `HXXP://`). Dots are defanged in the host and in the host of each URL in the path or query
 *   (`?u=hxxps://evil[.]com/a.js`), never in userinfo or elsewhere in the path or query.
 * - Hashes are written unchanged.
 *
 * {@link refangValue} reverses these forms and also reads `(.)` as a dot.
 */
import type { Indicator, UrlIndicator } from './model.js';
// defang-text.ts imports this module too. The cycle is safe because neither calls the other
// while it loads.
import { defangUrlText } from './defang-text.js';

/** Returns the defanged text of an indicator, in the forms listed at the top of this file. */
export function defang(indicator: Indicator): string {
  switch (indicator.kind) {
    case 'ip':
      return defangAddress(indicator.address, indicator.addressFamily);
    case 'ip-port':
      return `${defangAddress(indicator.address, indicator.addressFamily)}:${indicator.port}`;
    case 'domain':
      return defangDots(indicator.domain);
    case 'url':
      return defangUrl(indicator);
    case 'md5':
    case 'sha1':
    case 'sha256':
      return indicator.hash;
    default:
      return assertNever(indicator);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unexpected indicator kind in ${JSON.stringify(value)}`);
}

/** Replaces each dot with `[.]`, the defanged form of a host name or IPv4 address. */
export function defangDots(text: string): string {
  return text.replaceAll('.', '[.]');
}

/** Defangs an address: IPv4 dots become `[.]`, IPv6 is bracketed with each colon as `[:]`. */
export function defangAddress(address: string, family: 'ipv4' | 'ipv6'): string {
  return family === 'ipv4' ? defangDots(address) : `[${address.replaceAll(':', '[:]')}]`;
}

function defangUrl(indicator: UrlIndicator): string {
  const { url, scheme, pathAndQuery } = indicator;
  const authority = url.slice(scheme.length + 3, url.length - pathAndQuery.length);
  const userinfo = authority.slice(0, authority.lastIndexOf('@') + 1);
  const host =
    indicator.hostKind === 'ipv6'
      ? defangAddress(indicator.host, 'ipv6')
      : defangDots(indicator.host);
  const port = indicator.port === undefined ? '' : `:${indicator.port}`;
  return `${defangScheme(scheme)}://${userinfo}${host}${port}${defangUrlText(pathAndQuery)}`;
}

function defangScheme(scheme: string): string {
  if (scheme === 'http') return 'hxxp';
  if (scheme === 'https') return 'hxxps';
  return scheme;
}

const EMBEDDED_HTTP = /([hH])([tT])([tT])([pP](?:[sS])?:\/\/)/g;
const DEFANGED_HTTP = /([hH])([xX])([xX])([pP](?:[sS])?:\/\/)/g;
const HAS_DEFANGED_HTTP = /hxxps?:\/\//i;

/**
 * Replaces each `t` of `http://` or `https://` anywhere in `text` with `x`, keeping letter case,
 * so that `HTTP://` becomes `HXXP://`.
 */
export function defangEmbeddedUrls(text: string): string {
  return text.replace(EMBEDDED_HTTP, (_match, h: string, t1: string, t2: string, rest: string) => {
    return `${h}${swapCase(t1, 'x')}${swapCase(t2, 'x')}${rest}`;
  });
}

function swapCase(original: string, letter: 'x' | 't'): string {
  return original === original.toUpperCase() ? letter.toUpperCase() : letter;
}

/**
 * Reverses defanging: `[.]` and `(.)` become `.`, `[:]` becomes `:`, and `hxxp://` or
 * `hxxps://` anywhere becomes `http://` or `https://`, with each `x` of either case read as a
 * `t` of the same case (`hXXp://` becomes `hTTp://`). No other form is guessed.
 *
 * NOTE: a URL whose path really contains `[.]`, `(.)`, `[:]` or `hxxp://` does not survive
 * defang and refang unchanged, because refanging cannot tell those from defanged text.
 */
export function refangValue(text: string): string {
  let result = text;
  if (result.includes('[.]')) result = result.replaceAll('[.]', '.');
  if (result.includes('(.)')) result = result.replaceAll('(.)', '.');
  if (result.includes('[:]')) result = result.replaceAll('[:]', ':');
  if (HAS_DEFANGED_HTTP.test(result)) {
    result = result.replace(
      DEFANGED_HTTP,
      (_match, h: string, x1: string, x2: string, rest: string) => {
        return `${h}${swapCase(x1, 't')}${swapCase(x2, 't')}${rest}`;
      },
    );
  }
  return result;
}
