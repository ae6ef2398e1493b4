/**
 * Streams events out of exported log files for the local hunt. Every record is parsed into an
 * event of a Sentinel table (CommonSecurityLog, DeviceNetworkEvents, DnsEvents), skipped as a
 * non-event, or rejected with file, line and reason, so the counts reconcile.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { EventPrefilter } from '../event-prefilter.js';
import { ConfigError, type HuntpackIssue } from '../../errors.js';
import {
  detectFeedLabel,
  detectLogFormat,
  LOG_FORMATS,
  possibleLogFormats,
  type LogFormat,
} from './detect-format.js';
import { getLogTableColumns, type LogEvent } from './event.js';
import { createFormatParser, type FormatParser, type ParserSettings } from './format-parsers.js';
import {
  expandLogPaths,
  hasWholeFirstLine,
  LOG_HEAD_GROWTH,
  LogInputError,
  readLogHead,
} from './log-input.js';
import { crLineEndsAdvice, hasCrOnlyLineEnds } from '../../feeds/line-ends.js';
import {
  createLogReadStats,
  LogStatsRecorder,
  type LogFileStats,
  type LogReadStats,
  type RecordUnit,
} from './log-stats.js';
import {
  DATE_ORDERS,
  DateOrderUndecided,
  FileDateOrder,
  parseTimeZone,
  type DateOrder,
  type TimeDefaults,
} from './log-time.js';
import { CefWorkerPool, PART_BYTES, parallelReadSize, readCefInParallel } from './parallel-cef.js';
import type { EventFilter, RecordContext, RecordOutcome } from './record.js';
import { csvRecords, jsonRecords, lineRecords, type RawRecord } from './record-sources.js';

export type { LogFormat } from './detect-format.js';
export { LOG_FORMATS } from './detect-format.js';
export type { LogReadStats, LogFileStats } from './log-stats.js';
export type { EventFilter } from './record.js';
export type { CefWorkerPool } from './parallel-cef.js';

/** Options of {@link readLogs}. */
export interface ReadLogsOptions {
  /** Reads every file in this format instead of detecting it from the first lines. */
  format?: LogFormat;
  /**
   * Input field name to CommonSecurityLog column (`{ dst: 'DestinationIP' }`) for CSV and JSON
   * files in no known format. A dotted name (`id.orig_h`) also finds a nested JSON field.
   */
  map?: Record<string, string>;
  /** Year for times written without one (RFC 3164 syslog headers); default none. */
  year?: number;
  /**
   * Latest plausible event time, such as the end of the lookback window. A time read with
   * `year` that would fall more than a day after it is read in the year before. Default none.
   */
  latestTime?: Date;
  /** Zone for times written without one: `UTC`, `+02:00` or an IANA name; default none. */
  timezone?: string;
  /**
   * Order of day, month and year in numeric dates such as `03/11/2020`. Default: each CSV or
   * JSON file's order is chosen from its own dates, and CEF and Zeek lines read only the
   * numeric dates that fit one order.
   */
  dateOrder?: DateOrder;
  /** How many rejections and field warnings to keep as examples in the stats; default 20. */
  maxIssues?: number;
  /**
   * Yields only the events this filter keeps. The others still count in the stats, and their
   * field warnings are still reported.
   */
  filter?: EventFilter;
  /**
   * Worker threads that parse plain CEF files of 32 MB or more when `filter` has a `spec`; 0
   * parses every file on the main thread. Default: one per core, at most
   * {@link MAX_DEFAULT_PARSE_THREADS}, and 0 on a single core, where a worker only adds cost.
   * On the 2-core benchmark machine two workers read 1 GB in 4.0 s against 9.0 s on the main
   * thread alone (docs/benchmarks.md).
   */
  parseThreads?: number;
  /**
   * Worker threads started by the caller, used instead of starting `parseThreads` new ones and
   * left running at the end; see {@link startParseWorkers}.
   */
  parseWorkers?: CefWorkerPool;
}

/** Events of a `readLogs` run, as single events or batches; `stats` is final after the end. */
export interface LogReader extends AsyncIterable<LogEvent> {
  readonly stats: LogReadStats;
  /** Yields the events in batches of up to one read chunk, for bulk loading. */
  batches(): AsyncIterable<LogEvent[]>;
}

/**
 * Reads log files, folders (recursively) and glob patterns, plain or gzip, and yields their
 * events. The formats are:
 * - raw CEF lines with or without a syslog header, also as JSON lines with a `message` field;
 * - CommonSecurityLog and DeviceNetworkEvents exports (CSV, JSON array, JSON lines, Event Hub);
 * - Zeek conn, dns, http and ssl logs (TSV or JSON) and Suricata eve.json;
 * - other CSV or JSON files through `map`.
 *
 * @throws ConfigError when an option is invalid; file problems go to `stats.fileErrors`.
 */
