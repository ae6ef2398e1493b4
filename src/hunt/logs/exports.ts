/**
 * Reads rows exported from Sentinel and Defender: CommonSecurityLog, and the DeviceNetworkEvents,
 * DeviceFileEvents and DeviceProcessEvents rows of an advanced hunting export, as CSV (Log
 * Analytics or advanced hunting export), JSON arrays, JSON lines, and the Event Hub streaming-API
 * envelope `{"time", "category": "AdvancedHunting-<Table>", "properties": {...}}`. Columns are
 * matched by name, so any column order and any subset of columns works. An advanced hunting
 * export may hold the rows of several tables (a `union`), so each row goes to its table by its
 * ActionType.
 */
import { quoteValue } from '../../errors.js';
import { DEFENDER_LOG_TABLES, type LogTable } from './event.js';
import type { TimeDefaults } from './log-time.js';
import {
  ColumnBuilder,
  rejectRecord,
  skipRecord,
  type RecordContext,
  type RecordOutcome,
} from './record.js';
import { DEVICE_EVENTS_NETWORK_ACTION_TYPES } from '../../pipeline/data-sources.js';

/** The skip reason of a DeviceEvents row that the packs' DeviceEvents hunts would read. */
export const DEVICE_EVENTS_ROW = 'DEVICE_EVENTS_NOT_HUNTED_HERE';

const DEVICE_EVENTS_ACTION_TYPES: ReadonlySet<string> = new Set(DEVICE_EVENTS_NETWORK_ACTION_TYPES);

/** The skip reason of a UrlClickEvents row, which the packs' UrlClickEvents hunts read. */
export const URL_CLICK_ROW = 'URL_CLICK_EVENTS_NOT_HUNTED_HERE';

/**
 * UrlClickEvents ActionType values. ClickAllowed, ClickBlocked and UrlErrorPage occur in the
 * mixed export fixture. Public write-ups of the table and plaso's Defender advanced hunting
 * parser list two more, ClickBlockedByTenantPolicy and UrlScanInProgress. A click row of a type
 * added later is still caught by its UrlChain.
 */
const URL_CLICK_ACTION_TYPES: ReadonlySet<string> = new Set([
  'ClickAllowed',
  'ClickBlocked',
  'ClickBlockedByTenantPolicy',
  'UrlErrorPage',
  'UrlScanInProgress',
]);

/** Export column names that differ from the table column. */
const COLUMN_ALIASES: Record<string, string> = {
  // The Defender portal export splits the long ReportId into two columns.
  ReportId_long: 'ReportId',
};

/**
 * DeviceNetworkEvents ActionType values, from the Defender advanced hunting schema reference.
 * Every `...ConnectionInspected` and `...Inspected` type of network protection also counts.
 */
const NETWORK_ACTION_TYPES = new Set([
  'ConnectionSuccess',
  'ConnectionFailed',
  'ConnectionRequest',
  'ConnectionFound',
  'ConnectionAttempt',
  'ConnectionAcknowledged',
  'InboundConnectionAccepted',
  'InboundConnectionAttempt',
  'ListeningConnectionCreated',
]);

function isNetworkActionType(actionType: string): boolean {
  return NETWORK_ACTION_TYPES.has(actionType) || actionType.endsWith('Inspected');
}

/** DeviceFileEvents ActionType values, from the Defender advanced hunting schema reference. */
const FILE_ACTION_TYPES = new Set(['FileCreated', 'FileModified', 'FileRenamed', 'FileDeleted']);

/**
 * The ActionType of DeviceProcessEvents rows. Other process ActionTypes, such as
 * `ProcessCreatedUsingWmiQuery`, are left to DeviceEvents.
 */
const PROCESS_ACTION_TYPE = 'ProcessCreated';

/** The ActionType of DeviceImageLoadEvents rows: a DLL or other image loaded into a process. */
const IMAGE_LOAD_ACTION_TYPE = 'ImageLoaded';

/**
 * The kind of an export: CommonSecurityLog, whose rows all go to that table, or a Defender
 * advanced hunting export, whose rows go to the Defender table that their ActionType names.
 */
export type ExportSource = 'CommonSecurityLog' | 'Defender';

/** Parses the header row of an export, reading `Name [UTC]` as column Name with UTC times. */
export function readExportHeader(names: string[]): { columns: string[]; utc: boolean } {
  let utc = false;
  const columns = names.map((raw) => {
    let name = raw.replace(/^\uFEFF/, '').trim();
    const zone = /^(.*?)\s*\[(UTC)\]$/i.exec(name);
    if (zone) {
      name = zone[1] ?? name;
      utc = true;
    }
    return COLUMN_ALIASES[name] ?? name;
  });
  return { columns, utc };
}

