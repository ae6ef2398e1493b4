/**
 * The options of `huntpack hunt`: their definitions and help, the parsers of their values, and the
 * rejection of options that only `huntpack build` has.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { LOG_FORMATS, type LogFormat } from '../hunt/logs/read-logs.js';
import { DATE_ORDERS, type DateOrder } from '../hunt/logs/log-time.js';
import type { HuntSourceFlags } from './hunt-sources.js';
import { listOption, pathListOption, pathOption } from './options.js';

/** The options of `huntpack hunt` as commander parses them. */
export interface HuntFlags extends HuntSourceFlags {
  format?: LogFormat;
  map?: string[];
  year?: string;
  timezone?: string;
  dateOrder?: DateOrder;
  json?: boolean;
  csv?: boolean;
  report?: string;
  failOnMatch?: boolean;
  lookback?: string;
  now?: string;
  threads?: string;
  /** Options of `huntpack build`, accepted only so that rejectBuildOnlyOptions rejects them with advice. */
  maxAge?: string;
  allowlist?: string;
  disableAllowlist?: string;
  exclusions?: string;
  allAttributes?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses `--map column=field` pairs into the reader's field-to-column map. */
export function parseFieldMap(pairs: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const column = pair.slice(0, equals).trim();
    const field = pair.slice(equals + 1).trim();
    if (equals < 0 || column === '' || field === '') {
      throw new UsageError(
        'INVALID_MAP',
        `Invalid --map "${pair}": expected column=field, such as DestinationIP=dst_ip.`,
      );
    }
    map[field] = column;
  }
  return map;
}

export function parseNow(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())
    ? new Date(text.trim())
    : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      'INVALID_NOW',
      `Invalid --now "${text}": expected an ISO 8601 time such as 2026-05-01T00:00:00Z or a date such as 2026-05-01.`,
    );
  }
  return date;
}

export function parseThreads(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  if (!/^\d{1,2}$/.test(text.trim()) || value > 64) {
    throw new UsageError(
      'INVALID_OPTION',
      `Invalid --threads "${text}": expected a whole number from 0 (parse on the main thread) to 64.`,
    );
  }
  return value;
}

export function parseYear(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{4}$/.test(text.trim())) {
    throw new UsageError(
      'INVALID_YEAR',
      `Invalid --year "${text}": expected a four-digit year such as 2024.`,
    );
  }
  return Number(text);
}

/**
 * Options of `huntpack build` that choose indicators or compile exclusions into the hunts. A pack
 * keeps those it was built with, and --feed builds its hunts with the defaults, so hunt rejects
 * them with that advice instead of commander's bare "unknown option".
 */
const BUILD_ONLY_OPTIONS: ReadonlyArray<[keyof HuntFlags, string]> = [
  ['maxAge', '--max-age'],
  ['allowlist', '--allowlist'],
  ['disableAllowlist', '--disable-allowlist'],
  ['exclusions', '--exclusions'],
  ['allAttributes', '--all-attributes'],
];

export function rejectBuildOnlyOptions(flags: HuntFlags): void {
  const options = BUILD_ONLY_OPTIONS.filter(([key]) => flags[key] !== undefined).map(
    ([, name]) => name,
  );
  if (options.length === 0) return;
  const single = options.length === 1;
  const names = single ? options[0] : `${options.slice(0, -1).join(', ')} and ${options.at(-1)}`;
  throw new UsageError(
    'BUILD_ONLY_OPTION',
    `${names} ${single ? 'is an option' : 'are options'} of "huntpack build", not of ` +
      '"huntpack hunt". A --pack keeps the indicators, allowlists and exclusions it was built ' +
      'with, and --feed builds its hunts with the built-in allowlists and the default ' +
      `exclusions. To hunt with ${single ? 'it' : 'them'}, pass ${single ? 'it' : 'them'} to ` +
      '"huntpack build" and hunt the pack folder it writes with --pack.',
  );
}

