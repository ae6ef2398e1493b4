/** The command-line filters of `huntpack build`, applied to the indicators that the feeds gave. */
import {
  familiesOf,
  filterIndicators,
  threatTypesOf,
  type IndicatorFilterOptions,
} from '../indicators/filter.js';
import type { Indicator, MalwareFamily } from '../indicators/model.js';
import { acceptedDetails, type CollectResult } from '../pipeline/collect.js';

/** Collected indicators after the command-line filters. */
export interface FilteredCollectResult extends CollectResult {
  /** Every accepted indicator before the filters, kept only when `--state` needs it. */
  accepted?: Indicator[];
  /** Families of the accepted indicators, kept only with a family filter. */
  acceptedFamilies?: MalwareFamily[];
  /** Families of the accepted indicators, from which pack folder names are chosen. */
  feedFamilies: MalwareFamily[];
}

/**
 * Applies the command-line filters to collected indicators. The build filters here rather than
 * in collectIndicators because the history needs the indicators that the filters leave out.
 */
export function filterCollected(
  collected: CollectResult,
  filters: IndicatorFilterOptions,
  now: Date,
  keepAccepted: boolean,
): FilteredCollectResult {
  const copies = collected.familyCopies;
  const filtered = filterIndicators(collected.indicators, filters, now);
  const feedFamilies = familiesOf(collected.indicators);
  const kept = copies.countDistinct(filtered.kept);
  // The counts of each filter count indicators, without their copies.
  const filterCounts =
    copies.size === 0
      ? filtered.removed
      : filterIndicators(copies.withoutCopies(collected.indicators), filters, now).removed;
  return {
    ...collected,
    accepted: keepAccepted ? collected.indicators : undefined,
    acceptedFamilies: filters.families?.length ? feedFamilies : undefined,
    acceptedThreatTypes: filters.threatTypes?.length
      ? threatTypesOf(collected.indicators)
      : undefined,
    ...acceptedDetails(filters, collected.indicators),
    feedFamilies,
    indicators: filtered.kept,
    counts: {
      ...collected.counts,
      filteredOut: collected.counts.accepted - kept,
      kept,
    },
    filterCounts,
  };
}
