/**
 * Merging of indicators that share kind and canonical value, such as one C2 address reported by
 * two feeds or listed twice in one export.
 */
import type { SourceLocation } from '../errors.js';
import { buildFamilyMatcher } from './filter.js';
import { IndicatorIndex } from './indicator-index.js';
import {
  latestSighting,
  type Indicator,
  type IndicatorContext,
  type MalwareFamily,
} from './model.js';
import { ListProvenance } from './provenance.js';

/** Settings of {@link mergeIndicators} and {@link IndicatorMerger.result}. */
export interface MergeOptions {
  /**
   * Families the caller will select with the family filter, by the names that
   * `IndicatorFilterOptions.families` takes. An indicator that the records name under
   * several families gets the first of them in read order that these names select, so the
   * filter keeps it. Without them, or when none is selected, it keeps the first family read.
   */
  requestedFamilies?: readonly string[];
}

export interface MergeResult {
  /** One indicator per key, in the order each key first appeared. */
  indicators: Indicator[];
  /** Input records folded into an earlier record with the same key. */
  merged: number;
  /**
   * Records that named a different family (by printable name and Malpedia id) from the one
   * their key already had, in the order read. The merged indicator keeps the first family,
   * unless {@link MergeOptions.requestedFamilies} selects a later one.
   */
  familyConflicts: FamilyConflict[];
  /**
   * For each indicator in conflict, the same indicator as each family's records give it, one
   * entry per family in read order. An entry merges the records that name its family and the
   * records without a family, in any order. The indicator itself has the context of its kept
   * family's entry, except isCompromised, which stays that of all its records.
   */
  familyContexts: Map<Indicator, readonly Indicator[]>;
}

/** A record whose family differs from the family its indicator already has. */
export interface FamilyConflict {
  /** The merged indicator, which keeps `kept`. */
  indicator: Indicator;
  /** The family the merged indicator has, and so the only pack that hunts it. */
  kept: MalwareFamily;
  /** The first family read for the indicator, which differs from `kept` only on request. */
  first: MalwareFamily;
  /** The family the later record named. */
  other: MalwareFamily;
  /** Location of the later record in its feed. */
  origin?: SourceLocation;
}

/**
 * Merges indicators with the same kind and canonical value (see `indicatorKey`). The merged
 * record takes the earliest firstSeen, and as lastSeen the latest sighting of any record: the
 * later of its firstSeen and lastSeen, as in a ThreatFox row that was never seen again.
 * It takes the latest expires (none when a record has none, because that feed lists it without
 * an end) and the highest confidence. Its threatType comes from the record with the highest confidence, the earlier one
 * on a tie. When that record has none, the first threatType found is kept.
 *
 * Tags (ignoring case), references, reporters, sourceIds and origins are united in first-seen
 * order. The family comes from the first record that has one, with the aliases of every record
 * that names the same family; ThreatFox's "Unknown malware" counts as no family. isCompromised is true when any record has it true. Input objects are
 * never modified, because a key seen twice gets a fresh copy.
 *
 * An indicator whose records name several families gets the context of its kept family's records
 * only. `familyContexts` gives the context of each of its families, so no pack shows the
 * confidence, dates, tags or sources of another family's records.
 */
export function mergeIndicators(
  indicators: readonly Indicator[],
  options: MergeOptions = {},
): MergeResult {
  const merger = new IndicatorMerger();
  for (const indicator of indicators) merger.add(indicator);
  return merger.result(options);
}

/** Merges indicators one at a time, as they are read, with the rules of {@link mergeIndicators}. */
export class IndicatorMerger {
  private readonly output: Indicator[] = [];
  private readonly index = new IndicatorIndex(this.output);
  /** Indexes of `output` entries that are copies made here, which merging may change. */
  private readonly copied = new Set<number>();
  private readonly conflicts: Array<{
    index: number;
    other: MalwareFamily;
    origin?: SourceLocation;
  }> = [];
  /**
   * Families that later records named for an `output` entry besides its first family, distinct
   * and in read order. Only entries with a conflict have one, so the common case allocates none.
   */
  private readonly laterFamilies = new Map<number, MalwareFamily[]>();
  /**
   * The context of an `output` entry in conflict as each of its families' records give it, by
   * output index, in read order of the families.
   */
  private readonly familyViews = new Map<number, Indicator[]>();
  /**
   * The records without a family of an `output` entry that also has records of a family, merged,
   * by output index. A family whose first record comes later starts its view from them, so that
   * such records add to every family whatever the order of the rows.
   */
  private readonly unattributed = new Map<number, Indicator>();
  private readonly lookups = new ListLookups();
  private merged = 0;

