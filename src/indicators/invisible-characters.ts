/**
 * Invisible characters that can sit inside an indicator value without showing, and how IDNA
 * mapping (UTS #46, which WHATWG URL host parsing and node:url `domainToASCII` apply) treats
 * them in a domain name.
 *
 * IDNA mapping removes the characters of IDNA_IGNORED, so a browser or resolver reads
 * `ev\u200Bil.com` as `evil.com`. It disallows every other format character (Unicode general
 * category Cf): bidirectional controls, zero-width joiners, invisible operators and tag
 * characters, so `domainToASCII` fails on a name that contains one. The character test in
 * test/indicators/invisible-characters.test.ts checks both lists against Node.js's own mapping.
 */

/**
 * Characters that IDNA mapping removes from a domain name. They are the soft hyphen, the zero
 * width space, the word joiner, the invisible plus, the zero width no-break space (byte order
 * mark), the shorthand format controls, the combining grapheme joiner and the variation
 * selectors. The Unicode property Variation_Selector includes the Mongolian ones. The
 * combining grapheme joiner is a combining mark, which ESLint's no-misleading-character-class
 * rule does not allow in brackets, so it is outside them.
 */
const IDNA_IGNORED_SOURCE =
  '[\\u00AD\\u200B\\u2060\\u2064\\uFEFF\\u{1BCA0}-\\u{1BCA3}\\p{Variation_Selector}]|\\u034F';

const IDNA_IGNORED = new RegExp(IDNA_IGNORED_SOURCE, 'u');
const IDNA_IGNORED_ALL = new RegExp(IDNA_IGNORED_SOURCE, 'gu');

/** Format characters that IDNA mapping does not remove, so it rejects a name with one. */
const IDNA_DISALLOWED_FORMAT = new RegExp(`(?!${IDNA_IGNORED_SOURCE})\\p{Cf}`, 'u');
const IDNA_DISALLOWED_FORMAT_ALL = new RegExp(IDNA_DISALLOWED_FORMAT.source, 'gu');

/** Unicode names of the invisible characters that reports and feeds carry most often. */
const CHARACTER_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00ad, 'SOFT HYPHEN'],
  [0x034f, 'COMBINING GRAPHEME JOINER'],
  [0x061c, 'ARABIC LETTER MARK'],
  [0x180e, 'MONGOLIAN VOWEL SEPARATOR'],
  [0x200b, 'ZERO WIDTH SPACE'],
  [0x200c, 'ZERO WIDTH NON-JOINER'],
  [0x200d, 'ZERO WIDTH JOINER'],
  [0x200e, 'LEFT-TO-RIGHT MARK'],
  [0x200f, 'RIGHT-TO-LEFT MARK'],
  [0x202a, 'LEFT-TO-RIGHT EMBEDDING'],
  [0x202b, 'RIGHT-TO-LEFT EMBEDDING'],
  [0x202c, 'POP DIRECTIONAL FORMATTING'],
  [0x202d, 'LEFT-TO-RIGHT OVERRIDE'],
  [0x202e, 'RIGHT-TO-LEFT OVERRIDE'],
  [0x2060, 'WORD JOINER'],
  [0x2066, 'LEFT-TO-RIGHT ISOLATE'],
  [0x2067, 'RIGHT-TO-LEFT ISOLATE'],
  [0x2068, 'FIRST STRONG ISOLATE'],
  [0x2069, 'POP DIRECTIONAL ISOLATE'],
  [0xfeff, 'ZERO WIDTH NO-BREAK SPACE'],
  [0x3002, 'IDEOGRAPHIC FULL STOP'],
  [0xff0e, 'FULLWIDTH FULL STOP'],
  [0xff61, 'HALFWIDTH IDEOGRAPHIC FULL STOP'],
]);

/** Returns true when IDNA mapping removes `char` (one code point) from a domain name. */
export function isIdnaIgnored(char: string): boolean {
  return IDNA_IGNORED.test(char);
}

/** Returns true when `char` (one code point) is a format character that IDNA rejects. */
export function isIdnaDisallowedFormat(char: string): boolean {
  return IDNA_DISALLOWED_FORMAT.test(char);
}

/** Returns `text` without the characters that IDNA mapping removes. */
export function removeIdnaIgnored(text: string): string {
  return text.replace(IDNA_IGNORED_ALL, '');
}

/** Returns `text` without the format characters that IDNA rejects. */
export function removeIdnaDisallowedFormats(text: string): string {
  return text.replace(IDNA_DISALLOWED_FORMAT_ALL, '');
}

/** Returns the characters of `text` that IDNA mapping removes, each once, in order of appearance. */
export function findIdnaIgnoredCharacters(text: string): string[] {
  return distinct(text.match(IDNA_IGNORED_ALL) ?? []);
}

/** Returns the characters of `text` that are format characters IDNA rejects, each once. */
export function findIdnaDisallowedFormats(text: string): string[] {
  return distinct(text.match(IDNA_DISALLOWED_FORMAT_ALL) ?? []);
}

/** Returns the code point and, where known, the name: `U+200B (ZERO WIDTH SPACE)`. */
export function describeCharacter(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = CHARACTER_NAMES.get(code);
  return name === undefined ? hex : `${hex} (${name})`;
}

/** Describes several characters for a message: `U+200B (ZERO WIDTH SPACE) and U+00AD (...)`. */
export function describeCharacters(chars: readonly string[]): string {
  const described = chars.map(describeCharacter);
  if (described.length <= 1) return described.join('');
  return `${described.slice(0, -1).join(', ')} and ${described.at(-1) ?? ''}`;
}

function distinct(chars: readonly string[]): string[] {
  return [...new Set(chars)];
}
