import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CsvError, Options } from 'csv-parse';
import { parse as parseCsv } from 'csv-parse/sync';
import type { RowStatus } from '../../src/feeds/csv-row.js';
import { CsvRow, parseCsvHeader, parseCsvRow } from '../../src/feeds/csv-row.js';

/** The csv-parse options the ThreatFox reader used before it had its own parser. */
const CSV_PARSE_OPTIONS: Options = { ltrim: true, relax_column_count: true };

function parse(line: string): { status: RowStatus; fields: string[]; error: string } {
  const row = new CsvRow();
  const status = parseCsvRow(line, 0, line.length, row);
  return { status, fields: status === 'complete' ? row.fields() : [], error: row.error };
}

/**
 * Returns what csv-parse makes of one row: its fields, or the status its error stands for. Spaces,
 * tabs and carriage returns after a closing quote at the end of the row are removed first,
 * because huntpack accepts them and csv-parse with these options does not.
 */
function parseWithCsvParse(text: string): { status: RowStatus; fields: string[] } {
  const line = text.replace(/"[ \t\r]+$/, '"');
  try {
    const rows: string[][] = parseCsv(line, CSV_PARSE_OPTIONS);
    assert.equal(rows.length, 1, `csv-parse read ${rows.length} rows from ${JSON.stringify(line)}`);
    return { status: 'complete', fields: rows[0]! };
  } catch (error) {
    const code = (error as CsvError).code;
    return { status: code === 'CSV_QUOTE_NOT_CLOSED' ? 'open-quote' : 'invalid', fields: [] };
  }
}

test('parseCsvRow reads the ThreatFox row shape', () => {
  const { status, fields } = parse('"2026-04-12 04:49:28", "1784524", "c2.example.com", "domain"');
  assert.equal(status, 'complete');
  assert.deepEqual(fields, ['2026-04-12 04:49:28', '1784524', 'c2.example.com', 'domain']);
});

test('parseCsvRow keeps a quoted ", " inside a field', () => {
  const { fields } = parse('"a", "b", "c"", ""d", "e"');
  assert.deepEqual(fields, ['a', 'b', 'c", "d', 'e']);
});

test('parseCsvRow reads commas and doubled quotes in quotes', () => {
  assert.deepEqual(parse('"x?a=1,2", "say ""hi""", """"').fields, ['x?a=1,2', 'say "hi"', '"']);
});

test('parseCsvRow keeps a line break inside quotes', () => {
  assert.deepEqual(parse('"a", "multi\nline"').fields, ['a', 'multi\nline']);
});

test('parseCsvRow reads unquoted and empty fields', () => {
  assert.deepEqual(parse('1,example.com, domain ,').fields, ['1', 'example.com', 'domain ', '']);
  assert.deepEqual(parse('"a",,""').fields, ['a', '', '']);
});

test('parseCsvRow drops white space before a field only', () => {
  assert.deepEqual(parse('\t "a",\u00a0 "b"').fields, ['a', 'b']);
  assert.deepEqual(parse('" a "').fields, [' a ']);
});

test('parseCsvRow reports an open quote', () => {
  assert.equal(parse('"a", "b').status, 'open-quote');
  assert.equal(parse('"a", "b""').status, 'open-quote');
});

test('parseCsvRow rejects text after a closing quote', () => {
  const { status, error } = parse('"a", "bad"quote.example.com", "c"');
  assert.equal(status, 'invalid');
  assert.match(error, /quoted field 2 is followed by "quote\.example\.com\\", …" instead/);
  assert.equal(parse('"a" , "b"').status, 'invalid');
});

test('parseCsvRow ends a row at blanks after its last quote', () => {
  assert.deepEqual(parse('"a", "b" \t ').fields, ['a', 'b']);
  // CR CR LF line ends leave a CR after the row once the LF and one CR are taken off.
  assert.deepEqual(parse('"a", "b"\r').fields, ['a', 'b']);
  assert.match(parse('"a" , "b"').error, /followed by spaces before its comma\. Remove them/);
  assert.equal(parse('"a" x').status, 'invalid');
  assert.equal(parse('"a"\u00a0').status, 'invalid');
});

test('parseCsvRow names a lone carriage return', () => {
  const { status, error } = parse('"a", "b"\r"c", "d"');
  assert.equal(status, 'invalid');
  assert.match(error, /followed by a carriage return alone/);
  assert.match(error, /tr '\\r' '\\n'/);
});

test('parseCsvRow rejects a quote in an unquoted field', () => {
  const { status, error } = parse('"a", b"c');
  assert.equal(status, 'invalid');
  assert.match(error, /unquoted field 2 contains a quote/);
});

test('parseCsvRow grows past 32 fields', () => {
  const line = Array.from({ length: 100 }, (_, index) => `"${index}"`).join(', ');
  const { fields } = parse(line);
  assert.equal(fields.length, 100);
  assert.equal(fields[99], '99');
});

test('parseCsvRow reads a row inside a larger text', () => {
  const text = 'before\n"a", "b"\nafter';
  const row = new CsvRow();
  assert.equal(parseCsvRow(text, 7, 15, row), 'complete');
  assert.deepEqual(row.fields(), ['a', 'b']);
  assert.equal(row.field(2), undefined);
});

test('parseCsvRow agrees with csv-parse on any line', () => {
  const unit = fc.constantFrom('a', 'b', ' ', ',', '"', '\t', '#', 'é', '\u00a0', '\u2003');
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 30 }), (line) => {
      fc.pre(line.trim() !== '');
      const ours = parse(line);
      const theirs = parseWithCsvParse(line);
      assert.equal(ours.status, theirs.status);
      assert.deepEqual(ours.fields, theirs.fields);
    }),
    { numRuns: 5000 },
  );
});

test('parseCsvRow agrees with csv-parse on quoted rows', () => {
  const unit = fc.constantFrom('a', ' ', ',', '"', ', ', '", "', '\n', 'é');
  const field = fc.record({ value: fc.string({ unit, maxLength: 8 }), quoted: fc.boolean() });
  fc.assert(
    fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), (fields) => {
      const line = fields
        .map(({ value, quoted }) =>
          quoted ? `"${value.replaceAll('"', '""')}"` : value.replace(/["\n]/g, ''),
        )
        .join(', ');
      fc.pre(line.trim() !== '');
      const ours = parse(line);
      assert.deepEqual(ours, { ...parseWithCsvParse(line), error: '' });
    }),
    { numRuns: 3000 },
  );
});

test('parseCsvHeader reads quoted and plain headers', () => {
  assert.deepEqual(parseCsvHeader('"first_seen_utc","ioc_id", "ioc_value"'), [
    'first_seen_utc',
    'ioc_id',
    'ioc_value',
  ]);
  assert.deepEqual(parseCsvHeader('ioc_id, ioc_value ,ioc_type'), [
    'ioc_id',
    'ioc_value',
    'ioc_type',
  ]);
  assert.deepEqual(parseCsvHeader('"ioc_id" , "ioc_type"'), ['ioc_id', 'ioc_type']);
});
