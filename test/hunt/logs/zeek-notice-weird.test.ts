/**
 * Zeek notice.log and weird.log name the connection they are about, so their records are read as
 * CommonSecurityLog rows. A notice without a connection names its hosts in `src`, `dst` and `p`.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { collectEvents, eventAt } from './collect-events.js';

/** Returns a Zeek TSV log of `path` with Zeek's header lines, `fields` and `rows`. */
function zeekTsv(path: string, fields: string[], rows: string[][]): string {
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    `#path\t${path}`,
    `#fields\t${fields.join('\t')}`,
    ...rows.map((row) => row.join('\t')),
    '#close\t2026-04-11-13-00-00',
  ].join('\n');
}

const NOTICE_FIELDS = [
  'ts',
  'uid',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'proto',
  'note',
  'msg',
  'src',
  'dst',
  'p',
];

const WEIRD_FIELDS = [
  'ts',
  'uid',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'name',
  'addl',
  'notice',
  'peer',
  'source',
];

describe('readLogs on Zeek notice and weird logs', () => {
  it('maps a notice with a connection', async (t) => {
    const file = join(makeTempDir('zeek-notice', t), 'notice.log');
    const row = ['1775908800.000000', 'Cn1', '10.1.1.5', '50000', '45.9.148.10', '4444', 'tcp'];
    const rest = ['SSL::Invalid_Server_Cert', 'bad cert', '10.1.1.5', '45.9.148.10', '4444'];
    await writeFile(file, zeekTsv('notice', NOTICE_FIELDS, [[...row, ...rest]]));
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.eventsParsed, 1);
    const columns = eventAt(events, 7).columns;
    assert.equal(columns.DeviceVendor, 'Zeek');
    assert.equal(columns.DeviceProduct, 'notice');
    assert.equal(columns.SourceIP, '10.1.1.5');
    assert.equal(columns.SourcePort, 50000);
    assert.equal(columns.DestinationIP, '45.9.148.10');
    assert.equal(columns.DestinationPort, 4444);
    assert.equal(columns.AdditionalExtensions, 'uid=Cn1;note=SSL::Invalid_Server_Cert');
  });

  it('maps a notice without a connection', async (t) => {
    const file = join(makeTempDir('zeek-notice-hosts', t), 'notice.log');
    const row = ['1775908800.000000', '-', '-', '-', '-', '-', 'tcp', 'Scan::Port_Scan'];
    const rest = ['scanned 15 ports', '45.9.148.10', '10.1.1.5', '22'];
    await writeFile(file, zeekTsv('notice', NOTICE_FIELDS, [[...row, ...rest]]));
    const { events } = await collectEvents([file]);
    const columns = eventAt(events, 7).columns;
    assert.equal(columns.SourceIP, '45.9.148.10');
    assert.equal(columns.DestinationIP, '10.1.1.5');
    assert.equal(columns.DestinationPort, 22);
    assert.equal(columns.SourcePort, undefined);
    assert.equal(columns.AdditionalExtensions, 'note=Scan::Port_Scan');
  });

  it('maps a weird of a connection', async (t) => {
    const file = join(makeTempDir('zeek-weird', t), 'weird.log');
    const connection = ['1775908800.000000', 'Cw1', '10.1.1.5', '50000', '45.9.148.10', '443'];
    const other = ['1775908801.000000', '-', '-', '-', '-', '-'];
    await writeFile(
      file,
      zeekTsv('weird', WEIRD_FIELDS, [
        [...connection, 'bad_TCP_checksum', '-', 'F', 'zeek', '-'],
        [...other, 'truncated_IPv6', '-', 'F', 'zeek', '-'],
      ]),
    );
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.eventsParsed, 2);
    const columns = eventAt(events, 7).columns;
    assert.equal(columns.DeviceProduct, 'weird');
    assert.equal(columns.SourceIP, '10.1.1.5');
    assert.equal(columns.DestinationIP, '45.9.148.10');
    assert.equal(columns.DestinationPort, 443);
    assert.equal(columns.AdditionalExtensions, 'uid=Cw1;name=bad_TCP_checksum');
    assert.equal(eventAt(events, 8).columns.DestinationIP, undefined);
  });

  it('infers the JSON log kind without _path', async (t) => {
    const folder = makeTempDir('zeek-notice-json', t);
    const notice = join(folder, 'alerts.json');
    await writeFile(
      notice,
      JSON.stringify({
        ts: 1775908800,
        note: 'Scan::Port_Scan',
        msg: 'scanned 15 ports',
        src: '45.9.148.10',
      }) + '\n',
    );
    const weird = join(folder, 'odd.json');
    await writeFile(
      weird,
      JSON.stringify({ ts: 1775908800, uid: 'Cw2', name: 'bad_TCP_checksum', notice: false }) +
        '\n',
    );
    const { events, stats } = await collectEvents([notice, weird]);
    assert.deepEqual(
      stats.files.map((file) => file.format),
      ['zeek-json', 'zeek-json'],
    );
    assert.equal(events[0]?.columns.DeviceProduct, 'notice');
    assert.equal(events[1]?.columns.DeviceProduct, 'weird');
  });
});
