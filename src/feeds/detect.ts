/**
 * Feed format detection from content: the first bytes and lines of an input decide, and the
 * file name only breaks the tie for free text.
 */
import { FeedParseError, quoteValue } from '../errors.js';
import { isNdjsonOfItems, jsonLinesError } from './detect-ndjson.js';
import { nulByteError, utf16Encoding } from './input.js';
import { locateJsonError } from './json-document.js';
import { isCommentedHeader, namesRequiredColumns } from './threatfox-csv-header.js';

/** Feed formats that huntpack detects, each read by one reader in `read.ts`. */
export type FeedFormat =
  | 'threatfox-csv'
  | 'threatfox-json'
  | 'threatfox-api'
  | 'threatfox-ndjson'
  | 'stix'
  | 'misp'
  | 'text';

/** Every format with the label that messages and `--format` help use. */
export const FEED_FORMATS: ReadonlyArray<{ format: FeedFormat; label: string }> = [
  { format: 'threatfox-csv', label: 'ThreatFox CSV export' },
  { format: 'threatfox-json', label: 'ThreatFox JSON export' },
  { format: 'threatfox-api', label: 'ThreatFox API response' },
  { format: 'threatfox-ndjson', label: 'NDJSON of ThreatFox API items' },
  { format: 'stix', label: 'STIX 2.1 bundle' },
  { format: 'misp', label: 'MISP JSON' },
  {
    format: 'text',
    label: 'free text (a report in any file but .csv, .tsv, .json, .ndjson, .jsonl or .xml)',
  },
];

/** Returns the format with this name, or undefined, for parsing `--format`. */
export function parseFeedFormat(name: string): FeedFormat | undefined {
  return FEED_FORMATS.find((entry) => entry.format === name)?.format;
}

const TEXT_EXTENSIONS = /\.(txt|md|markdown|adoc|text)$/i;

/**
 * Detects the format of a feed from a sample of its start (`readFeeds` passes the first 64 KiB).
 * Returns undefined when the sample matches no known format.
 *
 * @param fileName the input name, used only to accept free text in a `.txt` or `.md` file and
 *   to refuse it in a data file such as `.csv` or `.json`.
 */
export function detectFeedFormat(sample: string, fileName: string): FeedFormat | undefined {
  if (sample.includes('\u0000')) return undefined;
  const text = sample.replace(/^\uFEFF+/, '').trimStart();

  const structured =
    text.startsWith('{') || text.startsWith('[') ? detectJson(text) : detectCsv(text);
  if (structured) return structured;
  // Invalid UTF-8 decodes to U+FFFD, which marks binary input or another encoding.
  if (text.includes('\uFFFD')) return undefined;
  // A log read as free text would hunt every address it contains.
  if (logKind(text) !== undefined) return undefined;
  const name = fileName.replace(/\.gz$/i, '');
  if (TEXT_EXTENSIONS.test(name)) return 'text';
  // A data file that is no known feed is more likely an error page or a failed export than a
  // report, and reading it as free text would hunt whatever addresses its message names.
  // An empty file is read as an empty feed, which the build warns about.
  if (DATA_EXTENSIONS.test(name) && text.trim() !== '') return undefined;
  return looksStructured(text) ? undefined : 'text';
}

/** Names of data files, which are read as free text only with `--format text`. */
const DATA_EXTENSIONS = /\.(csv|tsv|json|jsonl|ndjson|xml)$/i;

