/**
 * The DNS events of one Zeek `uid` or one Suricata `flow_id` make one hit, as for connection
 * tables, though DnsEvents has no column for the id.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { huntLogs } from '../../src/hunt/engine.js';
import { countHits } from '../../src/hunt/findings.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function zeekDns(ts: number, uid: string): string {
  return JSON.stringify({
    _path: 'dns',
    ts,
    uid,
    'id.orig_h': '10.0.0.9',
    'id.orig_p': 50007,
    'id.resp_h': '10.0.0.1',
    'id.resp_p': 53,
    proto: 'udp',
    query: 'www.fidipodiatry.com',
    qtype_name: 'A',
  });
}

function eveDns(flowId: number, answer: boolean): string {
  const client = { ip: '192.168.86.85', port: 39464 };
  const server = { ip: '192.168.86.1', port: 53 };
  const [source, destination] = answer ? [server, client] : [client, server];
  return JSON.stringify({
    timestamp: '2026-07-05T15:51:20.213418+0000',
    flow_id: flowId,
    event_type: 'dns',
    src_ip: source.ip,
    src_port: source.port,
    dest_ip: destination.ip,
    dest_port: destination.port,
    proto: 'UDP',
    dns: answer
      ? { type: 'answer', id: 1, rcode: 'NOERROR', rrname: 'x.fidipodiatry.com', rrtype: 'A' }
      : { type: 'query', id: 1, rrname: 'x.fidipodiatry.com', rrtype: 'A' },
  });
}

describe('DNS hit counts', () => {
  const hunts = buildHunts(makeIndicators([['domain', 'fidipodiatry.com']], 'ClearFake'), {
    family: 'ClearFake',
    familySlug: 'clearfake',
    lookback: { amount: 30, unit: 'd' },
    exclusionsFor: defaultExclusions,
  });

  it('count one Zeek uid once', async (t) => {
    const file = join(makeTempDir('dns-hits', t), 'dns.json');
    const lines = [
      zeekDns(1785500001.1, 'CdX'),
      zeekDns(1785500002.1, 'CdX'),
      zeekDns(1785500003.1, 'CdX'),
      zeekDns(1785500004.1, 'CdY'),
    ];
    await writeFile(file, lines.join('\n') + '\n');
    const result = await huntLogs(hunts, [file]);
    assert.equal(result.stats.eventsByTable.DnsEvents, 4);
    assert.deepEqual(countHits(result.findings), { hits: 2, events: 4, findings: 4 });
    assert.deepEqual(
      result.findings.map((finding) => finding.connectionId),
      ['zeek:CdX', 'zeek:CdX', 'zeek:CdX', 'zeek:CdY'],
    );
  });

  it('count a Suricata query and answer once', async (t) => {
    const file = join(makeTempDir('dns-hits', t), 'eve.json');
    const lines = [eveDns(1684780223079543, false), eveDns(1684780223079543, true)];
    await writeFile(file, lines.join('\n') + '\n');
    const result = await huntLogs(hunts, [file]);
    assert.deepEqual(countHits(result.findings), { hits: 1, events: 2, findings: 2 });
  });

  it('keep the id out of the columns', async (t) => {
    const file = join(makeTempDir('dns-hits', t), 'dns.json');
    await writeFile(file, zeekDns(1785500001.1, 'CdX') + '\n');
    const result = await huntLogs(hunts, [file]);
    const finding = result.findings[0];
    assert.ok(finding);
    assert.equal(JSON.stringify(finding.columns).includes('CdX'), false);
  });
});
