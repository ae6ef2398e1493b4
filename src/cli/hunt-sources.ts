/**
 * The hunts of `huntpack hunt`: read from pack folders that `huntpack build` wrote, or built
 * from feeds on the fly, with the feed counts and warnings on stderr.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Hunt, Lookback } from '../compile/ir.js';
import { FeedParseError, formatIssue, printable, UsageError } from '../errors.js';
import { huntsFromFeeds, type FeedHunts } from '../hunt/hunts-from-feed.js';
import { joinHuntParts } from '../hunt/select-hunts.js';
import { loadAllowlists, type SetAside } from '../pipeline/allowlist/index.js';
import type { CollectCounts } from '../pipeline/collect.js';
import { listLabel } from '../report/markdown.js';
import { readPackHunts } from '../report/read-pack.js';
import { buildIssueLines } from './build-issue-lines.js';
import {
  describeFeedAge,
  describeFilters,
  describeUnmatchedFamilies,
  describeUnmatchedKinds,
  describeUnmatchedThreatTypes,
} from './build-warnings.js';
import { describeKind } from '../indicators/model.js';
import { indicatorFilterOptions, type IndicatorFilterFlags } from './options.js';
import type { CliIo } from './io.js';
import { count, displayPath, rowsReadLine } from './text.js';

/** The options of `huntpack hunt` that choose its hunts. */
export interface HuntSourceFlags extends IndicatorFilterFlags {
  pack?: string[];
  feed?: string[];
  builtinAllowlists: boolean;
}

/** Number of rejections, field warnings and file errors printed on stderr, out of all counted. */
export const PRINTED_ISSUES = 5;

/**
 * Prefixes a hunt id that more than one pack uses with its pack folder, such as
 * `out-misp/qakbot:qakbot-sentinel-csl-port-aware`. Packs of one family built from different
 * feeds share hunt ids, and each finding must name the pack whose report it belongs in.
 */
function renameSharedHuntIds(
  perPack: ReadonlyArray<{ pack: string; hunts: Hunt[] }>,
  cwd: string,
): Array<{ pack: string; hunts: Hunt[] }> {
  const packsOfId = new Map<string, Set<string>>();
  for (const { pack, hunts } of perPack) {
    for (const hunt of hunts) {
      const owners = packsOfId.get(hunt.id) ?? new Set<string>();
      owners.add(pack);
      packsOfId.set(hunt.id, owners);
    }
  }
  return perPack.map(({ pack, hunts }) => ({
    pack,
    hunts: hunts.map((hunt) =>
      (packsOfId.get(hunt.id)?.size ?? 0) > 1
        ? { ...hunt, id: `${displayPath(pack, cwd)}:${hunt.id}` }
        : hunt,
    ),
  }));
}

/** Writes the feed counts in the words of `huntpack build`'s summary, so that each line adds up. */
function feedCountLines(counts: CollectCounts, setAside: number): string[] {
  return [
    rowsReadLine(counts),
    `accepted ${counts.accepted} = in hunts ${counts.kept - setAside} + set aside by allowlists ${setAside} + ` +
      `filtered out ${counts.filteredOut}`,
  ];
}

/**
 * Returns the stderr lines that name the first {@link PRINTED_ISSUES} indicators set aside, each
 * with its list, entry and reason, and state where the rest are listed. Values stay live, as in
 * the findings table on stdout.
 *
 * @param kept the indicators that passed the filters, set aside or not.
 * @param hasReport true when --report names a hunt report, which lists every one.
 */
function setAsideLines(setAside: readonly SetAside[], kept: number, hasReport: boolean): string[] {
  if (setAside.length === 0) return [];
  // When the allowlists set aside every indicator, the warning about no hunt gives this advice.
  const pronoun = setAside.length === 1 ? 'it' : 'them';
  const advice =
    setAside.length < kept ? ` Pass --no-builtin-allowlists to hunt ${pronoun} anyway.` : '';
  const lines = [
    `huntpack: the built-in allowlists set aside ${count(setAside.length, 'indicator')}, so ` +
      `no hunt looks for ${pronoun} and no finding can name ${pronoun}.${advice}`,
  ];
  for (const item of setAside.slice(0, PRINTED_ISSUES)) {
    const { indicator, entry, reason } = item;
    lines.push(
      printable(
        `  ${describeKind(indicator.kind)} ${indicator.value}: ${listLabel(item)}, ` +
          `entry ${entry}: ${reason}`,
      ),
    );
  }
  const more = setAside.length - PRINTED_ISSUES;
  if (hasReport) {
    lines.push(
      `  ${more > 0 ? `... and ${more} more. ` : ''}The hunt report (--report) lists ` +
        `${setAside.length === 1 ? 'it' : `all ${setAside.length}`} with the list, entry and reason.`,
    );
  } else if (more > 0) {
    lines.push(
      `  ... and ${more} more. Pass --report FILE to list all ${setAside.length} in a hunt ` +
        'report, or --json.',
    );
  }
  return lines;
}

