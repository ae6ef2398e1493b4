/**
 * The inputs that make a `huntpack hunt` run incomplete: log inputs that failed, and a run in
 * which no hunt ran. Builds the "Incomplete hunt" line that replaces "No findings" on stdout,
 * and writes why the hunt report was not written.
 */
import type { Hunt } from '../compile/ir.js';
import { formatIssue, type HuntpackIssue, printable } from '../errors.js';
import { alternatives, type HuntLogsResult, type HuntWithoutValues } from '../hunt/engine.js';
import { formatReasonCounts } from '../hunt/hunt-report.js';
import type { LogReadStats } from '../hunt/logs/read-logs.js';
import { describeNoEvents, filesWithoutEvents } from '../hunt/logs/log-stats.js';
import type { LogFormat } from '../hunt/logs/detect-format.js';
import { LOG_TABLES } from '../hunt/select-hunts.js';
import { PRINTED_ISSUES, type LoadedHunts } from './hunt-sources.js';
import type { CliIo } from './io.js';
import { count, displayPath } from './text.js';

/**
 * Issue codes that make a whole file unusable, though its records still count as events parsed.
 * A CSV header with none of the --map fields (a rejection of line 1), and a JSON log whose
 * objects have none of them (a file error), leave every column of every event empty.
 */
const UNUSABLE_FILE_CODES: ReadonlySet<string> = new Set(['MAPPED_FIELDS_NOT_FOUND']);

/**
 * Issue code of a CSV or JSON log that has some of the --map fields but not all. Its events are
 * hunted, but the columns of the missing fields are empty in each of them.
 */
const MISSING_MAP_FIELD_CODE = 'MAPPED_FIELD_MISSING';

/** Issue codes about the --map fields of a whole file, given as a rejection of a CSV header. */
const MAP_FIELD_CODES: ReadonlySet<string> = new Set([
  ...UNUSABLE_FILE_CODES,
  MISSING_MAP_FIELD_CODE,
]);

/**
 * Returns each log input that makes the hunt incomplete, once. These are the inputs that could
 * not be found, recognized or read to the end, and the CSV and JSON files without one or more
 * of the --map fields. When no event at all was read, every file that was read is one too.
 */
export function findFailedInputs(stats: LogReadStats): HuntpackIssue[] {
  const failed = new Map<string, HuntpackIssue>();
  const add = (issue: HuntpackIssue): void => {
    const key = issue.source?.file ?? issue.message;
    if (!failed.has(key)) failed.set(key, issue);
  };
  stats.fileErrors.forEach(add);
  // NOTE: stats.rejections keeps only the first rejections of the run, so a header rejection
  // after them is counted in rejectedByReason but names no file here.
  stats.rejections.filter((issue) => MAP_FIELD_CODES.has(issue.code)).forEach(add);
  withoutValuesIssues(stats).forEach(add);
  if (stats.eventsParsed === 0) {
    for (const file of stats.files) {
      add({
        code: 'NO_EVENTS',
        severity: 'error',
        message: `No event was read from "${file.file}": ${describeNoEvents(file)}.`,
        source: { file: file.file },
      });
    }
  }
  return [...failed.values()];
}

/** Issue code of a log whose events had no value in any column that the hunts compare. */
const WITHOUT_VALUES_CODE = 'NO_COMPARED_VALUES';

/**
 * Returns a NO_COMPARED_VALUES error for each log whose events had no value in any column that
 * the hunts of their table compare, such as a CSV export whose columns have other names. Its
 * events were checked against nothing. A run in which no log had such a value gets none,
 * because the reason why no hunt ran covers it.
 */
function withoutValuesIssues(stats: LogReadStats): HuntpackIssue[] {
  const files = stats.files.filter((file) => file.eventsParsed > 0);
  if (files.every((file) => file.withoutValues !== undefined)) return [];
  return files.flatMap(({ file, format, eventsParsed, withoutValues }) => {
    if (withoutValues === undefined) return [];
    const { table, columns } = withoutValues;
    const events = count(eventsParsed, 'event');
    return {
      code: WITHOUT_VALUES_CODE,
      severity: 'error' as const,
      message:
        `No event of "${file}" has a value in ${alternatives(columns)}, the columns that hunts ` +
        `of ${table} compare, so its ${events} ${eventsParsed === 1 ? 'was' : 'were'} checked ` +
        `against nothing. ${withoutValuesAdvice(format)}`,
      source: { file },
    };
  });
}

