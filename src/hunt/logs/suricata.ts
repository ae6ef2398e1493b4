/**
 * Reads Suricata eve.json events. dns events become DnsEvents rows. flow, netflow, alert,
 * anomaly, http, tls, quic, ssh and fileinfo events, and events of any other type that name an
 * address (smtp, ftp, smb, rdp and the other application-layer logs), become CommonSecurityLog
 * rows (DeviceVendor `OISF`, DeviceProduct `Suricata`). Stats and other events without an
 * address are skipped and counted by type.
 */
import { isIP } from 'node:net';
import { quoteValue } from '../../errors.js';
import { attachConnectionId } from './event.js';
import { parseLogTime } from './log-time.js';
import { buildRequestUrl, portNumber } from './request-url.js';
import { isHashValue } from './columns.js';
import {
  ColumnBuilder,
  joinExtensions,
  rejectRecord,
  skipRecord,
  type RecordContext,
  type RecordOutcome,
} from './record.js';

type JsonObject = Record<string, unknown>;

const CONNECTION_EVENT_TYPES = new Set([
  'flow',
  'netflow',
  'alert',
  'anomaly',
  'http',
  'tls',
  'quic',
  'ssh',
  'fileinfo',
]);

/** DNS RCODE names (RFC 1035 and RFC 2136) and their numbers, for the ResultCode column. */
const DNS_RCODES: Record<string, number> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(event: JsonObject, key: string): JsonObject {
  const value = event[key];
  return isObject(value) ? value : {};
}

/**
 * Tells whether an event names the address of either end, as every application-layer event
 * does (smtp, ftp, smb and so on): a connection to an indicator's address over that protocol.
 */
function namesAddress(event: JsonObject): boolean {
  return typeof event.src_ip === 'string' || typeof event.dest_ip === 'string';
}

/** Returns the event type, or for events written without one, the section they carry. */
function eventTypeOf(event: JsonObject): string | undefined {
  if (typeof event.event_type === 'string') return event.event_type;
  return ['alert', 'dns', 'http', 'tls', 'ssh', 'fileinfo', 'flow'].find((key) =>
    isObject(event[key]),
  );
}

/** Parses one eve.json event. */
export function parseSuricataEvent(value: unknown, context: RecordContext): RecordOutcome {
  if (!isObject(value)) {
    return rejectRecord('NOT_AN_OBJECT', `Expected a JSON object, found ${quoteValue(value)}.`);
  }
  const eventType = eventTypeOf(value);
  if (eventType === undefined) {
    return rejectRecord(
      'MISSING_EVENT_TYPE',
      'Suricata event has no event_type and no known section.',
    );
  }
  let builder: ColumnBuilder;
  if (eventType === 'dns') builder = buildDnsEvent(value, context);
  else if (CONNECTION_EVENT_TYPES.has(eventType) || namesAddress(value))
    builder = buildConnectionEvent(eventType, value, context);
  else return skipRecord(`SURICATA_${eventType.toUpperCase()}`);

  if (typeof value.timestamp !== 'string') {
    context.warn('MISSING_TIME', 'Suricata event has no timestamp, so its time is empty.');
  } else {
    const time = parseLogTime(value.timestamp, context.time);
    if (time.ok) builder.setTime(time.date);
    else context.warn(time.code, `timestamp: ${time.message}`);
  }
  return builder.toOutcome();
}

