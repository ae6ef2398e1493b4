/**
 * A CSV row parser for feed readers, with the rules of RFC 4180 as csv-parse 7 applies them
 * under the options `ltrim` and `relax_column_count`:
 * - fields are separated by commas, and white space before a field is dropped (the characters
 *   that `String.prototype.trimStart` drops), so `"a", "b"` contains the fields `a` and `b`;
 * - a quoted field may hold commas, line breaks and quotes written twice (`""`);
 * - a quote inside an unquoted field, or anything but a comma or the end of the row after a
 *   closing quote, makes the row invalid.
 *
 * It parses a row in place inside a larger text and records where each field starts and ends,
 * so a reader slices only the fields it uses.
 */
import { quoteValue } from '../errors.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const CARRIAGE_RETURN = 0x0d;

/**
 * Outcome of {@link parseCsvRow}: a complete row, whose fields are in the {@link CsvRow}, a
 * quoted field still open at the end of the text, so the row continues on the next line, or an
 * invalid row, whose reason is in {@link CsvRow.error}.
 */
export type RowStatus = 'complete' | 'open-quote' | 'invalid';

/** The fields of the last row parsed, kept as offsets into its text. Reused from row to row. */
export class CsvRow {
  /** The text that the offsets point into. */
  text = '';
  count = 0;
  /** Reason the last row is invalid, for messages. */
  error = '';
  private starts = new Int32Array(32);
  private ends = new Int32Array(32);
  /** 1 where the field contains doubled quotes, which {@link field} turns into single ones. */
  private escaped = new Uint8Array(32);

  /** Returns field `index` (0-based), or undefined past the last field. */
  field(index: number): string | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const value = this.text.slice(this.starts[index], this.ends[index]);
    return this.escaped[index] === 1 ? value.replaceAll('""', '"') : value;
  }

  /** Returns every field. */
  fields(): string[] {
    const fields: string[] = [];
    for (let index = 0; index < this.count; index += 1) fields.push(this.field(index)!);
    return fields;
  }

  /** Records the next field. */
  add(start: number, end: number, escaped: boolean): void {
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.escaped[this.count] = escaped ? 1 : 0;
    this.count += 1;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const escaped = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    escaped.set(this.escaped);
    this.starts = starts;
    this.ends = ends;
    this.escaped = escaped;
  }
}

/**
 * Parses the row that spans `start` to `end` in `text` into `row`. The text between must not
 * hold the row's line break. A line break inside it is kept as field content when it is inside
 * quotes (the caller joins the lines of a row whose quoted field is still open).
 */
export function parseCsvRow(text: string, start: number, end: number, row: CsvRow): RowStatus {
  row.text = text;
  row.count = 0;
  row.error = '';
  let position = start;
  for (;;) {
    while (position < end && isTrimmedSpace(text.charCodeAt(position))) position += 1;
    if (position < end && text.charCodeAt(position) === QUOTE) {
      const next = readQuotedField(text, position, end, row);
      if (next < 0) return next === OPEN ? 'open-quote' : 'invalid';
      if (next === end) return 'complete';
      position = next + 1;
      continue;
    }
    const fieldEnd = findUnquotedEnd(text, position, end);
    if (fieldEnd < 0) {
      row.error = `the unquoted field ${row.count + 1} contains a quote. Quote the whole field and write each quote inside it as two quotes ("")`;
      return 'invalid';
    }
    row.add(position, fieldEnd, false);
    if (fieldEnd === end) return 'complete';
    position = fieldEnd + 1;
  }
}

const OPEN = -1;
const INVALID = -2;

/**
 * Reads the quoted field whose opening quote is at `open`. Returns the offset just past the
 * closing quote (a comma or `end`), or OPEN or INVALID.
 */
function readQuotedField(text: string, open: number, end: number, row: CsvRow): number {
  const first = open + 1;
  let escaped = false;
  let quote = text.indexOf('"', first);
  for (;;) {
    if (quote === -1 || quote >= end) return OPEN;
    if (quote + 1 < end && text.charCodeAt(quote + 1) === QUOTE) {
      escaped = true;
      quote = text.indexOf('"', quote + 2);
      continue;
    }
    break;
  }
  row.add(first, quote, escaped);
  const after = quote + 1;
  if (after === end || text.charCodeAt(after) === COMMA) return after;
  // Spaces, tabs and carriage returns after the last field are invisible in an editor, and a
  // file converted to CRLF twice ends its lines with CR CR LF, so they end the row too.
  if (/^[ \t\r]+$/.test(text.slice(after, end))) return end;
  row.error = afterQuoteError(text.slice(after, Math.min(end, after + 21)), row.count);
  return INVALID;
}

/** Returns why the text after a quoted field's closing quote makes the row invalid. */
function afterQuoteError(rest: string, field: number): string {
  const where = `the quoted field ${field} is followed by`;
  if (/^[ \t]+,/.test(rest)) {
    return `${where} spaces before its comma. Remove them, so that the comma follows the quote`;
  }
  if (rest.charCodeAt(0) === CARRIAGE_RETURN) {
    return `${where} a carriage return alone, so rows seem to end with CR (classic Mac OS line ends) inside this line, which joins them into one. Convert CR line ends to LF, for example with tr '\\r' '\\n' < FILE > NEW`;
  }
  return `${where} ${quoteValue(rest, 20)} instead of a comma or the end of the row. Write a quote inside a quoted field as two quotes ("")`;
}

/** Returns the offset of the comma or `end` that ends an unquoted field, or -1 at a quote. */
function findUnquotedEnd(text: string, start: number, end: number): number {
  for (let position = start; position < end; position += 1) {
    const code = text.charCodeAt(position);
    if (code === COMMA) return position;
    if (code === QUOTE) return -1;
  }
  return end;
}

/**
 * True for the characters `String.prototype.trimStart` removes: ECMAScript white space and
 * line terminators, the set csv-parse trims with `ltrim`.
 */
function isTrimmedSpace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Splits a header line into trimmed column names. A header that breaks the quoting rules, such
 * as `"a" , "b"`, is split at every comma with the quotes around each name removed, because
 * the names are only matched against known column names.
 */
export function parseCsvHeader(line: string): string[] {
  const row = new CsvRow();
  if (parseCsvRow(line, 0, line.length, row) === 'complete') {
    return row.fields().map((name) => name.trim());
  }
  return line.split(',').map((cell) =>
    cell
      .trim()
      .replace(/^"(.*)"$/s, '$1')
      .trim(),
  );
}
