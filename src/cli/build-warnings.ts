/**
 * Warnings for a build that leaves nothing to hunt: an empty feed, a feed whose every row was
 * rejected, or filters or allowlists that removed every indicator. A scheduled job would
 * otherwise take such a run for a success.
 */
import { cleanFamilyName } from '../indicators/context.js';
import { buildFamilyMatcher, type IndicatorFilterCounts } from '../indicators/filter.js';
import type { MalwareFamily } from '../indicators/model.js';
import type { CollectResult } from '../pipeline/collect.js';
import type { IndicatorFilterFlags } from './options.js';
import { editDistance } from '../edit-distance.js';
import { printable } from '../errors.js';

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
 * Maximum case-insensitive edit distance at which a family name counts as close to `--family`.
 * Values of four characters or fewer allow one edit.
 */
const MAX_FAMILY_DISTANCE = 2;

/** Maximum number of close families named for one `--family` value. */
const MAX_CLOSE_FAMILIES = 3;

/**
 * Builds one warning per cause of an empty build, each a full sentence without the
 * `huntpack: warning:` prefix. An input that could not be read gets none, because the build
 * already fails for it.
 *
 * @param setAside the number of indicators the allowlists set aside.
 * @param issuesFile where the rejected rows are listed.
 * @param feedFamilies the families of the indicators before the filters, to name the families
 *   closest to a `--family` value that matches none of them.
 */
export function emptyBuildWarnings(
  collected: CollectResult,
  flags: GivenFilters,
  setAside: number,
  issuesFile: string,
  feedFamilies: readonly MalwareFamily[] = [],
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
    const unmatched = describeUnmatchedFamilies(flags.family ?? [], feedFamilies);
    warnings.push(
      `the filters removed all ${counts.accepted} indicators (${describeFilters(collected.filterCounts, flags)}), so no pack was built. ` +
        [...unmatched, 'Check the filter values against the feed.'].join(' '),
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
    // A value is echoed as typed, with control characters escaped so it cannot drive the terminal.
    const named = value === undefined ? filter.option : `${filter.option} ${printable(value)}`;
    parts.push(`${named} removed ${removed[filter.name]}`);
  }
  return parts.join(', ');
}

/**
 * Returns a sentence for each `--family` value that selects none of `feedFamilies`. The sentence
 * names the closest families, as in `--family Remcso matches no family in the feeds; the
 * closest: Remcos (win.remcos).`
 *
 * A family is close when its printable name, Malpedia id or an alias is within
 * {@link MAX_FAMILY_DISTANCE} edits of the value, ignoring case (one for short values). It is
 * close too when the value and its name or an alias contain one another (see
 * {@link containsName}).
 */
export function describeUnmatchedFamilies(
  names: readonly string[],
  feedFamilies: readonly MalwareFamily[],
): string[] {
  const sentences: string[] = [];
  for (const name of names) {
    const selects = buildFamilyMatcher([name]);
    if (feedFamilies.some(selects)) continue;
    const closest = closeFamilies(cleanFamilyName(name).toLowerCase(), feedFamilies);
    const named = closest.map((family) =>
      family.malpedia ? `${family.name} (${family.malpedia})` : family.name,
    );
    sentences.push(
      named.length === 0
        ? `--family ${printable(name)} matches no family in the feeds.`
        : `--family ${printable(name)} matches no family in the feeds; the closest: ${named.join(', ')}.`,
    );
  }
  return sentences;
}

/** Minimum length of a value or name that counts as contained in the other. */
const MIN_CONTAINED_LENGTH = 3;

/**
 * True when one of a value and a family name or alias contains the other, and the shorter has
 * at least {@link MIN_CONTAINED_LENGTH} characters: `cobalt` is close to `Cobalt Strike`, and
 * `x` to no family.
 */
function containsName(given: string, name: string): boolean {
  const [shorter, longer] = given.length <= name.length ? [given, name] : [name, given];
  return shorter.length >= MIN_CONTAINED_LENGTH && longer.includes(shorter);
}

/** Returns the families close to `given` (lower case), nearest first, at most {@link MAX_CLOSE_FAMILIES}. */
function closeFamilies(given: string, families: readonly MalwareFamily[]): MalwareFamily[] {
  const close: Array<{ family: MalwareFamily; distance: number }> = [];
  for (const family of families) {
    // Two edits turn a value of four characters into too many other names.
    const maxDistance = given.length <= 4 ? 1 : MAX_FAMILY_DISTANCE;
    const names = [family.name, ...family.aliases].map((name) => name.toLowerCase());
    const candidates = [...names, (family.malpedia ?? '').toLowerCase()].filter(Boolean);
    let nearest = Number.POSITIVE_INFINITY;
    let isClose = false;
    for (const candidate of candidates) {
      const distance = editDistance(given, candidate);
      nearest = Math.min(nearest, distance);
      if (distance <= maxDistance) isClose = true;
    }
    // Malpedia ids all start with a platform, such as `win.`, so only names count as contained.
    if (names.some((name) => name !== '' && containsName(given, name))) isClose = true;
    if (isClose) close.push({ family, distance: nearest });
  }
  close.sort((a, b) => a.distance - b.distance || a.family.name.localeCompare(b.family.name, 'en'));
  return close.slice(0, MAX_CLOSE_FAMILIES).map((entry) => entry.family);
}
