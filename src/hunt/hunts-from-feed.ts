/**
 * Builds local hunts straight from feeds, as `huntpack build` would for its packs but without
 * compiling or checking KQL: collect and filter indicators, set aside allowlisted ones, group
 * them by family and build each family's hunts with the default exclusions.
 */
import { buildHunts } from '../compile/build-hunts.js';
import type { Hunt, Lookback } from '../compile/ir.js';
import { assignFolderNames } from '../indicators/family-slug.js';
import { applyAllowlists, type Allowlists, type SetAside } from '../pipeline/allowlist/index.js';
import { specialAddressWarningAfter } from '../pipeline/allowlist/special-addresses.js';
import type { Indicator } from '../indicators/model.js';
import { collectIndicators, type CollectOptions, type CollectResult } from '../pipeline/collect.js';
import { defaultExclusions } from '../pipeline/scenarios.js';
import { groupByFamily } from '../report/build-packs.js';

export interface FeedHunts {
  hunts: Hunt[];
  collected: CollectResult;
  /** Indicators that the allowlists set aside, in feed order, with the list, entry and reason. */
  setAside: SetAside[];
}

/** Reads `feeds` and returns one hunt per family, variant and data source. */
export async function huntsFromFeeds(
  feeds: string[],
  options: CollectOptions & { allowlists?: Allowlists; lookback?: Lookback } = {},
): Promise<FeedHunts> {
  const collected = await collectIndicators(feeds, options);
  let indicators = collected.indicators;
  let setAside: SetAside[] = [];
  if (options.allowlists) {
    const result = applyAllowlists(indicators, options.allowlists);
    indicators = result.kept;
    // Set aside once each: the copies of an indicator for its other families are the same one.
    const listed = new Set<Indicator>();
    setAside = result.setAside.filter((item) => {
      const original = collected.familyCopies.originalOf(item.indicator);
      if (listed.has(original)) return false;
      listed.add(original);
      return true;
    });
  }
  const specialHunted = specialAddressWarningAfter(options.allowlists, indicators);
  if (specialHunted) collected.issues.push(specialHunted);
  const hunts: Hunt[] = [];
  const groups = [...groupByFamily(indicators)].map(([key, group]) => {
    const family = group.find((indicator) => indicator.family)?.family;
    return {
      key,
      group,
      name: family?.name ?? 'Unknown malware',
      malpedia: family?.malpedia,
      kind: family?.kind,
    };
  });
  // The hunt ids take the folder names that build gives the same families, in any feed order.
  const { folders } = assignFolderNames(groups);
  for (const { key, group, name, kind } of groups) {
    hunts.push(
      ...buildHunts(group, {
        family: name,
        familyKind: kind,
        familySlug: folders.get(key)!,
        lookback: options.lookback ?? { amount: 30, unit: 'd' },
        exclusionsFor: defaultExclusions,
      }),
    );
  }
  return { hunts, collected, setAside };
}