/** Returns `all 3 indicators`, or `the only indicator` for one. */
function allIndicatorsText(indicators: number): string {
  return indicators === 1 ? 'the only indicator' : `all ${indicators} indicators`;
}

/**
 * Writes the feed counts and a warning for each reason the feeds gave no hunt.
 *
 * @throws FeedParseError when a feed could not be read or is in no known format, after writing
 *   the error of each such feed, because hunting without it would report a clean result.
 */
function writeFeedOutcome(
  fromFeeds: FeedHunts,
  flags: HuntSourceFlags & { report?: string },
  io: CliIo,
  now: Date,
): void {
  const { collected, setAside } = fromFeeds;
  const failed = collected.perFile.filter((file) => file.failed);
  if (failed.length > 0) {
    const named: string[] = [];
    for (const file of failed) {
      const cause = collected.issues.find(
        (issue) => issue.severity === 'error' && issue.source?.file === file.file,
      );
      if (cause) io.stderr.write(`${formatIssue(cause)}\n`);
      named.push(`${displayPath(file.file, io.cwd)}${cause ? ` (${cause.code})` : ''}`);
    }
    throw new FeedParseError(
      'FEED_NOT_READ',
      `${failed.length} of ${collected.perFile.length} feeds could not be read: ` +
        `${named.join(', ')}; see the errors above. No hunt was run.`,
    );
  }

  const { counts } = collected;
  // The feeds' issues, such as a live domain left out of a defanged report, as build prints them.
  // A run with no indicator prints its first reasons below instead.
  if (counts.accepted > 0) {
    for (const line of buildIssueLines(collected.issues, new Set())) io.stderr.write(`${line}\n`);
  }
  for (const line of feedCountLines(counts, setAside.length)) io.stderr.write(`${line}\n`);
  for (const line of setAsideLines(setAside, counts.kept, flags.report !== undefined)) {
    io.stderr.write(`${line}\n`);
  }
  for (const file of collected.perFile) {
    if (file.rowsRead > 0) continue;
    io.stderr.write(
      `huntpack: warning: no rows were read from ${file.file}: the feed is empty or contains ` +
        'no indicator. Check the path, and that its download or export did not fail.\n',
    );
  }
  if (counts.rowsRead > 0 && counts.accepted === 0) {
    const dropped = Object.values(counts.dropped).reduce((sum, count) => sum + count, 0);
    io.stderr.write(
      `huntpack: warning: no row read became an indicator (rejected ${counts.rejected}, ` +
        `dropped ${dropped}), so the feeds gave no hunt.` +
        `${collected.issues.length > 0 ? ' The first reasons:' : ''}\n`,
    );
    // Row errors give the reason rows were rejected, so they come before warnings about the file.
    const errorsFirst = [
      ...collected.issues.filter((issue) => issue.severity === 'error'),
      ...collected.issues.filter((issue) => issue.severity !== 'error'),
    ];
    for (const issue of errorsFirst.slice(0, PRINTED_ISSUES))
      io.stderr.write(`  ${formatIssue(issue)}\n`);
  } else if (counts.accepted > 0 && counts.kept === 0) {
    const unmatched = [
      ...describeUnmatchedFamilies(flags.family ?? [], collected.acceptedFamilies ?? []),
      ...describeUnmatchedThreatTypes(flags.threatType ?? [], collected.acceptedThreatTypes ?? []),
      ...describeUnmatchedKinds(flags.iocType ?? [], collected.acceptedKinds ?? []),
      ...describeFeedAge(collected.filterCounts, collected.acceptedNewest ?? {}, now),
    ];
    io.stderr.write(
      `huntpack: warning: the filters removed ${allIndicatorsText(counts.accepted)} ` +
        `(${describeFilters(collected.filterCounts, flags)}), so the feeds gave no hunt. ` +
        [...unmatched, 'Check the filter values against the feed.'].join(' ') +
        '\n',
    );
  } else if (counts.kept > 0 && setAside.length === counts.kept) {
    io.stderr.write(
      `huntpack: warning: the allowlists set aside ${allIndicatorsText(counts.kept)}, so the feeds ` +
        'gave no hunt. Pass --no-builtin-allowlists to hunt them anyway.\n',
    );
  }
  // With other families kept, each --family value that matches no family gets its own warning,
  // so that no findings are not read as a clean hunt for it.
  if (counts.kept > 0) {
    const families = collected.acceptedFamilies ?? [];
    const sentences = [
      ...describeUnmatchedFamilies(flags.family ?? [], families),
      ...describeUnmatchedThreatTypes(flags.threatType ?? [], collected.acceptedThreatTypes ?? []),
      ...describeUnmatchedKinds(flags.iocType ?? [], collected.acceptedKinds ?? []),
    ];
    for (const sentence of sentences) io.stderr.write(`huntpack: warning: ${sentence}\n`);
  }
}

