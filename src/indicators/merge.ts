/**
 * Merging of indicators that share kind and canonical value, such as one C2 address reported by
 * two feeds or listed twice in one export.
 */
import type { SourceLocation } from '../errors.js';
import { indicatorKey, type Indicator, type MalwareFamily } from './model.js';

export interface MergeResult {
  /** One indicator per key, in the order each key first appeared. */
  indicators: Indicator[];
  /** Input records folded into an earlier record with the same key. */
  merged: number;
  /**
   * Keys whose records named different families (by printable name and Malpedia id). The merged
   * indicator keeps the family of the first record that has one.
   */
  familyConflicts: number;
}

/**
 * Merges indicators with the same {@link indicatorKey}. The merged record takes the earliest
 * firstSeen, the latest lastSeen and expires, the highest confidence and the threatType of the
 * record with the highest confidence (the earlier record on a tie, and any record's threatType
 * when the best one has none). Tags (ignoring case), references, reporters, sourceIds and
 * origins are united in first-seen order. The family comes from the first record that has one,
 * with the aliases of every record naming the same family. isCompromised is true when any record
 * says true. Input objects are never modified: a key seen twice gets a fresh copy.
 */
export function mergeIndicators(indicators: readonly Indicator[]): MergeResult {
  const indexByKey = new Map<string, number>();
  const output: Indicator[] = [];
  // Seen-sets of the keys that have duplicates, created on the first duplicate, so that a value
  // repeated thousands of times is still united in linear time.
  const seenByIndex = new Map<number, SeenValues>();
  const conflicts = new Set<number>();
  let merged = 0;

  for (const indicator of indicators) {
    const key = indicatorKey(indicator);
    const index = indexByKey.get(key);
    if (index === undefined) {
      indexByKey.set(key, output.length);
      output.push(indicator);
      continue;
    }
    merged++;
    let seen = seenByIndex.get(index);
    if (!seen) {
      const copy = copyIndicator(output[index] as Indicator);
      output[index] = copy;
      seen = createSeenValues(copy);
      seenByIndex.set(index, seen);
    }
    const target = output[index] as Indicator;
    mergeContext(target, indicator, seen);
    if (!mergeFamily(target, indicator.family)) conflicts.add(index);
  }
  return { indicators: output, merged, familyConflicts: conflicts.size };
}

interface SeenValues {
  tags: Set<string>;
  references: Set<string>;
  reporters: Set<string>;
  sourceIds: Set<string>;
  origins: Set<string>;
}

function copyIndicator(indicator: Indicator): Indicator {
  const copy: Indicator = {
    ...indicator,
    tags: [...indicator.tags],
    references: [...indicator.references],
    reporters: [...indicator.reporters],
    sourceIds: [...indicator.sourceIds],
    origins: [...indicator.origins],
  };
  if (indicator.family)
    copy.family = { ...indicator.family, aliases: [...indicator.family.aliases] };
  return copy;
}

function createSeenValues(indicator: Indicator): SeenValues {
  return {
    tags: new Set(indicator.tags.map((tag) => tag.toLowerCase())),
    references: new Set(indicator.references),
    reporters: new Set(indicator.reporters),
    sourceIds: new Set(indicator.sourceIds),
    origins: new Set(indicator.origins.map(originKey)),
  };
}

function originKey(origin: SourceLocation): string {
  return `${origin.file ?? ''}\u0000${origin.line ?? ''}\u0000${origin.column ?? ''}\u0000${origin.id ?? ''}`;
}

function mergeContext(target: Indicator, other: Indicator, seen: SeenValues): void {
  if (other.firstSeen && (!target.firstSeen || other.firstSeen < target.firstSeen)) {
    target.firstSeen = other.firstSeen;
  }
  if (other.lastSeen && (!target.lastSeen || other.lastSeen > target.lastSeen)) {
    target.lastSeen = other.lastSeen;
  }
  if (other.expires && (!target.expires || other.expires > target.expires)) {
    target.expires = other.expires;
  }
  const higher =
    other.confidence !== undefined &&
    (target.confidence === undefined || other.confidence > target.confidence);
  if (higher) target.confidence = other.confidence;
  if (other.threatType !== undefined && (higher || target.threatType === undefined)) {
    target.threatType = other.threatType;
  }
  if (other.isCompromised !== undefined && target.isCompromised !== true) {
    target.isCompromised = other.isCompromised;
  }

  uniteInto(target.tags, other.tags, seen.tags, (tag) => tag.toLowerCase());
  uniteInto(target.references, other.references, seen.references, String);
  uniteInto(target.reporters, other.reporters, seen.reporters, String);
  uniteInto(target.sourceIds, other.sourceIds, seen.sourceIds, String);
  uniteInto(target.origins, other.origins, seen.origins, originKey);
}

function uniteInto<T>(
  target: T[],
  values: readonly T[],
  seen: Set<string>,
  keyOf: (value: T) => string,
): void {
  for (const value of values) {
    const key = keyOf(value);
    if (seen.has(key)) continue;
    seen.add(key);
    target.push(value);
  }
}

/**
 * Adds the other record's family to the target: taken whole when the target has none, aliases
 * united when both name the same family. Returns false when the two name different families.
 */
function mergeFamily(target: Indicator, other: MalwareFamily | undefined): boolean {
  if (!other) return true;
  const family = target.family;
  if (!family) {
    target.family = { ...other, aliases: [...other.aliases] };
    return true;
  }
  if (!isSameFamily(family, other)) return false;

  if (!family.malpedia && other.malpedia) family.malpedia = other.malpedia;
  const known = new Set([family.name.toLowerCase(), ...family.aliases.map((a) => a.toLowerCase())]);
  for (const name of [other.name, ...other.aliases]) {
    const key = name.toLowerCase();
    if (known.has(key)) continue;
    known.add(key);
    family.aliases.push(name);
  }
  return true;
}

function isSameFamily(a: MalwareFamily, b: MalwareFamily): boolean {
  if (a.malpedia && b.malpedia) return a.malpedia.toLowerCase() === b.malpedia.toLowerCase();
  return a.name.toLowerCase() === b.name.toLowerCase();
}
