import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import { collectEvents, eventAt, logFixture } from './collect-events.js';

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

describe('readLogs on shared Suricata logs', { skip: skipWithoutShared('logs/suricata') }, () => {
  it('parses every event or counts it', async () => {
    const { stats } = await collectEvents([sharedFile('logs/suricata')]);
    assert.equal(stats.linesRead, 1 + 8 + 207 + 869 + 11);
    assert.equal(stats.linesRejected, 0);
    assert.deepEqual(stats.skippedByReason, {
      SURICATA_STATS: 3,
      SURICATA_DHCP: 6,
      SURICATA_ANOMALY: 1,
    });
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
});
