import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildHunts } from '../../../src/compile/build-hunts.js';
import { huntLogs } from '../../../src/hunt/engine.js';
import { defaultExclusions } from '../../../src/pipeline/scenarios.js';
import { makeIndicators } from '../../helpers/hunt-fixtures.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import { collectEvents, eventAt, logFixture } from './collect-events.js';

describe('readLogs on Zeek TSV', () => {
  it('maps conn rows with renamed columns', async () => {
    const { events, stats } = await collectEvents([logFixture('zeek/renamed_conn.log')]);
    assert.equal(stats.files[0]?.format, 'zeek-tsv');
    assert.equal(stats.linesRead, 13);
    assert.equal(stats.eventsParsed, 3);
    assert.deepEqual(stats.rejectedByReason, { COLUMN_COUNT_MISMATCH: 1 });
    assert.deepEqual(stats.fieldWarningsByReason, { MISSING_TIME: 1 });
    assert.deepEqual(stats.skippedByReason, { ZEEK_HEADER: 9 });

    const tcp = eventAt(events, 9);
    assert.equal(tcp.table, 'CommonSecurityLog');
    assert.equal(tcp.columns.DeviceVendor, 'Zeek');
    assert.equal(tcp.columns.DeviceProduct, 'conn');
    assert.equal(tcp.columns.SourceIP, '10.0.0.1');
    assert.equal(tcp.columns.SourcePort, 49152);
    assert.equal(tcp.columns.DestinationIP, '203.0.113.10');
    assert.equal(tcp.columns.DestinationPort, 443);
    assert.equal(tcp.columns.Protocol, 'tcp');
    assert.deepEqual(tcp.columns.TimeGenerated, new Date('2024-01-01T00:00:00.123Z'));

    const icmp = eventAt(events, 10).columns;
    assert.equal(icmp.DestinationPort, undefined);
    assert.equal(icmp.AdditionalExtensions, 'uid=C2;icmp_type=133;icmp_code=134');
  });

  it('maps http rows to request columns', async () => {
    const { events } = await collectEvents([logFixture('zeek/http.log')]);
    const http = eventAt(events, 9).columns;
    assert.equal(http.DestinationHostName, 'evil.example');
    assert.equal(http.RequestURL, 'evil.example/gate.php?id=1');
    assert.equal(http.RequestMethod, 'GET');
    assert.equal(http.RequestClientApplication, 'Mozilla/5.0 (X11)');
  });

  it('builds the URL of an IPv6 Host header from the server address', async () => {
    const { events } = await collectEvents([logFixture('zeek/http-ipv6.log')]);
    const onPort = eventAt(events, 9).columns;
    assert.equal(onPort.DestinationHostName, undefined);
    assert.equal(onPort.RequestURL, '[2001:db8::20]:8080/gate.php?id=1');
    assert.equal(eventAt(events, 10).columns.RequestURL, '[2001:db8::20]/panel');
  });

  it('maps dns rows to DnsEvents', async () => {
    const { events, stats } = await collectEvents([logFixture('zeek/dns.log')]);
    assert.deepEqual(stats.rejectedByReason, { MISSING_ZEEK_FIELDS: 1 });
    assert.equal(stats.rejections[0]?.source?.line, 1);
    const dns = eventAt(events, 10);
    assert.equal(dns.table, 'DnsEvents');
    assert.equal(dns.columns.Name, 'c2.example');
    assert.equal(dns.columns.ClientIP, '10.0.0.6');
    assert.equal(dns.columns.IPAddresses, '192.0.2.44,2001:db8::1');
    assert.equal(dns.columns.QueryType, 'A');
    assert.equal(eventAt(events, 11).columns.IPAddresses, undefined);
    assert.equal(eventAt(events, 11).columns.ResultCode, 3);
  });

  it('keeps masked btest timestamps without a time', async () => {
    const file = logFixture(
      'zeek/zeek-btest_scripts.base.frameworks.logging.field-name-map_conn.log',
    );
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.eventsParsed, 34);
    assert.deepEqual(stats.rejectedByReason, {});
    assert.deepEqual(stats.fieldWarningsByReason, { MISSING_TIME: 34 });
    assert.match(stats.warnings[0]?.message ?? '', /XXXXXXXXXX\.XXXXXX/);
    assert.equal(events[0]?.columns.TimeGenerated, undefined);
  });
});

