/**
 * Whole-document JSON parsing for the STIX and MISP readers, with errors that name the line
 * and column.
 */
import { FeedParseError } from '../errors.js';

/** A JSON object, as opposed to an array or a scalar. */
export type JsonObject = Record<string, unknown>;

/** Parses `text` as JSON, ignoring a UTF-8 byte order mark; throws FeedParseError on bad syntax. */
export function parseJsonDocument(text: string, file: string, format: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const position = positionOfJsonError(detail, body);
    return failJson(file, format, detail, position, error);
  }
}

function failJson(
  file: string,
  format: string,
  detail: string,
  position: { line: number; column: number } | undefined,
  cause: unknown,
): never {
  const where = position ? ` at line ${position.line}, column ${position.column}` : '';
  throw new FeedParseError(
    'INVALID_JSON',
    `"${file}" is not valid JSON${where} (${detail}), so it cannot be read as ${format}. Fix the file or export it again.`,
    { source: { file, ...position }, cause },
  );
}

/**
 * Finds the line and column in a JSON.parse message. Node 20 reports "at position N"; newer
 * versions also report "(line L column C)".
 */
function positionOfJsonError(
  message: string,
  text: string,
): { line: number; column: number } | undefined {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const offset = /position (\d+)/.exec(message);
  if (!offset) return undefined;
  const before = text.slice(0, Number(offset[1]));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
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
