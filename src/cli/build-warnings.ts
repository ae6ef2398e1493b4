/**
 * Warnings for a build that leaves nothing to hunt: an empty feed, a feed whose every row was
 * rejected, or filters or allowlists that removed every indicator. A scheduled job would
 * otherwise take such a run for a success.
 */
import { cleanFamilyName, cleanThreatTypeName } from '../indicators/context.js';
import { assignFolderNames, familySlug } from '../indicators/family-slug.js';
import {
  buildFamilyMatcher,
  type IndicatorFilterCounts,
  type NewestDates,
} from '../indicators/filter.js';
import { describeKind, type IndicatorKind, type MalwareFamily } from '../indicators/model.js';
import { parseIndicatorKind } from '../indicators/normalize.js';
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
 * @param feedThreatTypes the threat types of the indicators before the filters, to list them for
 *   a `--threat-type` value that matches none of them.
 * @param now the time the age filters are anchored to, to say how old the feeds are.
 */
export function emptyBuildWarnings(
  collected: CollectResult,
  flags: GivenFilters,
  setAside: number,
  issuesFile: string,
  feedFamilies: readonly MalwareFamily[] = [],
  feedThreatTypes: readonly string[] = [],
  now: Date = new Date(),
): string[] {
  const warnings: string[] = [];
  // A text without indicators is not empty, and its reader reported it as TEXT_NO_INDICATORS.
  const textWithout = new Set(
    collected.issues
      .filter((issue) => issue.code === 'TEXT_NO_INDICATORS')
      .map((issue) => issue.source?.file),
  );
  for (const input of collected.perFile) {
    if (input.failed || input.rowsRead > 0) continue;
    if (textWithout.has(input.file)) {
      warnings.push(`no rows were read from ${input.file}: its text contains no indicators.`);
    } else {
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
    const unmatched = [
      ...describeUnmatchedFamilies(flags.family ?? [], feedFamilies),
      ...describeUnmatchedThreatTypes(flags.threatType ?? [], feedThreatTypes),
      ...describeUnmatchedKinds(flags.iocType ?? [], collected.acceptedKinds ?? []),
      ...describeFeedAge(collected.filterCounts, collected.acceptedNewest ?? {}, now),
    ];
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
 * Returns a sentence for each `--threat-type` value that matches none of `feedThreatTypes`,
 * naming the threat types the feeds give, as in `--threat-type botnet matches no threat type in
 * the feeds, which give: botnet_cc, payload_delivery.`
 */
export function describeUnmatchedThreatTypes(
  values: readonly string[],
  feedThreatTypes: readonly string[],
): string[] {
  const known = new Set(feedThreatTypes.map((type) => type.toLowerCase()));
  const given =
    feedThreatTypes.length === 0
      ? 'which give none'
      : `which give: ${feedThreatTypes.map((type) => printable(type)).join(', ')}`;
  return values
    .filter((value) => !known.has(cleanThreatTypeName(value).toLowerCase()))
    .map(
      (value) => `--threat-type ${printable(value)} matches no threat type in the feeds, ${given}.`,
    );
}

/**
 * Returns a sentence for each `--ioc-type` value that matches none of `feedKinds`, naming the
 * types the feeds give, as in `--ioc-type ip matches no indicator type in the feeds, which give:
 * ip:port.` When the feeds give `ip:port` for `ip`, the sentence suggests it. A value that is
 * not a type gets none, because the option parser rejects it.
 */
export function describeUnmatchedKinds(
  values: readonly string[],
  feedKinds: readonly IndicatorKind[],
): string[] {
  const given =
    feedKinds.length === 0
      ? 'which give none'
      : `which give: ${feedKinds.map((kind) => describeKind(kind)).join(', ')}`;
  const sentences: string[] = [];
  for (const value of values.flatMap((entry) => entry.split(','))) {
    const kind = parseIndicatorKind(value);
    if (kind === undefined || feedKinds.includes(kind)) continue;
    let sentence = `--ioc-type ${printable(value.trim())} matches no indicator type in the feeds, ${given}.`;
    if (kind === 'ip' && feedKinds.includes('ip-port')) {
      sentence +=
        ' Their addresses come with a port, as ThreatFox gives C2 servers, so pass --ioc-type ip:port.';
    }
    sentences.push(sentence);
  }
  return sentences;
}

const DAY_MS = 86_400_000;

/**
 * Returns a sentence for `--since` and one for `--max-age` when it removed indicators, naming
 * the newest date that filter compares, so a stale feed can be distinguished from a wrong value.
 */
export function describeFeedAge(
  removed: IndicatorFilterCounts,
  newest: NewestDates,
  now: Date,
): string[] {
  const sentences: string[] = [];
  if (removed.since > 0) {
    sentences.push(
      newest.firstSeen
        ? `The newest first seen in the feeds is ${formatAge(newest.firstSeen, now)}.`
        : 'The feeds give no first seen date.',
    );
  }
  if (removed.maxAge > 0) {
    sentences.push(
      newest.sighting
        ? `The latest sighting in the feeds is ${formatAge(newest.sighting, now)}.`
        : 'The feeds give no first or last seen date.',
    );
  }
  return sentences;
}

/** Formats a time to the minute with its age in whole days: `2026-04-12 10:00 UTC, 238 days before this run`. */
function formatAge(time: Date, now: Date): string {
  const minute = time.toISOString().slice(0, 16).replace('T', ' ');
  const days = Math.floor((now.getTime() - time.getTime()) / DAY_MS);
  if (days < 0) return `${minute} UTC, after the time of this run`;
  const age = days === 1 ? '1 day' : `${days} days`;
  return `${minute} UTC, ${age} before this run`;
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

/** The fields of a written pack that {@link familyFolderWarnings} reads. */
export interface PackFolderSummary {
  family: string;
  malpedia?: string;
  /** The pack folder as the warning shows it. */
  folder: string;
  indicators: number;
}

/**
 * Returns warnings about family names that make packs easy to confuse. A folder name that
 * several families fold to gets one warning naming every family and folder, closest first.
 * Names that are equal after NFKC normalization and case folding, but got different folders,
 * get one too, and so does each name that mixes Latin with Cyrillic or Greek letters. The
 * warnings are about the feed's naming, so `--strict` should not make them errors.
 */
export function familyFolderWarnings(packs: readonly PackFolderSummary[]): string[] {
  return [
    ...sharedFolderWarnings(packs),
    ...lookAlikeWarnings(packs),
    ...mixedScriptWarnings(packs),
  ];
}

function sharedFolderWarnings(packs: readonly PackFolderSummary[]): string[] {
  const { collisions } = assignFolderNames(
    packs.map((pack, index) => ({
      key: String(index),
      name: pack.family,
      malpedia: pack.malpedia,
    })),
  );
  const warnings: string[] = [];
  for (const collision of collisions) {
    const group = collision.families.map((family) => packs[Number(family.key)]!);
    const sameName = new Set(group.map((pack) => pack.family.toLowerCase())).size === 1;
    if (sameName) {
      const listed = group.map(
        (pack) =>
          `${pack.folder} (${pack.malpedia ?? 'no Malpedia id'}, ${countOf(pack.indicators, 'indicator')})`,
      );
      warnings.push(
        `${group.length} packs are named ${printable(group[0]!.family)}, because the feeds give the name under ${group.length} Malpedia ids: ${listed.join(', ')}. They may be one family under two ids, as ThreatFox gives Latrodectus, or a decoy under the name of a real one: check the ids, then hunt with each real one.`,
      );
      continue;
    }
    const listed = group.map((pack) => `${describePack(pack)} in ${pack.folder}`);
    warnings.push(
      `${group.length} families fold to the folder name ${collision.slug}: ${listed.join(', ')}. ` +
        `${group[0]!.folder} went to ${printable(group[0]!.family)}, whose name and Malpedia id match the folder name most closely. ` +
        'A feed can add a decoy under a look-alike name, so check each of these families before you deploy its hunts.',
    );
  }
  return warnings;
}

/**
 * Returns the key under which two names count as look-alikes: NFKC, then case folding as
 * upper case followed by lower case, so fullwidth `Ｒｅｍｃｏｓ` and `ß`/`SS` fold together.
 */
function lookAlikeKey(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

function lookAlikeWarnings(packs: readonly PackFolderSummary[]): string[] {
  const byKey = new Map<string, PackFolderSummary[]>();
  for (const pack of packs) {
    const key = lookAlikeKey(pack.family);
    byKey.set(key, [...(byKey.get(key) ?? []), pack]);
  }
  const warnings: string[] = [];
  for (const group of byKey.values()) {
    // Names that fold to one folder name already get a warning from sharedFolderWarnings.
    if (group.length < 2 || new Set(group.map((pack) => familySlug(pack.family))).size === 1)
      continue;
    const listed = group.map((pack) => `${describePack(pack)} in ${pack.folder}`);
    warnings.push(
      `${group.length} families have names that differ only in letter width, compatibility forms or case: ${listed.join(', ')}. ` +
        'A feed can add a decoy under a look-alike name, so check each of these families before you deploy its hunts.',
    );
  }
  return warnings;
}

const LATIN_LETTER = /\p{Script=Latin}/u;
const OTHER_SCRIPT_LETTERS: ReadonlyArray<[string, RegExp]> = [
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
];

/**
 * Returns a warning for each name that mixes Latin with Cyrillic or Greek letters, such as
 * `Rеmcos` with a Cyrillic `е`, which displays like `Remcos` but gets its own folder.
 */
function mixedScriptWarnings(packs: readonly PackFolderSummary[]): string[] {
  const warnings: string[] = [];
  for (const pack of packs) {
    if (!LATIN_LETTER.test(pack.family)) continue;
    const scripts = OTHER_SCRIPT_LETTERS.filter(([, letter]) => letter.test(pack.family));
    if (scripts.length === 0) continue;
    const named = scripts.map(([script]) => script).join(' and ');
    warnings.push(
      `the family ${describePack(pack)} in ${pack.folder} mixes Latin with ${named} letters, so it can display like another family's name. ` +
        'Check that it is not a decoy before you deploy its hunts.',
    );
  }
  return warnings;
}

function describePack(pack: PackFolderSummary): string {
  return `${printable(pack.family)} (${pack.malpedia ?? 'no Malpedia id'}, ${countOf(pack.indicators, 'indicator')})`;
}

function countOf(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}
