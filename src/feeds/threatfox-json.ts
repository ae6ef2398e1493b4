/**
 * ThreatFox JSON in its three shapes:
 * - the export (https://threatfox.abuse.ch/export/json/recent/): an object keyed by IOC id,
 *   each value an array of one record or a record, with `ioc_value` and `first_seen_utc`;
 * - an API response (https://threatfox.abuse.ch/api/): `{"query_status": "ok", "data": [...]}`
 *   with `id`, `ioc` and `first_seen` ending in ` UTC`;
 * - NDJSON: one API item per line, as log shippers store them.
 */
import type { HuntpackIssue, SourceLocation } from '../errors.js';
import { FeedParseError, quoteValue } from '../errors.js';
import type { FeedInput } from './input.js';
import { locateJsonError } from './json-document.js';
import { readLines, readText } from './input.js';
import type { FeedSink } from './read.js';
import type { ThreatFoxField } from './threatfox-record.js';
import {
  ThreatFoxRecordBuilder,
  fieldKey,
  fieldsFromObject,
  showJsonValue,
  text,
} from './threatfox-record.js';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a ThreatFox JSON export. The whole document is parsed at once.
 *
 * @throws FeedParseError when the input is not JSON or not an object keyed by IOC id.
 */
export async function readThreatFoxExport(input: FeedInput, sink: FeedSink): Promise<void> {
  const file = input.name;
  const documentText = await readText(input);
  const document = parseJson(documentText, file);
  if (!isObject(document)) {
    throw new FeedParseError(
      'UNEXPECTED_JSON',
      `ThreatFox JSON export ${quoteValue(file)} is a JSON ${Array.isArray(document) ? 'array' : typeof document}: expected an object keyed by IOC id. Pass --format threatfox-api for a list of API items.`,
      { source: { file } },
    );
  }
  // JSON.parse keeps only the last value of a repeated key, so each earlier one is a lost row.
  for (const repeated of repeatedTopLevelKeys(documentText)) {
    sink.reject({
      code: 'REPEATED_JSON_KEY',
      severity: 'error',
      message: `The export repeats the IOC id ${quoteValue(repeated.key)}, and a JSON object keeps only the last record under a key, so this record is lost. Export the feed again.`,
      source: { file, line: repeated.line, id: text(repeated.key) },
    });
  }
  const builder = newBuilder(sink);
  for (const [key, value] of Object.entries(document)) {
    // The key is the IOC id, read like the id fields of the other shapes: an empty key or
    // `None` names no id, and spaces around an id are not part of it.
    const id = text(key);
    const source: SourceLocation = id === undefined ? { file } : { file, id };
    const items = Array.isArray(value) ? (value as unknown[]) : [value];
    if (items.length === 0) {
      sink.reject(invalidRecord(source, value, 'an array holding one record'));
    }
    for (const item of items) readItem(item, source, sink, builder);
  }
}

/**
 * Reads a ThreatFox API response, or a bare JSON array of API items. A response with
 * `query_status` `no_result` yields no rows and an info issue.
 *
 * @throws FeedParseError when the input is not JSON or the response reports a failed query.
 */
export async function readThreatFoxApi(input: FeedInput, sink: FeedSink): Promise<void> {
  const file = input.name;
  const document = parseJson(await readText(input), file);
  const items = apiItems(document, file, sink);
  const builder = newBuilder(sink);
  items.forEach((item, index) => {
    const id = isObject(item) ? text(item.id ?? item.ioc_id) : undefined;
    // The position names a record that has no id, such as `5` or `null` in the list.
    const position = Array.isArray(document) ? `index ${index} of the array` : `data[${index}]`;
    const source = id === undefined ? { file } : { file, id };
    readItem(item, source, sink, builder, { keys: API_KEYS, position });
  });
}

function apiItems(document: unknown, file: string, sink: FeedSink): unknown[] {
  if (Array.isArray(document)) return document;
  if (!isObject(document) || !('query_status' in document)) {
    throw new FeedParseError(
      'UNEXPECTED_JSON',
      `ThreatFox API response ${quoteValue(file)} has no query_status: expected {"query_status": "ok", "data": [...]}.`,
      { source: { file } },
    );
  }
  const status = document.query_status;
  if (status === 'no_result') {
    sink.report({
      code: 'NO_RESULT',
      severity: 'info',
      message: `ThreatFox API response ${quoteValue(file)} has query_status "no_result": the query matched no indicators.`,
      source: { file },
    });
    return [];
  }
  if (status !== 'ok') {
    const detail = typeof document.data === 'string' ? ` (data: ${quoteValue(document.data)})` : '';
    throw new FeedParseError(
      'API_QUERY_FAILED',
      `ThreatFox API response ${quoteValue(file)} has query_status ${showJsonValue(status)}${detail}: expected "ok". The query failed, so the file holds no indicators; check the query and the Auth-Key and query again.`,
      { source: { file } },
    );
  }
  if (!Array.isArray(document.data)) {
    throw new FeedParseError(
      'UNEXPECTED_JSON',
      `ThreatFox API response ${quoteValue(file)} has query_status "ok" but its data is ${showJsonValue(document.data)}: expected a list of indicators.`,
      { source: { file } },
    );
  }
  return document.data as unknown[];
}

