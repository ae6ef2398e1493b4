/**
 * Tokenizer for the field-operator-value filter language of hand-written exclusions, such as
 * `process.name != "psexec.exe" OR process.command_line contains 'base64'`.
 */
import type { HuntpackIssue } from '../../errors.js';

export type TokenKind =
  'field' | 'string' | 'number' | 'operator' | 'keyword' | 'lparen' | 'rparen' | 'comma' | 'end';

export interface Token {
  kind: TokenKind;
  /** Text as written, except for strings, whose value has quotes removed and escapes resolved. */
  text: string;
  /** 1-based column of the first character. */
  column: number;
  /** Number of characters the token covers in the source text. */
  length: number;
}

/** A syntax problem in a filter, with the column and width to underline. */
export interface FilterSyntaxIssue extends HuntpackIssue {
  column: number;
  length: number;
}

/** Words with a meaning of their own; matched case-insensitively. */
const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false']);

/** Word operators, in the spelling Kusto uses; `!` forms are the negations. */
const WORD_OPERATORS = new Set([
  'contains',
  '!contains',
  'startswith',
  '!startswith',
  'endswith',
  '!endswith',
  'in',
  '!in',
  'in~',
  '!in~',
]);

/** Symbol operators, longest first so `==` wins over `=`. */
const SYMBOL_OPERATORS = ['==', '!=', '=~', '!~', '<=', '>=', '&&', '||', '<', '>', '=', '!'];

const FIELD_START = /[A-Za-z_@$]/;
const FIELD_PART = /[A-Za-z0-9_.@$]/;

/** Splits a filter into tokens; problems are collected and the bad character is skipped. */
export function tokenizeFilter(text: string): { tokens: Token[]; issues: FilterSyntaxIssue[] } {
  const tokens: Token[] = [];
  const issues: FilterSyntaxIssue[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text.charAt(index);
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    const token = readToken(text, index, issues);
    if (token) {
      tokens.push(token);
      index += token.length;
    } else {
      issues.push(syntaxIssue(`Unexpected character ${JSON.stringify(char)}`, index + 1, 1));
      index += 1;
    }
  }
  tokens.push({ kind: 'end', text: '', column: text.length + 1, length: 1 });
  return { tokens, issues };
}

function readToken(text: string, start: number, issues: FilterSyntaxIssue[]): Token | undefined {
  const char = text.charAt(start);
  const column = start + 1;
  if (char === '"' || char === "'") return readString(text, start, issues);
  if (char === '(') return { kind: 'lparen', text: char, column, length: 1 };
  if (char === ')') return { kind: 'rparen', text: char, column, length: 1 };
  if (char === ',') return { kind: 'comma', text: char, column, length: 1 };
  if (char === '[' && /^\[\s*['"]/.test(text.slice(start))) return readBracketField(text, start);

  const number = /^-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(start));
  if (number) return { kind: 'number', text: number[0], column, length: number[0].length };

  if (char === '!' && /^![A-Za-z]/.test(text.slice(start))) {
    const word = /^![A-Za-z]+~?/.exec(text.slice(start))?.[0] ?? '!';
    if (WORD_OPERATORS.has(word.toLowerCase())) {
      return { kind: 'operator', text: word.toLowerCase(), column, length: word.length };
    }
  }
  if (FIELD_START.test(char)) return readWord(text, start);
  for (const symbol of SYMBOL_OPERATORS) {
    if (text.startsWith(symbol, start)) {
      return { kind: 'operator', text: symbol, column, length: symbol.length };
    }
  }
  return undefined;
}

function readWord(text: string, start: number): Token {
  let end = start + 1;
  while (end < text.length && FIELD_PART.test(text.charAt(end))) end += 1;
  // `in~` is one operator although `~` cannot appear in a field name.
  if (text.slice(start, end).toLowerCase() === 'in' && text.charAt(end) === '~') end += 1;
  const word = text.slice(start, end);
  const lower = word.toLowerCase();
  const column = start + 1;
  if (WORD_OPERATORS.has(lower))
    return { kind: 'operator', text: lower, column, length: end - start };
  if (KEYWORDS.has(lower)) return { kind: 'keyword', text: lower, column, length: end - start };
  return { kind: 'field', text: word, column, length: end - start };
}

/** Reads `['name with spaces']`, Kusto's bracket syntax for a column name. */
function readBracketField(text: string, start: number): Token | undefined {
  const match = /^\[\s*(?:'([^']*)'|"([^"]*)")\s*\]/.exec(text.slice(start));
  if (!match) return undefined;
  return {
    kind: 'field',
    text: match[1] ?? match[2] ?? '',
    column: start + 1,
    length: match[0].length,
  };
}

/** Reads a quoted string with backslash escapes, as Kusto string literals have them. */
function readString(text: string, start: number, issues: FilterSyntaxIssue[]): Token {
  const quote = text.charAt(start);
  let value = '';
  let index = start + 1;
  while (index < text.length && text.charAt(index) !== quote) {
    const char = text.charAt(index);
    if (char === '\\' && index + 1 < text.length) {
      value += unescape(text.charAt(index + 1));
      index += 2;
    } else {
      value += char;
      index += 1;
    }
  }
  if (index >= text.length) {
    issues.push(syntaxIssue(`Unterminated string: expected a closing ${quote}`, start + 1, 1));
    return { kind: 'string', text: value, column: start + 1, length: index - start };
  }
  return { kind: 'string', text: value, column: start + 1, length: index + 1 - start };
}

function unescape(char: string): string {
  if (char === 'n') return '\n';
  if (char === 't') return '\t';
  if (char === 'r') return '\r';
  return char;
}

export function syntaxIssue(message: string, column: number, length: number): FilterSyntaxIssue {
  return { code: 'FILTER_SYNTAX', severity: 'error', message, column, length };
}