export function readLogs(paths: string[], options: ReadLogsOptions = {}): LogReader {
  const settings = resolveOptions(options);
  const stats = createLogReadStats();
  const recorder = new LogStatsRecorder(stats, settings.maxIssues);
  let started = false;
  const batches = (): AsyncIterable<LogEvent[]> => {
    if (started) throw new ConfigError('READER_REUSED', 'A log reader can be iterated only once.');
    started = true;
    return readAllFiles(paths, settings, recorder);
  };
  return {
    stats,
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches()) yield* batch;
    },
  };
}

interface ResolvedSettings extends ParserSettings {
  format: LogFormat | undefined;
  time: TimeDefaults;
  filter: EventFilter | undefined;
  parseThreads: number;
  parseWorkers: CefWorkerPool | undefined;
  maxIssues: number;
}

function resolveOptions(options: ReadLogsOptions): ResolvedSettings {
  if (options.format !== undefined && !LOG_FORMATS.includes(options.format)) {
    throw new ConfigError(
      'UNKNOWN_LOG_FORMAT',
      `Unknown log format "${String(options.format)}": expected one of ${LOG_FORMATS.join(', ')}.`,
    );
  }
  const time: TimeDefaults = {};
  if (options.year !== undefined) {
    if (!Number.isInteger(options.year) || options.year < 1970 || options.year > 9999) {
      throw new ConfigError(
        'INVALID_YEAR',
        `Invalid year ${String(options.year)}: expected a four-digit year from 1970.`,
      );
    }
    time.year = options.year;
  }
  if (options.latestTime !== undefined) time.latestTime = options.latestTime.getTime();
  if (options.timezone !== undefined) {
    const zone = parseTimeZone(options.timezone);
    if (!zone) {
      throw new ConfigError(
        'INVALID_TIME_ZONE',
        `Invalid time zone "${options.timezone}": expected UTC, an offset such as +02:00, or an IANA name such as Europe/Berlin.`,
      );
    }
    time.timeZone = zone;
  }
  if (options.dateOrder !== undefined) {
    if (!DATE_ORDERS.includes(options.dateOrder)) {
      throw new ConfigError(
        'INVALID_DATE_ORDER',
        `Invalid date order "${String(options.dateOrder)}": expected ${DATE_ORDERS.join(', ')}.`,
      );
    }
    time.dateOrder = options.dateOrder;
  }
  return {
    format: options.format,
    map: validateMap(options.map ?? {}),
    time,
    filter: options.filter,
    parseThreads:
      options.parseWorkers?.size ??
      validateParseThreads(options.parseThreads) ??
      defaultParseThreads(),
    parseWorkers: options.parseWorkers,
    maxIssues: options.maxIssues ?? 20,
  };
}

/** Upper bound of the default number of parsing threads, because more rarely pay for their start-up. */
export const MAX_DEFAULT_PARSE_THREADS = 4;

/** Returns one parsing thread per core, up to {@link MAX_DEFAULT_PARSE_THREADS}, and none on one core. */
export function defaultParseThreads(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(cores, MAX_DEFAULT_PARSE_THREADS);
}

function validateParseThreads(threads: number | undefined): number | undefined {
  if (threads === undefined) return undefined;
  if (!Number.isInteger(threads) || threads < 0 || threads > 64) {
    throw new ConfigError(
      'INVALID_PARSE_THREADS',
      `Invalid number of parsing threads ${String(threads)}: expected a whole number from 0 to 64.`,
    );
  }
  return threads;
}

/**
 * Starts the parsing threads for `paths` when one of them is a plain file large enough to be
 * parsed in parallel, so that they load while the caller prepares its hunts. Returns undefined
 * when no file is. Pass the pool as `parseWorkers` and close it after the run.
 */
export async function startParseWorkers(
  paths: string[],
  threads = defaultParseThreads(),
): Promise<CefWorkerPool | undefined> {
  if (validateParseThreads(threads) === 0) return undefined;
  const { files } = await expandLogPaths(paths);
  // A thread beyond the number of ranges would only load its code and wait.
  let ranges = 0;
  for (const file of files) {
    const size = await parallelReadSize(file).catch(() => undefined);
    if (size !== undefined) ranges += Math.ceil(size / PART_BYTES);
  }
  return ranges === 0 ? undefined : new CefWorkerPool(Math.min(threads, ranges));
}

