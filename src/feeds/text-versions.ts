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
  /(?<![\p{L}\p{N}_])(?:versions?|ver|v|build|plugin|oid|release|firmware|rev)\.?[\s:=#(-]{0,3}(?:\d+(?:\.\d+)+\s*(?:,|and|or|to|-|\u2013)\s*)*$/iu;

/** The text between two version numbers of a list: a comma, `and`, `or`, `to` or a dash. */
const VERSION_LIST_SEPARATOR = /^\s*(?:,|and|or|to|-|\u2013)\s*$/i;

/** Maximum length of a product name before `/` in a user agent, such as `AppleWebKit`. */
const MAX_PRODUCT_NAME_LENGTH = 64;

/**
 * Returns how the dotted quad at `start` of `text` reads as a version number, or undefined when
 * it reads as an address:
 * - `after-product`: a product name and `/` come right before it, as in a user agent
 *   (`Chrome/120.0.0.0`). The name must start with a letter, so a number before the slash
 *   (`2024/45.9.1.2`) makes no product name.
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
  if (text[start - 1] === '/' && productNameEnds(text, start - 1)) return 'after-product';
  if (versionListEnd >= 0 && VERSION_LIST_SEPARATOR.test(text.slice(versionListEnd, start))) {
    return 'after-word';
  }
  const window = text.slice(Math.max(0, start - VERSION_WORD_WINDOW), start);
  return VERSION_WORD_BEFORE.test(window) ? 'after-word' : undefined;
}

/**
 * Returns true when a product name (a letter, then letters, digits, `_`, `.` or `-`) ends at
 * `end` of `text`, and the character before it is not one of those.
 */
function productNameEnds(text: string, end: number): boolean {
  let start = end;
  while (
    start > 0 &&
    end - start < MAX_PRODUCT_NAME_LENGTH &&
    /[\w.-]/.test(text[start - 1] ?? '')
  ) {
    start--;
  }
  return start < end && /[A-Za-z]/.test(text[start] ?? '');
}
