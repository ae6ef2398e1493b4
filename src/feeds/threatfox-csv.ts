/**
 * The ThreatFox CSV export (https://threatfox.abuse.ch/export/): `#` banner lines, the header
 * as a comment (`# "first_seen_utc","ioc_id",...`), rows quoted and separated by `", "`, and
 * a trailer `# Number of entries: N`. Columns are matched by header name, because exports
 * from 2026 on insert `is_compromised` and older ones do not.
 */
import { FeedParseError, quoteValue } from '../errors.js';
import { CsvRow, parseCsvHeader, parseCsvRow } from './csv-row.js';
import type { FeedInput } from './input.js';
import { isCommentedHeader } from './threatfox-csv-header.js';
import { detachText, forEachLine, readTextChunks } from './input.js';
import type { FeedSink } from './read.js';
import type { ThreatFoxField, ThreatFoxFields } from './threatfox-record.js';
import {
  THREATFOX_FIELDS,
  THREATFOX_NAMES,
  ThreatFoxRecordBuilder,
  text,
} from './threatfox-record.js';

/** Column positions of the fields, from the header. */
interface ColumnMap {
  count: number;
  /** Column index of each field, or -1 when the header has no such column. */
  index: Record<ThreatFoxField, number>;
}

/** One line of a row whose quoted field goes on past the end of the line. */
interface CarriedLine {
  line: string;
  lineNumber: number;
}

/** A quoted field may span at most this many lines before the row is rejected. */
const MAX_RECORD_LINES = 100;

const HASH = 0x23;
const BYTE_ORDER_MARK = 0xfeff;
const QUOTE = 0x22;

/**
 * Reads a ThreatFox CSV export as a stream of lines. A row with the wrong number of fields or
 * broken quoting is rejected with its line and skipped, and the rest of the file is still read.
 * A second header (two exports joined with `cat`) replaces the first for the rows after it.
 *
 * @throws FeedParseError when a header lacks a required column or the input cannot be read.
 */
export async function readThreatFoxCsv(input: FeedInput, sink: FeedSink): Promise<void> {
  const reader = new ThreatFoxCsvReader(input.name, sink);
  for await (const chunk of readTextChunks(input)) reader.readChunk(chunk.text, chunk.firstLine);
  reader.finish();
}

/** Reading state: the current header, and the rows counted against the next trailer. */
class ThreatFoxCsvReader {
  private readonly builder: ThreatFoxRecordBuilder;
  private readonly row = new CsvRow();
  private columns?: ColumnMap;
  /** True once the ThreatFox banner was seen, so a trailer is expected. */
  private banner = false;
  /** Data rows since the last header or trailer. */
  private sectionRows = 0;
  /** Line of the first of those rows. */
  private sectionFirstLine = 0;
  /** The last `# Number of entries` trailer since the header, if any. */
  private trailer?: { line: number; declared: number };
  /** Lines of a row whose quoted field continues on the next line. */
  private carry?: CarriedLine[];

  constructor(
    private readonly file: string,
    private readonly sink: FeedSink,
  ) {
    this.builder = new ThreatFoxRecordBuilder((issue) => sink.report(issue));
  }

  /** Reads the lines of one chunk, in place. */
  readChunk(text: string, firstLine: number): void {
    forEachLine(text, firstLine, (start, stop, lineNumber) =>
      this.readLine(text, start, stop, lineNumber),
    );
  }

  finish(): void {
    if (this.carry) this.rejectCarry('The quoted field is not closed before the end of the file.');
    if (!this.columns) {
      throw new FeedParseError(
        'MISSING_HEADER',
        `ThreatFox CSV ${quoteValue(this.file)} has no header: expected a line such as # "first_seen_utc","ioc_id","ioc_value","ioc_type",... before the data.`,
        { source: { file: this.file } },
      );
    }
    this.checkRowsAfterTrailer();
    if (this.banner && !this.trailer) {
      this.sink.report({
        code: 'MISSING_TRAILER',
        severity: 'warning',
        message: `ThreatFox CSV ${quoteValue(this.file)} has the export banner but no "# Number of entries" trailer, so the download may be truncated. ${this.sectionRows} data rows were read after the last header.`,
        source: { file: this.file },
      });
    }
  }

