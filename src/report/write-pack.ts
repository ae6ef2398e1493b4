/**
 * Writes a pack to its folder: `report.md`, one `queries/<hunt id>.kql` file per query, the
 * watchlist CSV files, `indicators.csv` and `pack.json` with everything in machine-readable form.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileKqlFilter } from '../backends/kql/kql.filter.js';
import {
  formatLookback,
  type Hunt,
  type HuntVariant,
  type IocCell,
  type IocTable,
} from '../compile/ir.js';
import type { SourceLocation } from '../errors.js';
import type { Indicator, MalwareFamily } from '../indicators/model.js';
import { RecordProvenance } from '../indicators/provenance.js';
import { writeIndicatorsCsv } from './indicators-csv.js';
import { isoTime } from './iso-time.js';
import { ListTextCache, ValueTextCache } from './list-text-cache.js';
import { materializeStreamed, StreamedArray, writeJson } from './json-stream.js';
import { renderReport } from './markdown.js';
import type { Pack } from './pack-model.js';
import { writeTextFile } from './text-file-writer.js';
import { writeWatchlistCsv } from './watchlist.js';

/**
 * Format version of pack.json; raised when a field changes meaning. Version 3 states the family
 * and the feed paths once for the pack instead of in each indicator, and rebuilds the hunts'
 * indicator tables from the indicators instead of listing them again. Version 4 adds the
 * addresses of URLs on an address to the rebuilt address tables, and `exactOnly` to indicators
 * that hunts may use only on their exact value. Version 5 adds the hosts of URLs on a name to the
 * rebuilt domain table. Version 6 adds the percent-encoded form of URLs with non-ASCII paths after
 * the rebuilt URL rows, so an older huntpack reports the newer format instead of missing rows.
 * Version 7 marks a URL on a CDN edge address with `exactOnly.urlOnly` and rebuilds no address
 * rows for it or for a URL on a compromised site's address. Version 8 gives the CommonSecurityLog
 * destination port key a `fallbackColumn` and an `addressColumn`, so the port that
 * DestinationHostName writes counts when DestinationIP is empty. An older huntpack would ignore
 * them and match DestinationPort, so it reports the newer format instead. Packs of earlier
 * versions keep their stored keys, which read DestinationPort only. Version 9 folds the rebuilt
 * URL rows with the same match key into one row with an `IocOtherUrls` column, so the row ranges
 * of its hunts select other rows than an older huntpack would rebuild. Version 10 adds the form
 * in which browsers send a URL (dot segments resolved, `\` as `/`, quotes and spaces
 * percent-encoded) to the rebuilt URL rows. Version 11 marks each hunt of a pack named after a
 * threat group with its `familyKind`, so that an older huntpack reports the newer format instead of
 * showing the group as a malware family. A version 10 pack of a group gives the kind only in its
 * `family.kind`, which the reader copies to its hunts.
 */
export const PACK_FORMAT_VERSION = 11;

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

/** JSON members such as `,"confidence":100`, whose values few distinct texts fill. */
const threatTypeMember = new ValueTextCache((value: string) => `,"threatType":${quote(value)}`);
const confidenceMember = new ValueTextCache((value: number) => `,"confidence":${quote(value)}`);

/** Returns exactly `JSON.stringify(list)` for a list of strings. */
function makeStringListText(list: readonly string[]): string {
  if (list.length === 0) return '[]';
  let text = '[';
  for (let index = 0; index < list.length; index++) {
    if (index > 0) text += ',';
    text += quote(list[index]);
  }
  return text + ']';
}

const stringListTexts = new ListTextCache(makeStringListText);

function stringListText(list: readonly string[]): string {
  return list.length === 0 ? '[]' : stringListTexts.get(list);
}

/**
 * Returns true when `family` is the pack's family: the same name and Malpedia id, with aliases
 * that the pack's family lists too. The pack's family unites the aliases of all its records, so
 * a record that gave fewer of them is still of that family.
 */
function isFamilyOf(family: MalwareFamily, pack: MalwareFamily): boolean {
  return (
    family.name === pack.name &&
    family.malpedia === pack.malpedia &&
    family.kind === pack.kind &&
    family.aliases.every((alias) => alias === pack.name || pack.aliases.includes(alias))
  );
}

