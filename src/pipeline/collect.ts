/**
 * Turns feed files into the indicators that packs are built from: read, normalize, merge,
 * filter. Every row is accounted for, so the counts reconcile:
 * rows read = accepted + rejected + merged + dropped, and accepted = kept + filtered out.
 */
import { HuntpackError, quoteValue, type HuntpackIssue, type StopCounts } from '../errors.js';
import { IssueLimiter, readFeeds, strictError, type FeedFileStats } from '../feeds/read.js';
import type { FeedFormat } from '../feeds/detect.js';
import type { ThreatFoxSourceOptions } from '../feeds/threatfox-source.js';
import type { Readable } from 'node:stream';
import {
  buildFamilyMatcher,
  familiesOf,
  threatTypesOf,
  filterIndicators,
  kindsOf,
  newestDatesOf,
  type IndicatorFilterCounts,
  type IndicatorFilterOptions,
  type NewestDates,
} from '../indicators/filter.js';
import { IndicatorMerger, type FamilyConflict } from '../indicators/merge.js';
import { defang } from '../indicators/defang.js';
import {
  describeKind,
  type Indicator,
  type IndicatorKind,
  type MalwareFamily,
  type RawIndicator,
} from '../indicators/model.js';
import { normalizeIndicator } from '../indicators/normalize.js';
import { FamilyCopies } from './family-copies.js';
import { GivenFamily } from './given-family.js';
import { cleanFamilyName } from '../indicators/context.js';

export interface CollectOptions {
  format?: FeedFormat;
  /** Turn the first error-severity issue into a thrown error. */
  strict?: boolean;
  filters?: IndicatorFilterOptions;
  /**
   * Families that a family filter applied to the result will select, for a caller that filters
   * after collecting, as the build does. An indicator that the feeds name under several
   * families is given the first of them that these names (or else `filters.families`) select.
   */
  requestedFamilies?: string[];
  now?: Date;
  /** Keep MISP attributes whose `to_ids` flag is false. */
  allAttributes?: boolean;
  /**
   * Family given to free-text, MISP and STIX records that name none. ThreatFox rows never get it,
   * because the feed states each row's family itself.
   */
  defaultFamily?: string;
  /** Stream read for the input `-`; defaults to the process's standard input. */
  stdin?: Readable;
  /** ThreatFox client settings for `threatfox:` inputs, with the Auth-Key. */
  threatfox?: ThreatFoxSourceOptions;
  /**
   * Called with each distinct indicator as it is first read, in the order of the accepted
   * indicators (before filters), while later rows are still being read.
   */
  onIndicator?: (indicator: Indicator) => void;
}

export interface CollectCounts {
  /** Rows (items) read from every feed. */
  rowsRead: number;
  /** Distinct indicators after normalization and merging. */
  accepted: number;
  /** Rows the readers or normalization rejected, each with an issue. */
  rejected: number;
  /** Rows folded into an earlier row with the same kind and value. */
  merged: number;
  /** Rows left out on purpose by a reader, by reason (revoked, not to_ids, ...). */
  dropped: Record<string, number>;
  /** Accepted indicators removed by the command-line filters. */
  filteredOut: number;
  /** Accepted indicators that passed the filters. */
  kept: number;
}

export interface CollectResult {
  /**
   * The indicators that passed the filters, in read order. An indicator that the feeds name
   * under several families comes once per family: itself, then a copy with each other family
   * (see `familyCopies`), so that each family's pack hunts it.
   */
  indicators: Indicator[];
  /** The copies among `indicators`, with a count of distinct indicators. */
  familyCopies: FamilyCopies;
  counts: CollectCounts;
  /** Counts per input; `failed` is set when the input could not be read to its end. */
  perFile: Array<{
    file: string;
    format: string;
    rowsRead: number;
    /** Rows the reader rejected, such as a CSV row with an open quote. */
    rejected: number;
    /** Rows whose values normalization rejected, such as an invalid port. */
    rejectedValues: number;
    failed: boolean;
  }>;
  /** Counts of indicators each filter removed, by filter name. */
  filterCounts: IndicatorFilterCounts;
  /** With a family filter: the families of the accepted indicators, to name near misses. */
  acceptedFamilies?: MalwareFamily[];
  /** With a threat type filter: the threat types of the accepted indicators, to list them. */
  acceptedThreatTypes?: string[];
  /** With an indicator type filter: the kinds of the accepted indicators, to list them. */
  acceptedKinds?: IndicatorKind[];
  /** With an age filter: the newest dates of the accepted indicators, to name them. */
  acceptedNewest?: NewestDates;
  issues: HuntpackIssue[];
}

