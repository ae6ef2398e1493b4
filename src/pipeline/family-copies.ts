/**
 * Indicators that the feeds name under several families, hunted in the pack of each. The merge
 * keeps one indicator per kind and value, with the first family read. This stage adds a copy of
 * it for every other family, so that a Cobalt Strike pack still hunts the C2 address that a feed
 * listed first as RedLine Stealer. The copy has the value of the indicator and the context that
 * the records of its own family give (see `MergeResult.familyContexts`), and the counts count an
 * indicator and its copies once.
 */
import { familyKeyOf } from '../indicators/family-key.js';
import { isSameFamily, recordContextOf, type FamilyConflict } from '../indicators/merge.js';
import type { Indicator, MalwareFamily } from '../indicators/model.js';

/** Copies of indicators for their other families, and the original of each copy. */
export class FamilyCopies {
  /** Other families of each indicator that has any, distinct by family key, in read order. */
  private readonly otherFamilies = new Map<Indicator, MalwareFamily[]>();
  private readonly originals = new Map<Indicator, Indicator>();

  /**
   * @param conflicts the merge's family conflicts. Each names the family the indicator kept, the
   *   first family read for it and the family a later record gave. Both of the last two may
   *   differ from the kept one.
   * @param contexts the merge's `familyContexts`: each indicator in conflict as each of its
   *   families' records give it. A copy without one shares the indicator's context.
   */
  constructor(
    conflicts: readonly FamilyConflict[] = [],
    private readonly contexts: ReadonlyMap<Indicator, readonly Indicator[]> = new Map(),
  ) {
    for (const { indicator, kept, first, other } of conflicts) {
      for (const family of [first, other]) this.addFamily(indicator, kept, family);
    }
  }

  /** Number of indicators named under more than one family. */
  get size(): number {
    return this.otherFamilies.size;
  }

  /**
   * Returns `indicators` with a copy for each other family placed after the indicator itself,
   * so each pack lists its indicators in read order. Without such indicators, returns the list
   * itself.
   */
  expand(indicators: Indicator[]): Indicator[] {
    if (this.otherFamilies.size === 0) return indicators;
    const entries: Indicator[] = [];
    for (const indicator of indicators) {
      entries.push(indicator);
      const contexts = this.contexts.get(indicator) ?? [];
      for (const family of this.otherFamiliesOf(indicator)) {
        const context = contexts.find((view) => view.family && isSameFamily(view.family, family));
        const copy: Indicator = { ...indicator, ...(context && recordContextOf(context)), family };
        this.originals.set(copy, indicator);
        entries.push(copy);
      }
    }
    return entries;
  }

  /** Returns the families of an indicator besides its own, distinct by family key. */
  otherFamiliesOf(indicator: Indicator): readonly MalwareFamily[] {
    return this.otherFamilies.get(indicator) ?? [];
  }

  /** Returns the indicator that `entry` is a copy of, or `entry` itself. */
  originalOf(entry: Indicator): Indicator {
    return this.originals.get(entry) ?? entry;
  }

  /** Returns `entries` without the copies made by {@link expand}. */
  withoutCopies(entries: readonly Indicator[]): Indicator[] {
    return entries.filter((entry) => !this.originals.has(entry));
  }

  /** Tells whether `indicator` is a copy made by {@link expand}. */
  isCopy(indicator: Indicator): boolean {
    return this.originals.has(indicator);
  }

  /** Counts the distinct indicators among `entries`, an indicator and its copies once. */
  countDistinct(entries: readonly Indicator[]): number {
    if (this.originals.size === 0) return entries.length;
    const seen = new Set<Indicator>();
    for (const entry of entries) seen.add(this.originalOf(entry));
    return seen.size;
  }

  private addFamily(indicator: Indicator, kept: MalwareFamily, family: MalwareFamily): void {
    const key = familyKeyOf(family);
    if (key === familyKeyOf(kept)) return;
    let families = this.otherFamilies.get(indicator);
    if (!families) {
      families = [];
      this.otherFamilies.set(indicator, families);
    }
    if (!families.some((known) => familyKeyOf(known) === key)) families.push(family);
  }
}
