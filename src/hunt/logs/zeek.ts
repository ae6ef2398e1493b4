/**
 * Reads Zeek conn, http, ssl, files, notice, weird and dns logs, as TSV (with `#separator`,
 * `#fields`, `#types` headers) or JSON. dns becomes DnsEvents rows, and the others become
 * CommonSecurityLog rows (DeviceVendor `Zeek`, DeviceProduct the log path).
 */
import { isIP } from 'node:net';
import { basename } from 'node:path';
import { quoteValue } from '../../errors.js';
import { attachConnectionId } from './event.js';
import { parseLogTime } from './log-time.js';
import { isHashValue } from './columns.js';
import { buildRequestUrl, portNumber } from './request-url.js';
import {
  ColumnBuilder,
  joinExtensions,
  rejectRecord,
  skipRecord,
  type RecordContext,
  type RecordOutcome,
} from './record.js';

/** Field lookup of one Zeek record; returns undefined for unset and empty fields. */
type ZeekFields = (name: string) => string | undefined;

/** Zeek's own names and the renamed ones of a `Log::default_field_name_map` setup. */
const FIELD_ALIASES: Record<string, string[]> = {
  'id.orig_h': ['id.orig_h', 'src'],
  'id.orig_p': ['id.orig_p', 'src_port'],
  'id.resp_h': ['id.resp_h', 'dst'],
  'id.resp_p': ['id.resp_p', 'dst_port'],
};

/** The Zeek log paths that the reader maps onto a table. */
const ZEEK_PATHS = ['conn', 'http', 'ssl', 'files', 'notice', 'weird', 'dns'];

/**
 * Returns the name of a Zeek log path that the reader skips, such as `Zeek x509`, and why local
 * hunts do not read it, as a clause that follows "because".
 */
export function notHuntedLog(path: string): { kind: string; reason: string } {
  const kind = `Zeek ${path}`;
  if (path === 'x509') {
    // The certificate names are not hunted as domains, because a certificate is no contact with
    // its host, and x509.log names no connection to tell which host received it.
    return {
      kind,
      reason:
        'its records describe certificates without the connection that carried them. The ' +
        'server name of each TLS connection is hunted in ssl.log',
    };
  }
  return {
    kind,
    reason:
      `they read only the Zeek ${ZEEK_PATHS.slice(0, -1).join(', ')} and ${ZEEK_PATHS.at(-1)} ` +
      'logs. The connections that other Zeek logs describe are hunted in conn.log',
  };
}

/** Zeek writes masked timestamps like this in its test baselines. */
const MASKED_TIME = /^[Xx]+(?:\.[Xx]+)?$/;