/** Reads feeds and returns the indicators to build packs from, with counts that reconcile. */
export async function collectIndicators(
  inputs: string[],
  options: CollectOptions = {},
): Promise<CollectResult> {
  const normalizationIssues: HuntpackIssue[] = [];
  const limiter = new IssueLimiter(normalizationIssues);
  const merger = new IndicatorMerger(options.onIndicator);
  let normalizationRejected = 0;
  const rejectedValuesByFile = new Map<string, number>();
  const defaultName =
    options.defaultFamily === undefined ? '' : cleanFamilyName(options.defaultFamily);
  const defaultFamily: MalwareFamily | undefined = defaultName
    ? { name: defaultName, aliases: [] }
    : undefined;
  const givenFamily =
    defaultFamily &&
    new GivenFamily(
      defaultFamily,
      (indicator) => merger.add(indicator),
      (issue) => limiter.add(issue),
    );

  // Records are normalized and merged as they stream in, so a large feed never keeps its raw
  // rows in memory.
  const onRecord = (raw: RawIndicator, format: FeedFormat | undefined): void => {
    const result = normalizeIndicator(raw);
    if ('issue' in result) {
      if (options.strict) throw strictError(result.issue);
      limiter.add(result.issue);
      normalizationRejected += 1;
      const file = raw.source?.file;
      if (file !== undefined)
        rejectedValuesByFile.set(file, (rejectedValuesByFile.get(file) ?? 0) + 1);
      return;
    }
    // Free text and some MISP events and STIX bundles name no family; `--family` names it for
    // them.
    if (givenFamily) givenFamily.accept(result.indicator, raw.source?.file, format);
    else merger.add(result.indicator);
    for (const warning of result.warnings) limiter.add(warning);
  };
  const files: FeedFileStats[] = [];
  let read;
  try {
    read = await readFeeds(inputs, {
      format: options.format,
      strict: options.strict,
      onRecord,
      stdin: options.stdin,
      threatfox: options.threatfox,
      allAttributes: options.allAttributes,
      now: options.now,
      files,
    });
  } catch (error) {
    if (error instanceof HuntpackError) {
      error.countsSoFar = countsBeforeStop(files, normalizationRejected, merger.mergedCount);
    }
    throw error;
  }
  givenFamily?.flush();
  limiter.flush();
  // Reader issues first, in file order, then normalization issues.
  const issues = [...read.issues, ...normalizationIssues];

  const merged = merger.result({
    requestedFamilies: options.requestedFamilies ?? options.filters?.families,
  });
  const adoption = givenFamily ? adoptFeedFamily(merged.indicators, givenFamily) : undefined;
  if (adoption) issues.push(adoption);
  const familyCopies = new FamilyCopies(merged.familyConflicts, merged.familyContexts);
  // Each conflict is named, with the packs that hunt the indicator.
  const requested = options.requestedFamilies ?? options.filters?.families;
  const isSelected = requested?.length ? buildFamilyMatcher(requested) : undefined;
  for (const conflict of merged.familyConflicts) {
    const families = [conflict.kept, ...familyCopies.otherFamiliesOf(conflict.indicator)];
    const hunting = isSelected ? families.filter(isSelected) : families;
    issues.push({
      code: 'FAMILY_CONFLICT',
      severity: 'warning',
      message: describeFamilyConflict(conflict, hunting, hunting.length < families.length),
      source: conflict.origin,
    });
  }
  const entries = familyCopies.expand(merged.indicators);
  const now = options.now ?? new Date();
  const filtered = filterIndicators(entries, options.filters ?? {}, now);
  // The counts of each filter count indicators, without their copies.
  const filterCounts =
    entries === merged.indicators
      ? filtered.removed
      : filterIndicators(merged.indicators, options.filters ?? {}, now).removed;
  const kept = familyCopies.countDistinct(filtered.kept);
  const dropped: Record<string, number> = {};
  for (const file of read.files) {
    for (const [reason, count] of Object.entries(
      (file as { dropped?: Record<string, number> }).dropped ?? {},
    )) {
      dropped[reason] = (dropped[reason] ?? 0) + count;
    }
  }
  let rowsRead = 0;
  let readerRejected = 0;
  for (const file of read.files) {
    rowsRead += file.rowsRead;
    readerRejected += file.rejected;
  }

  return {
    indicators: filtered.kept,
    familyCopies,
    counts: {
      rowsRead,
      accepted: merged.indicators.length,
      rejected: readerRejected + normalizationRejected,
      merged: merged.merged,
      dropped,
      filteredOut: merged.indicators.length - kept,
      kept,
    },
    perFile: read.files.map((file) => ({
      file: file.file,
      format: file.format ?? 'unknown',
      rowsRead: file.rowsRead,
      rejected: file.rejected,
      rejectedValues: rejectedValuesByFile.get(file.file) ?? 0,
      failed: file.failed,
    })),
    filterCounts,
    ...(options.filters?.families?.length ? { acceptedFamilies: familiesOf(entries) } : {}),
    ...(options.filters?.threatTypes?.length
      ? { acceptedThreatTypes: threatTypesOf(entries) }
      : {}),
    ...acceptedDetails(options.filters, entries),
    issues,
  };
}

/**
 * Returns the counts of the rows read before a read stopped. The rows that readers accepted are
 * split into those rejected for their values, those merged, and accepted indicators, which
 * include the records that `--family` keeps back until their file ends.
 */
