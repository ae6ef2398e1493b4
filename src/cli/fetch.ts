/**
 * `huntpack fetch threatfox`: queries the ThreatFox API and writes the response body, a file in
 * the API-response format that `huntpack build` reads.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatIssue, UsageError } from '../errors.js';
import {
  fetchThreatFox,
  THREATFOX_MAX_RESPONSE_MIB,
  type ThreatFoxRetryEvent,
} from '../feeds/threatfox-api.js';
import { authKeyFromEnv } from '../feeds/threatfox-api-checks.js';
import {
  formatThreatFoxSource,
  parseWholeNumber,
  THREATFOX_API_URL,
  THREATFOX_MAX_LIMIT,
  type ThreatFoxQuery,
} from '../feeds/threatfox-query.js';
import { writeFileAtomic } from '../pipeline/atomic-write.js';
import { EXIT_OK, type CliIo } from './io.js';
import { pathOption } from './options.js';
import type { CommandAction } from './run.js';

/** The environment variable that overrides the API URL, as `--api-url` does. */
export const THREATFOX_API_URL_ENV = 'THREATFOX_API_URL';

interface FetchThreatFoxFlags {
  days?: string;
  family?: string;
  tag?: string;
  search?: string;
  limit?: string;
  out?: string;
  timeout: string;
  maxSize: string;
  apiUrl?: string;
}

/**
 * Turns the flags into one query.
 *
 * @throws UsageError unless exactly one of --days, --family, --tag and --search is given with a
 *   valid value, or when --limit comes without --family or --tag.
 */
export function queryFromFlags(flags: FetchThreatFoxFlags): ThreatFoxQuery {
  const given = (['days', 'family', 'tag', 'search'] as const).filter(
    (name) => flags[name] !== undefined,
  );
  if (given.length !== 1) {
    const shown = given.length === 0 ? 'none' : given.map((name) => `--${name}`).join(', ');
    throw new UsageError(
      'INVALID_FETCH_QUERY',
      `huntpack fetch threatfox needs exactly one of --days, --family, --tag or --search, but got ${shown}. Example: huntpack fetch threatfox --family Remcos --out remcos.json`,
    );
  }
  const limit =
    flags.limit === undefined
      ? THREATFOX_MAX_LIMIT
      : parseWholeNumber('--limit', 'limit', flags.limit, 1, THREATFOX_MAX_LIMIT);
  if (flags.limit !== undefined && flags.family === undefined && flags.tag === undefined) {
    throw new UsageError(
      'INVALID_FETCH_QUERY',
      '--limit applies only to --family and --tag queries: remove it, or query a family or tag.',
    );
  }
  if (flags.days !== undefined) {
    return { kind: 'recent', days: parseWholeNumber('--days', 'days', flags.days, 1, 7) };
  }
  if (flags.family !== undefined)
    return { kind: 'family', malware: nonEmpty('--family', flags.family), limit };
  if (flags.tag !== undefined) return { kind: 'tag', tag: nonEmpty('--tag', flags.tag), limit };
  return { kind: 'search', term: nonEmpty('--search', flags.search ?? '') };
}

function nonEmpty(flag: string, value: string): string {
  if (value.trim() === '') {
    throw new UsageError('INVALID_FETCH_QUERY', `${flag} needs a non-empty value.`);
  }
  return value.trim();
}

function parseTimeout(text: string): number {
  return parseWholeNumber('--timeout', 'timeout', text, 1, 600) * 1000;
}

/** Parses --max-size, a whole number of MiB, into bytes. */
function parseMaxSize(text: string): number {
  return parseWholeNumber('--max-size', 'size', text, 1, 4096) * 1024 * 1024;
}

/** Formats one retry of a ThreatFox request for stderr. */
export function retryLine(event: ThreatFoxRetryEvent): string {
  const seconds = (event.delayMs / 1000).toFixed(1);
  return `ThreatFox: attempt ${event.attempt} of ${event.maxAttempts} failed (${event.reason}); retrying in ${seconds} s\n`;
}

async function runFetchThreatFox(flags: FetchThreatFoxFlags, io: CliIo): Promise<number> {
  const query = queryFromFlags(flags);
  const timeoutMs = parseTimeout(flags.timeout);
  const maxResponseBytes = parseMaxSize(flags.maxSize);
  const authKey = authKeyFromEnv(io.env);
  const baseUrl = flags.apiUrl ?? io.env[THREATFOX_API_URL_ENV] ?? THREATFOX_API_URL;
  const source = formatThreatFoxSource(query);

  const response = await fetchThreatFox(query, {
    authKey,
    baseUrl,
    timeoutMs,
    maxResponseBytes,
    onRetry: (event) => io.stderr.write(retryLine(event)),
  });
  const text = response.body.endsWith('\n') ? response.body : `${response.body}\n`;
  if (flags.out === undefined || flags.out === '-') {
    io.stdout.write(text);
  } else {
    await writeFileAtomic(resolve(io.cwd, flags.out), text);
  }

  for (const issue of response.issues) io.stderr.write(`${formatIssue(issue)}\n`);
  const where = flags.out === undefined || flags.out === '-' ? 'standard output' : flags.out;
  io.stderr.write(
    `fetched ${response.itemCount} indicators for ${source} in ${response.attempts} attempt${response.attempts === 1 ? '' : 's'}; wrote ${where}\n`,
  );
  return EXIT_OK;
}

/** Adds the `fetch` command, with its `threatfox` subcommand, to the program. */
export function registerFetchCommand(
  program: Command,
  io: CliIo,
  setAction: (action: CommandAction) => void,
): void {
  const fetch = program
    .command('fetch')
    .description('Download indicators from a threat-intelligence API into a feed file.');
  fetch
    .command('threatfox')
    .description(
      `Query the ThreatFox API and write its response for huntpack build. Reads the Auth-Key from THREATFOX_AUTH_KEY.`,
    )
    .option('--days <n>', 'indicators first seen in the last N days, 1 to 7 (get_iocs)')
    .option(
      '--family <name>',
      'latest indicators of one malware family, such as Remcos or win.remcos (malwareinfo)',
    )
    .option('--tag <tag>', 'latest indicators with one tag (taginfo)')
    .option(
      '--search <value>',
      'indicators matching an IP address, domain, URL or hash (search_ioc)',
    )
    .option(
      '--limit <n>',
      `maximum indicators for --family or --tag, 1 to ${THREATFOX_MAX_LIMIT} (default ${THREATFOX_MAX_LIMIT})`,
    )
    .option(
      '-o, --out <file>',
      'file to write the response to, or - for standard output (default: standard output)',
      pathOption('--out'),
    )
    .option('--timeout <seconds>', 'time limit of each attempt, in seconds', '30')
    .option(
      '--max-size <MiB>',
      'maximum size of the response body in MiB, as sent and after decompression, 1 to 4096',
      String(THREATFOX_MAX_RESPONSE_MIB),
    )
    .option(
      '--api-url <url>',
      `API endpoint (default: ${THREATFOX_API_URL_ENV}, else ${THREATFOX_API_URL})`,
    )
    .action((flags: FetchThreatFoxFlags) => {
      setAction(() => runFetchThreatFox(flags, io));
    });
}
