import assert from 'node:assert/strict';
import test from 'node:test';
import { printable } from '../../src/errors.js';

test('printable escapes terminal control characters', () => {
  assert.equal(printable('a\u001b[2Jb\u0007'), 'a\\x1b[2Jb\\x07');
  assert.equal(printable('tab\there'), 'tab\\x09here');
  assert.equal(printable('c1 \u009b'), 'c1 \\x9b');
});

test('printable escapes Unicode direction controls that reorder text', () => {
  // "exe.txt" shown for "txt.exe": the override reverses what follows it.
  assert.equal(printable('invoice\u202Etxt.exe'), 'invoice\\u202etxt.exe');
  for (const code of [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x2066, 0x2069]) {
    const char = String.fromCharCode(code);
    assert.equal(printable(`x${char}y`), `x\\u${code.toString(16).padStart(4, '0')}y`);
  }
});

test('printable keeps other text, including non-Latin letters and zero-width joiners', () => {
  for (const text of ['evil.example', 'пример.рф', 'مثال', '👩\u200d💻', 'a\u00a0b']) {
    assert.equal(printable(text), text);
  }
});

test('printable escapes line separators and the zero-width space', () => {
  assert.equal(printable('a\u2028b\u2029c\u200bd\ufeff'), 'a\\u2028b\\u2029c\\u200bd\\ufeff');
});

test('printable escapes the invisible soft hyphen', () => {
  assert.equal(printable('bot\u00adnet'), 'bot\\xadnet');
});
