/**
 * Loading the built-in and user allowlists into one ordered set.
 *
 * Loading only checks names and parses user files. The built-in files (4 MB of JSON in total) are
 * read and indexed the first time an indicator of a kind they apply to is checked.
 */
import { ConfigError, InternalError, quoteValue, type HuntpackIssue } from '../../errors.js';
import type { IndicatorKind } from '../../indicators/model.js';
import {
  BUILT_IN_POLICIES,
  INSERT_SPECIAL_RANGES_AFTER,
  INSERT_TRUSTED_PLATFORMS_AFTER,
  SPECIAL_RANGES,
  TRUSTED_PLATFORMS,
} from './builtin-catalog.js';
import {
  customerSubdomainZones,
  customerZones,
  specialRangesSource,
  customerZonesSource,
  trustedPlatformsSource,
  warninglistSource,
} from './builtin-sources.js';
import { CombinedIndex, kindMask, ListMatches } from './combined-index.js';
import { hostKey } from './host-index.js';
import { RegistrantResolver } from './registrant.js';
import type { AllowlistSource } from './types.js';
import { loadUserAllowlist, parseUserAllowlist, type UserAllowlistText } from './user-list.js';
import { readWarninglist } from './warninglist.js';

export interface LoadAllowlistsOptions {
  /** Use the built-in lists (MISP warninglists, special ranges, trusted platforms). Default true. */
  builtIn?: boolean;
  /** Names of built-in lists to leave out, such as `tranco10k`; see {@link builtInAllowlistNames}. */
  disable?: string[];
  /** Paths of user allowlist files, checked after the built-in lists in the order given. */
  userFiles?: string[];
  /** User allowlists already read, checked after `userFiles` in the order given. */
  userLists?: UserAllowlistText[];
  /** Receives a warning for each user entry that sets aside more than it seems to, such as a public suffix. */
  warnings?: string[];
}

/** Counts for one list, for reports: usable entries and entries skipped as malformed. */
export interface AllowlistSummary {
  name: string;
  version: string | number;
  entries: number;
  skipped: number;
  /** Up to three skipped entries, as the list writes them. */
  skippedExamples: string[];
}

/**
 * The allowlists in check order, with the shared registered-domain resolver. The built-in lists
 * are looked up together in one `CombinedIndex`, and lists without an index, such as user lists,
 * one by one.
 */
export class Allowlists {
  private readonly byKinds = new Map<string, AllowlistSource[]>();
  private readonly index: CombinedIndex;
  /** Bit mask of the kinds whose lists are all in `index`. */
  private indexedKinds = 0;
  private readonly indexed: boolean[] = [];
  private readonly unindexedByKinds = new Map<number, number[]>();
  /** Reused by every check, which runs to its end before the next one starts. */
  readonly matches = new ListMatches();

  constructor(
    readonly sources: readonly AllowlistSource[],
    readonly resolver: RegistrantResolver,
  ) {
    this.index = new CombinedIndex();
  }

  /**
   * Returns the index of the lists that can be indexed, after adding every such list that
   * applies to a kind in the mask (see `kindMask`) and is not in it yet.
   */
  indexFor(kinds: number): CombinedIndex {
    if ((this.indexedKinds & kinds) === kinds) return this.index;
    for (const [list, source] of this.sources.entries()) {
      if (this.indexed[list] || !source.indexInto) continue;
      if ((kindMask(source.kinds) & kinds) === 0) continue;
      source.indexInto(this.index, list);
      this.indexed[list] = true;
    }
    this.indexedKinds |= kinds;
    return this.index;
  }

  /**
   * Returns a new index of the lists that can be indexed and apply to a kind in the mask, with
   * only the entries under the wanted keys (see `addLookupKeys`). It serves one batch of
   * indicators and skips the inserts of list entries that the batch never reads.
   */
  indexForBatch(kinds: number, wanted: ReadonlySet<string>): CombinedIndex {
    const index = new CombinedIndex(wanted);
    for (const [list, source] of this.sources.entries()) {
      if (source.indexInto && (kindMask(source.kinds) & kinds) !== 0) {
        source.indexInto(index, list);
      }
    }
    return index;
  }

  /** Returns the ids of the lists without an index, such as user lists, that apply to the kinds. */
  unindexedFor(kinds: number): readonly number[] {
    let lists = this.unindexedByKinds.get(kinds);
    if (!lists) {
      lists = [];
      for (const [list, source] of this.sources.entries()) {
        if (!source.indexInto && (kindMask(source.kinds) & kinds) !== 0) lists.push(list);
      }
      this.unindexedByKinds.set(kinds, lists);
    }
    return lists;
  }