  /** Reads the line from `start` to `end` (without its line break) of `text`. */
  private readLine(text: string, start: number, end: number, lineNumber: number): void {
    if (this.carry) {
      this.carry.push({ line: text.slice(start, end), lineNumber });
      const record = this.carry.map((part) => part.line).join('\n');
      this.readRecord(record, 0, record.length, this.carry[0]!.lineNumber);
      return;
    }
    let first = start < end ? text.charCodeAt(start) : -1;
    // Two exports joined with cat put the second one's byte order mark before its banner.
    if (first === BYTE_ORDER_MARK) {
      start += 1;
      first = start < end ? text.charCodeAt(start) : -1;
    }
    if (first === HASH) {
      this.readComment(text.slice(start, end), lineNumber);
      return;
    }
    if (first !== QUOTE && text.slice(start, end).trim() === '') return;
    if (!this.columns) {
      const header = text.slice(start, end);
      this.setColumns(mapColumns(parseCsvHeader(header), this.file, lineNumber), lineNumber);
      return;
    }
    this.readRecord(text, start, end, lineNumber);
  }

  /**
   * Parses a row. While a quoted field is open, the row waits for the next line (RFC 4180
   * allows line breaks inside quotes).
   */
  private readRecord(text: string, start: number, end: number, lineNumber: number): void {
    const status = parseCsvRow(text, start, end, this.row);
    if (status === 'open-quote') {
      const lines = this.carry?.length ?? 1;
      if (lines < MAX_RECORD_LINES) {
        this.carry ??= [{ line: text.slice(start, end), lineNumber }];
        return;
      }
      this.rejectCarry(`The quoted field is not closed within ${MAX_RECORD_LINES} lines.`);
      return;
    }
    if (status === 'invalid') {
      const reason = `Invalid CSV row: ${this.row.error}.`;
      if (this.carry) this.rejectCarry(reason);
      else this.rejectRow(lineNumber, 'INVALID_CSV_ROW', `${reason} The row is skipped.`);
      return;
    }
    this.carry = undefined;
    const columns = this.columns!;
    if (this.row.count !== columns.count) {
      this.rejectRow(
        lineNumber,
        'WRONG_FIELD_COUNT',
        `Row ${quoteValue(text.slice(start, end))} has ${this.row.count} fields but the header has ${columns.count}, so its fields cannot be matched to columns. The row is skipped.`,
        this.partialRowId(),
      );
      return;
    }
    this.countRow(lineNumber);
    this.readFields(lineNumber);
  }

  /**
   * Rejects the first line of a row that never closed its quoted field, then reads the lines
   * after it again on their own, so that one cut-off row does not take the next rows with it.
   */
  private rejectCarry(reason: string): void {
    const [first, ...rest] = this.carry!;
    this.carry = undefined;
    this.rejectRow(first!.lineNumber, 'INVALID_CSV_ROW', `${reason} The row is skipped.`);
    for (const { line, lineNumber } of rest) this.readLine(line, 0, line.length, lineNumber);
  }

  /**
   * Returns the id of a row with too few or too many fields, when the id column is among its
   * fields: the fields before a missing or extra one still line up, so the id is likely right.
   */
  private partialRowId(): string | undefined {
    const at = this.columns!.index.id;
    const id = at >= 0 && at < this.row.count ? text(this.row.field(at)) : undefined;
    // A field shifted into the id column, such as a time, is no id.
    return id === undefined || !/^\d+$/.test(id) ? undefined : detachText(id);
  }

  private rejectRow(line: number, code: string, message: string, id?: string): void {
    this.countRow(line);
    const source = id === undefined ? { file: this.file, line } : { file: this.file, line, id };
    this.sink.reject({ code, severity: 'error', message, source });
  }

  private countRow(line: number): void {
    if (this.sectionRows === 0) this.sectionFirstLine = line;
    this.sectionRows += 1;
  }

  /** Builds the record of the row just parsed. */
  private readFields(line: number): void {
    const fields = pickFields(this.row, this.columns!.index);
    const shownId = text(fields.id);
    const id = shownId === undefined ? undefined : detachText(shownId);
    const source = id === undefined ? { file: this.file, line } : { file: this.file, line, id };
    const result = this.builder.build(fields, source);
    if (result.ok) this.sink.accept(result.record);
    else this.sink.reject(result.issue);
  }

  /**
   * Takes a header's columns, with a warning for each context column it lacks: the indicators
   * then have no such field, and the filter on it (`--min-confidence`, `--threat-type`,
   * `--family`) removes every row of the file.
   */
  private setColumns(columns: ColumnMap, lineNumber: number): void {
    this.columns = columns;
    const absent = CONTEXT_COLUMNS.filter(({ fields }) =>
      fields.every((field) => columns.index[field] === -1),
    );
    if (absent.length === 0) return;
    this.sink.report({
      code: 'MISSING_CONTEXT_COLUMN',
      severity: 'warning',
      message:
        `ThreatFox CSV header of ${quoteValue(this.file)} has no ${absent.map(({ name }) => name).join(', ')} ` +
        `column, so its indicators have no ${absent.map(({ noun }) => noun).join(', ')}, and a filter ` +
        `on it (${absent.map(({ option }) => option).join(', ')}) removes every row of this file.`,
      source: { file: this.file, line: lineNumber },
    });
  }

