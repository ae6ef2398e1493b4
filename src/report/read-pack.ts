/**
 * Reads the hunts of a written pack back from its `pack.json`, for backends and the local hunt.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IocTableSource } from '../compile/ioc-table-rows.js';
import { buildIocTables } from '../compile/ioc-tables.js';
import type { Hunt, HuntVariant, IocTable } from '../compile/ir.js';
import { ConfigError } from '../errors.js';
import type { ThreatGroupKind } from '../indicators/model.js';
import { PACK_FORMAT_VERSION, type RebuiltRows } from './write-pack.js';

/** The pack.json form of an indicator, with the fields that the indicator tables read. */
interface IndicatorJson {
  kind?: string;
  value?: string;
  address?: string;
  port?: number;
  threatType?: string;
  confidence?: number;
  firstSeen?: string;
  exactOnly?: { list?: unknown; entry?: unknown; reason?: unknown; urlOnly?: unknown };
  isCompromised?: unknown;
}

type StoredIocs = Hunt['iocs'] | { ref: string } | RebuiltRows;

interface PackJson {
  formatVersion?: number;
  family?: { kind?: unknown };
  counts?: { indicators?: number };
  indicators?: IndicatorJson[];
  hunts?: Array<{ id?: string; form?: Omit<Hunt, 'iocs'> & { iocs: StoredIocs } }>;
  iocTables?: Record<string, Hunt['iocs']>;
}

async function readPackJson(file: string): Promise<PackJson> {
  let parsed: PackJson;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as PackJson;
  } catch (error) {
    throw new ConfigError(
      'INVALID_PACK',
      `Cannot read pack ${file}: ${(error as Error).message}. Build it with "huntpack build".`,
      { cause: error },
    );
  }
  const version = parsed.formatVersion;
  if (typeof version === 'number' && version > PACK_FORMAT_VERSION) {
    throw new ConfigError(
      'UNSUPPORTED_PACK_VERSION',
      `Pack ${file} has format version ${version}, but this huntpack reads versions up to ` +
        `${PACK_FORMAT_VERSION}. Update huntpack, or rebuild the pack with this version.`,
    );
  }
  return parsed;
}

/**
 * Returns the fields of a pack.json indicator that its table rows are made of. The pack.json
 * form gives an ip, domain, URL or hash only as `value`.
 */
function tableSource(indicator: IndicatorJson, index: number, file: string): IocTableSource {
  const context = {
    threatType: indicator.threatType,
    confidence: indicator.confidence,
    firstSeen: indicator.firstSeen === undefined ? undefined : new Date(indicator.firstSeen),
    exactOnly: exactOnlyOf(indicator),
    isCompromised: indicator.isCompromised === true ? true : undefined,
  };
  const value = indicator.value;
  const kind = indicator.kind;
  if (typeof value === 'string') {
    switch (kind) {
      case 'ip':
        return { ...context, kind, address: value };
      case 'ip-port':
        if (typeof indicator.address === 'string' && typeof indicator.port === 'number')
          return { ...context, kind, address: indicator.address, port: indicator.port };
        break;
      case 'domain':
        return { ...context, kind, domain: value };
      case 'url':
        return { ...context, kind, url: value };
      case 'md5':
      case 'sha1':
      case 'sha256':
        return { ...context, kind, hash: value };
    }
  }
  throw new ConfigError(
    'INVALID_PACK',
    `Indicator ${index + 1} in ${file} has an unknown kind or lacks its value, address or port; ` +
      'rebuild the pack with "huntpack build".',
  );
}

/** Returns an indicator's `exactOnly`, which only its presence decides, with text fields. */
function exactOnlyOf(indicator: IndicatorJson): IocTableSource['exactOnly'] {
  const stored = indicator.exactOnly;
  if (stored === undefined || stored === null) return undefined;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const exactOnly = {
    list: text(stored.list),
    entry: text(stored.entry),
    reason: text(stored.reason),
  };
  return stored.urlOnly === true ? { ...exactOnly, urlOnly: true } : exactOnly;
}