function buildConnectionEvent(eventType: string, event: JsonObject, context: RecordContext) {
  const builder = new ColumnBuilder('CommonSecurityLog', context);
  builder.set('DeviceVendor', 'OISF');
  builder.set('DeviceProduct', 'Suricata');
  builder.set('DeviceEventClassID', eventType);
  const endpoints = clientAndServer(eventType, event);
  builder.set('SourceIP', endpoints.sourceIp);
  builder.set('SourcePort', endpoints.sourcePort);
  builder.set('DestinationIP', endpoints.destinationIp);
  builder.set('DestinationPort', endpoints.destinationPort);
  builder.set('Protocol', event.proto);
  builder.set('ApplicationProtocol', event.app_proto);
  builder.set('DeviceInboundInterface', event.in_iface);

  const alert = child(event, 'alert');
  if (eventType === 'alert' || 'signature' in alert) {
    builder.set('DeviceEventClassID', alert.signature_id);
    builder.set('Activity', alert.signature);
    builder.set('DeviceAction', alert.action);
    builder.set('DeviceEventCategory', alert.category);
    builder.set('LogSeverity', alert.severity);
  }
  const anomaly = child(event, 'anomaly');
  if (eventType === 'anomaly') {
    builder.set('Activity', anomaly.event);
    builder.set('DeviceEventCategory', anomaly.type);
  }
  const http = child(event, 'http');
  const tls = child(event, 'tls');
  const quic = child(event, 'quic');
  const host = http.hostname ?? tls.sni ?? quic.sni;
  builder.set('DestinationHostName', host);
  if (typeof http.url === 'string') {
    // http_port is the port of the Host header or absolute URL, logged only when the client
    // wrote one. Without it, the URL takes the server port if the event shows which side is the
    // server.
    const server = endpoints.oriented ? endpoints : undefined;
    builder.set(
      'RequestURL',
      buildRequestUrl({
        host: typeof http.hostname === 'string' ? http.hostname : undefined,
        target: http.url,
        port: portNumber(http.http_port) ?? portNumber(server?.destinationPort),
        serverIp: typeof server?.destinationIp === 'string' ? server.destinationIp : undefined,
      }),
    );
  }
  builder.set('RequestMethod', http.http_method);
  builder.set('RequestClientApplication', http.http_user_agent);

  const fileinfo = child(event, 'fileinfo');
  builder.set('FileName', fileinfo.filename);
  setFileHash(builder, fileinfo);

  const flow = child(event, 'flow');
  builder.set('SentBytes', flow.bytes_toserver);
  builder.set('ReceivedBytes', flow.bytes_toclient);
  // A netflow record covers one direction, from its src to its dest.
  builder.set('SentBytes', child(event, 'netflow').bytes);
  const flowId = flowIdOf(event);
  if (flowId !== undefined) {
    builder.set('AdditionalExtensions', joinExtensions([`flow_id=${flowId}`]));
  }
  return builder;
}

/**
 * Returns the event's flow_id as text. Every event of one flow carries it, which lets a hunt
 * count the flow once. A number past 2^53 lost digits in JSON.parse and might equal another
 * flow's, so it gives undefined.
 */
function flowIdOf(event: JsonObject): string | undefined {
  const flowId = event.flow_id;
  if (Number.isSafeInteger(flowId)) return String(flowId);
  return typeof flowId === 'string' && /^\d+$/.test(flowId) ? flowId : undefined;
}

interface Endpoints {
  sourceIp: unknown;
  sourcePort: unknown;
  destinationIp: unknown;
  destinationPort: unknown;
  /** True when the source is known to be the client and the destination the server. */
  oriented: boolean;
}

/**
 * Returns the connection's endpoints, with the client as the source when the event shows the
 * direction. Alerts carry the endpoints of the packet that fired, so an alert on a response
 * runs from the server to the client. Suricata 7 marks those with `direction: "to_client"` and
 * logs the flow's own endpoints under `flow`. Events of the http type are logged in the flow's
 * direction.
 */
function clientAndServer(eventType: string, event: JsonObject): Endpoints {
  const flow = child(event, 'flow');
  if (typeof flow.src_ip === 'string' && typeof flow.dest_ip === 'string') {
    return {
      sourceIp: flow.src_ip,
      sourcePort: flow.src_port,
      destinationIp: flow.dest_ip,
      destinationPort: flow.dest_port,
      oriented: true,
    };
  }
  if (event.direction === 'to_client') {
    return {
      sourceIp: event.dest_ip,
      sourcePort: event.dest_port,
      destinationIp: event.src_ip,
      destinationPort: event.src_port,
      oriented: true,
    };
  }
  // NOTE: Suricata before 7.0 logs neither `direction` nor flow endpoints, so an alert on a
  // response keeps the server as SourceIP, and the hit's host is then the server.
  return {
    sourceIp: event.src_ip,
    sourcePort: event.src_port,
    destinationIp: event.dest_ip,
    destinationPort: event.dest_port,
    oriented: event.direction === 'to_server' || eventType === 'http',
  };
}

