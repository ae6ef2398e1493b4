/**
 * Tokenizer for the STIX patterning language, following the lexer rules of the OASIS grammar
 * `STIXPattern.g4` (cti-pattern-validator, STIX 2.1).
 *
 * Keywords are matched case-insensitively, as STIX 2.0 allows, so 2.0 and 2.1 patterns both read.
 *
 * One extension to the grammar: the `unconverted_term:...` placeholder that the OASIS
 * stix2-elevator writes for an observable it could not convert becomes a `placeholder` token, in
 * the narrow context described at {@link readPlaceholder}.
 */
import { FeedParseError, quoteValue } from '../../errors.js';

/** A pattern that does not follow the grammar, with the 0-based offset of the bad spot. */
export class StixPatternError extends FeedParseError {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super('STIX_PATTERN_SYNTAX', message);
    this.offset = offset;
  }
}

export type Token =
  | { kind: 'identifier'; text: string; offset: number }
  /** `raw` keeps the spelling, because a keyword may also serve as a property name. */
  | { kind: 'keyword'; text: Keyword; raw: string; offset: number }
  | { kind: 'string'; value: string; offset: number }
  | { kind: 'integer'; value: number; offset: number }
  | { kind: 'float'; text: string; offset: number }
  | { kind: 'boolean'; value: boolean; offset: number }
  | { kind: 'timestamp' | 'hex' | 'binary'; value: string; offset: number }
  | { kind: 'punctuation'; text: Punctuation; offset: number }
  /** `text` is the whole placeholder, such as `unconverted_term:mandiant:observable-1234`. */
  | { kind: 'placeholder'; text: string; offset: number }
  | { kind: 'end'; offset: number };

export type Punctuation =
  '[' | ']' | '(' | ')' | ',' | ':' | '.' | '*' | '=' | '!=' | '<' | '<=' | '>' | '>=';

const KEYWORDS = [
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUPERSET',
  'ISSUBSET',
  'EXISTS',
  'LAST',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'WITHIN',
  'REPEATS',
  'TIMES',
] as const;

export type Keyword = (typeof KEYWORDS)[number];

const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /[+-]?[0-9]*(\.[0-9]+)?/y;
const TIMESTAMP =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;
const HEX = /^([0-9A-Fa-f]{2})*$/;
const BASE64 = /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/;

/** The stix2-elevator placeholder: `unconverted_term:` and the converter's term text. */
const PLACEHOLDER = /unconverted_term:[A-Za-z0-9_.:-]+/y;
/** Tokens that may follow a placeholder: AND, OR, `)` or `]`, as after a whole comparison. */
const AFTER_PLACEHOLDER = /(AND|OR)(?![A-Za-z0-9_-])|[)\]]/iy;

/** Two-character operators first, so `<=` is not read as `<` then `=`. */
const OPERATORS: readonly [string, Punctuation][] = [
  ['==', '='],
  ['!=', '!='],
  ['<>', '!='],
  ['<=', '<='],
  ['>=', '>='],
  ['=', '='],
  ['<', '<'],
  ['>', '>'],
];

/** Splits a pattern into tokens, ending with an `end` token; throws {@link StixPatternError}. */
export function tokenizePattern(pattern: string): Token[] {
  const tokens: Token[] = [];
  let offset = skipSpaceAndComments(pattern, 0);
  while (offset < pattern.length) {
    const token =
      readPlaceholder(pattern, offset, tokens[tokens.length - 1]) ?? readToken(pattern, offset);
    tokens.push(token.token);
    offset = skipSpaceAndComments(pattern, token.end);
  }
  tokens.push({ kind: 'end', offset: pattern.length });
  return tokens;
}

/** Builds the error for a bad spot, quoting the text that starts there. */
export function patternError(pattern: string, offset: number, problem: string): StixPatternError {
  const near =
    offset >= pattern.length ? 'at the end' : `near ${quoteValue(pattern.slice(offset), 40)}`;
  return new StixPatternError(`${problem} at offset ${offset} ${near}`, offset);
}

function skipSpaceAndComments(pattern: string, start: number): number {
  let offset = start;
  for (;;) {
    while (offset < pattern.length && /\s/.test(pattern[offset] ?? '')) offset++;
    if (pattern.startsWith('/*', offset)) {
      const close = pattern.indexOf('*/', offset + 2);
      if (close < 0) throw patternError(pattern, offset, 'Unterminated comment');
      offset = close + 2;
    } else if (pattern.startsWith('//', offset)) {
      const newline = pattern.slice(offset).search(/[\r\n]/);
      offset = newline < 0 ? pattern.length : offset + newline;
    } else {
      return offset;
    }
  }
}

/**
 * Reads an `unconverted_term:...` placeholder, which is not STIX grammar. The OASIS stix2-elevator
 * writes one where it could not convert a STIX 1 observable (its `UnconvertedTerm` class). It is
 * read only where a comparison starts (after `[`, `(`, AND or OR) and only when AND, OR, `)` or
 * `]` follows it. In that spot a real object path would need a comparison operator next, so no
 * valid pattern is read differently. Anywhere else the text is tokenized as usual, so it reads as
 * an object path of the custom object type `unconverted_term` or fails to parse.
 */
