/**
 * Address columns read `[ipv6]`, `[ipv6]:port` and `ipv4:port` as the address (and port), and
 * report any other value that is not an address as INVALID_ADDRESS instead of passing it on.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readAddress } from '../../../src/hunt/logs/address.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { collectEvents, eventAt } from './collect-events.js';

function cef(extension: string): string {
  return `CEF:0|V|P|1|1|n|1|rt=1785500000000 src=10.0.0.1 spt=1 ${extension}`;
}

const ZEEK_CONN = [
  '#separator \\x09',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum',
  '1268758305.000001\tCa6\t192.168.23.129\t1074\t146.56.205.2310\t8084\ttcp',
  '1268758308.000001\tCa8\t192.168.23.129\t1076\t008.160.167.144\t22\ttcp',
  '1268758309.000001\tCa9\t192.168.23.129\t1077\t8.160.167.144\t22\ttcp',
  '',
].join('\n');

describe('readAddress', () => {
  it('reads bracketed IPv6 and attached ports', () => {
    assert.deepEqual(readAddress('DestinationIP', '[2a02:cf40:1::5]'), {
      ok: true,
      address: '2a02:cf40:1::5',
    });
    assert.deepEqual(readAddress('DestinationIP', '[2a02:cf40:1::5]:443'), {
      ok: true,
      address: '2a02:cf40:1::5',
      port: '443',
    });
    assert.deepEqual(readAddress('DestinationIP', '146.56.205.231:8084'), {
      ok: true,
      address: '146.56.205.231',
      port: '8084',
    });
  });

  it('keeps plain and zoned addresses as written', () => {
    for (const text of ['2A02:CF40:0001::0005', '0:0:0:0:0:ffff:146.56.205.231', 'fe80::1%eth0']) {
      assert.deepEqual(readAddress('DestinationIP', text), { ok: true, address: text });
    }
  });

  it('rejects text that is no address', () => {
    for (const text of [
      '146.56.205.2310',
      '008.160.167.144',
      '::ffff:92.38.cd.e7',
      '[146.56.205.231]',
      '146.56.205.231:',
      '146.56.205.231:80:81',
      '[2a02::5]x',
      'evil.example',
    ]) {
      assert.equal(readAddress('DestinationIP', text).ok, false, text);
    }
  });
});

describe('readLogs on address values', () => {
  it('takes the address and port out of CEF values', async (t) => {
    const folder = makeTempDir('address-cef', t);
    const log = join(folder, 'fw.log');
    await writeFile(
      log,
      [
        cef('dst=[2a02:cf40:1::5] dpt=40669'),
        cef('dst=146.56.205.231:8084'),
        cef('dst=146.56.205.231:8084 dpt=9000'),
        cef('dpt=9000 dst=[2a02:cf40:1::5]:443'),
        cef('dst=::ffff:92.38.cd.e7 dpt=8084'),
        cef('dst=- dhost=a.example'),
        '',
      ].join('\n'),
    );
    const { events, stats } = await collectEvents([log]);
    assert.equal(stats.eventsParsed, 6);

    assert.equal(eventAt(events, 1).columns.DestinationIP, '2a02:cf40:1::5');
    assert.equal(eventAt(events, 1).columns.DestinationPort, 40669);
    assert.equal(eventAt(events, 2).columns.DestinationIP, '146.56.205.231');
    assert.equal(eventAt(events, 2).columns.DestinationPort, 8084, 'port taken from the address');
    assert.equal(eventAt(events, 3).columns.DestinationPort, 9000, 'dpt after dst wins');
    assert.equal(eventAt(events, 4).columns.DestinationIP, '2a02:cf40:1::5');
    assert.equal(eventAt(events, 4).columns.DestinationPort, 9000, 'dpt before dst wins');
    assert.equal(eventAt(events, 5).columns.DestinationIP, undefined);
    assert.equal(eventAt(events, 6).columns.DestinationIP, undefined, '"-" is no address');

    assert.deepEqual(stats.fieldWarningsByReason, { INVALID_ADDRESS: 1 });
    assert.equal(stats.warnings[0]?.source?.line, 5);
    assert.match(stats.warnings[0]?.message ?? '', /Invalid DestinationIP "::ffff:92\.38\.cd\.e7"/);
  });

  it('warns about Zeek addresses that are no address', async (t) => {
    const folder = makeTempDir('address-zeek', t);
    const log = join(folder, 'conn.log');
    await writeFile(log, ZEEK_CONN);
    const { events, stats } = await collectEvents([log]);
    assert.equal(stats.eventsParsed, 3);
    assert.deepEqual(stats.fieldWarningsByReason, { INVALID_ADDRESS: 2 });
    assert.deepEqual(
      stats.warnings.map((warning) => warning.source?.line),
      [4, 5],
    );
    assert.equal(eventAt(events, 4).columns.DestinationIP, undefined);
    assert.equal(eventAt(events, 4).columns.DestinationPort, 8084, 'the event is kept');
    assert.equal(eventAt(events, 6).columns.DestinationIP, '8.160.167.144');
  });
});
