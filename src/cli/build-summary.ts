/** The summary that `huntpack build` prints on stdout, as text or with --json as JSON. */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  HuntpackError,
  printable,
  shortenValue,
  StrictStopError,
  UsageError,
  type HuntpackIssue,
} from '../errors.js';
import type { CollectResult } from '../pipeline/collect.js';
import type { GoneFamily } from './build-history.js';
import type { PackSummary } from './build-write-packs.js';
import type { CliIo } from './io.js';
import { count, displayPath, rowsReadLine } from './text.js';

/** The figures of a build that its summary reports. */
export interface BuildSummary {
  collected: CollectResult;
  /** Indicators set aside by allowlists, counted without their copies for other families. */
  setAsideCount: number;
  /** Indicators that --only-new left out, counted without their copies for other families. */
  alreadyHunted: number;
  /** Pack entries beyond the first of each indicator, hunted or set aside. */
  copiesInPacks: number;
  packs: PackSummary[];
  /** Pack folders in `outDir` that earlier builds wrote. */
  earlierPacks: string[];
  goneFamilies: GoneFamily[];
  stateFile: string | undefined;
  /** The reason the state file was not updated, or undefined when it was or there is none. */
  stateNotUpdated: string | undefined;
  /** The file that lists every issue. */
  issuesFile: string;
  outDir: string;
}

/** Writes the summary of a build to stdout, as JSON with `json`. */
export function writeBuildSummary(
  summary: BuildSummary,
  json: boolean | undefined,
  io: CliIo,
): void {
  const errors = summary.collected.issues.filter((issue) => issue.severity === 'error');
  if (json) writeJsonSummary(summary, errors, io);
  else writeTextSummary(summary, errors, io);
}

function writeJsonSummary(
  {
    stateFile,
    stateNotUpdated,
    collected,
    packs,
    earlierPacks,
    goneFamilies,
    issuesFile,
    setAsideCount,
    alreadyHunted,
    copiesInPacks,
  }: BuildSummary,
  errors: readonly HuntpackIssue[],
  io: CliIo,
): void {
  io.stdout.write(
    JSON.stringify(
      {
        counts: {
          ...collected.counts,
          inPacks: collected.counts.kept - setAsideCount - alreadyHunted,
          setAside: setAsideCount,
          alreadyHunted,
          copiesForOtherFamilies: copiesInPacks,
        },
        files: collected.perFile,
        packs,
        earlierPacks,
        goneFamilies,
        ...(stateFile === undefined
          ? {}
          : {
              state: {
                file: stateFile,
                updated: stateNotUpdated === undefined,
                ...(stateNotUpdated === undefined ? {} : { reason: stateNotUpdated }),
              },
            }),
        issues: { total: collected.issues.length, errors: errors.length, file: issuesFile },
      },
      null,
      2,
    ) + '\n',
  );
}

/**
 * Returns true for an error that stops a build once it has started, such as a bad row under
 * --strict or a generated query that the Kusto parser rejects. A usage error is left out, because
 * no build ran.
 */
export function isBuildStop(error: unknown): error is HuntpackError {
  return error instanceof HuntpackError && !(error instanceof UsageError);
}

/**
 * Writes the JSON document of a build that stopped before its summary: the error's code, reason
 * and location, and the feed's value when the issue that stopped a --strict build records one.
 * A build that stopped while reading feeds adds `counts` of the rows read before the stop.
 */
export function writeJsonStop(error: HuntpackError, io: CliIo): void {
  const issue = error instanceof StrictStopError ? error.issue : undefined;
  // A feed value can be megabytes long, so it is shortened as the message on stderr shows it.
  const value = issue?.value === undefined ? undefined : shortenValue(issue.value);
  const stopped = {
    code: error.code,
    // A warning about a malformed field stops a --strict build too.
    severity: issue?.severity ?? 'error',
    reason: error.message,
    ...(error.source === undefined ? {} : { source: error.source }),
    ...(value === undefined ? {} : { value: value.value }),
    ...(value?.shortened ? { valueShortened: true } : {}),
  };
  const counts = error.countsSoFar;
  io.stdout.write(JSON.stringify({ stopped, ...(counts ? { counts } : {}) }, null, 2) + '\n');
}

