/**
 * `huntpack check PATH...`: checks hand-written KQL files (or the KQL blocks of Markdown files
 * and plain-text reports, or every such file under a folder) with Microsoft's Kusto parser against the Sentinel or Defender table
 * schemas. Without `--platform`, each query's `// Platform:` header comment chooses.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import {
  checkKqlFiles,
  findFilesToCheck,
  noFilesToCheckResult,
  unreadableFolderResult,
  type FileCheckResult,
} from '../validate/check-files.js';
import { formatDiagnostic } from '../validate/format-diagnostic.js';
import type { Platform } from '../pipeline/schemas.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './io.js';
import type { CommandAction } from './run.js';
import { count } from './text.js';

interface CheckFlags {
  platform?: Platform;
  analyzers: boolean;
  json?: boolean;
}

/**
 * Replaces each folder among the paths with the files `findFilesToCheck` finds under it, and
 * writes how many it found. A folder without such files, or one that cannot be read, becomes an
 * error result in its place, so the other paths are still checked.
 */
async function expandFolders(
  paths: string[],
  flags: CheckFlags,
  io: CliIo,
  found: Set<string>,
): Promise<Array<string | FileCheckResult>> {
  const inputs: Array<string | FileCheckResult> = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory()) {
      inputs.push(path);
      continue;
    }
    let files: string[];
    try {
      files = await findFilesToCheck(path);
    } catch (error) {
      inputs.push(unreadableFolderResult(path, error));
      continue;
    }
    if (files.length === 0) {
      inputs.push(noFilesToCheckResult(path));
      continue;
    }
    // With --json, stdout contains only the JSON document.
    const output = flags.json ? io.stderr : io.stdout;
    output.write(
      `${path}: found ${count(files.length, 'file')} to check (.kql, .csl, .kusto, .md)\n`,
    );
    inputs.push(...files);
    for (const file of files) found.add(file);
  }
  return inputs;
}

/**
 * Makes NO_KQL_BLOCKS an info line for a Markdown file found in a folder: a folder of hunts often
 * contains documents without queries, such as the hunt-report.md that `huntpack hunt` writes
 * into a pack. A file the user names keeps the warning.
 */
function relaxFoundFiles(result: FileCheckResult, found: ReadonlySet<string>): FileCheckResult {
  if (!found.has(result.file)) return result;
  const diagnostics = result.diagnostics.map((diagnostic) =>
    diagnostic.code === 'NO_KQL_BLOCKS' ? { ...diagnostic, severity: 'info' as const } : diagnostic,
  );
  return { ...result, diagnostics };
}

async function runCheck(paths: string[], flags: CheckFlags, io: CliIo): Promise<number> {
  const found = new Set<string>();
  const inputs = await expandFolders(
    paths.map((path) => resolve(io.cwd, path)),
    flags,
    io,
    found,
  );
  // Each file's result is written as soon as it is checked, because a folder of a few hundred
  // query files takes half a minute with the Kusto parser.
  const results: FileCheckResult[] = [];
  let errors = 0;
  let warnings = 0;
  const options = { platform: flags.platform, analyzers: flags.analyzers };
  for (const input of inputs) {
    const result =
      typeof input === 'string'
        ? relaxFoundFiles((await checkKqlFiles([input], options))[0]!, found)
        : input;
    results.push(result);
    let mine = 0;
    for (const diagnostic of result.diagnostics) {
      if (diagnostic.severity === 'error') mine += 1;
      else if (diagnostic.severity === 'warning') warnings += 1;
    }
    errors += mine;
    if (flags.json) continue;
    for (const diagnostic of result.diagnostics)
      io.stdout.write(`${formatDiagnostic(diagnostic)}\n`);
    io.stdout.write(
      `${result.file}: ${count(result.queries, 'query', 'queries')}, ` +
        `${mine === 0 ? 'no errors' : count(mine, 'error')}\n`,
    );
  }

  if (flags.json) {
    io.stdout.write(JSON.stringify({ errors, warnings, files: results }, null, 2) + '\n');
  } else {
    io.stdout.write(
      `${count(errors, 'error')}, ${count(warnings, 'warning')} in ${count(results.length, 'file')} ` +
        `(${describePlatforms(results)})\n`,
    );
  }
  return errors > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** Names the schemas the queries were checked against: `sentinel schemas`, or a count of each. */
function describePlatforms(results: readonly FileCheckResult[]): string {
  const counts = new Map<Platform, number>();
  for (const platform of results.flatMap((result) => result.platforms)) {
    counts.set(platform, (counts.get(platform) ?? 0) + 1);
  }
  if (counts.size === 0) return 'no query checked';
  const [only] = counts.keys();
  if (counts.size === 1) return `${only} schemas`;
  const parts = [...counts].map(
    ([platform, count]) => `${count} ${count === 1 ? 'query' : 'queries'} against ${platform}`,
  );
  return `${parts.join(', ')} schemas`;
}

/** Adds the `check` command to the program. */
export function registerCheckCommand(
  program: Command,
  io: CliIo,
  setAction: (action: CommandAction) => void,
): void {
  program
    .command('check')
    .description(
      'Check KQL files, or the ```kql blocks of Markdown files, with the Kusto parser against the table schemas.',
    )
    .argument(
      '<paths...>',
      '.kql, .csl or .kusto files (one query each) or Markdown files; any other file is one query, or its query blocks when it does not parse as one; a folder means every .kql, .csl, .kusto and .md file under it',
    )
    .addOption(
      new Option(
        '--platform <platform>',
        'table schemas to check every query against: Sentinel (TimeGenerated) or Defender advanced hunting (Timestamp); default: the platform in each query\'s "// Platform:" comment, else sentinel',
      ).choices(['sentinel', 'defender']),
    )
    .option('--no-analyzers', "report only syntax and name errors, not the parser's style warnings")
    .option('--json', 'print the diagnostics as JSON')
    .action((paths: string[], flags: CheckFlags) => {
      setAction(() => runCheck(paths, flags, io));
    });
}