  /**
   * @param onFirst Called with each indicator that starts a new entry of the result, in result
   *   order, so a caller can start work that needs only its kind and value.
   */
  constructor(private readonly onFirst?: (indicator: Indicator) => void) {}

  /** Number of records merged into an earlier one so far. */
  get mergedCount(): number {
    return this.merged;
  }

  add(indicator: Indicator): void {
    const index = this.index.findOrAdd(indicator, this.output.length);
    if (index === -1) {
      this.onFirst?.(indicator);
      if (!indicator.otherFamilies) {
        this.output.push(indicator);
        return;
      }
      // Its family may change when the results are chosen, so the entry is a copy made here.
      const entry = copyIndicator(indicator);
      this.copied.add(this.output.length);
      this.output.push(entry);
      this.addOtherFamilies(this.output.length - 1, indicator);
      if (namesOtherFamily(entry, indicator)) {
        const views: Indicator[] = [];
        addToFamilyViews(views, indicator, this.lookups);
        this.familyViews.set(this.output.length - 1, views);
      }
      return;
    }
    this.merged++;
    if (!this.copied.has(index)) {
      this.output[index] = copyIndicator(this.output[index]!);
      this.copied.add(index);
    }
    const target = this.output[index]!;
    this.trackUnattributed(index, target, indicator);
    let views = this.familyViews.get(index);
    if (!views && namesOtherFamily(target, indicator)) {
      // Every record so far named the entry's family or none, so its context is that family's.
      views = [copyIndicator(target)];
      this.familyViews.set(index, views);
    }
    if (views) {
      addToFamilyViews(views, indicator, this.lookups, this.unattributed.get(index));
    }
    mergeContext(target, indicator, this.lookups);
    if (!mergeFamily(target, indicator.family) && indicator.family) {
      this.conflicts.push({
        index,
        other: indicator.family,
        origin: indicator.provenance.origins[0],
      });
      this.addLaterFamily(index, indicator.family);
    }
    if (indicator.otherFamilies) this.addOtherFamilies(index, indicator);
  }

  /**
   * Keeps the merge of the records without a family of an entry that has records of a family too,
   * before `record` is merged into `target`. Until the first record of a family, the entry itself
   * is that merge.
   */
  private trackUnattributed(index: number, target: Indicator, record: Indicator): void {
    const recordNamed = namedFamilies(record).length > 0;
    const targetNamed = target.family !== undefined && !isUnknownFamily(target.family);
    if (recordNamed === targetNamed) return;
    const known = this.unattributed.get(index);
    if (recordNamed) {
      // The first record of a family: every record so far had none.
      if (!known) this.unattributed.set(index, copyIndicator(target));
    } else if (known) {
      mergeContext(known, record, this.lookups);
    } else {
      this.unattributed.set(index, copyIndicator(record));
    }
  }

  /**
   * Records each other family that one record names beside its own as a conflict of the output
   * entry at `index`, as a later record of that family would be recorded.
   */
  private addOtherFamilies(index: number, indicator: Indicator): void {
    for (const other of indicator.otherFamilies ?? []) {
      const target = this.output[index]!;
      if (target.family && isSameFamily(target.family, other)) continue;
      this.conflicts.push({ index, other, origin: indicator.provenance.origins[0] });
      this.addLaterFamily(index, other);
    }
  }

  /**
   * Finishes the merge and returns its result. With requested families, an indicator in
   * conflict whose first family is not requested takes the first later family that is, so that
   * family's pack hunts it. Call it once, after the last `add`, because it changes the output.
   */
  result(options: MergeOptions = {}): MergeResult {
    const firstFamilies = new Map<number, MalwareFamily>();
    if (options.requestedFamilies) {
      this.chooseRequestedFamilies(buildFamilyMatcher(options.requestedFamilies), firstFamilies);
    }
    const familyConflicts = this.conflicts.map(({ index, other, origin }) => {
      const indicator = this.output[index]!;
      const kept = indicator.family!;
      return { indicator, kept, first: firstFamilies.get(index) ?? kept, other, origin };
    });
    const familyContexts = new Map<Indicator, readonly Indicator[]>();
    for (const [index, views] of this.familyViews) {
      const indicator = this.output[index]!;
      const own = views.find((view) => isSameFamily(view.family!, indicator.family!));
      if (own) Object.assign(indicator, recordContextOf(own));
      familyContexts.set(indicator, views);
    }
    return { indicators: this.output, merged: this.merged, familyConflicts, familyContexts };
  }

