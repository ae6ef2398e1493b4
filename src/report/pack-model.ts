/**
 * The detection pack of one malware family, as the build produces it and the writers render it.
 */
import type { Hunt, HuntVariant, IocTable, Lookback } from '../compile/ir.js';
import type { Indicator, MalwareFamily } from '../indicators/model.js';
import type { DataSourceEntry } from '../pipeline/data-sources.js';
import type { Scenario } from '../pipeline/scenarios.js';
import type { FamilyHistoryDiff } from '../pipeline/history.js';
import type { PackWatchlist } from './watchlist.js';

/** An indicator left out of the hunts, with the list entry and the reason. */
export interface SetAsideIndicator {
  indicator: Indicator;
  list: string;
  listVersion?: string | number;
  entry: string;
  reason: string;
}

/** One compiled query of a pack. */
export interface PackQuery {
  hunt: Hunt;
  query: string;
  /** Path of the query file relative to the pack folder, such as `queries/x.kql`. */
  file: string;
  /** Alias of the watchlist the query reads its indicators from, when they are not inline. */
  watchlist?: string;
  /** URL of the CSV file that the query reads its indicators from with `externaldata`. */
  listUrl?: string;
}

/**
 * An indicator left out of its hunts' queries, because a query holding only that indicator is
 * longer than Sentinel's limit of 10,000 characters.
 */
export interface OmittedIndicator {
  /** The indicator value as the hunts' tables contain it. */
  value: string;
  /** Length of the value in characters. */
  characters: number;
  /** Ids of the hunts whose queries leave it out. */
  huntIds: string[];
}

/** A hunt that has no query in the pack, with the reason. */
export interface SkippedHunt {
  huntId: string;
  title: string;
  reason: string;
}

export interface PackScenario {
  scenario: Scenario;
  /** Ids of the hunts it applies to. */
  huntIds: string[];
  /** Whether its exclusion is compiled into those hunts. */
  enabled: boolean;
}

export interface Pack {
  family: MalwareFamily;
  /** Folder name of the pack. */
  slug: string;
  indicators: Indicator[];
  setAside: SetAsideIndicator[];
  queries: PackQuery[];
  scenarios: PackScenario[];
  /** Indicator lists too long to inline, written as watchlist CSV files. */
  watchlists: PackWatchlist[];
  skippedHunts: SkippedHunt[];
  /** Indicators too long for any query, left out of the hunts; absent when there are none. */
  omittedIndicators?: OmittedIndicator[];
  /** Indicator keys that are new, unchanged, expired or removed since the runs in `--state`. */
  changes?: FamilyHistoryDiff;
  /** Marker of a pack that hunts only indicators new since the state's last run (`--only-new`). */
  onlyNew?: true;
  dataSources: DataSourceEntry[];
  lookback: Lookback;
  generatorVersion: string;
  /** Names of the feed files the indicators came from. */
  feeds: string[];
  /** Paths of `feeds`, in the same order, as indicator origins name them, when known. */
  feedPaths?: string[];
  /**
   * The indicator table of each hunt variant, built from `indicators` by `buildIocTables`. The
   * hunts read these tables or consecutive parts of them.
   */
  variantTables?: ReadonlyMap<HuntVariant, IocTable>;
}
