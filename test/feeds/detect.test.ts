import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FeedFormat } from '../../src/feeds/detect.js';
import { detectFeedFormat, parseFeedFormat, unknownFormatError } from '../../src/feeds/detect.js';
import { repoFile, sharedFile, skipWithoutShared } from '../helpers/shared.js';

function sample(path: string): string {
  return readFileSync(path, 'utf8').slice(0, 64 * 1024);
}

const SHARED_CASES: Array<[string, FeedFormat]> = [
  ['threatfox/fabi2708_csv-recent_2026-04-12.csv', 'threatfox-csv'],
  ['threatfox/carved1_csv-full-urls_2025-12-07.csv', 'threatfox-csv'],
  ['threatfox/v3nom_json-export-recent_2026-07-24.json', 'threatfox-json'],
  ['threatfox/janescall_json-export-recent_2025-07-08.json', 'threatfox-json'],
  ['threatfox/seanmcfeely_api-response_tests-data.json', 'threatfox-api'],
  ['threatfox/elastic_api-data-ndjson_test-threatfox-ndjson_TRIMMED.log', 'threatfox-ndjson'],
  ['misp/eset_stantinko_restsearch.json', 'misp'],
  ['misp/pymisp_circl-osint_qakbot-ip-port-objects.json', 'misp'],
  ['misp/talos_2023-07-reddriver_restsearch-oneline.json', 'misp'],
  ['text/talos_2024-05-carnavalhiest.txt', 'text'],
];

for (const [file, format] of SHARED_CASES) {
  test(`detects ${format} in ${file.split('/')[1]}`, { skip: skipWithoutShared(file) }, () => {
    assert.equal(detectFeedFormat(sample(sharedFile(file)), file), format);
  });
}

test('detects the bundled fixtures', () => {
  const cases: Array<[string, FeedFormat]> = [
    ['recent-15-columns.csv', 'threatfox-csv'],
    ['full-14-columns.csv', 'threatfox-csv'],
    ['missing-column.csv', 'threatfox-csv'],
    ['api-no-result.json', 'threatfox-api'],
    ['api-failed.json', 'threatfox-api'],
    ['api-items.ndjson', 'threatfox-ndjson'],
    ['export-mixed-ids.json', 'threatfox-json'],
  ];
  for (const [file, format] of cases) {
    const path = repoFile(`test/fixtures/threatfox/${file}`);
    assert.equal(detectFeedFormat(sample(path), file), format, file);
  }
});

test('detects a plain header row without banner', () => {
  const csv =
    'first_seen_utc,ioc_id,ioc_value,ioc_type\n2026-01-01 00:00:00,1,example.com,domain\n';
  assert.equal(detectFeedFormat(csv, 'export.csv'), 'threatfox-csv');
});

test('detects STIX by bundle type or spec_version', () => {
  assert.equal(detectFeedFormat('{"type": "bundle", "id": "bundle--1"}', 'x.json'), 'stix');
  assert.equal(detectFeedFormat('{"id": "x", "spec_version": "2.1"}', 'x.json'), 'stix');
});

test('detects a bare array of API items', () => {
  const items = '[{"id": "1", "ioc": "example.com", "ioc_type": "domain"}]';
  assert.equal(detectFeedFormat(items, 'items.json'), 'threatfox-api');
});

test('detects an API response with sorted keys', () => {
  // jq -S puts data before query_status, which a long list pushes past the 64 KiB sample.
  const item = { confidence_level: 100, id: '841508', ioc: 'evil.example', ioc_type: 'domain' };
  const items = Array.from({ length: 1000 }, () => JSON.stringify(item, null, 2));
  const sorted = `{\n  "data": [\n${items.join(',\n')}\n  ],\n  "query_status": "ok"\n}\n`;
  const sample = sorted.slice(0, 64 * 1024);
  assert.equal(sample.includes('query_status'), false);
  assert.equal(detectFeedFormat(sample, 'sorted.json'), 'threatfox-api');
  // Another document whose first key is data is not taken for one.
  assert.equal(detectFeedFormat('{"data": [{"name": "x"}]}', 'other.json'), undefined);
});

test('detects an export with numeric ids on one line', () => {
  assert.equal(detectFeedFormat('{"1":[{"ioc_value":"a.example"}]}', 'x'), 'threatfox-json');
});