function buildDnsEvent(event: JsonObject, context: RecordContext) {
  const builder = new ColumnBuilder('DnsEvents', context);
  const dns = child(event, 'dns');
  // eve.json format 2 writes "answer" and format 3 (Suricata 7 and later) "response", with
  // `qr: true`. A response with no answers, such as NXDOMAIN, is still a response.
  const isAnswer =
    dns.type === 'answer' ||
    dns.type === 'response' ||
    dns.qr === true ||
    Array.isArray(dns.answers) ||
    isObject(dns.grouped);
  const queries = Array.isArray(dns.queries) ? dns.queries.filter(isObject) : [];
  builder.set('SubType', 'LookupQuery');
  // The CNAME targets of the answer are matched as other values of Name, as in Zeek dns.log.
  builder.setWithAlternatives('Name', [dns.rrname ?? queries[0]?.rrname, ...cnameTargets(dns)]);
  builder.set('QueryType', dns.rrtype ?? queries[0]?.rrtype);
  // A DNS response goes from the server to the client, so the client is the destination.
  builder.set('ClientIP', isAnswer ? event.dest_ip : event.src_ip);
  if (typeof dns.rcode === 'string' && dns.rcode.toUpperCase() in DNS_RCODES) {
    builder.set('ResultCode', DNS_RCODES[dns.rcode.toUpperCase()]);
  }
  builder.set('IPAddresses', answerAddresses(dns).join(','));
  const flowId = flowIdOf(event);
  if (flowId !== undefined) attachConnectionId(builder.columns, `suricata:${flowId}`);
  return builder;
}

/** Collects the CNAME targets of an answer from the eve.json DNS layouts (versions 1, 2 and 3). */
function cnameTargets(dns: JsonObject): string[] {
  const candidates: unknown[] = dns.rrtype === 'CNAME' ? [dns.rdata] : [];
  if (Array.isArray(dns.answers)) {
    for (const answer of dns.answers) {
      if (isObject(answer) && answer.rrtype === 'CNAME') candidates.push(answer.rdata);
    }
  }
  const grouped = child(dns, 'grouped').CNAME;
  if (Array.isArray(grouped)) candidates.push(...(grouped as unknown[]));
  return candidates.filter((value): value is string => typeof value === 'string');
}

/** Collects A and AAAA answers from the eve.json DNS layouts (versions 1, 2 and 3). */
function answerAddresses(dns: JsonObject): string[] {
  const candidates: unknown[] = [dns.rdata];
  if (Array.isArray(dns.answers)) {
    for (const answer of dns.answers) if (isObject(answer)) candidates.push(answer.rdata);
  }
  const grouped = child(dns, 'grouped');
  for (const type of ['A', 'AAAA']) {
    const list = grouped[type];
    if (Array.isArray(list)) candidates.push(...(list as unknown[]));
  }
  return candidates.filter(
    (value): value is string => typeof value === 'string' && isIP(value) !== 0,
  );
}

/**
 * Sets FileHash from a fileinfo section, which may log the SHA256, SHA1 and MD5 of one file,
 * though CommonSecurityLog has one FileHash column. The column gets the SHA256, else the SHA1,
 * else the MD5, and the other hashes are attached as alternative values. The reader keeps the
 * event when the prefilter keeps it with any of the hashes, and the local hunt loads one DuckDB
 * row per hash, mapping each hit back to the event. So every hunt that looks for one of the
 * hashes finds the event, and the event still counts once. An exclusion on any one of the hashes
 * removes the event from each hunt that has the exclusion.
 *
 * Filling the column with the one hash a hunt looks for would let only the first of two packs
 * find the file when one looks for its MD5 and another for its SHA256. One event per hash would
 * count the file as three events.
 */
function setFileHash(builder: ColumnBuilder, fileinfo: JsonObject): void {
  const hashes = [fileinfo.sha256, fileinfo.sha1, fileinfo.md5].filter(isHashValue);
  builder.setWithAlternatives('FileHash', hashes);
}
