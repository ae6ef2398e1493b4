import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { buildHunts } from '../../../src/compile/build-hunts.js';
import { huntLogs } from '../../../src/hunt/engine.js';
import { defaultExclusions } from '../../../src/pipeline/scenarios.js';
import { makeIndicators } from '../../helpers/hunt-fixtures.js';
import { sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import { collectEvents, eventAt, logFixture } from './collect-events.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { renderHuntReport } from '../../../src/hunt/hunt-report.js';

describe('readLogs on Suricata eve.json', () => {
  it('maps alert, tls, dns and http events', async () => {
    const { events, stats } = await collectEvents([logFixture('suricata/hard-cases.json')]);
    assert.equal(stats.files[0]?.format, 'suricata-eve');
    assert.equal(stats.linesRead, 6);
    assert.equal(stats.eventsParsed, 4);
    assert.deepEqual(stats.rejectedByReason, { INVALID_JSON: 1 });
    assert.equal(stats.rejections[0]?.source?.line, 5);
    assert.deepEqual(stats.skippedByReason, { SURICATA_STATS: 1 });

    const alert = eventAt(events, 1).columns;
    assert.equal(alert.Activity, 'ET MALWARE Test C2');
    assert.equal(alert.DeviceAction, 'blocked');
    assert.equal(alert.DestinationHostName, 'c2.example');
    assert.equal(alert.DestinationIP, '203.0.113.7');
    assert.deepEqual(alert.TimeGenerated, new Date('2024-02-01T09:00:00.123Z'));

    const tls = eventAt(events, 2).columns;
    assert.equal(tls.DeviceEventClassID, 'tls');
    assert.equal(tls.SourcePort, 449);
    assert.equal(tls.DestinationHostName, 'trick.example');

    const dns = eventAt(events, 3);
    assert.equal(dns.table, 'DnsEvents');
    assert.equal(dns.columns.Name, 'bad.example');
    assert.equal(dns.columns.ClientIP, '10.0.0.3');
    assert.equal(dns.columns.IPAddresses, '198.51.100.9');
    assert.equal(dns.columns.ResultCode, 0);

    const http = eventAt(events, 4).columns;
    assert.equal(http.SourceIP, 'ff02:0000:0000:0000:0000:0000:0000:00fb');
    assert.equal(http.RequestURL, 'web.example/x?y=1');
    assert.equal(http.RequestMethod, 'POST');
  });

  it('reads a pretty-printed JSON array', async () => {
    const file = logFixture('suricata/frankhassanabad_wrccdc-2018_alerts-only_array.json');
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.files[0]?.format, 'suricata-eve');
    assert.equal(stats.eventsParsed, 207);
    assert.equal(stats.linesRejected, 0);
    const first = eventAt(events, 2).columns;
    assert.equal(first.Activity, 'ET SCAN Potential SSH Scan');
    assert.equal(first.DestinationIP, '10.47.8.150');
    assert.equal(first.DestinationPort, 22);
    assert.deepEqual(first.TimeGenerated, new Date('2018-03-24T20:37:19.037Z'));
  });
});

