/**
 * Renders the Markdown hunt report: what was read, what ran, a summary per indicator and per
 * host, and a timeline of every hit with the log file and line to open.
 *
 * People read and share the report, so indicators and the remote side of each event are written
 * defanged (`evil[.]com`, `hxxp://...`) and no Markdown viewer turns them into links. The
 * terminal table and the --json and --csv outputs keep live values for tools and pipelines.
 */
import { isIP } from 'node:net';
import type { HuntVariant } from '../compile/ir.js';
import { defang, defangAddress, defangDots, defangEmbeddedUrls } from '../indicators/defang.js';
import { normalizeIndicator } from '../indicators/normalize.js';
import { DATA_SOURCES } from '../pipeline/data-sources.js';
import type { HuntLogsResult } from './engine.js';
import {
  summarizeByHost,
  summarizeByIndicator,
  type FindingSummary,
  type HuntFinding,
} from './findings.js';
import { describeEvent, printable } from './format-findings.js';
import { formatLocation, type HuntpackIssue } from '../errors.js';

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

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

/** Returns the rows of `summaries`, with `formatKey` and `formatRelated` applied to the values. */
function summaryRows(
  summaries: FindingSummary[],
  formatKey: (key: string) => string,
  formatRelated: (related: string) => string,
): string[][] {
  return summaries.map((summary) => [
    formatKey(summary.key),
    String(summary.hits),
    time(summary.firstHit),
    time(summary.lastHit),
    summary.related.map(formatRelated).join(', '),
  ]);
}

function timelineRows(
  findings: readonly HuntFinding[],
  max: number,
  defangValue: (value: string) => string,
): string[][] {
  return findings
    .slice(0, max)
    .map((finding) => [
      time(finding.time),
      finding.host ?? '-',
      defangValue(finding.indicator.value),
      `${finding.huntId} (${finding.matchedOn})`,
      describeEvent(defangRemoteSide(finding)),
      `${finding.file}:${finding.line}`,
    ]);
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
  for (const finding of findings) {
    if (!variants.has(finding.indicator.value)) {
      variants.set(finding.indicator.value, finding.variant);
    }
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
 * Defangs a host name or address as logged, in the forms of `defang`: dots become `[.]`, and an
 * IPv6 address, bracketed or not, is bracketed with each colon as `[:]`.
 */
function defangHostText(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // The dots of an IPv4-mapped IPv6 address, such as ::ffff:192.0.2.1, are defanged too.
  return isIP(bare) === 6 ? defangDots(defangAddress(bare, 'ipv6')) : defangDots(bare);
}

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Defangs a URL as logged, in the forms of `defang` for URL indicators: `http://` and `https://`
 * become `hxxp://` and `hxxps://` wherever they appear, and the host is defanged as a host name
 * or address. Userinfo, port, path and query keep their dots. A value without a scheme, such as
 * `evil.com/a` or a bare host name, starts with its host.
 */
function defangUrlText(url: string): string {
  const authorityStart = URL_SCHEME.exec(url)?.[0].length ?? 0;
  const authorityLength = url.slice(authorityStart).search(/[/?#\\]/);
  const authorityEnd = authorityLength < 0 ? url.length : authorityStart + authorityLength;
  const authority = url.slice(authorityStart, authorityEnd);
  const hostStart = authority.lastIndexOf('@') + 1;
  const [host, port] = splitPort(authority.slice(hostStart));
  return (
    defangEmbeddedUrls(url.slice(0, authorityStart)) +
    authority.slice(0, hostStart) +
    defangHostText(host) +
    port +
    defangEmbeddedUrls(url.slice(authorityEnd))
  );
}

/** Splits `host:port` or `[v6]:port` into the host and `:port`; a bare IPv6 address has none. */
function splitPort(hostAndPort: string): [host: string, port: string] {
  if (hostAndPort.startsWith('[')) {
    const end = hostAndPort.indexOf(']') + 1;
    return end > 0 ? [hostAndPort.slice(0, end), hostAndPort.slice(end)] : [hostAndPort, ''];
  }
  const colon = hostAndPort.lastIndexOf(':');
  if (colon < 0 || isIP(hostAndPort) !== 0) return [hostAndPort, ''];
  return [hostAndPort.slice(0, colon), hostAndPort.slice(colon)];
}

/**
 * Returns `finding` with the event columns of the remote side defanged, which is the side opposite
 * `finding.host`: the source address of a hit on the source, and otherwise the destination or
 * remote address with the table's host name and URL columns.
 */
function defangRemoteSide(finding: HuntFinding): HuntFinding {
  const entry = DATA_SOURCES.find((source) => source.table === finding.table);
  if (!entry) return finding;
  const columns = { ...finding.columns };
  const onSource = finding.matchedOn === 'source';
  for (const endpoint of entry.endpoints) {
    if ((endpoint.side === 'source') !== onSource) continue;
    const address = columns[endpoint.address];
    if (typeof address !== 'string') continue;
    // The port joins the address in one column, because describeEvent brackets an address
    // that contains a colon, and the defanged IPv6 form is already bracketed.
    const port = columns[endpoint.port];
    const hasPort = port !== undefined && port !== null && port !== '';
    columns[endpoint.address] = defangHostText(address) + (hasPort ? `:${String(port)}` : '');
    delete columns[endpoint.port];
  }
  if (!onSource) {
    for (const name of new Set([...entry.hostColumns, ...entry.urlColumns])) {
      const value = columns[name];
      if (typeof value === 'string') columns[name] = defangUrlText(value);
    }
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
  lines.push('', `## Findings: ${findings.length}`, '');
  if (findings.length === 0) lines.push('No event matched an indicator.');
  else append(lines, findingLines(findings, max));
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

/** Renders a count of issues by reason, then each kept example with its file and line. */
function issueLines(
  title: string,
  total: number,
  byReason: Record<string, number>,
  examples: readonly HuntpackIssue[],
): string[] {
  if (total === 0) return [];
  const lines = [`- ${title}: ${total} (${cell(formatReasonCounts(byReason))})`];
  // NOTE: messages quote the invalid log value as logged, so a URL in a rejected field stays live.
  for (const issue of examples) {
    const where = printable(formatLocation(issue.source)).replaceAll('`', "'");
    lines.push(`  - \`${where}\`: ${issue.severity} ${issue.code}: ${cell(issue.message)}`);
  }
  if (total > examples.length) lines.push(`  - ... and ${total - examples.length} more`);
  return lines;
}

/** Renders the summaries per indicator and per host and the timeline of `findings`. */
function findingLines(findings: readonly HuntFinding[], max: number): string[] {
  const defangValue = indicatorDefanger(findings);
  const asLogged = (text: string): string => text;
  const lines: string[] = [];
  lines.push('### By indicator', '');
  append(
    lines,
    table(
      ['Indicator', 'Hits', 'First hit', 'Last hit', 'Hosts'],
      summaryRows(summarizeByIndicator(findings), defangValue, asLogged),
    ),
  );
  lines.push('', '### By host', '');
  append(
    lines,
    table(
      ['Host', 'Hits', 'First hit', 'Last hit', 'Indicators'],
      summaryRows(summarizeByHost(findings), asLogged, defangValue),
    ),
  );
  lines.push('', '### Timeline', '');
  append(
    lines,
    table(
      ['Time (UTC)', 'Host', 'Indicator', 'Hunt (matched on)', 'Event', 'Log'],
      timelineRows(findings, max, defangValue),
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
