import assert from 'node:assert/strict';
import test from 'node:test';
import { compileEntries } from '../../../src/pipeline/allowlist/matchers.js';

const OPTIONS = { registrantBoundary: false };

test('substring list reports the first entry in list order', () => {
  const list = compileEntries('substring', ['any.run', 'app.any', '', 'a+b(c)'], OPTIONS);
  assert.equal(list.entryCount, 3);
  assert.deepEqual(list.skippedEntries, ['']);
  const entry = (host: string) => list.match({ kind: 'domain', value: host, host });
  assert.equal(entry('x.app.any.run'), 'any.run');
  assert.equal(entry('app.anyway.example'), 'app.any');
  assert.equal(entry('x-a+b(c).example'), 'a+b(c)');
  assert.equal(entry('aabc.example'), undefined, 'entries are literal text, not patterns');
  assert.equal(entry('anyxrun.example'), undefined);
});

test('substring list matches URLs and values case-insensitively', () => {
  const list = compileEntries('substring', ['Sandbox'], OPTIONS);
  const url = 'https://x.example/SANDBOX/a';
  assert.equal(list.match({ kind: 'url', value: url, url }), 'Sandbox');
  assert.equal(list.match({ kind: 'md5', value: 'sandbox00' }), 'Sandbox');
  assert.equal(list.match({ kind: 'md5', value: 'sandbo' }), undefined);
});

test('empty substring list matches nothing', () => {
  const list = compileEntries('substring', [' '], OPTIONS);
  assert.equal(list.match({ kind: 'domain', value: 'a.example', host: 'a.example' }), undefined);
});
