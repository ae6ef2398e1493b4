import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../src/feeds/text.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';

/** Returns a hex string of `length` digits that is unique for `seed`. */
function hex(seed: number, length: number): string {
  return `abc${seed.toString(16)}`.padEnd(length, 'f');
}

/**
 * Returns indicators of every kind that the free-text reader scans for, each as one item that
 * reads the same alone on a line or among the others on one line.
 */
function itemsOfEveryKind(index: number): string[] {
  const a = index >> 8;
  const b = index & 255;
  return [
    `45.9.${a}.${b}`,
    `45.10.${a}.${b}:4444`,
    `45.11.${a}.${b} port 8080`,
    `10.${a}.${b}.0/24`,
    `4.3.${a}.${b}.in-addr.arpa`,
    `[2001:db8::${index.toString(16)}]:443`,
    `2001:db8:1::${index.toString(16)}`,
    `evil${index}[.]com`,
    `evil${index}[.]top:8443`,
    `\`code${index}.net\``,
    `live${index}.org`,
    `hxxps://u${index}[.]net/gate.php?id=${index}`,
    `hxxp://cut${index}[.]com/dir/Protected Client${index}.js`,
    `hxxp://q${index}[.]com/a?c="2"`,
    `hxxp://http://twice${index}[.]com/x`,
    `hxxp://own${index}[.]com/gate's`,
    `(hxxp://par${index}[.]com/a)`,
    `https://x.com/user/status/${index}`,
    `\\\\198.51.${a}.${b}@8080\\share`,
    `\\\\unc${index}[.]com\\s`,
    `user${index}@mail${index}[.]com`,
    hex(index, 32),
    hex(index, 40),
    hex(index, 64),
  ];
}

/** Returns what a read yields apart from line numbers: records, counts and issue codes. */
function summary(output: FeedReaderOutput): object {
  const codes: Record<string, number> = {};
  for (const issue of output.issues) codes[issue.code] = (codes[issue.code] ?? 0) + 1;
  return {
    records: output.records.map((r) => `${r.type} ${r.value} ${(r.context.tags ?? []).join(',')}`),
    itemsRead: output.itemsRead,
    rejected: output.rejected,
    dropped: output.dropped,
    codes,
  };
}

test('long line reads like one item per line', () => {
  const items = Array.from({ length: 300 }, (_, index) => itemsOfEveryKind(index)).flat();
  const oneLine = readText(`IOCs: ${items.join(' ')}`, 'line.txt');
  const manyLines = readText(`IOCs:\n${items.join('\n')}`, 'lines.txt');

  assert.deepEqual(summary(oneLine), summary(manyLines));
  // Every kind of indicator and drop is present, so the comparison covers every scanner.
  const types = new Set(oneLine.records.map((record) => record.type));
  assert.deepEqual([...types].sort(), ['domain', 'ip', 'ip-port', 'md5', 'sha1', 'sha256', 'url']);
  const tags = new Set(oneLine.records.flatMap((record) => record.context.tags ?? []));
  assert.ok(tags.has('from-cut-url'), 'no cut URL was read');
  assert.ok(tags.has('port:8443'), 'no domain with a port was read');
  assert.deepEqual(Object.keys(oneLine.dropped).sort(), [
    'cidr-range',
    'email-address',
    'fanged-in-defanged-text',
    'reference-link',
  ]);
});

test('long line copies linear text', () => {
  // Counts the characters that String.prototype.slice copies while the reader runs. A scanner
  // that copies the rest of the line for each match copies about matches × length / 2.
  const items = Array.from({ length: 200 }, (_, index) => itemsOfEveryKind(index)).flat();
  const line = `IOCs: ${items.join(' ')}`;
  const { slice } = String.prototype as { slice: (this: string, ...args: number[]) => string };
  let copied = 0;
  String.prototype.slice = function (this: string, ...args: number[]): string {
    const result = slice.apply(this, args);
    copied += result.length;
    return result;
  };
  let output: FeedReaderOutput;
  try {
    output = readText(line, 'line.txt');
  } finally {
    String.prototype.slice = slice;
  }

  assert.equal(output.records.length, 200 * 19);
  const limit = 20 * line.length;
  assert.ok(copied <= limit, `copied ${copied} characters, more than ${limit}`);
});

test('bare IPv6 ends like its regex', () => {
  // The scanner finds bare addresses in one pass, in place of a regex that backtracked over
  // every pair of colons. These cases pin down where an address ends next to dots and letters.
  const cases: Array<[string, string[]]> = [
    ['at 2001:db8::1.', ['ip 2001:db8::1']],
    ['at 2001:db8::1.foo', ['ip 2001:db8::1']],
    ['at ::ffff:1.2.3.4 now', ['ip ::ffff:1.2.3.4']],
    ['at 2001:db8::1g now', []],
    ['at 2001:db8::1..x', ['ip 2001:db8::1']],
    ['at 2001:db8::1:', []],
    ['at 12:30:45 now', []],
  ];
  for (const [text, expected] of cases) {
    const records = readText(text, 'v6.txt').records.map((r) => `${r.type} ${r.value}`);
    assert.deepEqual(records, expected, text);
  }
});