/**
 * The form of an indicator in one pack's pack.json, which leaves out what the pack states once.
 * An indicator of the pack's family has no `family`, and one without a family has
 * `"family": null`. An origin in one of the pack's feeds names it by its index in the pack's
 * `feeds` as `feed`, in place of the `file` path. The defanged form and the type name follow from
 * `kind` and `value` (indicators.csv shows them), so they are left out too.
 */
export class IndicatorJsonForm {
  private readonly feedIndex = new Map<string, number>();
  /** Cache of whether each family object seen so far equals the pack's family. */
  private readonly packFamily = new Map<MalwareFamily, boolean>();

  /** @param feedPaths paths of the pack's feeds, as indicator origins name them. */
  constructor(
    private readonly family: MalwareFamily,
    feedPaths: readonly string[] = [],
  ) {
    feedPaths.forEach((path, index) => {
      if (!this.feedIndex.has(path)) this.feedIndex.set(path, index);
    });
  }

  /** Returns the indicator as pack.json contains it. */
  json(indicator: Indicator): Record<string, unknown> {
    return {
      kind: indicator.kind,
      value: indicator.value,
      ...(indicator.kind === 'ip-port' ? { address: indicator.address, port: indicator.port } : {}),
      ...(this.isPackFamily(indicator.family) ? {} : { family: indicator.family ?? null }),
      threatType: indicator.threatType,
      confidence: indicator.confidence,
      firstSeen: indicator.firstSeen?.toISOString(),
      lastSeen: indicator.lastSeen?.toISOString(),
      expires: indicator.expires?.toISOString(),
      tags: indicator.tags,
      references: indicator.references,
      reporters: indicator.reporters,
      isCompromised: indicator.isCompromised,
      sourceIds: indicator.provenance.sourceIds,
      origins: indicator.provenance.origins.map((origin) => this.originJson(origin)),
      exactOnly: indicator.exactOnly,
    };
  }

  /** Returns exactly `JSON.stringify(this.json(indicator))`, without making the object. */
  text(indicator: Indicator): string {
    let text = `{"kind":${quote(indicator.kind)},"value":${quote(indicator.value)}`;
    if (indicator.kind === 'ip-port')
      text += `,"address":${quote(indicator.address)},"port":${quote(indicator.port)}`;
    if (indicator.family === undefined) text += ',"family":null';
    else if (!this.isPackFamily(indicator.family))
      text += `,"family":${familyText(indicator.family)}`;
    if (indicator.threatType !== undefined) text += threatTypeMember.get(indicator.threatType);
    if (indicator.confidence !== undefined) text += confidenceMember.get(indicator.confidence);
    // Like toISOString in json(), isoTime raises a RangeError for an invalid date.
    if (indicator.firstSeen !== undefined) text += `,"firstSeen":"${isoTime(indicator.firstSeen)}"`;
    if (indicator.lastSeen !== undefined) text += `,"lastSeen":"${isoTime(indicator.lastSeen)}"`;
    if (indicator.expires !== undefined) text += `,"expires":"${isoTime(indicator.expires)}"`;
    text += `,"tags":${stringListText(indicator.tags)}`;
    text += `,"references":${stringListText(indicator.references)}`;
    text += `,"reporters":${stringListText(indicator.reporters)}`;
    if (indicator.isCompromised !== undefined)
      text += `,"isCompromised":${quote(indicator.isCompromised)}`;
    const { provenance } = indicator;
    if (provenance instanceof RecordProvenance) {
      // The record's own fields, without the lists that its getters would make.
      const { sourceId } = provenance;
      text += `,"sourceIds":[${sourceId === undefined ? '' : quote(sourceId)}]`;
      text += `,"origins":[${this.originText(provenance)}`;
    } else {
      const { sourceIds, origins } = provenance;
      text += `,"sourceIds":${stringListText(sourceIds)},"origins":[`;
      for (let index = 0; index < origins.length; index++) {
        if (index > 0) text += ',';
        text += this.originText(origins[index]!);
      }
    }
    if (indicator.exactOnly === undefined) return text + ']}';
    const { list, entry, reason, urlOnly } = indicator.exactOnly;
    const exactOnly = urlOnly ? { list, entry, reason, urlOnly } : { list, entry, reason };
    return `${text}],"exactOnly":${JSON.stringify(exactOnly)}}`;
  }

