/**
 * `huntpack build FEED... --out DIR`: reads feeds and writes one detection pack per family.
 */
import { indicatorFilterOptions, parseLookback } from './options.js';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  DEFENDER_RETENTION_DAYS,
  exceedsDefenderRetention,
  formatLookback,
} from '../compile/ir.js';
import { formatIssue, type HuntpackIssue, UsageError } from '../errors.js';
import { parseFeedFormat, FEED_FORMATS, type FeedFormat } from '../feeds/detect.js';
import { applyAllowlists, loadAllowlists } from '../pipeline/allowlist/index.js';
import { BackgroundAllowlistDecisions } from '../pipeline/allowlist/background.js';
import { readUserAllowlist } from '../pipeline/allowlist/user-list.js';
import { specialAddressWarningAfter } from '../pipeline/allowlist/special-addresses.js';
import { collectIndicators, type CollectOptions } from '../pipeline/collect.js';
import { eachPack } from '../report/build-packs.js';
import { backgroundKustoChecker } from '../validate/kusto-background.js';
import { DeferredQueryChecks } from '../validate/deferred-checks.js';
import { BuildCollections } from './garbage-collection.js';
import { isThreatFoxSource } from '../feeds/threatfox-query.js';
import { retryLine } from './fetch.js';
import { filterCollected } from './build-filter.js';
import { compareBuildWithHistory, findGoneFamilies, saveBuildHistory } from './build-history.js';
import { buildIssueLines } from './build-issue-lines.js';
import {
  addBuildOptions,
  checkDisabledAllowlistNames,
  loadExclusionFiles,
  prepareOutputFolders,
  type BuildFlags,
} from './build-options.js';
import {
  failureOf,
  isBuildStop,
  otherPackFolders,
  writeBuildSummary,
  writeJsonStop,
} from './build-summary.js';
import { parseListUrl } from './build-list-url.js';
import { queryCheckError, writePacks } from './build-write-packs.js';
import { removeRunManifest, writeRunManifest } from './build-run-manifest.js';
import {
  describeUnmatchedFamilies,
  describeUnmatchedThreatTypes,
  describeUnmatchedKinds,
  emptyBuildWarnings,
  familyFolderWarnings,
} from './build-warnings.js';
import { HUNTPACK_VERSION } from '../version.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './io.js';
import type { CommandAction } from './run.js';
import { count, displayPath } from './text.js';

async function writeIssues(outDir: string, issues: HuntpackIssue[]): Promise<string> {
  const file = join(outDir, 'build-issues.txt');
  await writeFile(
    file,
    issues.map(formatIssue).join('\n') + (issues.length > 0 ? '\n' : ''),
    'utf8',
  );
  return file;
}

/**
 * Runs a build and releases what it locked, such as the `--state` file, however it ends.
 */
async function runBuildReleasing(feeds: string[], flags: BuildFlags, io: CliIo): Promise<number> {
  const releases: Array<() => void> = [];
  try {
    return await runBuild(feeds, flags, io, releases);
  } catch (error) {
    // A caller that requested JSON gets a document even when the build stops. The error is
    // raised again, so stderr and the exit code stay those of any other failed build.
    if (flags.json && isBuildStop(error)) writeJsonStop(error, io);
    throw error;
  } finally {
    for (const release of releases) release();
  }
}

