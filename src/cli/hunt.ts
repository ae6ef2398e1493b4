/**
 * `huntpack hunt (--pack DIR | --feed FEED)... LOGS...`: runs hunts over exported logs on an
 * embedded DuckDB and reports every hit with its log file, line and time.
 */
import { parseLookback } from './options.js';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Lookback } from '../compile/ir.js';
import { lookbackStart } from '../compile/evaluate.js';
import {
  ConfigError,
  FeedParseError,
  formatIssue,
  type HuntpackIssue,
  printable,
  UsageError,
} from '../errors.js';
import { huntLogs, type HuntLogsResult } from '../hunt/engine.js';
import { countHits, summarizeByHost, summarizeByIndicator } from '../hunt/findings.js';
import {
  formatFindingsCsv,
  formatFindingsTable,
  formatSummaryTable,
  HIT_COUNTS_NOTE,
} from '../hunt/format-findings.js';
import { formatReasonCounts, pickExamples, renderHuntReport } from '../hunt/hunt-report.js';
import { startParseWorkers, type CefWorkerPool } from '../hunt/logs/read-logs.js';
import { describeKind } from '../indicators/model.js';
import type { SetAside } from '../pipeline/allowlist/index.js';
import { writeFileAtomic } from '../pipeline/atomic-write.js';
import { HUNTPACK_VERSION } from '../version.js';
import { HUNT_REPORT_FILE } from '../report/write-pack.js';
import {
  deviceEventsAdvice,
  loadHunts,
  PRINTED_ISSUES,
  rejectPackFolderInputs,
  type LoadedHunts,
} from './hunt-sources.js';
import {
  findFailedInputs,
  findInputsWithoutEvents,
  findSourcesWithoutHunts,
  incompleteLine,
  noHuntRanLine,
  sourcesWithoutHuntsLine,
  unnamedUnusableFiles,
  writeIncomplete,
} from './hunt-inputs.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo } from './io.js';
import { count, displayPath } from './text.js';
import { DEVICE_EVENTS_ROW } from '../hunt/logs/exports.js';
import type { CommandAction } from './run.js';
import {
  addHuntOptions,
  parseFieldMap,
  parseNow,
  parseThreads,
  parseYear,
  rejectBuildOnlyOptions,
  type HuntFlags,
} from './hunt-options.js';

/**
 * Describes the lookback window for the hunt report: `30d before <time>` with `--now`, which
 * ends it, and else `30d (events after <time>)`, since the window then has no end.
 */
function windowText(lookback: Lookback, end: Date, ended: boolean): string {
  const span = `${lookback.amount}${lookback.unit}`;
  if (ended) return `${span} before ${end.toISOString()}`;
  return `${span} (events after ${new Date(lookbackStart(end, lookback)).toISOString()})`;
}

/**
 * Writes the reading counts and the first issues, with control characters from the logs escaped.
 * `inputsWithoutEvents` are the warnings about logs that gave no event in a run that read others.
 */
