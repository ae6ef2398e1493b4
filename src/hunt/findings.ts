/**
 * Findings of a local hunt: one finding per hunt, matched event and indicator, with where and
 * when the event was logged and every column the indicator matched, plus per-indicator and
 * per-host summaries.
 *
 * Three counts describe the same findings. Findings count the matches of each hunt, so an event
 * that a port-aware and an address-only hunt both matched makes two findings. An event that one
 * hunt matched on two columns, such as a domain in DestinationHostName and in RequestURL, makes
 * one. Events count the
 * log records matched, each once. Hits count the connections. The events that Zeek logged with
 * one `uid` make one hit, and so do the events that Suricata logged with one `flow_id`, such as
 * a flow record and the alerts on that flow. Every other event is a hit of its own.
 */
import { BlockList, isIP } from 'node:net';
import { derivedRowSource } from '../compile/ioc-table-rows.js';
import type { Hunt, HuntVariant, IocCell } from '../compile/ir.js';
import type { ThreatGroupKind } from '../indicators/model.js';
import { attachedConnectionId, type ColumnValue, type LogTable } from './logs/event.js';

/** The indicator row a finding met, with its feed context. */
export interface FindingIndicator {
  /**
   * The indicator's value: an address, `address:port`, a domain, a URL or a hash. For a row
   * derived from an indicator, such as a URL's host in a domain hunt, the URL.
   */
  value: string;
  /** The form the event matched when it is not `value`, such as the host of a URL indicator. */
  matchedAs?: string;
  /**
   * The other indicator URLs with the same match key, such as `https://evil.com/a` beside
   * `http://evil.com/a`, which the event matched too. Absent when there are none.
   */
  otherValues?: string[];
  family: string;
  /** Kind of threat group that `family` names, absent for a malware family. */
  familyKind?: ThreatGroupKind;
  threatType?: string;
  confidence?: number;
  firstSeen?: Date;
  /** Ports the feed named for the address (address-only hunts). */
  feedPorts?: string;
}

/** One match of one hunt on one logged event. */
export interface HuntFinding {
  /** Event time, or undefined when the record had none. */
  time?: Date;
  file: string;
  line: number;
  /**
   * Tells apart events whose records start on the same line, as in a JSON array written on one
   * line: 1 for the second such event that the hunt loaded, 2 for the third, and absent for the
   * first.
   */
  recordOnLine?: number;
  table: LogTable;
  huntId: string;
  variant: HuntVariant;
  /**
   * Label of the first match branch that matched, in the hunt's branch order, such as
   * `destination`, `source`, `remote` or a URL column. The host is chosen from it.
   */
  matchedOn: string;
  /** Labels of the other branches that matched the same indicator, absent when none did. */
  alsoMatchedOn?: string[];
  indicator: FindingIndicator;
  /** The host the hit is about: the internal side of a connection, or the device that logged it. */
  host?: string;
  /** The event's values of the hunt's projected columns that are present. */
  columns: Record<string, ColumnValue>;
  /**
   * The connection the event belongs to, as the sensor named it: `zeek:` and the Zeek `uid`, or
   * `suricata:` and the Suricata `flow_id`. Absent for events of other sources.
   */
  connectionId?: string;
}

/** Returns a finding's indicator with the form it matched: `http://evil.com/x (as evil.com)`. */
export function indicatorText(indicator: FindingIndicator): string {
  return indicator.matchedAs === undefined
    ? indicator.value
    : `${indicator.value} (as ${indicator.matchedAs})`;
}

/** Returns every branch label of a finding, such as `DestinationHostName, RequestURL`. */
export function matchedOnText(finding: HuntFinding): string {
  return [finding.matchedOn, ...(finding.alsoMatchedOn ?? [])].join(', ');
}

function text(cell: IocCell | undefined): string | undefined {
  if (cell === null || cell === undefined) return undefined;
  return cell instanceof Date ? cell.toISOString() : String(cell);
}

/** Returns the indicator of a hunt's row, with `[v6]:port` or `v4:port` for port-aware rows. */
export function findingIndicator(hunt: Hunt, iocIndex: number): FindingIndicator {
  const row = hunt.iocs.rows[iocIndex] ?? [];
  const cells: Record<string, IocCell> = {};
  hunt.iocs.columns.forEach((column, index) => {
    cells[column.name] = row[index] ?? null;
  });
  let value = text(row[0]) ?? '';
  const port = text(cells.IocPort);
  if (port !== undefined) value = value.includes(':') ? `[${value}]:${port}` : `${value}:${port}`;
  const source = derivedRowSource(row);
  const indicator: FindingIndicator =
    source === undefined || source === value
      ? { value, family: hunt.family }
      : { value: source, matchedAs: value, family: hunt.family };
  if (hunt.familyKind !== undefined) indicator.familyKind = hunt.familyKind;
  const threatType = text(cells.IocThreatType);
  if (threatType !== undefined) indicator.threatType = threatType;
  if (typeof cells.IocConfidence === 'number') indicator.confidence = cells.IocConfidence;
  if (cells.IocFirstSeen instanceof Date) indicator.firstSeen = cells.IocFirstSeen;
  const feedPorts = text(cells.IocFeedPorts);
  if (feedPorts) indicator.feedPorts = feedPorts;
  const otherUrls = text(cells.IocOtherUrls);
  if (otherUrls) indicator.otherValues = otherUrls.split(' ');
  return indicator;
}

