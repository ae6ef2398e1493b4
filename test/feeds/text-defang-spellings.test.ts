import assert from 'node:assert/strict';
import test from 'node:test';
import { readText } from '../../src/feeds/text.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';

function values(output: FeedReaderOutput): string[] {
  return output.records.map((record) => `${record.type} ${record.value}`);
}

function dropCount(output: FeedReaderOutput): number {
  return Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
}

function assertCountsReconcile(output: FeedReaderOutput): void {
  assert.equal(output.itemsRead, output.records.length + output.rejected + dropCount(output));
}

test('spaced and escaped dots are read', () => {
  const cases: Array<[string, string]> = [
    ['A: one-c2[.] com', 'domain one-c2.com'],
    ['B: two-c2 [.]com', 'domain two-c2.com'],
    ['C: three-c2\\.com', 'domain three-c2.com'],
    ['C2 www\\.four-c2\\.net seen', 'domain www.four-c2.net'],
    ['F: six-c2(dot)net', 'domain six-c2.net'],
    ['F: six-c2 [dot] net', 'domain six-c2.net'],
    ['F: six-c2 (dot) net', 'domain six-c2.net'],
    ['H: 185.100.87 [.]202', 'ip 185.100.87.202'],
    ['K: hxxp://eight-c2\\.com/a', 'url http://eight-c2.com/a'],
  ];
  for (const [text, expected] of cases) {
    const output = readText(`${text}\n`, 'paste.txt', {});
    assert.deepEqual(values(output), [expected], text);
    assert.equal(output.rejected, 0, text);
    assertCountsReconcile(output);
  }
});

test('escaped dot in a path is no dot', () => {
  const output = readText('Drops %APPDATA%\\Microsoft\\.NET\\x.dll\n', 'paste.txt', {});
  assert.deepEqual(values(output), []);
  assert.equal(output.rejected, 0);
});

test('escaped dot alone leaves live links', () => {
  // A Markdown escape is no defang, so live names elsewhere are not taken as references.
  const output = readText('C2 three-c2\\.com, blog at vendor-blog.com\n', 'paste.txt', {});
  assert.deepEqual(values(output), ['domain three-c2.com', 'domain vendor-blog.com']);
});

test('ambiguous dot spellings are reported', () => {
  const cases: Array<[string, string]> = [
    ['G: seven-c2 dot net', '"seven-c2[.]net"'],
    ['G: seven-c2 DOT example dot net', '"seven-c2[.]example[.]net"'],
    ['9. eta-c2 [.] info', '"eta-c2[.]info"'],
    ['I: 185 . 100 . 87 . 203', '"185[.]100[.]87[.]203"'],
  ];
  for (const [text, name] of cases) {
    const output = readText(`IOCs:\n${text}\n`, 'paste.txt', {});
    assert.deepEqual(values(output), [], text);
    assert.equal(output.rejected, 1, text);
    assertCountsReconcile(output);
    const issue = output.issues.find((found) => found.code === 'AMBIGUOUS_DEFANG');
    assert.equal(issue?.severity, 'warning', text);
    assert.equal(issue?.source?.line, 2, text);
    assert.ok(issue?.message.startsWith(`Did not read ${name} as an indicator`), issue?.message);
  }
});

test('half dot markers are reported', () => {
  const cases: Array<[string, string]> = [
    ['zeta-c2[.com', '"[."'],
    ['zeta-c2.]com', '".]"'],
    ['203.55.12[.44', '"[."'],
  ];
  for (const [text, marker] of cases) {
    const output = readText(`C2: ${text}\n`, 'paste.txt', {});
    assert.deepEqual(values(output), [], text);
    assert.equal(output.rejected, 1, text);
    assertCountsReconcile(output);
    const issue = output.issues.find((found) => found.code === 'AMBIGUOUS_DEFANG');
    assert.equal(issue?.source?.line, 1, text);
    assert.match(issue?.message ?? '', new RegExp(`possible indicator "${escape(text)}"`), text);
    assert.ok(issue?.message.includes(marker), issue?.message);
  }
});

test('prose with dots stays quiet', () => {
  for (const text of [
    'It moved. The end.',
    'Replace every [.] with a dot.',
    'See arr[.5] in the code.',
    'The 1 . 2 release.',
    'dotnet.com and polkadot.network are fine',
  ]) {
    const output = readText(`${text}\n`, 'paste.txt', {});
    assert.equal(
      output.issues.filter((issue) => issue.code === 'AMBIGUOUS_DEFANG').length,
      0,
      text,
    );
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