export interface LoadedHunts {
  hunts: Hunt[];
  /**
   * Indicators of the --feed files that the built-in allowlists set aside, with the list, entry
   * and reason. Empty without --feed, because a pack's report.md lists those of the pack.
   */
  setAside: SetAside[];
  /** Pack folder of each hunt id, for per-pack reports. */
  packOf: Map<string, string>;
  /** Report title of each pack folder: the family of its hunts. */
  packTitles: Map<string, string>;
  /** Feeds as the user named them, for the title of a --report file. */
  feedNames: string[];
}

/** Reads the hunts of every --pack folder and builds those of every --feed. */
export async function loadHunts(
  flags: HuntSourceFlags & { report?: string },
  io: CliIo,
  lookback: Lookback | undefined,
): Promise<LoadedHunts> {
  const packs: string[] = [];
  for (const pack of flags.pack ?? []) packs.push(await packFolderOf(resolve(io.cwd, pack)));
  const feeds = (flags.feed ?? []).map((feed) => (feed === '-' ? feed : resolve(io.cwd, feed)));
  if (packs.length === 0 && feeds.length === 0) {
    throw new UsageError(
      'MISSING_HUNTS',
      'Missing hunts: pass --pack DIR (a built pack) or --feed FILE (a feed).',
    );
  }

  const hasFilters =
    [flags.family, flags.iocType, flags.threatType].some((list) => list?.length) ||
    flags.minConfidence !== undefined ||
    flags.since !== undefined;
  if (feeds.length === 0 && hasFilters) {
    throw new UsageError(
      'FILTER_WITHOUT_FEED',
      'The indicator filters (--family, --ioc-type, --threat-type, --min-confidence, --since) apply to --feed only; a pack was filtered when it was built.',
    );
  }

  await rejectPackParentFolders(flags.pack ?? [], io.cwd);
  const perPack: Array<{ pack: string; hunts: Hunt[] }> = [];
  // Parts of a split hunt run as one hunt, under the id the pack's reports give the whole.
  for (const pack of packs) perPack.push({ pack, hunts: joinHuntParts(await readPackHunts(pack)) });

  const hunts: Hunt[] = [];
  const packOf = new Map<string, string>();
  for (const { pack, hunts: own } of renameSharedHuntIds(perPack, io.cwd)) {
    for (const hunt of own) {
      hunts.push(hunt);
      packOf.set(hunt.id, pack);
    }
  }
  const packTitles = new Map<string, string>();
  for (const { pack, hunts: own } of perPack) {
    packTitles.set(pack, own[0]?.family ?? displayPath(pack, io.cwd));
  }

  let setAside: SetAside[] = [];
  if (feeds.length > 0) {
    const now = new Date();
    const fromFeeds = await huntsFromFeeds(feeds, {
      filters: indicatorFilterOptions(flags, now),
      now,
      // Free text names no family, so a single --family names it, as in `huntpack build`.
      defaultFamily: flags.family?.length === 1 ? flags.family[0] : undefined,
      stdin: io.stdin,
      lookback,
      allowlists: loadAllowlists({ builtIn: flags.builtinAllowlists }),
    });
    writeFeedOutcome(fromFeeds, flags, io, now);
    setAside = fromFeeds.setAside;
    // A feed hunt named like a pack's hunt would be counted in that pack's report.
    for (const hunt of fromFeeds.hunts) {
      hunts.push(packOf.has(hunt.id) ? { ...hunt, id: `feeds:${hunt.id}` } : hunt);
    }
  }

  const feedNames = (flags.feed ?? []).map((feed) => (feed === '-' ? 'standard input' : feed));
  return { hunts, setAside, packOf, packTitles, feedNames };
}

