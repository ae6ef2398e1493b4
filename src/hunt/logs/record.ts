/**
 * The contract between the format parsers and the reader. A parser turns one record (a line, a
 * CSV row or a JSON value) into an event, a skip or a rejection. It reports field problems
 * through the context without dropping the event.
 */
import { ADDRESS_COLUMNS, readAddress } from './address.js';
import { coerceColumnValue, type FieldWarningSink } from './columns.js';
import {
  alternativeRows,
  attachAlternativeValues,
  DEFENDER_LOG_TABLES,
  getLogTableColumns,
  type ColumnValue,
  type LogTable,
} from './event.js';
import type { TimeDefaults } from './log-time.js';
import type { PrefilterSpec } from '../event-prefilter.js';

/** Decides which parsed events a reader yields; the others are counted and dropped. */
export interface EventFilter {
  /** False when the event is not needed. */
  keeps(table: LogTable, columns: Readonly<Record<string, ColumnValue>>): boolean;
  /** Columns of `table` that `keeps` reads; undefined when it reads none. */
  columns(table: LogTable): readonly string[] | undefined;
  /** The filter as plain data, which lets worker threads apply it; see `parallel-cef.ts`. */
  readonly spec?: PrefilterSpec;
}

/**
 * Returns whether `filter` keeps the event's columns or one of the rows that their alternative
 * values give, because a hunt that matches any of those rows matches the event.
 */
export function filterKeepsEvent(
  filter: EventFilter,
  table: LogTable,
  columns: Readonly<Record<string, ColumnValue>>,
): boolean {
  if (filter.keeps(table, columns)) return true;
  return alternativeRows(columns).some((row) => filter.keeps(table, row));
}

/** Record location, defaults for incomplete times, and the receiver of field warnings. */
export interface RecordContext extends FieldWarningSink {
  file: string;
  line: number;
  time: TimeDefaults;
  /**
   * Filter of the events to yield. A parser may apply it itself and return `filtered`, so that
   * it can skip work for dropped events. The reader applies it to all other events.
   */
  filter?: EventFilter;
}

/** Result of parsing one record. */
export type RecordOutcome =
  | { kind: 'event'; table: LogTable; columns: Record<string, ColumnValue> }
  /** An event that the context's filter does not keep: counted, but not yielded. */
  | { kind: 'filtered'; table: LogTable }
  /**
   * A record that is not an event, such as a Zeek header or a log type that has no table, with
   * the log kind that local hunts do not read, such as the Zeek log path `x509`.
   */
  | { kind: 'skip'; reason: string; notHuntedLog?: string }
  /** The header row of a CSV file, which names the columns and is not counted as a record. */
  | { kind: 'header' }
  | { kind: 'reject'; code: string; message: string };

export function rejectRecord(code: string, message: string): RecordOutcome {
  return { kind: 'reject', code, message };
}

export function skipRecord(reason: string, notHuntedLog?: string): RecordOutcome {
  return notHuntedLog === undefined
    ? { kind: 'skip', reason }
    : { kind: 'skip', reason, notHuntedLog };
}

/**
 * Builds the columns of one event: values are converted to the column type, columns that the
 * table lacks are ignored, and empty values are left out.
 */
export class ColumnBuilder {
  readonly columns: Record<string, ColumnValue> = {};
  private readonly types;
  private readonly addressColumns;

  constructor(
    readonly table: LogTable,
    private readonly context: RecordContext,
  ) {
    this.types = getLogTableColumns(table);
    this.addressColumns = ADDRESS_COLUMNS[table];
  }

  /** Sets a column from a raw value; returns false when the value was empty or did not fit. */
  set(column: string, raw: unknown, time: TimeDefaults = this.context.time): boolean {
    if (this.addressColumns.has(column)) return this.setAddress(column, raw);
    const type = this.types.get(column);
    if (type === undefined) return false;
    const value = coerceColumnValue(type, column, raw, this.context, time);
    if (value === undefined) return false;
    this.columns[column] = value;
    return true;
  }

  /**
   * Sets an address column, taking the address out of `[ipv6]` and `address:port` text. The
   * port goes to the column's port column unless that is set already, and a port field set
   * later replaces it. A value that is not an address raises INVALID_ADDRESS and is left out.
   * `-`, which some logs write for a missing address, counts as empty.
   */
  private setAddress(column: string, raw: unknown): boolean {
    if (raw === null || raw === undefined) return false;
    const text = (typeof raw === 'string' ? raw : JSON.stringify(raw)).trim();
    if (text === '' || text === '-') return false;
    const reading = readAddress(column, text);
    if (!reading.ok) {
      this.context.warn('INVALID_ADDRESS', reading.message);
      return false;
    }
    this.columns[column] = reading.address;
    const portColumn = this.addressColumns.get(column);
    if (reading.port !== undefined && portColumn !== undefined && !this.has(portColumn)) {
      this.set(portColumn, reading.port);
    }
    return true;
  }

  /**
   * Sets an address column from the first of `texts` that reads as an address, as
   * {@link setAddress} does, and attaches the distinct addresses of the others as alternatives;
   * see {@link attachAlternativeValues}. A port written with one of the others is left out,
   * because the port column has one value. Returns false when no address was set.
   */
  setAddresses(column: string, texts: readonly string[]): boolean {
    let index = 0;
    while (index < texts.length && !this.setAddress(column, texts[index])) index++;
    if (index === texts.length) return false;

    const first = this.columns[column];
    const others: string[] = [];
    for (const text of texts.slice(index + 1)) {
      const reading = readAddress(column, text.trim());
      if (!reading.ok) {
        this.context.warn('INVALID_ADDRESS', reading.message);
      } else if (reading.address !== first && !others.includes(reading.address)) {
        others.push(reading.address);
      }
    }
    if (others.length > 0) attachAlternativeValues(this.columns, column, others);
    return true;
  }

  /**
   * Sets a column to the first of `raws` that has a value and attaches the distinct values of
   * the others as alternatives; see {@link attachAlternativeValues}. Address columns take
   * {@link setAddresses} instead. Returns false when no value was set.
   */
  setWithAlternatives(column: string, raws: readonly unknown[]): boolean {
    const type = this.types.get(column);
    if (type === undefined || this.addressColumns.has(column)) return false;
    const values: ColumnValue[] = [];
    for (const raw of raws) {
      const value = coerceColumnValue(type, column, raw, this.context, this.context.time);
      if (value !== undefined && !values.includes(value)) values.push(value);
    }
    if (values.length === 0) return false;
    this.columns[column] = values[0]!;
    if (values.length > 1) attachAlternativeValues(this.columns, column, values.slice(1));
    return true;
  }

  /** Sets the table's time columns from a Date. */
  setTime(date: Date): void {
    this.columns.TimeGenerated = date;
    if (DEFENDER_LOG_TABLES.includes(this.table)) this.columns.Timestamp = date;
  }

  has(column: string): boolean {
    return this.columns[column] !== undefined;
  }

  toOutcome(): RecordOutcome {
    return { kind: 'event', table: this.table, columns: this.columns };
  }
}

/** Joins unmapped fields the way Sentinel fills AdditionalExtensions: `key=value;key=value`. */
export function joinExtensions(pairs: string[]): string | undefined {
  return pairs.length === 0 ? undefined : pairs.join(';');
}
