import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteValue } from '../src/errors.js';

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

test('quoteValue keeps other text', () => {
  assert.equal(quoteValue('привет "x" ünïcode'), '"привет \\"x\\" ünïcode"');
  assert.equal(quoteValue('a'.repeat(100), 10), `"${'a'.repeat(10)}…"`);
  assert.equal(quoteValue(42), '"42"');
});
