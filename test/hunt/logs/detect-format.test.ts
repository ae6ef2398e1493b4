import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detectLogFormat } from '../../../src/hunt/logs/detect-format.js';
import { collectEvents } from './collect-events.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const CEF_LINE =
  '<134>Dec  5 22:00:00 fw1 CEF:0|Acme|FW|1.0|1|Conn|5|src=10.0.0.5 dst=203.0.113.7 dpt=443';

function syslogLines(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `<13>Dec  5 22:00:${String(i % 60).padStart(2, '0')} host1 CRON[${i}]: job ran`,
  );
}

describe('detectLogFormat', () => {
  it('finds CEF after many syslog lines', () => {
    const head = [...syslogLines(200), CEF_LINE].join('\n');
    assert.equal(detectLogFormat(head, false), 'cef');
  });

  it('skips comment lines before CEF', () => {
    const head = ['# CEF export from ArcSight Logger', '#', '', CEF_LINE].join('\n');
    assert.equal(detectLogFormat(head, false), 'cef');
  });

  it('skips comment lines before a CSV header', () => {
    const head = ['# exported 2025-12-05', 'TimeGenerated,DeviceVendor,DestinationIP'].join('\n');
    assert.equal(detectLogFormat(head, false), 'commonsecuritylog-csv');
  });

  it('finds no format in comments alone', () => {
    assert.equal(detectLogFormat('# one\n# two\n', false), undefined);
  });

  it('finds no format in syslog without CEF', () => {
    assert.equal(detectLogFormat(syslogLines(50).join('\n'), false), undefined);
  });
});

describe('UNKNOWN_LOG_FORMAT message', () => {
  const cases = [
    { name: 'notes.txt', text: 'just some words\n', options: /pass --format cef\./ },
    {
      name: 'other.csv',
      text: 'a,b,c\n1,2,3\n',
      options: /pass --format commonsecuritylog-csv or --format devicenetworkevents-csv\./,
    },
    {
      name: 'other.json',
      text: '{"a": 1}\n',
      options: /pass --format commonsecuritylog-json, .*--format suricata-eve\./,
    },
  ];
  for (const { name, text, options } of cases) {
    it(`suggests formats for ${name}`, async (t) => {
      const file = join(makeTempDir('detect-format', t), name);
      writeFileSync(file, text);
      const { stats } = await collectEvents([file]);
      assert.equal(stats.fileErrors[0]?.code, 'UNKNOWN_LOG_FORMAT');
      assert.match(stats.fileErrors[0].message, options);
    });
  }

  it('reads a syslog file with late CEF', async (t) => {
    const file = join(makeTempDir('detect-format', t), 'syslog.log');
    writeFileSync(file, [...syslogLines(40), CEF_LINE].join('\n') + '\n');
    const { stats } = await collectEvents([file], { year: 2025, timezone: 'UTC' });
    assert.deepEqual(stats.fileErrors, []);
    assert.equal(stats.eventsParsed, 1);
  });
});
