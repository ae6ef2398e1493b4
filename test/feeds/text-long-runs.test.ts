import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../src/feeds/text.js';

/** Repetitions of a two-character unit: a line of about 8 MB. */
const REPEATS = 4_000_000;

test('text reader survives 8 MB runs of labels', () => {
  const lines = [
    `x ${'1.'.repeat(REPEATS)}`,
    `x ${'a.'.repeat(REPEATS)}`,
    `x a@${'a.'.repeat(REPEATS)}com`,
    `x 1.2.3.4-${'a.'.repeat(REPEATS)}com`,
    'C2 evil-c2.xyz',
  ];
  const output = readText(lines.join('\n'), 'runs.txt');
  const domains = output.records.filter((record) => record.type === 'domain');
  assert.deepEqual(
    domains.map((record) => record.value),
    ['evil-c2.xyz'],
  );
  assert.equal(output.dropped['email-address'], 1);
  assert.ok(output.records.some((record) => record.value === '1.2.3.4'));
});

test('text reader survives an 8 MB hex run', () => {
  const output = readText(`x ${'ab'.repeat(REPEATS)} ${'c'.repeat(32)}\n`, 'hex.txt');
  assert.equal(output.dropped['unsupported-hex-length'], 1);
  assert.deepEqual(
    output.records.map((record) => [record.type, record.value]),
    [['md5', 'c'.repeat(32)]],
  );
});

test('name of 128 labels is dropped', () => {
  // 127 labels of one letter and "com" make 257 characters, too long for a domain.
  const output = readText(`x ${'a.'.repeat(127)}com\n`, 'labels.txt');
  assert.equal(output.dropped['invalid-domain'], 1);
  assert.equal(output.records.length, 0);
});

test('short hex runs are not hashes', () => {
  const output = readText(`x ${'a'.repeat(31)} ${'b'.repeat(40)}\n`, 'short.txt');
  assert.deepEqual(
    output.records.map((record) => [record.type, record.value]),
    [['sha1', 'b'.repeat(40)]],
  );
  assert.equal(output.dropped['unsupported-hex-length'], undefined);
});