function countsBeforeStop(
  files: readonly FeedFileStats[],
  rejectedValues: number,
  merged: number,
): StopCounts {
  const counts: StopCounts = {
    rowsRead: 0,
    accepted: 0,
    rejected: rejectedValues,
    merged,
    dropped: {},
  };
  let readerAccepted = 0;
  for (const file of files) {
    counts.rowsRead += file.rowsRead;
    counts.rejected += file.rejected;
    readerAccepted += file.accepted;
    for (const [reason, count] of Object.entries(file.dropped)) {
      counts.dropped[reason] = (counts.dropped[reason] ?? 0) + count;
    }
  }
  counts.accepted = readerAccepted - rejectedValues - merged;
  return counts;
}

/**
 * Gives the indicators that `--family` named the family of another feed that it selects, such
 * as ThreatFox's Remcos with its Malpedia id `win.remcos`, so that free text and that feed make
 * one pack. An indicator took the name when `givenFamily` gave it and still has that family: the
 * name alone, without a Malpedia id or aliases. A feed family of the same name in
 * other case, such as a STIX malware object named REMCOS, counts as a feed family whatever the
 * case of `--family`. When the name selects two families of the feeds,
 * such as two Malpedia ids with one printable name, none is taken, and the returned warning
 * names both.
 */
function adoptFeedFamily(
  indicators: readonly Indicator[],
  givenFamily: GivenFamily,
): HuntpackIssue | undefined {
  const named = givenFamily.family;
  const isGiven = ({ family, kind, value }: Indicator): boolean =>
    family !== undefined &&
    family.malpedia === undefined &&
    family.aliases.length === 0 &&
    family.name === named.name &&
    givenFamily.took({ kind, value });
  const selects = buildFamilyMatcher([named.name]);
  const feedFamilies = new Map<string, MalwareFamily>();
  for (const indicator of indicators) {
    const family = indicator.family;
    if (!family || isGiven(indicator) || !selects(family)) continue;
    const key = (family.malpedia ?? family.name).toLowerCase();
    if (!feedFamilies.has(key)) feedFamilies.set(key, family);
  }
  if (feedFamilies.size > 1) {
    const names = [...feedFamilies.values()].map((family) =>
      quoteValue(family.malpedia ? `${family.name} (${family.malpedia})` : family.name),
    );
    return {
      code: 'FAMILY_AMBIGUOUS',
      severity: 'warning',
      message:
        `--family ${quoteValue(named.name)} selects ${names.join(' and ')} in the feeds, so the ` +
        'indicators it names for free text form a pack of their own. Pass the Malpedia id to ' +
        'choose one.',
    };
  }
  const [feedFamily] = feedFamilies.values();
  if (!feedFamily) return undefined;
  for (const indicator of indicators) {
    if (isGiven(indicator)) indicator.family = feedFamily;
  }
  return undefined;
}

/**
 * Describes a record that names another family than its indicator's, and the packs that hunt
 * the indicator: `hunting`, which the family filter narrowed when `narrowed` is true.
 */
function describeFamilyConflict(
  conflict: FamilyConflict,
  hunting: readonly MalwareFamily[],
  narrowed: boolean,
): string {
  const { indicator, kept, first, other } = conflict;
  const subject = `The ${describeKind(indicator.kind)} ${quoteValue(defang(indicator))}`;
  const otherName = quoteValue(other.name);
  const read =
    first === kept
      ? `${subject} is given here as ${otherName} but was first read as ${quoteValue(kept.name)}`
      : `${subject} is given here as ${otherName} and was first read as ${quoteValue(first.name)}`;
  const names = hunting.map((family) => quoteValue(family.name));
  if (names.length === 0) {
    return `${read}. --family selects none of its families, so no pack of this build hunts it.`;
  }
  if (names.length === 1 && narrowed) {
    return `${read}. It is hunted only in the ${names[0]} pack, because --family selects that family.`;
  }
  if (names.length === 1) return `${read}, so it is hunted in the ${names[0]} pack.`;
  const list = `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  // The allowlists and the other filters run later, so the message cannot state that they keep it.
  return `${read}. The ${list} packs each take it, unless a filter or an allowlist leaves it out.`;
}

/**
 * Returns what the warnings about the type and age filters name: the kinds of the accepted
 * indicators with a type filter, and their newest dates with an age filter.
 */
export function acceptedDetails(
  filters: IndicatorFilterOptions | undefined,
  accepted: readonly Indicator[],
): Pick<CollectResult, 'acceptedKinds' | 'acceptedNewest'> {
  const details: Pick<CollectResult, 'acceptedKinds' | 'acceptedNewest'> = {};
  if (filters?.kinds?.length) details.acceptedKinds = kindsOf(accepted);
  if (filters?.since !== undefined || filters?.maxAgeDays !== undefined) {
    details.acceptedNewest = newestDatesOf(accepted);
  }
  return details;
}
