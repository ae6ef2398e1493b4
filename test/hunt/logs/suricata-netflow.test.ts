/**
 * Suricata netflow, anomaly and quic events carry connection endpoints, and quic its server
 * name, so they are read as CommonSecurityLog rows instead of being skipped.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { collectEvents, eventAt } from './collect-events.js';

function eve(eventType: string, fields: Record<string, unknown>): string {
  return JSON.stringify({
    timestamp: '2026-07-05T15:01:14.820360+0000',
    flow_id: 2006,
    event_type: eventType,
    src_ip: '192.168.86.85',
    src_port: 55411,
    dest_ip: '146.56.205.231',
    dest_port: 8084,
    proto: 'TCP',
    ...fields,
  });
}

describe('readLogs on Suricata netflow, anomaly and quic', () => {
  it('reads them as connections', async (t) => {
    const file = join(makeTempDir('eve-netflow', t), 'eve.json');
    await writeFile(
      file,
      [
        eve('netflow', { netflow: { pkts: 3, bytes: 180 } }),
        eve('anomaly', { anomaly: { type: 'stream', event: 'pkt_invalid_ack' } }),
        eve('quic', { proto: 'UDP', dest_port: 443, quic: { version: '1', sni: 'f.example' } }),
        '',
      ].join('\n'),
    );
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.eventsParsed, 3);
    assert.deepEqual(stats.skippedByReason, {});

    const netflow = eventAt(events, 1);
    assert.equal(netflow.table, 'CommonSecurityLog');
    assert.equal(netflow.columns.DeviceEventClassID, 'netflow');
    assert.equal(netflow.columns.SourceIP, '192.168.86.85');
    assert.equal(netflow.columns.DestinationIP, '146.56.205.231');
    assert.equal(netflow.columns.DestinationPort, 8084);
    assert.equal(netflow.columns.SentBytes, 180);
    assert.equal(netflow.columns.AdditionalExtensions, 'flow_id=2006');

    const anomaly = eventAt(events, 2).columns;
    assert.equal(anomaly.DeviceEventClassID, 'anomaly');
    assert.equal(anomaly.DestinationIP, '146.56.205.231');
    assert.equal(anomaly.Activity, 'pkt_invalid_ack');
    assert.equal(anomaly.DeviceEventCategory, 'stream');

    const quic = eventAt(events, 3).columns;
    assert.equal(quic.DeviceEventClassID, 'quic');
    assert.equal(quic.DestinationHostName, 'f.example');
    assert.equal(quic.DestinationPort, 443);
  });
});