  /** Handles a `#` line: the banner, a commented header or the trailer. */
  private readComment(line: string, lineNumber: number): void {
    const body = line.slice(1).trim();
    const trailer = /^Number of entries:\s*(\d+)$/i.exec(body);
    if (trailer) {
      this.checkTrailer(Number(trailer[1]), lineNumber);
      return;
    }
    if (/ThreatFox IOCs/i.test(body)) this.banner = true;
    if (isCommentedHeader(body)) {
      this.checkRowsAfterTrailer();
      this.setColumns(mapColumns(parseCsvHeader(body), this.file, lineNumber), lineNumber);
      this.sectionRows = 0;
      this.trailer = undefined;
    }
  }

  /** Compares `# Number of entries: N` with the data rows read since the header. */
  private checkTrailer(declared: number, line: number): void {
    if (declared !== this.sectionRows) {
      this.sink.report({
        code: 'ENTRY_COUNT_MISMATCH',
        severity: 'warning',
        message: `Trailer declares ${declared} entries, but ${this.sectionRows} data rows were read: the file may be truncated or edited.`,
        source: { file: this.file, line },
      });
    }
    this.trailer = { line, declared };
    this.sectionRows = 0;
  }

  /**
   * Reports the data rows after a trailer that no later trailer counts. The build treats them as
   * a count mismatch, so --strict fails on them.
   */
  private checkRowsAfterTrailer(): void {
    if (!this.trailer || this.sectionRows === 0) return;
    const { line, declared } = this.trailer;
    const single = this.sectionRows === 1;
    const rows = single ? '1 data row follows' : `${this.sectionRows} data rows follow`;
    this.sink.report({
      code: 'ENTRY_COUNT_MISMATCH',
      severity: 'warning',
      message:
        `${rows} the trailer on line ${line}, which declares ${declared} entries, without a trailer of ${single ? 'its' : 'their'} own, so the file may be edited, or joined with part of another export. ` +
        `${single ? 'The row is' : 'The rows are'} read under the header above that trailer.`,
      source: { file: this.file, line: this.sectionFirstLine },
    });
    this.sectionRows = 0;
  }
}

/**
 * Picks the fields of one row. The object literal gives every row the same shape, which is
 * faster than adding the fields one by one on a million rows. The `anonymous` column is never
 * read, so it is never sliced.
 */
function pickFields(row: CsvRow, at: Record<ThreatFoxField, number>): ThreatFoxFields {
  return {
    id: row.field(at.id),
    value: row.field(at.value),
    type: row.field(at.type),
    threatType: row.field(at.threatType),
    malware: row.field(at.malware),
    malwarePrintable: row.field(at.malwarePrintable),
    malwareAlias: row.field(at.malwareAlias),
    malwareMalpedia: row.field(at.malwareMalpedia),
    firstSeen: row.field(at.firstSeen),
    lastSeen: row.field(at.lastSeen),
    confidence: row.field(at.confidence),
    isCompromised: row.field(at.isCompromised),
    reference: row.field(at.reference),
    tags: row.field(at.tags),
    reporter: row.field(at.reporter),
  };
}

/** Columns that give an indicator's context, with the filter option that needs each. */
const CONTEXT_COLUMNS: ReadonlyArray<{
  name: string;
  fields: ThreatFoxField[];
  noun: string;
  option: string;
}> = [
  {
    name: 'confidence_level',
    fields: ['confidence'],
    noun: 'confidence',
    option: '--min-confidence',
  },
  { name: 'threat_type', fields: ['threatType'], noun: 'threat type', option: '--threat-type' },
  {
    name: 'malware_printable',
    fields: ['malware', 'malwarePrintable'],
    noun: 'family',
    option: '--family',
  },
];

function mapColumns(names: string[], file: string, line: number): ColumnMap {
  const index = Object.fromEntries(THREATFOX_FIELDS.map((field) => [field, -1])) as Record<
    ThreatFoxField,
    number
  >;
  const seen = new Set<ThreatFoxField>();
  names.forEach((name, position) => {
    const field = THREATFOX_NAMES[name.trim().toLowerCase()];
    if (field === undefined) return;
    // Two columns for one field leave no way to tell which contains the value, so none is guessed.
    if (seen.has(field)) {
      const first = names[index[field]]!;
      throw new FeedParseError(
        'DUPLICATE_COLUMN',
        `ThreatFox CSV header of ${quoteValue(file)} has two columns for one field: ${quoteValue(first, 40)} (column ${index[field] + 1}) and ${quoteValue(name, 40)} (column ${position + 1}). Remove one and run again.`,
        { source: { file, line } },
      );
    }
    seen.add(field);
    index[field] = position;
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