function writeSummary(
  result: HuntLogsResult,
  inputsWithoutEvents: readonly HuntpackIssue[],
  flags: HuntFlags,
  io: CliIo,
): void {
  const { stats } = result;
  io.stderr.write(
    `lines read ${stats.linesRead} = events parsed ${stats.eventsParsed} + lines rejected ${stats.linesRejected}` +
      ` + lines skipped ${stats.linesSkipped}\n`,
  );
  const deviceEventRows = stats.skippedByReason[DEVICE_EVENTS_ROW] ?? 0;
  if (deviceEventRows > 0) {
    io.stderr.write(
      `huntpack: warning: ${count(deviceEventRows, 'DeviceEvents row')} of firewall blocks, SmartScreen or ` +
        `network protection were skipped, because local hunts do not read DeviceEvents. ${deviceEventsAdvice(flags, io.cwd)}\n`,
    );
  }
  const reasons = Object.entries(stats.rejectedByReason).map(
    ([reason, count]) => `${reason} ${count}`,
  );
  if (reasons.length > 0) io.stderr.write(`rejections by reason: ${reasons.join(', ')}\n`);
  for (const issue of stats.rejections.slice(0, PRINTED_ISSUES))
    io.stderr.write(`  ${printable(formatIssue(issue))}\n`);
  if (stats.fieldWarnings > 0) {
    io.stderr.write(
      `field warnings by reason: ${formatReasonCounts(stats.fieldWarningsByReason)}\n`,
    );
    const examples = pickExamples(stats.warnings, PRINTED_ISSUES);
    for (const issue of examples) io.stderr.write(`  ${printable(formatIssue(issue))}\n`);
    const more = stats.fieldWarnings - examples.length;
    if (more > 0) {
      io.stderr.write(`  ... and ${more} more field warning${more === 1 ? '' : 's'}\n`);
    }
  }
  for (const issue of stats.fileErrors.slice(0, PRINTED_ISSUES))
    io.stderr.write(`${printable(formatIssue(issue))}\n`);
  for (const issue of inputsWithoutEvents.slice(0, PRINTED_ISSUES))
    io.stderr.write(`${printable(formatIssue(issue))}\n`);
  const moreWithoutEvents = inputsWithoutEvents.length - PRINTED_ISSUES;
  if (moreWithoutEvents > 0) {
    io.stderr.write(`... and ${moreWithoutEvents} more logs that gave no event\n`);
  }
  const outside = result.eventsOutsideWindow;
  const timeless = result.eventsWithoutTime;
  const totals = countHits(result.findings);
  io.stderr.write(
    `hunts run: ${result.huntsRun.length}; hits: ${totals.hits}; events matched: ${totals.events}; ` +
      `findings: ${totals.findings}` +
      `${outside > 0 ? `; events outside the lookback window: ${outside}` : ''}` +
      `${timeless > 0 ? `; events without a time, which a lookback leaves out: ${timeless}` : ''}\n`,
  );
}

function noFindingsLine(result: HuntLogsResult, window: string): string {
  const outside = result.eventsOutsideWindow;
  const timeless = result.eventsWithoutTime;
  if (outside === 0 && timeless === 0) return 'No findings: no event matched an indicator.';
  const parts: string[] = [];
  if (outside > 0) {
    parts.push(
      outside === 1
        ? '1 event that could match an indicator lies outside it'
        : `${outside} events that could match an indicator lie outside it`,
    );
  }
  if (timeless > 0) {
    parts.push(
      timeless === 1 ? '1 such event has no time' : `${timeless} such events have no time`,
    );
  }
  const advice =
    outside > 0
      ? 'Widen --lookback or move --now to include them.'
      : 'Run without --lookback to hunt events without a time.';
  return (
    `No findings in the lookback window (${window}): ${parts.join(', and ')}, of ` +
    `${result.stats.eventsParsed} events parsed. ${advice}`
  );
}

/** Why a run is incomplete: the stdout line that replaces "No findings", and its causes. */
interface Incomplete {
  line: string;
  failed: readonly HuntpackIssue[];
  /** Packs (or the --feed hunts) of which no hunt ran while those of others did. */
  sourcesWithoutHunts?: string[];
}

/** Returns an indicator set aside by allowlists in the --json output, with its value live. */
function setAsideJson({ indicator, list, listVersion, entry, reason }: SetAside): object {
  return {
    type: describeKind(indicator.kind),
    value: indicator.value,
    family: indicator.family?.name ?? null,
    list,
    listVersion,
    entry,
    reason,
  };
}