describe('Suricata alerts on a response', () => {
  const file = logFixture('suricata/frankhassanabad_wrccdc-2018_alerts-only_array.json');

  /** Returns a real response alert (server port 80 to a client port) with Suricata 7 fields. */
  async function responseAlert(): Promise<Record<string, unknown>> {
    const events = JSON.parse(await readFile(file, 'utf8')) as Array<Record<string, unknown>>;
    const alert = events.find((event) => event.src_port === 80 && event.http !== undefined)!;
    assert.equal(alert.dest_ip, '10.47.5.152');
    return {
      ...alert,
      http: { ...(alert.http as object), hostname: 'c2.planted.test', url: '/gate.php' },
      direction: 'to_client',
      flow: {
        ...(alert.flow as object),
        src_ip: alert.dest_ip,
        src_port: alert.dest_port,
        dest_ip: alert.src_ip,
        dest_port: alert.src_port,
      },
    };
  }

  async function writeEvents(t: TestContext, events: unknown[]): Promise<string> {
    const path = join(makeTempDir('suricata', t), 'eve.json');
    await writeFile(path, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    return path;
  }

  it('maps the client to the source', async (t) => {
    const alert = await responseAlert();
    const withoutFlowEnds = { ...alert, flow: { pkts_toserver: 8 } };
    const { events } = await collectEvents([await writeEvents(t, [alert, withoutFlowEnds])]);
    for (const line of [1, 2]) {
      const columns = eventAt(events, line).columns;
      assert.equal(columns.SourceIP, '10.47.5.152', `line ${line}`);
      assert.equal(columns.SourcePort, 52691, `line ${line}`);
      assert.equal(columns.DestinationIP, '23.75.4.57', `line ${line}`);
      assert.equal(columns.DestinationPort, 80, `line ${line}`);
      assert.equal(columns.RequestURL, 'c2.planted.test/gate.php', `line ${line}`);
    }
  });

  it('names the client as the host of a URL hit', async (t) => {
    const hunts = buildHunts(makeIndicators([['url', 'http://c2.planted.test/gate.php']]), {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
    });
    const result = await huntLogs(hunts, [await writeEvents(t, [await responseAlert()])]);
    // The URL hunt and the domain hunt, which the URL's host joins, match the one alert.
    assert.deepEqual(result.findings.map((finding) => finding.huntId).sort(), [
      'remcos-sentinel-csl-domain',
      'remcos-sentinel-csl-url',
    ]);
    for (const finding of result.findings) assert.equal(finding.host, '10.47.5.152');
  });

  it('keeps a flow_id that JSON stores exactly', async (t) => {
    const alert = await responseAlert();
    const path = join(makeTempDir('suricata', t), 'eve.json');
    const lines = [
      JSON.stringify(alert),
      JSON.stringify({ ...alert, flow_id: '123' }),
      // 2^53 + 1, which JSON.parse reads as 2^53, the value of another flow_id.
      JSON.stringify({ ...alert, flow_id: 0 }).replace('"flow_id":0', '"flow_id":9007199254740993'),
      JSON.stringify({ ...alert, flow_id: 'abc' }),
      JSON.stringify({ ...alert, flow_id: undefined }),
    ];
    await writeFile(path, lines.join('\n') + '\n');
    const { events } = await collectEvents([path]);
    assert.ok(Number.isSafeInteger(alert.flow_id), String(alert.flow_id));
    const extensions = [1, 2, 3, 4, 5].map(
      (line) => eventAt(events, line).columns.AdditionalExtensions,
    );
    assert.deepEqual(extensions, [
      `flow_id=${String(alert.flow_id)}`,
      'flow_id=123',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads application-layer events as connections', async (t) => {
    const file = join(makeTempDir('suricata-app-layer', t), 'eve.json');
    const base = { timestamp: '2026-04-11T12:00:00.000000+0000', proto: 'TCP', src_ip: '10.1.1.5' };
    const lines = [
      { ...base, event_type: 'smtp', src_port: 50000, dest_ip: '45.9.148.10', dest_port: 25 },
      { ...base, event_type: 'ftp', src_port: 50001, dest_ip: '45.9.148.11', dest_port: 21 },
      { timestamp: base.timestamp, event_type: 'stats', stats: { uptime: 1 } },
    ];
    await writeFile(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const { events, stats } = await collectEvents([file]);
    assert.deepEqual(stats.skippedByReason, { SURICATA_STATS: 1 });
    assert.deepEqual(
      events.map(({ table, columns }) => [
        table,
        columns.DeviceEventClassID,
        columns.DestinationIP,
        columns.DestinationPort,
      ]),
      [
        ['CommonSecurityLog', 'smtp', '45.9.148.10', 25],
        ['CommonSecurityLog', 'ftp', '45.9.148.11', 21],
      ],
    );
  });

  it('keeps packet endpoints without direction fields', async () => {
    const { events } = await collectEvents([file]);
    const alert = events.find((event) => event.columns.SourcePort === 80);
    // Suricata before 7.0 does not say whether the packet went to the client.
    assert.equal(alert?.columns.SourceIP, '23.75.4.57');
  });
});

describe('readLogs on shared Suricata logs', { skip: skipWithoutShared('logs/suricata') }, () => {
  it('parses every event or counts it', async () => {
    const { stats } = await collectEvents([sharedFile('logs/suricata')]);
    assert.equal(stats.linesRead, 1 + 8 + 207 + 869 + 11);
    assert.equal(stats.linesRejected, 0);
    // The six dhcp events name their addresses, so they are read as connections.
    assert.deepEqual(stats.skippedByReason, { SURICATA_STATS: 3 });
  });

  it('reads lines with a leading space and no event type', async () => {
    const file = sharedFile('logs/suricata/sekoia_suricata-eve_test-messages.jsonl');
    const { events } = await collectEvents([file]);
    assert.equal(eventAt(events, 1).columns.Activity, 'SURICATA HTTP missing Host header');
    const noType = events.find((event) => event.columns.SourcePort === 449);
    assert.equal(noType?.columns.DeviceEventClassID, '2011540');
    assert.equal(noType?.columns.SourceIP, '190.214.13.2');
    const query = events.find(
      (event) =>
        event.columns.Name === 'rp1.sekoia.io' && event.columns.ClientIP === '172.31.0.204',
    );
    assert.ok(query, 'query and answer of rp1.sekoia.io both name the client 172.31.0.204');
  });

  it('maps a Suricata 7 response alert to its flow', async () => {
    const file = sharedFile('logs/suricata/menna-islam_zeus-lab_eve.json');
    const { events } = await collectEvents([file]);
    const response = eventAt(events, 72).columns;
    assert.equal(response.SourceIP, '192.168.37.130');
    assert.equal(response.SourcePort, 68);
    assert.equal(response.DestinationIP, '192.168.37.254');
    assert.equal(response.DestinationPort, 67);
  });

  it('adds the Host port of a real request to its URL', async () => {
    const file = sharedFile('logs/suricata/sekoia_suricata-eve_test-messages.jsonl');
    const { events } = await collectEvents([file]);
    assert.equal(
      eventAt(events, 7).columns.RequestURL,
      '203.176.135.102:8082/mor84/DESKTOP-83TKHSQ_W10018363.572D588D45894026346E8F90E07B31E6/90',
    );
  });
});

describe(
  'Suricata events sent to the client',
  { skip: skipWithoutShared('logs/suricata/elastic-beats_eve-small.log') },
  () => {
    /** Reads line `line` of a shared Suricata log as an event object. */
    async function sharedEvent(name: string, line: number): Promise<Record<string, unknown>> {
      const text = await readFile(sharedFile(`logs/suricata/${name}`), 'utf8');
      return JSON.parse(text.split('\n')[line - 1]!) as Record<string, unknown>;
    }

    /**
     * Returns the real fileinfo event of an HTTP download, which Suricata logs from the server
     * (src) to the client 192.168.86.85 (dest), with the server moved to a planted C2 address.
     */
    async function download(): Promise<Record<string, unknown>> {
      const event = await sharedEvent('elastic-beats_eve-small.log', 4);
      assert.equal(event.event_type, 'fileinfo');
      assert.equal(event.dest_ip, '192.168.86.85');
      assert.equal(event.direction, undefined);
      return {
        ...event,
        src_ip: '203.0.113.7',
        src_port: 8084,
        http: { ...(event.http as object), hostname: 'g.planted.test' },
      };
    }

    async function writeEvents(t: TestContext, events: unknown[]): Promise<string> {
      const path = join(makeTempDir('suricata', t), 'eve.json');
      await writeFile(path, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
      return path;
    }

    const hunts = buildHunts(
      makeIndicators([
        ['ip:port', '203.0.113.7:8084'],
        ['domain', 'planted.test'],
      ]),
      {
        family: 'Remcos',
        familySlug: 'remcos',
        lookback: { amount: 30, unit: 'd' },
        exclusionsFor: defaultExclusions,
      },
    );

    it('names the client of a download', async (t) => {
      const result = await huntLogs(hunts, [await writeEvents(t, [await download()])]);
      const addressHits = result.findings.filter((finding) => finding.matchedOn === 'source');
      assert.ok(addressHits.length > 0, JSON.stringify(result.findings));
      for (const finding of result.findings) {
        assert.equal(finding.host, '192.168.86.85', `${finding.huntId} ${finding.matchedOn}`);
      }
    });

    it('defangs the server name in the report', async (t) => {
      const result = await huntLogs(hunts, [await writeEvents(t, [await download()])]);
      const text = renderHuntReport(result, {
        title: 'Remcos',
        logs: ['eve.json'],
        window: 'none',
        generatorVersion: '0.0.0',
      });
      const live = text.split('\n').filter((line) => line.includes('planted.test'));
      assert.deepEqual(live, [], `live server name in:\n${text}`);
      assert.match(text, /\| `192\.168\.86\.85` \| 1 \| 1 \|/);
    });

    it('names the client of a DNS response', async (t) => {
      // A real response without answers, rewritten to eve.json format 3 (Suricata 7 and later),
      // which writes "response" and the question under "queries".
      const answer = await sharedEvent('sekoia_suricata-eve_test-messages.jsonl', 4);
      assert.equal(answer.src_ip, '172.31.0.2');
      const dns = answer.dns as Record<string, unknown>;
      const { rrname, rrtype, ...rest } = dns;
      const v3 = {
        ...rest,
        version: 3,
        type: 'response',
        rcode: 'NXDOMAIN',
        queries: [{ rrname, rrtype }],
      };
      const withoutQr = { ...v3, qr: undefined };
      const { events } = await collectEvents([
        await writeEvents(t, [
          { ...answer, dns: v3 },
          { ...answer, dns: withoutQr },
        ]),
      ]);
      for (const line of [1, 2]) {
        const columns = eventAt(events, line).columns;
        assert.equal(columns.Name, 'rp1.sekoia.io', `line ${line}`);
        assert.equal(columns.ClientIP, '172.31.0.204', `line ${line}`);
        assert.equal(columns.ResultCode, 3, `line ${line}`);
      }
    });
  },
);
