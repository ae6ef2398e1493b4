import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListTextCache, ValueTextCache } from '../../src/report/list-text-cache.js';

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

test('ValueTextCache makes each text once and stays right past the values it keeps', () => {
  let made = 0;
  const cache = new ValueTextCache((value: number) => {
    made += 1;
    return `<${value}>`;
  });
  assert.equal(cache.get(7), '<7>');
  assert.equal(cache.get(7), '<7>');
  assert.equal(made, 1);
  for (let value = 0; value < 20_000; value++) assert.equal(cache.get(value), `<${value}>`);
  // Values past the kept ones are made again each time, with the same text.
  const before = made;
  assert.equal(cache.get(19_999), '<19999>');
  assert.equal(made, before + 1);
});
