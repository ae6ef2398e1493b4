/**
 * Warnings for a build that leaves nothing to hunt: an empty feed, a feed whose every row was
 * rejected, or filters or allowlists that removed every indicator. A scheduled job would
 * otherwise take such a run for a success.
 */
import type { IndicatorFilterCounts } from '../indicators/filter.js';
import type { CollectResult } from '../pipeline/collect.js';
import type { IndicatorFilterFlags } from './options.js';

/** The filter options as given on the command line, to name them in a warning. */
export type GivenFilters = IndicatorFilterFlags;

/** The option behind each filter count, and its value as given. */
const FILTER_OPTIONS: ReadonlyArray<{
  name: keyof IndicatorFilterCounts;
  option: string;
  value: (flags: GivenFilters) => string | undefined;
}> = [
  { name: 'kind', option: '--ioc-type', value: (flags) => flags.iocType?.join(',') },
  { name: 'family', option: '--family', value: (flags) => flags.family?.join(',') },
  { name: 'threatType', option: '--threat-type', value: (flags) => flags.threatType?.join(',') },
  { name: 'confidence', option: '--min-confidence', value: (flags) => flags.minConfidence },
  { name: 'since', option: '--since', value: (flags) => flags.since },
  { name: 'maxAge', option: '--max-age', value: (flags) => flags.maxAge },
  { name: 'expired', option: 'an expiry date (valid_until) in the past', value: () => undefined },
];

/**
 * Builds one warning per cause of an empty build, each a full sentence without the
 * `huntpack: warning:` prefix. An input that could not be read gets none, because the build
 * already fails for it.
 *
 * @param setAside the number of indicators the allowlists set aside.
 * @param issuesFile where the rejected rows are listed.
 */
export function emptyBuildWarnings(
  collected: CollectResult,
  flags: GivenFilters,
  setAside: number,
  issuesFile: string,
): string[] {
  const warnings: string[] = [];
  for (const input of collected.perFile) {
    if (!input.failed && input.rowsRead === 0) {
      warnings.push(
        `no rows were read from ${input.file}: the feed is empty. Check that its download or export did not fail.`,
      );
    }
  }

  const { counts } = collected;
  const dropped = Object.values(counts.dropped).reduce((sum, count) => sum + count, 0);
  if (counts.rowsRead > 0 && counts.accepted === 0) {
    const parts = [`${counts.rejected} rejected`];
    if (dropped > 0) parts.push(`${dropped} dropped on purpose`);
    warnings.push(
      `every one of the ${counts.rowsRead} rows read was rejected or dropped (${parts.join(', ')}), so no pack was built. The reasons are listed in ${issuesFile}.`,
    );
  } else if (counts.accepted > 0 && counts.kept === 0) {
    warnings.push(
      `the filters removed all ${counts.accepted} indicators (${describeFilters(collected.filterCounts, flags)}), so no pack was built. Check the filter values against the feed.`,
    );
  } else if (counts.kept > 0 && setAside === counts.kept) {
    warnings.push(
      `the allowlists set aside all ${counts.kept} indicators, so no pack has a hunt. Each report lists the allowlist entry behind each one.`,
    );
  }
  return warnings;
}

/** Names each filter that removed indicators, with its value and count: `--family Nope removed 4`. */
export function describeFilters(removed: IndicatorFilterCounts, flags: GivenFilters): string {
  const parts: string[] = [];
  for (const filter of FILTER_OPTIONS) {
    if (removed[filter.name] === 0) continue;
    const value = filter.value(flags);
    const named = value === undefined ? filter.option : `${filter.option} ${value}`;
    parts.push(`${named} removed ${removed[filter.name]}`);
  }
  return parts.join(', ');
}
