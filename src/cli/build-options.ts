/**
 * The options of `huntpack build`: their definitions, and the checks of their values and of the
 * files and folders they name, which run before any feed is read.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError, quoteValue, UsageError } from '../errors.js';
import { FEED_FORMATS } from '../feeds/detect.js';
import { builtInAllowlistNames } from '../pipeline/allowlist/index.js';
import { makeDirectory } from '../pipeline/make-directory.js';
import type { Scenario } from '../pipeline/scenarios.js';
import { lockStateFile } from '../pipeline/state-lock.js';
import { loadUserExclusions } from '../pipeline/user-exclusions.js';
import type { GivenFilters } from './build-warnings.js';
import type { CliIo } from './io.js';
import { listOption, pathListOption, pathOption } from './options.js';

/** The options of `huntpack build` as commander parses them. */
export interface BuildFlags extends GivenFilters {
  out: string;
  format?: string;
  strict?: boolean;
  lookback: string;
  allowlist?: string[];
  builtinAllowlists: boolean;
  disableAllowlist?: string[];
  json?: boolean;
  exclusions?: string[];
  state?: string;
  onlyNew?: boolean;
  allAttributes?: boolean;
  fullKustoCheck?: boolean;
  listUrl?: string;
}

/** Adds the options of `huntpack build` to its command, and returns the command. */
export function addBuildOptions(command: Command): Command {
  return command
    .option('-o, --out <dir>', 'folder to write the packs into', pathOption('--out'), 'packs')
    .addOption(
      new Option(
        '--format <format>',
        'read every feed as this format instead of detecting it',
      ).choices(FEED_FORMATS.map((entry) => entry.format)),
    )
    .option(
      '--strict',
      'stop at the first malformed row, or ThreatFox field that cannot be read, instead of reporting it and going on, and exit 1 when an input may be cut short (no ThreatFox trailer, a count that differs from it, a truncated gzip) or the build leaves nothing to hunt; the packs of an input that may be cut short are still written',
    )
    .option(
      '--family <names>',
      'keep only these families: printable name, Malpedia id or alias (repeatable, comma-separated); a single name is also given to indicators whose feed names no family, such as free text',
      listOption('--family'),
    )
    .option(
      '--ioc-type <types>',
      'keep only these indicator types: ip:port, ip, domain, url, md5_hash, sha1_hash, sha256_hash (repeatable, comma-separated)',
      listOption('--ioc-type'),
    )
    .option(
      '--threat-type <types>',
      'keep only these threat types, such as botnet_cc (repeatable, comma-separated)',
      listOption('--threat-type'),
    )
    .option('--min-confidence <n>', 'keep only indicators with at least this confidence, 0 to 100')
    .option(
      '--since <when>',
      'keep only indicators first seen since a duration ago (30d, 12h) or a date (2026-05-01; a time without a zone is UTC)',
    )
    .option(
      '--max-age <days>',
      'keep only indicators last seen or first seen within this many days, by the later of the two (14 or 14d)',
    )
    .option(
      '--lookback <span>',
      'how far back every hunt searches: days from 1d to 9999d or hours from 1h to 9999h',
      '30d',
    )
    .option(
      '--allowlist <file>',
      'extra allowlist: CIDRs, domains or regex: lines (repeatable)',
      pathListOption('--allowlist'),
    )
    .option(
      '--no-builtin-allowlists',
      'do not set aside indicators on the built-in MISP warninglists',
    )
    .option(
      '--disable-allowlist <names>',
      'turn off these built-in lists by name (repeatable, comma-separated)',
      listOption('--disable-allowlist'),
    )
    .option(
      '--exclusions <file>',
      'YAML file of your own exclusions, compiled into the hunts they apply to (repeatable)',
      pathListOption('--exclusions'),
    )
    .option(
      '--state <file>',
      'JSON file that remembers what earlier runs saw; each pack then reports new, unchanged, changed, expired and removed indicators',
      pathOption('--state'),
    )
    .option(
      '--only-new',
      'with --state: build hunts only for indicators the state does not list (new ones, and ones back after a removal)',
    )
    .option('--all-attributes', 'MISP: also hunt attributes whose to_ids flag is false')
    .option(
      '--full-kusto-check',
      'check every query text with the Kusto parser, not once per query shape (slower)',
    )
    .option(
      '--list-url <url>',
      'https URL, ending in {file}, that you upload the list files of watchlists/ to; Defender hunts too long to inline then read them with externaldata instead of being skipped',
    )
    .option('--json', 'print the summary as JSON');
}

