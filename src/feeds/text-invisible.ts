/**
 * Reads the invisible characters and IDNA full stops inside the words of one line of free text,
 * before refanging, so that no scanner cuts a name at one and hunts its tail as another name.
 *
 * First, an invisible character is a space unless it joins two ASCII characters. Thai, Khmer,
 * Lao and Burmese separate words with U+200B, and right-to-left text puts direction marks
 * between a Latin value and the punctuation, port or word after it. A character that IDNA
 * mapping removes joins any two ASCII characters other than spaces (`/a/\u200Bb.php`). Any other
 * format character joins only ASCII host characters (letters, digits, `-`, `_` and `.`), so a
 * mark before `:8080` or an Arabic comma is a space. Other invisible characters next to it are
 * skipped when the two sides are compared.
 *
 * A word is then a run of characters between spaces, quotes, angle brackets, backticks and
 * table bars, the characters that end a URL. Its core is the word without leading and trailing
 * punctuation and without invisible characters at either end. The rules below apply only to a
 * word that looks like an indicator once read (a dotted name, a URL, an IPv6 address or a hash),
 * so prose in Thai, Persian or emoji is left alone:
 * - The characters that IDNA mapping removes (U+00AD, U+200B, U+2060, U+FEFF and the others in
 *   `invisible-characters.ts`) are removed, because a browser reads the name without
 *   them. The word is read whole, with an INVISIBLE_CHARACTER_REMOVED warning.
 * - Any other format character inside the core (bidirectional marks, embeddings, overrides and
 *   isolates, U+200C and U+200D joiners) rejects the word with an INVISIBLE_CHARACTER warning.
 *   IDNA disallows them in a name, and inside a Latin host name they change how it displays or
 *   hide a split, which are signs of a spoofed value.
 * - U+3002, U+FF0E and U+FF61, which IDNA reads as a dot, become a dot with an IDNA_FULL_STOP
 *   warning when ASCII letters or digits stand on both sides. Chinese and Japanese prose ends
 *   sentences with U+3002, so one before other script, before a capitalized word
 *   (`evil.com。The`) or before an ASCII run that goes straight on into a letter of other script
 *   (`45.77.1.9。2023年`, `evil.com。APT组织`) stays a separator.
 * - U+00A0 (no-break space) is a space, and so are the other Unicode spaces.
 */
import type { HuntpackIssue } from '../errors.js';
import { quoteValue } from '../errors.js';
import {
  describeCharacters,
  isIdnaDisallowedFormat,
  isIdnaIgnored,
  removeIdnaDisallowedFormats,
  removeIdnaIgnored,
} from '../indicators/invisible-characters.js';
import { refangLine } from './text-refang.js';

/** Outcome of one word that contains invisible characters or full stops. */
export type InvisibleFinding =
  | {
      kind: 'rewritten';
      /** The core of the word as written. */
      written: string;
      /** The core as read. */
      used: string;
      /** Removed characters, each once. */
      removed: string[];
      /** Full stops read as dots, each once. */
      fullStops: string[];
    }
  | { kind: 'rejected'; written: string; characters: string[] };

/** One raw line with its invisible characters read, and what was done to each word. */
export interface InvisibleReading {
  text: string;
  findings: InvisibleFinding[];
}

/** Any character this pass acts on, to skip the lines and words without one quickly. */
const SPECIAL_CHARACTER = /[\p{Cf}\p{Variation_Selector}\u3002\uFF0E\uFF61]|\u034F/u;

/**
 * A word: a run of characters that end no URL. The spaces are listed one by one, because `\s`
 * also matches U+FEFF, which IDNA mapping removes from a name instead.
 */