/** Returns the indicator table of each hunt variant, rebuilt from the pack's indicators. */
function rebuildTables(parsed: PackJson, file: string): Record<HuntVariant, IocTable> {
  const indicators = parsed.indicators ?? [];
  // The hunts name rows by position, so an indicator added or removed after the build would
  // shift them onto other indicators.
  const counted = parsed.counts?.indicators;
  if (typeof counted === 'number' && counted !== indicators.length) {
    throw new ConfigError(
      'INVALID_PACK',
      `${file} lists ${indicators.length} indicators but was built with ${counted}, so it was changed after the build and its hunts would read the wrong rows. Rebuild the pack with "huntpack build".`,
    );
  }
  // Packs of earlier formats were built without some of the rows derived from other rows.
  const version = parsed.formatVersion;
  return buildIocTables(
    indicators.map((indicator, index) => tableSource(indicator, index, file)),
    { formatVersion: typeof version === 'number' ? version : PACK_FORMAT_VERSION },
  );
}

/** Returns rows `start` to `end` of a rebuilt table, or undefined when it has no such rows. */
function rowsOf(
  tables: Record<HuntVariant, IocTable>,
  { variant, start, end }: RebuiltRows,
): IocTable | undefined {
  const table = Object.hasOwn(tables, variant) ? tables[variant] : undefined;
  if (!table || !(Number.isInteger(start) && start >= 0 && end >= start)) return undefined;
  if (end > table.rows.length) return undefined;
  if (start === 0 && end === table.rows.length) return table;
  return { columns: table.columns, rows: table.rows.slice(start, end) };
}

/** Returns a pack.json `family.kind` when it is a threat group kind, else undefined. */
function threatGroupKindOf(kind: unknown): ThreatGroupKind | undefined {
  return kind === 'campaign' || kind === 'intrusion-set' || kind === 'threat-actor'
    ? kind
    : undefined;
}

/** Turns the datetime cells of a table listed in pack.json back into Dates, in place. */
function reviveDates(table: IocTable): void {
  const dateColumns = table.columns.flatMap((column, index) =>
    column.type === 'datetime' ? [index] : [],
  );
  for (const row of table.rows) {
    for (const index of dateColumns) {
      const cell = row[index];
      if (typeof cell === 'string') row[index] = new Date(cell);
    }
  }
}

/**
 * Returns the backend-neutral hunts of the pack in `folder`. Reads pack.json of format versions
 * 2 to {@link PACK_FORMAT_VERSION}: an indicator table is listed in `iocTables`, given in the
 * hunt's form, or rebuilt from the indicators, with datetime cells as Dates.
 *
 * @throws ConfigError when the folder has no readable pack.json, its format version is newer
 *   than this huntpack reads, or a hunt lacks its form or its indicator table.
 */
export async function readPackHunts(folder: string): Promise<Hunt[]> {
  const file = join(folder, 'pack.json');
  const parsed = await readPackJson(file);
  let rebuilt: Record<HuntVariant, IocTable> | undefined;
  const revived = new Set<IocTable>();
  const hunts: Hunt[] = [];
  const groupKind = threatGroupKindOf(parsed.family?.kind);
  for (const entry of parsed.hunts ?? []) {
    const stored = entry.form;
    const storedIocs = stored?.iocs;
    let iocs: IocTable | undefined;
    if (storedIocs === undefined) {
      iocs = undefined;
    } else if ('variant' in storedIocs) {
      // Rebuilt tables have Dates already.
      rebuilt ??= rebuildTables(parsed, file);
      iocs = rowsOf(rebuilt, storedIocs);
    } else {
      iocs = 'ref' in storedIocs ? parsed.iocTables?.[storedIocs.ref] : storedIocs;
      // Hunts share listed tables, and each table's dates are revived once.
      if (iocs && !revived.has(iocs)) {
        reviveDates(iocs);
        revived.add(iocs);
      }
    }
    if (!stored || !iocs) {
      throw new ConfigError(
        'INVALID_PACK',
        `Hunt ${entry.id ?? '?'} in ${file} has no "form" or no indicator table; rebuild the ` +
          'pack with this huntpack version.',
      );
    }
    const { familyKind: storedKind, ...form } = stored;
    const hunt: Hunt = { ...form, iocs };
    // A kind that is no threat group kind, as a hand edit could write, is left out.
    const familyKind = threatGroupKindOf(storedKind) ?? groupKind;
    if (familyKind !== undefined) hunt.familyKind = familyKind;
    hunts.push(hunt);
  }
  return hunts;
}
