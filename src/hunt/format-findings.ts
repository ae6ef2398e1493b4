/**
 * Writes findings for people and tools: an aligned text table, CSV (RFC 4180) and JSON.
 */
import { printable } from '../errors.js';
import { familyKindWords } from '../report/threat-groups.js';
import type { ColumnValue } from './logs/event.js';
import { indicatorText, matchedOnText, type FindingSummary, type HuntFinding } from './findings.js';

function valueText(value: ColumnValue | undefined): string {
  if (value === undefined || value === null) return '';
  return value instanceof Date ? value.toISOString() : String(value);
}

/** Describes the event's connection or request in one line, from its projected columns. */
export function describeEvent(finding: HuntFinding): string {
  const c = finding.columns;
  const endpoint = (address: string, port: string): string => {
    const host = valueText(c[address]);
    const number = valueText(c[port]);
    if (!host) return '';
    return number ? `${host.includes(':') ? `[${host}]` : host}:${number}` : host;
  };
  const parts: string[] = [];
  const source = endpoint('SourceIP', 'SourcePort');
  const destination = endpoint('DestinationIP', 'DestinationPort');
  const local = endpoint('LocalIP', 'LocalPort');
  const remote = endpoint('RemoteIP', 'RemotePort');
  if (source || destination) {
    parts.push(`${source || '?'} -> ${destination || '?'}`);
  } else if (local || remote) {
    parts.push(defenderConnection(local || '?', remote || '?', valueText(c.ActionType)));
  }
  for (const name of [
    'DestinationHostName',
    'RequestURL',
    'RemoteUrl',
    'Name',
    'FileName',
    'FolderPath',
    'DeviceAction',
    'ActionType',
  ]) {
    const value = valueText(c[name]);
    if (value) parts.push(`${name}=${value}`);
  }
  return parts.join(' ');
}

/**
 * Joins a Defender event's local and remote ends with an arrow in the direction of the
 * connection: in for the `Inbound...` ActionTypes, `<->` for those whose direction the ActionType
 * does not give (`ConnectionFound`, `ListeningConnectionCreated` and the `...Inspected` types of
 * network protection), and out for the others, which the device opened.
 */
function defenderConnection(local: string, remote: string, actionType: string): string {
  if (actionType.startsWith('Inbound')) return `${remote} -> ${local}`;
  if (UNDIRECTED_ACTION_TYPES.has(actionType) || actionType.endsWith('Inspected')) {
    return `${local} <-> ${remote}`;
  }
  return `${local} -> ${remote}`;
}

const UNDIRECTED_ACTION_TYPES = new Set([
  'ConnectionFound',
  'ConnectionAcknowledged',
  'ListeningConnectionCreated',
]);

function timeText(time: Date | undefined): string {
  return time ? time.toISOString().replace('.000Z', 'Z') : '-';
}

function alignedTable(header: string[], rows: string[][]): string {
  // A loop, because Math.max(...cells) overflows the call stack at roughly 100,000 rows.
  const widths = header.map((name) => name.length);
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  for (let index = 0; index < widths.length; index++) {
    widths[index] = Math.min(60, widths[index] ?? 0);
  }
  const line = (cells: string[]): string =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Writes findings as an aligned text table, one line each. */
export function formatFindingsTable(findings: readonly HuntFinding[]): string {
  const rows = findings.map((finding) =>
    [
      timeText(finding.time),
      finding.huntId,
      matchedOnText(finding),
      indicatorText(finding.indicator),
      finding.host ?? '-',
      `${finding.file}:${finding.line}`,
      describeEvent(finding),
    ].map(printable),
  );
  return alignedTable(['TIME', 'HUNT', 'MATCHED ON', 'INDICATOR', 'HOST', 'LOG', 'EVENT'], rows);
}

/**
 * Writes a per-indicator or per-host summary as an aligned text table. HITS counts connections
 * and EVENTS counts log records, as `findings.ts` defines them. The column of the packs' names is
 * FAMILY OR GROUP when one of them is named after a threat group.
 */
export function formatSummaryTable(
  title: string,
  related: string,
  summaries: readonly FindingSummary[],
) {
  const rows = summaries.map((summary) =>
    [
      summary.key,
      String(summary.hits),
      String(summary.events),
      timeText(summary.firstHit),
      timeText(summary.lastHit),
      summary.families.map((family) => familyLabel(family, summary.groupKinds)).join(', '),
      summary.related.slice(0, 5).join(', ') +
        (summary.related.length > 5 ? `, +${summary.related.length - 5}` : ''),
    ].map(printable),
  );
  const named = summaries.some((summary) => summary.groupKinds) ? 'FAMILY OR GROUP' : 'FAMILY';
  return alignedTable([title, 'HITS', 'EVENTS', 'FIRST HIT', 'LAST HIT', named, related], rows);
}

/** Returns a family name, or a threat group's name with its kind: `Boggy Serpens (intrusion set)`. */
function familyLabel(family: string, groupKinds: FindingSummary['groupKinds']): string {
  const kind = groupKinds && Object.hasOwn(groupKinds, family) ? groupKinds[family] : undefined;
  if (kind === undefined) return family;
  return `${family} (${familyKindWords({ name: family, aliases: [], kind })})`;
}

/** Explanation of the hits, events and findings that `countHits` returns, for people. */
export const HIT_COUNTS_NOTE =
  'A hit is one connection: the events of one Suricata flow or one Zeek connection make one ' +
  'hit, and any other event makes one. An event that several hunts matched is one event, with ' +
  'one finding per hunt and indicator.';

const CSV_HEADER = [
  'time',
  'file',
  'line',
  'table',
  'hunt_id',
  'variant',
  'matched_on',
  'indicator',
  'matched_as',
  'family',
  'threat_type',
  'confidence',
  'ioc_first_seen',
  'host',
  'event',
];

/**
 * Quotes a CSV cell when needed (RFC 4180). A cell that a spreadsheet would run as a formula
 * (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`, since log values come from
 * the network and may be written by an attacker.
 */
export function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Writes findings as CSV with a header row. */
export function formatFindingsCsv(findings: readonly HuntFinding[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const finding of findings) {
    const cells = [
      finding.time?.toISOString() ?? '',
      finding.file,
      String(finding.line),
      finding.table,
      finding.huntId,
      finding.variant,
      matchedOnText(finding),
      finding.indicator.value,
      finding.indicator.matchedAs ?? '',
      finding.indicator.family,
      finding.indicator.threatType ?? '',
      finding.indicator.confidence === undefined ? '' : String(finding.indicator.confidence),
      finding.indicator.firstSeen?.toISOString() ?? '',
      finding.host ?? '',
      JSON.stringify(finding.columns),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