function validateMap(map: Record<string, string>): Record<string, string> {
  const columns = getLogTableColumns('CommonSecurityLog');
  for (const [field, column] of Object.entries(map)) {
    if (!columns.has(column)) {
      throw new ConfigError(
        'UNKNOWN_COLUMN',
        `Invalid --map ${column}=${field}: "${column}" is not a CommonSecurityLog column. Use a column name such as DestinationIP, SourceIP, DestinationPort or TimeGenerated.`,
      );
    }
  }
  return map;
}

async function* readAllFiles(
  paths: string[],
  settings: ResolvedSettings,
  recorder: LogStatsRecorder,
): AsyncGenerator<LogEvent[]> {
  const { files, issues, sameFiles, hiddenEntries, loopLinks } = await expandLogPaths(paths);
  issues.forEach((issue) => recorder.fileError(issue));
  recorder.stats.sameFiles.push(...sameFiles);
  recorder.stats.hiddenEntries.push(...hiddenEntries);
  recorder.stats.loopLinks.push(...loopLinks);
  let pool: CefWorkerPool | undefined;
  let ownPool: CefWorkerPool | undefined;
  // Only an EventPrefilter records the columns with values, which the workers send back.
  const prefilter = settings.filter instanceof EventPrefilter ? settings.filter : undefined;
  try {
    for (const file of files) {
      const format = settings.format ?? (await detectFileFormat(file, settings, recorder));
      if (format === undefined) continue;
      const fileStats = recorder.startFile(file, format);
      const spec = settings.filter?.spec;
      const size =
        format === 'cef' && spec && settings.parseThreads > 0
          ? await parallelReadSize(file).catch(() => undefined)
          : undefined;
      let batches: AsyncGenerator<LogEvent[]>;
      if (spec && size !== undefined) {
        if (!pool) {
          const threads = Math.min(settings.parseThreads, Math.ceil(size / PART_BYTES));
          pool = settings.parseWorkers ?? (ownPool = new CefWorkerPool(threads));
          pool.configure({ time: settings.time, filter: spec, maxIssues: settings.maxIssues });
        }
        batches = readCefInParallel(file, size, pool, recorder, fileStats, PART_BYTES, prefilter);
      } else {
        batches = readFile(file, format, settings, recorder, fileStats);
      }
      prefilter?.startFile();
      yield* recordReadFailure(batches, recorder, fileStats);
      const withoutValues = prefilter?.fileWithoutValues();
      if (withoutValues) fileStats.withoutValues = withoutValues;
    }
  } finally {
    await ownPool?.close();
  }
}

/** Yields a file's batches; a failure to read the file part-way is recorded and ends the file. */
async function* recordReadFailure(
  batches: AsyncGenerator<LogEvent[]>,
  recorder: LogStatsRecorder,
  fileStats: LogFileStats,
): AsyncGenerator<LogEvent[]> {
  try {
    yield* batches;
  } catch (error) {
    if (!(error instanceof LogInputError)) throw error;
    if (error.partialLine) {
      recorder.reject(
        fileStats,
        error.partialLine.line,
        'TRUNCATED_LINE',
        'Line is cut off where the file stops being readable.',
      );
    }
    recorder.fileError(toIssue(error));
  }
}