/** Text after the option list of `huntpack hunt --help`. */
const HUNT_HELP_NOTES = `
Packs and feeds:
  --pack and --feed are repeatable and can be combined. One run hunts every pack and feed given
  and writes a hunt-report.md into each pack folder, or one report with --report:
    huntpack hunt --pack packs/remcos --pack packs/asyncrat conn.log
  A pack keeps the filters, allowlists and exclusions it was built with. --feed builds its
  hunts as "huntpack build" does, with the built-in allowlists and the default exclusions. Of
  the build options, it takes only the filters marked "with --feed" and
  --no-builtin-allowlists. --max-age, --allowlist, --disable-allowlist, --exclusions and
  --all-attributes apply to "huntpack build" only: build a pack with them and pass it with --pack.

Exit status:
  0 when every log input was read and used, with or without findings, but 1 when
  --fail-on-match is given and there is a finding. 2 on invalid options, when a log input could
  not be read or used, when no event was read at all, and when no hunt ran, because no hunt
  searches the tables of the events read or no event has a value in the columns the hunts
  compare, or when no hunt of one of several packs ran. In the last three cases the
  summary line on stdout starts with "Incomplete hunt" in place of "No findings" (with --json,
  "complete" is false), and the hunt report of an earlier run is left as it was.
`;

/** Adds the options and the help notes of `huntpack hunt` to its command, and returns the command. */
export function addHuntOptions(command: Command): Command {
  return (
    command
      .option(
        '--pack <dir>',
        'pack folder written by "huntpack build", or its pack.json (repeatable)',
        pathListOption('--pack'),
      )
      .option(
        '--feed <file>',
        'feed file to build hunts from directly, or - for stdin (repeatable)',
        pathListOption('--feed'),
      )
      .addOption(
        new Option(
          '--format <format>',
          'read every log file as this format instead of detecting it',
        ).choices(LOG_FORMATS),
      )
      .option(
        '--map <column=field>',
        'read a CSV or JSON field into a CommonSecurityLog column, such as DestinationIP=dst_ip (repeatable)',
        collect,
      )
      .option(
        '--year <yyyy>',
        'year for log times written without one, such as RFC 3164 syslog headers; a time that would fall more than a day after --now (default: the current time) is read in the year before',
      )
      .option(
        '--timezone <zone>',
        'zone for log times written without one: UTC, +02:00 or an IANA name',
      )
      .addOption(
        new Option(
          '--date-order <order>',
          "order of day, month and year in numeric dates such as 03/11/2020 (portal CSV exports write the browser locale's); default: chosen per CSV or JSON file from its own dates, with a warning when none shows it",
        ).choices(DATE_ORDERS),
      )
      .option(
        '--lookback <span>',
        'keep only events of the last days or hours given, such as 30d or 12h, counted back from --now when given; default: no limit',
      )
      .option(
        '--now <time>',
        'end of the lookback window, as an ISO 8601 time; without it the window counts back from the current time and keeps later events, as the KQL does',
      )
      .option(
        '--threads <n>',
        'worker threads that parse plain CEF files of 32 MB or more; 0 parses on the main thread; default: one per core, at most 4',
      )
      .option('--json', 'print findings, summaries and reading counts as JSON')
      .option('--csv', 'print findings as CSV')
      .option(
        '--report <file>',
        'write the Markdown hunt report here; default: hunt-report.md in each --pack folder',
        pathOption('--report'),
      )
      .option('--fail-on-match', 'exit with status 1 when there is at least one finding')
      .option(
        '--family <names>',
        'with --feed: keep only these families (repeatable, comma-separated)',
        listOption('--family'),
      )
      .option(
        '--ioc-type <types>',
        'with --feed: keep only these indicator types, such as ip:port,domain (repeatable, comma-separated)',
        listOption('--ioc-type'),
      )
      .option(
        '--threat-type <types>',
        'with --feed: keep only these threat types, such as botnet_cc (repeatable, comma-separated)',
        listOption('--threat-type'),
      )
      .option(
        '--min-confidence <n>',
        'with --feed: keep only indicators with at least this confidence, 0 to 100',
      )
      .option(
        '--since <when>',
        'with --feed: keep only indicators first seen since a duration ago (30d) or a date (UTC unless it names a zone)',
      )
      .option(
        '--no-builtin-allowlists',
        'with --feed: do not set aside indicators on the built-in allowlists',
      )
      // Build options, hidden from the help, so that hunt rejects them with advice.
      .addOption(new Option('--max-age <days>').hideHelp())
      .addOption(new Option('--allowlist <file>').hideHelp())
      .addOption(new Option('--disable-allowlist <names>').hideHelp())
      .addOption(new Option('--exclusions <file>').hideHelp())
      .addOption(new Option('--all-attributes').hideHelp())
      .addHelpText('after', HUNT_HELP_NOTES)
  );
}
