/**
 * Reading feeds: opens each input, detects its format, runs the reader for that format and
 * collects raw indicators, per-file counts and issues.
 *
 * Each format plugs in through {@link FEED_READERS}. A reader passes every row it reads to
 * the sink as accepted, rejected or dropped, so that for every file
 * `rowsRead = accepted + rejected + sum(dropped)`.
 */
import type { Readable } from 'node:stream';
import type { HuntpackIssue, IssueSeverity } from '../errors.js';
import { FeedParseError, quoteValue, StrictStopError } from '../errors.js';
import type { RawIndicator } from '../indicators/model.js';
import type { FeedFormat } from './detect.js';
import { FEED_FORMATS, detectFeedFormat, unknownFormatError } from './detect.js';
import { crLineEndsAdvice, hasCrOnlyLineEnds } from './line-ends.js';
import type { FeedInput } from './input.js';
import { openInputs, peekInput, readText as readInputText } from './input.js';
import { readMisp } from './misp.js';
import type { FeedReaderOutput } from './reader-output.js';
import { readStix } from './stix/read-stix.js';
import { readText as readFreeText } from './text.js';
import { readThreatFoxCsv } from './threatfox-csv.js';
import { readThreatFoxApi, readThreatFoxExport, readThreatFoxNdjson } from './threatfox-json.js';
import { KEPT_WITHOUT_FIELD, KEPT_WITHOUT_ITEMS } from './threatfox-record.js';
import type { ThreatFoxSourceOptions } from './threatfox-source.js';
import { isThreatFoxSource, openThreatFoxSource } from './threatfox-source.js';

/** The destination of everything a reader reads. */
export interface FeedSink {
  /** Adds a usable record and counts one row read. */
  accept(record: RawIndicator): void;
  /**
   * Counts one row read that the reader cannot use, with the issue that explains why. The issue
   * may be left out only when the reader reports it separately, as document readers do.
   */
  reject(issue?: HuntpackIssue): void;
  /** Counts rows read and left out on purpose, such as revoked STIX indicators. */
  drop(reason: string, count?: number): void;
  /** Adds an issue that rejects no row: a warning, a note, or a problem with the whole file. */
  report(issue: HuntpackIssue): void;
}

/**
 * Reads one input. Problems with single rows go to the sink, and a problem that stops the whole
 * input (bad header, truncated gzip, invalid JSON) is thrown as a FeedParseError.
 */
export type FeedReader = (
  input: FeedInput,
  sink: FeedSink,
  options: FeedReadOptions,
) => Promise<void>;

/**
 * Adapts a reader that parses a whole document, `(text, file) => FeedReaderOutput`, to a
 * {@link FeedReader}.
 */
export function documentReader(
  read: (text: string, file: string, options: FeedReadOptions) => FeedReaderOutput,
): FeedReader {
  return async (input, sink, options) => {
    const output = read(await readInputText(input), input.name, options);
    for (const issue of output.issues) sink.report(issue);
    for (const record of output.records) sink.accept(record);
    for (let count = 0; count < output.rejected; count += 1) sink.reject();
    for (const [reason, count] of Object.entries(output.dropped)) sink.drop(reason, count);
  };
}

/** The reader of each format. Formats without an entry are detected but not yet readable. */
export const FEED_READERS: { readonly [F in FeedFormat]?: FeedReader } = {
  'threatfox-csv': readThreatFoxCsv,
  'threatfox-json': readThreatFoxExport,
  'threatfox-api': readThreatFoxApi,
  'threatfox-ndjson': readThreatFoxNdjson,
  stix: documentReader((text, file, options) =>
    readStix(text, file, { allAttributes: options.allAttributes, now: options.now }),
  ),
  misp: documentReader((text, file, options) =>
    readMisp(text, file, { allAttributes: options.allAttributes }),
  ),
  text: documentReader((text, file) => readFreeText(text, file)),
};

export interface FeedReadOptions {
  /** Format of every input. Default: detected from each input's content. */
  format?: FeedFormat;
  /**
   * Throw a FeedParseError at the first error-severity issue or malformed-input warning, such as
   * an unreadable ThreatFox confidence. Default false.
   */
  strict?: boolean;
  /**
   * Called with each accepted record and the format of its feed. When set, records are not
   * collected in the result, so a caller can normalize a large feed without holding every raw
   * record.
   */
  onRecord?: (record: RawIndicator, format: FeedFormat | undefined) => void;
  /** Stream read for the input `-`. Default: `process.stdin`. */
  stdin?: Readable;
  /** Max issues kept per file and code. The rest become one summary issue. Default 100. */
  maxIssuesPerCode?: number;
  /**
   * Keep MISP attributes (and MISP-made STIX indicators) whose `to_ids` flag is false. Default
   * false: only attributes marked for detection become indicators.
   */
  allAttributes?: boolean;
  /** ThreatFox client settings for `threatfox:` inputs, such as `threatfox:days=3`. */
  threatfox?: ThreatFoxSourceOptions;
  /** The time that expiry dates (STIX `valid_until`) are compared with. Default: now. */
  now?: Date;
  /**
   * Receives the counts of each input when its reading starts, as `files` of the result does,
   * so that a caller still has them when a strict read throws.
   */
  files?: FeedFileStats[];
}