  private addLaterFamily(index: number, family: MalwareFamily): void {
    let families = this.laterFamilies.get(index);
    if (!families) {
      families = [];
      this.laterFamilies.set(index, families);
    }
    const same = families.find((known) => isSameFamily(known, family));
    if (same) uniteFamilyNames(same, family);
    else families.push({ ...family, aliases: [...family.aliases] });
  }

  /**
   * Gives each indicator in conflict the first family in read order that `isRequested` accepts,
   * and records the family it replaced in `firstFamilies` by output index.
   */
  private chooseRequestedFamilies(
    isRequested: (family: MalwareFamily) => boolean,
    firstFamilies: Map<number, MalwareFamily>,
  ): void {
    for (const [index, families] of this.laterFamilies) {
      // An indicator in conflict was merged or named several families, so its output entry
      // is a copy made here.
      const indicator = this.output[index]!;
      const first = indicator.family!;
      if (isRequested(first)) continue;
      const requested = families.find(isRequested);
      if (!requested) continue;
      indicator.family = requested;
      firstFamilies.set(index, first);
    }
  }
}

/** Returns a copy whose lists and family belong to it alone, so merging may change them. */
function copyIndicator(indicator: Indicator): Indicator {
  const copy: Indicator = {
    ...indicator,
    tags: [...indicator.tags],
    references: [...indicator.references],
    reporters: [...indicator.reporters],
    provenance: ListProvenance.copy(indicator.provenance),
  };
  if (indicator.family)
    copy.family = { ...indicator.family, aliases: [...indicator.family.aliases] };
  return copy;
}

/**
 * Tells whether a record names a family other than the entry's own, as its family or as one of
 * its other families. ThreatFox's "Unknown malware" names none.
 */
function namesOtherFamily(target: Indicator, record: Indicator): boolean {
  const family = target.family;
  if (!family || isUnknownFamily(family)) return false;
  return namedFamilies(record).some((other) => !isSameFamily(family, other));
}

/** Returns the families a record names, its own first, without "Unknown malware". */
function namedFamilies(record: Indicator): MalwareFamily[] {
  const families: MalwareFamily[] = [];
  for (const family of [record.family, ...(record.otherFamilies ?? [])]) {
    if (family && !isUnknownFamily(family)) families.push(family);
  }
  return families;
}

/**
 * Adds a record to the family views of its entry: to the view of each family it names, or to
 * every view when it names no family. A family without a view yet gets one made from the record
 * and the entry's records without a family.
 */
function addToFamilyViews(
  views: Indicator[],
  record: Indicator,
  lookups: ListLookups,
  unattributed?: Indicator,
): void {
  const families = namedFamilies(record);
  if (families.length === 0) {
    for (const view of views) mergeContext(view, record, lookups);
    return;
  }
  for (const family of families) {
    const view = views.find((known) => isSameFamily(known.family!, family));
    if (view) {
      mergeContext(view, record, lookups);
      uniteFamilyNames(view.family!, family);
    } else {
      const created = copyIndicator(record);
      created.family = { ...family, aliases: [...family.aliases] };
      if (unattributed) mergeContext(created, unattributed, lookups);
      views.push(created);
    }
  }
}

/**
 * Returns the fields of an indicator's context that differ between its families' records: every
 * field of IndicatorContext but the families and isCompromised. Whether a site is a compromised
 * legitimate one is a fact about the site, whichever family's row gives it, and it keeps every
 * pack from hunting such a site's host.
 */
export function recordContextOf(
  indicator: Indicator,
): Omit<IndicatorContext, 'family' | 'otherFamilies' | 'isCompromised'> {
  return {
    threatType: indicator.threatType,
    confidence: indicator.confidence,
    firstSeen: indicator.firstSeen,
    lastSeen: indicator.lastSeen,
    expires: indicator.expires,
    tags: indicator.tags,
    references: indicator.references,
    reporters: indicator.reporters,
    provenance: indicator.provenance,
  };
}

