import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../src/feeds/text.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';

function read(text: string): FeedReaderOutput {
  return readText(text, 'paste.txt', {});
}

/** Returns `type value` for each record, in order. */
function found(text: string): string[] {
  return read(text).records.map((r) => `${r.type} ${r.value}`);
}

function droppedTotal(output: FeedReaderOutput): number {
  return Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
}

test('drops version numbers as addresses', () => {
  const cases: Array<[string, number]> = [
    ['User-Agent: Mozilla/5.0 AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36', 1],
    ['affects version 7.4.2.1 and 9.1.0.17', 2],
    ['OID 1.3.6.1', 1],
    ['plugin 2.0.0.1', 1],
    ['ver. 7.4.2.1 (Version: 1.2.3.4)', 2],
    ['build 10.0.0.1 and v 1.2.0.3', 2],
    ['firmware=1.0.2.3', 1],
    ['versions 1.2 and 7.4.2.1', 1],
    ['Product/1.2.3.0', 1],
    ['Build 1.0.3.4', 1],
    ['version 7.4.2.1 / 9.1.0.17', 2],
    ['version 1.0.0.1-1.0.0.9', 2],
    ['Mozilla/5.0 (Windows NT 10.0) Edg/120.0.210.91 YaBrowser/23.11.1.82', 2],
  ];
  for (const [text, count] of cases) {
    const output = read(text);
    assert.deepEqual(output.records, [], text);
    assert.deepEqual(output.dropped, { 'version-number': count }, text);
    assert.equal(output.itemsRead, count, text);
  }
});

test('drops a long list of versions', () => {
  const versions = Array.from({ length: 30 }, (_, i) => `1.0.0.${i}`);
  const output = read(`fixed in versions ${versions.join(', ')}`);
  assert.deepEqual(output.records, []);
  assert.deepEqual(output.dropped, { 'version-number': 30 });
});

test('keeps addresses near version words', () => {
  const cases: Array<[string, string[]]> = [
    ['C2 at 91.92.241.20', ['ip 91.92.241.20']],
    ['C2 91.92.241[.]20:8443', ['ip-port 91.92.241.20:8443']],
    ['version 1.2.3[.]4', ['ip 1.2.3.4']],
    ['version 1.2.3.4:8080', ['ip-port 1.2.3.4:8080']],
    ['build 45.9.1.2 port 80', ['ip-port 45.9.1.2:80']],
    ['server v2 at 45.9.1.2', ['ip 45.9.1.2']],
    ['version 2 of the loader talks to 45.9.1.2', ['ip 45.9.1.2']],
    ['Chrome/120.0.0.0 and 91.92.241.20', ['ip 91.92.241.20']],
    ['version 7.4.2.1, C2 45.9.1.2', ['ip 45.9.1.2']],
    ['see 1.2.3.4 /5.6.7.8', ['ip 1.2.3.4', 'ip 5.6.7.8']],
    ['get https://1.2.3.4/x after version 2', ['url https://1.2.3.4/x']],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(found(text), expected, text);
  }
});

test('version drops are named and counted', () => {
  const text = 'UA Chrome/120.0.0.0\nC2 45.9.1.2 and OID 1.3.6.1';
  const output = read(text);
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['45.9.1.2'],
  );
  assert.equal(output.itemsRead, output.records.length + output.rejected + droppedTotal(output));
  const issues = output.issues.filter((issue) => issue.code === 'TEXT_CANDIDATES_DROPPED');
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.severity, 'info');
  assert.match(issues[0]?.message ?? '', /^Left out 2 candidates as version-number, /);
  assert.match(issues[0]?.message ?? '', /"120\[\.\]0\[\.\]0\[\.\]0" \(line 1\)/);
  assert.match(issues[0]?.message ?? '', /"1\[\.\]3\[\.\]6\[\.\]1" \(line 2\)/);
});

test('keeps host and address pairs', () => {
  const cases: Array<[string, string[]]> = [
    ['| cdn-updates-host.net/45.61.2.10 | C2 |', ['domain cdn-updates-host.net', 'ip 45.61.2.10']],
    ['| nodeA/45.61.2.11 | staging |', ['ip 45.61.2.11']],
    ['C2/45.61.1.9 as listed by the vendor.', ['ip 45.61.1.9']],
    ['Hosts: server1/45.61.1.10, server2/45.61.1.11', ['ip 45.61.1.10', 'ip 45.61.1.11']],
    ['Product/1.2.3.4', ['ip 1.2.3.4']],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(found(text), expected, text);
  }
});

test('spaced dash ends a version list', () => {
  const output = read('Firmware 7.4.2.1 - 45.61.2.13 served it.');
  assert.deepEqual(
    output.records.map((r) => `${r.type} ${r.value}`),
    ['ip 45.61.2.13'],
  );
  assert.deepEqual(output.dropped, { 'version-number': 1 });
});

test('clause words end a version list', () => {
  const lines = [
    'The loader, version 2.3, and 45.77.12.9 served the second stage.',
    'We saw build 4.1 & 185.220.101.47 in the same campaign.',
    'The implant was updated to version 3.2 through 103.45.67.92 over HTTP.',
    'Operators pushed release 1.8, or 193.42.33.14 answered.',
  ];
  for (const line of lines) {
    assert.equal(found(line).length, 1, line);
    assert.match(found(line)[0] ?? '', /^ip \d+\.\d+\.\d+\.\d+$/, line);
  }
});
