/**
 * The ThreatFox CSV export (https://threatfox.abuse.ch/export/): `#` banner lines, the header
 * as a comment (`# "first_seen_utc","ioc_id",...`), rows quoted and separated by `", "`, and
 * a trailer `# Number of entries: N`. Columns are matched by header name, because exports
 * from 2026 on insert `is_compromised` and older ones do not.
 */
import type { CsvError, Options } from 'csv-parse';
import { parse as parseCsv } from 'csv-parse/sync';
import type { HuntpackIssue } from '../errors.js';
import { FeedParseError, quoteValue } from '../errors.js';
import type { FeedInput, TextLine } from './input.js';
import { readLineBatches } from './input.js';
import type { FeedSink } from './read.js';
import type { ThreatFoxField, ThreatFoxFields } from './threatfox-record.js';
import { THREATFOX_FIELDS, THREATFOX_NAMES, buildRawIndicator, text } from './threatfox-record.js';

/** Column positions of the fields, from the header. */
interface ColumnMap {
  count: number;
  /** Column index of each field, or -1 when the header has no such column. */
  index: Record<ThreatFoxField, number>;
}

/** Reading state: the current header, and the rows counted against the next trailer. */
interface CsvState {
  file: string;
  sink: FeedSink;
  /** `sink.report`, bound once rather than once per row. */
  warn: (issue: HuntpackIssue) => void;
  columns?: ColumnMap;
  /** True once the ThreatFox banner was seen, so a trailer is expected. */
  banner: boolean;
  /** Data rows since the last header or trailer. */
  sectionRows: number;
  trailerSeen: boolean;
  /** Lines of a row whose quoted field continues on the next line. */
  carry?: TextLine[];
}

/** A quoted field may span at most this many lines before the row is rejected. */
const MAX_RECORD_LINES = 100;

const CSV_OPTIONS: Options = { ltrim: true, relax_column_count: true };
const HEADER_OPTIONS: Options = { ...CSV_OPTIONS, relax_quotes: true, trim: true };

/**
 * Reads a ThreatFox CSV export as a stream of lines. A row with the wrong number of fields or
 * broken quoting is rejected with its line and skipped, and the rest of the file is still read.
 * A second header (two exports joined with `cat`) replaces the first for the rows after it.
 *
 * @throws FeedParseError when a header lacks a required column or the input cannot be read.
 */
export async function readThreatFoxCsv(input: FeedInput, sink: FeedSink): Promise<void> {
  const state: CsvState = {
    file: input.name,
    sink,
    warn: (issue) => sink.report(issue),
    banner: false,
    sectionRows: 0,
    trailerSeen: false,
  };
  for await (const batch of readLineBatches(input)) {
    for (const { line, lineNumber } of batch) readLine(state, line, lineNumber);
  }
  if (state.carry) rejectCarry(state, 'Quoted field is not closed before the end of the file');
  if (!state.columns) {
    throw new FeedParseError(
      'MISSING_HEADER',
      `ThreatFox CSV ${quoteValue(state.file)} has no header: expected a line such as # "first_seen_utc","ioc_id","ioc_value","ioc_type",... before the data.`,
      { source: { file: state.file } },
    );
  }
  if (state.banner && !state.trailerSeen) {
    sink.report({
      code: 'MISSING_TRAILER',
      severity: 'warning',
      message: `ThreatFox CSV ${quoteValue(state.file)} has the export banner but no "# Number of entries" trailer, so the download may be truncated. ${state.sectionRows} data rows were read after the last header.`,
      source: { file: state.file },
    });
  }
}

function readLine(state: CsvState, line: string, lineNumber: number): void {
  if (state.carry) {
    state.carry.push({ line, lineNumber });
    readRecord(state, state.carry.map((part) => part.line).join('\n'), state.carry[0]!.lineNumber);
    return;
  }
  if (line.startsWith('#')) {
    readComment(state, line, lineNumber);
    return;
  }
  if (line.trim() === '') return;
  if (!state.columns) {
    state.columns = mapColumns(parseHeader(line), state.file, lineNumber);
    return;
  }
  const fields = splitThreatFoxRow(line);
  if (fields !== undefined && fields.length === state.columns.count) {
    state.sectionRows += 1;
    readFields(state, fields, lineNumber);
    return;
  }
  readRecord(state, line, lineNumber);
}

/**
 * Splits a row in the exact shape ThreatFox writes, `"a", "b", "c"`, without a general CSV
 * parser. Returns undefined for any other shape, such as a quote inside a field, so that the
 * caller parses the row with csv-parse. On ThreatFox rows csv-parse costs several times as much
 * per row as this split, which gives the same fields for the rows it accepts.
 */
export function splitThreatFoxRow(line: string): string[] | undefined {
  const last = line.length - 1;
  if (last < 1 || line.charCodeAt(0) !== 34 || line.charCodeAt(last) !== 34) return undefined;
  const fields: string[] = [];
  let start = 1;
  for (;;) {
    // The next quote must close this field: either the final quote or the start of `", "`.
    const quote = line.indexOf('"', start);
    if (quote === -1) return undefined;
    fields.push(line.slice(start, quote));
    if (quote === last) return fields;
    if (
      line.charCodeAt(quote + 1) !== 44 ||
      line.charCodeAt(quote + 2) !== 32 ||
      line.charCodeAt(quote + 3) !== 34
    ) {
      return undefined;
    }
    start = quote + 4;
  }
}

/**
 * Parses a row with csv-parse. While a quoted field is open, the row waits for the next line
 * (RFC 4180 allows line breaks inside quotes).
 */
