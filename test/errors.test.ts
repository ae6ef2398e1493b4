import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatLocation, quoteValue, showJsonText } from '../src/errors.js';
import { runCli } from './helpers/cli.js';
import { makeTempDir } from './helpers/temp-dir.js';

test('quoteValue escapes direction controls', () => {
  const quoted = quoteValue('evil\u202ertl.com');
  assert.equal(quoted, '"evil\\u202ertl.com"');
  assert.equal(JSON.parse(quoted), 'evil\u202ertl.com', 'the escape reads back as the value');
});

test('quoteValue escapes every unsafe character', () => {
  const cases: Array<[string, string]> = [
    ['a\u0007b', '"a\\u0007b"'],
    ['a\u0085b', '"a\\x85b"'],
    ['a\u009b2J\u007f', '"a\\x9b2J\\x7f"'],
    ['a\u061cb', '"a\\u061cb"'],
    ['a\u200eb\u200fc', '"a\\u200eb\\u200fc"'],
    ['a\u202ab\u202dc', '"a\\u202ab\\u202dc"'],
    ['a\u2066b\u2069c', '"a\\u2066b\\u2069c"'],
  ];
  for (const [value, expected] of cases) assert.equal(quoteValue(value), expected, expected);
});

test('showJsonText shows JSON unquoted', () => {
  assert.equal(showJsonText({ a: 1, b: [true, null] }), '{"a":1,"b":[true,null]}');
  assert.equal(showJsonText({ 'k\u0007': 'v\u202e' }), '{"k\\u0007":"v\\u202e"}');
  assert.equal(showJsonText(['x'.repeat(20)], 10), '["xxxxxxxx…');
});

test('quoteValue keeps other text', () => {
  assert.equal(quoteValue('привет "x" ünïcode'), '"привет \\"x\\" ünïcode"');
  assert.equal(quoteValue('a'.repeat(100), 10), `"${'a'.repeat(10)}…"`);
  assert.equal(quoteValue(42), '"42"');
});

test('formatLocation escapes file and id', () => {
  const where = formatLocation({ file: 'feed\u001b[2J.zip', line: 3, id: '12\u001b]8;;x\u0007' });
  assert.equal(where, 'feed\\x1b[2J.zip:3 (id 12\\x1b]8;;x\\x07)');
  assert.ok(![...where].some((char) => char.charCodeAt(0) < 0x20), where);
});

test('formatLocation cuts a long id', () => {
  const where = formatLocation({ line: 2, id: '9'.repeat(500) });
  assert.equal(where, `line 2 (id ${'9'.repeat(80)}…)`);
});

test('build escapes feed id controls', async (t) => {
  const folder = makeTempDir('escaped-id', t);
  const feed = join(folder, 'feed.csv');
  const header =
    '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags","anonymous","reporter"';
  // An invalid port, so that the build reports the row with its id.
  const row = `"2026-04-12 04:49:28", "7\u001b[2J\u001b]8;;https://x.example/\u0007", "198.51.100.7:99999", "ip:port", "botnet_cc", "win.remcos", "None", "Remcos", "", "100", "None", "None", "0", "x"`;
  await writeFile(feed, `${header}\n${row}\n`);
  const result = await runCli(['build', feed, '--out', join(folder, 'out')]);
  assert.match(result.stderr, /\(id 7\\x1b\[2J\\x1b\]8;;https:\/\/x\.example\/\\x07\)/);
  assert.ok(!result.stderr.includes('\u001b'));
  const issues = await readFile(join(folder, 'out', 'build-issues.txt'), 'utf8');
  assert.ok(!issues.includes('\u001b'));
});

test('quoteValue cuts non-string JSON', () => {
  assert.equal(
    quoteValue({ a: [1, 'x', null], b: true }),
    '"{\\"a\\":[1,\\"x\\",null],\\"b\\":true}"',
  );
  assert.equal(quoteValue([undefined, 2]), '"[null,2]"');
  assert.equal(quoteValue(undefined), '"undefined"');
  assert.equal(quoteValue(10n), '"10"');
  assert.equal(quoteValue(new Date(0)), '"\\"1970-01-01T00:00:00.000Z\\""');
  const long = quoteValue(
    Array.from({ length: 1_000_000 }, (_, index) => index),
    20,
  );
  assert.equal(
    long,
    `"${JSON.stringify(Array.from({ length: 100 }, (_, index) => index)).slice(0, 20)}…"`,
  );
});

test('quoteValue survives deep nesting', () => {
  let nested: unknown = 'x';
  for (let depth = 0; depth < 1_000_000; depth++) nested = [nested];
  assert.equal(quoteValue(nested, 10), `"${'['.repeat(10)}…"`);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.match(quoteValue(cyclic), /^"\{\\"self\\":\{\\"self\\":/);
});