/** Counts for one input. */
export interface FeedFileStats {
  /** The input name: path, `-`, or `archive.zip!entry`. */
  file: string;
  /** Undefined when the format could not be detected. */
  format: FeedFormat | undefined;
  /** Rows (CSV or NDJSON lines, JSON records) read: `accepted + rejected + sum(dropped)`. */
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Rows left out on purpose, by reason, such as `revoked` or `not-to-ids`. */
  dropped: Record<string, number>;
  /** True when reading stopped early or never started, with an error issue giving the reason. */
  failed: boolean;
}

export interface FeedReadResult {
  files: FeedFileStats[];
  /** Accepted records in input order, or none when `onRecord` was given. */
  records: RawIndicator[];
  issues: HuntpackIssue[];
}

/**
 * Reads feed files (paths, or `-` for standard input) into raw indicators. Keeps going after
 * a bad row or a bad file, and records an issue for each, unless `strict` is set.
 *
 * @throws FeedParseError in strict mode, at the first error-severity issue.
 */
export async function readFeeds(
  inputs: string[],
  options: FeedReadOptions = {},
): Promise<FeedReadResult> {
  const result: FeedReadResult = { files: options.files ?? [], records: [], issues: [] };
  for (const path of inputs) {
    let opened;
    // A `threatfox:` input is fetched from the API and always read as an API response.
    const fetched = isThreatFoxSource(path);
    const inputOptions: FeedReadOptions = fetched
      ? { ...options, format: 'threatfox-api' }
      : options;
    try {
      opened = fetched
        ? await openThreatFoxSource(path, options.threatfox, (issue) => result.issues.push(issue))
        : await openInputs(path, { stdin: options.stdin });
    } catch (error) {
      const stats = newStats(path, inputOptions.format);
      stats.failed = true;
      result.files.push(stats);
      recordFailure(error, path, options, result.issues);
      continue;
    }
    for (const issue of opened.issues ?? []) result.issues.push(issue);
    if (opened.inputs.length === 0) {
      result.issues.push({
        code: 'EMPTY_ARCHIVE',
        severity: 'warning',
        message: `Zip archive ${quoteValue(path)} contains no files, so nothing was read from it.`,
        source: { file: path },
      });
    }
    try {
      for (const input of opened.inputs) await readInput(input, inputOptions, result);
    } finally {
      await opened.close();
    }
  }
  return result;
}

/** Reads one input, adding its counts to `result.files` before the first row. */
async function readInput(
  input: FeedInput,
  options: FeedReadOptions,
  result: FeedReadResult,
): Promise<void> {
  const stats = newStats(input.name, options.format);
  result.files.push(stats);
  const issues = new IssueCollector(options, result.issues);
  try {
    const peeked = await peekInput(input);
    stats.format ??= detectFeedFormat(peeked.sample, input.name);
    // A JSON document reads CR as white space; every other format reads lines.
    if (!isJsonDocument(stats.format) && hasCrOnlyLineEnds(peeked.sample)) {
      throw new FeedParseError('CR_LINE_ENDS', crLineEndsAdvice(quoteValue(input.name)), {
        source: { file: input.name, line: 1 },
      });
    }
    if (stats.format === undefined) throw unknownFormatError(input.name, peeked.sample);
    const reader = FEED_READERS[stats.format];
    if (!reader) throw noReaderError(input.name, stats.format);
    await reader(peeked.input, makeSink(stats, issues, options, result), options);
  } catch (error) {
    stats.failed = true;
    recordFailure(error, input.name, options, result.issues);
  } finally {
    issues.flush();
  }
}

/** Formats whose whole input is one JSON document, where a line end is only white space. */
function isJsonDocument(format: FeedFormat | undefined): boolean {
  return (
    format === 'threatfox-json' ||
    format === 'threatfox-api' ||
    format === 'stix' ||
    format === 'misp'
  );
}

function newStats(file: string, format: FeedFormat | undefined): FeedFileStats {
  return { file, format, rowsRead: 0, accepted: 0, rejected: 0, dropped: {}, failed: false };
}

function makeSink(
  stats: FeedFileStats,
  issues: IssueCollector,
  options: FeedReadOptions,
  result: FeedReadResult,
): FeedSink {
  return {
    // A row is counted after the calls that throw in strict mode, so that the counts of a
    // stopped read leave out the row that stopped it.
    accept(record) {
      if (options.onRecord) options.onRecord(record, stats.format);
      else result.records.push(record);
      stats.rowsRead += 1;
      stats.accepted += 1;
    },
    reject(issue) {
      if (issue) issues.add(issue);
      stats.rowsRead += 1;
      stats.rejected += 1;
    },
    drop(reason, count = 1) {
      stats.rowsRead += count;
      stats.dropped[reason] = (stats.dropped[reason] ?? 0) + count;
    },
    report(issue) {
      issues.add(issue);
    },
  };
}

