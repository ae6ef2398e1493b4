/**
 * Converts raw field values into the Kusto type of their table column, reporting values that do
 * not fit as field warnings: the event is kept and the column is left out.
 */
import { quoteValue } from '../../errors.js';
import type { ColumnType } from '../../compile/ir.js';
import type { ColumnValue } from './event.js';
import { parseLogTime, type TimeDefaults } from './log-time.js';

/** Receives field-level problems of the record being parsed. */
export interface FieldWarningSink {
  warn(code: string, message: string): void;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** True for text that matches `^[+-]?[0-9]+$`, checked without a regular expression. */
function isIntegerText(text: string): boolean {
  let i = text.charCodeAt(0) === 43 || text.charCodeAt(0) === 45 ? 1 : 0;
  if (i === text.length) return false;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Text that logs write in place of a missing value, such as CEF `fileHash=-`, lower-cased. */
const PLACEHOLDERS = new Set(['', '-', 'n/a', 'na', 'null', 'none', '(empty)']);

/** Returns whether a log value is empty or a placeholder such as `-` or `N/A`. */
export function isPlaceholder(text: string): boolean {
  return PLACEHOLDERS.has(text.trim().toLowerCase());
}

/** Returns whether a logged hash field has a value: not missing, empty or a placeholder. */
export function isHashValue(value: unknown): value is string {
  return typeof value === 'string' && !isPlaceholder(value);
}

/**
 * Converts a raw value for a column of the given type. Returns undefined for absent and empty
 * values and for values that do not fit, after reporting the latter to `sink`.
 */
export function coerceColumnValue(
  type: ColumnType,
  column: string,
  raw: unknown,
  sink: FieldWarningSink,
  timeDefaults: TimeDefaults,
): ColumnValue | undefined {
  if (raw === null || raw === undefined) return undefined;
  switch (type) {
    case 'string':
    case 'guid':
    case 'timespan':
    case 'decimal':
      return coerceText(raw);
    case 'dynamic':
      return typeof raw === 'object' ? JSON.stringify(raw) : coerceText(raw);
    case 'int':
    case 'long':
      return coerceInteger(type, column, raw, sink);
    case 'real':
      return coerceReal(column, raw, sink);
    case 'bool':
      return coerceBool(column, raw, sink);
    case 'datetime':
      return coerceTime(column, raw, sink, timeDefaults);
    default: {
      const unreachable: never = type;
      return unreachable;
    }
  }
}

/** Returns a scalar as trimmed text, and an object or array as JSON text. */
function toText(raw: unknown): string {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') {
    return String(raw);
  }
  return JSON.stringify(raw) ?? '';
}

function coerceText(raw: unknown): string | undefined {
  const text = toText(raw);
  return text === '' ? undefined : text;
}

/** Returns the trimmed text of a non-string value, or undefined when it is empty or `null`. */
function typedText(raw: unknown): string | undefined {
  const text = toText(raw);
  return text === '' || (text.length === 4 && text.toLowerCase() === 'null') ? undefined : text;
}

function coerceInteger(
  type: 'int' | 'long',
  column: string,
  raw: unknown,
  sink: FieldWarningSink,
): number | string | undefined {
  const text = typedText(raw);
  if (text === undefined) return undefined;
  const isPort = column.endsWith('Port');
  if (!isIntegerText(text)) {
    const code = isPort ? 'INVALID_PORT' : 'INVALID_NUMBER';
    sink.warn(code, `Invalid ${column} ${quoteValue(text)}: expected an integer.`);
    return undefined;
  }
  const value = Number(text);
  if (isPort && (value < 0 || value > 65535)) {
    sink.warn('INVALID_PORT', `Invalid ${column} ${quoteValue(text)}: expected 0 to 65535.`);
    return undefined;
  }
  if (type === 'int' && (value < INT32_MIN || value > INT32_MAX)) {
    sink.warn(
      'NUMBER_OUT_OF_RANGE',
      `${column} ${quoteValue(text)} does not fit the 32-bit int column.`,
    );
    return undefined;
  }
  return Number.isSafeInteger(value) ? value : text.replace(/^\+/, '');
}

function coerceReal(column: string, raw: unknown, sink: FieldWarningSink): number | undefined {
  const text = typedText(raw);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (Number.isNaN(value)) {
    sink.warn('INVALID_NUMBER', `Invalid ${column} ${quoteValue(text)}: expected a number.`);
    return undefined;
  }
  return value;
}

const TRUE_TEXTS = new Set(['true', 't', '1', 'yes']);
const FALSE_TEXTS = new Set(['false', 'f', '0', 'no']);

function coerceBool(column: string, raw: unknown, sink: FieldWarningSink): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  const text = typedText(raw)?.toLowerCase();
  if (text === undefined) return undefined;
  if (TRUE_TEXTS.has(text)) return true;
  if (FALSE_TEXTS.has(text)) return false;
  sink.warn('INVALID_BOOLEAN', `Invalid ${column} ${quoteValue(text)}: expected true or false.`);
  return undefined;
}

function coerceTime(
  column: string,
  raw: unknown,
  sink: FieldWarningSink,
  timeDefaults: TimeDefaults,
): Date | undefined {
  if (raw instanceof Date) return raw;
  const text = typedText(raw);
  if (text === undefined) return undefined;
  const result = parseLogTime(text, timeDefaults);
  if (result.ok) return result.date;
  sink.warn(result.code, `${column}: ${result.message}`);
  return undefined;
}