test('ignores the file name for structured content', () => {
  const csv = readFileSync(repoFile('test/fixtures/threatfox/recent-15-columns.csv'), 'utf8');
  assert.equal(detectFeedFormat(csv, 'notes.txt'), 'threatfox-csv');
});

test('reads unstructured text as text', () => {
  assert.equal(detectFeedFormat('C2: evil[.]example\nhash: abc\n', 'report'), 'text');
});

test('returns undefined for unknown structure', () => {
  assert.equal(detectFeedFormat('{"hello": "world"}', 'x.json'), undefined);
  assert.equal(detectFeedFormat('a,b,c\n1,2,3\n4,5,6\n', 'table.csv'), undefined);
  assert.equal(detectFeedFormat('\u0000\u0001binary', 'x.bin'), undefined);
  assert.equal(detectFeedFormat('caf\uFFFD bytes', 'x.dat'), undefined);
});

test('accepts unknown structure in a .txt or .md file as text', () => {
  assert.equal(detectFeedFormat('a,b,c\n1,2,3\n4,5,6\n', 'iocs.txt'), 'text');
  assert.equal(detectFeedFormat('{"hello": "world"}', 'notes.md'), 'text');
});

test('unknownFormatError names the file, formats and --format', () => {
  const error = unknownFormatError('feed.dat', '{"hello": "world"}');
  assert.equal(error.code, 'UNKNOWN_FEED_FORMAT');
  assert.match(error.message, /"feed\.dat"/);
  assert.match(error.message, /ThreatFox CSV export/);
  assert.match(error.message, /STIX 2\.1 bundle/);
  assert.match(error.message, /Pass --format/);
  assert.match(error.message, /threatfox-ndjson/);
});

