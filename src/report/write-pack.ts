/**
 * Writes a pack to its folder: `report.md`, one `queries/<hunt id>.kql` file per query, the
 * watchlist CSV files, `indicators.csv` and `pack.json` with everything in machine-readable form.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileKqlFilter } from '../backends/kql/kql.filter.js';
import { formatLookback, type IocCell, type IocTable } from '../compile/ir.js';
import type { Indicator, MalwareFamily } from '../indicators/model.js';
import { writeIndicatorsCsv } from './indicators-csv.js';
import { isoTime } from './iso-time.js';
import { materializeStreamed, StreamedArray, writeJson } from './json-stream.js';
import { renderReport } from './markdown.js';
import type { Pack } from './pack-model.js';
import { writeTextFile } from './text-file-writer.js';
import { writeWatchlistCsv } from './watchlist.js';

/** Format version of pack.json; raised when a field changes meaning. */
export const PACK_FORMAT_VERSION = 2;

/**
 * Returns an indicator as pack.json contains it. Its defanged form and type name follow from `kind` and
 * `value` (indicators.csv shows them), so they are left out to keep large packs small.
 */
export function indicatorJson(indicator: Indicator): Record<string, unknown> {
  return {
    kind: indicator.kind,
    value: indicator.value,
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

/**
 * Returns the machine-readable form of a pack, with its long lists (indicators, indicators set
 * aside, indicator table rows) as streamed lists that are made only while written.
 */
function packJsonModel(pack: Pack): Record<string, unknown> {
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
    indicators: new StreamedArray(pack.indicators, indicatorJson, indicatorJsonText),
    setAside: new StreamedArray(pack.setAside, (item) => ({
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
  // Dates in indicator rows become ISO 8601 strings when written.
  const iocTables = Object.fromEntries(
    [...tables].map(([table, ref]) => [
      ref,
      { ...table, rows: new StreamedArray(table.rows, (row) => row, iocRowText) },
    ]),
  );
  return { ...json, iocTables };
}

const quote = JSON.stringify;

/** Returns a table cell's date as JSON writes it: its ISO text, or null for an invalid date. */
function dateText(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'null' : `"${isoTime(date)}"`;
}

/** JSON text of each family object; a pack's indicators share a few of them. */
const familyTexts = new WeakMap<MalwareFamily, string>();

function familyText(family: MalwareFamily): string {
  let text = familyTexts.get(family);
  if (text === undefined) {
    text = quote(family);
    familyTexts.set(family, text);
  }
  return text;
}

/** Returns exactly `JSON.stringify(list)` for a list of strings. */
function stringListText(list: readonly string[]): string {
  if (list.length === 0) return '[]';
  let text = '[';
  for (let index = 0; index < list.length; index++) {
    if (index > 0) text += ',';
    text += quote(list[index]);
  }
  return text + ']';
}

/** Returns exactly `JSON.stringify(indicatorJson(indicator))`, without making the object. */
export function indicatorJsonText(indicator: Indicator): string {
  let text = `{"kind":${quote(indicator.kind)},"value":${quote(indicator.value)}`;
  if (indicator.kind === 'ip-port')
    text += `,"address":${quote(indicator.address)},"port":${quote(indicator.port)}`;
  if (indicator.family !== undefined) text += `,"family":${familyText(indicator.family)}`;
  if (indicator.threatType !== undefined) text += `,"threatType":${quote(indicator.threatType)}`;
  if (indicator.confidence !== undefined) text += `,"confidence":${quote(indicator.confidence)}`;
  // Like toISOString in indicatorJson, isoTime raises a RangeError for an invalid date.
  if (indicator.firstSeen !== undefined) text += `,"firstSeen":"${isoTime(indicator.firstSeen)}"`;
  if (indicator.lastSeen !== undefined) text += `,"lastSeen":"${isoTime(indicator.lastSeen)}"`;
  if (indicator.expires !== undefined) text += `,"expires":"${isoTime(indicator.expires)}"`;
  text += `,"tags":${stringListText(indicator.tags)}`;
  text += `,"references":${stringListText(indicator.references)}`;
  text += `,"reporters":${stringListText(indicator.reporters)}`;
  if (indicator.isCompromised !== undefined)
    text += `,"isCompromised":${quote(indicator.isCompromised)}`;
  text += `,"sourceIds":${stringListText(indicator.sourceIds)},"origins":${quote(indicator.origins)}}`;
  return text;
}

/** Returns exactly `JSON.stringify(row)` for a row of an indicator table. */
export function iocRowText(row: readonly IocCell[]): string {
  let text = '[';
  for (let index = 0; index < row.length; index++) {
    if (index > 0) text += ',';
    const cell = row[index];
    if (cell instanceof Date) text += dateText(cell);
    else text += quote(cell) ?? 'null';
  }
  return text + ']';
}

/** Returns the machine-readable form of a pack, as written to pack.json. */
export function packToJson(pack: Pack): Record<string, unknown> {
  return materializeStreamed(packJsonModel(pack)) as Record<string, unknown>;
}

/**
 * Above this many indicators pack.json is written without indentation, one list element per
 * line, and piece by piece, so that it never exists as one string.
 */
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
    writeTextFile(join(folder, watchlist.file), (out) => writeWatchlistCsv(watchlist.table, out));
  }
  await writeFile(join(folder, 'report.md'), renderReport(pack), 'utf8');
  writeTextFile(join(folder, 'indicators.csv'), (out) => writeIndicatorsCsv(pack, out));
  const model = packJsonModel(pack);
  writeTextFile(join(folder, 'pack.json'), (out) => {
    if (pack.indicators.length + pack.setAside.length > INDENTED_PACK_LIMIT) writeJson(model, out);
    else out.write(JSON.stringify(model, null, 2));
    out.write('\n');
  });
  return folder;
}
