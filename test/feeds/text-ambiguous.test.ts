import assert from 'node:assert/strict';
import test from 'node:test';
import { readText } from '../../src/feeds/text.js';

test('names left out for their TLD are listed', () => {
  const output = readText('C2 abc123.ngrok-free.app and update-check.zip\n', 'paste.txt', {});
  assert.equal(output.records.length, 0);
  assert.deepEqual(output.dropped, { 'ambiguous-tld': 2 });
  assert.deepEqual(
    output.issues.map((issue) => [issue.code, issue.severity, issue.source?.line]),
    [
      ['AMBIGUOUS_TLD', 'info', 1],
      ['AMBIGUOUS_TLD', 'info', 1],
      ['TEXT_CANDIDATES_DROPPED', 'info', undefined],
    ],
  );
  assert.match(output.issues[0]?.message ?? '', /"abc123\[\.\]ngrok-free\[\.\]app"/);
  assert.match(output.issues[1]?.message ?? '', /^Left out "update-check\.zip": \.zip is also/);
});

test('defanged names with such TLDs are read', () => {
  const output = readText('C2 abc123[.]ngrok-free[.]app\n', 'paste.txt', {});
  assert.deepEqual(
    output.records.map((record) => record.value),
    ['abc123.ngrok-free.app'],
  );
  assert.equal(output.issues.filter((issue) => issue.code === 'AMBIGUOUS_TLD').length, 0);
});