test('unknownFormatError reports broken JSON by line and column', () => {
  const error = unknownFormatError('api.json', "{'query_status': 'ok', 'data': []}");
  assert.equal(error.code, 'INVALID_JSON');
  assert.deepEqual(error.source, { file: 'api.json', line: 1, column: 2 });
  assert.match(error.message, /"api\.json" is not valid JSON at line 1, column 2 \(/);
  assert.match(error.message, /feed format cannot be detected/);
});

test('unknownFormatError reports truncated JSON', () => {
  const sample = '\uFEFF\n{\n  "data": [\n    {"ioc": "1.2.3.4:80",\n';
  const error = unknownFormatError('items.json', sample);
  assert.equal(error.code, 'INVALID_JSON');
  assert.deepEqual(error.source, { file: 'items.json', line: 4, column: 26 });
  assert.match(error.message, /ends at line 4, column 26 before its JSON is complete/);
  assert.match(error.message, /probably truncated/);
});

test('unknownFormatError keeps valid JSON unknown', () => {
  assert.equal(unknownFormatError('a.json', '[{"hello": "world"}]').code, 'UNKNOWN_FEED_FORMAT');
  const lines = '{"hello": "world"}\n{"hello": "again"}\n';
  assert.equal(unknownFormatError('a.jsonl', lines).code, 'UNKNOWN_FEED_FORMAT');
});

test('unknownFormatError allows a cut sample', () => {
  const long = `[${'{"hello": "world"},'.repeat(5000)}{"hello": "end"}]`;
  const cut = long.slice(0, 64 * 1024);
  assert.equal(unknownFormatError('big.json', cut).code, 'UNKNOWN_FEED_FORMAT');
  const broken = `[{"hello": "world"},,${cut.slice(20)}`;
  const error = unknownFormatError('big.json', broken);
  assert.equal(error.code, 'INVALID_JSON');
  assert.deepEqual(error.source, { file: 'big.json', line: 1, column: 21 });
});

test('parseFeedFormat accepts only known names', () => {
  assert.equal(parseFeedFormat('misp'), 'misp');
  assert.equal(parseFeedFormat('csv'), undefined);
});

const LOG_CASES: Array<[string, RegExp]> = [
  ['test/fixtures/logs/zeek/renamed_conn.log', /is a Zeek log/],
  ['test/fixtures/logs/zeek/http.log', /is a Zeek log/],
  ['test/fixtures/logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt', /is a CEF log/],
  ['test/fixtures/logs/cef/hard-cases.log', /is a CEF log/],
  [
    'test/fixtures/logs/commonsecuritylog/azure-sentinel-2020_AkamaiSIEM.csv',
    /is a CommonSecurityLog export/,
  ],
  [
    'test/fixtures/logs/devicenetworkevents/plaso_m365d-advanced-hunting-export_mixed-tables.csv',
    /is a DeviceNetworkEvents export/,
  ],
];

for (const [file, kind] of LOG_CASES) {
  test(`rejects log ${file.split('/').at(-1)} as feed`, () => {
    const text = sample(repoFile(file));
    assert.equal(detectFeedFormat(text, file), undefined);
    const error = unknownFormatError(file, text);
    assert.equal(error.code, 'LOG_NOT_FEED');
    assert.match(error.message, kind);
    assert.match(error.message, /huntpack hunt/);
    assert.match(error.message, /--format text/);
  });
}

test('rejects Suricata and Zeek JSON lines as feeds', () => {
  const eve =
    '{"timestamp":"2026-12-05T10:00:00.000000+0000","flow_id":1,"event_type":"dns","src_ip":"10.0.0.5"}\n';
  assert.match(unknownFormatError('eve.json', eve).message, /is a Suricata eve\.json log/);
  const zeek = '{"ts":1704067400.0,"uid":"C1","id.orig_h":"10.0.0.5","id.resp_h":"1.2.3.4"}\n';
  assert.match(unknownFormatError('conn.json', zeek).message, /is a Zeek JSON log/);
});

test('keeps a report that quotes log lines as text', () => {
  const quotesCef =
    '# Campaign notes\n\nThe firewall logged the C2 connection:\n\n' +
    '    Dec  5 10:00:00 fw CEF:0|Acme|FW|1|100|allow|3|src=10.0.0.5 dst=198.51.100.7 dpt=8080\n';
  assert.equal(detectFeedFormat(quotesCef, 'report.md'), 'text');
  const quotesZeek =
    'Zeek saw the beacon; the log header was:\n#separator \\x09\n#fields\tts\tuid\n' +
    'C2: 198.51.100.7:8080\n';
  assert.equal(detectFeedFormat(quotesZeek, 'report.txt'), 'text');
});

test('rejects syslog lines, other delimiters and JSON arrays as logs', () => {
  const syslog = Array.from(
    { length: 20 },
    (_, index) =>
      `Dec  5 10:00:${String(index).padStart(2, '0')} fw01 kernel: DROP SRC=10.0.0.5 DST=198.51.100.${index}`,
  ).join('\n');
  const withCef = `${syslog}\nDec  5 10:01:00 fw01 CEF:0|Acme|FW|1|100|allow|3|src=10.0.0.5\n`;
  assert.equal(detectFeedFormat(syslog, 'fw.log'), undefined);
  assert.match(unknownFormatError('fw.log', syslog).message, /is a syslog log/);
  assert.match(unknownFormatError('mixed.log', withCef).message, /is a syslog log/);
  const cefLines = syslog.replaceAll('kernel: DROP', 'CEF:0|Acme|FW|1|100|drop|3|');
  assert.match(unknownFormatError('cef.log', cefLines).message, /is a CEF log/);
  const bareCef = Array.from(
    { length: 10 },
    (_, index) => `CEF:0|Acme|FW|1|100|allow|3|src=10.0.0.${index}`,
  );
  const banner = ['# exported by siem', ...bareCef].join('\n');
  assert.match(unknownFormatError('banner.log', banner).message, /is a CEF log/);
  const semicolons =
    'TimeGenerated;DeviceVendor;DeviceProduct;DestinationIP\n2026-12-05;Acme;FW;1.2.3.4\n';
  assert.match(unknownFormatError('csl.txt', semicolons).message, /CommonSecurityLog export/);
  const tabs =
    'Timestamp\tDeviceId\tActionType\tRemoteIP\n2026-12-05\tabc\tConnectionSuccess\t1.2.3.4\n';
  assert.match(unknownFormatError('dne.txt', tabs).message, /DeviceNetworkEvents export/);
  const eveArray = '[{"timestamp":"2026-12-05T10:00:00Z","event_type":"flow","src_ip":"10.0.0.1"}]';
  assert.match(unknownFormatError('eve.txt', eveArray).message, /Suricata eve\.json log/);
});
