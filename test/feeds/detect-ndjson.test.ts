/**
 * Detection of NDJSON of ThreatFox API items whose first lines are broken or incomplete, and the
 * error for JSON lines that contain no such item.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectFeedFormat, unknownFormatError } from '../../src/feeds/detect.js';
import { readFeeds } from '../../src/feeds/read.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const ITEM_A =
  '{"id":"7100001","ioc":"198.51.100.7:443","ioc_type":"ip:port","threat_type":"botnet_cc","malware_printable":"Remcos","first_seen":"2026-11-30 10:00:00 UTC"}';
const ITEM_B =
  '{"id":"7100002","ioc":"c2.example.net","ioc_type":"domain","threat_type":"botnet_cc","malware_printable":"Remcos","first_seen":"2026-11-30 11:00:00 UTC"}';
const BROKEN = '{"id":"7100000","ioc":"203.0.113.9:80", broken';
const NO_TYPE = '{"id":"7100000","ioc":"203.0.113.9:80","malware":"win.remcos"}';

const folder = makeTempDir('detect-ndjson');

test('detects NDJSON whose first line is broken', () => {
  for (const name of ['items.ndjson', 'items.log', 'items.json']) {
    assert.equal(detectFeedFormat(`${BROKEN}\n${ITEM_A}\n${ITEM_B}\n`, name), 'threatfox-ndjson');
  }
});

test('detects NDJSON whose first line lacks ioc_type', () => {
  assert.equal(detectFeedFormat(`${NO_TYPE}\n${ITEM_A}\n`, 'items.ndjson'), 'threatfox-ndjson');
  const note = '{"note":"exported by a log shipper"}';
  assert.equal(detectFeedFormat(`${note}\n\r\n${ITEM_A}\r\n`, 'x'), 'threatfox-ndjson');
});

test('reads items only within the first 20 lines', () => {
  const broken19 = Array.from({ length: 19 }, () => BROKEN).join('\n\n');
  assert.equal(detectFeedFormat(`${broken19}\n${ITEM_A}\n`, 'a.ndjson'), 'threatfox-ndjson');
  const broken20 = `${broken19}\n${BROKEN}`;
  assert.equal(detectFeedFormat(`${broken20}\n${ITEM_A}\n`, 'a.ndjson'), undefined);
});

test('keeps arrays and documents out of NDJSON', () => {
  const pretty = `[\n  ${ITEM_A},\n  ${ITEM_B}\n]\n`;
  assert.equal(detectFeedFormat(pretty, 'items.json'), 'threatfox-api');
  const document = `{\n"list": [\n${ITEM_A},\n${ITEM_B}\n]}\n`;
  assert.equal(detectFeedFormat(document, 'other.json'), undefined);
  assert.equal(unknownFormatError('other.json', document).code, 'UNKNOWN_FEED_FORMAT');
  assert.doesNotMatch(unknownFormatError('other.json', document).message, /looks like JSON lines/);
});

test('keeps a document of item lines out', () => {
  const document = `{"count": 2, "iocs": [\n${ITEM_A},\n${ITEM_B}\n]}\n`;
  assert.equal(detectFeedFormat(document, 'iocs.json'), undefined);
  // A sample cut inside the document does not parse, but its closing line shows the document.
  const cut = `{"count": 2, "iocs": [\n${ITEM_A},\n${ITEM_B}\n],\n"next": [\n{"id":`;
  assert.equal(detectFeedFormat(cut, 'iocs.json'), undefined);
  assert.equal(detectFeedFormat(`${ITEM_A}\n`, 'one.ndjson'), 'threatfox-ndjson');
  assert.equal(detectFeedFormat(`${ITEM_A}\n\n${ITEM_B}\n`, 'two.ndjson'), 'threatfox-ndjson');
});

test('JSON lines without items suggest --format threatfox-ndjson', () => {
  const lines = `${BROKEN}\n${NO_TYPE}\n${NO_TYPE}\n`;
  assert.equal(detectFeedFormat(lines, 'items.ndjson'), undefined);
  const error = unknownFormatError('items.ndjson', lines);
  assert.equal(error.code, 'UNKNOWN_FEED_FORMAT');
  assert.deepEqual(error.source, { file: 'items.ndjson', line: 1 });
  assert.match(error.message, /"items\.ndjson" \(starts with "\{\\"id\\":\\"7100000\\",/);
  assert.match(error.message, /none of its first 3 non-blank lines is a ThreatFox API item/);
  assert.match(error.message, /pass --format threatfox-ndjson,/);
});

test('reads NDJSON after a broken line', async () => {
  const path = join(folder, 'first-broken.log');
  writeFileSync(path, `${BROKEN}\n${ITEM_A}\n\n${ITEM_B}\n`);
  const result = await readFeeds([path]);
  const [stats] = result.files;
  assert.equal(stats?.failed, false);
  assert.equal(stats?.format, 'threatfox-ndjson');
  assert.equal(stats?.rowsRead, 3);
  assert.equal(stats?.accepted, 2);
  assert.equal(stats?.rejected, 1);
  assert.deepEqual(
    result.issues.map((issue) => [issue.code, issue.source?.line]),
    [['INVALID_JSON_LINE', 1]],
  );
});

/** Header lines that each match a JSON document format by their keys. */
const HEADERS: Array<[string, string]> = [
  ['an API status', '{"query_status":"ok","count":2}'],
  ['a numeric key', '{"1":"export header"}'],
  ['a MISP key', '{"response":"header"}'],
  ['a STIX key', '{"type":"bundle","note":"header"}'],
];

for (const [name, header] of HEADERS) {
  test(`reads NDJSON after a header of ${name}`, async () => {
    assert.equal(detectFeedFormat(`${header}\n${ITEM_A}\n`, 'items.ndjson'), 'threatfox-ndjson');
    const path = join(folder, 'header.ndjson');
    writeFileSync(path, `${header}\n${ITEM_A}\n${ITEM_B}\n${ITEM_A}\n`);
    const result = await readFeeds([path]);
    const [stats] = result.files;
    assert.equal(stats?.failed, false);
    assert.equal(stats?.format, 'threatfox-ndjson');
    assert.equal(stats?.rowsRead, 4);
    assert.equal(stats?.accepted, 3);
    assert.equal(stats?.rejected, 1);
    assert.equal(stats.rowsRead, stats.accepted + stats.rejected);
    assert.deepEqual(
      result.issues.map((issue) => [issue.code, issue.severity, issue.source?.line]),
      [['MISSING_FIELD', 'error', 1]],
    );
  });
}

test('keeps one-line documents out of NDJSON', () => {
  const api = JSON.stringify({ query_status: 'ok', data: [JSON.parse(ITEM_A)] });
  assert.equal(detectFeedFormat(`${api}\n`, 'api.json'), 'threatfox-api');
  const exported = JSON.stringify({ '7100001': [JSON.parse(ITEM_A)] });
  assert.equal(detectFeedFormat(`${exported}\n`, 'export.json'), 'threatfox-json');
});
