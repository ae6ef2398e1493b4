/**
 * Errors and collected issues shared by every stage.
 *
 * Readers and checkers collect {@link HuntpackIssue} records and keep going; only a caller that
 * asked for strict behaviour turns the first error into a thrown {@link HuntpackError}.
 */

/** Where a value came from: a file with line and column, or an indicator id in a feed. */
export interface SourceLocation {
  /** File path as the user gave it, or `-` for standard input. */
  file?: string;
  /** 1-based line number. */
  line?: number;
  /** 1-based column number. */
  column?: number;
  /** Record id inside the feed, such as a ThreatFox IOC id or a STIX indicator id. */
  id?: string;
}

export type IssueSeverity = 'error' | 'warning' | 'info';

/** One problem found while reading, normalizing or checking, with where it happened. */
export interface HuntpackIssue {
  /** Stable SCREAMING_SNAKE code, such as `INVALID_PORT`. */
  code: string;
  severity: IssueSeverity;
  /** A plain sentence that quotes the value and says what was expected. */
  message: string;
  source?: SourceLocation;
  /**
   * True for a warning about malformed input that the reader worked around, such as an optional
   * field it could not read and left out of a record it kept. Strict mode stops at it.
   */
  malformed?: boolean;
  /**
   * The feed's value that the issue is about, with the JSON type the feed gave it, when the
   * reader that raised the issue records it.
   */
  value?: unknown;
}

/** Counts of the feed rows read before a build stopped, which reconcile as a summary's do. */
export interface StopCounts {
  rowsRead: number;
  accepted: number;
  rejected: number;
  merged: number;
  dropped: Record<string, number>;
}

/** The root of every error huntpack throws on purpose. */
export class HuntpackError extends Error {
  readonly code: string;
  readonly source: SourceLocation | undefined;
  /**
   * Counts of the rows read before the error stopped a build while reading feeds, set by the
   * build's collector. The row that stopped the build is not in them.
   */
  countsSoFar?: StopCounts;

