/**
 * Cleanup of the context a feed gives with an indicator: confidence range, dates, family
 * aliases, tags and lists. Problems here never reject the indicator. They drop or clamp the one
 * field and add a warning.
 */
import { quoteValue, type HuntpackIssue, type SourceLocation } from '../errors.js';
import type { IndicatorContext, MalwareFamily } from './model.js';
import { ListProvenance, RecordProvenance, type Provenance } from './provenance.js';
import { SeenKeys } from './seen-keys.js';

const MAX_CONFIDENCE = 100;

/**
 * Returns a complete context built from a reader's partial one. Each field that is dropped or
 * clamped adds one issue to `warnings`, located at `source`. A list or family that needs no
 * change is taken over as it is, so the result may share it with the reader's context and, when
 * it is frozen, with other indicators.
 */
export function normalizeContext(
  context: Partial<IndicatorContext>,
  source: SourceLocation,
  warnings: HuntpackIssue[],
): IndicatorContext {
  const result: IndicatorContext = {
    tags: normalizeList(context.tags, tagForms),
    references: normalizeList(context.references, referenceForms),
    reporters: normalizeList(context.reporters, reporterForms),
    provenance: normalizeProvenance(context.provenance, source),
  };
  const family = context.family && familyForms.get(context.family);
  if (family) result.family = family;
  if (context.family && family !== context.family && hasControlCharacters(context.family)) {
    warnings.push(controlCharacterIssue(context.family, family, source));
  } else if (context.family && family !== context.family && hasLongName(context.family)) {
    warnings.push({
      code: 'FAMILY_NAME_TOO_LONG',
      severity: 'warning',
      message: `Shortened the family ${quoteValue(context.family.name)} (${context.family.name.length} characters), or its Malpedia id or an alias, to the first ${MAX_NAME_LENGTH} characters. Family names appear in every query of the pack.`,
      source,
    });
  }
  if (family && context.otherFamilies && context.otherFamilies.length > 0) {
    result.otherFamilies = context.otherFamilies.map((other) => familyForms.get(other)!);
  }
  if (context.threatType !== undefined) {
    const threatType = cleanThreatType(context.threatType, source, warnings);
    if (threatType) result.threatType = threatType;
  }
  if (context.confidence !== undefined) {
    const confidence = normalizeConfidence(context.confidence, source, warnings);
    if (confidence !== undefined) result.confidence = confidence;
  }
  // Three plain statements rather than a loop over the names, which would make the property
  // accesses generic and slow on a million records.
  if (context.firstSeen !== undefined) {
    const date = checkDate('firstSeen', context.firstSeen, source, warnings);
    if (date) result.firstSeen = date;
  }
  if (context.lastSeen !== undefined) {
    const date = checkDate('lastSeen', context.lastSeen, source, warnings);
    if (date) result.lastSeen = date;
  }
  if (context.expires !== undefined) {
    const date = checkDate('expires', context.expires, source, warnings);
    if (date) result.expires = date;
  }
  if (typeof context.isCompromised === 'boolean') result.isCompromised = context.isCompromised;
  return result;
}

/** Returns the date when it is a valid Date, or adds a warning and returns undefined. */
function checkDate(
  field: string,
  date: unknown,
  source: SourceLocation,
  warnings: HuntpackIssue[],
): Date | undefined {
  if (date instanceof Date && !Number.isNaN(date.getTime())) return date;
  warnings.push(invalidDateIssue(field, date, source));
  return undefined;
}

const EMPTY_LIST: readonly string[] = Object.freeze([]);

/**
 * Returns the provenance with its source ids trimmed and unique, or the record at `source` when
 * the reader gave no origin. A record's own provenance needs no change.
 */
function normalizeProvenance(
  provenance: Provenance | undefined,
  source: SourceLocation,
): Provenance {
  if (provenance === undefined) return RecordProvenance.of(source);
  if (provenance instanceof RecordProvenance) return provenance;
  const { origins, sourceIds } = provenance;
  const ids = normalizeList(sourceIds, sourceIdForms);
  if (origins.length > 0 && ids === sourceIds) return provenance;
  return new ListProvenance(origins.length > 0 ? [...origins] : [source], [...ids]);
}

