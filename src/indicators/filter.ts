/**
 * Selection of indicators by family, kind, threat type, confidence and age, with a count of what
 * each filter removed, and the parsers for the matching command-line values.
 */
import { UsageError } from '../errors.js';
import { cleanFamilyName, cleanThreatTypeName } from './context.js';
import { familyKeyOf } from './family-key.js';
import { familySlug } from './family-slug.js';
import { latestSighting, type Indicator, type IndicatorKind, type MalwareFamily } from './model.js';
import { parseIndicatorKind } from './normalize.js';

export { familySlug };
export { parseSince } from './since.js';

/** Filter settings. An option left out is off, and the options given must all pass. */
export interface IndicatorFilterOptions {
  /**
   * Families by printable name, Malpedia id or alias, ignoring case. A pack folder name such as
   * `cobalt-strike` selects no family by itself, because a decoy such as `Cobalt-Strike!` folds to
   * the same folder name.
   */
  families?: string[];
  kinds?: IndicatorKind[];
  /** ThreatFox threat types, such as `botnet_cc`, ignoring case. */
  threatTypes?: string[];
  /** Minimum confidence from 0 to 100. An indicator without a confidence is removed. */
  minConfidence?: number;
  /** Keep indicators first seen at or after this time. One without firstSeen is removed. */
  since?: Date;
  /**
   * Keep indicators whose latest sighting (the later of lastSeen and firstSeen) is within this
   * many days before `now`. One with neither date is removed.
   */
  maxAgeDays?: number;
  /** Remove indicators whose expiry date (STIX `valid_until`) is at or before `now`. */
  dropExpired?: boolean;
}

/** How many indicators each filter removed. An indicator counts once, under the first filter that removes it. */
export type IndicatorFilterCounts = {
  kind: number;
  family: number;
  threatType: number;
  confidence: number;
  since: number;
  maxAge: number;
  expired: number;
};

export interface IndicatorFilterResult {
  kept: Indicator[];
  removed: IndicatorFilterCounts;
}

const DAY_MS = 86_400_000;

type FilterName = keyof IndicatorFilterCounts;
type Predicate = (indicator: Indicator) => boolean;

/**
 * Returns the indicators that pass every filter in `options`, in input order. The filters run
 * in the order of {@link IndicatorFilterCounts}; `now` anchors `maxAgeDays`.
 */
export function filterIndicators(
  list: readonly Indicator[],
  options: IndicatorFilterOptions,
  now: Date,
): IndicatorFilterResult {
  const removed: IndicatorFilterCounts = {
    kind: 0,
    family: 0,
    threatType: 0,
    confidence: 0,
    since: 0,
    maxAge: 0,
    expired: 0,
  };
  const predicates = buildPredicates(options, now, list);
  const kept: Indicator[] = [];
  for (const indicator of list) {
    const failed = predicates.find(([, passes]) => !passes(indicator));
    if (failed) removed[failed[0]]++;
    else kept.push(indicator);
  }
  return { kept, removed };
}

function buildPredicates(
  options: IndicatorFilterOptions,
  now: Date,
  list: readonly Indicator[],
): Array<[FilterName, Predicate]> {
  const predicates: Array<[FilterName, Predicate]> = [];
  if (options.kinds) {
    const kinds = new Set(options.kinds);
    predicates.push(['kind', (indicator) => kinds.has(indicator.kind)]);
  }
  if (options.families) predicates.push(['family', buildFamilyPredicate(options.families, list)]);
  if (options.threatTypes) {
    const types = new Set(
      options.threatTypes.map((type) => cleanThreatTypeName(type).toLowerCase()),
    );
    predicates.push(['threatType', (i) => types.has(i.threatType?.toLowerCase() ?? '')]);
  }
  const { minConfidence, since, maxAgeDays } = options;
  if (minConfidence !== undefined) {
    predicates.push([
      'confidence',
      (i) => i.confidence !== undefined && i.confidence >= minConfidence,
    ]);
  }
  if (since) {
    const sinceTime = since.getTime();
    predicates.push([
      'since',
      (i) => i.firstSeen !== undefined && i.firstSeen.getTime() >= sinceTime,
    ]);
  }
  if (maxAgeDays !== undefined) {
    const oldest = now.getTime() - maxAgeDays * DAY_MS;
    predicates.push([
      'maxAge',
      (i) => {
        const seen = latestSighting(i);
        return seen !== undefined && seen.getTime() >= oldest;
      },
    ]);
  }
  if (options.dropExpired) {
    const nowTime = now.getTime();
    predicates.push(['expired', (i) => i.expires === undefined || i.expires.getTime() > nowTime]);
  }
  return predicates;
}

/**
 * Returns a test that keeps the indicators of every family that a name selects. A family is
 * selected by its key (see `familyKeyOf`), so an alias that only some rows of a family give
 * selects the rows without it too. A placeholder family such as ThreatFox's "Unknown malware"
 * or "Unknown RAT" groups unrelated malware, so its rows are selected one by one.
 */