function writeTextSummary(
  {
    collected,
    outDir,
    packs,
    goneFamilies,
    earlierPacks,
    issuesFile,
    setAsideCount,
    alreadyHunted,
    copiesInPacks,
  }: BuildSummary,
  errors: readonly HuntpackIssue[],
  io: CliIo,
): void {
  for (const line of summaryLines(collected, setAsideCount, alreadyHunted, io.cwd))
    io.stdout.write(`${line}\n`);
  if (copiesInPacks > 0) {
    io.stdout.write(
      `also in the packs of their other families: ${count(copiesInPacks, 'copy', 'copies')} of indicators that the feeds name under several families (each FAMILY_CONFLICT in ${issuesFile})\n`,
    );
  }
  io.stdout.write(
    `wrote ${count(packs.length, 'pack')} to ${outDir}${packs.length > 0 ? ':' : '.'}\n`,
  );
  for (const pack of packs) {
    io.stdout.write(
      `  ${pack.folder}  ${printable(pack.family)}: ${count(pack.indicators, 'indicator')}, ` +
        `${count(pack.queries, 'query', 'queries')}, ${pack.setAside} set aside\n`,
    );
  }
  if (goneFamilies.length > 0) {
    const named = goneFamilies.map(
      (gone) => `${gone.family} (${gone.removed} removed, ${gone.expired} expired)`,
    );
    io.stdout.write(
      `${count(goneFamilies.length, 'family', 'families')} of the state file without a pack in this run, with indicators that left the feeds or expired: ${named.join(', ')}\n`,
    );
  }
  if (earlierPacks.length > 0) {
    const shown = earlierPacks.slice(0, SHOWN_EARLIER_PACKS).join(', ');
    const more = earlierPacks.length > SHOWN_EARLIER_PACKS ? ', ...' : '';
    io.stdout.write(
      `${count(earlierPacks.length, 'pack')} in ${outDir} from earlier builds left as ${earlierPacks.length === 1 ? 'it was' : 'they were'}: ${shown}${more}\n`,
    );
  }
  if (collected.issues.length > 0) {
    io.stdout.write(
      `${count(collected.issues.length, 'issue')} (${count(errors.length, 'error')}) listed in ${issuesFile}\n`,
    );
  }
}

function summaryLines(
  collected: CollectResult,
  setAside: number,
  alreadyHunted: number,
  cwd: string,
): string[] {
  const { counts } = collected;
  const lines: string[] = [];
  for (const file of collected.perFile) {
    const shown = displayPath(file.file, cwd);
    if (file.failed) {
      const cause = failureOf(file.file, collected.issues);
      lines.push(
        `could not read ${shown}${cause ? `: ${cause.code}` : ''} ` +
          `(${count(file.rowsRead, 'row')} read before the failure)`,
      );
      continue;
    }
    const rejected = file.rejected + file.rejectedValues;
    lines.push(
      `read ${shown} (${file.format}): ${count(file.rowsRead, 'row')}, ${rejected} rejected ` +
        `(${file.rejected} by the reader, ${file.rejectedValues} for their values)`,
    );
  }
  lines.push(rowsReadLine(counts));
  const huntedText = alreadyHunted > 0 ? ` + already hunted in earlier runs ${alreadyHunted}` : '';
  lines.push(
    `accepted ${counts.accepted} = in packs ${counts.kept - setAside - alreadyHunted} + set aside by allowlists ${setAside} + ` +
      `filtered out ${counts.filteredOut}${huntedText}`,
  );
  return lines;
}

/** Returns the first error issue of `file`, the reason it could not be read. */
export function failureOf(
  file: string,
  issues: readonly HuntpackIssue[],
): HuntpackIssue | undefined {
  return issues.find((issue) => issue.severity === 'error' && issue.source?.file === file);
}

/** Pack folders named in the summary that earlier builds left in the output folder. */
const SHOWN_EARLIER_PACKS = 10;

/**
 * Returns the names of the folders in `outDir` that hold a pack.json but were not written by
 * this build, such as the packs of a broader earlier build, in name order.
 */
export async function otherPackFolders(
  outDir: string,
  written: readonly string[],
): Promise<string[]> {
  const writtenNames = new Set(written.map((folder) => basename(folder)));
  let entries;
  try {
    entries = await readdir(outDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const names = entries
    .filter((entry) => entry.isDirectory() && !writtenNames.has(entry.name))
    .map((entry) => entry.name)
    .filter((name) => existsSync(join(outDir, name, 'pack.json')));
  return names.sort();
}