const WORD = /[^\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"'<>`|]+/gu;

const IDNA_FULL_STOPS = new Set(['\u3002', '\uFF0E', '\uFF61']);

/** Punctuation before a word's core, the typographic opening quotes included. */
const LEADING_PUNCTUATION = new Set(['(', '[', '{', '*', '\u201C', '\u2018', '\u00AB', '\u2039']);

/** Punctuation after a word's core, as the URL scanner strips it, and the full stops. */
const TRAILING_PUNCTUATION = new Set([
  ...['.', ',', ';', ':', '!', '?', ')', ']', '}', '*'],
  ...['\u201D', '\u2019', '\u00BB', '\u203A'],
  ...IDNA_FULL_STOPS,
]);

/** A letter or digit that can stand beside a full stop read as a dot: ASCII or full-width. */
const HOST_CHARACTER = /^[A-Za-z0-9_\-\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]$/;

/** A letter or combining mark outside ASCII, such as 年 or a Thai vowel sign. */
const NON_ASCII_LETTER = /^(?![A-Za-z])[\p{L}\p{M}]$/u;

/** A character of the name after a full stop: a HOST_CHARACTER, a dot or another full stop. */
const HOST_RUN_CHARACTER =
  /^[A-Za-z0-9_.\-\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u3002\uFF0E\uFF61]$/;

/**
 * The shapes that the scanners read as indicators: a dot between two label characters, a scheme,
 * a colon between hex digits or `::` (IPv6), or a run of 32 hex digits (a hash).
 */
const INDICATOR_SHAPE =
  /[\p{L}\p{N}\p{M}_-]\.[\p{L}\p{N}\p{M}_-]|:\/\/|[0-9a-f]:[0-9a-f]|::|[0-9a-f]{32}/iu;

/** Reads the invisible characters and full stops of one raw line; see the file comment. */
export function readInvisibleCharacters(line: string): InvisibleReading {
  if (!SPECIAL_CHARACTER.test(line)) return { text: line, findings: [] };
  const findings: InvisibleFinding[] = [];
  const text = spaceOutSeparators(line).replace(WORD, (word) =>
    SPECIAL_CHARACTER.test(word) ? readWord(word, findings) : word,
  );
  return { text, findings };
}

/** Every character that `isInvisible` can accept, to find them in a line. */
const INVISIBLE_CANDIDATE = /[\p{Cf}\p{Variation_Selector}]|\u034F/gu;

/** An ASCII character other than a space or a control character. */
const ASCII_GRAPHIC = /^[\x21-\x7E]$/;

/** A character of an ASCII host name. */
const ASCII_HOST_CHARACTER = /^[A-Za-z0-9_.-]$/;

/**
 * Returns the line with a space in place of each invisible character that separates words
 * rather than joining two ASCII characters; see the file comment.
 */
function spaceOutSeparators(line: string): string {
  return line.replace(INVISIBLE_CANDIDATE, (char: string, offset: number) => {
    if (!isInvisible(char)) return char;
    const joins = isIdnaIgnored(char) ? ASCII_GRAPHIC : ASCII_HOST_CHARACTER;
    const previous = visibleCharBefore(line, offset);
    const next = visibleCharAt(line, offset + char.length);
    if (!joins.test(previous) || !joins.test(next)) return ' ';
    // Hebrew joins a one-letter prefix to a Latin word with a hyphen (`ב-evil.com`), and editors
    // put a direction mark after that hyphen, which then separates the two words.
    const prefixed = previous === '-' && !ASCII_HOST_CHARACTER.test(charBeforeHyphen(line, offset));
    return isIdnaDisallowedFormat(char) && prefixed ? ' ' : char;
  });
}

/** Returns the visible character before the hyphen that precedes `offset`, or '' at the start. */
function charBeforeHyphen(line: string, offset: number): string {
  const hyphen = line.lastIndexOf('-', offset);
  return hyphen <= 0 ? '' : visibleCharBefore(line, hyphen);
}

/** Returns the first character from `index` on that is not invisible, or '' at the end. */
function visibleCharAt(text: string, index: number): string {
  let position = index;
  while (position < text.length) {
    const char = charAt(text, position);
    if (!isInvisible(char)) return char;
    position += char.length;
  }
  return '';
}

/** Returns the last character before `index` that is not invisible, or '' at the start. */
function visibleCharBefore(text: string, index: number): string {
  let position = index;
  while (position > 0) {
    const char = charBefore(text, position);
    if (!isInvisible(char)) return char;
    position -= char.length;
  }
  return '';
}

/**
 * Returns the word as the scanners should see it, and adds a finding when it changed or is
 * rejected. It works on code unit offsets, so a line of many megabytes costs no array per character.
 */
function readWord(word: string, findings: InvisibleFinding[]): string {
  let start = 0;
  let end = word.length;
  while (start < end && isLeadingEdge(charAt(word, start))) start += charAt(word, start).length;
  while (end > start && isTrailingEdge(charBefore(word, end))) end -= charBefore(word, end).length;

  const before = removeIdnaIgnored(word.slice(0, start));
  const after = removeIdnaIgnored(word.slice(end));
  const written = word.slice(start, end);
  const read = readCore(written);

  if (read.disallowed.length > 0 && looksLikeIndicator(removeIdnaDisallowedFormats(read.used))) {
    findings.push({ kind: 'rejected', written, characters: read.disallowed });
    // Spaces in place of the core keep every scanner off it and keep the words around it apart.
    return before + ' '.repeat(written.length) + after;
  }
  if (read.used !== written && looksLikeIndicator(read.used)) {
    const { used, removed, fullStops } = read;
    findings.push({ kind: 'rewritten', written, used, removed, fullStops });
  }
  return before + read.used + after;
}

/** Returns the code point that starts at `index` of `text`, as a string of one or two units. */
function charAt(text: string, index: number): string {
  return String.fromCodePoint(text.codePointAt(index) ?? 0);
}

/** Returns the code point that ends just before `index` of `text`. */
function charBefore(text: string, index: number): string {
  const low = text.charCodeAt(index - 1);
  const isPair = low >= 0xdc00 && low <= 0xdfff && index >= 2;
  return isPair ? charAt(text, index - 2) : text.charAt(index - 1);
}

function isLeadingEdge(char: string): boolean {
  return LEADING_PUNCTUATION.has(char) || isInvisible(char);
}

function isTrailingEdge(char: string): boolean {
  return TRAILING_PUNCTUATION.has(char) || isInvisible(char);
}

function isInvisible(char: string): boolean {
  return isIdnaIgnored(char) || isIdnaDisallowedFormat(char);
}

interface CoreReading {
  /** The core with removed characters left out and full stops read as dots. */
  used: string;
  removed: string[];
  fullStops: string[];
  /** Format characters that IDNA rejects, each once. They stay in `used`. */
  disallowed: string[];
}

function readCore(core: string): CoreReading {
  const reading: CoreReading = { used: '', removed: [], fullStops: [], disallowed: [] };
  const parts: string[] = [];
  let copiedUpTo = 0;
  for (let index = 0; index < core.length;) {
    const char = charAt(core, index);
    const next = index + char.length;
    if (isIdnaIgnored(char)) {
      parts.push(core.slice(copiedUpTo, index));
      copiedUpTo = next;
      addOnce(reading.removed, char);
    } else if (IDNA_FULL_STOPS.has(char) && isDotBetweenLabels(core, index)) {
      parts.push(core.slice(copiedUpTo, index), '.');
      copiedUpTo = next;
      addOnce(reading.fullStops, char);
    } else if (isIdnaDisallowedFormat(char)) {
      addOnce(reading.disallowed, char);
    }
    index = next;
  }
  parts.push(core.slice(copiedUpTo));
  reading.used = parts.join('');
  return reading;
}

/**
 * Returns true when the full stop at `index` is between ASCII or full-width letters or
 * digits, and what follows reads as the rest of a name. A capitalized word (`。The`), or a run
 * of host characters that goes straight on into a letter of other script after a name with ASCII
 * dots (`1.2.3.4。2023年`), makes it the end of a sentence.
 */
function isDotBetweenLabels(core: string, index: number): boolean {
  const previous = core.charAt(index - 1);
  const next = core.charAt(index + 1);
  if (!HOST_CHARACTER.test(previous) || !HOST_CHARACTER.test(next)) return false;
  if (/\p{Lu}/u.test(next) && /\p{Ll}/u.test(core.charAt(index + 2))) return false;
  let runEnd = index + 1;
  while (runEnd < core.length && HOST_RUN_CHARACTER.test(core.charAt(runEnd))) runEnd++;
  const following = runEnd < core.length ? charAt(core, runEnd) : '';
  if (!NON_ASCII_LETTER.test(following)) return true;
  // A name that already has ASCII dots ends its sentence here (`45.77.1.9。2023年`), while one
  // written with full stops only goes on (`103．45．67．92作为`), as prose without spaces runs on.
  let runStart = index;
  while (runStart > 0 && HOST_RUN_CHARACTER.test(core.charAt(runStart - 1))) runStart--;
  return !core.slice(runStart, index).includes('.');
}

function looksLikeIndicator(text: string): boolean {
  return INDICATOR_SHAPE.test(refangLine(text).text);
}

function addOnce(list: string[], char: string): void {
  if (!list.includes(char)) list.push(char);
}

/** Returns the warning for one finding, at its line. */
export function invisibleFindingIssue(
  finding: InvisibleFinding,
  file: string,
  line: number,
): HuntpackIssue {
  const source = { file, line };
  if (finding.kind === 'rejected') {
    const message =
      `Rejected ${quoteValue(finding.written)}: it contains ` +
      `${describeCharacters(finding.characters)} inside the value. IDNA does not allow that in ` +
      'a domain name, and a direction control or joiner inside an indicator is a sign of a ' +
      'spoofed value, so no part of it is hunted. Check the source, and add the value by hand ' +
      'if it is real.';
    return { code: 'INVISIBLE_CHARACTER', severity: 'warning', message, source };
  }

  const changes: string[] = [];
  if (finding.removed.length > 0) {
    changes.push(
      `removed ${describeCharacters(finding.removed)}, which IDNA mapping removes from domain ` +
        'names as browsers do, so that the value is read whole',
    );
  }
  if (finding.fullStops.length > 0) {
    changes.push(
      `read ${describeCharacters(finding.fullStops)} as a dot, as IDNA mapping does in domain names`,
    );
  }
  const message =
    `Read ${quoteValue(finding.written)} as ${quoteValue(finding.used)}: ` +
    `${changes.join(', and ')}. Check the value in the source if it looks wrong.`;
  const code = finding.removed.length > 0 ? 'INVISIBLE_CHARACTER_REMOVED' : 'IDNA_FULL_STOP';
  return { code, severity: 'warning', message, source };
}