function stringColumn(
  columns: Record<string, ColumnValue>,
  ...names: string[]
): string | undefined {
  for (const name of names) {
    const value = columns[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** Ranges the public internet does not route: private, carrier-grade NAT, loopback, link-local. */
const INTERNAL_RANGES = (() => {
  const ranges = new BlockList();
  ranges.addSubnet('10.0.0.0', 8, 'ipv4');
  ranges.addSubnet('172.16.0.0', 12, 'ipv4');
  ranges.addSubnet('192.168.0.0', 16, 'ipv4');
  ranges.addSubnet('100.64.0.0', 10, 'ipv4'); // carrier-grade NAT, RFC 6598
  ranges.addSubnet('127.0.0.0', 8, 'ipv4');
  ranges.addSubnet('169.254.0.0', 16, 'ipv4');
  ranges.addSubnet('fc00::', 7, 'ipv6'); // unique local, RFC 4193
  ranges.addSubnet('fe80::', 10, 'ipv6');
  ranges.addAddress('::1', 'ipv6');
  return ranges;
})();

/**
 * Returns true when `value` is an IPv4 or IPv6 address in a private, carrier-grade NAT, loopback
 * or link-local range, so it belongs to the network that logged it.
 */
export function isInternalAddress(value: ColumnValue | undefined): boolean {
  if (typeof value !== 'string') return false;
  const family = isIP(value);
  if (family === 0) return false;
  return INTERNAL_RANGES.check(value, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Returns the side of a CommonSecurityLog event that the hit is about. A hit on the source
 * address is about the destination. Any other hit is about the source, unless the event is
 * inbound: a source address outside the internal ranges connecting to a destination address in
 * them, as when an attacker's address requests a URL from an internal server.
 */
export function internalSide(
  matchedOn: string,
  columns: Record<string, ColumnValue>,
): 'source' | 'destination' {
  if (matchedOn === 'source') return 'destination';
  if (matchedOn === 'destination') return 'source';
  const inbound =
    typeof columns.SourceIP === 'string' &&
    isIP(columns.SourceIP) !== 0 &&
    !isInternalAddress(columns.SourceIP) &&
    isInternalAddress(columns.DestinationIP);
  return inbound ? 'destination' : 'source';
}

function isSuricataEvent(columns: Readonly<Record<string, ColumnValue>>): boolean {
  return columns.DeviceVendor === 'OISF' && columns.DeviceProduct === 'Suricata';
}

/**
 * Returns the host a hit concerns. In CommonSecurityLog it is a host of the side that
 * `internalSide` returns, and for the source side the device that logged the event is the last
 * choice. In DeviceNetworkEvents it is the device, and in DnsEvents the client.
 */
export function findingHost(
  table: LogTable,
  matchedOn: string,
  columns: Record<string, ColumnValue>,
): string | undefined {
  switch (table) {
    case 'CommonSecurityLog':
      if (internalSide(matchedOn, columns) === 'destination') {
        // The destination host name of an inbound hit on a URL or host column may be the very
        // name that matched, so the address comes first there. So it does for Suricata, whose
        // DestinationHostName is the server name of the HTTP Host header or TLS SNI, even in
        // events logged from the server to the client, such as fileinfo on a download.
        return matchedOn === 'source' && !isSuricataEvent(columns)
          ? stringColumn(columns, 'DestinationHostName', 'DestinationIP')
          : stringColumn(columns, 'DestinationIP', 'DestinationHostName');
      }
      return stringColumn(columns, 'SourceHostName', 'SourceIP', 'DeviceName');
    case 'DeviceNetworkEvents':
      return stringColumn(columns, 'DeviceName', 'LocalIP');
    case 'DeviceFileEvents':
    case 'DeviceProcessEvents':
    case 'DeviceImageLoadEvents':
      return stringColumn(columns, 'DeviceName', 'DeviceId');
    case 'DnsEvents':
      return stringColumn(columns, 'ClientIP', 'Computer');
  }
}

/**
 * Returns the id of the connection of an event: the `uid` of a Zeek event or the `flow_id` of a
 * Suricata event. The readers keep it in AdditionalExtensions of CommonSecurityLog rows, and
 * attach it beside the columns of DnsEvents rows, which have no column for it. Other vendors may
 * use those keys for other things, so their events have none.
 */
export function connectionIdOf(
  table: LogTable,
  columns: Readonly<Record<string, ColumnValue>>,
): string | undefined {
  if (table === 'DnsEvents') return attachedConnectionId(columns);
  if (table !== 'CommonSecurityLog') return undefined;
  const extensions = columns.AdditionalExtensions;
  if (typeof extensions !== 'string') return undefined;
  let sensor: 'zeek' | 'suricata';
  let key: string;
  if (columns.DeviceVendor === 'Zeek') {
    sensor = 'zeek';
    key = 'uid=';
  } else if (isSuricataEvent(columns)) {
    sensor = 'suricata';
    key = 'flow_id=';
  } else {
    return undefined;
  }
  const pair = extensions.split(';').find((part) => part.startsWith(key));
  const id = pair?.slice(key.length);
  return id ? `${sensor}:${id}` : undefined;
}

/** Returns a key that is the same for the findings of one event and differs between events. */
export function eventKey(finding: HuntFinding): string {
  return `${finding.file}\n${finding.line}\n${finding.recordOnLine ?? 0}`;
}

/**
 * Returns a key that is the same for the findings of one hit: the connection id, or for an
 * event without one, the event.
 */
export function hitKey(finding: HuntFinding): string {
  return finding.connectionId === undefined
    ? `event\n${eventKey(finding)}`
    : `connection\n${finding.connectionId}`;
}

/** Counts of one set of findings, as the module header defines them. */
export interface HitCounts {
  hits: number;
  events: number;
  findings: number;
}

/** Counts the hits, events and findings of `findings`. */
export function countHits(findings: readonly HuntFinding[]): HitCounts {
  const hits = new Set<string>();
  const events = new Set<string>();
  for (const finding of findings) {
    hits.add(hitKey(finding));
    events.add(eventKey(finding));
  }
  return { hits: hits.size, events: events.size, findings: findings.length };
}

/** Hits of one key (an indicator or a host) with their time span. */
export interface FindingSummary extends HitCounts {
  key: string;
  firstHit?: Date;
  lastHit?: Date;
  /** Distinct other keys: hosts for an indicator, indicators for a host. */
  related: string[];
  families: string[];
  /**
   * Kind of each of `families` that is a threat group; absent when none is. NOTE: a group and a
   * malware family of the same name share one entry of `families`, which then reads as the group.
   */
  groupKinds?: Record<string, ThreatGroupKind>;
}

/** Sums findings per key, ordered by hits, then events, then key. */
export function summarizeFindings(
  findings: readonly HuntFinding[],
  keyOf: (finding: HuntFinding) => string | undefined,
  relatedOf: (finding: HuntFinding) => string | undefined,
): FindingSummary[] {
  const byKey = new Map<
    string,
    FindingSummary & {
      hitSet: Set<string>;
      eventSet: Set<string>;
      relatedSet: Set<string>;
      familySet: Set<string>;
    }
  >();
  for (const finding of findings) {
    const key = keyOf(finding) ?? '(unknown)';
    let entry = byKey.get(key);
    if (!entry) {
      entry = {
        key,
        hits: 0,
        events: 0,
        findings: 0,
        related: [],
        families: [],
        hitSet: new Set(),
        eventSet: new Set(),
        relatedSet: new Set(),
        familySet: new Set(),
      };
      byKey.set(key, entry);
    }
    entry.hitSet.add(hitKey(finding));
    entry.eventSet.add(eventKey(finding));
    entry.findings += 1;
    const related = relatedOf(finding);
    if (related !== undefined) entry.relatedSet.add(related);
    const { family, familyKind } = finding.indicator;
    entry.familySet.add(family);
    if (familyKind !== undefined) entry.groupKinds = { ...entry.groupKinds, [family]: familyKind };
    if (finding.time) {
      if (!entry.firstHit || finding.time < entry.firstHit) entry.firstHit = finding.time;
      if (!entry.lastHit || finding.time > entry.lastHit) entry.lastHit = finding.time;
    }
  }
  return [...byKey.values()]
    .map(({ hitSet, eventSet, relatedSet, familySet, ...summary }) => ({
      ...summary,
      hits: hitSet.size,
      events: eventSet.size,
      related: [...relatedSet].sort(),
      families: [...familySet].sort(),
    }))
    .sort((a, b) => b.hits - a.hits || b.events - a.events || a.key.localeCompare(b.key));
}

/** Per-indicator summary: hits, first and last hit, and the hosts involved. */
export function summarizeByIndicator(findings: readonly HuntFinding[]): FindingSummary[] {
  return summarizeFindings(
    findings,
    (finding) => finding.indicator.value,
    (finding) => finding.host,
  );
}

/** Per-host summary: hits, first and last hit, and the indicators met. */
export function summarizeByHost(findings: readonly HuntFinding[]): FindingSummary[] {
  return summarizeFindings(
    findings,
    (finding) => finding.host,
    (finding) => finding.indicator.value,
  );
}

/** Orders findings by time (events without a time last), then file and line. */
export function compareFindings(a: HuntFinding, b: HuntFinding): number {
  const timeA = a.time?.getTime() ?? Number.POSITIVE_INFINITY;
  const timeB = b.time?.getTime() ?? Number.POSITIVE_INFINITY;
  if (timeA !== timeB) return timeA - timeB;
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    (a.recordOnLine ?? 0) - (b.recordOnLine ?? 0) ||
    a.huntId.localeCompare(b.huntId)
  );
}
