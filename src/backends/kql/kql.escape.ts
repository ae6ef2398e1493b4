/**
 * Writes JavaScript values as KQL literals and names, so that the Kusto parser reads each one
 * back as exactly the value given and a value can never change the structure of a query.
 *
 * String literal rule, from "The string data type" in the Kusto query language reference
 * (https://learn.microsoft.com/kusto/query/scalar-data-types/string): in a double-quoted literal
 * a backslash escapes the double quote, tab (`\t`), newline (`\n`) and the backslash itself, and a
 * raw CR or LF may not appear. The Kusto parser (`KustoFacts.DecodeEscapes` in
 * @kusto/language-service-next 12.4.1) also decodes `\r` and `\uXXXX` (four hex digits, one
 * UTF-16 code unit). It scans `\UXXXXXXXX` but does not decode it, so that form is never written.
 */
import { UnsupportedFeatureError } from '../../errors.js';
import { KQL_KEYWORDS } from './kql.keywords.js';

const NAMED_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Characters written as `\uXXXX` although the parser would accept them raw: control and format
 * characters, line and paragraph separators and every space but U+0020. An analyst reading the
 * query cannot see them, and editors and chat tools may drop or change them on paste.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}]/u;

/**
 * Writes `value` as a double-quoted KQL string literal.
 *
 * `"`, `\`, LF, CR and tab use their backslash escapes, other invisible BMP characters (see
 * above) use `\uXXXX`, and the rest, including non-ASCII letters and astral characters as
 * surrogate pairs, is written as is. `|`, `//` and `;` need no escape inside a string literal.
 *
 * @throws UnsupportedFeatureError `LONE_SURROGATE` when `value` contains an unpaired UTF-16
 *   surrogate. Kusto stores strings as UTF-8, which cannot encode one, so a hunt for such a
 *   value could never match. Rejecting it is safer than silently searching for U+FFFD.
 */
export function kqlString(value: string): string {
  let literal = '"';
  for (let index = 0; index < value.length; index++) {
    const char = value.charAt(index);
    const code = value.charCodeAt(index);

    if (code >= 0xd800 && code <= 0xdfff) {
      const next = value.charCodeAt(index + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) {
        throw loneSurrogateError(value, index);
      }
      literal += char + value.charAt(index + 1);
      index++;
      continue;
    }

    const named = NAMED_ESCAPES[char];
    if (named !== undefined) literal += named;
    else if (char !== ' ' && INVISIBLE.test(char)) literal += unicodeEscape(code);
    else literal += char;
  }
  return literal + '"';
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function loneSurrogateError(value: string, index: number): UnsupportedFeatureError {
  const code = value.charCodeAt(index).toString(16).toUpperCase();
  return new UnsupportedFeatureError(
    'LONE_SURROGATE',
    `Cannot write ${JSON.stringify(value.slice(0, 80))} as a KQL string: it contains the unpaired ` +
      `UTF-16 surrogate U+${code} at index ${index}, which Kusto cannot store. ` +
      'Fix the value in the feed or drop the indicator.',
  );
}

const BARE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Writes a table, column or variable name: bare when it is an ASCII identifier that is not a
 * Kusto keyword or boolean literal, otherwise bracketed as a string literal: `["name with space"]`.
 *
 * @throws UnsupportedFeatureError `EMPTY_IDENTIFIER` for the empty string, and
 *   `LONE_SURROGATE` as {@link kqlString} does.
 */
export function kqlIdentifier(name: string): string {
  if (name === '') {
    throw new UnsupportedFeatureError('EMPTY_IDENTIFIER', 'Cannot write an empty KQL name.');
  }
  const lower = name.toLowerCase();
  const isReserved = KQL_KEYWORDS.has(name) || lower === 'true' || lower === 'false';
  if (BARE_IDENTIFIER.test(name) && !isReserved) return name;
  return `[${kqlString(name)}]`;
}

/**
 * Writes a UTC datetime literal such as `datetime(2026-05-13T10:00:00Z)`, with milliseconds
 * (`10:00:00.120Z`) only when they are not zero.
 *
 * @throws UnsupportedFeatureError `INVALID_DATETIME` for an invalid Date, and
 *   `DATETIME_OUT_OF_RANGE` outside the Kusto range of years 0001 to 9999.
 */
export function kqlDatetime(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) {
    throw new UnsupportedFeatureError(
      'INVALID_DATETIME',
      'Cannot write an invalid Date as a KQL datetime.',
    );
  }
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) {
    throw new UnsupportedFeatureError(
      'DATETIME_OUT_OF_RANGE',
      `Cannot write the year ${year} as a KQL datetime: expected a year from 0001 to 9999.`,
    );
  }
  const iso = date.toISOString();
  const text = date.getUTCMilliseconds() === 0 ? iso.replace('.000Z', 'Z') : iso;
  return `datetime(${text})`;
}

