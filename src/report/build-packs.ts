/**
 * Groups indicators by malware family and builds one checked pack per family: hunts in the
 * backend-neutral form, compiled to KQL, each query checked with the Kusto parser.
 */
import { basename } from 'node:path';
import {
  compileKql,
  SENTINEL_QUERY_LIMIT,
  type KqlCompileOptions,
} from '../backends/kql/kql.backend.js';
import { compileKqlWithinLimit } from '../backends/kql/kql.split.js';
import { buildHunts } from '../compile/build-hunts.js';
import type { Lookback } from '../compile/ir.js';
import { InternalError, type HuntpackIssue } from '../errors.js';
import { assignFolderNames, type FolderCandidate } from '../indicators/family-slug.js';
import type { Indicator, MalwareFamily } from '../indicators/model.js';
import { DATA_SOURCES } from '../pipeline/data-sources.js';
import { defaultExclusions, scenariosFor, type Scenario } from '../pipeline/scenarios.js';
import { checkExclusion } from '../pipeline/filter-check/check.js';
import { getTableSchema } from '../pipeline/schemas.js';
import { checkKql, type KqlCheckOptions, type KqlDiagnostic } from '../validate/kusto.js';
import { queryShape } from '../validate/query-shape.js';
import type { DeferredQueryChecks } from '../validate/deferred-checks.js';
import type { Hunt, IocTable } from '../compile/ir.js';
import {
  familyKeyOf,
  groupByFamilyKey,
  UNKNOWN_FAMILY_NAME,
  type FamilyHistoryDiff,
} from '../pipeline/history.js';
import type {
  OmittedIndicator,
  Pack,
  PackQuery,
  PackScenario,
  SetAsideIndicator,
  SkippedHunt,
} from './pack-model.js';
import { incrementAlias, watchlistAlias, type PackWatchlist } from './watchlist.js';
import { exclusionIndicatorIssues } from './exclusion-indicator-issues.js';

export interface BuildPacksOptions {
  lookback: Lookback;
  generatorVersion: string;
  /** Feeds as the user named them, shown in each report. */
  feeds: string[];
  /**
   * The path of each of `feeds`, as indicator origins name it. When given, each pack names only
   * the feeds that hold one of its indicators.
   */
  feedPaths?: string[];
  /** Indicators set aside by allowlists, filed under their family's pack. */
  setAside?: SetAsideIndicator[];
  /**
   * Most parts a split hunt may have before its indicators move into a Sentinel watchlist.
   * Default {@link DEFAULT_MAX_INLINE_PARTS}.
   */
  maxInlineParts?: number;
  /**
   * URL of the folder that the user uploads the watchlist CSV files to: an https URL in which
   * `{file}` stands for a file's name, such as `https://account.blob.core.windows.net/iocs/{file}`.
   * With it, a Defender hunt whose list is too long to inline reads the file with `externaldata`
   * instead of being skipped. See {@link listFileUrl}.
   */
  listUrl?: string;
  /**
   * Check every query text in full with the Kusto parser instead of once per query shape.
   * Slower (a large build checks thousands of queries); the result is the same unless a
   * literal is written wrongly.
   */
  fullKustoCheck?: boolean;
  /**
   * Every family of the feeds, also those whose pack this run does not write (`--only-new`,
   * `--family`), so that a family keeps its folder name from run to run. Without it, folder
   * names are chosen among the families of this run.
   */
  feedFamilies?: readonly MalwareFamily[];
  /** Changes since earlier runs, by family key (see `familyKeyOf`), from `--state`. */
  changes?: ReadonlyMap<string, FamilyHistoryDiff>;
  /**
   * Whether the packs hunt only indicators new since the state's last run (`--only-new`). Such
   * packs are deployed beside earlier ones, so each watchlist gets an alias of its own (see
   * `incrementAlias`): under the full pack's alias, it would replace the earlier rules' list.
   */
  onlyNew?: boolean;
  /** Exclusions from the user's `--exclusions` file, compiled into every hunt they apply to. */
  userScenarios?: Scenario[];
  /**
   * Receives a warning for each user exclusion that removes the own hits of some of a pack's
   * indicators (see `exclusionIndicatorIssues`).
   */
  issues?: HuntpackIssue[];
  /** The Kusto check to run, such as `backgroundKustoCheck()`; default `checkKql`. */
  kustoCheck?: (text: string, options: KqlCheckOptions) => KqlDiagnostic[];
  /**
   * Checks that run while later packs are built, in place of `kustoCheck` and `fullKustoCheck`.
   * Packs are then yielded before their queries are checked, and the caller must call
   * `settle` and act on its failures.
   */
  queryChecks?: DeferredQueryChecks;
}