/** Returns what to check in a log of `format` whose events had nothing to compare. */
function withoutValuesAdvice(format: LogFormat | undefined): string {
  // CEF has fixed keys, which --map does not change, but a CSV or JSON export can be mapped.
  if (format === 'cef') {
    return (
      'Its CEF lines use none of the keys that fill these columns (such as src, dst, dhost and ' +
      'request); keys of their own, such as dst_ip, stay in AdditionalExtensions, as in Sentinel.'
    );
  }
  if (format === 'zeek-tsv' || format === 'zeek-json' || format === 'suricata-eve') {
    return 'Check that the log is complete: its records name none of these fields.';
  }
  return 'Check that the log keeps these fields under their usual names, or name its fields with --map.';
}

/**
 * Returns a NO_EVENTS warning for each log that was read but gave no event, in a run that read
 * events from other logs. Such a log is often an export that failed, but it may also be a log
 * of a quiet period, so the run stays complete.
 */
export function findInputsWithoutEvents(
  stats: LogReadStats,
  failed: readonly HuntpackIssue[],
): HuntpackIssue[] {
  if (stats.eventsParsed === 0) return [];
  const failedFiles = new Set(failed.map((issue) => issue.source?.file));
  return filesWithoutEvents(stats)
    .filter((file) => !failedFiles.has(file.file))
    .map((file) => ({
      code: 'NO_EVENTS',
      severity: 'warning',
      message:
        `No event was read from "${file.file}": ${describeNoEvents(file)}. ` +
        `${file.notHunted === undefined ? 'Check that its export did not fail. ' : ''}` +
        'The other logs were hunted.',
      source: { file: file.file },
    }));
}

/** Counts the input failures that name no file because their rejection was not kept. */
export function unnamedUnusableFiles(
  stats: LogReadStats,
  failed: readonly HuntpackIssue[],
): number {
  let unnamed = 0;
  for (const code of MAP_FIELD_CODES) {
    unnamed += countUnnamed(stats, failed, code);
  }
  return unnamed;
}

/** Counts the CSV headers rejected with `code` whose rejection was not kept. */
function countUnnamed(stats: LogReadStats, failed: readonly HuntpackIssue[], code: string): number {
  // JSON files report these codes as file errors, which never count as rejections.
  const named = failed.filter(
    (issue) => issue.code === code && !stats.fileErrors.includes(issue),
  ).length;
  return Math.max(0, (stats.rejectedByReason[code] ?? 0) - named);
}

/**
 * Returns the events read from the files that did not fail and from those read in part, and
 * whether any file did not fail.
 */
function countReadEvents(
  stats: LogReadStats,
  failed: readonly HuntpackIssue[],
): { fromRest: number; fromFailed: number; hasRest: boolean } {
  const codeOfFile = new Map(failed.map((issue) => [issue.source?.file, issue.code]));
  let fromRest = 0;
  let fromFailed = 0;
  let hasRest = false;
  for (const file of stats.files) {
    const code = codeOfFile.get(file.file);
    if (code === undefined) {
      fromRest += file.eventsParsed;
      hasRest = true;
    } else if (!UNUSABLE_FILE_CODES.has(code)) {
      fromFailed += file.eventsParsed;
    }
  }
  return { fromRest, fromFailed, hasRest };
}

/** Returns the sentence with how many events were read, and from which inputs. */
function eventsReadSentence(
  { fromRest, fromFailed, hasRest }: ReturnType<typeof countReadEvents>,
  failedInputs: number,
): string {
  const were = (events: number) => (events === 1 ? 'event was' : 'events were');
  if (fromFailed === 0) return `${fromRest} ${were(fromRest)} read from the rest.`;
  const failedText = `the failed ${failedInputs === 1 ? 'input' : 'inputs'}`;
  if (!hasRest) return `${fromFailed} ${were(fromFailed)} read from ${failedText}.`;
  return `${fromRest} ${were(fromRest)} read from the rest, and ${fromFailed} from ${failedText}.`;
}

/**
 * Returns the stdout line of a hunt with failed inputs: which inputs failed, how many events the
 * rest gave, and what the findings or their absence cover, in place of "No findings".
 */