/** Units of a KQL timespan literal, written as suffixes: `7d`, `12h`, `30m`, `10s`, `250ms`. */
export type TimespanUnit = 'd' | 'h' | 'm' | 's' | 'ms' | 'microsecond' | 'tick';

const TIMESPAN_UNITS: ReadonlySet<string> = new Set<TimespanUnit>([
  'd',
  'h',
  'm',
  's',
  'ms',
  'microsecond',
  'tick',
]);

/**
 * Writes a timespan literal such as `7d` or `1.5h`.
 *
 * @throws UnsupportedFeatureError `INVALID_TIMESPAN` unless `amount` is a finite number of at
 *   least 0 written without an exponent, and `unit` is a {@link TimespanUnit}.
 */
export function kqlTimespan(amount: number, unit: TimespanUnit): string {
  const text = String(amount);
  if (!Number.isFinite(amount) || amount < 0 || !/^\d+(\.\d+)?$/.test(text)) {
    throw new UnsupportedFeatureError(
      'INVALID_TIMESPAN',
      `Cannot write ${text} as a KQL timespan amount: expected a number of at least 0 ` +
        'written without an exponent, such as 7 or 1.5.',
    );
  }
  if (!TIMESPAN_UNITS.has(unit)) {
    throw new UnsupportedFeatureError(
      'INVALID_TIMESPAN',
      `Unknown KQL timespan unit ${JSON.stringify(unit)}: expected one of ${[...TIMESPAN_UNITS].join(', ')}.`,
    );
  }
  return `${text}${unit}`;
}

/**
 * Writes a number as a KQL `long` (safe integers) or `real` literal. Negative numbers start
 * with a unary minus, which the parser accepts in expressions and inside `dynamic(...)`.
 *
 * @throws UnsupportedFeatureError `INVALID_NUMBER` for NaN and the infinities.
 */
export function kqlNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new UnsupportedFeatureError(
      'INVALID_NUMBER',
      `Cannot write ${value} as a KQL number: expected a finite number.`,
    );
  }
  const text = String(value);
  if (Number.isSafeInteger(value)) return text;
  // A real literal needs a decimal point or an exponent. String(2 ** 60) has neither and would
  // read back as a long, so such integers are written in exponent form. Kusto writes no `+`
  // after the `e`.
  const real = /[.e]/.test(text) ? text : value.toExponential();
  return real.replace('e+', 'e');
}

/** Writes a string, number or boolean as a KQL literal of the matching type. */
export function kqlLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return kqlString(value);
  if (typeof value === 'number') return kqlNumber(value);
  return value ? 'true' : 'false';
}

/**
 * Writes a `dynamic([...])` array literal, for `in` lists and `has_any`.
 *
 * @throws UnsupportedFeatureError as {@link kqlString} and {@link kqlNumber} do.
 */
export function kqlDynamicArray(values: ReadonlyArray<string | number | boolean>): string {
  return `dynamic([${values.map(kqlLiteral).join(', ')}])`;
}