function readPlaceholder(
  pattern: string,
  offset: number,
  previous: Token | undefined,
): { token: Token; end: number } | undefined {
  const startsComparison =
    (previous?.kind === 'punctuation' && (previous.text === '[' || previous.text === '(')) ||
    (previous?.kind === 'keyword' && (previous.text === 'AND' || previous.text === 'OR'));
  if (!startsComparison) return undefined;
  PLACEHOLDER.lastIndex = offset;
  const text = PLACEHOLDER.exec(pattern)?.[0];
  if (text === undefined) return undefined;
  const end = offset + text.length;
  AFTER_PLACEHOLDER.lastIndex = skipSpaceAndComments(pattern, end);
  if (!AFTER_PLACEHOLDER.test(pattern)) return undefined;
  return { token: { kind: 'placeholder', text, offset }, end };
}

function readToken(pattern: string, offset: number): { token: Token; end: number } {
  const char = pattern[offset] ?? '';
  const next = pattern[offset + 1];
  if (char === "'") return readString(pattern, offset);
  if ((char === 't' || char === 'h' || char === 'b') && next === "'") {
    return readPrefixedLiteral(pattern, offset, char);
  }
  if (/[A-Za-z_]/.test(char)) return readWord(pattern, offset);
  if (/[0-9+-]/.test(char) || (char === '.' && /[0-9]/.test(next ?? ''))) {
    return readNumber(pattern, offset);
  }
  for (const [text, operator] of OPERATORS) {
    if (pattern.startsWith(text, offset)) {
      return { token: { kind: 'punctuation', text: operator, offset }, end: offset + text.length };
    }
  }
  if ('[](),:.*'.includes(char)) {
    return { token: { kind: 'punctuation', text: char as Punctuation, offset }, end: offset + 1 };
  }
  throw patternError(pattern, offset, `Unexpected character ${quoteValue(char)}`);
}

function readWord(pattern: string, offset: number): { token: Token; end: number } {
  IDENTIFIER.lastIndex = offset;
  const text = IDENTIFIER.exec(pattern)?.[0] ?? '';
  const end = offset + text.length;
  const upper = text.toUpperCase();
  if (upper === 'TRUE' || upper === 'FALSE') {
    return { token: { kind: 'boolean', value: upper === 'TRUE', offset }, end };
  }
  if (KEYWORD_SET.has(upper)) {
    return { token: { kind: 'keyword', text: upper as Keyword, raw: text, offset }, end };
  }
  return { token: { kind: 'identifier', text, offset }, end };
}

function readNumber(pattern: string, offset: number): { token: Token; end: number } {
  NUMBER.lastIndex = offset;
  const match = NUMBER.exec(pattern);
  const text = match?.[0] ?? '';
  const end = offset + text.length;
  const digits = text.replace(/^[+-]/, '');
  if (digits === '') throw patternError(pattern, offset, 'Expected a number');
  const unsigned = text.startsWith('+') ? text.slice(1) : text;
  if (match?.[1] !== undefined) return { token: { kind: 'float', text: unsigned, offset }, end };
  if (digits.length > 1 && digits.startsWith('0')) {
    throw patternError(pattern, offset, 'Invalid integer with a leading zero');
  }
  // Adding 0 turns -0 into 0, so `-0` prints back as a literal that parses to the same value.
  const value = Number(unsigned) + 0;
  if (!Number.isSafeInteger(value)) {
    throw patternError(pattern, offset, 'Integer out of range');
  }
  return { token: { kind: 'integer', value, offset }, end };
}

/** Reads `'...'`, where the only escapes are `\'` and `\\`. */
function readString(pattern: string, offset: number): { token: Token; end: number } {
  let value = '';
  let position = offset + 1;
  while (position < pattern.length) {
    const char = pattern[position] ?? '';
    if (char === "'") return { token: { kind: 'string', value, offset }, end: position + 1 };
    if (char === '\\') {
      const escaped = pattern[position + 1];
      if (escaped !== "'" && escaped !== '\\') {
        throw patternError(
          pattern,
          position,
          "Invalid escape in a string literal (only \\' and \\\\ are allowed)",
        );
      }
      value += escaped;
      position += 2;
    } else {
      value += char;
      position++;
    }
  }
  throw patternError(pattern, offset, 'Unterminated string literal');
}

function readPrefixedLiteral(
  pattern: string,
  offset: number,
  prefix: 't' | 'h' | 'b',
): { token: Token; end: number } {
  const close = pattern.indexOf("'", offset + 2);
  if (close < 0) throw patternError(pattern, offset, 'Unterminated literal');
  const value = pattern.slice(offset + 2, close);
  const end = close + 1;
  if (prefix === 't') {
    if (!TIMESTAMP.test(value)) {
      throw patternError(pattern, offset, "Invalid timestamp (expected t'YYYY-MM-DDTHH:MM:SSZ')");
    }
    return { token: { kind: 'timestamp', value, offset }, end };
  }
  if (prefix === 'h') {
    if (!HEX.test(value)) throw patternError(pattern, offset, 'Invalid hex literal');
    return { token: { kind: 'hex', value, offset }, end };
  }
  if (!BASE64.test(value)) throw patternError(pattern, offset, 'Invalid binary (base64) literal');
  return { token: { kind: 'binary', value, offset }, end };
}