describe('readLogs on Zeek JSON', () => {
  it('reads the nested id of pipeline output', async (t) => {
    // Logstash and Elastic pipelines nest the connection's endpoints under one id object.
    const file = join(makeTempDir('zeek-nested', t), 'conn.json');
    const record = {
      ts: '2026-04-11T12:00:00.000000Z',
      uid: 'Cnest1',
      id: { orig_h: '10.1.1.5', orig_p: 50000, resp_h: '45.9.148.10', resp_p: 4444 },
      proto: 'tcp',
      conn_state: 'SF',
    };
    await writeFile(file, JSON.stringify(record) + '\n');
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.files[0]?.format, 'zeek-json');
    const conn = eventAt(events, 1).columns;
    assert.equal(conn.DeviceProduct, 'conn');
    assert.equal(conn.SourceIP, '10.1.1.5');
    assert.equal(conn.SourcePort, 50000);
    assert.equal(conn.DestinationIP, '45.9.148.10');
    assert.equal(conn.DestinationPort, 4444);
  });
});

describe('readLogs on Zeek files.log', () => {
  const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
  const SHA1 = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
  /** A files.log of Zeek before 5.1, with the connection as tx_hosts, rx_hosts and conn_uids. */
  const TSV = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tfiles',
    '#fields\tts\tfuid\ttx_hosts\trx_hosts\tconn_uids\tsource\tmime_type\tfilename\tmd5\tsha1\tsha256',
    '#types\ttime\tstring\tset[addr]\tset[addr]\tset[string]\tstring\tstring\tstring\tstring\tstring\tstring',
    `1712836800.000000\tFa1\t45.9.148.10\t10.1.1.5\tCx1\tHTTP\tapplication/x-dosexec\tpayload.exe\t${MD5}\t${SHA1.toUpperCase()}\t-`,
    '',
  ].join('\n');

  it('maps hashes and the connection', async (t) => {
    const file = join(makeTempDir('zeek-files', t), 'files.log');
    await writeFile(file, TSV);
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.eventsParsed, 1);
    const columns = eventAt(events, 8).columns;
    assert.equal(columns.DeviceProduct, 'files');
    // The receiver, which downloaded the file, is the source of the row.
    assert.equal(columns.SourceIP, '10.1.1.5');
    assert.equal(columns.DestinationIP, '45.9.148.10');
    assert.equal(columns.FileName, 'payload.exe');
    assert.equal(columns.FileHash, SHA1.toUpperCase());
    assert.equal(columns.AdditionalExtensions, 'uid=Cx1;fuid=Fa1;mime_type=application/x-dosexec');
  });

  it('detects JSON before 5.1', async (t) => {
    // No _path, uid or id: the connection is named by conn_uids, tx_hosts and rx_hosts.
    const file = join(makeTempDir('zeek-files-old', t), 'files.json');
    const record = {
      ts: 1712836800.0,
      fuid: 'Fc3',
      tx_hosts: ['45.9.148.10'],
      rx_hosts: ['10.1.1.7'],
      conn_uids: ['Cz3'],
      md5: MD5,
    };
    await writeFile(file, JSON.stringify(record) + '\n');
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.files[0]?.format, 'zeek-json');
    const columns = eventAt(events, 1).columns;
    assert.equal(columns.DeviceProduct, 'files');
    assert.equal(columns.SourceIP, '10.1.1.7');
    assert.equal(columns.FileHash, MD5);
  });

  it('finds the file by either hash', async (t) => {
    const folder = makeTempDir('zeek-files-hunt', t);
    const tsv = join(folder, 'files.log');
    await writeFile(tsv, TSV);
    // Zeek 5.1 and later name the connection by uid and id.
    const json = join(folder, 'files.json');
    const record = {
      ts: '2024-04-11T12:00:00Z',
      fuid: 'Fb2',
      uid: 'Cy2',
      'id.orig_h': '10.1.1.6',
      'id.orig_p': 50000,
      'id.resp_h': '45.9.148.10',
      'id.resp_p': 80,
      mime_type: 'application/zip',
      md5: MD5,
    };
    await writeFile(json, JSON.stringify(record) + '\n');
    const options = {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' as const },
      exclusionsFor: defaultExclusions,
    };
    for (const [kind, hash] of [
      ['md5_hash', MD5],
      ['sha1_hash', SHA1],
    ]) {
      const hunts = buildHunts(makeIndicators([[kind!, hash!]]), options);
      const result = await huntLogs(hunts, [tsv, json]);
      const hosts = result.findings.map((finding) => `${finding.host} ${finding.indicator.value}`);
      const expected =
        kind === 'md5_hash' ? [`10.1.1.5 ${MD5}`, `10.1.1.6 ${MD5}`] : [`10.1.1.5 ${SHA1}`];
      assert.deepEqual([...new Set(hosts)].sort(), expected, kind);
    }
  });
  it('finds every sender and receiver', async (t) => {
    // A file seen on several connections lists every sender in tx_hosts and every receiver in
    // rx_hosts, so the indicator address may be any element of either set.
    const file = join(makeTempDir('zeek-files-hosts', t), 'files.log');
    const lines = TSV.trimEnd().split('\n');
    lines.push(
      `1712836801.000000\tFa2\t10.9.9.9,45.9.148.10\t10.1.1.5,10.1.1.6\tCx2,Cx3\tHTTP\t-\t-\t${SHA1}\t-\t-`,
      `1712836802.000000\tFa3\t10.1.1.8\t10.1.1.9,45.9.148.10\tCx4,Cx5\tHTTP\t-\t-\t-\t-\t-`,
      `1712836803.000000\tFa4\t10.9.9.9,10.9.9.8\t10.1.1.5\tCx6\tHTTP\t-\t-\t-\t-\t-`,
    );
    await writeFile(file, lines.join('\n') + '\n');

    const indicators = makeIndicators([
      ['ip', '45.9.148.10'],
      ['sha1_hash', SHA1],
    ]);
    const hunts = buildHunts(indicators, {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
    });
    const result = await huntLogs(hunts, [file]);

    const found = result.findings.map(
      (finding) =>
        `${finding.line} ${finding.matchedOn} ${String(finding.columns.SourceIP)} -> ${String(finding.columns.DestinationIP)}`,
    );
    // The hash of line 9 is on each of its rows, and still gives one finding.
    assert.deepEqual(found.sort(), [
      '10 source 45.9.148.10 -> 10.1.1.8',
      '8 FileHash 10.1.1.5 -> 45.9.148.10',
      '8 destination 10.1.1.5 -> 45.9.148.10',
      '9 FileHash 10.1.1.5 -> 10.9.9.9',
      '9 destination 10.1.1.5 -> 45.9.148.10',
    ]);
    assert.equal(result.stats.eventsParsed, 3 + 1);
  });
});