function writeFindings(
  result: HuntLogsResult,
  incomplete: Incomplete | undefined,
  inputsWithoutEvents: readonly HuntpackIssue[],
  setAside: readonly SetAside[],
  flags: HuntFlags,
  window: string,
  io: CliIo,
): void {
  const { findings } = result;
  if (flags.json) {
    const json = {
      complete: incomplete === undefined,
      failedInputs: incomplete?.failed ?? [],
      sourcesWithoutHunts: incomplete?.sourcesWithoutHunts ?? [],
      inputsWithoutEvents,
      setAside: setAside.map(setAsideJson),
      totals: countHits(findings),
      findings,
      byIndicator: summarizeByIndicator(findings),
      byHost: summarizeByHost(findings),
      huntsRun: result.huntsRun,
      skipped: result.skipped,
      eventsByTable: result.eventsByTable,
      eventsOutsideWindow: result.eventsOutsideWindow,
      eventsWithoutTime: result.eventsWithoutTime,
      stats: result.stats,
    };
    io.stdout.write(JSON.stringify(json, null, 2) + '\n');
    return;
  }
  if (flags.csv) {
    io.stdout.write(formatFindingsCsv(findings));
    return;
  }
  if (findings.length > 0) {
    io.stdout.write(formatFindingsTable(findings));
    io.stdout.write(
      '\n' + formatSummaryTable('INDICATOR', 'HOSTS', summarizeByIndicator(findings)),
    );
    io.stdout.write('\n' + formatSummaryTable('HOST', 'INDICATORS', summarizeByHost(findings)));
    io.stdout.write(`\n${HIT_COUNTS_NOTE}\n`);
  }
  // A failed input leaves logs unchecked, so "No findings" would read as clean logs.
  if (incomplete) {
    io.stdout.write(`${findings.length > 0 ? '\n' : ''}${incomplete.line}\n`);
  } else if (findings.length === 0) {
    io.stdout.write(`${noFindingsLine(result, window)}\n`);
  }
}

/** Returns the result limited to the hunts in `ids` and their findings. */
function resultOfHunts(result: HuntLogsResult, ids: ReadonlySet<string>): HuntLogsResult {
  // A hunt left out as a duplicate still owns the findings of the hunt that ran in its place.
  const owned = new Set(ids);
  for (const skipped of result.skipped) {
    if (ids.has(skipped.huntId) && skipped.sameAs !== undefined) owned.add(skipped.sameAs);
  }
  return {
    ...result,
    findings: result.findings.filter((finding) => owned.has(finding.huntId)),
    huntsRun: result.huntsRun.filter((id) => ids.has(id)),
    skipped: result.skipped.filter((skipped) => ids.has(skipped.huntId)),
    huntsWithoutValues: result.huntsWithoutValues.filter((hunt) => ids.has(hunt.huntId)),
  };
}

async function writeReports(
  result: HuntLogsResult,
  loaded: LoadedHunts,
  flags: HuntFlags,
  logs: string[],
  window: string,
  io: CliIo,
): Promise<void> {
  const targets = new Map<string, HuntLogsResult>();
  const titles = new Map<string, string>();
  // Messages name --report as given, and a pack's report relative to the working folder.
  const shownPaths = new Map<string, string>();
  if (flags.report !== undefined) {
    const file = resolve(io.cwd, flags.report);
    targets.set(file, result);
    shownPaths.set(file, flags.report);
    const families = [...new Set(loaded.packTitles.values())];
    const feeds = loaded.feedNames.map((feed) => `feed ${feed}`);
    titles.set(file, [...families, ...feeds].join(', '));
  } else {
    const idsOfPack = new Map<string, Set<string>>();
    for (const [id, pack] of loaded.packOf) {
      const ids = idsOfPack.get(pack) ?? new Set<string>();
      ids.add(id);
      idsOfPack.set(pack, ids);
    }
    for (const [pack, ids] of idsOfPack) {
      targets.set(join(pack, HUNT_REPORT_FILE), resultOfHunts(result, ids));
      titles.set(join(pack, HUNT_REPORT_FILE), loaded.packTitles.get(pack) ?? pack);
    }
  }
  if (flags.report === undefined && (flags.feed?.length ?? 0) > 0) {
    io.stderr.write(
      targets.size === 0
        ? 'huntpack: no hunt report was written, because --feed hunts have no pack folder to hold one. Pass --report FILE to write one.\n'
        : 'huntpack: the hunt reports in the pack folders leave out the --feed hunts. Pass --report FILE to write one report of every hunt.\n',
    );
  }
  for (const [file, own] of targets) {
    const text = renderHuntReport(own, {
      title: titles.get(file) ?? file,
      logs,
      window,
      generatorVersion: HUNTPACK_VERSION,
      // The --feed indicators set aside belong to the one report of every hunt, because the
      // reports in pack folders leave out the --feed hunts.
      setAside: flags.report === undefined ? undefined : loaded.setAside,
    });
    try {
      await writeFileAtomic(file, text);
    } catch (error) {
      // The system message names the temporary file, which the user never gave, so only its
      // code and description are kept: "ENOENT: no such file or directory".
      const reason = (error as Error).message.replace(/, \w+ '.*'$/s, '');
      throw new ConfigError(
        'REPORT_NOT_WRITABLE',
        `Cannot write the hunt report to ${shownPaths.get(file) ?? displayPath(file, io.cwd)}: ${reason}. Pass a writable path with --report.`,
        { cause: error },
      );
    }
    io.stderr.write(`wrote hunt report ${file}\n`);
  }
}

