/**
 * One ThreatFox record, from any of its shapes (CSV row, JSON export, API item), turned into a
 * {@link RawIndicator}. Field names follow the ThreatFox export and API documentation at
 * https://threatfox.abuse.ch/api/ and the CSV header of https://threatfox.abuse.ch/export/.
 */
import type { HuntpackIssue, SourceLocation } from '../errors.js';
import { quoteValue } from '../errors.js';
import type { IndicatorContext, MalwareFamily, RawIndicator } from '../indicators/model.js';
import { parseThreatFoxTime } from './threatfox-time.js';

/** The ThreatFox fields huntpack reads, under one name whatever the source shape calls them. */
export type ThreatFoxField =
  | 'id'
  | 'value'
  | 'type'
  | 'threatType'
  | 'malware'
  | 'malwarePrintable'
  | 'malwareAlias'
  | 'malwareMalpedia'
  | 'firstSeen'
  | 'lastSeen'
  | 'confidence'
  | 'isCompromised'
  | 'reference'
  | 'tags'
  | 'reporter';

export type ThreatFoxFields = Partial<Record<ThreatFoxField, unknown>>;

export const THREATFOX_FIELDS: readonly ThreatFoxField[] = [
  'id',
  'value',
  'type',
  'threatType',
  'malware',
  'malwarePrintable',
  'malwareAlias',
  'malwareMalpedia',
  'firstSeen',
  'lastSeen',
  'confidence',
  'isCompromised',
  'reference',
  'tags',
  'reporter',
];

/**
 * ThreatFox column and key names, mapped to fields. The CSV and JSON exports use `ioc_value`,
 * `first_seen_utc` and `fk_malware` (CSV) or `malware` (JSON). The API uses `id`, `ioc`,
 * `first_seen` and `malware_malpedia`.
 */
export const THREATFOX_NAMES: Readonly<Record<string, ThreatFoxField>> = {
  ioc_id: 'id',
  id: 'id',
  ioc_value: 'value',
  ioc: 'value',
  ioc_type: 'type',
  threat_type: 'threatType',
  fk_malware: 'malware',
  malware: 'malware',
  malware_alias: 'malwareAlias',
  malware_printable: 'malwarePrintable',
  malware_malpedia: 'malwareMalpedia',
  first_seen_utc: 'firstSeen',
  first_seen: 'firstSeen',
  last_seen_utc: 'lastSeen',
  last_seen: 'lastSeen',
  confidence_level: 'confidence',
  is_compromised: 'isCompromised',
  reference: 'reference',
  tags: 'tags',
  reporter: 'reporter',
};

/** ThreatFox `ioc_type` names and huntpack's indicator types. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  'ip:port': 'ip-port',
  domain: 'domain',
  url: 'url',
  md5_hash: 'md5',
  sha1_hash: 'sha1',
  sha256_hash: 'sha256',
};

/** Picks the fields out of a JSON object in export or API shape. */
export function fieldsFromObject(item: Readonly<Record<string, unknown>>): ThreatFoxFields {
  const fields: ThreatFoxFields = {};
  for (const key of Object.keys(item)) {
    const field = THREATFOX_NAMES[key];
    if (field && fields[field] === undefined) fields[field] = item[key];
  }
  return fields;
}

export type BuildResult = { ok: true; record: RawIndicator } | { ok: false; issue: HuntpackIssue };

/**
 * Builds a raw indicator from one record. Returns a rejection when the value or type is
 * missing. Unreadable context (times, confidence, flags) is reported through `warn` and left
 * out. An unknown `ioc_type` is kept verbatim for normalization to reject.
 */
export function buildRawIndicator(
  fields: ThreatFoxFields,
  source: SourceLocation,
  warn: (issue: HuntpackIssue) => void,
): BuildResult {
  const value = text(fields.value);
  const typeName = text(fields.type);
  if (value === undefined || typeName === undefined) {
    const missing = value === undefined ? 'ioc_value' : 'ioc_type';
    const found = value === undefined ? fields.value : fields.type;
    const message =
      found === undefined || found === null || typeof found === 'string'
        ? `Record has no ${missing}: expected a non-empty value. The record is skipped.`
        : `Record has an invalid ${missing} ${quoteValue(found)}: expected a string. The record is skipped.`;
    return { ok: false, issue: { code: 'MISSING_FIELD', severity: 'error', message, source } };
  }

  const context: Partial<IndicatorContext> = {
    tags: list(fields.tags, true),
    references: list(fields.reference, false),
    reporters: list(fields.reporter, false),
    sourceIds: source.id === undefined ? [] : [`threatfox:${source.id}`],
    origins: [source],
  };
  const family = readFamily(fields);
  if (family) context.family = family;
  const threatType = text(fields.threatType);
  if (threatType !== undefined) context.threatType = threatType;

  const report = (code: string, message: string): void =>
    warn({ code, severity: 'warning', message, source });
  readTimes(fields, context, report);
  const { firstSeen, lastSeen } = context;
  if (firstSeen && lastSeen && lastSeen.getTime() < firstSeen.getTime()) {
    report('LAST_SEEN_BEFORE_FIRST_SEEN', lastSeenMessage(context));
  }
  readConfidence(fields.confidence, context, report);
  readCompromised(fields.isCompromised, context, report);
  if (context.tags?.some(isTestTag)) report('TEST_ROW', testRowMessage(value));

  const type = TYPE_NAMES[typeName.toLowerCase()] ?? typeName;
  return { ok: true, record: { type, value, context, source } };
}

