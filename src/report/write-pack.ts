/**
 * Writes a pack to its folder: `report.md`, one `queries/<hunt id>.kql` file per query and
 * `pack.json` with everything in machine-readable form.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileKqlFilter } from '../backends/kql/kql.filter.js';
import { formatLookback, type IocTable } from '../compile/ir.js';
import { defang } from '../indicators/defang.js';
import { describeKind, type Indicator } from '../indicators/model.js';
import { renderReport } from './markdown.js';
import type { Pack } from './pack-model.js';

/** Format version of pack.json; raised when a field changes meaning. */
export const PACK_FORMAT_VERSION = 1;

function indicatorJson(indicator: Indicator): Record<string, unknown> {
  return {
    type: describeKind(indicator.kind),
    kind: indicator.kind,
    value: indicator.value,
    defanged: defang(indicator),
    ...(indicator.kind === 'ip-port' ? { address: indicator.address, port: indicator.port } : {}),
    family: indicator.family,
    threatType: indicator.threatType,
    confidence: indicator.confidence,
    firstSeen: indicator.firstSeen?.toISOString(),
    lastSeen: indicator.lastSeen?.toISOString(),
    expires: indicator.expires?.toISOString(),
    tags: indicator.tags,
    references: indicator.references,
    reporters: indicator.reporters,
    isCompromised: indicator.isCompromised,
    sourceIds: indicator.sourceIds,
    origins: indicator.origins,
  };
}

/** Returns the machine-readable form of a pack. */
export function packToJson(pack: Pack): Record<string, unknown> {
  const tables = new Map<IocTable, string>();
  const tableRef = (table: IocTable): string => {
    let ref = tables.get(table);
    if (ref === undefined) {
      ref = `t${tables.size + 1}`;
      tables.set(table, ref);
    }
    return ref;
  };
  const json = {
    formatVersion: PACK_FORMAT_VERSION,
    generator: `huntpack ${pack.generatorVersion}`,
    family: pack.family,
    slug: pack.slug,
    lookback: formatLookback(pack.lookback),
    feeds: pack.feeds,
    counts: {
      indicators: pack.indicators.length,
      setAside: pack.setAside.length,
      queries: pack.queries.length,
      watchlists: pack.watchlists.length,
      skippedHunts: pack.skippedHunts.length,
    },
    indicators: pack.indicators.map(indicatorJson),
    setAside: pack.setAside.map((item) => ({
      indicator: indicatorJson(item.indicator),
      list: item.list,
      listVersion: item.listVersion,
      entry: item.entry,
      reason: item.reason,
    })),
    hunts: pack.queries.map(({ hunt, file, watchlist }) => ({
      id: hunt.id,
      title: hunt.title,
      description: hunt.description,
      variant: hunt.variant,
      table: hunt.source.table,
      platform: hunt.source.platform,
      timeColumn: hunt.source.timeColumn,
      file,
      watchlist,
      indicatorCount: hunt.iocs.rows.length,
      part: hunt.part,
      exclusions: hunt.exclusions.map((exclusion) => exclusion.id),
      // The whole backend-neutral form, so that other backends and the local hunt can run the
      // pack without the feeds. Hunts of several data sources share one indicator table, so
      // the form names it in `iocTables` instead of repeating it.
      form: { ...hunt, iocs: { ref: tableRef(hunt.iocs) } },
    })),
    watchlists: pack.watchlists.map(({ alias, file, searchKey, rows, huntIds }) => ({
      alias,
      file,
      searchKey,
      rows,
      huntIds,
    })),
    skippedHunts: pack.skippedHunts,
    changes: pack.changes,
    dataSources: pack.dataSources.map((source) => ({
      id: source.id,
      table: source.table,
      platform: source.platform,
      product: source.product,
      connector: source.connector,
    })),
    scenarios: pack.scenarios.map(({ scenario, huntIds, enabled }) => ({
      id: scenario.id,
      title: scenario.title,
      description: scenario.description,
      enabled,
      filter: scenario.filter,
      kqlExclusion: `| where not(${compileKqlFilter(scenario.filter)})`,
      huntIds,
    })),
  };
  // Dates in indicator rows become ISO 8601 strings.
  const iocTables = Object.fromEntries([...tables].map(([table, ref]) => [ref, table]));
  return { ...json, iocTables };
}

/** Above this many indicators pack.json is written without indentation, to keep it small. */
const INDENTED_PACK_LIMIT = 10_000;

/** Writes a pack into `outDir/<slug>/`, replacing an earlier build of the same pack. */
export async function writePack(pack: Pack, outDir: string): Promise<string> {
  const folder = join(outDir, pack.slug);
  // Queries of an earlier build whose hunts no longer exist must not linger beside the new ones.
  await rm(join(folder, 'queries'), { recursive: true, force: true });
  await mkdir(join(folder, 'queries'), { recursive: true });
  for (const query of pack.queries) {
    await writeFile(join(folder, query.file), query.query, 'utf8');
  }
  await rm(join(folder, 'watchlists'), { recursive: true, force: true });
  if (pack.watchlists.length > 0) await mkdir(join(folder, 'watchlists'), { recursive: true });
  for (const watchlist of pack.watchlists) {
    await writeFile(join(folder, watchlist.file), watchlist.csv, 'utf8');
  }
  await writeFile(join(folder, 'report.md'), renderReport(pack), 'utf8');
  await writeFile(
    join(folder, 'pack.json'),
    JSON.stringify(packToJson(pack), null, pack.indicators.length > INDENTED_PACK_LIMIT ? 0 : 2) +
      '\n',
    'utf8',
  );
  return folder;
}
