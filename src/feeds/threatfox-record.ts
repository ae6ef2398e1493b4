/**
 * One ThreatFox record, from any of its shapes (CSV row, JSON export, API item), turned into a
 * {@link RawIndicator}. Field names follow the ThreatFox export and API documentation at
 * https://threatfox.abuse.ch/api/ and the CSV header of https://threatfox.abuse.ch/export/.
 */
import type { HuntpackIssue, SourceLocation } from '../errors.js';
import { quoteValue, showJsonText } from '../errors.js';
import type { IndicatorContext, MalwareFamily, RawIndicator } from '../indicators/model.js';
import { mapThreatFoxType } from '../indicators/normalize.js';
import { RecordProvenance } from '../indicators/provenance.js';
import { detachText } from './input.js';
import { FieldCache, TimeCache } from './field-cache.js';
import { SeenKeys } from '../indicators/seen-keys.js';

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
 * `first_seen` and `malware_malpedia`. The object has no prototype, so that a name such as
 * `constructor` maps to no field.
 */
export const THREATFOX_NAMES: Readonly<Record<string, ThreatFoxField | undefined>> = Object.assign(
  Object.create(null) as Record<string, ThreatFoxField>,
  {
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
  },
);

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
 * Turns ThreatFox records into raw indicators. Context that repeats from record to record
 * (families, threat types, tag, reference and reporter lists, times) is built once per distinct
 * text and shared, frozen, by every record that has it. A feed of a million rows names a few
 * hundred families, so this keeps one copy of each instead of a million.
 */
export class ThreatFoxRecordBuilder {
  private readonly threatTypes = new FieldCache((shown) => shown);
  private readonly tagLists = new FieldCache((shown) => tagList(Object.freeze(list(shown, true))));
  private readonly referenceLists = new FieldCache((shown) => Object.freeze(list(shown, false)));
  private readonly reporterLists = new FieldCache((shown) => Object.freeze(list(shown, false)));
  /** Families by `malware` field, each with the other fields it was built from. */
  private readonly families = new Map<string, FamilyEntry[]>();
  private lastFamily?: FamilyEntry;
  private readonly firstSeenTimes = new TimeCache();
  private readonly lastSeenTimes = new TimeCache();

  /** `warn` receives the warnings about unreadable or suspicious context. */
  constructor(private readonly warn: (issue: HuntpackIssue) => void) {}

  /**
   * Builds a raw indicator from one record. Returns a rejection when the value or type is
   * missing or not a string. Unreadable context (times, confidence, flags, lists) is reported
   * through `warn` as a malformed field and left out, and the record is kept. An unknown `ioc_type` is kept verbatim for normalization to reject.
   * `keyOf` returns the key a JSON record gave a field, for messages (default: the CSV column).
   * `position`, such as `data[3]`, names a record that has no id or line in a rejection.
   */
  build(
    fields: ThreatFoxFields,
    source: SourceLocation,
    keyOf?: (field: ThreatFoxField) => string | undefined,
    position?: string,
  ): BuildResult {
    // A number is no indicator value or type: a long digit string written as a JSON number has
    // already lost digits to floating point.
    const value = typeof fields.value === 'string' ? text(fields.value) : undefined;
    const typeName = typeof fields.type === 'string' ? text(fields.type) : undefined;
    if (value === undefined || typeName === undefined) {
      const field = value === undefined ? 'value' : 'type';
      const key = keyOf?.(field) ?? REQUIRED_FIELD_KEYS[field];
      return { ok: false, issue: requiredFieldIssue(fields[field], key, source, position) };
    }

    this.checkList(fields.tags, 'tags', source);
    this.checkList(fields.reference, 'reference', source);
    this.checkList(fields.reporter, 'reporter', source);
    const tags =
      typeof fields.tags === 'string'
        ? this.tagLists.get(fields.tags)
        : tagList(list(fields.tags, true));
    const context: Partial<IndicatorContext> = {
      tags: tags.tags,
      references: cachedList(fields.reference, this.referenceLists),
      reporters: cachedList(fields.reporter, this.reporterLists),
      provenance: RecordProvenance.of(source, 'threatfox:'),
    };
    const family = this.family(fields);
    if (family) context.family = family;
    const threatType = text(fields.threatType);
    if (threatType !== undefined) context.threatType = this.threatTypes.get(threatType);

    this.readTime(fields.firstSeen, 'first_seen', context, source);
    this.readTime(fields.lastSeen, 'last_seen', context, source);
    const { firstSeen, lastSeen } = context;
    if (firstSeen && lastSeen && lastSeen.getTime() < firstSeen.getTime()) {
      this.report(source, 'LAST_SEEN_BEFORE_FIRST_SEEN', lastSeenMessage(context));
    }
    this.readConfidence(fields.confidence, context, source);
    this.readCompromised(fields.isCompromised, context, source);
    if (tags.test) this.report(source, 'TEST_ROW', testRowMessage(value));

    const type = mapThreatFoxType(typeName);
    return { ok: true, record: { type, value: detachText(value), context, source } };
  }

