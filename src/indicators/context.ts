/**
 * Cleanup of the context a feed gives with an indicator: confidence range, dates, family
 * aliases, tags and lists. Problems here never reject the indicator. They drop or clamp the one
 * field and add a warning.
 */
import { quoteValue, type HuntpackIssue, type SourceLocation } from '../errors.js';
import type { IndicatorContext, MalwareFamily } from './model.js';

const MAX_CONFIDENCE = 100;

/**
 * Returns a complete context built from a reader's partial one. Each field that is dropped or
 * clamped adds one issue to `warnings`, located at `source`.
 */
export function normalizeContext(
  context: Partial<IndicatorContext>,
  source: SourceLocation,
  warnings: HuntpackIssue[],
): IndicatorContext {
  const result: IndicatorContext = {
    tags: normalizeTags(context.tags),
    references: uniqueTrimmed(context.references),
    reporters: uniqueTrimmed(context.reporters),
    sourceIds: uniqueTrimmed(context.sourceIds),
    origins: context.origins && context.origins.length > 0 ? context.origins : [source],
  };
  const family = context.family && normalizeFamily(context.family);
  if (family) result.family = family;
  const threatType = context.threatType?.trim();
  if (threatType) result.threatType = threatType;
  if (context.confidence !== undefined) {
    const confidence = normalizeConfidence(context.confidence, source, warnings);
    if (confidence !== undefined) result.confidence = confidence;
  }
  for (const field of DATE_FIELDS) {
    const date = context[field];
    if (date === undefined) continue;
    if (date instanceof Date && !Number.isNaN(date.getTime())) result[field] = date;
    else warnings.push(invalidDateIssue(field, date, source));
  }
  if (typeof context.isCompromised === 'boolean') result.isCompromised = context.isCompromised;
  return result;
}

const DATE_FIELDS = ['firstSeen', 'lastSeen', 'expires'] as const;

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
  if (value >= 0 && value <= MAX_CONFIDENCE) return value;

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

/** Trims names, drops empty ones and removes aliases equal to the printable name or each other. */
function normalizeFamily(family: MalwareFamily): MalwareFamily | undefined {
  const name = family.name.trim();
  if (!name) return undefined;
  const seen = new Set([name.toLowerCase()]);
  const aliases: string[] = [];
  for (const alias of family.aliases) {
    const trimmed = alias.trim();
    const key = trimmed.toLowerCase();
    if (!trimmed || seen.has(key)) continue;
    seen.add(key);
    aliases.push(trimmed);
  }
  const malpedia = family.malpedia?.trim();
  return malpedia ? { name, malpedia, aliases } : { name, aliases };
}

/**
 * Trims tags, collapses runs of whitespace inside a tag to one space and drops tags that
 * differ from an earlier one only in letter case. The first spelling wins.
 */
export function normalizeTags(tags: readonly string[] | undefined): string[] {
  if (!tags || tags.length === 0) return [];
  const result: string[] = [];
  // Tag lists are short, so an array lookup is cheaper here than building a Set per record.
  const keys: string[] = [];
  for (const tag of tags) {
    const trimmed = tag.trim();
    const cleaned = needsCollapse(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
    const key = cleaned.toLowerCase();
    if (!cleaned || keys.includes(key)) continue;
    keys.push(key);
    result.push(cleaned);
  }
  return result;
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

function uniqueTrimmed(values: readonly string[] | undefined): string[] {
  if (!values || values.length === 0) return [];
  const result: string[] = [];
  for (const value of values) {
    const trimmed = value.trim();
    if (trimmed && !result.includes(trimmed)) result.push(trimmed);
  }
  return result;
}