/** File that marks a folder as a pack written by `huntpack build`. */
const PACK_JSON = 'pack.json';

/** Pack folders listed by name in a message before "and N more". */
const LISTED_PACKS = 5;

/** Returns the folder of a --pack path that names a pack's pack.json file, else the path. */
async function packFolderOf(pack: string): Promise<string> {
  if (basename(pack) !== PACK_JSON) return pack;
  const isFile = await stat(pack).then(
    (info) => info.isFile(),
    () => false,
  );
  return isFile ? dirname(pack) : pack;
}

async function isPackFolder(folder: string): Promise<boolean> {
  return stat(join(folder, PACK_JSON)).then(
    (info) => info.isFile(),
    () => false,
  );
}

/**
 * Returns the pack folders that a log input is or contains: the input itself when it contains
 * pack.json, else its subfolders that do, such as those of a build's `--out` folder. Returns
 * an empty list for a file, a glob pattern or a folder of logs.
 */
async function packFoldersOfInput(input: string): Promise<string[]> {
  if (await isPackFolder(input)) return [input];
  let entries;
  try {
    entries = await readdir(input, { withFileTypes: true });
  } catch {
    // Not a readable folder: reading the logs reports why.
    return [];
  }
  const packs: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const folder = join(input, entry.name);
    if (await isPackFolder(folder)) packs.push(folder);
  }
  return packs.sort();
}

/**
 * Rejects a --pack folder without pack.json whose subfolders are packs, such as a build's
 * `--out` folder, before reading it would report a missing pack.json that was never written.
 *
 * @throws UsageError naming up to two of the packs inside and the repeatable --pack option.
 */
async function rejectPackParentFolders(packs: readonly string[], cwd: string): Promise<void> {
  for (const pack of packs) {
    const folder = resolve(cwd, pack);
    if (await isPackFolder(folder)) continue;
    const inside = await packFoldersOfInput(folder);
    if (inside.length === 0) continue;

    const examples = inside.slice(0, 2).map((found) => displayPath(found, cwd));
    const more = inside.length - examples.length;
    const listed =
      examples.join(examples.length === 2 && more === 0 ? ' and ' : ', ') +
      (more > 0 ? ` and ${count(more, 'more pack', 'more packs')}` : '');
    const message =
      `--pack ${pack} has no ${PACK_JSON}, but its subfolders are packs, one per family as ` +
      `"huntpack build" writes them: ${listed}. Pass one family's folder, such as ` +
      `--pack ${examples[0]}. --pack can be given several times to hunt several packs in one run.`;
    // The paths come from the command line, and a control character in one is escaped.
    throw new UsageError('PACK_PARENT_FOLDER', printable(message));
  }
}

/** A table whose hunts run only in Sentinel or Defender, and the tag in its query file names. */
export interface KqlOnlyTable {
  table: 'DeviceEvents' | 'UrlClickEvents';
  /** The tag in the names of its query files, such as `de` in `queries/*-de-*.kql`. */
  queryTag: string;
}

/**
 * Returns where to find the hunts of `table` that a local hunt cannot run: the packs' queries,
 * and for --feed hunts, which have no pack folder, the build that writes them.
 */
export function kqlOnlyAdvice(
  { table, queryTag }: KqlOnlyTable,
  flags: HuntSourceFlags,
  cwd: string,
): string {
  const where = 'in Sentinel or Defender advanced hunting';
  const packQueries = `Run the packs' ${table} queries (queries/*-${queryTag}-*.kql) ${where}.`;
  const feeds = (flags.feed ?? []).map((feed) => displayPath(resolve(cwd, feed), cwd));
  if (feeds.length === 0) return packQueries;
  // A folder of its own, because a build into the --pack folders' parent would replace them.
  const words = [...feeds, '--out', 'feed-packs', ...feedFilterOptions(flags)];
  const build =
    `The --feed hunts have no pack folder, so build packs of them with ` +
    `"huntpack build ${words.map(shellWord).join(' ')}"`;
  if ((flags.pack ?? []).length > 0) return `${packQueries} ${build} to get their queries too.`;
  return `${build} and run their ${table} queries (feed-packs/*/queries/*-${queryTag}-*.kql) ${where}.`;
}

