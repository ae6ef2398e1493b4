/**
 * The output of a `huntpack hunt` run: the findings on stdout, as tables, CSV or JSON, and the
 * reading counts and first issues on stderr.
 */
import { sep } from 'node:path';
import { formatIssue, type HuntpackIssue, printable } from '../errors.js';
import { alternatives, type HuntLogsResult } from '../hunt/engine.js';
import { countHits, summarizeByHost, summarizeByIndicator } from '../hunt/findings.js';
import {
  formatFindingsCsv,
  formatFindingsTable,
  formatSummaryTable,
  HIT_COUNTS_NOTE,
} from '../hunt/format-findings.js';
import { formatReasonCounts, pickExamples } from '../hunt/hunt-report.js';
import { DEVICE_EVENTS_ROW, URL_CLICK_ROW } from '../hunt/logs/exports.js';
import { describeKind } from '../indicators/model.js';
import type { SetAside } from '../pipeline/allowlist/index.js';
import type { HuntFlags } from './hunt-options.js';
import { kqlOnlyAdvice, PRINTED_ISSUES } from './hunt-sources.js';
import type { CliIo } from './io.js';
import { count, displayPath } from './text.js';

/**
 * Writes the reading counts and the first issues, with control characters from the logs escaped.
 * `inputsWithoutEvents` are the warnings about logs that gave no event in a run that read others.
 */
export function writeSummary(
  result: HuntLogsResult,
  inputsWithoutEvents: readonly HuntpackIssue[],
  flags: HuntFlags,
  io: CliIo,
): void {
  const { stats } = result;
  for (const { file, names } of stats.sameFiles) {
    const quotedNames = names.map((name) => `"${displayPath(name, io.cwd)}"`);
    io.stderr.write(
      `huntpack: ${alternatives(quotedNames, 'and')} are the same file, so it was read once, as ` +
        `"${displayPath(file, io.cwd)}".\n`,
    );
  }
  writeHiddenEntries(stats.hiddenEntries, io);
  writeLoopLinks(stats.loopLinks, io);
  // A record is a line, except that a JSON array element or a CSV row spanning lines counts once.
  io.stderr.write(
    `records read ${stats.linesRead} = events parsed ${stats.eventsParsed} + rejected ${stats.linesRejected}` +
      ` + skipped ${stats.linesSkipped}\n`,
  );
  const deviceEventRows = stats.skippedByReason[DEVICE_EVENTS_ROW] ?? 0;
  if (deviceEventRows > 0) {
    const advice = kqlOnlyAdvice({ table: 'DeviceEvents', queryTag: 'de' }, flags, io.cwd);
    io.stderr.write(
      `huntpack: warning: ${count(deviceEventRows, 'DeviceEvents row')} of firewall blocks, SmartScreen or ` +
        `network protection ${deviceEventRows === 1 ? 'was' : 'were'} skipped, because local hunts ` +
        `do not read DeviceEvents. ${advice}\n`,
    );
  }
  const urlClickRows = stats.skippedByReason[URL_CLICK_ROW] ?? 0;
  if (urlClickRows > 0) {
    const advice = kqlOnlyAdvice({ table: 'UrlClickEvents', queryTag: 'uce' }, flags, io.cwd);
    io.stderr.write(
      `huntpack: warning: ${count(urlClickRows, 'UrlClickEvents row')} of Safe Links clicks ` +
        `${urlClickRows === 1 ? 'was' : 'were'} skipped, because local hunts do not read ` +
        `UrlClickEvents. ${advice}\n`,
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
      `${outside > 0 ? `; events that could match an indicator but lie outside the lookback window: ${outside}` : ''}` +
      `${timeless > 0 ? `; events without a time, which a lookback leaves out: ${timeless}` : ''}\n`,
  );
}

/** How many hidden entries, or symlinks to a parent folder, the line about them names. */
const PRINTED_HIDDEN_ENTRIES = 5;

/** Writes a warning that names the hidden entries that the folder walks skipped. */
function writeHiddenEntries(hiddenEntries: readonly string[], io: CliIo): void {
  if (hiddenEntries.length === 0) return;
  const names = hiddenEntries.slice(0, PRINTED_HIDDEN_ENTRIES).map((entry) => {
    // relative() drops the trailing separator that marks a folder.
    const folderMark = entry.endsWith(sep) ? sep : '';
    return `"${displayPath(entry, io.cwd)}${folderMark}"`;
  });
  const more = hiddenEntries.length - names.length;
  if (more > 0) names.push(`${more} more`);
  io.stderr.write(
    printable(
      `huntpack: warning: ${count(hiddenEntries.length, 'hidden file or folder', 'hidden files or folders')} ` +
        `in the log folders ${hiddenEntries.length === 1 ? 'was' : 'were'} skipped: ` +
        `${alternatives(names, 'and')}. Name a hidden file or folder as an input to hunt it.`,
    ) + '\n',
  );
}

/** Writes one line that names the symlinks to a parent folder that the folder walks skipped. */
function writeLoopLinks(loopLinks: readonly string[], io: CliIo): void {
  if (loopLinks.length === 0) return;
  const names = loopLinks
    .slice(0, PRINTED_HIDDEN_ENTRIES)
    .map((link) => `"${displayPath(link, io.cwd)}"`);
  const more = loopLinks.length - names.length;
  if (more > 0) names.push(`${more} more`);
  const subject =
    loopLinks.length === 1
      ? '1 symlink in the log folders points'
      : `${loopLinks.length} symlinks in the log folders point`;
  io.stderr.write(
    printable(
      `huntpack: ${subject} to a folder that contains ${loopLinks.length === 1 ? 'it' : 'them'}, ` +
        `so the walk did not follow ${loopLinks.length === 1 ? 'it' : 'them'}: ` +
        `${alternatives(names, 'and')}.`,
    ) + '\n',
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
export interface Incomplete {
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

export function writeFindings(
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
