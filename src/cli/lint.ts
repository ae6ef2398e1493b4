/**
 * `huntpack lint FILE...`: checks hand-written hunt reports and query files. KQL blocks go through
 * the Kusto check. Exclusions, as "Filter/Exclusion" lines or a pack report's scenario lines,
 * are parsed, checked for logic faults and columns the report's tables lack, and each gets a
 * plain-words statement of what it removes and a fix.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError, fileReadReason, formatIssue } from '../errors.js';
import type { Platform } from '../pipeline/schemas.js';
import { binaryFileMessage, decodeText } from '../validate/decode-text.js';
import { lintReport, type LintResult } from '../validate/lint/lint-report.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './io.js';
import type { CommandAction } from './run.js';
import { count } from './text.js';

interface LintFlags {
  platform?: Platform;
  kusto: boolean;
  json?: boolean;
}

function printResult(result: LintResult, io: CliIo): void {
  // Findings on exclusion lines are printed with their exclusion below, so list the rest here.
  const exclusionLines = new Set(result.exclusions.map((exclusion) => exclusion.line));
  for (const issue of result.issues) {
    if (issue.source?.line === undefined || !exclusionLines.has(issue.source.line)) {
      io.stdout.write(`${formatIssue(issue)}\n`);
    }
  }
  for (const exclusion of result.exclusions) {
    io.stdout.write(`\n${result.file}:${exclusion.line}: ${exclusion.label} ${exclusion.text}\n`);
    if (exclusion.effect) io.stdout.write(`  as the condition to keep, it ${exclusion.effect}\n`);
    if (exclusion.otherEffect) {
      io.stdout.write(`  read with OR binding tighter, it ${exclusion.otherEffect}\n`);
    }
    for (const finding of exclusion.findings) {
      io.stdout.write(`  ${finding.severity} ${finding.code}: ${finding.message}\n`);
    }
    for (const correction of exclusion.corrections) {
      if (correction.filter) {
        const reading =
          correction.reading === 'drop'
            ? 'reading the line as the events to drop'
            : "keeping the line's meaning, with the table's columns";
        io.stdout.write(
          `  condition to keep for ${correction.table}, ${reading}: ${correction.filter}\n`,
        );
      } else if (correction.reason)
        io.stdout.write(`  no correction for ${correction.table}: ${correction.reason}\n`);
    }
  }
  const errors = result.issues.filter((issue) => issue.severity === 'error').length;
  const warnings = result.issues.filter((issue) => issue.severity === 'warning').length;
  const queries = count(result.blocks.length, 'query', 'queries');
  io.stdout.write(
    `\n${result.file}: ${queries}${result.kqlChecked ? ' checked with the Kusto parser' : ''}, ` +
      `${count(result.exclusions.length, 'exclusion')}, ${count(errors, 'error')}, ` +
      `${count(warnings, 'warning')}\n`,
  );
}

async function runLint(files: string[], flags: LintFlags, io: CliIo): Promise<number> {
  let errors = 0;
  const results: LintResult[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(resolve(io.cwd, file));
    } catch (error) {
      throw new ConfigError('FILE_NOT_FOUND', `Cannot read ${file}: ${fileReadReason(error)}.`, {
        cause: error,
      });
    }
    const decoded = decodeText(bytes);
    if (!('text' in decoded)) {
      throw new ConfigError('BINARY_FILE', binaryFileMessage(file, decoded.binary));
    }
    const result = lintReport(decoded.text, file, {
      platform: flags.platform,
      ...(flags.kusto ? {} : { checkKql: false as const }),
    });
    results.push(result);
    errors += result.issues.filter((issue) => issue.severity === 'error').length;
    if (!flags.json) printResult(result, io);
  }
  if (flags.json) io.stdout.write(JSON.stringify(results, null, 2) + '\n');
  return errors > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** Adds the `lint` command to the program. */
export function registerLintCommand(
  program: Command,
  io: CliIo,
  setAction: (action: CommandAction) => void,
): void {
  program
    .command('lint')
    .description(
      'Check a hand-written hunt report or query file: its KQL (Kusto check, time filters, ignored ports, loose host matches, always-true where clauses), its indicators (fanged, or named by no query) and its Filter/Exclusion lines.',
    )
    .argument('<files...>', 'report or query files (text or Markdown)')
    .addOption(
      new Option(
        '--platform <platform>',
        'table schemas to check every query and exclusion against: Sentinel (TimeGenerated) or Defender advanced hunting (Timestamp); default: the platform in each query\'s "// Platform:" comment, else sentinel',
      ).choices(['sentinel', 'defender']),
    )
    .option(
      '--no-kusto',
      'skip the Kusto check of the queries (it loads the parser, a few seconds)',
    )
    .option('--json', 'print the findings as JSON')
    .action((files: string[], flags: LintFlags) => {
      setAction(() => runLint(files, flags, io));
    });
}