  private isPackFamily(family: MalwareFamily | undefined): boolean {
    if (family === undefined) return false;
    let same = this.packFamily.get(family);
    if (same === undefined) {
      same = isFamilyOf(family, this.family);
      this.packFamily.set(family, same);
    }
    return same;
  }

  private originJson(origin: SourceLocation): Record<string, unknown> {
    const feed = origin.file === undefined ? undefined : this.feedIndex.get(origin.file);
    const place = feed === undefined ? { file: origin.file } : { feed };
    return { ...place, line: origin.line, column: origin.column, id: origin.id };
  }

  private originText(origin: SourceLocation): string {
    const feed = origin.file === undefined ? undefined : this.feedIndex.get(origin.file);
    let text = '';
    if (feed !== undefined) text += `,"feed":${feed}`;
    else if (origin.file !== undefined) text += `,"file":${quote(origin.file)}`;
    if (origin.line !== undefined) text += `,"line":${quote(origin.line)}`;
    if (origin.column !== undefined) text += `,"column":${quote(origin.column)}`;
    if (origin.id !== undefined) text += `,"id":${quote(origin.id)}`;
    return `{${text.slice(1)}}`;
  }
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

/**
 * A hunt's indicator rows as pack.json names them when a reader can rebuild them: rows `start`
 * to `end` (exclusive) of the table that `buildIocTables` makes for `variant` from the pack's
 * indicators.
 */
export interface RebuiltRows {
  variant: HuntVariant;
  start: number;
  end: number;
}

/**
 * Tells whether `buildIocTables` makes the same tables from the pack.json form of the
 * indicators, which gives an ip, domain, URL or hash only as `value`.
 */
function tablesRebuildable(indicators: readonly Indicator[]): boolean {
  for (const indicator of indicators) {
    switch (indicator.kind) {
      case 'ip-port':
        break;
      case 'ip':
        if (indicator.address !== indicator.value) return false;
        break;
      case 'domain':
        if (indicator.domain !== indicator.value) return false;
        break;
      case 'url':
        if (indicator.url !== indicator.value) return false;
        break;
      default:
        if (indicator.hash !== indicator.value) return false;
    }
  }
  return true;
}

/**
 * Returns a function that finds where a hunt's indicator rows lie in the table of its variant,
 * or undefined when the table is not one a reader can rebuild from the indicators.
 */
function rebuiltRowsFinder(pack: Pack): (hunt: Hunt) => RebuiltRows | undefined {
  const tables = pack.variantTables;
  if (!tables || !tablesRebuildable(pack.indicators)) return () => undefined;
  return (hunt) => {
    const table = tables.get(hunt.variant);
    if (!table) return undefined;
    const rows = hunt.iocs.rows;
    if (hunt.iocs === table) return { variant: hunt.variant, start: 0, end: rows.length };
    if (hunt.iocs.columns !== table.columns || rows.length === 0) return undefined;
    // A part of a split hunt contains consecutive rows of its table, the same row arrays.
    const start = table.rows.indexOf(rows[0]!);
    if (start < 0 || start + rows.length > table.rows.length) return undefined;
    for (let index = 1; index < rows.length; index++) {
      if (rows[index] !== table.rows[start + index]) return undefined;
    }
    return { variant: hunt.variant, start, end: start + rows.length };
  };
}

/**
 * Returns the machine-readable form of a pack, with its long lists (indicators, indicators set
 * aside, indicator table rows) as streamed lists that are made only while written.
 */
function packJsonModel(pack: Pack): Record<string, unknown> {
  const form = new IndicatorJsonForm(pack.family, pack.feedPaths);
  const rebuiltRows = rebuiltRowsFinder(pack);
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
    indicators: new StreamedArray(
      pack.indicators,
      (indicator) => form.json(indicator),
      (indicator) => form.text(indicator),
    ),
    setAside: new StreamedArray(pack.setAside, (item) => ({
      indicator: form.json(item.indicator),
      list: item.list,
      listVersion: item.listVersion,
      entry: item.entry,
      reason: item.reason,
    })),
    hunts: pack.queries.map(({ hunt, file, watchlist, listUrl }) => ({
      id: hunt.id,
      title: hunt.title,
      description: hunt.description,
      variant: hunt.variant,
      table: hunt.source.table,
      platform: hunt.source.platform,
      timeColumn: hunt.source.timeColumn,
      file,
      watchlist,
      listUrl,
      indicatorCount: hunt.iocs.rows.length,
      part: hunt.part,
      exclusions: hunt.exclusions.map((exclusion) => exclusion.id),
      // The whole backend-neutral form, so that other backends and the local hunt can run the
      // pack without the feeds. The indicator rows are named, not repeated: as rows of a table
      // rebuilt from the indicators, or else by a key of `iocTables`, which hunts of several
      // data sources share.
      form: { ...hunt, iocs: rebuiltRows(hunt) ?? { ref: tableRef(hunt.iocs) } },
    })),
    watchlists: pack.watchlists.map(({ alias, file, searchKey, rows, huntIds, url }) => ({
      alias,
      file,
      searchKey,
      rows,
      huntIds,
      url,
    })),
    skippedHunts: pack.skippedHunts,
    omittedIndicators: pack.omittedIndicators,
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

/** Returns the machine-readable form of a pack, as written to pack.json. */
export function packToJson(pack: Pack): Record<string, unknown> {
  return materializeStreamed(packJsonModel(pack)) as Record<string, unknown>;
}

/**
 * Above this many indicators pack.json is written without indentation, one list element per
 * line, and piece by piece, so that it never exists as one string.
 */
const INDENTED_PACK_LIMIT = 10_000;

/** The name pack.json is written under until it is complete. */
export const PARTIAL_PACK_FILE = 'pack.json.partial';

/** The file in a pack folder where `huntpack hunt --pack` writes its report by default. */
export const HUNT_REPORT_FILE = 'hunt-report.md';

/** Writes a pack into `outDir/<slug>/`, replacing an earlier build of the same pack. */
export async function writePack(pack: Pack, outDir: string): Promise<string> {
  const folder = join(outDir, pack.slug);
  // The earlier pack.json goes first and the new one is written last. A rebuild that fails
  // part-way then leaves no pack.json for a hunt to read, rather than an old one beside new files.
  await rm(join(folder, 'pack.json'), { force: true });
  // The hunt report that `huntpack hunt` wrote into the folder has findings of the earlier build's
  // hunts and indicators, which this build may no longer have.
  await rm(join(folder, HUNT_REPORT_FILE), { force: true });
  // Queries of an earlier build whose hunts no longer exist must not linger beside the new ones.
  await rm(join(folder, 'queries'), { recursive: true, force: true });
  await mkdir(join(folder, 'queries'), { recursive: true });
  for (const query of pack.queries) {
    await writeFile(join(folder, query.file), query.query, 'utf8');
  }
  await rm(join(folder, 'watchlists'), { recursive: true, force: true });
  if (pack.watchlists.length > 0) await mkdir(join(folder, 'watchlists'), { recursive: true });
  for (const watchlist of pack.watchlists) {
    await writeTextFile(join(folder, watchlist.file), (out) =>
      writeWatchlistCsv(watchlist.table, out),
    );
  }
  await writeFile(join(folder, 'report.md'), renderReport(pack), 'utf8');
  await writeTextFile(join(folder, 'indicators.csv'), (out) => writeIndicatorsCsv(pack, out));
  const model = packJsonModel(pack);
  // Written under another name and renamed when complete, so that a build stopped while its
  // writes are still in flight leaves no cut-short pack.json for a hunt to read.
  const partial = join(folder, PARTIAL_PACK_FILE);
  await writeTextFile(partial, (out) => {
    if (pack.indicators.length + pack.setAside.length > INDENTED_PACK_LIMIT) writeJson(model, out);
    else out.write(JSON.stringify(model, null, 2));
    out.write('\n');
  });
  await rename(partial, join(folder, 'pack.json'));
  return folder;
}