/** Turns a thrown error into an issue, or rethrows it in strict mode and for huntpack bugs. */
function recordFailure(
  error: unknown,
  file: string,
  options: FeedReadOptions,
  issues: HuntpackIssue[],
): void {
  if (!(error instanceof FeedParseError)) throw error;
  if (options.strict) throw error;
  issues.push({
    code: error.code,
    severity: 'error',
    message: error.message,
    source: error.source ?? { file },
  });
}

function noReaderError(file: string, format: FeedFormat): FeedParseError {
  const label = FEED_FORMATS.find((entry) => entry.format === format)?.label ?? format;
  const readable = Object.keys(FEED_READERS).join(', ');
  return new FeedParseError(
    'UNSUPPORTED_FEED_FORMAT',
    `Input ${quoteValue(file)} is ${label}, which huntpack cannot read yet: expected one of ${readable}. Pass --format if the detection is wrong.`,
    { source: { file } },
  );
}

const SEVERITY_RANK: Record<IssueSeverity, number> = { info: 0, warning: 1, error: 2 };

/** Issues kept per file and code when the caller sets no limit. */
export const DEFAULT_MAX_ISSUES_PER_CODE = 100;

/**
 * Keeps at most `max` issues of each file and code, so that a million bad rows do not become a
 * million messages, and adds one summary issue for each file and code that had more.
 */
export class IssueLimiter {
  private readonly counts = new Map<
    string,
    { file: string | undefined; code: string; kept: number; dropped: number; worst: IssueSeverity }
  >();

  constructor(
    private readonly issues: HuntpackIssue[],
    private readonly max = DEFAULT_MAX_ISSUES_PER_CODE,
  ) {}

  add(issue: HuntpackIssue): void {
    const file = issue.source?.file;
    const key = `${file ?? ''}\u0000${issue.code}`;
    let count = this.counts.get(key);
    if (!count) {
      count = { file, code: issue.code, kept: 0, dropped: 0, worst: issue.severity };
      this.counts.set(key, count);
    }
    if (count.kept < this.max) {
      count.kept += 1;
      this.issues.push(issue);
      return;
    }
    count.dropped += 1;
    if (SEVERITY_RANK[issue.severity] > SEVERITY_RANK[count.worst]) count.worst = issue.severity;
  }

  /** Adds one summary issue per file and code that had issues left out. */
  flush(): void {
    for (const count of this.counts.values()) {
      if (count.dropped === 0) continue;
      const where = count.file === undefined ? '' : ` in ${quoteValue(count.file)}`;
      this.issues.push({
        code: 'ISSUES_OMITTED',
        severity: count.worst,
        message: `${count.dropped} more ${count.code} issues${where} are not listed after the first ${count.kept}; the row counts include them.`,
        source: count.file === undefined ? undefined : { file: count.file },
      });
    }
  }
}

/** The sentence that states a rejected row is skipped, which is not true in strict mode. */
const SKIPPED_SENTENCE = /(?:,? so it is skipped\.| The (?:row|record|line) is skipped\.)$/;

/**
 * Returns the error that stops a strict run at an error-severity issue, or at a warning about
 * malformed input such as an unreadable optional field. The message leaves out the location,
 * which the error carries in `source` for the caller to print once.
 */
export function strictError(issue: HuntpackIssue): StrictStopError {
  if (issue.malformed && issue.message.endsWith(` ${KEPT_WITHOUT_ITEMS}`)) {
    const reason = issue.message.slice(0, -KEPT_WITHOUT_ITEMS.length - 1);
    return new StrictStopError(
      issue,
      `${reason} The build stopped here because --strict is set. Without --strict, such items are reported and left out, and the rest of the list is kept.`,
    );
  }
  if (issue.malformed) {
    const reason = issue.message.endsWith(` ${KEPT_WITHOUT_FIELD}`)
      ? issue.message.slice(0, -KEPT_WITHOUT_FIELD.length - 1)
      : issue.message;
    return new StrictStopError(
      issue,
      `${reason} The build stopped here because --strict is set. Without --strict, such a field is reported and left out, and its record is kept.`,
    );
  }
  const reason = issue.message.replace(SKIPPED_SENTENCE, (sentence) =>
    sentence.startsWith(' The') ? '' : '.',
  );
  return new StrictStopError(
    issue,
    `${reason} The build stopped here because --strict is set. Without --strict, such rows are reported and skipped.`,
  );
}

/**
 * Collects one file's issues through an {@link IssueLimiter}. In strict mode it throws at an
 * error or at a malformed-input warning instead.
 */
class IssueCollector {
  private readonly limiter: IssueLimiter;

  constructor(
    private readonly options: FeedReadOptions,
    issues: HuntpackIssue[],
  ) {
    this.limiter = new IssueLimiter(issues, options.maxIssuesPerCode);
  }

  add(issue: HuntpackIssue): void {
    if (this.options.strict && (issue.severity === 'error' || issue.malformed === true)) {
      throw strictError(issue);
    }
    this.limiter.add(issue);
  }

  flush(): void {
    this.limiter.flush();
  }
}
