/**
 * Reads a file as a sequence of records for the three shapes of log file: lines, JSON values
 * (JSON lines or one JSON array) and CSV rows. Each source yields batches, so the per-record
 * work stays synchronous and fast.
 */
import { parse as parseCsv, type CsvError } from 'csv-parse';
import { batchRecords, isJson, JsonArraySplitter } from './json-records.js';
import { describeReadError, LogInputError, openLogText, readLineBatches } from './log-input.js';
import type { RecordUnit } from './log-stats.js';

/** One raw record: its 1-based starting line and its content, or the reason it is unreadable. */
export type RawRecord<T> =
  { line: number; value: T } | { line: number; error: { code: string; message: string } };

/** Yields the lines of a file. */
export async function* lineRecords(file: string): AsyncGenerator<Array<RawRecord<string>>> {
  for await (const batch of readLineBatches(file)) {
    yield batch.lines.map((value, index) => ({ line: batch.firstLine + index, value }));
  }
}

/** A JSON value, or undefined for a blank line. */
export type JsonValue = unknown;

/**
 * Yields the values of a JSON-lines file, or the elements of a JSON array when the first
 * non-blank character is `[`, or of a run of objects when the first line starts one that does
 * not end on it (a pretty-printed document). A blank line yields the value undefined. An Event
 * Hub batch, an object whose `records` array lists the events, yields each of them.
 *
 * @param onUnit called with what a record of the file is, once the first value shows it and
 *   again when the first Event Hub batch is read.
 */
export async function* jsonRecords(
  file: string,
  onUnit: (unit: RecordUnit) => void = () => undefined,
): AsyncGenerator<Array<RawRecord<JsonValue>>> {
  let splitter: JsonArraySplitter | undefined;
  let decided = false;
  let batchSeen = false;
  const push = (records: Array<RawRecord<JsonValue>>, record: RawRecord<JsonValue>): void => {
    if (pushRecords(records, record) && !batchSeen) {
      batchSeen = true;
      onUnit('batch-record');
    }
  };
  for await (const batch of readLineBatches(file)) {
    const records: Array<RawRecord<JsonValue>> = [];
    for (let index = 0; index < batch.lines.length; index++) {
      const line = batch.lines[index] ?? '';
      const lineNumber = batch.firstLine + index;
      if (!decided && line.trim() !== '') {
        decided = true;
        const start = line.trimStart();
        if (start.startsWith('[')) {
          splitter = new JsonArraySplitter();
          onUnit('array-element');
        } else if (start.startsWith('{') && !isJson(line)) {
          splitter = new JsonArraySplitter();
          onUnit('json-value');
        }
      }
      if (splitter) {
        for (const element of splitter.push(line, lineNumber)) {
          const record = parseJson(element);
          if ('error' in record) {
            // The values after a broken one cannot be separated, so the file stops here.
            if (records.length > 0) yield records;
            throw brokenDocumentError(file, record.line, record.error.message);
          }
          push(records, record);
        }
      } else if (line.trim() === '') {
        records.push({ line: lineNumber, value: undefined });
      } else {
        push(records, parseJson({ line: lineNumber, text: line }));
      }
    }
    yield records;
  }
  const rest = splitter?.finish();
  if (rest) {
    throw new LogInputError(
      'TRUNCATED_JSON',
      `The JSON value that starts at line ${rest.line} of "${file}" is not closed before the end ` +
        'of the file: the file is cut short, or a value in it lacks a closing bracket. The events ' +
        'before that line are kept and the rest of the file was not read. Export the log again.',
      { source: { file, line: rest.line } },
    );
  }
}

/** Returns the error for a value of a JSON document, an array or a run of objects, that is invalid. */
function brokenDocumentError(file: string, line: number, reason: string): LogInputError {
  return new LogInputError(
    'INVALID_JSON_DOCUMENT',
    `The JSON value that starts at line ${line} of "${file}" is invalid (${reason}), and the ` +
      'values after it cannot be told apart, so the file is read no further; the events before ' +
      'it are kept. Export the log again, or as JSON lines.',
    { source: { file, line } },
  );
}

/**
 * Adds a record, or each event of an Event Hub batch, all on the batch's line. Returns true for
 * a batch.
 *
 * NOTE: a finding in a pretty-printed batch names the batch's first line, not the event's, and
 * each event counts as one record read.
 */
function pushRecords(records: Array<RawRecord<JsonValue>>, record: RawRecord<JsonValue>): boolean {
  const batch = 'value' in record ? batchRecords(record.value) : undefined;
  if (batch === undefined) {
    records.push(record);
    return false;
  }
  for (const value of batch) records.push({ line: record.line, value });
  return true;
}

function parseJson(record: { line: number; text: string }): RawRecord<JsonValue> {
  try {
    return { line: record.line, value: JSON.parse(record.text) as JsonValue };
  } catch (error) {
    return {
      line: record.line,
      error: { code: 'INVALID_JSON', message: `Invalid JSON: ${(error as Error).message}.` },
    };
  }
}

/**
 * Counts the `\n` and `\r` characters inside a row's fields. csv-parse 7 reports the line a
 * row ends on, but counts every `\r` inside quotes as a line of its own, for that row and every
 * row after it. Lines here end at `\n` only, as in the line-based readers, so the reader
 * subtracts the `\r` characters seen so far.
 */
function lineBreaksIn(record: string[]): { newlines: number; carriageReturns: number } {
  let newlines = 0;
  let carriageReturns = 0;
  for (const field of record) {
    if (field.indexOf('\n') < 0 && field.indexOf('\r') < 0) continue;
    for (let i = 0; i < field.length; i++) {
      const code = field.charCodeAt(i);
      if (code === 10) newlines++;
      else if (code === 13) carriageReturns++;
    }
  }
  return { newlines, carriageReturns };
}

/** Yields the rows of a CSV file, the header row included, with the line each row starts on. */
export async function* csvRecords(file: string): AsyncGenerator<Array<RawRecord<string[]>>> {
  const skipped: Array<RawRecord<string[]>> = [];
  let carriageReturnsSeen = 0;
  const parser = parseCsv({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      skipped.push({
        line: ((error as { lines?: number } | undefined)?.lines ?? 0) - carriageReturnsSeen,
        error: { code: 'INVALID_CSV', message: `Invalid CSV row: ${error?.message ?? 'unknown'}` },
      });
      return undefined;
    },
  });
  const text = await openLogText(file);
  text.on('error', (error) => parser.destroy(describeReadError(file, error, parser.info.lines)));
  text.pipe(parser);

  let batch: Array<RawRecord<string[]>> = [];
  try {
    for await (const output of parser) {
      const { info, record } = output as { info: { lines: number }; record: string[] };
      const { newlines, carriageReturns } = lineBreaksIn(record);
      carriageReturnsSeen += carriageReturns;
      const endLine = info.lines - carriageReturnsSeen;
      // Blank lines can be many, more than a call's arguments may be, so they are moved one by one.
      for (const blank of skipped.splice(0)) batch.push(blank);
      batch.push({ line: endLine - newlines, value: record });
      if (batch.length >= 512) {
        yield batch;
        batch = [];
      }
    }
  } finally {
    // pipe() leaves the file open when the parser stops early, as when the consumer returns.
    text.destroy();
  }
  for (const blank of skipped.splice(0)) batch.push(blank);
  if (batch.length > 0) yield batch;
}
