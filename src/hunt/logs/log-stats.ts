/**
 * Counts what the readers did with every record, so that a run reconciles:
 * linesRead = eventsParsed + linesRejected + linesSkipped.
 */
import type { HuntpackIssue } from '../../errors.js';
import type { LogFormat } from './detect-format.js';
import type { LogTable } from './event.js';

/** Counts for one file. */
export interface LogFileStats {
  file: string;
  /** Format used, or undefined when the file could not be read or recognized. */
  format: LogFormat | undefined;
  linesRead: number;
  eventsParsed: number;
  linesRejected: number;
  linesSkipped: number;
}

/** Counts and first problems of a whole `readLogs` run. Complete once iteration has ended. */
export interface LogReadStats {
  files: LogFileStats[];
  /**
   * Records read: one per line, except that a record of a JSON array or a CSV row with line
   * breaks inside quotes counts once, however many lines it spans.
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
  /** Files that could not be found, recognized or read to the end. */
  fileErrors: HuntpackIssue[];
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
  };
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
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
}