function progressWriter(
  io: CliIo,
): ((progress: { linesRead: number; findings: number }) => void) | undefined {
  if (!io.stderr.isTTY) return undefined;
  return (progress) => {
    io.stderr.write(
      `\rhunting: ${progress.linesRead.toLocaleString('en-US')} lines read, ${progress.findings} findings`,
    );
  };
}

async function runHunt(logs: string[], flags: HuntFlags, io: CliIo): Promise<number> {
  if (flags.json && flags.csv)
    throw new UsageError('CONFLICTING_OPTIONS', 'Choose one of --json and --csv.');
  if (logs.length === 0)
    throw new UsageError(
      'MISSING_LOGS',
      'Missing log files: pass one or more files, folders or glob patterns after the options.',
    );
  const lookback = flags.lookback === undefined ? undefined : parseLookback(flags.lookback);
  const now = parseNow(flags.now);
  if (now && !lookback)
    throw new UsageError(
      'NOW_WITHOUT_LOOKBACK',
      '--now sets the end of the --lookback window; pass --lookback too, such as --lookback 30d.',
    );
  const windowEnd = now ?? new Date();
  const window = lookback
    ? windowText(lookback, windowEnd, now !== undefined)
    : 'none (every event, whatever its time)';
  const threads = parseThreads(flags.threads);
  rejectBuildOnlyOptions(flags);
  await rejectPackFolderInputs(logs, flags.pack ?? [], io.cwd);
  const paths = logs.map((path) => resolve(io.cwd, path));

  // The parsing threads of large CEF files load their code while the hunts are prepared.
  const workers = await startParseWorkers(paths, threads);
  try {
    return await huntWith(logs, flags, io, {
      paths,
      threads,
      workers,
      lookback,
      windowEnd,
      window,
    });
  } finally {
    await workers?.close();
  }
}

/** Settings of a hunt run that {@link runHunt} resolves before it loads the hunts. */
interface HuntRun {
  paths: string[];
  threads: number | undefined;
  workers: CefWorkerPool | undefined;
  lookback: Lookback | undefined;
  windowEnd: Date;
  window: string;
}