/**
 * Beyond this many parts, an inline list stops being practical to deploy (one analytics rule per
 * part), so the indicators go into a watchlist and one query reads it.
 */
export const DEFAULT_MAX_INLINE_PARTS = 4;

const UNKNOWN_FAMILY: MalwareFamily = { name: UNKNOWN_FAMILY_NAME, aliases: [] };

/** Groups indicators by family key, in order of first appearance. */
export function groupByFamily(indicators: Indicator[]): Map<string, Indicator[]> {
  return groupByFamilyKey(indicators);
}

function mergedFamily(indicators: Indicator[]): MalwareFamily {
  const first = indicators.find((indicator) => indicator.family)?.family ?? UNKNOWN_FAMILY;
  const aliases = new Set<string>();
  for (const indicator of indicators) {
    for (const alias of indicator.family?.aliases ?? []) aliases.add(alias);
  }
  aliases.delete(first.name);
  const family: MalwareFamily = {
    name: first.name,
    malpedia: first.malpedia,
    aliases: [...aliases],
  };
  if (first.kind !== undefined) family.kind = first.kind;
  return family;
}

/**
 * Checks the exclusions of a hunt with the logic checker against the table's columns plus the
 * hit columns (`MatchedOn` and the indicator columns).
 *
 * @throws InternalError when an exclusion is always true (it would hide every hit), names a
 *   column the table lacks or compares a value of the wrong type.
 */
function checkExclusions(hunt: Hunt): void {
  const schema = getTableSchema(hunt.source.table, hunt.source.platform);
  const extraColumns = [
    { name: 'MatchedOn', type: 'string' as const },
    ...hunt.iocs.columns.map((column) => ({ name: column.name, type: column.type })),
    ...Object.keys(hunt.constants).map((name) => ({ name, type: 'string' as const })),
  ];
  for (const exclusion of hunt.exclusions) {
    const errors = checkExclusion(exclusion.filter, schema, { extraColumns }).filter(
      (issue) => issue.severity === 'error',
    );
    if (errors.length === 0) continue;
    throw new InternalError(
      'GENERATED_EXCLUSION_INVALID',
      `Exclusion ${exclusion.id} of hunt ${hunt.id} is unsound: ` +
        `${errors.map((error) => error.message).join(' ')} This is a huntpack bug; please report it.`,
    );
  }
}

/** Error counts of query shapes already checked, per platform, shared by every pack of a build. */
type ShapeCache = Map<string, number>;

/**
 * Checks a generated query with the Kusto parser: its shape once per build (see
 * `queryShape`), and the whole query whenever its shape has an error, so the message points
 * at the real text.
 *
 * @throws InternalError when the query does not compile: that is a huntpack bug.
 */
function checkQuery(
  query: PackQuery,
  cache: ShapeCache,
  fullCheck: boolean,
  kustoCheck: NonNullable<BuildPacksOptions['kustoCheck']>,
): void {
  const platform = query.hunt.source.platform;
  const errorsOf = (text: string) =>
    kustoCheck(text, { platform, analyzers: false }).filter(
      (diagnostic) => diagnostic.severity === 'error',
    );
  if (!fullCheck) {
    const key = `${platform}\n${queryShape(query.query)}`;
    let shapeErrors = cache.get(key);
    if (shapeErrors === undefined) {
      shapeErrors = errorsOf(key.slice(platform.length + 1)).length;
      cache.set(key, shapeErrors);
    }
    if (shapeErrors === 0) return;
  }
  const errors = errorsOf(query.query);
  if (errors.length === 0) return;
  const details = errors.map(
    (error) => `  line ${error.line}, column ${error.column}: ${error.code} ${error.message}`,
  );
  throw new InternalError(
    'GENERATED_QUERY_INVALID',
    `The generated query ${query.file} does not compile. This is a huntpack bug; please report it ` +
      `with the query below.\n${details.join('\n')}\n\n${query.query}`,
  );
}

function packScenarios(
  pack: Pick<Pack, 'queries'>,
  userScenarios: readonly Scenario[] = [],
): PackScenario[] {
  const byId = new Map<string, { scenario: Scenario; huntIds: string[] }>();
  for (const { hunt } of pack.queries) {
    const source = DATA_SOURCES.find((entry) => entry.id === hunt.source.id);
    if (!source) continue;
    for (const scenario of scenariosFor(source, hunt.variant, userScenarios)) {
      const entry = byId.get(scenario.id) ?? { scenario, huntIds: [] };
      entry.huntIds.push(hunt.id);
      byId.set(scenario.id, entry);
    }
  }
  return [...byId.values()].map(({ scenario, huntIds }) => ({
    scenario,
    huntIds,
    enabled: scenario.enabledByDefault,
  }));
}