export function incompleteLine(
  result: HuntLogsResult,
  failed: readonly HuntpackIssue[],
  cwd: string,
): string {
  const total = failed.length + unnamedUnusableFiles(result.stats, failed);
  const names = failed.slice(0, PRINTED_ISSUES).map((issue) => {
    const file = issue.source?.file;
    return `${file === undefined ? issue.message : displayPath(file, cwd)} (${issue.code})`;
  });
  const more = total - names.length;
  if (more > 0) names.push(`and ${more} more`);

  const read = countReadEvents(result.stats, failed);
  const { fromRest, fromFailed } = read;
  let verdict: string;
  if (result.findings.length > 0) {
    verdict = 'The findings above come from the events that could be read.';
  } else if (fromRest + fromFailed === 0) {
    verdict = 'Nothing was checked.';
  } else {
    verdict =
      'None of the events read matched an indicator, but the failed inputs were not checked in full.';
  }
  return printable(
    `Incomplete hunt: ${count(total, 'log input')} failed: ${names.join(', ')}. ` +
      `${eventsReadSentence(read, total)} ${verdict}`,
  );
}

/**
 * Writes why the hunt report was not written: inputs not read in full, unusable mapped files and a
 * run that read no event. A report of this run would replace the last complete one, so an
 * earlier report stays.
 */
export function writeIncomplete(
  stats: LogReadStats,
  failed: readonly HuntpackIssue[],
  io: CliIo,
): void {
  const noEvents = failed.filter((issue) => issue.code === 'NO_EVENTS');
  for (const issue of noEvents.slice(0, PRINTED_ISSUES)) {
    io.stderr.write(`${printable(formatIssue(issue))}\n`);
  }
  if (noEvents.length > 0 && stats.linesSkipped > 0) {
    io.stderr.write(`records skipped by reason: ${formatReasonCounts(stats.skippedByReason)}\n`);
  }

  const reasons: string[] = [];
  const unread = stats.fileErrors.filter((issue) => !MAP_FIELD_CODES.has(issue.code)).length;
  if (unread > 0) reasons.push(`${count(unread, 'log input')} could not be read in full`);
  let unusable = failed.filter((issue) => UNUSABLE_FILE_CODES.has(issue.code)).length;
  for (const code of UNUSABLE_FILE_CODES) unusable += countUnnamed(stats, failed, code);
  if (unusable > 0) {
    reasons.push(
      `${unusable === 1 ? '1 log has' : `${unusable} logs have`} none of the --map fields`,
    );
  }
  const partlyMapped =
    failed.filter((issue) => issue.code === MISSING_MAP_FIELD_CODE).length +
    countUnnamed(stats, failed, MISSING_MAP_FIELD_CODE);
  if (partlyMapped > 0) {
    reasons.push(
      `${partlyMapped === 1 ? '1 log lacks' : `${partlyMapped} logs lack`} some of the --map ` +
        'fields, so their columns were not checked',
    );
  }
  const withoutValues = failed.filter((issue) => issue.code === WITHOUT_VALUES_CODE);
  for (const issue of withoutValues.slice(0, PRINTED_ISSUES)) {
    io.stderr.write(`${printable(formatIssue(issue))}\n`);
  }
  if (withoutValues.length > 0) {
    reasons.push(
      `the events of ${count(withoutValues.length, 'log')} had no value in the columns that the ` +
        'hunts compare',
    );
  }
  if (noEvents.length > 0) {
    reasons.push('no event was read from the logs, so the hunts checked nothing');
  }
  io.stderr.write(
    `huntpack: the hunt report was not written because ${reasons.join(', and ')}. ` +
      'An earlier report is left as it was.\n',
  );
  if (noEvents.length > 0) {
    io.stderr.write(
      'huntpack: check that the log files are the exports you meant and not empty, and that ' +
        '--format and --map fit them.\n',
    );
  }
}

/** Returns `CommonSecurityLog (8 events) and DnsEvents (2 events)` for the tables the logs filled. */
function filledTablesText(result: HuntLogsResult): string {
  return Object.entries(result.eventsByTable)
    .map(([table, events]) => `${table} (${count(events, 'event')})`)
    .join(' and ');
}

/** Returns the tables that `hunts` search and a local hunt reads, joined with "and". */
function searchedTablesText(hunts: readonly Hunt[]): string {
  const searched = [
    ...new Set(
      hunts
        .map((hunt) => hunt.source.table)
        .filter((table) => (LOG_TABLES as readonly string[]).includes(table)),
    ),
  ];
  return searched.length > 0 ? alternatives(searched, 'and') : 'no table that a local hunt reads';
}

/**
 * Returns `no CommonSecurityLog event has a value in DestinationHostName or RequestURL` for the
 * hunts of `without`, with one clause per table joined with "and", or undefined when it is empty.
 */
