/**
 * Counts what the readers did with every record, so that a run reconciles:
 * linesRead = eventsParsed + linesRejected + linesSkipped.
 */
import type { HuntpackIssue } from '../../errors.js';
import type { LogFormat } from './detect-format.js';
import type { SameFileNames } from './log-input.js';
import type { ColumnValue, LogTable } from './event.js';
import { filterKeepsEvent, type EventFilter, type RecordOutcome } from './record.js';
import { notHuntedLog } from './zeek.js';

/**
 * Unit of the record counts of one file. A record is a line (CEF, Zeek, JSON lines), a CSV
 * record (a row, which may span lines inside quotes) or an element of a JSON array. It is also
 * one of several JSON values written across lines, or a record of an Event Hub batch.
 */
export type RecordUnit = 'line' | 'csv-record' | 'array-element' | 'json-value' | 'batch-record';

/** Singular and plural of each unit, as messages name them. */
const RECORD_UNIT_NAMES: Record<RecordUnit, [one: string, many: string]> = {
  line: ['line', 'lines'],
  'csv-record': ['CSV record', 'CSV records'],
  'array-element': ['array element', 'array elements'],
  'json-value': ['JSON value', 'JSON values'],
  'batch-record': ['Event Hub record', 'Event Hub records'],
};

/** Counts for one file. */
export interface LogFileStats {
  file: string;
  /** Format used, or undefined when the file could not be read or recognized. */
  format: LogFormat | undefined;
  /** Unit of `linesRead` and the other counts of this file; `line` until the reader sets it. */
  recordUnit: RecordUnit;
  linesRead: number;
  eventsParsed: number;
  linesRejected: number;
  linesSkipped: number;
  /** True when the file is CSV and its header row was read; the header is not in the counts. */
  csvHeader?: true;
  /**
   * Set when the file had events of a table with hunts but none had a value in a column those
   * hunts compare: the table and the columns.
   */
  withoutValues?: { table: string; columns: string[] };
  /**
   * Set when records were skipped as a log kind that local hunts do not read: the kind, such as
   * `Zeek x509`, and why it is not read.
   */
  notHunted?: { kind: string; reason: string };
}

/** Counts and first problems of a whole `readLogs` run. Complete once iteration has ended. */
export interface LogReadStats {
  files: LogFileStats[];
  /**
   * Records read: one per line, except that a record of a JSON array or a CSV row with line
   * breaks inside quotes counts once, however many lines it spans. The header row of a CSV file
   * is not counted, unless it is rejected.
   */
  linesRead: number;
  eventsParsed: number;
  /** Events parsed per table, counting those that a filter dropped. */
  eventsByTable: Partial<Record<LogTable, number>>;
  linesRejected: number;
  /** Records that are not events (blank lines, Zeek `#` headers, other log types), by reason. */
  linesSkipped: number;
  rejectedByReason: Record<string, number>;
  skippedByReason: Record<string, number>;
  /** Field problems in kept events (such as an invalid port), by code. */
  fieldWarnings: number;
  fieldWarningsByReason: Record<string, number>;
  /** The first rejections, each with file and line. */
  rejections: HuntpackIssue[];
  /** The first field warnings, each with file and line. */
  warnings: HuntpackIssue[];
  /**
   * Files that could not be found, recognized or read to the end, and JSON files read through a
   * field map whose objects have none of its fields (MAPPED_FIELDS_NOT_FOUND) or lack some of
   * them (MAPPED_FIELD_MISSING).
   */
  fileErrors: HuntpackIssue[];
  /** Files that the inputs named more than once, each read once under its first name. */
  sameFiles: SameFileNames[];
  /**
   * Hidden files and folders (names that start with a dot) below the folder inputs, which were
   * not read. A folder ends with the path separator.
   */
  hiddenEntries: string[];
  /** Symlinks below the log inputs to a folder that contains them, which the walk did not follow. */
  loopLinks: string[];
}

/**
 * Returns why no event was read from a file that was read: `the file is empty`, or the counts
 * of its records in their unit, such as `3 lines read, 0 rejected and 3 skipped`.
 */
export function describeNoEvents(file: LogFileStats): string {
  if (file.notHunted !== undefined) {
    const { kind, reason } = file.notHunted;
    return `it is a ${kind} log, which local hunts do not read, because ${reason}`;
  }
  if (file.linesRead === 0) {
    if (file.recordUnit === 'array-element') return 'the JSON array is empty';
    if (file.csvHeader) return 'the CSV file has a header row and no records';
    if (file.recordUnit === 'batch-record') return 'the Event Hub batches contain no record';
    return 'the file is empty';
  }
  const [one, many] = RECORD_UNIT_NAMES[file.recordUnit];
  const records = `${file.linesRead} ${file.linesRead === 1 ? one : many}`;
  return `${records} read, ${file.linesRejected} rejected and ${file.linesSkipped} skipped`;
}

/**
 * Returns the files that were recognized and read to the end but gave no event, such as an
 * empty export. A file with a file error is left out, because that error is reported instead.
 */
export function filesWithoutEvents(stats: LogReadStats): LogFileStats[] {
  const failed = new Set(stats.fileErrors.map((issue) => issue.source?.file));
  return stats.files.filter(
    (file) => file.format !== undefined && file.eventsParsed === 0 && !failed.has(file.file),
  );
}