/** Creates the header and row parsers of a CSV export. */
export function createCsvExportParser(source: ExportSource) {
  let columns: string[] = [];
  let time: TimeDefaults | undefined;
  return {
    source: 'csv' as const,
    header(names: string[], context: RecordContext): RecordOutcome | undefined {
      const header = readExportHeader(names);
      columns = header.columns;
      // A `[UTC]` header states that the export shows every time in UTC.
      time = header.utc
        ? { ...context.time, timeZone: { kind: 'fixed', offsetMinutes: 0 } }
        : undefined;
      if (!columns.includes('TimeGenerated') && !columns.includes('Timestamp')) {
        return rejectRecord(
          'MISSING_TIME_COLUMN',
          `CSV header has no TimeGenerated or Timestamp column, so events would have no time. Header starts ${quoteValue(names.slice(0, 5).join(','))}.`,
        );
      }
      return undefined;
    },
    parse(row: string[], context: RecordContext): RecordOutcome {
      if (row.length !== columns.length) {
        return rejectRecord(
          'COLUMN_COUNT_MISMATCH',
          `CSV row has ${row.length} fields but the header has ${columns.length}.`,
        );
      }
      const fields: Array<[string, unknown]> = columns.map((name, index) => [name, row[index]]);
      return buildExportEvent(source, fields, { ...context, time: time ?? context.time });
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one JSON export object, unwrapping an Event Hub envelope. */
export function parseJsonExport(
  source: ExportSource,
  value: unknown,
  context: RecordContext,
): RecordOutcome {
  if (!isRecord(value)) {
    return rejectRecord('NOT_AN_OBJECT', `Expected a JSON object, found ${quoteValue(value)}.`);
  }
  let row = value;
  let envelopeTable: LogTable | undefined;
  if (typeof value.category === 'string' && isRecord(value.properties)) {
    const tableName = value.category.replace(/^AdvancedHunting-/, '');
    if (tableName === 'UrlClickEvents') return skipRecord(URL_CLICK_ROW);
    const table = tableName as LogTable;
    const tables: readonly LogTable[] =
      source === 'Defender' ? DEFENDER_LOG_TABLES : ['CommonSecurityLog'];
    if (!tables.includes(table)) return skipRecord(`OTHER_TABLE`);
    envelopeTable = table;
    row = { ...value.properties };
    row.Timestamp ??= value.time;
  }
  const fields = Object.entries(row).map(([name, cell]): [string, unknown] => [
    COLUMN_ALIASES[name] ?? name,
    cell,
  ]);
  return buildExportEvent(source, fields, context, envelopeTable);
}

/**
 * Builds the event of one exported row. `envelopeTable` is the table that an Event Hub
 * envelope names. Without one, a Defender row goes to the table of its ActionType.
 */
function buildExportEvent(
  source: ExportSource,
  fields: Array<[string, unknown]>,
  context: RecordContext,
  envelopeTable?: LogTable,
): RecordOutcome {
  let table: LogTable = 'CommonSecurityLog';
  if (source === 'Defender') {
    const routed = envelopeTable === undefined ? defenderTableOf(fields) : { table: envelopeTable };
    if ('skip' in routed) return skipRecord(routed.skip);
    table = routed.table;
  }
  const builder = new ColumnBuilder(table, context);
  for (const [name, cell] of fields) {
    if (name === 'TimeGenerated' || name === 'Timestamp') continue;
    builder.set(name, cell);
  }
  setExportTime(builder, fields, context);
  return builder.toOutcome();
}

/** Returns whether a cell has a value. */
function filled(cell: unknown): boolean {
  return cell !== undefined && cell !== null && cell !== '';
}

/**
 * Returns the Defender table of an exported row, by its ActionType, or the skip reason of a row
 * of a table that local hunts do not read. A row without an ActionType goes by its
 * columns: a remote address or URL makes it a network row, and a file hash a file row, or a
 * process row with a command line.
 */
function defenderTableOf(
  fields: ReadonlyArray<[string, unknown]>,
): { table: LogTable } | { skip: string } {
  const cells = new Map(fields);
  const actionType = cells.get('ActionType');
  if (typeof actionType === 'string' && actionType !== '') {
    if (isNetworkActionType(actionType)) return { table: 'DeviceNetworkEvents' };
    if (FILE_ACTION_TYPES.has(actionType)) return { table: 'DeviceFileEvents' };
    if (actionType === PROCESS_ACTION_TYPE) return { table: 'DeviceProcessEvents' };
    if (actionType === IMAGE_LOAD_ACTION_TYPE) return { table: 'DeviceImageLoadEvents' };
    // A DeviceEvents row of a mixed export that a pack's KQL hunts read, such as a firewall
    // block, gets its own reason, so that the summary can warn that those rows were not hunted here.
    if (DEVICE_EVENTS_ACTION_TYPES.has(actionType)) return { skip: DEVICE_EVENTS_ROW };
    if (URL_CLICK_ACTION_TYPES.has(actionType)) return { skip: URL_CLICK_ROW };
    return { skip: 'NOT_HUNTED_TABLE' };
  }
  // UrlChain is a column of UrlClickEvents alone.
  if (filled(cells.get('UrlChain'))) return { skip: URL_CLICK_ROW };
  if (filled(cells.get('RemoteIP')) || filled(cells.get('RemoteUrl'))) {
    return { table: 'DeviceNetworkEvents' };
  }
  if (['SHA256', 'SHA1', 'MD5'].some((name) => filled(cells.get(name)))) {
    const process = filled(cells.get('ProcessCommandLine'));
    return { table: process ? 'DeviceProcessEvents' : 'DeviceFileEvents' };
  }
  return { skip: 'NOT_HUNTED_TABLE' };
}

/** Sets the time columns from Timestamp or TimeGenerated, whichever the export has. */
function setExportTime(
  builder: ColumnBuilder,
  fields: Array<[string, unknown]>,
  context: RecordContext,
): void {
  const timeColumns = DEFENDER_LOG_TABLES.includes(builder.table)
    ? ['Timestamp', 'TimeGenerated']
    : ['TimeGenerated'];
  for (const column of timeColumns) {
    const cell = fields.find(([name]) => name === column)?.[1];
    if (cell === undefined || cell === null || cell === '') continue;
    if (!builder.set('TimeGenerated', cell)) return;
    builder.setTime(builder.columns.TimeGenerated as Date);
    return;
  }
  context.warn(
    'MISSING_TIME',
    `Row has no ${timeColumns.join(' or ')} value, so its time is empty.`,
  );
}