/**
 * Normalized forms of frozen lists or families. Readers share one frozen list or family between
 * all the records that repeat it, so each is normalized once rather than once per record, and
 * the result is frozen and shared in turn. A frozen value cannot change, so its identity is a
 * safe cache key. Consecutive records often share a value, so the last one is checked first.
 */
class SharedForms<T extends object> {
  private readonly forms = new WeakMap<T, T | null>();
  private lastValue: T | undefined;
  private lastForm: T | null = null;

  constructor(
    private readonly normalize: (value: T) => T | undefined,
    private readonly freeze: (form: T) => void,
  ) {}

  get(value: T): T | undefined {
    if (!Object.isFrozen(value)) return this.normalize(value);
    if (value === this.lastValue) return this.lastForm ?? undefined;
    let form = this.forms.get(value);
    if (form === undefined) {
      form = this.normalize(value) ?? null;
      if (form) this.freeze(form);
      this.forms.set(value, form);
    }
    this.lastValue = value;
    this.lastForm = form;
    return form ?? undefined;
  }
}

function freezeList(list: readonly string[]): void {
  Object.freeze(list);
}

function freezeFamily(family: MalwareFamily): void {
  Object.freeze(family.aliases);
  Object.freeze(family);
}

const tagForms = new SharedForms(normalizeTags, freezeList);
const referenceForms = new SharedForms(uniqueTrimmed, freezeList);
const reporterForms = new SharedForms(uniqueTrimmed, freezeList);
const sourceIdForms = new SharedForms(uniqueTrimmed, freezeList);
const familyForms = new SharedForms(normalizeFamily, freezeFamily);

function normalizeList(
  list: readonly string[] | undefined,
  forms: SharedForms<readonly string[]>,
): readonly string[] {
  if (!list || list.length === 0) return EMPTY_LIST;
  return forms.get(list)!;
}

function normalizeConfidence(
  value: unknown,
  source: SourceLocation,
  warnings: HuntpackIssue[],
): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    warnings.push({
      code: 'INVALID_CONFIDENCE',
      severity: 'warning',
      message: `Dropped the confidence ${quoteValue(value)} because it is not a number. Expected a number from 0 to 100.`,
      source,
    });
    return undefined;
  }
  if (value >= 0 && value <= MAX_CONFIDENCE) {
    if (Number.isInteger(value)) return value;
    // Hunts carry the confidence in an int column, so a fraction would show one number in the
    // report and another in the query.
    const rounded = Math.round(value);
    warnings.push({
      code: 'CONFIDENCE_ROUNDED',
      severity: 'warning',
      message: `Rounded the confidence ${value} to ${rounded}. Expected a whole number from 0 to 100.`,
      source,
    });
    return rounded;
  }

  const clamped = value < 0 ? 0 : MAX_CONFIDENCE;
  warnings.push({
    code: 'CONFIDENCE_OUT_OF_RANGE',
    severity: 'warning',
    message: `Clamped the confidence ${value} to ${clamped}. Expected a number from 0 to 100.`,
    source,
  });
  return clamped;
}

function invalidDateIssue(field: string, value: unknown, source: SourceLocation): HuntpackIssue {
  return {
    code: 'INVALID_DATE',
    severity: 'warning',
    message: `Dropped ${field} ${quoteValue(String(value))} because it is not a valid date. Expected a Date with a time value.`,
    source,
  };
}

/**
 * Trims names, drops empty ones and removes aliases equal to the printable name or each other.
 * Returns the family itself when nothing changes.
 */
function normalizeFamily(family: MalwareFamily): MalwareFamily | undefined {
  if (isNormalFamily(family)) return family;
  const malpedia = family.malpedia === undefined ? undefined : cleanFamilyName(family.malpedia);
  // A printable name of control or format characters alone leaves the Malpedia id to name it.
  const name = cleanFamilyName(family.name) || malpedia;
  if (!name) return undefined;
  const seen = new Set([name.toLowerCase()]);
  const aliases: string[] = [];
  for (const alias of family.aliases) {
    const trimmed = cleanFamilyName(alias);
    const key = trimmed.toLowerCase();
    if (!trimmed || seen.has(key)) continue;
    seen.add(key);
    aliases.push(trimmed);
  }
  const normal: MalwareFamily = malpedia ? { name, malpedia, aliases } : { name, aliases };
  if (family.kind !== undefined) normal.kind = family.kind;
  return normal;
}