function buildFamilyPredicate(families: readonly string[], list: readonly Indicator[]): Predicate {
  const matches = buildFamilyMatcher(families);
  const selected = new Set<string>();
  for (const { family } of list) {
    if (family !== undefined && !isPlaceholderFamily(family) && matches(family)) {
      selected.add(familyKeyOf(family));
    }
  }
  return ({ family }) =>
    family !== undefined &&
    (isPlaceholderFamily(family) ? matches(family) : selected.has(familyKeyOf(family)));
}

/** Pattern of placeholder family names, by Malpedia id or printable name: `unknown`, `Unknown RAT`. */
const PLACEHOLDER_FAMILY = /^(?:[a-z]+\.)?(?:unknown|unidentified)(?:[\s_]|$)/i;

function isPlaceholderFamily(family: MalwareFamily): boolean {
  return PLACEHOLDER_FAMILY.test(family.malpedia ?? family.name);
}

/**
 * Returns a test of whether the family filter selects a family, given the names of
 * {@link IndicatorFilterOptions.families}.
 */
export function buildFamilyMatcher(
  families: readonly string[],
): (family: MalwareFamily) => boolean {
  // Names are cleaned as normalization cleans family names, so `--family` compares like with like.
  const names = new Set(families.map((name) => cleanFamilyName(name).toLowerCase()));
  return (family) => matchesFamily(family, names);
}

function matchesFamily(family: MalwareFamily, names: Set<string>): boolean {
  const name = family.name.toLowerCase();
  if (names.has(name)) return true;
  if (family.malpedia && names.has(family.malpedia.toLowerCase())) return true;
  // ThreatFox files "Unknown malware" under the id `unknown`, which the feed readers drop
  // because it is no Malpedia id.
  if (!family.malpedia && name === 'unknown malware' && names.has('unknown')) return true;
  return family.aliases.some((alias) => names.has(alias.toLowerCase()));
}

/**
 * Parses indicator types given by the user, in huntpack names (`ip-port`, `sha256`) or ThreatFox
 * names (`ip:port`, `sha256_hash`). Entries may hold comma-separated lists.
 *
 * @throws UsageError when a name is not a known type.
 */
export function parseKinds(texts: readonly string[]): IndicatorKind[] {
  const kinds: IndicatorKind[] = [];
  for (const text of texts.flatMap((entry) => entry.split(','))) {
    if (text.trim() === '') continue;
    const kind = parseIndicatorKind(text);
    if (!kind) {
      throw new UsageError(
        'INVALID_INDICATOR_TYPE',
        `Invalid indicator type "${text.trim()}". Expected one of ip, ip-port, domain, url, md5, sha1, sha256, or a ThreatFox type such as ip:port or sha256_hash.`,
      );
    }
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  return kinds;
}

/** Returns the distinct kinds of `indicators`, in order of first appearance. */
export function kindsOf(indicators: readonly Indicator[]): IndicatorKind[] {
  return [...new Set(indicators.map((indicator) => indicator.kind))];
}

/** The newest dates of a list of indicators, which the age filters compare. */
export interface NewestDates {
  /** The latest firstSeen, which `--since` compares. */
  firstSeen?: Date;
  /** The latest sighting (see `latestSighting`), which `--max-age` compares. */
  sighting?: Date;
}

/** Returns the latest firstSeen and the latest sighting of `indicators`. */
export function newestDatesOf(indicators: readonly Indicator[]): NewestDates {
  const newest: NewestDates = {};
  for (const indicator of indicators) {
    const { firstSeen } = indicator;
    if (firstSeen && (!newest.firstSeen || firstSeen > newest.firstSeen)) {
      newest.firstSeen = firstSeen;
    }
    const sighting = latestSighting(indicator);
    if (sighting && (!newest.sighting || sighting > newest.sighting)) newest.sighting = sighting;
  }
  return newest;
}

/** Returns the distinct threat types of `indicators`, in order of first appearance. */
export function threatTypesOf(indicators: readonly Indicator[]): string[] {
  const types = new Set<string>();
  for (const indicator of indicators) {
    if (indicator.threatType !== undefined) types.add(indicator.threatType);
  }
  return [...types];
}

/**
 * Returns the distinct families of `indicators` by family key, each with the aliases of all its
 * indicators.
 */
export function familiesOf(indicators: readonly Indicator[]): MalwareFamily[] {
  const families = new Map<string, MalwareFamily>();
  // Indicators of one feed share a few family objects, so each object's key is made once.
  const seen = new Set<MalwareFamily>();
  for (const { family } of indicators) {
    if (family === undefined || seen.has(family)) continue;
    seen.add(family);
    const key = familyKeyOf(family);
    const known = families.get(key);
    if (known === undefined) {
      families.set(key, family);
      continue;
    }
    // A placeholder family groups unrelated malware, whose aliases are not its own.
    if (isPlaceholderFamily(known)) continue;
    // Rows give aliases unevenly, so each family gets those of all its indicators.
    const more = family.aliases.filter(
      (alias) => alias !== known.name && !known.aliases.includes(alias),
    );
    if (more.length > 0) families.set(key, { ...known, aliases: [...known.aliases, ...more] });
  }
  return [...families.values()];
}
