/**
 * Detection of ThreatFox CSV by its header, whose columns may come in any order and case, and
 * reading such a file without --format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectFeedFormat } from '../../src/feeds/detect.js';
import { readFeeds } from '../../src/feeds/read.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const ROW = '"botnet_cc", "203.0.113.7:443", "ip:port", "2026-11-30 10:00:00", "7200001"';
const folder = makeTempDir('detect-csv');

const HEADERS: Array<[string, string]> = [
  ['reordered, commented', '# "threat_type","ioc_value","ioc_type","first_seen_utc","ioc_id"'],
  ['upper case, commented', '# "THREAT_TYPE", "IOC_VALUE", "IOC_TYPE", "FIRST_SEEN_UTC", "IOC_ID"'],
  ['value last, commented', '# "threat_type","first_seen_utc","ioc_id","ioc_type","ioc_value"'],
  ['plain, mixed case', 'Threat_Type,Ioc_Value,Ioc_Type,First_Seen_UTC,Ioc_Id'],
  ['plain, API name ioc', 'threat_type,ioc,ioc_type,first_seen_utc,id'],
];

for (const [name, header] of HEADERS) {
  test(`detects a header ${name}`, () => {
    assert.equal(detectFeedFormat(`${header}\n${ROW}\n`, 'feed.csv'), 'threatfox-csv');
    const banner = '################\n# ThreatFox IOCs: CSV export\n#\n';
    assert.equal(detectFeedFormat(`${banner}${header}\r\n${ROW}\r\n`, 'x'), 'threatfox-csv');
  });
}

test('rejects a header lacking a column', () => {
  const noType = 'threat_type,ioc_value,first_seen_utc\nbotnet_cc,example.com,2026-11-30\n';
  assert.equal(detectFeedFormat(noType, 'feed.csv'), undefined);
  const prose = '# The ioc_value and ioc_type columns follow.\nioc,type\na,b\n';
  assert.equal(detectFeedFormat(prose, 'feed.csv'), undefined);
  const partOfName = 'my_ioc_value,my_ioc_type\na,b\n';
  assert.equal(detectFeedFormat(partOfName, 'feed.csv'), undefined);
});

test('reads a reordered upper-case export', async () => {
  const path = join(folder, 'upper.csv');
  const header = '# "THREAT_TYPE", "IOC_VALUE", "IOC_TYPE", "FIRST_SEEN_UTC", "IOC_ID"';
  const second = ROW.replace('203.0.113.7:443', 'c2.example.net')
    .replace('ip:port', 'domain')
    .replace('7200001', '7200002');
  writeFileSync(path, `${header}\n${ROW}\n${second}\n# Number of entries: 2\n`);
  const result = await readFeeds([path]);
  const [stats] = result.files;
  assert.equal(stats?.failed, false);
  assert.equal(stats?.format, 'threatfox-csv');
  assert.equal(stats?.rowsRead, 2);
  assert.equal(stats?.accepted, 2);
  assert.deepEqual(
    result.records.map((record) => [record.type, record.value, record.source.id]),
    [
      ['ip-port', '203.0.113.7:443', '7200001'],
      ['domain', 'c2.example.net', '7200002'],
    ],
  );
  assert.deepEqual(
    result.issues.filter((issue) => issue.severity === 'error'),
    [],
  );
});