/**
 * Control characters (C0 and C1, such as NUL, line feed and next line) and the Unicode line and
 * paragraph separators. Family names go into query comments, file headers and Markdown, where
 * each of these can end a line or make a text file read as binary.
 */
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]+/gu;

/**
 * Format characters, such as text-direction overrides (U+202E) and zero-width spaces, which
 * would make a family name display as another or hide its difference from one, and unpaired
 * UTF-16 surrogates, which no KQL string or UTF-8 file can contain.
 */
const FORMAT_CHARACTERS = /[\p{Cf}\p{Cs}]+/gu;

/**
 * Returns a family name with each run of control characters as one space and without format
 * characters, trimmed and in Unicode NFC, as normalization writes it. NFC makes the composed and
 * decomposed spellings of a name such as `Rémcos` one family with one pack.
 */
export function cleanFamilyName(name: string): string {
  return cleanName(name).normalize('NFC');
}

/**
 * Returns a threat type cleaned and shortened as normalization writes it, so that a filter value
 * compares like with like.
 */
export function cleanThreatTypeName(threatType: string): string {
  return cleanName(threatType);
}

/** Returns true when `text` is in NFC, checking only text with a character beyond ASCII. */
function isNfc(text: string): boolean {
  return !NON_ASCII.test(text) || text.normalize('NFC') === text;
}

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Maximum characters (code points) kept of a family name or threat type. Real ones are far shorter.
 * A family name of thousands of characters would push every query of its pack over Sentinel's
 * 10,000-character limit, and such a threat type every indicator row that carries it.
 */
export const MAX_NAME_LENGTH = 200;

function cleanName(name: string): string {
  return shorten(name.replace(CONTROL_CHARACTERS, ' ').replace(FORMAT_CHARACTERS, '').trim());
}

/** Returns the first {@link MAX_NAME_LENGTH} code points of `text`, trimmed at the end. */
function shorten(text: string): string {
  if (text.length <= MAX_NAME_LENGTH) return text;
  return Array.from(text).slice(0, MAX_NAME_LENGTH).join('').trimEnd();
}

function isLong(text: string): boolean {
  return shorten(text) !== text;
}

/** The threat type read last and its cleaned form: rows of a feed repeat a few threat types. */
let lastThreatType = { raw: '', cleaned: '', changed: false };

/**
 * Returns a threat type trimmed, with control and format characters cleaned as in family names,
 * and adds a warning when there were any. Threat types reach indicators.csv and the watchlists,
 * where a line break would split a row.
 */
function cleanThreatType(raw: string, source: SourceLocation, warnings: HuntpackIssue[]): string {
  if (raw !== lastThreatType.raw) {
    const cleaned = cleanName(raw);
    lastThreatType = { raw, cleaned, changed: cleaned !== raw.trim() };
  }
  const { cleaned, changed } = lastThreatType;
  if (changed && isLong(raw.trim())) {
    warnings.push({
      code: 'THREAT_TYPE_TOO_LONG',
      severity: 'warning',
      message: `Shortened the threat type ${quoteValue(raw)} (${raw.length} characters) to its first ${MAX_NAME_LENGTH} characters.`,
      source,
    });
  } else if (changed) {
    warnings.push({
      code: 'THREAT_TYPE_CONTROL_CHARACTERS',
      severity: 'warning',
      message: `Replaced control characters in the threat type ${quoteValue(raw)} with spaces and removed format characters and unpaired surrogates, giving ${quoteValue(cleaned)}.`,
      source,
    });
  }
  return cleaned;
}

function hasControlCharacters(family: MalwareFamily): boolean {
  const names = [family.name, family.malpedia ?? '', ...family.aliases];
  return names.some(
    (name) => name.search(CONTROL_CHARACTERS) >= 0 || name.search(FORMAT_CHARACTERS) >= 0,
  );
}