interface CompiledHunts {
  queries: PackQuery[];
  watchlists: PackWatchlist[];
  skipped: SkippedHunt[];
  omitted: OmittedIndicator[];
}

/** A table without the rows that no query can hold, and those rows' indicator values. */
interface FittingTable {
  table: IocTable;
  omitted: string[];
  /** True when the query is over the limit with no indicator at all. */
  overWithoutRows?: boolean;
}

/**
 * Characters kept free in a query of one row for the line that a split query's header gains
 * (`// Part 2 of 3: the indicator list was split...`), which is about 110 characters long.
 */
const PART_LINE_ROOM = 160;

/** Returns the query of `hunt` without any indicator row. */
function emptyQuery(hunt: Hunt, options: KqlCompileOptions): string {
  return compileKql({ ...hunt, iocs: { columns: hunt.iocs.columns, rows: [] } }, options);
}

/**
 * Returns the hunt's indicator table without the rows that make a query of that row alone
 * longer than Sentinel's limit, such as a URL of 12,000 characters. Kept, such a value would move
 * the whole list into a watchlist and cost Defender its hunt, so the pack names it instead.
 * `hunt` is the hunt of the table whose query is longest without rows, and room is left for the
 * header line of a split query, so that the table fits every hunt that shares it.
 */
function fittingTable(hunt: Hunt, options: KqlCompileOptions): FittingTable {
  const rows = hunt.iocs.rows;
  const limit = SENTINEL_QUERY_LIMIT - PART_LINE_ROOM;
  const room = limit - emptyQuery(hunt, options).length;
  // The rows are not to blame then: the family name or the hunt's own text is too long.
  if (room < 0) return { table: hunt.iocs, omitted: [], overWithoutRows: true };
  const omittedRows = new Set<number>();
  rows.forEach((row, index) => {
    let characters = 0;
    for (const cell of row) if (typeof cell === 'string') characters += cell.length;
    // A row whose longest possible text fits is not compiled: `kqlString` writes each character
    // in at most 6 (`\u200B`), and any other cell with its separator takes under 64.
    if (characters * 6 + row.length * 64 <= room) return;
    const alone = compileKql(
      { ...hunt, iocs: { columns: hunt.iocs.columns, rows: [row] } },
      options,
    );
    if (alone.length > limit) omittedRows.add(index);
  });
  if (omittedRows.size === 0) return { table: hunt.iocs, omitted: [] };
  return {
    table: { columns: hunt.iocs.columns, rows: rows.filter((_, index) => !omittedRows.has(index)) },
    omitted: [...omittedRows].map((index) => String(rows[index]![0])),
  };
}

/**
 * Compiles each hunt inline (split into parts when needed) or, when its list is too long, as one
 * Sentinel query over a watchlist. Defender advanced hunting has no watchlists, so a Defender
 * hunt with such a list is skipped with a reason; the Sentinel hunt over the same table covers it.
 */