/** Returns a list of a copy made by {@link copyIndicator}, which may be changed. */
function own<T>(list: readonly T[]): T[] {
  return list as T[];
}

function mergeContext(target: Indicator, other: Indicator, lookups: ListLookups): void {
  // A record's latest sighting is its first one when it has no lastSeen or an earlier one, so a
  // row first seen yesterday keeps --max-age from judging the indicator by an older row's lastSeen.
  const targetSighting = latestSighting(target);
  const otherSighting = latestSighting(other);
  if (otherSighting && (!targetSighting || otherSighting > targetSighting)) {
    target.lastSeen = otherSighting;
  } else if (targetSighting && otherSighting) {
    target.lastSeen = targetSighting;
  }
  if (other.firstSeen && (!target.firstSeen || other.firstSeen < target.firstSeen)) {
    target.firstSeen = other.firstSeen;
  }
  // A record without an expiry date keeps the indicator valid with no end.
  if (!other.expires || !target.expires) target.expires = undefined;
  else if (other.expires > target.expires) target.expires = other.expires;
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

  lookups.unite(own(target.tags), other.tags, lowerCase);
  lookups.unite(own(target.references), other.references, identity);
  lookups.unite(own(target.reporters), other.reporters, identity);
  const provenance = target.provenance as ListProvenance;
  const { origins, sourceIds } = other.provenance;
  lookups.unite(provenance.sourceIds, sourceIds, identity);
  lookups.unite(provenance.origins, origins, originKey);
}

function lowerCase(text: string): string {
  return text.toLowerCase();
}

function identity(text: string): string {
  return text;
}

function originKey(origin: SourceLocation): string {
  return `${origin.file ?? ''}\u0000${origin.line ?? ''}\u0000${origin.column ?? ''}\u0000${origin.id ?? ''}`;
}

/** Lists shorter than this are searched directly, because a Set per list costs more. */
const SMALL_LIST_LENGTH = 16;

/**
 * Appends values that a list lacks. Long lists get a Set of their keys, created once they reach
 * {@link SMALL_LIST_LENGTH}, so that a value merged from thousands of records stays linear.
 */
class ListLookups {
  private readonly keysByList = new Map<unknown[], Set<string>>();

  unite<T>(target: T[], values: readonly T[], keyOf: (value: T) => string): void {
    for (const value of values) {
      const key = keyOf(value);
      let keys = this.keysByList.get(target);
      if (!keys && target.length >= SMALL_LIST_LENGTH) {
        keys = new Set(target.map(keyOf));
        this.keysByList.set(target, keys);
      }
      if (keys) {
        if (keys.has(key)) continue;
        keys.add(key);
      } else if (target.some((existing) => keyOf(existing) === key)) {
        continue;
      }
      target.push(value);
    }
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
  // A feed's "Unknown malware" is the absence of a family, so any named family replaces it.
  if (isUnknownFamily(other)) return true;
  if (isUnknownFamily(family)) {
    target.family = { ...other, aliases: [...other.aliases] };
    return true;
  }
  if (!isSameFamily(family, other)) return false;
  uniteFamilyNames(family, other);
  return true;
}

/** Adds the other record's Malpedia id, when the family lacks one, and its new names as aliases. */
function uniteFamilyNames(family: MalwareFamily, other: MalwareFamily): void {
  if (!family.malpedia && other.malpedia) family.malpedia = other.malpedia;
  const known = new Set([family.name.toLowerCase(), ...family.aliases.map((a) => a.toLowerCase())]);
  for (const name of [other.name, ...other.aliases]) {
    const key = name.toLowerCase();
    if (known.has(key)) continue;
    known.add(key);
    own(family.aliases).push(name);
  }
}

/** Tells whether a family is ThreatFox's placeholder for indicators of no known family. */
function isUnknownFamily(family: MalwareFamily): boolean {
  return !family.malpedia && family.name.toLowerCase() === 'unknown malware';
}

/**
 * Tells whether two records name the same family: by Malpedia id when both give one, else by name.
 * A threat group and a malware family are never the same.
 */
export function isSameFamily(a: MalwareFamily, b: MalwareFamily): boolean {
  if (a.kind !== b.kind) return false;
  if (a.malpedia && b.malpedia) return a.malpedia.toLowerCase() === b.malpedia.toLowerCase();
  return a.name.toLowerCase() === b.name.toLowerCase();
}