/**
 * Reads NDJSON of ThreatFox API items line by line. A line that is not a JSON object is
 * rejected with its line number and skipped. Blank lines are ignored.
 */
export async function readThreatFoxNdjson(input: FeedInput, sink: FeedSink): Promise<void> {
  const file = input.name;
  const builder = newBuilder(sink);
  for await (const { line, lineNumber } of readLines(input)) {
    if (line.trim() === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (error) {
      sink.reject({
        code: 'INVALID_JSON_LINE',
        severity: 'error',
        message: `Invalid JSON line ${quoteValue(line.trim())} (${(error as Error).message}): expected one ThreatFox API item per line. The line is skipped.`,
        source: { file, line: lineNumber },
      });
      continue;
    }
    const id = isObject(item) ? text(item.id ?? item.ioc_id) : undefined;
    readItem(
      item,
      id === undefined ? { file, line: lineNumber } : { file, line: lineNumber, id },
      sink,
      builder,
      { keys: API_KEYS },
    );
  }
}

/** Returns one builder per input, so that the records of the input share repeated context. */
function newBuilder(sink: FeedSink): ThreatFoxRecordBuilder {
  return new ThreatFoxRecordBuilder((issue) => sink.report(issue));
}

/** Names that messages use for a record of one JSON shape and for the keys it lacks. */
interface RecordNaming {
  /** The key of each required field in this shape, named in messages when a record lacks it. */
  keys?: Partial<Record<ThreatFoxField, string>>;
  /** Position of the record in the document, such as `data[3]`, for a record without id or line. */
  position?: string;
}

/** The keys of the required fields in API items, which name the value `ioc`. */
const API_KEYS: Partial<Record<ThreatFoxField, string>> = { value: 'ioc', type: 'ioc_type' };

function readItem(
  item: unknown,
  source: SourceLocation,
  sink: FeedSink,
  builder: ThreatFoxRecordBuilder,
  naming: RecordNaming = {},
): void {
  if (!isObject(item)) {
    sink.reject(
      invalidRecord(source, item, 'a JSON object with ThreatFox fields', naming.position),
    );
    return;
  }
  // An id or a line already locates the record, so the position is named only without both.
  const located = source.id !== undefined || source.line !== undefined;
  const keyOf = (field: ThreatFoxField) => fieldKey(item, field) ?? naming.keys?.[field];
  const position = located ? undefined : naming.position;
  const result = builder.build(fieldsFromObject(item), source, keyOf, position);
  if (result.ok) sink.accept(result.record);
  else sink.reject(result.issue);
}

/**
 * Returns the rejection of a record that is not of the expected JSON type, showing the value and,
 * when known, its position in the document.
 */
function invalidRecord(
  source: SourceLocation,
  value: unknown,
  expected: string,
  position?: string,
): HuntpackIssue {
  const where = position === undefined ? '' : ` at ${position}`;
  return {
    code: 'INVALID_RECORD',
    severity: 'error',
    message: `Invalid record${where}: expected ${expected}, found ${showJsonValue(value)}. The record is skipped.`,
    source,
  };
}

/**
 * Returns each key of the top-level object of a valid JSON document that appears again later,
 * with the line of the earlier value, which JSON.parse drops, once per repeat.
 */
export function repeatedTopLevelKeys(document: string): Array<{ key: string; line: number }> {
  const repeated: Array<{ key: string; line: number }> = [];
  const lastLine = new Map<string, number>();
  let depth = 0;
  let line = 1;
  for (let index = 0; index < document.length; index += 1) {
    const code = document.charCodeAt(index);
    if (code === NEWLINE) line += 1;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth += 1;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth -= 1;
    else if (code === QUOTE) {
      const end = stringEnd(document, index);
      // A string of the top-level object followed by a colon is a key.
      if (depth === 1 && /^\s*:/.test(document.slice(end + 1, end + 64))) {
        const key = JSON.parse(document.slice(index, end + 1)) as string;
        const earlier = lastLine.get(key);
        if (earlier !== undefined) repeated.push({ key, line: earlier });
        lastLine.set(key, line);
      }
      index = end;
    }
  }
  return repeated;
}

/** Returns the offset of the quote that closes the JSON string opening at `open`. */
function stringEnd(document: string, open: number): number {
  let index = open + 1;
  for (;;) {
    const code = document.charCodeAt(index);
    if (code === QUOTE) return index;
    index += code === BACKSLASH ? 2 : 1;
  }
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Parses a whole JSON document, reporting a syntax error with its line and column. */
function parseJson(document: string, file: string): unknown {
  try {
    return JSON.parse(document) as unknown;
  } catch (error) {
    const problem = locateJsonError(error, document);
    const advice = problem.atEnd
      ? 'The file ends before the JSON does, so it is probably truncated; download or export it again.'
      : 'Fix the file or download it again.';
    throw new FeedParseError(
      'INVALID_JSON',
      `Invalid JSON in ${quoteValue(file)} at line ${problem.line}, column ${problem.column}: ${problem.detail}. ${advice}`,
      { source: { file, line: problem.line, column: problem.column }, cause: error },
    );
  }
}