/**
 * True for the tag ThreatFox reporters give their test submissions. Such a row is kept with a
 * warning, because a tag is the reporter's word and some real indicators carry it.
 */
function isTestTag(tag: string): boolean {
  return tag.length === 4 && tag.toLowerCase() === 'test';
}

function lastSeenMessage(context: Partial<IndicatorContext>): string {
  return `The last_seen time ${context.lastSeen!.toISOString()} is before the first_seen time ${context.firstSeen!.toISOString()}. Both times are kept as given, and --since and --max-age filter on them as they are.`;
}

function testRowMessage(value: string): string {
  return `The indicator ${quoteValue(value)} is tagged "test", which ThreatFox reporters use for test submissions. It is kept; set it aside with an --allowlist entry if it is not a real indicator.`;
}

/** Returns trimmed text, or undefined for null, an empty string or ThreatFox's `None`. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === 'None' ? undefined : trimmed;
}

/**
 * Takes a list of strings, or one string split on commas when `split` is set, dropping empty
 * and repeated items. References are not split, because a URL may contain a comma.
 */
function list(value: unknown, split: boolean): string[] {
  if (typeof value === 'string' && !(split && value.includes(','))) {
    const entry = text(value);
    return entry === undefined ? [] : [entry];
  }
  let items: unknown[] = [];
  if (Array.isArray(value)) items = value;
  else if (typeof value === 'string') items = value.split(',');
  const result: string[] = [];
  for (const item of items) {
    const entry = text(item);
    if (entry !== undefined && !result.includes(entry)) result.push(entry);
  }
  return result;
}

function readFamily(fields: ThreatFoxFields): MalwareFamily | undefined {
  let malpedia = text(fields.malware);
  if (malpedia === undefined) {
    malpedia = /\/details\/([^/?#\s]+)/.exec(text(fields.malwareMalpedia) ?? '')?.[1];
  }
  // ThreatFox files indicators of no known family under `unknown`, which is no Malpedia id.
  if (malpedia === 'unknown') malpedia = undefined;
  const name = text(fields.malwarePrintable) ?? malpedia;
  if (name === undefined) return undefined;

  const lowerName = name.toLowerCase();
  const aliases = list(fields.malwareAlias, true).filter(
    (alias) => alias.toLowerCase() !== lowerName,
  );
  return malpedia === undefined ? { name, aliases } : { name, malpedia, aliases };
}

type Report = (code: string, message: string) => void;

const TIME_FIELDS = [
  ['firstSeen', 'first_seen'],
  ['lastSeen', 'last_seen'],
] as const;

function readTimes(fields: ThreatFoxFields, context: Partial<IndicatorContext>, report: Report) {
  for (const [field, label] of TIME_FIELDS) {
    const raw = text(fields[field]);
    if (raw === undefined) continue;
    const time = parseThreatFoxTime(raw);
    if (time) {
      context[field] = time;
    } else {
      report(
        'INVALID_TIME',
        `Invalid ${label} time ${quoteValue(raw)}: expected "YYYY-MM-DD HH:MM:SS" in UTC, optionally followed by " UTC", or ISO 8601 such as "2026-07-24T13:50:06Z". The time is left out.`,
      );
    }
  }
}

function readConfidence(raw: unknown, context: Partial<IndicatorContext>, report: Report): void {
  const shown = text(raw);
  if (shown === undefined) return;
  const confidence = Number(shown);
  if (!Number.isFinite(confidence)) {
    report(
      'INVALID_CONFIDENCE',
      `Invalid confidence_level ${quoteValue(shown)}: expected a number from 0 to 100. The confidence is left out.`,
    );
    return;
  }
  if (confidence < 0 || confidence > 100) {
    const clamped = confidence < 0 ? 0 : 100;
    report(
      'CONFIDENCE_OUT_OF_RANGE',
      `The confidence_level ${quoteValue(shown)} is outside 0 to 100, so ${clamped} is used.`,
    );
    context.confidence = clamped;
    return;
  }
  context.confidence = confidence;
}

const FLAG_VALUES: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
};

function readCompromised(raw: unknown, context: Partial<IndicatorContext>, report: Report): void {
  if (typeof raw === 'boolean') {
    context.isCompromised = raw;
    return;
  }
  const shown = text(raw);
  if (shown === undefined) return;
  const flag = FLAG_VALUES[shown.toLowerCase()];
  if (flag === undefined) {
    report(
      'INVALID_FLAG',
      `Invalid is_compromised ${quoteValue(shown)}: expected true, false, "True", "False", 1 or 0. The flag is left out.`,
    );
    return;
  }
  context.isCompromised = flag;
}