function emptyColumnsText(without: readonly HuntWithoutValues[]): string | undefined {
  const columnsByTable = new Map<string, Set<string>>();
  for (const { table, columns } of without) {
    let names = columnsByTable.get(table);
    if (!names) columnsByTable.set(table, (names = new Set()));
    for (const column of columns) names.add(column);
  }
  if (columnsByTable.size === 0) return undefined;
  return [...columnsByTable]
    .map(([table, names]) => `no ${table} event has a value in ${alternatives([...names])}`)
    .join(', and ');
}

/**
 * Returns the stdout line of a run that read events but ran no hunt. Either no hunt searches
 * the tables the logs filled (DNS logs hunted with ip:port indicators), or no event had a value
 * in the columns that the hunts compare (a Zeek conn log hunted with domains).
 */
export function noHuntRanLine(result: HuntLogsResult, hunts: readonly Hunt[]): string {
  const emptyColumns = emptyColumnsText(result.huntsWithoutValues);
  const searched =
    emptyColumns === undefined
      ? `the hunts search ${searchedTablesText(hunts)}`
      : `${emptyColumns}, which the hunts compare`;
  return (
    `Incomplete hunt: no hunt ran, because the logs contain only ${filledTablesText(result)}, ` +
    `and ${searched}. Nothing was checked.`
  );
}

/** The hunts of one --pack folder, or all the --feed hunts, which a run hunts as one source. */
export interface HuntSource {
  /** `pack packs/kuiper (Kuiper)`, or `the --feed hunts`. */
  name: string;
  hunts: Hunt[];
}

/**
 * Returns the packs, and the --feed hunts as one source, of which no hunt ran, because no hunt
 * of theirs searches the tables the logs filled or no event had a value in the columns they
 * compare. A hunt left out as the duplicate of a hunt that ran counts as run. Returns an empty
 * list for a run of one source, which {@link noHuntRanLine} covers.
 */
export function findSourcesWithoutHunts(
  result: HuntLogsResult,
  loaded: LoadedHunts,
  cwd: string,
): HuntSource[] {
  const sources = new Map<string, HuntSource>();
  for (const hunt of loaded.hunts) {
    const pack = loaded.packOf.get(hunt.id);
    const key = pack ?? '';
    let source = sources.get(key);
    if (!source) {
      const title = pack === undefined ? undefined : loaded.packTitles.get(pack);
      const name =
        pack === undefined
          ? 'the --feed hunts'
          : `pack ${displayPath(pack, cwd)}${title === undefined ? '' : ` (${title})`}`;
      source = { name, hunts: [] };
      sources.set(key, source);
    }
    source.hunts.push(hunt);
  }
  if (sources.size < 2) return [];

  const ran = new Set(result.huntsRun);
  for (const skipped of result.skipped) {
    if (skipped.sameAs !== undefined && ran.has(skipped.sameAs)) ran.add(skipped.huntId);
  }
  return [...sources.values()].filter((source) => !source.hunts.some((hunt) => ran.has(hunt.id)));
}

/**
 * Returns the stdout line of a run of several packs or feeds in which the hunts of some ran and
 * those of `idle` did not, because they search no table that the logs filled or no event had a
 * value in the columns they compare.
 */
export function sourcesWithoutHuntsLine(
  result: HuntLogsResult,
  idle: readonly HuntSource[],
): string {
  const sentences = idle.map((source) => {
    const emptyColumns = emptyColumnsText(huntsWithoutValuesOf(result, source.hunts));
    if (emptyColumns !== undefined) {
      return `no hunt of ${source.name} ran, because ${emptyColumns}, which its hunts compare`;
    }
    return `no hunt of ${source.name} ran, because its hunts search ${searchedTablesText(source.hunts)}`;
  });
  const subject = idle.length === 1 ? 'Its indicators were' : 'Their indicators were';
  return printable(
    `Incomplete hunt: ${sentences.join(', and ')}, and the logs contain only ` +
      `${filledTablesText(result)}. ${subject} not checked.`,
  );
}

/**
 * Returns the entries of `result.huntsWithoutValues` for `hunts`, counting a hunt left out as
 * the duplicate of such a hunt as that hunt.
 */
function huntsWithoutValuesOf(result: HuntLogsResult, hunts: readonly Hunt[]): HuntWithoutValues[] {
  const byId = new Map(result.huntsWithoutValues.map((entry) => [entry.huntId, entry]));
  for (const skipped of result.skipped) {
    const entry = skipped.sameAs === undefined ? undefined : byId.get(skipped.sameAs);
    if (entry !== undefined) byId.set(skipped.huntId, entry);
  }
  return hunts.flatMap((hunt) => byId.get(hunt.id) ?? []);
}
