/**
 * Reads Suricata eve.json events. flow, alert, http, tls, ssh and fileinfo events become
 * CommonSecurityLog rows (DeviceVendor `OISF`, DeviceProduct `Suricata`). dns events become
 * DnsEvents rows. Stats and the other event types are skipped and counted by type.
 */
import { isIP } from 'node:net';
import { quoteValue } from '../../errors.js';
import { parseLogTime } from './log-time.js';
import {
  ColumnBuilder,
  rejectRecord,
  skipRecord,
  type RecordContext,
  type RecordOutcome,
} from './record.js';

type JsonObject = Record<string, unknown>;

const CONNECTION_EVENT_TYPES = new Set(['flow', 'alert', 'http', 'tls', 'ssh', 'fileinfo']);

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
  else if (CONNECTION_EVENT_TYPES.has(eventType))
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
  builder.set('SourceIP', event.src_ip);
  builder.set('SourcePort', event.src_port);
  builder.set('DestinationIP', event.dest_ip);
  builder.set('DestinationPort', event.dest_port);
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
  const http = child(event, 'http');
  const tls = child(event, 'tls');
  const host = http.hostname ?? tls.sni;
  builder.set('DestinationHostName', host);
  if (typeof http.url === 'string') {
    builder.set(
      'RequestURL',
      `${typeof http.hostname === 'string' ? http.hostname : ''}${http.url}`,
    );
  }
  builder.set('RequestMethod', http.http_method);
  builder.set('RequestClientApplication', http.http_user_agent);

  const fileinfo = child(event, 'fileinfo');
  builder.set('FileName', fileinfo.filename);
  builder.set('FileHash', fileinfo.sha256 ?? fileinfo.sha1 ?? fileinfo.md5);

  const flow = child(event, 'flow');
  builder.set('SentBytes', flow.bytes_toserver);
  builder.set('ReceivedBytes', flow.bytes_toclient);
  return builder;
}

function buildDnsEvent(event: JsonObject, context: RecordContext) {
  const builder = new ColumnBuilder('DnsEvents', context);
  const dns = child(event, 'dns');
  const isAnswer = dns.type === 'answer' || Array.isArray(dns.answers) || isObject(dns.grouped);
  const queries = Array.isArray(dns.queries) ? dns.queries.filter(isObject) : [];
  builder.set('SubType', 'LookupQuery');
  builder.set('Name', dns.rrname ?? queries[0]?.rrname);
  builder.set('QueryType', dns.rrtype ?? queries[0]?.rrtype);
  // A DNS response goes from the server to the client, so the client is the destination.
  builder.set('ClientIP', isAnswer ? event.dest_ip : event.src_ip);
  if (typeof dns.rcode === 'string' && dns.rcode.toUpperCase() in DNS_RCODES) {
    builder.set('ResultCode', DNS_RCODES[dns.rcode.toUpperCase()]);
  }
  builder.set('IPAddresses', answerAddresses(dns).join(','));
  return builder;
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
