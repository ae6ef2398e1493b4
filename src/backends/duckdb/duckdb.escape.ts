/**
 * Writes JavaScript values as DuckDB SQL literals and names, so that DuckDB reads each one back
 * as exactly the value given and no value can change the structure of a statement.
 *
 * Rules, from the DuckDB documentation (version 1.4): "Literal Types"
 * (https://duckdb.org/docs/stable/sql/data_types/literal_types) and "Keywords and Identifiers"
 * (https://duckdb.org/docs/stable/sql/dialect/keywords_and_identifiers):
 * - A string literal is enclosed in single quotes, and a single quote inside it is written twice.
 *   A backslash is an ordinary character in such a literal; only `E'...'` strings read escapes,
 *   and they are never written here.
 * - A quoted identifier is enclosed in double quotes, and a double quote inside it is written
 *   twice.
 * Control characters are written outside the quotes as `chr(n)` and joined with `||`, so the
 * statement text never carries a raw NUL, line break or other invisible character.
 */
import { UnsupportedFeatureError } from '../../errors.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Writes `value` as a DuckDB VARCHAR expression: a quoted literal, or a `||` chain with `chr`. */
export function sqlString(value: string): string {
  assertNoLoneSurrogate(value);
  if (!CONTROL.test(value)) return quote(value);
  const pieces: string[] = [];
  let text = '';
  for (const char of value) {
    if (CONTROL.test(char)) {
      if (text !== '') pieces.push(quote(text));
      pieces.push(`chr(${char.codePointAt(0)})`);
      text = '';
    } else {
      text += char;
    }
  }
  if (text !== '') pieces.push(quote(text));
  return `(${pieces.join(' || ')})`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Writes a table or column name as a double-quoted identifier. Quoting every name keeps
 * keywords (`select`, `from`) and mixed case (`DestinationIP`) as written.
 *
 * @throws UnsupportedFeatureError `EMPTY_IDENTIFIER` for the empty string, `INVALID_IDENTIFIER`
 *   for a name with a control character, and `LONE_SURROGATE` as {@link sqlString} does.
 */
export function sqlIdentifier(name: string): string {
  if (name === '') {
    throw new UnsupportedFeatureError('EMPTY_IDENTIFIER', 'Cannot write an empty DuckDB name.');
  }
  if (CONTROL.test(name)) {
    throw new UnsupportedFeatureError(
      'INVALID_IDENTIFIER',
      `Cannot write ${JSON.stringify(name.slice(0, 80))} as a DuckDB name: it contains a control character. Rename the column.`,
    );
  }
  assertNoLoneSurrogate(name);
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Writes a finite number as a DuckDB numeric literal: integers as written, other numbers as
 * DOUBLE through an exponent form that DuckDB parses exactly.
 *
 * @throws UnsupportedFeatureError `INVALID_NUMBER` for NaN and the infinities.
 */
export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new UnsupportedFeatureError(
      'INVALID_NUMBER',
      `Cannot write ${value} as a DuckDB number: expected a finite number.`,
    );
  }
  if (Number.isSafeInteger(value)) return String(value);
  return `CAST('${value.toExponential()}' AS DOUBLE)`;
}

/** Writes a string, number or boolean as a DuckDB literal of the matching type. */
export function sqlLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return sqlString(value);
  if (typeof value === 'number') return sqlNumber(value);
  return value ? 'TRUE' : 'FALSE';
}

/**
 * DuckDB stores VARCHAR as UTF-8, which cannot encode an unpaired UTF-16 surrogate. Such a
 * value would turn into U+FFFD on the way in and the hunt would search for a different string.
 */
function assertNoLoneSurrogate(value: string): void {
  if (LONE_SURROGATE.test(value)) {
    throw new UnsupportedFeatureError(
      'LONE_SURROGATE',
      `Cannot write ${JSON.stringify(value.slice(0, 80))} in DuckDB SQL: it contains an unpaired UTF-16 surrogate, which UTF-8 cannot store. Fix the value in the feed or drop the indicator.`,
    );
  }
}