async function runBuild(
  feeds: string[],
  flags: BuildFlags,
  io: CliIo,
  releases: Array<() => void>,
): Promise<number> {
  const now = new Date();
  let format: FeedFormat | undefined;
  if (flags.format !== undefined) {
    format = parseFeedFormat(flags.format);
    if (!format) {
      const known = FEED_FORMATS.map((entry) => entry.format).join(', ');
      throw new UsageError(
        'UNKNOWN_FORMAT',
        `Unknown --format "${flags.format}": expected one of ${known}.`,
      );
    }
  }
  const lookback = parseLookback(flags.lookback);
  const listUrl = flags.listUrl === undefined ? undefined : parseListUrl(flags.listUrl);
  if (exceedsDefenderRetention(lookback)) {
    io.stderr.write(
      `huntpack: warning: --lookback ${formatLookback(lookback)} is longer than the ` +
        `${DEFENDER_RETENTION_DAYS} days of events that Defender advanced hunting keeps, so the ` +
        'Defender queries read only those. The Sentinel queries over the same tables cover the ' +
        'full lookback where the workspace keeps that much.\n',
    );
  }
  const filters = indicatorFilterOptions(flags, now);
  const outDir = await prepareOutputFolders(flags, io, releases);
  // User exclusions are checked before the feeds are read, so a fault in them fails fast.
  const userScenarios = await loadExclusionFiles(flags.exclusions ?? [], io);
  if (flags.onlyNew && !flags.state) {
    throw new UsageError(
      'ONLY_NEW_WITHOUT_STATE',
      '--only-new needs --state FILE, which records what earlier runs saw.',
    );
  }
  if (feeds.filter((feed) => feed === '-').length > 1) {
    throw new UsageError(
      'STDIN_TWICE',
      'The feed - (standard input) is given more than once, but standard input can be read only once. Give - once.',
    );
  }
  const inputs = feeds.map((feed) =>
    feed === '-' || isThreatFoxSource(feed) ? feed : resolve(io.cwd, feed),
  );

  // User allowlist files are parsed before the feeds are read, so a fault in them fails fast.
  const allowlistWarnings: string[] = [];
  checkDisabledAllowlistNames(flags.disableAllowlist ?? []);
  const allowlistOptions = {
    builtIn: flags.builtinAllowlists,
    disable: flags.disableAllowlist ?? [],
    // Read once, so that the worker of a large build checks the entries the user was warned about.
    userLists: (flags.allowlist ?? []).map((file) => readUserAllowlist(resolve(io.cwd, file))),
  };
  const allowlists = loadAllowlists({ ...allowlistOptions, warnings: allowlistWarnings });
  for (const warning of allowlistWarnings) io.stderr.write(`huntpack: warning: ${warning}\n`);
  // A large feed's indicators are checked against the lists on a second thread while later rows
  // are read.
  const background =
    allowlists.sources.length > 0 ? new BackgroundAllowlistDecisions(allowlistOptions) : undefined;
  if (background) releases.push(() => background.close());

  // The Kusto parser loads on a second thread while the feeds are read, and checks the queries
  // there while the packs are written.
  const kustoChecker = backgroundKustoChecker();
  const queryChecks = new DeferredQueryChecks(
    (text, options) => kustoChecker.checkAsync(text, options),
    flags.fullKustoCheck,
  );
  const collectOptions: CollectOptions = {
    format,
    strict: flags.strict,
    now,
    stdin: io.stdin,
    defaultFamily: flags.family?.length === 1 ? flags.family[0] : undefined,
    // filterCollected applies --family later, so the merge must know it to keep an indicator
    // that the feeds also name under another family.
    requestedFamilies: flags.family,
    allAttributes: flags.allAttributes,
    onIndicator: background && ((indicator) => background.add(indicator)),
    threatfox: {
      authKey: io.env.THREATFOX_AUTH_KEY,
      baseUrl: io.env.THREATFOX_API_URL,
      onRetry: (event) => io.stderr.write(retryLine(event)),
    },
  };
  // Only a run with --state keeps the indicators from before the filters, until it saves the state.
  const collected = filterCollected(
    await collectIndicators(inputs, collectOptions),
    filters,
    now,
    flags.state !== undefined,
  );
  const collections = new BuildCollections(collected.indicators.length);
  collections.afterReading();
  const decided = await background?.decisions();
  if (background?.failure !== undefined) {
    io.stderr.write(
      `huntpack: note: the allowlist check moved back to the main thread, because its worker thread failed (${background.failure}). The packs are the same.\n`,
    );
  }
  const allowed = applyAllowlists(collected.indicators, allowlists, decided);
  const specialHunted = specialAddressWarningAfter(allowlists, allowed.kept);
  if (specialHunted) collected.issues.push(specialHunted);
  const setAside = allowed.setAside;
  const copies = collected.familyCopies;
  // Counted without the copies for other families, like every count of the summary.
  const setAsideCount = copies.countDistinct(setAside.map((item) => item.indicator));

  const compared = await compareBuildWithHistory(collected, allowed.kept, flags, filters, now, io);
  const { stateFile, changes, alreadyHunted, incomplete, incompleteNames } = compared;
  // Pack entries beyond the first of each indicator, hunted or set aside, so that the packs'
  // counts add up to the summary's.
  const copiesInPacks =
    compared.kept.length - copies.countDistinct(compared.kept) + setAside.length - setAsideCount;
  // Each pack is written as soon as it is built, so only one pack's hunts and files are in
  // memory at a time.
  const built = eachPack(compared.kept, {
    feedFamilies: collected.feedFamilies,
    changes,
    userScenarios,
    issues: collected.issues,
    lookback,
    generatorVersion: HUNTPACK_VERSION,
    feeds,
    feedPaths: inputs,
    setAside,
    queryChecks,
    listUrl,
    onlyNew: flags.onlyNew === true,
  });
  // Only the state needs the indicators after this point. Without it, the packs hold the last
  // references, so each pack's indicators can be collected once it is written.
  if (!stateFile) {
    compared.kept = [];
    allowed.kept = [];
    collected.indicators = [];
  }
  await removeRunManifest(outDir);
  const packs = await writePacks(built, outDir, io, stateFile ? undefined : collections);
  const failedQueries = await queryChecks.settle();
  if (failedQueries.length > 0) throw await queryCheckError(failedQueries, outDir);
  const issuesFile = await writeIssues(outDir, collected.issues);
  const goneFamilies = findGoneFamilies(changes, packs);
  const earlierPacks = await otherPackFolders(
    outDir,
    packs.map((pack) => pack.folder),
  );
  await writeRunManifest(outDir, {
    generatorVersion: HUNTPACK_VERSION,
    now,
    packFolders: packs.map((pack) => pack.folder),
    earlierPacks,
    failedInputs: collected.perFile.filter((file) => file.failed).map((file) => file.file),
  });
  const stateNotUpdated = await saveBuildHistory(compared, allowed.kept, now, io);

  // An input that could not be read comes first, so many row issues never hide it.
  const failedFiles = new Set(
    collected.perFile.filter((file) => file.failed).map((file) => file.file),
  );
  for (const line of buildIssueLines(collected.issues, failedFiles, issuesFile))
    io.stderr.write(`${line}\n`);

  writeBuildSummary(
    {
      collected,
      setAsideCount,
      alreadyHunted,
      copiesInPacks,
      packs,
      earlierPacks,
      goneFamilies,
      stateFile,
      stateNotUpdated,
      issuesFile,
      outDir,
    },
    flags.json,
    io,
  );
  // A build that leaves nothing to hunt gets a warning and fails only with --strict, because a
  // scheduled build on a day without the filtered family has a result. A --family value that
  // matches no family in the feeds exits 0 as well, because the family may just be absent from
  // today's feed. The warning names the closest families in case the value is a typo. An
  // unreadable input fails.
  const warnings = emptyBuildWarnings(
    collected,
    flags,
    setAsideCount,
    issuesFile,
    collected.acceptedFamilies,
    collected.acceptedThreatTypes,
    now,
  );
  // The warnings above name a --family value that matches nothing when nothing is left; with
  // other families kept, each such value gets its own warning.
  if (collected.counts.kept > 0) {
    warnings.push(
      ...describeUnmatchedFamilies(flags.family ?? [], collected.acceptedFamilies ?? []),
      ...describeUnmatchedThreatTypes(flags.threatType ?? [], collected.acceptedThreatTypes ?? []),
      ...describeUnmatchedKinds(flags.iocType ?? [], collected.acceptedKinds ?? []),
    );
  }
  // A state file already names such inputs in its own warning.
  if (flags.strict && incomplete.size > 0 && stateNotUpdated === undefined) {
    warnings.push(`these inputs may be incomplete: ${incompleteNames.join(', ')}.`);
  }
  for (const warning of warnings) io.stderr.write(`huntpack: warning: ${warning}\n`);
  // Not in `warnings`, because --strict should not fail a build over the feed's naming.
  const shown = packs.map((pack) => ({ ...pack, folder: displayPath(pack.folder, io.cwd) }));
  for (const warning of familyFolderWarnings(shown)) {
    io.stderr.write(`huntpack: warning: ${warning}\n`);
  }
  for (const pack of packs.filter((summary) => summary.omittedIndicators > 0)) {
    io.stderr.write(
      `huntpack: warning: ${count(pack.omittedIndicators, 'indicator')} of ${pack.folder} ` +
        `${pack.omittedIndicators === 1 ? 'is' : 'are'} too long for a query of at most 10,000 characters ` +
        `and left out of the inline queries that report.md and pack.json name.\n`,
    );
  }
  const failedInputs = collected.perFile.filter((file) => file.failed);
  if (failedInputs.length > 0) {
    const named = failedInputs.map((file) => {
      const cause = failureOf(file.file, collected.issues);
      return `${displayPath(file.file, io.cwd)}${cause ? ` (${cause.code})` : ''}`;
    });
    io.stderr.write(
      `huntpack: ${failedInputs.length} of ${collected.perFile.length} inputs could not be read: ` +
        `${named.join(', ')}; see the errors above.\n`,
    );
    return EXIT_FAILURE;
  }
  // A state left as it was makes every later --only-new run hunt the same indicators again,
  // which a scheduler should see.
  if (flags.strict && (warnings.length > 0 || stateNotUpdated !== undefined)) {
    io.stderr.write('huntpack: failed because --strict makes the warnings above errors.\n');
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}

/** Adds the `build` command to the program. */
export function registerBuildCommand(
  program: Command,
  io: CliIo,
  setAction: (action: CommandAction) => void,
): void {
  const command = program
    .command('build')
    .description('Read feeds and write one detection pack per malware family.')
    .argument(
      '<feeds...>',
      'feed files (ThreatFox CSV/JSON/API/NDJSON, STIX, MISP, text; .gz and .zip too), or - for stdin',
    );
  addBuildOptions(command).action((feeds: string[], flags: BuildFlags) => {
    setAction(() => runBuildReleasing(feeds, flags, io));
  });
}