  private report(source: SourceLocation, code: string, message: string): void {
    this.warn({ code, severity: 'warning', message, source });
  }

  /**
   * Reports an optional field that cannot be read, such as a confidence of "high". The record is
   * kept without it, and strict mode stops at it, because the field is malformed input.
   */
  private reportMalformed(
    source: SourceLocation,
    code: string,
    problem: string,
    value: unknown,
  ): void {
    const message = `${problem} ${KEPT_WITHOUT_FIELD}`;
    this.warn({ code, severity: 'warning', message, source, malformed: true, value });
  }

  /**
   * Reports a list field that is neither a string nor an array, such as an object or a number,
   * and the record is read without that field. In an array, it reports the items that are not
   * strings, such as numbers, null or objects, and the record keeps the string items.
   */
  private checkList(raw: unknown, key: ListKey, source: SourceLocation): void {
    if (raw === undefined || raw === null || typeof raw === 'string') return;
    if (Array.isArray(raw)) {
      this.checkListItems(raw, key, source);
      return;
    }
    const expected = key === 'tags' ? 'a comma-separated string' : 'a string';
    this.reportMalformed(
      source,
      `INVALID_${key.toUpperCase()}`,
      `Invalid ${key} ${showJsonText(raw)}: expected ${expected} or a list of strings.`,
      raw,
    );
  }

  private checkListItems(items: readonly unknown[], key: ListKey, source: SourceLocation): void {
    const invalid = items.filter((item) => typeof item !== 'string');
    if (invalid.length === 0) return;
    const shown = invalid.slice(0, SHOWN_LIST_ITEMS).map((item) => showJsonText(item));
    if (invalid.length > SHOWN_LIST_ITEMS) shown.push('…');
    const count =
      invalid.length === 1
        ? '1 item that is not a string'
        : `${invalid.length} items that are not strings`;
    this.warn({
      code: `INVALID_${key.toUpperCase()}`,
      severity: 'warning',
      message: `The ${key} list contains ${count}: ${shown.join(', ')}. ${KEPT_WITHOUT_ITEMS}`,
      source,
      malformed: true,
      value: invalid,
    });
  }

  /** Returns the family of a record, shared and frozen when its fields are text. */
  private family(fields: ThreatFoxFields): MalwareFamily | undefined {
    // JSON gives null for an empty field, which reads as a missing one.
    const malware = withoutNull(fields.malware);
    const malwarePrintable = withoutNull(fields.malwarePrintable);
    const malwareAlias = withoutNull(fields.malwareAlias);
    const malwareMalpedia = withoutNull(fields.malwareMalpedia);
    if (
      !isOptionalText(malware) ||
      !isOptionalText(malwarePrintable) ||
      !isOptionalText(malwareAlias) ||
      !isOptionalText(malwareMalpedia)
    ) {
      return readFamily(fields);
    }
    const last = this.lastFamily;
    if (
      last &&
      last.malware === malware &&
      isFamilyOf(last, malwarePrintable, malwareAlias, malwareMalpedia)
    ) {
      return last.family;
    }
    const key = malware ?? '';
    const entries = this.families.get(key) ?? [];
    for (const entry of entries) {
      if (isFamilyOf(entry, malwarePrintable, malwareAlias, malwareMalpedia)) {
        this.lastFamily = entry;
        return entry.family;
      }
    }

    const entry: FamilyEntry = {
      malware: detachOptional(malware),
      printable: detachOptional(malwarePrintable),
      alias: detachOptional(malwareAlias),
      malpedia: detachOptional(malwareMalpedia),
      family: undefined,
    };
    entry.family = readFamily({
      malware: entry.malware,
      malwarePrintable: entry.printable,
      malwareAlias: entry.alias,
      malwareMalpedia: entry.malpedia,
    });
    if (entry.family) {
      Object.freeze(entry.family.aliases);
      Object.freeze(entry.family);
    }
    entries.push(entry);
    if (entries.length === 1) this.families.set(detachText(key), entries);
    this.lastFamily = entry;
    return entry.family;
  }

