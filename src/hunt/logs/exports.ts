/**
 * Reads rows exported from Sentinel and Defender: CommonSecurityLog and DeviceNetworkEvents as
 * CSV (Log Analytics or advanced hunting export), JSON arrays, JSON lines, and the Event Hub
 * streaming-API envelope `{"time", "category": "AdvancedHunting-<Table>", "properties": {...}}`.
 * Columns are matched by name, so any column order and any subset of columns works.
 */
import { quoteValue } from '../../errors.js';
import type { LogTable } from './event.js';
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

/** Creates the header and row parsers of a CSV export of a table. */
export function createCsvExportParser(table: LogTable) {
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
      return buildExportEvent(table, fields, { ...context, time: time ?? context.time });
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one JSON export object, unwrapping an Event Hub envelope. */
export function parseJsonExport(
  table: LogTable,
  value: unknown,
  context: RecordContext,
): RecordOutcome {
  if (!isRecord(value)) {
    return rejectRecord('NOT_AN_OBJECT', `Expected a JSON object, found ${quoteValue(value)}.`);
  }
  let row = value;
  if (typeof value.category === 'string' && isRecord(value.properties)) {
    if (value.category !== `AdvancedHunting-${table}`) {
      return skipRecord(`OTHER_TABLE`);
    }
    row = { ...value.properties };
    row.Timestamp ??= value.time;
  }
  const fields = Object.entries(row).map(([name, cell]): [string, unknown] => [
    COLUMN_ALIASES[name] ?? name,
    cell,
  ]);
  return buildExportEvent(table, fields, context);
}

function buildExportEvent(
  table: LogTable,
  fields: Array<[string, unknown]>,
  context: RecordContext,
): RecordOutcome {
  const builder = new ColumnBuilder(table, context);
  for (const [name, cell] of fields) {
    if (name === 'TimeGenerated' || name === 'Timestamp') continue;
    builder.set(name, cell);
  }
  if (table === 'DeviceNetworkEvents' && !isNetworkRow(builder)) {
    const actionType = builder.columns.ActionType;
    // A DeviceEvents row of a mixed export that a pack's KQL hunts read, such as a firewall
    // block, gets its own reason, so that the summary can warn that those rows were not hunted here.
    if (typeof actionType === 'string' && DEVICE_EVENTS_ACTION_TYPES.has(actionType)) {
      return skipRecord(DEVICE_EVENTS_ROW);
    }
    return skipRecord('NOT_A_NETWORK_EVENT');
  }
  setExportTime(builder, fields, context);
  return builder.toOutcome();
}

/**
 * Returns whether a Defender row belongs in DeviceNetworkEvents. A row with the ActionType of
 * another table is not, even when it has a RemoteIP (DeviceLogonEvents rows do).
 */
function isNetworkRow(builder: ColumnBuilder): boolean {
  const actionType = builder.columns.ActionType;
  if (typeof actionType === 'string') return isNetworkActionType(actionType);
  return builder.has('RemoteIP') || builder.has('RemoteUrl');
}

/** Sets the time columns from Timestamp or TimeGenerated, whichever the export has. */
function setExportTime(
  builder: ColumnBuilder,
  fields: Array<[string, unknown]>,
  context: RecordContext,
): void {
  const timeColumns =
    builder.table === 'DeviceNetworkEvents' ? ['Timestamp', 'TimeGenerated'] : ['TimeGenerated'];
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
