/**
 * `huntpack hunt (--pack DIR | --feed FEED)... LOGS...`: runs hunts over exported logs on an
 * embedded DuckDB and reports every hit with its log file, line and time.
 */
import { parseLookback } from './options.js';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Lookback } from '../compile/ir.js';
import { lookbackStart } from '../compile/evaluate.js';
import { ConfigError, FeedParseError, printable, UsageError } from '../errors.js';
import { huntLogs, type HuntLogsResult } from '../hunt/engine.js';
import { startParseWorkers, type CefWorkerPool } from '../hunt/logs/read-logs.js';
import { loadHunts, rejectPackFolderInputs, type LoadedHunts } from './hunt-sources.js';
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
import { writeFindings, writeSummary, type Incomplete } from './hunt-findings.js';
import { writeReports } from './hunt-reports.js';

/**
 * Describes the lookback window for the hunt report: `30d before <time>` with `--now`, which
 * ends it, and else `30d (events after <time>)`, since the window then has no end.
 */
function windowText(lookback: Lookback, end: Date, ended: boolean): string {
  const span = `${lookback.amount}${lookback.unit}`;
  if (ended) return `${span} before ${end.toISOString()}`;
  return `${span} (events after ${new Date(lookbackStart(end, lookback)).toISOString()})`;
}

function progressWriter(
  io: CliIo,
): ((progress: { linesRead: number; findings: number }) => void) | undefined {
  if (!io.stderr.isTTY) return undefined;
  return (progress) => {
    io.stderr.write(
      `\rhunting: ${progress.linesRead.toLocaleString('en-US')} records read, ${progress.findings} findings`,
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