function detectJson(text: string): FeedFormat | undefined {
  // JSON lines come first, because a header line such as `{"query_status": "ok"}` or
  // `{"1": ...}` would match a JSON document below, which then fails to parse at line 2.
  if (isNdjsonOfItems(text)) return 'threatfox-ndjson';
  const firstKey = /^[[{]\s*(?:\{\s*)?"([^"]*)"/.exec(text)?.[1];
  if (firstKey !== undefined && /^\d+$/.test(firstKey)) return 'threatfox-json';
  if (/^\[?\s*\{\s*"(Event|response)"\s*:/.test(text)) return 'misp';
  if (/"query_status"\s*:/.test(text)) return 'threatfox-api';
  // An API response with sorted keys (`jq -S`) puts `data` first, so a long list can push
  // `query_status` past the sample. Its items name the ThreatFox keys instead.
  if (/^\{\s*"data"\s*:\s*\[/.test(text) && /"ioc"\s*:/.test(text) && /"ioc_type"\s*:/.test(text)) {
    return 'threatfox-api';
  }
  if (/"type"\s*:\s*"bundle"|"id"\s*:\s*"bundle--|"spec_version"\s*:\s*"2\./.test(text)) {
    return 'stix';
  }
  // STIX 1.x serialized as JSON goes to the STIX reader, which rejects it with a clear message.
  if (/"stix_header"\s*:|"id"\s*:\s*"[^"]*STIXPackage-/.test(text)) return 'stix';
  if (/"(Attribute|Object)"\s*:\s*\[/.test(text) && /"(Event|uuid)"/.test(text)) return 'misp';
  if (text.startsWith('[') && /"ioc"\s*:/.test(text) && /"ioc_type"\s*:/.test(text)) {
    return 'threatfox-api';
  }
  return undefined;
}

/**
 * ThreatFox CSV starts with `#` banner lines and the header as a comment,
 * `# "first_seen_utc","ioc_id",...`, or with a plain header row naming the same columns. The
 * columns may come in any order and case, because the reader maps them by name.
 */
function detectCsv(text: string): FeedFormat | undefined {
  for (const line of text.split('\n', 40)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('#'))
      return namesRequiredColumns(trimmed) ? 'threatfox-csv' : undefined;
    const body = trimmed.slice(1).trim();
    if (body.startsWith('ThreatFox IOCs') || isCommentedHeader(body)) return 'threatfox-csv';
  }
  return undefined;
}

/** The CEF marker of an ArcSight CEF record, as syslog lines and exports write it. */
const CEF_MARKER = /CEF: ?\d+\|/;

/** The start of a syslog line: a priority (`<134>`) or a BSD timestamp (`Dec  5 10:00:00`). */
const SYSLOG_START =
  /^(?:<\d{1,3}>|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d )/;

/**
 * Returns the kind of log that a sample starts with, such as `a Zeek log`, or undefined. It
 * recognizes the logs that `huntpack hunt` reads: Zeek TSV or JSON, CEF and other syslog lines,
 * Suricata eve.json, and CSV exports of CommonSecurityLog or DeviceNetworkEvents. A log shows
 * its kind on its first line, or on most of its first lines for syslog, so a report that quotes
 * a log line further down is still a report.
 */
export function logKind(text: string): string | undefined {
  const lines = text
    .split('\n', 64)
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
  const first = lines[0] ?? '';

  if (first.startsWith('#separator ')) return 'a Zeek log';
  const fields = lines.findIndex((line) => line.startsWith('#fields\t'));
  if (fields >= 0 && lines.slice(0, fields).every((line) => line.startsWith('#'))) {
    return 'a Zeek log';
  }
  if (CEF_MARKER.test(first)) return 'a CEF log';

  const head = lines.slice(0, 16);
  // A log may start with a line of its own, such as an export banner, before its records.
  const cef = head.filter((line) => CEF_MARKER.test(line)).length;
  if (head.length >= 3 && cef >= head.length * 0.75) return 'a CEF log';
  const syslog = head.filter((line) => SYSLOG_START.test(line)).length;
  if (head.length >= 3 && syslog >= head.length * 0.75) {
    return head.some((line) => CEF_MARKER.test(line)) ? 'a CEF log' : 'a syslog log';
  }

  const json = first.trim().replace(/^\[\s*/, '');
  if (json.startsWith('{')) {
    if (/^\{\s*"(?:timestamp|@timestamp)"\s*:/.test(json) && /"event_type"\s*:/.test(json)) {
      return 'a Suricata eve.json log';
    }
    if (/"id\.orig_h"\s*:/.test(json) || (/"ts"\s*:/.test(json) && /"uid"\s*:/.test(json))) {
      return 'a Zeek JSON log';
    }
    return undefined;
  }

  const delimiter = [',', ';', '\t'].find((candidate) => first.includes(candidate)) ?? ',';
  const header = first
    .replace(/"/g, '')
    .split(delimiter)
    .map((name) => name.trim());
  if (header.includes('DeviceVendor') && header.includes('DeviceProduct')) {
    return 'a CommonSecurityLog export';
  }
  if (header.includes('ActionType') && header.includes('RemoteIP')) {
    return 'a DeviceNetworkEvents export';
  }
  return undefined;
}

/** True for JSON, XML or delimited data, which free-text extraction would misread. */
function looksStructured(text: string): boolean {
  if (/^[[{<]/.test(text)) return true;
  const lines = text.split('\n', 6).filter((line) => line.trim() !== '');
  if (lines.length < 2) return false;
  const counts = lines.map((line) => line.split(',').length);
  return counts[0]! >= 3 && counts.every((count) => count === counts[0]);
}

/**
 * Bytes of an input that `readFeeds` passes to detection (`peekInput` in `input.ts` reads this
 * many). A shorter sample is the whole input.
 */
const SAMPLE_BYTES = 64 * 1024;

/**
 * Returns the error for an input whose format could not be detected: UTF-16 text or a NUL byte,
 * a log, JSON lines that are no ThreatFox API items (naming `--format threatfox-ndjson`), invalid
 * JSON with its line and column when the input starts like JSON but does not parse, else an
 * unknown format.
 */
export function unknownFormatError(fileName: string, sample: string): FeedParseError {
  const nul = sample.indexOf('\u0000');
  if (nul !== -1) return sampleNulError(fileName, sample, nul);
  const text = sample.replace(/^\uFEFF+/, '').trimStart();
  const log = logKind(text);
  if (log !== undefined) {
    return new FeedParseError(
      'LOG_NOT_FEED',
      `${quoteValue(fileName)} is ${log}, not a feed of indicators. To search it, pass it to \`huntpack hunt\` with --pack or --feed. To read it as a report anyway, pass --format text.`,
      { source: { file: fileName, line: 1 } },
    );
  }
  const jsonLines = jsonLinesError(fileName, text);
  if (jsonLines) return jsonLines;
  const invalid = invalidJsonError(fileName, sample);
  if (invalid) return invalid;
  const start = text.slice(0, 40);
  const expected = FEED_FORMATS.map((entry) => entry.label).join(', ');
  return new FeedParseError(
    'UNKNOWN_FEED_FORMAT',
    `Unknown feed format in ${quoteValue(fileName)} (starts with ${quoteValue(start)}): expected ${expected}. Pass --format to choose one (${FEED_FORMATS.map((entry) => entry.format).join(', ')}).`,
    { source: { file: fileName, line: 1 } },
  );
}

/**
 * Returns the error for a sample with a NUL byte at index `nul`. The UTF-8 decoder turns a
 * UTF-16 byte order mark into two U+FFFD characters and keeps ASCII and NUL bytes as they are,
 * so the code units after them show a UTF-16 layout as bytes would.
 */
function sampleNulError(fileName: string, sample: string, nul: number): FeedParseError {
  const bom = sample.startsWith('\uFFFD\uFFFD');
  const units = [...sample.slice(bom ? 2 : 0, 66)].map((char) => char.charCodeAt(0));
  const layout = utf16Encoding(units)?.replace('without', bom ? 'with' : 'without');
  const before = sample.slice(0, nul);
  const line = before.split('\n').length;
  // NOTE: the offset counts each U+FFFD as 3 bytes, so it is too high after invalid UTF-8.
  return nulByteError(fileName, line, Buffer.byteLength(before, 'utf8'), layout);
}

/**
 * Returns an INVALID_JSON error when the sample starts with `{` or `[` and is not valid JSON.
 * Returns undefined for valid JSON, for JSON lines (one document per line), and for a sample cut
 * at SAMPLE_BYTES whose only fault is that it stops early.
 */
function invalidJsonError(fileName: string, sample: string): FeedParseError | undefined {
  const body = sample.replace(/^\uFEFF+/, '');
  if (!/^\s*[[{]/.test(body)) return undefined;
  try {
    JSON.parse(body);
    return undefined;
  } catch (error) {
    if (isJsonLines(body)) return undefined;
    const problem = locateJsonError(error, body);
    // A UTF-8 character cut at the sample's end is left out of the text, hence the margin of 3.
    const whole = Buffer.byteLength(sample, 'utf8') < SAMPLE_BYTES - 3;
    if (problem.atEnd && !whole) return undefined;

    const where = `line ${problem.line}, column ${problem.column}`;
    const message = problem.atEnd
      ? `${quoteValue(fileName)} ends at ${where} before its JSON is complete (${problem.detail}), so it is probably truncated. Download or export it again.`
      : `${quoteValue(fileName)} is not valid JSON at ${where} (${problem.detail}), so its feed format cannot be detected. Fix the file or download it again.`;
    return new FeedParseError('INVALID_JSON', message, {
      source: { file: fileName, line: problem.line, column: problem.column },
      cause: error,
    });
  }
}

/** True when the first line is a whole JSON document and more text follows: JSON lines. */
function isJsonLines(text: string): boolean {
  const trimmed = text.trimStart();
  const newline = trimmed.indexOf('\n');
  if (newline === -1 || trimmed.slice(newline).trim() === '') return false;
  try {
    JSON.parse(trimmed.slice(0, newline));
    return true;
  } catch {
    return false;
  }
}
