/**
 * Tells a version number from an IPv4 address in free text. Threat reports quote user agents
 * (`Chrome/120.0.0.0`), product versions (`version 7.4.2.1`) and OIDs (`OID 1.3.6.1`) that have
 * the shape of a dotted quad, and hunting them as addresses would match unrelated traffic.
 */

/** Number of characters before a dotted quad that are searched for a version word. */
const VERSION_WORD_WINDOW = 80;

/**
 * A version word at the end of the text before a dotted quad, a few separators after it, and
 * any version numbers listed before this one: `version 7.4.2.1`, `ver. 7.4.2.1`, `build:
 * 10.0.0.1`, `OID 1.3.6.1`, `versions 1.2 and 7.4.2.1`.
 */
const VERSION_WORD_BEFORE =
  /(?<![\p{L}\p{N}_])(?:versions?|ver|v|build|plugin|oid|release|firmware|rev)\.?[\s:=#(-]{0,3}(?:\d+(?:\.\d+)+(?:\s*(?:,|and|or|\/)\s*|-|\u2013))*$/iu;

/**
 * The text between two version numbers of a list: a comma, `and`, `or` or `/` with optional
 * spaces, or a dash without spaces, as in the range `1.0.0.1-1.0.0.9`. A dash between spaces
 * does not continue a list, because `Firmware 7.4.2.1 - 45.61.2.13` names an address after it.
 * Nor do `, and`, `&` or `through`, which in prose often start a clause that names a C2 address
 * (`version 2.3, and 45.77.12.9 served the payload`).
 * NOTE: in `7.4.2.1/9.1.0.17` the CIDR check of scanIpv4 reads `/9` as a prefix first, so the
 * pair is dropped as a cidr-range, and only a spaced `/` reaches this list rule.
 */
const VERSION_LIST_SEPARATOR = /^(?:\s*(?:,|and|or|\/)\s*|-|\u2013)$/i;

/**
 * Product tokens of browser user agents, as Mozilla, Chrome, Safari, Firefox, Edge, Opera,
 * Internet Explorer, Samsung Internet and Yandex Browser write them.
 */
const USER_AGENT_PRODUCTS = new Set(
  [
    ...['Mozilla', 'Chrome', 'Chromium', 'Safari', 'AppleWebKit', 'Firefox', 'Gecko', 'Edge'],
    ...['Edg', 'OPR', 'Opera', 'Version', 'Trident', 'CriOS', 'FxiOS', 'YaBrowser'],
    ...['SamsungBrowser', 'MSIE'],
  ].map((name) => name.toLowerCase()),
);

/** Maximum length of a product name before `/` in a user agent, such as `AppleWebKit`. */
const MAX_PRODUCT_NAME_LENGTH = 64;

/**
 * Returns how the dotted quad at `start` of `text` reads as a version number, or undefined when
 * it reads as an address:
 * - `after-product`: a product name and `/` come right before it, as in a user agent
 *   (`Chrome/120.0.0.0`). The name is a user agent product token (USER_AGENT_PRODUCTS), or any
 *   name that starts with a letter when the quad ends in `.0`. A host name, a table column or a
 *   word such as `C2` before the slash (`nodeA/45.61.2.11`) makes no product name.
 * - `after-word`: a version word comes a few characters before it (VERSION_WORD_BEFORE), or it
 *   continues a list that started after one, whose last version ended at `versionListEnd`.
 *
 * NOTE: a real address written right after such a word (`plugin 45.9.1.2`) is dropped too. The
 * drop is named in TEXT_CANDIDATES_DROPPED, and a defanged address is never dropped.
 */
export function versionNumberKind(
  text: string,
  start: number,
  versionListEnd: number,
): 'after-product' | 'after-word' | undefined {
  if (text[start - 1] === '/' && productVersionAt(text, start)) return 'after-product';
  if (versionListEnd >= 0 && VERSION_LIST_SEPARATOR.test(text.slice(versionListEnd, start))) {
    return 'after-word';
  }
  const window = text.slice(Math.max(0, start - VERSION_WORD_WINDOW), start);
  return VERSION_WORD_BEFORE.test(window) ? 'after-word' : undefined;
}

/**
 * Returns true when the dotted quad at `start` of `text` follows a `/` and reads as the version
 * of the product name before it. See `versionNumberKind` for the rules.
 */
function productVersionAt(text: string, start: number): boolean {
  const name = productNameBefore(text, start - 1);
  if (name === undefined) return false;
  if (USER_AGENT_PRODUCTS.has(name.toLowerCase())) return true;
  return /^\d{1,3}\.\d{1,3}\.\d{1,3}\.0(?!\d)/.test(text.slice(start));
}

/**
 * Returns the product name (a letter, then letters, digits, `_`, `.` or `-`) that ends at `end`
 * of `text`, or undefined when none does.
 */
function productNameBefore(text: string, end: number): string | undefined {
  let start = end;
  while (
    start > 0 &&
    end - start < MAX_PRODUCT_NAME_LENGTH &&
    /[\w.-]/.test(text[start - 1] ?? '')
  ) {
    start--;
  }
  return start < end && /[A-Za-z]/.test(text[start] ?? '') ? text.slice(start, end) : undefined;
}
