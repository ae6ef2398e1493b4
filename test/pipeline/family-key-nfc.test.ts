/**
 * Family names are read in Unicode NFC, so the composed and decomposed spellings of `Rémcos`
 * are one family, and a state file that recorded the decomposed key keeps its history.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFamilyMatcher } from '../../src/indicators/filter.js';
import type { MalwareFamily } from '../../src/indicators/model.js';
import { compareWithHistory, familyKeyOf, parseHistory } from '../../src/pipeline/history.js';
import { accept, rawIndicator } from '../indicators/helpers.js';

const COMPOSED = 'R\u00e9mcos';
const DECOMPOSED = 'Re\u0301mcos';

function familyOf(family: MalwareFamily): MalwareFamily | undefined {
  return accept(rawIndicator('domain', 'c2.evil-c2.xyz', { context: { family } })).indicator.family;
}

test('decomposed family name read as NFC', () => {
  const family = familyOf({ name: DECOMPOSED, aliases: [`${DECOMPOSED} RAT`, COMPOSED] });
  assert.equal(family?.name, COMPOSED);
  assert.deepEqual(family?.aliases, [`${COMPOSED} RAT`]);
});

test('family key same for both spellings', () => {
  assert.equal(familyKeyOf({ name: DECOMPOSED, aliases: [] }), 'r\u00e9mcos');
  assert.equal(familyKeyOf({ name: COMPOSED, aliases: [] }), 'r\u00e9mcos');
});

test('family filter takes decomposed value', () => {
  const family = familyOf({ name: COMPOSED, aliases: [] })!;
  assert.equal(buildFamilyMatcher([DECOMPOSED])(family), true);
});

test('state moves decomposed key to NFC', () => {
  const text = JSON.stringify({
    version: 2,
    lastRun: '2026-04-02T00:00:00.000Z',
    families: {
      're\u0301mcos': {
        'domain|old.evil-c2.xyz': {
          firstRun: '2026-03-01T00:00:00.000Z',
          lastRun: '2026-04-01T00:00:00.000Z',
        },
        'domain|c2.evil-c2.xyz': {
          firstRun: '2026-03-05T00:00:00.000Z',
          lastRun: '2026-03-06T00:00:00.000Z',
        },
      },
      'r\u00e9mcos': {
        'domain|c2.evil-c2.xyz': {
          firstRun: '2026-03-10T00:00:00.000Z',
          lastRun: '2026-04-02T00:00:00.000Z',
        },
      },
    },
  });
  const history = parseHistory(text, 'state.json');
  assert.deepEqual(Object.keys(history.families), ['r\u00e9mcos']);
  const entries = history.families['r\u00e9mcos']!;
  assert.deepEqual(Object.keys(entries).sort(), [
    'domain|c2.evil-c2.xyz',
    'domain|old.evil-c2.xyz',
  ]);
  assert.equal(entries['domain|c2.evil-c2.xyz']!.firstRun, '2026-03-05T00:00:00.000Z');
  assert.equal(entries['domain|c2.evil-c2.xyz']!.lastRun, '2026-04-02T00:00:00.000Z');

  const indicator = accept(
    rawIndicator('domain', 'c2.evil-c2.xyz', {
      context: { family: { name: DECOMPOSED, aliases: [] } },
    }),
  ).indicator;
  const key = familyKeyOf(indicator.family);
  const diff = compareWithHistory(new Map([[key, [indicator]]]), history, {
    now: new Date('2026-04-03T00:00:00Z'),
  }).get(key)!;
  assert.deepEqual(diff.unchanged, ['domain|c2.evil-c2.xyz']);
  assert.deepEqual(diff.new, []);
  assert.deepEqual(diff.removed, ['domain|old.evil-c2.xyz']);
});