function compileHunts(hunts: Hunt[], packSlug: string, options: BuildPacksOptions): CompiledHunts {
  const result: CompiledHunts = { queries: [], watchlists: [], skipped: [], omitted: [] };
  const kqlOptions = { generatorVersion: options.generatorVersion };
  const maxParts = options.maxInlineParts ?? DEFAULT_MAX_INLINE_PARTS;
  // Hunts of one variant share their table, so each table is checked and filtered once, with
  // the hunt whose query is longest without rows.
  const longest = new Map<IocTable, { hunt: Hunt; length: number }>();
  for (const hunt of hunts) {
    const length = emptyQuery(hunt, kqlOptions).length;
    const known = longest.get(hunt.iocs);
    if (!known || length > known.length) longest.set(hunt.iocs, { hunt, length });
  }
  const fitting = new Map<IocTable, FittingTable>();
  const omittedByValue = new Map<string, OmittedIndicator>();
  for (const whole of hunts) {
    let tableFit = fitting.get(whole.iocs);
    if (!tableFit) {
      tableFit = fittingTable(longest.get(whole.iocs)!.hunt, kqlOptions);
      fitting.set(whole.iocs, tableFit);
    }
    if (tableFit.overWithoutRows) {
      result.skipped.push({
        huntId: whole.id,
        title: whole.title,
        reason: `Its query is longer than ${SENTINEL_QUERY_LIMIT.toLocaleString('en-US')} characters before any indicator is added, because the family name has ${whole.family.length} characters. Shorten the name in the feed.`,
      });
      continue;
    }
    const noteOmitted = (): void => {
      for (const value of tableFit.omitted) {
        let entry = omittedByValue.get(value);
        if (!entry) {
          entry = { value, characters: value.length, huntIds: [] };
          omittedByValue.set(value, entry);
          result.omitted.push(entry);
        }
        entry.huntIds.push(whole.id);
      }
    };
    const fitted = tableFit.omitted.length === 0 ? whole : { ...whole, iocs: tableFit.table };
    // A list read from a file has no length limit, so a hunt that would leave indicators out
    // of an inline query reads its whole list from one where the platform can.
    const canReadFile = whole.source.platform === 'sentinel' || options.listUrl !== undefined;
    let inline;
    if (fitted.iocs.rows.length > 0 && !(canReadFile && tableFit.omitted.length > 0)) {
      try {
        inline = compileKqlWithinLimit(fitted, kqlOptions, { maxParts });
      } catch (error) {
        // One indicator row or the family name alone is longer than a query may be. A list read
        // from a file has no such limit.
        if (!canReadFile) {
          result.skipped.push({
            huntId: whole.id,
            title: whole.title,
            reason: `${(error as Error).message} Shorten the family name or the longest indicator value.`,
          });
          continue;
        }
      }
    }
    if (inline) {
      noteOmitted();
      for (const part of inline)
        result.queries.push({ ...part, file: `queries/${part.hunt.id}.kql` });
      continue;
    }
    // The query reads the whole list from a file, where no indicator is too long.
    const hunt = whole;
    if (!canReadFile) {
      noteOmitted();
      const cause =
        fitted.iocs.rows.length === 0
          ? 'Each of its indicators is too long for a query'
          : `${fitted.iocs.rows.length} indicators need more than ${maxParts} queries`;
      result.skipped.push({
        huntId: hunt.id,
        title: hunt.title,
        reason:
          `${cause}, and Defender advanced hunting cannot read a watchlist; run the Sentinel hunt ` +
          `on ${hunt.source.table} instead, or build with --list-url to read the list from a URL ` +
          'with externaldata.',
      });
      continue;
    }
    const alias = options.onlyNew
      ? incrementAlias(packSlug, hunt.variant, hunt.iocs)
      : watchlistAlias(packSlug, hunt.variant);
    let watchlist = result.watchlists.find((entry) => entry.alias === alias);
    if (!watchlist) {
      watchlist = {
        alias,
        file: `watchlists/${alias}.csv`,
        searchKey: hunt.iocs.columns[0]?.name ?? '',
        rows: hunt.iocs.rows.length,
        huntIds: [],
        table: hunt.iocs,
      };
      result.watchlists.push(watchlist);
    }
    watchlist.huntIds.push(hunt.id);
    const file = `queries/${hunt.id}.kql`;
    if (hunt.source.platform === 'defender') {
      const url = listFileUrl(options.listUrl!, basename(watchlist.file));
      watchlist.url = url;
      const query = compileKql(hunt, { ...kqlOptions, listUrl: url });
      result.queries.push({ hunt, query, file, listUrl: url });
    } else {
      const query = compileKql(hunt, { ...kqlOptions, watchlistAlias: alias });
      result.queries.push({ hunt, query, file, watchlist: alias });
    }
  }
  return result;
}

/**
 * Returns the URL of one list file: `template` with `{file}` replaced by the file's name. The
 * names are made of letters, digits, underscores and `.csv` (see `watchlistAlias`), so they need
 * no percent-encoding.
 */
export function listFileUrl(template: string, fileName: string): string {
  return template.replace('{file}', fileName);
}

/**
 * Returns the given feeds that hold an indicator of the pack, in the order given, with their paths
 * when the options give them.
 */
function packFeeds(
  members: readonly Indicator[],
  setAside: readonly SetAsideIndicator[],
  options: BuildPacksOptions,
): Pick<Pack, 'feeds' | 'feedPaths'> {
  const paths = options.feedPaths;
  if (!paths || paths.length !== options.feeds.length) return { feeds: options.feeds };
  const files = new Set<string>();
  const note = (indicator: Indicator): void => {
    for (const origin of indicator.provenance.origins)
      if (origin.file !== undefined) files.add(origin.file);
  };
  members.forEach(note);
  for (const item of setAside) note(item.indicator);
  const used = options.feeds.flatMap((_, index) => (files.has(paths[index]!) ? [index] : []));
  // Origins that name no given feed (an indicator made by a library caller) keep the full list.
  if (used.length === 0) return { feeds: options.feeds, feedPaths: paths };
  return {
    feeds: used.map((index) => options.feeds[index]!),
    feedPaths: used.map((index) => paths[index]!),
  };
}