  private readTime(
    raw: unknown,
    label: string,
    context: Partial<IndicatorContext>,
    source: SourceLocation,
  ): void {
    const shown = text(raw);
    if (shown === undefined) {
      if (isOtherJsonType(raw)) {
        this.reportMalformed(
          source,
          'INVALID_TIME',
          `Invalid ${label} time ${showJsonValue(raw)}: ${EXPECTED_TIME}`,
          raw,
        );
      }
      return;
    }
    const times = label === 'first_seen' ? this.firstSeenTimes : this.lastSeenTimes;
    const time = times.get(shown);
    if (time === undefined) {
      this.reportMalformed(
        source,
        'INVALID_TIME',
        `Invalid ${label} time ${showReadValue(raw, shown)}: ${EXPECTED_TIME}`,
        raw,
      );
    } else if (label === 'first_seen') {
      context.firstSeen = time;
    } else {
      context.lastSeen = time;
    }
  }

  private readConfidence(raw: unknown, context: Partial<IndicatorContext>, source: SourceLocation) {
    const shown = text(raw);
    if (shown === undefined) {
      // A JSON true, list or object is no confidence, and is reported rather than dropped.
      if (isOtherJsonType(raw)) {
        this.reportMalformed(
          source,
          'INVALID_CONFIDENCE',
          `Invalid confidence_level ${showJsonValue(raw)}: expected a number from 0 to 100.`,
          raw,
        );
      }
      return;
    }
    // Number() would also read hex (0x32), exponents (1e2) and Infinity.
    const confidence = typeof raw === 'number' || DECIMAL.test(shown) ? Number(shown) : NaN;
    if (!Number.isFinite(confidence)) {
      this.reportMalformed(
        source,
        'INVALID_CONFIDENCE',
        `Invalid confidence_level ${showReadValue(raw, shown)}: expected a number from 0 to 100.`,
        raw,
      );
      return;
    }
    if (confidence < 0 || confidence > 100) {
      const clamped = confidence < 0 ? 0 : 100;
      this.report(
        source,
        'CONFIDENCE_OUT_OF_RANGE',
        `The confidence_level ${showReadValue(raw, shown)} is outside 0 to 100, so ${clamped} is used.`,
      );
      context.confidence = clamped;
      return;
    }
    context.confidence = confidence;
  }

  private readCompromised(
    raw: unknown,
    context: Partial<IndicatorContext>,
    source: SourceLocation,
  ): void {
    if (typeof raw === 'boolean') {
      context.isCompromised = raw;
      return;
    }
    const shown = text(raw);
    if (shown === undefined) {
      if (isOtherJsonType(raw)) {
        this.reportMalformed(
          source,
          'INVALID_FLAG',
          `Invalid is_compromised ${showJsonValue(raw)}: ${EXPECTED_FLAG}`,
          raw,
        );
      }
      return;
    }
    // Exports write "True" and "False", the API true and false.
    const flag = FLAG_VALUES.get(shown) ?? FLAG_VALUES.get(shown.toLowerCase());
    if (flag === undefined) {
      this.reportMalformed(
        source,
        'INVALID_FLAG',
        `Invalid is_compromised ${showReadValue(raw, shown)}: ${EXPECTED_FLAG}`,
        raw,
      );
      return;
    }
    context.isCompromised = flag;
  }
}

const EXPECTED_TIME =
  'expected "YYYY-MM-DD HH:MM:SS" in UTC, optionally followed by " UTC", or ISO 8601 such as "2026-07-24T13:50:06Z".';
const EXPECTED_FLAG = 'expected true, false, "True", "False", 1 or 0.';

/** True for a JSON value of another type than text or a number: a boolean, a list or an object. */
function isOtherJsonType(raw: unknown): boolean {
  return raw !== null && raw !== undefined && typeof raw !== 'string' && typeof raw !== 'number';
}

/**
 * The sentence that ends the message of a malformed field, which strict mode replaces because the
 * build stops there.
 */
export const KEPT_WITHOUT_FIELD = 'The record is kept without this field.';

/**
 * The sentence that ends the message of a list with items that are not strings, which strict
 * mode replaces because the build stops there.
 */
export const KEPT_WITHOUT_ITEMS = 'The record is kept with the string items only.';

/** Items that are not strings shown in the message of a list field. */
const SHOWN_LIST_ITEMS = 3;

/** The keys of the list fields, the same in every ThreatFox shape. */
type ListKey = 'tags' | 'reference' | 'reporter';

/** A family built from the text of the family fields, which are kept to match later rows. */
interface FamilyEntry {
  malware: string | undefined;
  printable: string | undefined;
  alias: string | undefined;
  malpedia: string | undefined;
  family: MalwareFamily | undefined;
}

function isFamilyOf(
  entry: FamilyEntry,
  printable: string | undefined,
  alias: string | undefined,
  malpedia: string | undefined,
): boolean {
  return entry.printable === printable && entry.alias === alias && entry.malpedia === malpedia;
}

function cachedList(value: unknown, cache: FieldCache<readonly string[]>): readonly string[] {
  return typeof value === 'string' ? cache.get(value) : list(value, false);
}

function withoutNull(value: unknown): unknown {
  return value === null ? undefined : value;
}

