/**
 * The event shape that every log reader produces: one row of a Sentinel table, with the
 * columns named as in `data/schemas/<Table>.json`, plus the file and line it came from.
 */
import { getTableSchema } from '../../pipeline/schemas.js';
import type { ColumnType } from '../../compile/ir.js';

/** Tables that the log readers fill. */
export type LogTable =
  | 'CommonSecurityLog'
  | 'DeviceNetworkEvents'
  | 'DeviceFileEvents'
  | 'DeviceProcessEvents'
  | 'DeviceImageLoadEvents'
  | 'DnsEvents';

/** The Defender tables, whose rows have a Timestamp beside TimeGenerated. */
export const DEFENDER_LOG_TABLES: readonly LogTable[] = [
  'DeviceNetworkEvents',
  'DeviceFileEvents',
  'DeviceProcessEvents',
  'DeviceImageLoadEvents',
];

/**
 * A column value. Strings are kept as found apart from trimming. Int and real columns contain
 * numbers. Long columns contain a number, or the exact decimal text when the value lies outside
 * ±2^53, which DuckDB casts without loss. Datetime columns contain a Date, and dynamic columns
 * contain JSON text. An absent or empty value is left out of `columns` rather than stored as "".
 */
export type ColumnValue = string | number | boolean | Date | null;

/** One parsed log record, ready to load into the table named by `table`. */
export interface LogEvent {
  table: LogTable;
  /** Only columns that exist in the table schema. */
  columns: Record<string, ColumnValue>;
  /** File path as expanded from the caller's paths, and the 1-based line the record starts on. */
  source: { file: string; line: number };
}

/**
 * Key of the connection id that a reader attaches to the columns of an event whose table has no
 * column for it, such as the Zeek `uid` or Suricata `flow_id` of a DnsEvents row. A symbol key
 * stays out of `Object.keys`, JSON and the rows loaded into DuckDB, but it follows the columns
 * object, and spreading the object copies it.
 */
const CONNECTION_ID = Symbol('connectionId');

type WithConnectionId = Record<string, ColumnValue> & { [CONNECTION_ID]?: string };

/** Attaches a connection id, such as `zeek:CdX` or `suricata:1684780223079543`, to columns. */
export function attachConnectionId(columns: Record<string, ColumnValue>, id: string): void {
  (columns as WithConnectionId)[CONNECTION_ID] = id;
}

/** Returns the connection id attached with {@link attachConnectionId}, if any. */
export function attachedConnectionId(
  columns: Readonly<Record<string, ColumnValue>>,
): string | undefined {
  return (columns as Readonly<WithConnectionId>)[CONNECTION_ID];
}

/**
 * Key of the other values that a reader found for a column of an event, beside the one in
 * `columns`. A Suricata fileinfo event logs the SHA256, SHA1 and MD5 of one file, but
 * CommonSecurityLog has one FileHash column, so the SHA1 and MD5 go here. A Zeek files.log
 * record of Zeek before 5.1 lists every sender and receiver of a file, so the addresses after
 * the first go here too. A symbol key keeps them out of `Object.keys`, JSON and the rows loaded
 * into DuckDB, as for the connection id.
 */
const ALTERNATIVE_VALUES = Symbol('alternativeValues');

interface AlternativeValues {
  column: string;
  values: readonly ColumnValue[];
}

type WithAlternativeValues = Record<string, ColumnValue> & {
  [ALTERNATIVE_VALUES]?: readonly AlternativeValues[];
};

/** Attaches other values of `column` to an event's columns, replacing any attached before. */
export function attachAlternativeValues(
  columns: Record<string, ColumnValue>,
  column: string,
  values: readonly ColumnValue[],
): void {
  const withAlternatives = columns as WithAlternativeValues;
  const others = (withAlternatives[ALTERNATIVE_VALUES] ?? []).filter(
    (entry) => entry.column !== column,
  );
  withAlternatives[ALTERNATIVE_VALUES] = [...others, { column, values }];
}

const NO_ROWS: ReadonlyArray<Record<string, ColumnValue>> = [];

/**
 * Returns one copy of `columns` per value attached with {@link attachAlternativeValues}, with
 * that value in its column and the other columns as they are, or an empty list when none is
 * attached. An event matches a hunt when its columns or one of these rows do, and a hunt's
 * exclusions remove its hit when one is true for any of them. The copies keep the connection id
 * but no alternatives.
 */
export function alternativeRows(
  columns: Readonly<Record<string, ColumnValue>>,
): ReadonlyArray<Record<string, ColumnValue>> {
  const alternatives = (columns as Readonly<WithAlternativeValues>)[ALTERNATIVE_VALUES];
  if (alternatives === undefined) return NO_ROWS;
  return alternatives.flatMap(({ column, values }) =>
    values.map((value) => {
      const row: WithAlternativeValues = { ...columns, [column]: value };
      delete row[ALTERNATIVE_VALUES];
      return row;
    }),
  );
}

/** Columns that hold the event time: `TimeGenerated`, and also `Timestamp` for Defender rows. */
export const TIME_COLUMNS: Record<LogTable, readonly string[]> = {
  CommonSecurityLog: ['TimeGenerated'],
  DeviceNetworkEvents: ['Timestamp', 'TimeGenerated'],
  DeviceFileEvents: ['Timestamp', 'TimeGenerated'],
  DeviceProcessEvents: ['Timestamp', 'TimeGenerated'],
  DeviceImageLoadEvents: ['Timestamp', 'TimeGenerated'],
  DnsEvents: ['TimeGenerated'],
};

const columnTypeCache = new Map<LogTable, ReadonlyMap<string, ColumnType>>();

/** Returns the column names and Kusto types of a log table, read once from its schema file. */
export function getLogTableColumns(table: LogTable): ReadonlyMap<string, ColumnType> {
  let columns = columnTypeCache.get(table);
  if (!columns) {
    columns = new Map(getTableSchema(table).columns.map((column) => [column.name, column.type]));
    columnTypeCache.set(table, columns);
  }
  return columns;
}