async function detectFileFormat(
  file: string,
  settings: ResolvedSettings,
  recorder: LogStatsRecorder,
): Promise<LogFormat | undefined> {
  let head: string;
  try {
    head = await readLogHead(file, LOG_HEAD_CHARS);
  } catch (error) {
    if (!(error instanceof LogInputError)) throw error;
    recorder.fileError(toIssue(error));
    recorder.startFile(file, undefined);
    return undefined;
  }
  // A file of nothing but blank lines (or no bytes) is read as lines, which counts them as
  // skipped, instead of failing the run as a file in no known format.
  if (head.length < LOG_HEAD_CHARS && head.trim() === '') return 'cef';
  const format = detectLogFormat(head, Object.keys(settings.map).length > 0);
  // Every log format but a whole JSON document is read by lines.
  if (hasCrOnlyLineEnds(head) && !head.trimStart().startsWith('[')) {
    recorder.fileError({
      code: 'CR_LINE_ENDS',
      severity: 'error',
      message: crLineEndsAdvice(`"${file}"`),
      source: { file, line: 1 },
    });
    recorder.startFile(file, undefined);
    return undefined;
  }
  const packFile = format === undefined ? await packFileMessage(file) : undefined;
  const feedLabel =
    format === undefined && packFile === undefined ? detectFeedLabel(head, file) : undefined;
  if (packFile !== undefined) {
    recorder.fileError({
      code: 'PACK_FILE_AS_LOG',
      severity: 'error',
      message: packFile,
      source: { file },
    });
    recorder.startFile(file, undefined);
  } else if (feedLabel !== undefined) {
    // --feed takes one file, so `--feed a.csv b.csv LOGS` passes b.csv as a log.
    // NOTE: with --map, a JSON or comma-separated feed reads as a mapped log and gets no hint.
    recorder.fileError({
      code: 'FEED_NOT_LOG',
      severity: 'error',
      message: `"${file}" is a feed (${feedLabel}), not a log. To hunt for its indicators, pass it with --feed, once per feed file, such as --feed a.csv --feed b.json.`,
      source: { file, line: 1 },
    });
    recorder.startFile(file, undefined);
  } else if (format === undefined && isFirstLineCut(head)) {
    recorder.fileError({
      code: 'UNKNOWN_LOG_FORMAT',
      severity: 'error',
      message: `Unknown log format in "${file}": its first line is longer than the ${LOG_HEAD_CHARS * LOG_HEAD_GROWTH} characters read to detect the format. Pass the format option (--format) with the format of the file, such as suricata-eve or cef, to read it.`,
      source: { file, line: 1 },
    });
    recorder.startFile(file, undefined);
  } else if (format === undefined) {
    recorder.fileError({
      code: 'UNKNOWN_LOG_FORMAT',
      severity: 'error',
      message: unknownFormatMessage(file, head),
      source: { file, line: 1 },
    });
    recorder.startFile(file, undefined);
  }
  return format;
}

/** Files that `huntpack build` writes into a pack folder beside pack.json. */
const PACK_FILES: ReadonlySet<string> = new Set(['pack.json', 'indicators.csv']);

/**
 * Returns the error message for a pack's pack.json or indicators.csv given as a log, or
 * undefined when `file` is neither, judged by its name and a pack.json beside it.
 */
async function packFileMessage(file: string): Promise<string | undefined> {
  if (!PACK_FILES.has(basename(file))) return undefined;
  const folder = dirname(file);
  const isPack = await stat(join(folder, 'pack.json')).then(
    (info) => info.isFile(),
    () => false,
  );
  if (!isPack) return undefined;
  return (
    `"${file}" is the ${basename(file)} of the pack "${folder}", not a log. To hunt for the ` +
    `pack's indicators, pass its folder with --pack ${folder} and the logs after it.`
  );
}

/** Returns the UNKNOWN_LOG_FORMAT message, with the --format values that fit the file's shape. */
function unknownFormatMessage(file: string, head: string): string {
  const { shape, formats } = possibleLogFormats(head);
  const options = formats.map((format) => `--format ${format}`);
  const choice = `${options.slice(0, -1).join(', ')}${options.length > 1 ? ' or ' : ''}${options.at(-1)!}`;
  return (
    `Unknown log format in "${file}": expected CEF (a line with "CEF:0|" in the first ` +
    `${LOG_HEAD_CHARS / 1024} KiB), a CommonSecurityLog or DeviceNetworkEvents export, Zeek, ` +
    `Suricata eve.json, or CSV/JSON with a field map. Its first line is ${shape}, so if it is ` +
    `one of these logs, pass ${choice}. Pass a map (--map) for other CSV and JSON files.`
  );
}

/** Characters read from the start of a file to detect its format. */
const LOG_HEAD_CHARS = 65536;

/** True when the head was cut inside its first line, which is longer than the longest head read. */
function isFirstLineCut(head: string): boolean {
  return head.length >= LOG_HEAD_CHARS * LOG_HEAD_GROWTH && !hasWholeFirstLine(head);
}

function toIssue(error: LogInputError): HuntpackIssue {
  return { code: error.code, severity: 'error', message: error.message, source: error.source };
}