async function huntWith(
  logs: string[],
  flags: HuntFlags,
  io: CliIo,
  { paths, threads, workers, lookback, windowEnd, window }: HuntRun,
): Promise<number> {
  let loaded: LoadedHunts;
  try {
    loaded = await loadHunts(flags, io, lookback);
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof FeedParseError)) throw error;
    io.stderr.write(`huntpack: ${error.message}\n`);
    return EXIT_USAGE;
  }
  // "No findings" from a run without hunts would look like clean logs, so such a run fails.
  if (loaded.hunts.length === 0) {
    io.stderr.write(
      'huntpack: no hunt to run, so the logs were not read. The packs and feeds given contain ' +
        'no indicator to hunt for; the warnings above name the cause for each feed.\n',
    );
    return EXIT_USAGE;
  }
  const progress = progressWriter(io);
  let result: HuntLogsResult;
  try {
    result = await huntLogs(loaded.hunts, paths, {
      format: flags.format,
      map: parseFieldMap(flags.map ?? []),
      year: parseYear(flags.year),
      latestTime: windowEnd,
      timezone: flags.timezone,
      dateOrder: flags.dateOrder,
      parseThreads: workers ? undefined : threads,
      parseWorkers: workers,
      lookback,
      now: windowEnd,
      // Without --now the window counts back from the present and, like the KQL, has no end.
      openEnded: flags.now === undefined,
      onProgress: progress,
    });
  } catch (error) {
    // Invalid reader options (--timezone, --map columns) are configuration errors, not crashes.
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`huntpack: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (progress) io.stderr.write('\n');

  const failed = findFailedInputs(result.stats);
  const inputsFailed = failed.length > 0 || unnamedUnusableFiles(result.stats, failed) > 0;
  const noHuntRan = !inputsFailed && result.huntsRun.length === 0;
  // With several packs, a pack whose hunts all search tables the logs did not fill checked
  // nothing, though the other packs' hunts ran.
  const idleSources =
    inputsFailed || noHuntRan ? [] : findSourcesWithoutHunts(result, loaded, io.cwd);
  let incomplete: Incomplete | undefined;
  if (inputsFailed) incomplete = { line: incompleteLine(result, failed, io.cwd), failed };
  else if (noHuntRan) incomplete = { line: noHuntRanLine(result, loaded.hunts), failed };
  else if (idleSources.length > 0) {
    incomplete = {
      line: sourcesWithoutHuntsLine(result, idleSources),
      failed,
      sourcesWithoutHunts: idleSources.map((source) => source.name),
    };
  }
  const inputsWithoutEvents = findInputsWithoutEvents(result.stats, failed);
  writeFindings(result, incomplete, inputsWithoutEvents, loaded.setAside, flags, window, io);
  writeSummary(result, inputsWithoutEvents, flags, io);
  // A run with a failed input fails, and its report would stand in for the last complete one,
  // so the report is written only after a run that read and used every log.
  if (inputsFailed) {
    writeIncomplete(result.stats, failed, io);
    return EXIT_USAGE;
  }
  if (noHuntRan) {
    const cause =
      result.huntsWithoutValues.length > 0
        ? 'no event of these logs has a value in the columns that the hunts compare'
        : 'no hunt searches the events of these logs';
    io.stderr.write(
      `huntpack: the hunt report was not written because ${cause}, so the hunts checked ` +
        'nothing. An earlier report is left as it was.\n',
    );
    return EXIT_USAGE;
  }
  if (idleSources.length > 0) {
    const names = idleSources.map((source) => source.name).join(', ');
    io.stderr.write(
      `huntpack: no hunt reports were written because no hunt of ${printable(names)} ran on ` +
        'the events of these logs, so their indicators were not checked. Earlier reports are ' +
        'left as they were. Leave out the packs that cannot hunt these logs to write the ' +
        'reports of the others.\n',
    );
    return EXIT_USAGE;
  }
  try {
    await writeReports(result, loaded, flags, logs, window, io);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`huntpack: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (flags.failOnMatch && result.findings.length > 0) return EXIT_FAILURE;
  return EXIT_OK;
}

/** Adds the `hunt` command to the program. */
export function registerHuntCommand(
  program: Command,
  io: CliIo,
  setAction: (action: CommandAction) => void,
): void {
  const command = program
    .command('hunt')
    .description(
      'Run hunts over exported logs on an embedded DuckDB and list every hit with its file, line and time. ' +
        'Local hunts have no time limit unless --lookback is given, because exported logs are often old.',
    )
    .argument('<logs...>', 'log files, folders (read recursively) or glob patterns; plain or gzip');
  addHuntOptions(command).action((logs: string[], flags: HuntFlags) => {
    setAction(() => runHunt(logs, flags, io));
  });
}