/**
 * Returns the options of this run that choose the --feed hunts' indicators, so that the build it
 * advises writes the DeviceEvents queries of the same indicators.
 */
function feedFilterOptions(flags: HuntSourceFlags): string[] {
  const options: string[] = [];
  if (flags.family?.length) options.push('--family', flags.family.join(','));
  if (flags.iocType?.length) options.push('--ioc-type', flags.iocType.join(','));
  if (flags.threatType?.length) options.push('--threat-type', flags.threatType.join(','));
  if (flags.minConfidence !== undefined) options.push('--min-confidence', flags.minConfidence);
  if (flags.since !== undefined) options.push('--since', flags.since);
  if (!flags.builtinAllowlists) options.push('--no-builtin-allowlists');
  return options;
}

/** Quotes a word for a POSIX shell when it contains anything but plain path and option characters. */
function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Returns the example command of the pack-folder message, with up to three --pack options. */
function packExample(packs: readonly string[], logs: readonly string[]): string {
  const packOptions = packs.slice(0, packs.length > 3 ? 2 : 3).flatMap((pack) => ['--pack', pack]);
  if (packs.length > 3) packOptions.push('--pack', '...');
  const logText = logs.length > 0 ? logs.join(' ') : 'LOGS...';
  return `huntpack hunt ${packOptions.join(' ')} ${logText}`;
}

/**
 * Rejects log inputs that are or contain pack folders, before any log is read. The shell
 * expands `--pack packs/*` into one --pack and a log input for every other pack, and reading a
 * pack's pack.json, queries and indicators.csv as logs gives one error per file.
 *
 * @throws UsageError naming the pack folders and the command that hunts them.
 */
export async function rejectPackFolderInputs(
  logs: readonly string[],
  packs: readonly string[],
  cwd: string,
): Promise<void> {
  const packInputs: string[] = [];
  const folderInputs: Array<{ input: string; packs: string[] }> = [];
  const otherLogs: string[] = [];
  for (const input of logs) {
    const found = await packFoldersOfInput(resolve(cwd, input));
    if (found.length === 0) otherLogs.push(input);
    else if (found.length === 1 && found[0] === resolve(cwd, input)) packInputs.push(input);
    else folderInputs.push({ input, packs: found.map((folder) => displayPath(folder, cwd)) });
  }
  if (packInputs.length === 0 && folderInputs.length === 0) return;

  const sentences: string[] = [];
  if (packInputs.length > 0) {
    const listed = packInputs.slice(0, LISTED_PACKS).join(', ');
    const more = packInputs.length - LISTED_PACKS;
    sentences.push(
      packInputs.length === 1
        ? `The log input ${packInputs[0]} is a pack folder (it contains ${PACK_JSON}), not a log.`
        : `${packInputs.length} log inputs are pack folders (they contain ${PACK_JSON}), not logs: ` +
            `${listed}${more > 0 ? ` and ${more} more` : ''}.`,
    );
  }
  for (const { input, packs: inside } of folderInputs) {
    const listed = inside.slice(0, LISTED_PACKS).join(', ');
    const more = inside.length - LISTED_PACKS;
    sentences.push(
      `The log input ${input} contains pack folders, not logs: ` +
        `${listed}${more > 0 ? ` and ${more} more` : ''}.`,
    );
  }
  const allPacks = [...packs, ...packInputs, ...folderInputs.flatMap((folder) => folder.packs)];
  sentences.push(
    'No log was read. Pass each pack with its own --pack. The option is repeatable, and one ' +
      'run hunts every pack given and writes a hunt report into each pack folder, for example:',
  );
  const example = packExample(allPacks, otherLogs);
  // The paths come from the command line, and a control character in one is escaped.
  throw new UsageError('PACK_AS_LOG', `${printable(sentences.join(' '))}\n  ${printable(example)}`);
}
