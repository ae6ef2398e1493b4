/**
 * Recognizes a log format from the first lines of a file, and a feed given where a log belongs.
 */
import { basename } from 'node:path';
import { detectFeedFormat, FEED_FORMATS } from '../../feeds/detect.js';
import { batchRecords, isJson, JsonArraySplitter } from './json-records.js';

/** Log formats that `readLogs` reads; see `readLogs` for what each one covers. */
export type LogFormat =
  | 'cef'
  | 'commonsecuritylog-csv'
  | 'commonsecuritylog-json'
  | 'devicenetworkevents-csv'
  | 'devicenetworkevents-json'
  | 'zeek-tsv'
  | 'zeek-json'
  | 'suricata-eve'
  | 'mapped-csv'
  | 'mapped-json';

export const LOG_FORMATS: readonly LogFormat[] = [
  'cef',
  'commonsecuritylog-csv',
  'commonsecuritylog-json',
  'devicenetworkevents-csv',
  'devicenetworkevents-json',
  'zeek-tsv',
  'zeek-json',
  'suricata-eve',
  'mapped-csv',
  'mapped-json',
];

const CEF_MARKER = /CEF: ?\d+\|/;

/**
 * Returns the format of a file from its first characters, or undefined when none fits.
 * With `hasMap`, CSV and JSON files that are not Zeek, Suricata or CEF read as mapped formats.
 */
export function detectLogFormat(head: string, hasMap: boolean): LogFormat | undefined {
  const lines = head.split('\n').map((line) => line.replace(/\r$/, ''));
  if (lines.some((line) => line.startsWith('#fields\t') || line.startsWith('#separator '))) {
    return 'zeek-tsv';
  }
  // Comment lines, such as the `# CEF export from ...` line of some exports, name no format.
  const content = contentLines(lines);
  const first = content[0]?.trimStart();
  if (first === undefined) return undefined;
  if (first.startsWith('[') || first.startsWith('{')) {
    const event = firstJsonEvent(lines, first);
    return event === undefined ? undefined : classifyJsonObject(event, hasMap);
  }
  if (content.slice(0, 16).some((line) => CEF_MARKER.test(line))) return 'cef';
  if (first.includes(',')) {
    const format = classifyCsvHeader(first, hasMap);
    if (format !== undefined) return format;
  }
  // A syslog file may contain many lines of other programs before its first CEF line. The search
  // is bounded by the head, which is 64 KiB when the log is read.
  if (content.some((line) => CEF_MARKER.test(line))) return 'cef';
  return undefined;
}

/** Returns the lines that are neither blank nor `#` comments. */
function contentLines(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    const text = line.trimStart();
    return text !== '' && !text.startsWith('#');
  });
}

/**
 * Returns the shape of the first line that is neither blank nor a comment of a file that no
 * format fits, and the formats that `--format` could read such a file in.
 */
export function possibleLogFormats(head: string): { shape: string; formats: LogFormat[] } {
  const first = contentLines(head.split('\n'))[0]?.trim() ?? '';
  if (first.startsWith('{') || first.startsWith('[')) {
    return {
      shape: 'JSON',
      formats: ['commonsecuritylog-json', 'devicenetworkevents-json', 'zeek-json', 'suricata-eve'],
    };
  }
  if (first.includes(',')) {
    return {
      shape: 'comma-separated',
      formats: ['commonsecuritylog-csv', 'devicenetworkevents-csv'],
    };
  }
  return { shape: 'plain text', formats: ['cef'] };
}

/**
 * Returns the first event of the JSON values at the start of a file: the first value, or the
 * first event of the first Event Hub batch that has one. A batch can be larger than the head, so
 * the events of a pretty-printed one are read from its `records` array directly.
 */
function firstJsonEvent(lines: string[], first: string): unknown {
  // JSON lines have one value per line; other JSON is cut into values by brackets.
  const texts =
    first.startsWith('{') && isJson(first)
      ? lines.filter((line) => line.trim() !== '')
      : splitValues(lines.join('\n'));
  for (const text of texts) {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
    const batch = batchRecords(value);
    if (batch === undefined) return value;
    if (batch.length > 0) return batch[0];
  }
  return undefined;
}

/** Returns the texts of the values that end within `text`, the elements of a batch's records. */
function splitValues(text: string): string[] {
  const records = /^\s*\{\s*"records"\s*:\s*\[/.exec(text);
  const body = records ? `[${text.slice(records[0].length)}` : text;
  const splitter = new JsonArraySplitter();
  return body
    .split('\n')
    .flatMap((line, index) => splitter.push(line, index + 1).map((element) => element.text));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Classifies a JSON log object by the fields that each producer writes. */
export function classifyJsonObject(value: unknown, hasMap: boolean): LogFormat | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.message === 'string' && CEF_MARKER.test(value.message)) return 'cef';
  if ('event_type' in value || ('timestamp' in value && ('alert' in value || 'flow_id' in value))) {
    return 'suricata-eve';
  }
  // A Zeek files.log record before 5.1 names its connections in conn_uids, not uid, and a
  // notice about hosts, not a connection, has neither.
  if (
    '_path' in value ||
    'id.orig_h' in value ||
    ('ts' in value && ('uid' in value || 'fuid' in value)) ||
    ('ts' in value && 'note' in value && 'msg' in value)
  ) {
    return 'zeek-json';
  }
  if (typeof value.category === 'string' && value.category.startsWith('AdvancedHunting-')) {
    return 'devicenetworkevents-json';
  }
  if (hasMap) return 'mapped-json';
  if ('DeviceVendor' in value || 'DeviceProduct' in value) return 'commonsecuritylog-json';
  if ('ActionType' in value && DEFENDER_ROW_COLUMNS.some((name) => name in value)) {
    return 'devicenetworkevents-json';
  }
  return undefined;
}

/**
 * Columns of which a Defender advanced hunting row has at least one beside its ActionType. A
 * UrlClickEvents export (UrlChain) is read as one too, so that its rows are counted as skipped
 * with a pointer to the packs' UrlClickEvents queries.
 */
const DEFENDER_ROW_COLUMNS = ['RemoteIP', 'DeviceId', 'DeviceName', 'UrlChain'];

function classifyCsvHeader(headerLine: string, hasMap: boolean): LogFormat | undefined {
  if (hasMap) return 'mapped-csv';
  const names = new Set(headerLine.split(',').map((name) => name.trim().replace(/^"|"$/g, '')));
  if (names.has('DeviceVendor') || names.has('DeviceProduct')) return 'commonsecuritylog-csv';
  if (names.has('ActionType') && DEFENDER_ROW_COLUMNS.some((name) => names.has(name))) {
    return 'devicenetworkevents-csv';
  }
  return undefined;
}

/** Characters of a file's start that feed detection reads, as `huntpack build` reads 64 KiB. */
const FEED_SAMPLE_CHARS = 64 * 1024;

/**
 * Returns the label of the feed format that `head`, the start of a file that no log format
 * fits, is in, such as `ThreatFox CSV export`, or undefined. Free text counts as no feed
 * format, because every text file that is no log would read as one.
 */
export function detectFeedLabel(head: string, file: string): string | undefined {
  const format = detectFeedFormat(head.slice(0, FEED_SAMPLE_CHARS), basename(file));
  if (format === undefined || format === 'text') return undefined;
  return FEED_FORMATS.find((entry) => entry.format === format)?.label;
}