function field(get: ZeekFields, name: string): string | undefined {
  for (const alias of FIELD_ALIASES[name] ?? [name]) {
    const value = get(alias);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Maps one Zeek record of a log path onto a table row. */
export function zeekToOutcome(
  path: string | undefined,
  get: ZeekFields,
  context: RecordContext,
): RecordOutcome {
  if (path === undefined) {
    return rejectRecord(
      'UNKNOWN_ZEEK_PATH',
      'Zeek record has no _path and the log type cannot be told from its fields or file name.',
    );
  }
  if (!ZEEK_PATHS.includes(path)) return skipRecord('UNSUPPORTED_ZEEK_LOG', path);

  const ts = get('ts')?.trim();
  const builder =
    path === 'dns'
      ? buildDnsEvent(get, context)
      : path === 'files'
        ? buildFileEvent(get, context)
        : buildConnectionEvent(path, get, context);
  // A masked ts, as in Zeek's test baselines, is read as a missing one, so the event is kept
  // without a time.
  if (ts === undefined || ts === '' || ts === '-') {
    context.warn('MISSING_TIME', 'Zeek record has no ts, so its time is empty.');
  } else if (MASKED_TIME.test(ts)) {
    context.warn('MISSING_TIME', `Zeek ts ${quoteValue(ts)} is masked, so its time is empty.`);
  } else {
    const time = parseLogTime(ts, context.time);
    if (time.ok) builder.setTime(time.date);
    else context.warn(time.code, `ts: ${time.message}`);
  }
  return builder.toOutcome();
}

function buildConnectionEvent(path: string, get: ZeekFields, context: RecordContext) {
  const builder = new ColumnBuilder('CommonSecurityLog', context);
  builder.set('DeviceVendor', 'Zeek');
  builder.set('DeviceProduct', path);
  // A notice about hosts rather than a connection has no id fields, and names the hosts and
  // the port in src, dst and p.
  const notice = path === 'notice';
  builder.set('SourceIP', field(get, 'id.orig_h') ?? (notice ? get('src') : undefined));
  builder.set('DestinationIP', field(get, 'id.resp_h') ?? (notice ? get('dst') : undefined));
  const proto = get('proto');
  builder.set('Protocol', proto);

  const extensions: string[] = [];
  const uid = get('uid');
  if (uid !== undefined) extensions.push(`uid=${uid}`);
  if (proto === 'icmp') {
    // For ICMP, Zeek stores the ICMP type and code in the port fields.
    extensions.push(
      `icmp_type=${field(get, 'id.orig_p') ?? ''}`,
      `icmp_code=${field(get, 'id.resp_p') ?? ''}`,
    );
  } else {
    builder.set('SourcePort', field(get, 'id.orig_p'));
    builder.set('DestinationPort', field(get, 'id.resp_p') ?? (notice ? get('p') : undefined));
  }

  if (path === 'conn') {
    builder.set('ApplicationProtocol', get('service'));
    builder.set('SentBytes', get('orig_bytes'));
    builder.set('ReceivedBytes', get('resp_bytes'));
  } else if (path === 'http') {
    const host = hostHeader(get('host'));
    const uri = get('uri');
    builder.set('DestinationHostName', host);
    // Zeek drops the port from the Host header, so the responder port takes its place.
    builder.set(
      'RequestURL',
      uri === undefined
        ? undefined
        : buildRequestUrl({
            host,
            target: uri,
            port: portNumber(field(get, 'id.resp_p')),
            serverIp: field(get, 'id.resp_h'),
          }),
    );
    builder.set('RequestMethod', get('method'));
    builder.set('RequestClientApplication', get('user_agent'));
  } else if (notice) {
    const note = get('note');
    if (note !== undefined) extensions.push(`note=${note}`);
  } else if (path === 'weird') {
    const name = get('name');
    if (name !== undefined) extensions.push(`name=${name}`);
  } else {
    builder.set('DestinationHostName', get('server_name'));
  }
  builder.set('AdditionalExtensions', joinExtensions(extensions));
  return builder;
}

/**
 * Maps a files.log record: the file's hashes to FileHash, as Suricata fileinfo events are read
 * (see `setFileHash` in suricata.ts), and the connection that carried it. Zeek 5.1 and later log
 * the connection as `uid` and `id.*`. Earlier versions log `conn_uids`, `tx_hosts` (the sender)
 * and `rx_hosts` (the receiver), and the receiver, usually the host that downloaded the file,
 * becomes SourceIP.
 */
function buildFileEvent(get: ZeekFields, context: RecordContext) {
  const builder = new ColumnBuilder('CommonSecurityLog', context);
  builder.set('DeviceVendor', 'Zeek');
  builder.set('DeviceProduct', 'files');
  if (field(get, 'id.orig_h') !== undefined) {
    builder.set('SourceIP', field(get, 'id.orig_h'));
    builder.set('SourcePort', field(get, 'id.orig_p'));
    builder.set('DestinationIP', field(get, 'id.resp_h'));
    builder.set('DestinationPort', field(get, 'id.resp_p'));
  } else {
    // A file seen on several connections lists each of their hosts, and any of them may be the
    // indicator, so the addresses after the first are matched as alternatives.
    builder.setAddresses('SourceIP', elementsOfSet(get('rx_hosts')));
    builder.setAddresses('DestinationIP', elementsOfSet(get('tx_hosts')));
  }
  builder.set('FileName', get('filename'));
  const hashes = [get('sha256'), get('sha1'), get('md5')].filter(isHashValue);
  builder.setWithAlternatives('FileHash', hashes);
  // The uid names the connection, so a file and the conn record of its connection make one hit.
  const extensions: string[] = [];
  const uid = get('uid') ?? firstOfSet(get('conn_uids'));
  if (uid !== undefined) extensions.push(`uid=${uid}`);
  const fuid = get('fuid');
  if (fuid !== undefined) extensions.push(`fuid=${fuid}`);
  const mimeType = get('mime_type');
  if (mimeType !== undefined) extensions.push(`mime_type=${mimeType}`);
  builder.set('AdditionalExtensions', joinExtensions(extensions));
  return builder;
}

/** Returns the elements of a Zeek set or vector field, written as `a,b`, without empty ones. */
function elementsOfSet(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((element) => element.trim())
    .filter((element) => element !== '');
}

/** Returns the first element of a Zeek set or vector field, written as `a,b`. */
function firstOfSet(value: string | undefined): string | undefined {
  return elementsOfSet(value)[0];
}

/**
 * Returns the host of Zeek's http `host` field. Zeek cuts the Host header at its first colon to
 * drop the port, which leaves `[2001` of an IPv6 literal such as `[2001:db8::1]:8080`. Such a
 * remnant names no host, so the request URL is built from the server address instead.
 */
function hostHeader(host: string | undefined): string | undefined {
  return host?.startsWith('[') && !host.includes(']') ? undefined : host;
}

function buildDnsEvent(get: ZeekFields, context: RecordContext) {
  const builder = new ColumnBuilder('DnsEvents', context);
  builder.set('SubType', 'LookupQuery');
  builder.set('ClientIP', field(get, 'id.orig_h'));
  builder.set('QueryType', get('qtype_name') ?? get('qtype'));
  builder.set('ResultCode', get('rcode'));
  // Zeek answers mix names, such as CNAME targets, and addresses. IPAddresses takes the
  // addresses, and the names are matched as other values of Name, because the domain hunts
  // read Name. TXT answers, written with spaces, are neither.
  const answers = elementsOfSet(get('answers'));
  const addresses = answers.filter((answer) => isIP(answer) !== 0);
  const names = answers.filter((answer) => isIP(answer) === 0 && isAnswerName(answer));
  builder.setWithAlternatives('Name', [get('query'), ...names]);
  builder.set('IPAddresses', addresses.join(','));
  const uid = get('uid');
  if (uid !== undefined) attachConnectionId(builder.columns, `zeek:${uid}`);
  return builder;
}

/** Tells whether a DNS answer is a host name: a dotted name without spaces. */
function isAnswerName(answer: string): boolean {
  return answer.includes('.') && !/\s/.test(answer);
}

/** Returns the log path of a Zeek file from its name (`conn.log`, `dns.04:00:00.log.gz`). */
export function zeekPathFromFileName(file: string): string | undefined {
  const name = basename(file).toLowerCase();
  return ZEEK_PATHS.find(
    (path) =>
      name.startsWith(`${path}.`) || name.includes(`_${path}.`) || name.includes(`_${path}_`),
  );
}
