/**
 * Renders the Markdown hunt report: what was read, what ran, a summary per indicator and per
 * host, and a timeline of every hit with the log file and line to open.
 *
 * People paste the report into tickets and chats, so every URL, host name and IP address in it is
 * written defanged (`evil[.]com`, `hxxp://...`): indicators, both sides of each event, and the
 * values that warnings quote. Only the internal address of the host a finding is about stays
 * live (see `liveColumns`). Host names are always defanged, because a name in a host column may
 * be the one an indicator matched. The terminal table and the --json and --csv outputs keep live
 * values for tools and pipelines.
 */
import { isIP } from 'node:net';
import type { HuntVariant } from '../compile/ir.js';
import { defang } from '../indicators/defang.js';
import { defangHostText, defangText, defangUrlText } from '../indicators/defang-text.js';
import { normalizeIndicator } from '../indicators/normalize.js';
import { DATA_SOURCES } from '../pipeline/data-sources.js';
import type { HuntLogsResult } from './engine.js';
import {
  countHits,
  internalSide,
  isInternalAddress,
  matchedOnText,
  summarizeByHost,
  summarizeByIndicator,
  type FindingSummary,
  type HuntFinding,
} from './findings.js';
import { describeEvent, HIT_COUNTS_NOTE } from './format-findings.js';
import { describeNoEvents, filesWithoutEvents } from './logs/log-stats.js';
import { formatLocation, type HuntpackIssue, printable } from '../errors.js';
import { REPORT_TABLE_ROWS, setAsideTable } from '../report/markdown.js';
import { markdownCodeSpan } from '../report/markdown-escape.js';
import type { SetAsideIndicator } from '../report/pack-model.js';

export interface HuntReportOptions {
  /** Title line, such as the pack's family. */
  title: string;
  /** Log paths as the user gave them. */
  logs: string[];
  /** Lookback description, such as `30d before 2026-05-01T00:00:00Z` or `none`. */
  window: string;
  generatorVersion: string;
  /** Timeline rows written at most; the rest are counted. Default 1,000. */
  maxTimelineRows?: number;
  /**
   * Indicators of the --feed files that allowlists set aside. The report lists them, because an
   * analyst who finds no finding for one would otherwise read it as absent from the logs.
   */
  setAside?: readonly SetAsideIndicator[];
}

/**
 * Picks up to `max` of `issues` to print, the first of each code before any second one, so that
 * every reason gets an example. The picked issues keep their order.
 */
export function pickExamples(issues: readonly HuntpackIssue[], max: number): HuntpackIssue[] {
  const picked = new Set<HuntpackIssue>();
  const codes = new Set<string>();
  for (const issue of issues) {
    if (picked.size >= max) break;
    if (codes.has(issue.code)) continue;
    codes.add(issue.code);
    picked.add(issue);
  }
  for (const issue of issues) {
    if (picked.size >= max) break;
    picked.add(issue);
  }
  return issues.filter((issue) => picked.has(issue));
}

/** Formats counts by reason as `A 4, B 2`, ordered by reason. */
export function formatReasonCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
}

/**
 * Escapes a value for a Markdown table cell: pipes, line breaks, HTML tags and other control
 * characters, which would drive the terminal of someone who runs `cat` on the report.
 */
function cell(text: string): string {
  return printable(text.replace(/[\r\n\u2028\u2029]+/g, ' '))
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replaceAll('`', '\\`');
}

/**
 * Appends `more` to `lines` one by one, because `lines.push(...more)` passes each element as an
 * argument and overflows the call stack at roughly 100,000 elements, such as the summary rows of
 * that many hosts.
 */
function append(lines: string[], more: readonly string[]): void {
  for (const line of more) lines.push(line);
}

function time(value: Date | undefined): string {
  return value ? value.toISOString().replace('.000Z', 'Z') : '-';
}

/**
 * A table cell: plain text, which {@link cell} escapes, or Markdown in which every value from a
 * feed or a log is a code span. Inside a code span, Markdown renders no link, emphasis or HTML,
 * so a request URL such as `[l](javascript:...)` reads as the text that was logged.
 */
type TableCell = string | { markdown: string };

/** Returns `values` as code spans joined with commas. */
function codeSpans(values: readonly string[]): { markdown: string } {
  return { markdown: values.map(markdownCodeSpan).join(', ') };
}

function renderCell(value: TableCell): string {
  return typeof value === 'string' ? cell(value) : value.markdown;
}