  constructor(
    code: string,
    message: string,
    options: { source?: SourceLocation; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.source = options.source;
  }
}

/** A feed or log file that cannot be read at all (unknown format, broken archive, bad header). */
export class FeedParseError extends HuntpackError {}

/** The error that stops a `--strict` run at an issue, with that issue for callers that report data. */
export class StrictStopError extends FeedParseError {
  constructor(
    readonly issue: HuntpackIssue,
    message: string,
  ) {
    super(issue.code, message, { source: issue.source });
  }
}

/** A value that cannot become an indicator. */
export class NormalizationError extends HuntpackError {}

/** Invalid options, allowlists, exclusion files or other user configuration. */
export class ConfigError extends HuntpackError {}

/** A construct huntpack recognizes but does not support. */
export class UnsupportedFeatureError extends HuntpackError {}

/** A command line that cannot be run as written. */
export class UsageError extends HuntpackError {}

/** A huntpack bug, such as a generated query that the Kusto parser rejects. */
export class InternalError extends HuntpackError {}

/** A location cuts a record id after this many characters; a feed may give an id of any length. */
const SHOWN_ID_LENGTH = 80;

/**
 * Formats a location as `file:line:column (id X)`, leaving out the parts that are unknown. The
 * file (a zip member is named by the archive) and the id come from the input, so their control
 * characters are escaped as {@link printable} does, and an id longer than 80 characters is cut.
 */
export function formatLocation(source: SourceLocation | undefined): string {
  if (!source) return '';
  let text = source.file === undefined ? '' : printable(source.file);
  if (source.line !== undefined) text += `${text ? ':' : 'line '}${source.line}`;
  if (source.column !== undefined) text += `:${source.column}`;
  if (source.id !== undefined) {
    const id =
      source.id.length > SHOWN_ID_LENGTH ? `${source.id.slice(0, SHOWN_ID_LENGTH)}…` : source.id;
    text += `${text ? ' ' : ''}(id ${printable(id)})`;
  }
  return text;
}

/** Formats an issue as one line: `file:line (id X): error CODE: message`. */
export function formatIssue(issue: HuntpackIssue): string {
  const where = formatLocation(issue.source);
  return `${where ? `${where}: ` : ''}${issue.severity} ${issue.code}: ${issue.message}`;
}

/**
 * Control characters in a log value would move the cursor or end the line on a terminal, and
 * Unicode direction marks, embeddings, overrides and isolates would reorder the text around them
 * on screen, so that a value reads as another.
 */
const CONTROL_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b\u200e\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/g;

/**
 * Escapes control characters and the soft hyphen as `\x1b` or `\xad`, and direction controls, the
 * zero-width space and the line and paragraph separators as `\u202e`, so that a log value can
 * neither drive a terminal nor disguise itself. Zero-width joiners stay, because emoji and several scripts need them.
 */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Quotes a value for a message as a JSON string, shortened so that one huge field cannot flood
 * the terminal. DEL and C1 control characters are written as escapes such as `\x9b`, and text-direction
 * characters as escapes such as `\u202e`, as the hunt output writes them.
 */
export function quoteValue(value: unknown, maxLength = 80): string {
  const text = typeof value === 'string' ? value : jsonPreview(value, maxLength);
  const shown = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  // JSON.stringify escapes the C0 controls, and printable the rest.
  return printable(JSON.stringify(shown));
}

/**
 * Returns a feed value for a JSON document, shortened as {@link quoteValue} shortens it for a
 * message: a string longer than `maxLength` is cut and ends in `…`, and another value whose JSON
 * text is longer becomes that text, cut the same way.
 */
export function shortenValue(
  value: unknown,
  maxLength = 80,
): { value: unknown; shortened: boolean } {
  const text = typeof value === 'string' ? value : jsonPreview(value, maxLength);
  if (text.length <= maxLength) return { value, shortened: false };
  return { value: `${text.slice(0, maxLength)}…`, shortened: true };
}

/**
 * Shows a JSON value for a message as its JSON text, such as `{"a":1}`, shortened and escaped as
 * {@link quoteValue} does. Unlike quoteValue, an object is not quoted again as a string.
 */
export function showJsonText(value: unknown, maxLength = 80): string {
  const text = jsonPreview(value, maxLength);
  return printable(text.length > maxLength ? `${text.slice(0, maxLength)}…` : text);
}

/**
 * Returns the JSON text of a value as `JSON.stringify` writes it, but stops soon after `limit`
 * characters. A feed value can be an array of a million items or nested a million deep, which
 * `JSON.stringify` would write in full or overflow the stack on. Each level of nesting adds a
 * character, so stopping at the limit also bounds the depth. A value that JSON cannot hold,
 * such as undefined or a bigint, is written as `String` writes it.
 */
function jsonPreview(value: unknown, limit: number): string {
  let text = '';
  const write = (item: unknown): void => {
    if (text.length > limit) return;
    const json =
      item !== null &&
      typeof item === 'object' &&
      typeof (item as { toJSON?: unknown }).toJSON === 'function'
        ? (item as { toJSON: () => unknown }).toJSON()
        : item;
    if (Array.isArray(json)) {
      text += '[';
      for (let index = 0; index < json.length && text.length <= limit; index++) {
        if (index > 0) text += ',';
        const element: unknown = json[index];
        if (element === undefined || typeof element === 'function' || typeof element === 'symbol')
          text += 'null';
        else write(element);
      }
      text += ']';
    } else if (json !== null && typeof json === 'object') {
      text += '{';
      let first = true;
      for (const [key, member] of Object.entries(json)) {
        if (text.length > limit) break;
        if (member === undefined || typeof member === 'function' || typeof member === 'symbol')
          continue;
        text += `${first ? '' : ','}${JSON.stringify(key)}:`;
        first = false;
        write(member);
      }
      text += '}';
    } else if (
      json === null ||
      typeof json === 'string' ||
      typeof json === 'number' ||
      typeof json === 'boolean'
    ) {
      text += JSON.stringify(json);
    } else if (typeof json === 'bigint' || typeof json === 'symbol') {
      text += json.toString();
    } else {
      // Undefined or a function, which JSON cannot hold either.
      text += 'undefined';
    }
  };
  write(value);
  return text;
}

/** Returns an error's message without the `, open '/path'` that Node.js appends to it. */
export function systemMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { syscall, path } = error as NodeJS.ErrnoException;
  const suffix = syscall !== undefined && path !== undefined ? `, ${syscall} '${path}'` : '';
  return suffix !== '' && error.message.endsWith(suffix)
    ? error.message.slice(0, -suffix.length)
    : error.message;
}

/**
 * Returns why a file could not be read, for a message that names the file before it: the
 * system's own words without the path it repeats, and for a folder or a missing file what to
 * pass instead.
 */
export function fileReadReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = systemMessage(error);
  if (code === 'EISDIR') return 'it is a folder; pass a file';
  if (code === 'ENOENT') return 'no such file; check the path';
  if (code === 'EACCES' || code === 'EPERM') {
    return `${reason}; give the user that runs huntpack read access to it`;
  }
  return reason;
}
