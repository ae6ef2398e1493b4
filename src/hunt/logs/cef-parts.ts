/**
 * Parses one byte range of a plain CEF file on its own, counting every line as the reader does.
 * A worker thread (`cef-worker.ts`) runs this for the parallel reader (`parallel-cef.ts`); the
 * types here are the messages between them.
 */
import {
  EventPrefilter,
  type ColumnsWithValues,
  type FileValues,
  type PrefilterSpec,
} from '../event-prefilter.js';
import { parseCefRecord } from './cef-record.js';
import type { ColumnValue, LogTable } from './event.js';
import { PieceReadError, readPieceLines, type FilePiece } from './file-pieces.js';
import { createLogReadStats, LogStatsRecorder, type LogReadStats } from './log-stats.js';
import type { TimeDefaults } from './log-time.js';
import type { RecordContext } from './record.js';

/** Settings shared by every part of a run, sent once to each worker. */
export interface PartSettings {
  time: TimeDefaults;
  filter: PrefilterSpec;
  maxIssues: number;
}

export interface PartJob {
  /** The file's name, for messages; it is read through `descriptor`. */
  file: string;
  /** A descriptor the main thread opened; file descriptors are shared by all threads. */
  descriptor: number;
  /** The file's size when the hunt began reading it. */
  size: number;
  piece: FilePiece;
}

/**
 * A message to a worker: the settings of a run, sent once to each worker before the run's
 * parts, or a part to parse under the settings sent last.
 */
export type PartMessage =
  { type: 'settings'; settings: PartSettings } | { type: 'part'; job: PartJob };

/** A kept event, with its line counted from the start of the part. */
export interface PartEvent {
  line: number;
  table: LogTable;
  columns: Record<string, ColumnValue>;
}

export interface PartResult {
  /** Counts of the part; issue lines are counted from the start of the part. */
  stats: LogReadStats;
  events: PartEvent[];
  /**
   * The compared columns that had a value in some event that the worker's filter tested, in
   * this part or an earlier one of the run.
   */
  columnsWithValues: ColumnsWithValues;
  /** Set when the file could not be read to the end of the part. */
  readError?: { code: string | undefined; message: string; partialLine: string | undefined };
  /** Whether an event of the part had a value in a compared column; see `EventPrefilter`. */
  fileValues: FileValues;
}

/** Parses the CEF lines of one part of a file. */
export function parseCefPart(job: PartJob, settings: PartSettings, filter: EventPrefilter) {
  const stats = createLogReadStats();
  const recorder = new LogStatsRecorder(stats, settings.maxIssues);
  const fileStats = recorder.startFile(job.file, 'cef');
  const events: PartEvent[] = [];
  const context: RecordContext = {
    file: job.file,
    line: 0,
    time: settings.time,
    warn: (code, message) => recorder.warn(job.file, context.line, code, message),
    filter,
  };
  const result: PartResult = { stats, events, columnsWithValues: {}, fileValues: { valued: true } };
  filter.startFile();
  try {
    readPieceLines(job, job.piece, (lines) => {
      for (const line of lines) {
        context.line++;
        const event = recorder.outcome(
          fileStats,
          context.line,
          parseCefRecord(line, context),
          filter,
        );
        if (event) events.push({ line: context.line, table: event.table, columns: event.columns });
      }
    });
  } catch (error) {
    if (!(error instanceof PieceReadError)) throw error;
    result.readError = {
      code: (error.cause as { code?: string }).code,
      message: error.message,
      partialLine: error.partialLine,
    };
  }
  result.columnsWithValues = filter.columnsWithValues();
  result.fileValues = filter.fileValues();
  return result;
}

/** Compiles the filter of a run's settings. */
export function partFilter(settings: PartSettings): EventPrefilter {
  return new EventPrefilter(settings.filter);
}