/**
 * Builds one pack per family, one at a time, so that a caller can write each pack and let it go
 * before the next is built. The indicators are grouped at once, and the packs hold the only
 * references that the returned generator keeps: once the caller has dropped its own
 * `indicators` list, each written pack's indicators can be collected.
 *
 * @throws InternalError when a generated query fails the Kusto check.
 */
export function eachPack(indicators: Indicator[], options: BuildPacksOptions): Generator<Pack> {
  const setAsideByFamily = new Map<string, SetAsideIndicator[]>();
  for (const item of options.setAside ?? []) {
    const key = familyKeyOf(item.indicator.family);
    const list = setAsideByFamily.get(key);
    if (list) list.push(item);
    else setAsideByFamily.set(key, [item]);
  }
  const groups = groupByFamily(indicators);
  for (const key of setAsideByFamily.keys()) if (!groups.has(key)) groups.set(key, []);
  return packsOfGroups(groups, setAsideByFamily, options);
}

/** Builds the pack of each group in turn, and removes the group from `groups` as it does. */
function* packsOfGroups(
  groups: Map<string, Indicator[]>,
  setAsideByFamily: ReadonlyMap<string, SetAsideIndicator[]>,
  options: BuildPacksOptions,
): Generator<Pack> {
  const families = new Map<string, MalwareFamily>();
  for (const [key, members] of groups) {
    const setAside = setAsideByFamily.get(key) ?? [];
    families.set(
      key,
      mergedFamily(members.length > 0 ? members : setAside.map((item) => item.indicator)),
    );
  }
  // Folder names are chosen from every family at once, so a family that comes first in a feed
  // cannot take the folder of another family whose name folds to the same slug.
  const candidates = new Map<string, FolderCandidate>();
  for (const family of options.feedFamilies ?? []) {
    const key = familyKeyOf(family);
    candidates.set(key, { key, name: family.name, malpedia: family.malpedia });
  }
  for (const [key, family] of families) {
    candidates.set(key, { key, name: family.name, malpedia: family.malpedia });
  }
  const { folders } = assignFolderNames([...candidates.values()]);
  const shapes: ShapeCache = new Map();
  for (const [key, members] of groups) {
    groups.delete(key);
    const setAside = setAsideByFamily.get(key) ?? [];
    const family = families.get(key)!;
    const slug = folders.get(key)!;
    const hunts = buildHunts(members, {
      family: family.name,
      familyKind: family.kind,
      familySlug: slug,
      lookback: options.lookback,
      exclusionsFor: (source, variant) => defaultExclusions(source, variant, options.userScenarios),
    });
    const compiled = compileHunts(hunts, slug, options);
    for (const hunt of hunts) checkExclusions(hunt);
    options.issues?.push(
      ...exclusionIndicatorIssues(hunts, members, options.userScenarios ?? [], slug),
    );
    for (const query of compiled.queries) {
      if (options.queryChecks) {
        const platform = query.hunt.source.platform;
        options.queryChecks.add({ pack: slug, file: query.file, text: query.query, platform });
      } else {
        checkQuery(query, shapes, options.fullKustoCheck ?? false, options.kustoCheck ?? checkKql);
      }
    }
    const dataSources = DATA_SOURCES.filter((source) =>
      compiled.queries.some((query) => query.hunt.source.id === source.id),
    );
    yield {
      family,
      slug,
      indicators: members,
      setAside,
      queries: compiled.queries,
      scenarios: packScenarios(compiled, options.userScenarios),
      watchlists: compiled.watchlists,
      changes: options.changes?.get(key),
      ...(options.onlyNew ? { onlyNew: true as const } : {}),
      skippedHunts: compiled.skipped,
      ...(compiled.omitted.length > 0 ? { omittedIndicators: compiled.omitted } : {}),
      dataSources,
      lookback: options.lookback,
      generatorVersion: options.generatorVersion,
      ...packFeeds(members, setAside, options),
      variantTables: new Map(hunts.map((hunt) => [hunt.variant, hunt.iocs])),
    };
  }
}

/**
 * Builds one pack per family.
 *
 * @throws InternalError when a generated query fails the Kusto check.
 */
export function buildPacks(indicators: Indicator[], options: BuildPacksOptions): Pack[] {
  return [...eachPack(indicators, options)];
}