describe('readLogs on shared Zeek logs', { skip: skipWithoutShared('logs/zeek') }, () => {
  it('parses every file or reports each line', async () => {
    const { stats } = await collectEvents([sharedFile('logs/zeek')]);
    // The last four are btest baselines, whose ts is masked.
    assert.equal(stats.eventsParsed, 3000 + 3000 + 15 + 9 + 5 + 13001 + 1534 + 21 + 34 + 6 + 25);
    assert.deepEqual(stats.rejectedByReason, {});
    assert.equal(stats.fieldWarningsByReason.MISSING_TIME, 21 + 34 + 6 + 25);
    assert.deepEqual(stats.fileErrors, []);
  });

  it('reads TSV and JSON dns logs alike', async () => {
    const tsv = await collectEvents([
      sharedFile('logs/zeek/brimdata_wrccdc-2018_dns_TRIMMED-3000.log'),
    ]);
    const json = await collectEvents([
      sharedFile('logs/zeek/brimdata_wrccdc-2018_dns_zeek-json-streaming_TRIMMED-3000.ndjson'),
    ]);
    assert.equal(json.stats.files[0]?.format, 'zeek-json');
    const fromTsv = eventAt(tsv.events, 9).columns;
    const fromJson = eventAt(json.events, 1).columns;
    assert.equal(fromTsv.Name, 'ise.wrccdc.org');
    assert.equal(fromTsv.IPAddresses, '134.71.3.16');
    assert.deepEqual(fromTsv.TimeGenerated, new Date('2018-03-24T17:15:20.865Z'));
    assert.deepEqual(fromJson.TimeGenerated, new Date('2018-03-24T17:15:20.865Z'));
    assert.equal(fromJson.Name, fromTsv.Name);
    assert.equal(fromJson.IPAddresses, fromTsv.IPAddresses);
  });

  it('reads conn logs with and without ip_proto', async () => {
    const { events } = await collectEvents([
      sharedFile('logs/zeek/taleibhans_trickbot-2018_conn.log'),
      sharedFile('logs/zeek/chad314159_infectedpcap-2018_conn.log'),
    ]);
    const trickbot = events.find((event) => event.columns.DestinationPort === 449);
    assert.equal(trickbot?.columns.Protocol, 'tcp');
    const old = eventAt(events, 10, 'chad314159_infectedpcap-2018_conn.log').columns;
    assert.equal(old.DestinationIP, '65.55.195.250');
    assert.equal(old.ApplicationProtocol, 'ssl');
  });
});