async function* readFile(
  file: string,
  format: LogFormat,
  settings: ResolvedSettings,
  recorder: LogStatsRecorder,
  fileStats: LogFileStats,
): AsyncGenerator<LogEvent[]> {
  const parser = createFormatParser(format, settings);
  const filter = settings.filter;
  // A CSV or JSON file gets its own date order unless the caller set one. Line formats (CEF,
  // Zeek TSV) get none, so that a CEF file reads the same here as on worker threads, which
  // parse ranges of it without the rest.
  const dateOrder =
    settings.time.dateOrder === undefined && parser.source !== 'lines'
      ? new FileDateOrder(file)
      : undefined;
  const time = dateOrder ? { ...settings.time, fileDateOrder: dateOrder } : settings.time;
  // Warnings wait until their record is parsed to the end, because a record whose date order is
  // still open is parsed again once it is decided.
  const recordWarnings: Array<[code: string, message: string]> = [];
  const context: RecordContext = {
    file,
    line: 0,
    time,
    warn: (code, message) => recordWarnings.push([code, message]),
    filter,
  };
  const handle = (line: number, outcome: RecordOutcome, events: LogEvent[]): void => {
    for (const [code, message] of recordWarnings) recorder.warn(file, line, code, message);
    recordWarnings.length = 0;
    const event = recorder.outcome(fileStats, line, outcome, filter);
    if (event) events.push({ table: event.table, columns: event.columns, source: { file, line } });
  };

  if (parser.source === 'csv') fileStats.recordUnit = 'csv-record';
  const setUnit = (unit: RecordUnit): void => {
    fileStats.recordUnit = unit;
  };
  for await (const batch of recordsOf(file, parser, setUnit)) {
    const events: LogEvent[] = [];
    for (const record of batch) {
      context.line = record.line;
      if (dateOrder) dateOrder.line = record.line;
      if ('error' in record) {
        handle(record.line, rejected(record.error), events);
        continue;
      }
      let outcome: RecordOutcome;
      try {
        outcome = parseRecord(parser, record.value, context);
      } catch (error) {
        if (!(error instanceof DateOrderUndecided) || !dateOrder) throw error;
        recordWarnings.length = 0;
        await scanDateOrder(file, format, settings, dateOrder, recorder);
        dateOrder.line = record.line;
        outcome = parseRecord(parser, record.value, context);
      }
      handle(record.line, outcome, events);
    }
    // An empty batch still lets the consumer report progress.
    yield events;
  }
  const issue = parser.source === 'json' ? parser.finish?.(file) : undefined;
  if (issue) recorder.fileError(issue);
}

/**
 * Parses a file from the start with a parser of its own until a date decides its order. It
 * keeps no record, so memory stays flat in the size of the file. When no date decides, the file
 * gets the default order and a warning that names its first ambiguous date. A read error ends
 * the scan, and the main pass reports it when it reaches the same place.
 */
async function scanDateOrder(
  file: string,
  format: LogFormat,
  settings: ResolvedSettings,
  dateOrder: FileDateOrder,
  recorder: LogStatsRecorder,
): Promise<void> {
  const parser = createFormatParser(format, settings);
  const context: RecordContext = {
    file,
    line: 0,
    time: { ...settings.time, fileDateOrder: dateOrder },
    warn: () => undefined,
  };
  dateOrder.scanning = true;
  try {
    scan: for await (const batch of recordsOf(file, parser)) {
      for (const record of batch) {
        if ('error' in record) continue;
        context.line = record.line;
        dateOrder.line = record.line;
        parseRecord(parser, record.value, context);
        if (dateOrder.order !== undefined) break scan;
      }
    }
  } catch (error) {
    if (!(error instanceof LogInputError)) throw error;
  } finally {
    dateOrder.scanning = false;
  }
  const warning = dateOrder.chooseDefault();
  if (warning) recorder.warn(file, warning.line, 'AMBIGUOUS_DATE_ORDER', warning.message);
}

function rejected(error: { code: string; message: string }): RecordOutcome {
  return { kind: 'reject', code: error.code, message: error.message };
}

function recordsOf(
  file: string,
  parser: FormatParser,
  onUnit?: (unit: RecordUnit) => void,
): AsyncIterable<Array<RawRecord<unknown>>> {
  switch (parser.source) {
    case 'lines':
      return lineRecords(file);
    case 'json':
      return jsonRecords(file, onUnit);
    case 'csv':
      return csvRecords(file);
  }
}

/** Parses one record; for CSV the first row is the header, which the parser keeps. */
function parseRecord(parser: FormatParser, value: unknown, context: RecordContext): RecordOutcome {
  switch (parser.source) {
    case 'lines':
      return parser.parse(value as string, context);
    case 'json':
      if (value === undefined) return { kind: 'skip', reason: 'BLANK_LINE' };
      return parser.parse(value, context);
    case 'csv':
      return parseCsvRow(parser, value as string[], context);
  }
}

const csvHeaderSeen = new WeakSet<FormatParser>();

function parseCsvRow(
  parser: Extract<FormatParser, { source: 'csv' }>,
  row: string[],
  context: RecordContext,
): RecordOutcome {
  if (!csvHeaderSeen.has(parser)) {
    csvHeaderSeen.add(parser);
    // A header that cannot be used is rejected, and so counted as a record with its issue.
    return parser.header(row, context) ?? { kind: 'header' };
  }
  return parser.parse(row, context);
}
