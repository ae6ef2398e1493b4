import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListTextCache } from '../../src/report/list-text-cache.js';

test('list text cache reuses frozen lists', () => {
  let made = 0;
  const cache = new ListTextCache((list) => {
    made += 1;
    return list.join('|');
  });
  const frozen = Object.freeze(['a', 'b']);
  assert.equal(cache.get(frozen), 'a|b');
  assert.equal(cache.get(frozen), 'a|b');
  assert.equal(made, 1, 'a frozen list is made into text once');
  assert.equal(cache.get(Object.freeze(['a', 'b'])), 'a|b');
  assert.equal(made, 2, 'an equal list of its own is made into text again');
});

test('list text cache remakes open lists', () => {
  const cache = new ListTextCache((list) => list.join('|'));
  const open = ['a'];
  assert.equal(cache.get(open), 'a');
  open.push('b');
  assert.equal(cache.get(open), 'a|b');
});
