/**
 * Groups indicators by malware family and builds one checked pack per family: hunts in the
 * backend-neutral form, compiled to KQL, each query checked with the Kusto parser.
 */
import { compileKqlWithinLimit } from '../backends/kql/kql.split.js';
import { buildHunts } from '../compile/build-hunts.js';
import type { Lookback } from '../compile/ir.js';
import { InternalError } from '../errors.js';
import { familySlug } from '../indicators/filter.js';
import type { Indicator, MalwareFamily } from '../indicators/model.js';
import { DATA_SOURCES } from '../pipeline/data-sources.js';
import { defaultExclusions, scenariosFor, type Scenario } from '../pipeline/scenarios.js';
import { checkKql } from '../validate/kusto.js';
import type { Pack, PackQuery, PackScenario, SetAsideIndicator } from './pack-model.js';

export interface BuildPacksOptions {
  lookback: Lookback;
  generatorVersion: string;
  feeds: string[];
  /** Indicators set aside by allowlists, filed under their family's pack. */
  setAside?: SetAsideIndicator[];
  /** Skips the Kusto check; only for benchmarks that measure the rest of the build. */
  skipKustoCheck?: boolean;
}

const UNKNOWN_FAMILY: MalwareFamily = { name: 'Unknown malware', aliases: [] };

/** The key that puts two indicators in the same pack: the Malpedia id, else the name. */
function familyKey(family: MalwareFamily | undefined): string {
  const chosen = family ?? UNKNOWN_FAMILY;
  return (chosen.malpedia ?? chosen.name).toLowerCase();
}

/** Groups indicators by family, in order of first appearance. */
export function groupByFamily(indicators: Indicator[]): Map<string, Indicator[]> {
  const groups = new Map<string, Indicator[]>();
  for (const indicator of indicators) {
    const key = familyKey(indicator.family);
    const group = groups.get(key);
    if (group) group.push(indicator);
    else groups.set(key, [indicator]);
  }
  return groups;
}

function mergedFamily(indicators: Indicator[]): MalwareFamily {
  const first = indicators.find((indicator) => indicator.family)?.family ?? UNKNOWN_FAMILY;
  const aliases = new Set<string>();
  for (const indicator of indicators) {
    for (const alias of indicator.family?.aliases ?? []) aliases.add(alias);
  }
  aliases.delete(first.name);
  return { name: first.name, malpedia: first.malpedia, aliases: [...aliases] };
}

/** Gives every pack a distinct folder name, even when two families' names fold to one slug. */
function uniqueSlug(name: string, taken: Set<string>): string {
  const base = familySlug(name) || 'family';
  let slug = base;
  for (let suffix = 2; taken.has(slug); suffix += 1) slug = `${base}-${suffix}`;
  taken.add(slug);
  return slug;
}

function checkQuery(query: PackQuery): void {
  const errors = checkKql(query.query, { platform: query.hunt.source.platform }).filter(
    (diagnostic) => diagnostic.severity === 'error',
  );
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

function packScenarios(pack: Pick<Pack, 'queries'>): PackScenario[] {
  const byId = new Map<string, { scenario: Scenario; huntIds: string[] }>();
  for (const { hunt } of pack.queries) {
    const source = DATA_SOURCES.find((entry) => entry.id === hunt.source.id);
    if (!source) continue;
    for (const scenario of scenariosFor(source, hunt.variant)) {
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

/**
 * Builds one pack per family.
 *
 * @throws InternalError when a generated query fails the Kusto check.
 */
export function buildPacks(indicators: Indicator[], options: BuildPacksOptions): Pack[] {
  const packs: Pack[] = [];
  const slugs = new Set<string>();
  const setAsideByFamily = new Map<string, SetAsideIndicator[]>();
  for (const item of options.setAside ?? []) {
    const key = familyKey(item.indicator.family);
    setAsideByFamily.set(key, [...(setAsideByFamily.get(key) ?? []), item]);
  }
  const groups = groupByFamily(indicators);
  for (const key of setAsideByFamily.keys()) if (!groups.has(key)) groups.set(key, []);

  for (const [key, members] of groups) {
    const setAside = setAsideByFamily.get(key) ?? [];
    const family = mergedFamily(
      members.length > 0 ? members : setAside.map((item) => item.indicator),
    );
    const slug = uniqueSlug(family.name, slugs);
    const hunts = buildHunts(members, {
      family: family.name,
      familySlug: slug,
      lookback: options.lookback,
      exclusionsFor: defaultExclusions,
    });
    const queries: PackQuery[] = [];
    for (const hunt of hunts) {
      for (const compiled of compileKqlWithinLimit(hunt, {
        generatorVersion: options.generatorVersion,
      })) {
        const query: PackQuery = { ...compiled, file: `queries/${compiled.hunt.id}.kql` };
        if (!options.skipKustoCheck) checkQuery(query);
        queries.push(query);
      }
    }
    const dataSources = DATA_SOURCES.filter((source) =>
      queries.some((query) => query.hunt.source.id === source.id),
    );
    packs.push({
      family,
      slug,
      indicators: members,
      setAside,
      queries,
      scenarios: packScenarios({ queries }),
      dataSources,
      lookback: options.lookback,
      generatorVersion: options.generatorVersion,
      feeds: options.feeds,
    });
  }
  return packs;
}