  /** Returns the sources that apply to any of the kinds, in check order. */
  sourcesFor(kinds: readonly IndicatorKind[]): AllowlistSource[] {
    const key = kinds.join(',');
    let sources = this.byKinds.get(key);
    if (!sources) {
      sources = this.sources.filter((source) => kinds.some((kind) => source.kinds.has(kind)));
      this.byKinds.set(key, sources);
    }
    return sources;
  }

  /** Reads every list and returns its counts. */
  summarize(): AllowlistSummary[] {
    return this.sources.map((source) => {
      const compiled = source.compile();
      return {
        name: source.name,
        version: source.version(),
        entries: compiled.entryCount,
        skipped: compiled.skippedEntries.length,
        skippedExamples: compiled.skippedEntries.slice(0, 3),
      };
    });
  }

  /** Reads every list and returns one info issue per list that has skipped entries. */
  issues(): HuntpackIssue[] {
    return this.summarize()
      .filter((summary) => summary.skipped > 0)
      .map((summary) => ({
        code: 'ALLOWLIST_ENTRIES_SKIPPED',
        severity: 'info',
        message: `Skipped ${summary.skipped} entries of the allowlist ${summary.name} (version ${summary.version}) that are not valid host names or addresses, such as ${summary.skippedExamples.map((entry) => quoteValue(entry)).join(', ')}.`,
        source: { file: summary.name },
      }));
  }
}

/** Returns the names of the built-in lists in check order. */
export function builtInAllowlistNames(): string[] {
  return builtInSources().map((source) => source.name);
}

/**
 * Loads the allowlists.
 *
 * @throws ConfigError when `disable` names an unknown list, or a user file cannot be read or has
 *   an invalid line.
 */
export function loadAllowlists(options: LoadAllowlistsOptions = {}): Allowlists {
  const builtIn = builtInSources();
  const known = new Set(builtIn.map((source) => source.name));
  for (const name of options.disable ?? []) {
    if (!known.has(name)) {
      throw new ConfigError(
        'UNKNOWN_ALLOWLIST',
        `Cannot disable the allowlist ${quoteValue(name)}: there is no built-in list of that name. Expected one of ${[...known].join(', ')}.`,
      );
    }
  }
  const disabled = new Set(options.disable ?? []);
  const sources =
    (options.builtIn ?? true) ? builtIn.filter((source) => !disabled.has(source.name)) : [];
  for (const file of options.userFiles ?? []) {
    sources.push(loadUserAllowlist(file, options.warnings));
  }
  for (const { file, text } of options.userLists ?? []) {
    sources.push(parseUserAllowlist(text, file, options.warnings));
  }
  return new Allowlists(sources, new RegistrantResolver(loadSharedZones));
}

function builtInSources(): AllowlistSource[] {
  const sources: AllowlistSource[] = [];
  for (const policy of BUILT_IN_POLICIES) {
    sources.push(warninglistSource(policy));
    if (policy.name === INSERT_SPECIAL_RANGES_AFTER) sources.push(specialRangesSource());
    if (policy.name === INSERT_TRUSTED_PLATFORMS_AFTER) {
      sources.push(trustedPlatformsSource(), customerZonesSource());
    }
  }
  if (!sources.some((source) => source.name === SPECIAL_RANGES)) {
    throw new InternalError(
      'ALLOWLIST_CATALOG',
      `The built-in allowlist catalog has no list ${INSERT_SPECIAL_RANGES_AFTER} to place ${SPECIAL_RANGES} after.`,
    );
  }
  if (!sources.some((source) => source.name === TRUSTED_PLATFORMS)) {
    throw new InternalError(
      'ALLOWLIST_CATALOG',
      `The built-in allowlist catalog has no list ${INSERT_TRUSTED_PLATFORMS_AFTER} to place ${TRUSTED_PLATFORMS} after.`,
    );
  }
  return sources;
}

/**
 * Zones whose subdomains belong to different customers: MISP dynamic-dns, platforms with
 * customer subdomains, and `data/allowlists/customer-zones.json`.
 */
function loadSharedZones(): Set<string> {
  const zones = new Set([...customerSubdomainZones(), ...customerZones()]);
  const dynamicDns = readWarninglist(
    new URL('../../../data/warninglists/dynamic-dns/list.json', import.meta.url),
  );
  for (const entry of dynamicDns.list) {
    const key = hostKey(entry);
    if (key !== undefined) zones.add(key);
  }
  return zones;
}