function controlCharacterIssue(
  original: MalwareFamily,
  cleaned: MalwareFamily | undefined,
  source: SourceLocation,
): HuntpackIssue {
  const result = cleaned
    ? `giving ${quoteValue(cleaned.name)}`
    : 'which leaves no name, so the indicator has no family';
  const [label, name] = changedName(original);
  return {
    code: 'FAMILY_CONTROL_CHARACTERS',
    severity: 'warning',
    message: `Replaced control characters in the ${label} ${quoteValue(name)} with spaces and removed format characters and unpaired surrogates, ${result}. Family names appear in query comments and reports, where such characters could end a line or disguise the name.`,
    source,
  };
}

/**
 * Returns how a message names the first name of `family` that cleaning changes, and that name:
 * the printable name may be clean while its Malpedia id or an alias is not.
 */
function changedName(family: MalwareFamily): [string, string] {
  const changes = (name: string): boolean => cleanName(name) !== name.trim();
  if (changes(family.name)) return ['family', family.name];
  const familyText = `family ${quoteValue(family.name)}`;
  if (family.malpedia !== undefined && changes(family.malpedia)) {
    return [`${familyText}, Malpedia id`, family.malpedia];
  }
  return [`${familyText}, alias`, family.aliases.find(changes) ?? ''];
}

function hasLongName(family: MalwareFamily): boolean {
  return [family.name, family.malpedia ?? '', ...family.aliases].some(isLong);
}

function isNormalFamily(family: MalwareFamily): boolean {
  const { name, malpedia, aliases } = family;
  if (hasControlCharacters(family) || hasLongName(family)) return false;
  if (name === '' || name.trim() !== name || !isNfc(name)) return false;
  if (malpedia !== undefined && (malpedia === '' || malpedia.trim() !== malpedia)) return false;
  if (malpedia !== undefined && !isNfc(malpedia)) return false;
  if (aliases.length === 0) return true;
  const seen = new SeenKeys();
  seen.add(name.toLowerCase());
  for (const alias of aliases) {
    if (alias === '' || alias.trim() !== alias || !isNfc(alias)) return false;
    if (!seen.add(alias.toLowerCase())) return false;
  }
  return true;
}

/**
 * Trims tags, collapses runs of whitespace inside a tag to one space and drops tags that
 * differ from an earlier one only in letter case. The first spelling wins. Returns the list
 * itself when nothing changes.
 */
export function normalizeTags(tags: readonly string[]): readonly string[] {
  if (isNormalTags(tags)) return tags;
  const result: string[] = [];
  const keys = new SeenKeys();
  for (const tag of tags) {
    const trimmed = tag.trim();
    const cleaned = needsCollapse(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
    if (cleaned && keys.add(cleaned.toLowerCase())) result.push(cleaned);
  }
  return result;
}

function isNormalTags(tags: readonly string[]): boolean {
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]!;
    if (tag === '' || needsCollapse(tag) || tag.trim() !== tag) return false;
  }
  if (tags.length === 1) return true;
  const keys = new SeenKeys();
  return tags.every((tag) => keys.add(tag.toLowerCase()));
}

/** Returns true when `text` may hold whitespace other than single spaces (any non-ASCII counts). */
function needsCollapse(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) return true;
    if (code <= 32 && (code !== 32 || text.charCodeAt(i + 1) <= 32)) return true;
  }
  return false;
}

/** Trims values and drops empty and repeated ones. Returns the list itself when nothing changes. */
function uniqueTrimmed(values: readonly string[]): readonly string[] {
  if (isUniqueTrimmed(values)) return values;
  const result: string[] = [];
  const seen = new SeenKeys();
  for (const value of values) {
    const trimmed = value.trim();
    if (trimmed && seen.add(trimmed)) result.push(trimmed);
  }
  return result;
}

function isUniqueTrimmed(values: readonly string[]): boolean {
  const seen = new SeenKeys();
  return values.every((value) => value !== '' && value.trim() === value && seen.add(value));
}