/**
 * Rejects a --disable-allowlist name that no built-in list has, as a usage error like other
 * invalid option values, and suggests the lists whose names contain it.
 *
 * @throws UsageError listing every built-in list name.
 */
export function checkDisabledAllowlistNames(names: readonly string[]): void {
  const known = builtInAllowlistNames();
  for (const name of names) {
    if (known.includes(name)) continue;
    const similar = name === '' ? [] : known.filter((list) => list.includes(name));
    const suggestion = similar.length > 0 ? ` Did you mean ${similar.join(', ')}?` : '';
    throw new UsageError(
      'UNKNOWN_ALLOWLIST',
      `Invalid --disable-allowlist ${quoteValue(name)}: there is no built-in allowlist of that ` +
        `name.${suggestion} Expected one of ${known.join(', ')}.`,
    );
  }
}

/**
 * Creates the output folder and checks that it and the folder of the `--state` file are writable,
 * before the feeds are read, so that a typo fails in a second rather than after a long build.
 * Locks the state file until the run calls the release that this adds to `releases`. Returns the
 * output folder.
 */
export async function prepareOutputFolders(
  flags: Pick<BuildFlags, 'out' | 'state'>,
  io: CliIo,
  releases: Array<() => void>,
): Promise<string> {
  const outDir = resolve(io.cwd, flags.out);
  if (flags.state !== undefined && resolve(io.cwd, flags.state) === outDir) {
    throw new ConfigError(
      'STATE_IS_OUTPUT',
      `--state ${outDir} is the output folder; pass a file path for the state, such as ${join(outDir, 'state.json')}.`,
    );
  }
  try {
    await makeDirectory(outDir);
    await access(outDir, constants.W_OK);
  } catch (error) {
    throw new ConfigError(
      'OUTPUT_NOT_WRITABLE',
      `Cannot write packs to ${outDir}: ${(error as Error).message}. Pass a writable folder with --out.`,
      { cause: error },
    );
  }
  if (flags.state !== undefined) {
    const stateFolder = dirname(resolve(io.cwd, flags.state));
    try {
      await access(stateFolder, constants.W_OK);
    } catch (error) {
      throw new ConfigError(
        'STATE_NOT_WRITABLE',
        `Cannot write the state file in ${stateFolder}: ${(error as Error).message}. Create the folder or pass another --state path.`,
        { cause: error },
      );
    }
    // Held until the run ends, so that a second build on the same state waits its turn.
    releases.push(await lockStateFile(resolve(io.cwd, flags.state)));
  }
  return outDir;
}

/**
 * Reads the user exclusions of every `--exclusions` file and writes their warnings.
 *
 * @throws ConfigError with the faults of every file that has one.
 */
export async function loadExclusionFiles(files: readonly string[], io: CliIo): Promise<Scenario[]> {
  const userScenarios: Scenario[] = [];
  const exclusionWarnings: string[] = [];
  // Every file is read before any fault is raised, so one run lists the faults of all of them.
  const exclusionErrors: ConfigError[] = [];
  for (const file of files) {
    try {
      userScenarios.push(...(await loadUserExclusions(resolve(io.cwd, file), exclusionWarnings)));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      exclusionErrors.push(error);
    }
  }
  for (const warning of exclusionWarnings) io.stderr.write(`huntpack: warning: ${warning}\n`);
  const [firstExclusionError] = exclusionErrors;
  if (firstExclusionError && exclusionErrors.length === 1) throw firstExclusionError;
  if (firstExclusionError) {
    throw new ConfigError(
      firstExclusionError.code,
      `${exclusionErrors.length} exclusions files have faults:\n` +
        exclusionErrors
          .map((error) => (error.source?.file ? `${error.source.file}: ` : '') + error.message)
          .join('\n'),
      { cause: firstExclusionError },
    );
  }
  return userScenarios;
}
