/**
 * `--family` selects by printable name, Malpedia id or alias only. A decoy such as `Remcos!`
 * folds to the folder name of `Remcos`, so a folder name must not select it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFamilyMatcher } from '../../src/indicators/filter.js';

const REMCOS = { name: 'Remcos', malpedia: 'win.remcos', aliases: ['RemcosRAT'] };
const DECOY = { name: 'Remcos!', malpedia: 'win.remcos_', aliases: [] };

test('family name skips punctuation decoy', () => {
  const matches = buildFamilyMatcher(['Remcos']);
  assert.equal(matches(REMCOS), true);
  assert.equal(matches(DECOY), false);
});

test('family match ignores case', () => {
  for (const name of ['REMCOS', 'WIN.REMCOS', 'remcosrat']) {
    assert.equal(buildFamilyMatcher([name])(REMCOS), true, name);
    assert.equal(buildFamilyMatcher([name])(DECOY), false, name);
  }
});

test('decoy selected by its own name', () => {
  assert.equal(buildFamilyMatcher(['remcos!'])(DECOY), true);
  assert.equal(buildFamilyMatcher(['win.remcos_'])(DECOY), true);
  assert.equal(buildFamilyMatcher(['remcos!'])(REMCOS), false);
});

test('folder name selects no family', () => {
  const cobalt = { name: 'Cobalt Strike', malpedia: 'win.cobalt_strike', aliases: [] };
  assert.equal(buildFamilyMatcher(['cobalt-strike'])(cobalt), false);
  assert.equal(buildFamilyMatcher(['remcos-2'])(REMCOS), false);
});