function table(header: string[], rows: TableCell[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(renderCell).join(' | ')} |`),
  ];
}

/** Returns the rows of `summaries`, with `formatKey` and `formatRelated` applied to the values. */
function summaryRows(
  summaries: FindingSummary[],
  formatKey: (key: string) => string,
  formatRelated: (related: string) => string,
): TableCell[][] {
  return summaries.map((summary) => [
    codeSpans([formatKey(summary.key)]),
    String(summary.hits),
    String(summary.events),
    time(summary.firstHit),
    time(summary.lastHit),
    codeSpans(summary.related.map(formatRelated)),
  ]);
}

function timelineRows(
  findings: readonly HuntFinding[],
  max: number,
  defangValue: (value: string) => string,
  formatHost: (host: string) => string,
): TableCell[][] {
  return findings.slice(0, max).map((finding) => {
    const indicator = codeSpans([defangValue(finding.indicator.value)]);
    if (finding.indicator.matchedAs !== undefined) {
      const form = markdownCodeSpan(defangMatchedForm(finding.indicator.matchedAs));
      indicator.markdown += ` (as ${form})`;
    }
    return [
      time(finding.time),
      finding.host === undefined ? '-' : codeSpans([formatHost(finding.host)]),
      indicator,
      `${finding.huntId} (${matchedOnText(finding)})`,
      codeSpans([describeEvent(defangEvent(finding))]),
      codeSpans([`${finding.file}:${finding.line}`]),
    ];
  });
}

const INDICATOR_TYPES: Record<Exclude<HuntVariant, 'hash'>, string> = {
  'port-aware': 'ip-port',
  'address-only': 'ip',
  domain: 'domain',
  url: 'url',
};

/**
 * Returns the defanged text of an indicator value of a hunt of `variant`. The value went through
 * normalization when the hunt was built, so it normalizes again and `defang` writes it.
 */
function defangIndicatorValue(value: string, variant: HuntVariant): string {
  if (variant === 'hash') return value;
  const result = normalizeIndicator({
    type: INDICATOR_TYPES[variant],
    value,
    context: {},
    source: {},
  });
  // defang also defangs the host of a URL inside a URL's path or query.
  if ('indicator' in result) return defang(result.indicator);
  // A value edited by hand in pack.json may not normalize, and is defanged as logged text.
  return variant === 'url' ? defangUrlText(value) : defangHostText(value);
}

/**
 * Returns a function that defangs the indicator values of `findings`, normalizing each distinct
 * value once. A summary keeps only the value, so the variant comes from its first finding.
 */
function indicatorDefanger(findings: readonly HuntFinding[]): (value: string) => string {
  const variants = new Map<string, HuntVariant>();
  for (const { indicator, variant } of findings) {
    // A row derived from a URL, such as its host in a domain hunt, names the URL as the
    // indicator, whatever the hunt's variant.
    const { value, matchedAs } = indicator;
    if (variants.has(value)) continue;
    variants.set(value, matchedAs !== undefined && value.includes('://') ? 'url' : variant);
  }
  const defanged = new Map<string, string>();
  return (value) => {
    let text = defanged.get(value);
    if (text === undefined) {
      text = defangIndicatorValue(value, variants.get(value) ?? 'domain');
      defanged.set(value, text);
    }
    return text;
  };
}

/**
 * Defangs the form of an indicator that an event matched, such as a URL's host or the Unicode
 * form of a name, as written: normalizing it would give the punycode form that it differs from.
 */
function defangMatchedForm(form: string): string {
  return form.includes('://') ? defangUrlText(form) : defangHostText(form);
}

/**
 * Defangs a logged host name, address or URL: as a URL when it is one token, because then its
 * path keeps its dots, and otherwise as free text.
 */
function defangHostOrUrl(value: string): string {
  return /\s/.test(value) ? defangText(value) : defangUrlText(value);
}

/** Address and port columns that describeEvent joins as `address:port`. */
const ENDPOINT_COLUMNS: ReadonlyArray<[address: string, port: string]> = [
  ['SourceIP', 'SourcePort'],
  ['DestinationIP', 'DestinationPort'],
  ['LocalIP', 'LocalPort'],
  ['RemoteIP', 'RemotePort'],
];

/** Columns that hold a host name or URL, in any table. */
const HOST_COLUMNS = new Set(
  DATA_SOURCES.flatMap((source) => [...source.hostColumns, ...source.urlColumns]),
);

/**
 * Returns the address column of the side of `finding` that its host belongs to: the source or
 * destination address in CommonSecurityLog, as `internalSide` chooses, and the device's own
 * address in DeviceNetworkEvents.
 */
function hostAddressColumn(finding: HuntFinding): string | undefined {
  switch (finding.table) {
    case 'CommonSecurityLog':
      return internalSide(finding.matchedOn, finding.columns) === 'source'
        ? 'SourceIP'
        : 'DestinationIP';
    case 'DeviceNetworkEvents':
      return 'LocalIP';
    default:
      return undefined;
  }
}

/**
 * Returns the event columns of `finding` that stay live: the address of the side its host
 * belongs to, when that address is internal. Every other column is defanged, so an event
 * between two public addresses is defanged on both sides.
 */
function liveColumns(finding: HuntFinding): Set<string> {
  const column = hostAddressColumn(finding);
  if (column === undefined || !isInternalAddress(finding.columns[column])) return new Set();
  return new Set([column]);
}

/**
 * Returns true when the host of `finding` is written live, which only an internal address is.
 * A host name is defanged even on an internal side, because Suricata writes the server's name
 * from the HTTP Host header or TLS SNI into DestinationHostName in either direction, so a name
 * may be the one an indicator matched. A name of one label, such as `WS1`, reads the same.
 */
function isLiveHost(finding: HuntFinding): boolean {
  const { host } = finding;
  return host !== undefined && isIP(host) !== 0 && isInternalAddress(host);
}

/**
 * Returns `finding` with the values of every event column defanged, except the `liveColumns` of
 * the host it is about. A defanged address takes its port into the same column, because
 * describeEvent brackets an address that contains a colon and the defanged IPv6 form is already
 * bracketed.
 */
function defangEvent(finding: HuntFinding): HuntFinding {
  const live = liveColumns(finding);
  const columns = { ...finding.columns };
  for (const [address, portColumn] of ENDPOINT_COLUMNS) {
    const value = columns[address];
    if (typeof value !== 'string' || live.has(address)) continue;
    const port = columns[portColumn];
    const hasPort = port !== undefined && port !== null && port !== '';
    const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
    const defanged = isIP(bare) === 0 ? defangText(value) : defangHostText(value);
    columns[address] = defanged + (hasPort ? `:${String(port)}` : '');
    delete columns[portColumn];
  }
  const endpointColumns = new Set(ENDPOINT_COLUMNS.flat());
  for (const [name, value] of Object.entries(columns)) {
    if (typeof value !== 'string' || live.has(name) || endpointColumns.has(name)) continue;
    columns[name] = HOST_COLUMNS.has(name) ? defangHostOrUrl(value) : defangText(value);
  }
  return { ...finding, columns };
}

/** Renders the report of a local hunt run. */
export function renderHuntReport(
  result: Pick<
    HuntLogsResult,
    | 'findings'
    | 'stats'
    | 'huntsRun'
    | 'skipped'
    | 'eventsByTable'
    | 'eventsOutsideWindow'
    | 'eventsWithoutTime'
  >,
  options: HuntReportOptions,
): string {
  const { findings, stats } = result;
  const max = options.maxTimelineRows ?? 1000;
  const lines = [
    `# Hunt report: ${cell(options.title)}`,
    '',
    `Generated by huntpack ${options.generatorVersion}. Lookback window: ${cell(options.window)}.`,
    '',
    '## Logs read',
    '',
    `- Paths: ${options.logs.map((path) => `\`${printable(path).replaceAll('`', "'")}\``).join(', ')}`,
    `- Records read ${stats.linesRead} = events parsed ${stats.eventsParsed} + rejected ${stats.linesRejected} + skipped ${stats.linesSkipped}`,
    `- Events by table: ${
      Object.entries(result.eventsByTable)
        .map(([name, count]) => `${name} ${count}`)
        .join(', ') || 'none'
    }`,
    `- Hunts run: ${result.huntsRun.length}; hunts not run: ${result.skipped.length}`,
  ];
  append(
    lines,
    issueLines('Rejected records', stats.linesRejected, stats.rejectedByReason, stats.rejections),
  );
  append(
    lines,
    issueLines('Field warnings', stats.fieldWarnings, stats.fieldWarningsByReason, stats.warnings),
  );
  if (result.eventsOutsideWindow > 0) {
    lines.push(
      `- Events that could match an indicator but lie outside the lookback window: ${result.eventsOutsideWindow}`,
    );
  }
  if (result.eventsWithoutTime > 0) {
    lines.push(
      `- Events that could match an indicator but have no time, so the lookback left them out: ${result.eventsWithoutTime}`,
    );
  }
  if (stats.fileErrors.length > 0) {
    lines.push(`- Files not read in full: ${stats.fileErrors.length}`);
    for (const issue of stats.fileErrors) lines.push(`  - ${cell(issue.message)}`);
  }
  const withoutEvents = filesWithoutEvents(stats);
  if (withoutEvents.length > 0) {
    lines.push(`- Logs that gave no event, so nothing in them was hunted: ${withoutEvents.length}`);
    for (const file of withoutEvents) {
      const path = printable(file.file).replaceAll('`', "'");
      lines.push(`  - \`${path}\`: ${cell(describeNoEvents(file))}`);
    }
  }
  const setAside = options.setAside ?? [];
  append(lines, setAsideLines(setAside));
  const counts = countHits(findings);
  lines.push('', `## Findings: ${plural(counts.hits, 'hit')}`, '');
  if (findings.length === 0) {
    lines.push(
      setAside.length === 0
        ? 'No event matched an indicator.'
        : 'No event matched an indicator that was hunted. The indicators set aside by ' +
            'allowlists (listed above) were not hunted.',
    );
  } else {
    lines.push(
      `${plural(counts.hits, 'hit')} in ${plural(counts.events, 'event')}, with ` +
        `${plural(counts.findings, 'finding')}. ${HIT_COUNTS_NOTE}`,
      '',
    );
    append(lines, findingLines(findings, max));
  }
  if (result.skipped.length > 0) {
    lines.push('', '## Hunts not run', '');
    append(
      lines,
      table(
        ['Hunt', 'Reason'],
        result.skipped.map((skipped) => [skipped.huntId, skipped.reason]),
      ),
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * Renders the section that lists the indicators set aside by allowlists, in the table of
 * `huntpack build`'s report.md, with the first {@link REPORT_TABLE_ROWS} rows.
 */
function setAsideLines(setAside: readonly SetAsideIndicator[]): string[] {
  if (setAside.length === 0) return [];
  const lines = [
    '',
    `## Set aside by allowlists: ${plural(setAside.length, 'indicator')}`,
    '',
    'These indicators of the feeds are not in any hunt, so no finding names them, even when ' +
      'the logs contain them. Pass --no-builtin-allowlists to hunt them anyway.',
    '',
  ];
  append(lines, setAsideTable(setAside));
  if (setAside.length > REPORT_TABLE_ROWS) {
    lines.push(
      '',
      `The first ${REPORT_TABLE_ROWS.toLocaleString('en-US')} of ` +
        `${setAside.length.toLocaleString('en-US')} indicators set aside are shown; run with ` +
        '--json for all of them.',
    );
  }
  return lines;
}

/** Writes a count and its noun, such as `1 hit` or `26 events`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Renders a count of issues by reason, then each kept example with its file and line. */
function issueLines(
  title: string,
  total: number,
  byReason: Record<string, number>,
  examples: readonly HuntpackIssue[],
): string[] {
  if (total === 0) return [];
  const lines = [`- ${title}: ${total} (${cell(formatReasonCounts(byReason))})`];
  for (const issue of examples) {
    const where = printable(formatLocation(issue.source)).replaceAll('`', "'");
    // Messages quote log values as logged, which may hold an attacker's URL or address.
    const message = cell(defangText(issue.message));
    lines.push(`  - \`${where}\`: ${issue.severity} ${issue.code}: ${message}`);
  }
  if (total > examples.length) lines.push(`  - ... and ${total - examples.length} more`);
  return lines;
}

/** Renders the summaries per indicator and per host and the timeline of `findings`. */
function findingLines(findings: readonly HuntFinding[], max: number): string[] {
  const defangValue = indicatorDefanger(findings);
  const formatHost = hostFormatter(findings);
  const lines: string[] = [];
  lines.push('### By indicator', '');
  append(
    lines,
    table(
      ['Indicator', 'Hits', 'Events', 'First hit', 'Last hit', 'Hosts'],
      summaryRows(summarizeByIndicator(findings), defangValue, formatHost),
    ),
  );
  lines.push('', '### By host', '');
  append(
    lines,
    table(
      ['Host', 'Hits', 'Events', 'First hit', 'Last hit', 'Indicators'],
      summaryRows(summarizeByHost(findings), formatHost, defangValue),
    ),
  );
  lines.push('', '### Timeline', '');
  append(
    lines,
    table(
      ['Time (UTC)', 'Host', 'Indicator', 'Hunt (matched on)', 'Event', 'Log'],
      timelineRows(findings, max, defangValue, formatHost),
    ),
  );
  if (findings.length > max) {
    lines.push(
      '',
      `${findings.length - max} more findings are not listed; run with --json or --csv for all of them.`,
    );
  }
  return lines;
}

/**
 * Returns a function that writes a host of `findings` live when every finding about it shows it
 * live (`isLiveHost`), and defanged otherwise, so that each host reads the same in every table.
 */
function hostFormatter(findings: readonly HuntFinding[]): (host: string) => string {
  const live = new Map<string, boolean>();
  for (const finding of findings) {
    if (finding.host === undefined) continue;
    live.set(finding.host, (live.get(finding.host) ?? true) && isLiveHost(finding));
  }
  return (host) => (live.get(host) ? host : defangHostOrUrl(host));
}
