/**
 * Whole-document JSON parsing for the STIX and MISP readers, with errors that name the line
 * and column.
 */
import { FeedParseError, quoteValue } from '../errors.js';

/** A JSON object, as opposed to an array or a scalar. */
export type JsonObject = Record<string, unknown>;

/** Parses `text` as JSON, ignoring a UTF-8 byte order mark; throws FeedParseError on bad syntax. */
export function parseJsonDocument(text: string, file: string, format: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const problem = locateJsonError(error, body);
    const where = ` at line ${problem.line}, column ${problem.column}`;
    throw new FeedParseError(
      'INVALID_JSON',
      `"${file}" is not valid JSON${where} (${problem.detail}), so it cannot be read as ${format}. Fix the file or export it again.`,
      { source: { file, line: problem.line, column: problem.column }, cause: error },
    );
  }
}

/** A JSON syntax error: the parser's message and its place in the text. */
export interface JsonSyntaxProblem {
  /** The parser's message, such as `Unexpected end of JSON input`. */
  detail: string;
  /** 1-based line and column of the failing character, or just past the last one. */
  line: number;
  column: number;
  /** True when the parser ran out of text: the document stops before it is complete. */
  atEnd: boolean;
}

/**
 * Locates the error that `JSON.parse(text)` threw. Node 20 reports "at position N" for most
 * errors, but no place for "Unexpected token" (found here by a binary search over prefixes) and
 * for "Unexpected end of JSON input". Newer versions also report "(line L column C)".
 */
export function locateJsonError(error: unknown, text: string): JsonSyntaxProblem {
  const detail = error instanceof Error ? error.message : String(error);
  const end = text.trimEnd().length;
  const position = jsonErrorPosition(detail);
  const found = position ?? (UNEXPECTED_END.test(detail) ? end : findErrorOffset(text));
  const atEnd = found >= end;

  const lineColumn = /line (\d+) column (\d+)/.exec(detail);
  if (lineColumn) {
    return { detail, line: Number(lineColumn[1]), column: Number(lineColumn[2]), atEnd };
  }
  // A document that stops early is placed just after its last character, not after trailing
  // white space.
  const lines = text.slice(0, atEnd ? end : found).split('\n');
  return { detail, line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1, atEnd };
}

const UNEXPECTED_END = /^Unexpected end of JSON input/;

function jsonErrorPosition(message: string): number | undefined {
  const position = /position (\d+)/.exec(message)?.[1];
  return position === undefined ? undefined : Number(position);
}

/**
 * Returns the offset of the first character that no valid JSON document can have there. A
 * prefix is viable when it parses or fails only at its end. V8 parses from the left and reports
 * the first error, so every prefix of a viable prefix is viable too, and a binary search finds
 * the longest viable one in about log2(length) parses.
 */
function findErrorOffset(text: string): number {
  let viable = 0;
  let broken = text.length;
  while (broken - viable > 1) {
    const middle = Math.floor((viable + broken) / 2);
    if (isViablePrefix(text.slice(0, middle))) viable = middle;
    else broken = middle;
  }
  return viable;
}

function isViablePrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (UNEXPECTED_END.test(message)) return true;
    const position = jsonErrorPosition(message);
    return position !== undefined && position >= prefix.length;
  }
}

/** True for a plain object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns `value` when it is a non-empty string after trimming, else undefined. */
export function stringField(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Returns the elements of `value` that are JSON objects, or none when it is not an array. */
export function objectList(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

/**
 * Describes a JSON value for a message about an entry of the wrong type, such as `the number 42`
 * or `an array of 3 entries`. An array or object is named by its kind only, because a feed may
 * nest one a million deep.
 */
export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    return `an array of ${value.length} ${value.length === 1 ? 'entry' : 'entries'}`;
  }
  if (typeof value === 'string') return `the string ${quoteValue(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `the ${typeof value} ${String(value)}`;
  }
  return 'an object';
}