export function createLogReadStats(): LogReadStats {
  return {
    files: [],
    linesRead: 0,
    eventsParsed: 0,
    eventsByTable: {},
    linesRejected: 0,
    linesSkipped: 0,
    rejectedByReason: {},
    skippedByReason: {},
    fieldWarnings: 0,
    fieldWarningsByReason: {},
    rejections: [],
    warnings: [],
    fileErrors: [],
    sameFiles: [],
    hiddenEntries: [],
    loopLinks: [],
  };
}

function increment(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Updates the run totals and the current file's counts together. */
export class LogStatsRecorder {
  constructor(
    readonly stats: LogReadStats,
    private readonly maxIssues: number,
  ) {}

  startFile(file: string, format: LogFormat | undefined): LogFileStats {
    const fileStats: LogFileStats = {
      file,
      format,
      recordUnit: 'line',
      linesRead: 0,
      eventsParsed: 0,
      linesRejected: 0,
      linesSkipped: 0,
    };
    this.stats.files.push(fileStats);
    return fileStats;
  }

  event(fileStats: LogFileStats, table: LogTable): void {
    this.stats.linesRead++;
    this.stats.eventsParsed++;
    this.stats.eventsByTable[table] = (this.stats.eventsByTable[table] ?? 0) + 1;
    fileStats.linesRead++;
    fileStats.eventsParsed++;
  }

  skip(fileStats: LogFileStats, reason: string): void {
    this.stats.linesRead++;
    this.stats.linesSkipped++;
    fileStats.linesRead++;
    fileStats.linesSkipped++;
    increment(this.stats.skippedByReason, reason);
  }

  reject(fileStats: LogFileStats, line: number, code: string, message: string): void {
    this.stats.linesRead++;
    this.stats.linesRejected++;
    fileStats.linesRead++;
    fileStats.linesRejected++;
    increment(this.stats.rejectedByReason, code);
    if (this.stats.rejections.length < this.maxIssues) {
      this.stats.rejections.push({
        code,
        severity: 'error',
        message,
        source: { file: fileStats.file, line },
      });
    }
  }

  warn(file: string, line: number, code: string, message: string): void {
    this.stats.fieldWarnings++;
    increment(this.stats.fieldWarningsByReason, code);
    if (this.stats.warnings.length < this.maxIssues) {
      this.stats.warnings.push({ code, severity: 'warning', message, source: { file, line } });
    }
  }

  fileError(issue: HuntpackIssue): void {
    this.stats.fileErrors.push(issue);
  }

  /**
   * Counts the outcome of the record at `line` and returns the event to yield: an event that
   * `filter` keeps, else undefined.
   */
  outcome(
    fileStats: LogFileStats,
    line: number,
    outcome: RecordOutcome,
    filter: EventFilter | undefined,
  ): { table: LogTable; columns: Record<string, ColumnValue> } | undefined {
    switch (outcome.kind) {
      case 'event':
        this.event(fileStats, outcome.table);
        return filter && !filterKeepsEvent(filter, outcome.table, outcome.columns)
          ? undefined
          : outcome;
      case 'filtered':
        this.event(fileStats, outcome.table);
        return undefined;
      case 'skip':
        this.skip(fileStats, outcome.reason);
        if (outcome.notHuntedLog !== undefined && fileStats.notHunted === undefined) {
          fileStats.notHunted = notHuntedLog(outcome.notHuntedLog);
        }
        return undefined;
      case 'header':
        fileStats.csvHeader = true;
        return undefined;
      case 'reject':
        this.reject(fileStats, line, outcome.code, outcome.message);
        return undefined;
    }
  }

  /**
   * Adds the counts of a part of a file read on its own, whose line 1 is line `firstLine` of
   * the file. Its rejections and warnings come after those already kept, up to the maximum.
   */
  addPart(fileStats: LogFileStats, part: LogReadStats, firstLine: number): void {
    const { stats } = this;
    stats.linesRead += part.linesRead;
    stats.eventsParsed += part.eventsParsed;
    stats.linesRejected += part.linesRejected;
    stats.linesSkipped += part.linesSkipped;
    stats.fieldWarnings += part.fieldWarnings;
    fileStats.linesRead += part.linesRead;
    fileStats.eventsParsed += part.eventsParsed;
    fileStats.linesRejected += part.linesRejected;
    fileStats.linesSkipped += part.linesSkipped;

    for (const [table, count] of Object.entries(part.eventsByTable)) {
      increment(stats.eventsByTable, table, count);
    }
    for (const [from, to] of [
      [part.rejectedByReason, stats.rejectedByReason],
      [part.skippedByReason, stats.skippedByReason],
      [part.fieldWarningsByReason, stats.fieldWarningsByReason],
    ] as const) {
      for (const [reason, count] of Object.entries(from)) increment(to, reason, count);
    }

    const moved = (issue: HuntpackIssue): HuntpackIssue => ({
      ...issue,
      source: { file: fileStats.file, line: (issue.source?.line ?? 1) + firstLine - 1 },
    });
    for (const [from, to] of [
      [part.rejections, stats.rejections],
      [part.warnings, stats.warnings],
    ] as const) {
      for (const issue of from.slice(0, this.maxIssues - to.length)) to.push(moved(issue));
    }
  }
}