function readRecord(state: CsvState, record: string, lineNumber: number): void {
  let rows: string[][];
  try {
    rows = parseCsv(record, CSV_OPTIONS);
  } catch (error) {
    const code = (error as CsvError).code;
    if (code === 'CSV_QUOTE_NOT_CLOSED' && (state.carry?.length ?? 1) < MAX_RECORD_LINES) {
      state.carry ??= [{ line: record, lineNumber }];
      return;
    }
    if (state.carry) rejectCarry(state, `Invalid CSV row: ${(error as Error).message}`);
    else
      rejectRow(
        state,
        lineNumber,
        'INVALID_CSV_ROW',
        `Invalid CSV row: ${(error as Error).message}. The row is skipped.`,
      );
    return;
  }
  state.carry = undefined;
  const fields = rows[0] ?? [];
  const columns = state.columns!;
  if (fields.length !== columns.count) {
    rejectRow(
      state,
      lineNumber,
      'WRONG_FIELD_COUNT',
      `Row has ${fields.length} fields but the header has ${columns.count}, so its fields cannot be matched to columns. The row is skipped.`,
    );
    return;
  }
  state.sectionRows += 1;
  readFields(state, fields, lineNumber);
}

/**
 * Rejects the first line of a row that never closed its quoted field, then reads the lines
 * after it again on their own, so that one cut-off row does not take the next rows with it.
 */
function rejectCarry(state: CsvState, reason: string): void {
  const [first, ...rest] = state.carry!;
  state.carry = undefined;
  rejectRow(state, first!.lineNumber, 'INVALID_CSV_ROW', `${reason}. The row is skipped.`);
  for (const { line, lineNumber } of rest) readLine(state, line, lineNumber);
}

function rejectRow(state: CsvState, line: number, code: string, message: string): void {
  state.sectionRows += 1;
  state.sink.reject({ code, severity: 'error', message, source: { file: state.file, line } });
}

function readFields(state: CsvState, record: string[], line: number): void {
  const fields = pickFields(record, state.columns!.index);
  const id = text(fields.id);
  const source = id === undefined ? { file: state.file, line } : { file: state.file, line, id };
  const result = buildRawIndicator(fields, source, state.warn);
  if (result.ok) state.sink.accept(result.record);
  else state.sink.reject(result.issue);
}

/**
 * Picks the fields of one row. The object literal gives every row the same shape, which is
 * faster than adding the fields one by one on a million rows.
 */
function pickFields(record: string[], at: Record<ThreatFoxField, number>): ThreatFoxFields {
  return {
    id: record[at.id],
    value: record[at.value],
    type: record[at.type],
    threatType: record[at.threatType],
    malware: record[at.malware],
    malwarePrintable: record[at.malwarePrintable],
    malwareAlias: record[at.malwareAlias],
    malwareMalpedia: record[at.malwareMalpedia],
    firstSeen: record[at.firstSeen],
    lastSeen: record[at.lastSeen],
    confidence: record[at.confidence],
    isCompromised: record[at.isCompromised],
    reference: record[at.reference],
    tags: record[at.tags],
    reporter: record[at.reporter],
  };
}

/** Handles a `#` line: the banner, a commented header or the trailer. */
function readComment(state: CsvState, line: string, lineNumber: number): void {
  const body = line.slice(1).trim();
  const trailer = /^Number of entries:\s*(\d+)$/i.exec(body);
  if (trailer) {
    checkTrailer(state, Number(trailer[1]), lineNumber);
    return;
  }
  if (/ThreatFox IOCs/i.test(body)) state.banner = true;
  if (/^"?first_seen/i.test(body) || (body.includes('ioc_value') && body.includes('ioc_type'))) {
    state.columns = mapColumns(parseHeader(body), state.file, lineNumber);
    state.sectionRows = 0;
    state.trailerSeen = false;
  }
}

function parseHeader(line: string): string[] {
  return parseCsv(line, HEADER_OPTIONS)[0] ?? [];
}

function mapColumns(names: string[], file: string, line: number): ColumnMap {
  const index = Object.fromEntries(THREATFOX_FIELDS.map((field) => [field, -1])) as Record<
    ThreatFoxField,
    number
  >;
  const seen = new Set<ThreatFoxField>();
  names.forEach((name, position) => {
    const field = THREATFOX_NAMES[name.trim().toLowerCase()];
    if (field && !seen.has(field)) {
      seen.add(field);
      index[field] = position;
    }
  });

  const missing = [];
  if (!seen.has('value')) missing.push('ioc_value');
  if (!seen.has('type')) missing.push('ioc_type');
  if (!seen.has('firstSeen') && !seen.has('lastSeen')) missing.push('first_seen_utc');
  if (missing.length > 0) {
    throw new FeedParseError(
      'MISSING_COLUMN',
      `ThreatFox CSV header of ${quoteValue(file)} has no ${missing.join(', ')} column: expected ioc_value, ioc_type and first_seen_utc or last_seen_utc; found ${names.map((name) => quoteValue(name, 40)).join(', ')}. Check that the file is a ThreatFox CSV export.`,
      { source: { file, line } },
    );
  }
  return { count: names.length, index };
}

/** Compares `# Number of entries: N` with the data rows read since the header. */
function checkTrailer(state: CsvState, declared: number, line: number): void {
  if (declared !== state.sectionRows) {
    state.sink.report({
      code: 'ENTRY_COUNT_MISMATCH',
      severity: 'warning',
      message: `Trailer declares ${declared} entries, but ${state.sectionRows} data rows were read: the file may be truncated or edited.`,
      source: { file: state.file, line },
    });
  }
  state.trailerSeen = true;
  state.sectionRows = 0;
}