function isOptionalText(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

/** A tag list, and whether it contains a tag `test`. */
interface TagList {
  tags: readonly string[];
  /**
   * True for the tag ThreatFox reporters give their test submissions. Such a row is kept with a
   * warning, because a tag is the reporter's word and some real indicators carry it.
   */
  test: boolean;
}

function tagList(tags: readonly string[]): TagList {
  return { tags, test: tags.some((tag) => tag.length === 4 && tag.toLowerCase() === 'test') };
}

function lastSeenMessage(context: Partial<IndicatorContext>): string {
  return `The last_seen time ${context.lastSeen!.toISOString()} is before the first_seen time ${context.firstSeen!.toISOString()}. Both times are kept as given. --since filters on the first_seen time, and --max-age on the later of the two.`;
}

function testRowMessage(value: string): string {
  return `The indicator ${quoteValue(value)} is tagged "test", which ThreatFox reporters use for test submissions. It is kept; set it aside with an --allowlist entry if it is not a real indicator.`;
}

function detachOptional(value: string | undefined): string | undefined {
  return value === undefined ? undefined : detachText(value);
}

/** The export's key for each required field, named when a record has none. */
const REQUIRED_FIELD_KEYS = { value: 'ioc_value', type: 'ioc_type' } as const;

/**
 * Returns the rejection of a record whose required field `key` is absent, null, empty or `None`
 * (MISSING_FIELD), or is of another JSON type than a string (INVALID_FIELD_TYPE).
 */
function requiredFieldIssue(
  found: unknown,
  key: string,
  source: SourceLocation,
  position: string | undefined,
): HuntpackIssue {
  const record = position === undefined ? 'Record' : `Record at ${position}`;
  if (found === undefined || found === null || typeof found === 'string') {
    const message = `${record} has no ${key}: expected a non-empty string. The record is skipped.`;
    return { code: 'MISSING_FIELD', severity: 'error', message, source };
  }
  const message = `${record} has ${key} of type ${describeJsonType(found)}: expected a string. The record is skipped.`;
  return { code: 'INVALID_FIELD_TYPE', severity: 'error', message, source };
}

/** Returns the key of `item` that `fieldsFromObject` read `field` from, if any. */
export function fieldKey(
  item: Readonly<Record<string, unknown>>,
  field: ThreatFoxField,
): string | undefined {
  return Object.keys(item).find((key) => THREATFOX_NAMES[key] === field);
}

/** Names the JSON type of a value that is not a string, with its value if scalar: `number (42)`. */
function describeJsonType(value: unknown): string {
  if (Array.isArray(value)) {
    return `array (${value.length} ${value.length === 1 ? 'entry' : 'entries'})`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value} (${String(value)})`;
  }
  return value === null ? 'null' : typeof value;
}

/**
 * Shows a JSON value in a message: a string quoted, a number, boolean or null as written, an
 * array by its length and an object by its type. Arrays and objects are not printed, because
 * JSON.stringify overflows the stack on deeply nested input.
 */
export function showJsonValue(value: unknown): string {
  if (typeof value === 'string') return quoteValue(value);
  if (Array.isArray(value)) {
    return `[an array of ${value.length} ${value.length === 1 ? 'entry' : 'entries'}]`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : '{an object}';
}

/**
 * Shows a field's value in a message with the JSON type the feed gave it: a JSON number as
 * written, such as 1712345678, and text quoted, as the trimmed `shown` that was read.
 */
function showReadValue(raw: unknown, shown: string): string {
  return typeof raw === 'number' ? String(raw) : quoteValue(shown);
}

/** A confidence written as a decimal number, such as 75, -5 or 87.5. */
const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;

/** Returns trimmed text, or undefined for null, an empty string or ThreatFox's `None`. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.length === 0) return undefined;
  // Most fields start and end with a printable ASCII character, which trim() would keep, and
  // checking that is cheaper than calling trim().
  const trimmed =
    isPrintableAscii(value.charCodeAt(0)) && isPrintableAscii(value.charCodeAt(value.length - 1))
      ? value
      : value.trim();
  return trimmed === '' || trimmed === 'None' ? undefined : trimmed;
}

function isPrintableAscii(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

/**
 * Takes a list of strings, or one string split on commas when `split` is set, dropping empty
 * and repeated items and items that are not strings. References are not split, because a URL may contain a comma.
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
  const seen = new SeenKeys();
  for (const item of items) {
    // checkList reports the items that are not strings, such as 5 or null.
    const entry = typeof item === 'string' ? text(item) : undefined;
    if (entry !== undefined && seen.add(entry)) result.push(entry);
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

const FLAG_VALUES: ReadonlyMap<string, boolean> = new Map([
  ['True', true],
  ['False', false],
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
]);
