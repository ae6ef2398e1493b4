/**
 * Reports of packs whose family is a placeholder such as "Unknown malware": the feeds name no
 * family for these indicators, so the report must not call them one family.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import type { Indicator, MalwareFamily } from '../../src/indicators/model.js';
import { collectIndicators } from '../../src/pipeline/collect.js';
import { buildPacks } from '../../src/report/build-packs.js';
import { renderReport } from '../../src/report/markdown.js';
import { repoFile } from '../helpers/shared.js';

async function exampleIndicators(): Promise<Indicator[]> {
  const collected = await collectIndicators([repoFile('test/fixtures/packs/remcos-example.csv')], {
    now: new Date('2026-05-14T00:00:00Z'),
  });
  assert.equal(collected.indicators.length, 4, 'the example has four indicators');
  return collected.indicators;
}

/** Renders the report of one pack whose indicators all have `family`, or none when undefined. */
async function reportWithFamily(family: MalwareFamily | undefined, setAside = false) {
  const indicators = (await exampleIndicators()).map((indicator) => {
    const copy = { ...indicator };
    if (family) copy.family = family;
    else delete copy.family;
    return copy;
  });
  const packs = buildPacks(setAside ? [] : indicators, {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['mixed.json'],
    setAside: setAside
      ? indicators.map((indicator) => ({ indicator, list: 'l', entry: 'x', reason: 'benign' }))
      : [],
  });
  assert.equal(packs.length, 1);
  return renderReport(packs[0]!);
}

test('unknown malware names no family', async () => {
  const report = await reportWithFamily(undefined);
  assert.doesNotMatch(report, /tie to this family/);
  assert.match(report, /feeds name no malware family/);
  assert.match(report, /may belong to unrelated threats/);
  assert.match(report, /--family NAME/);
});

test('unknown malware set aside', async () => {
  const report = await reportWithFamily(undefined, true);
  assert.doesNotMatch(report, /The feeds tie 4 indicators to \*\*Unknown malware\*\*/);
  assert.match(report, /feeds name no malware family/);
});

test('placeholder family names no family', async () => {
  const report = await reportWithFamily({
    name: 'Unknown RAT',
    malpedia: 'win.unknown_rat',
    aliases: [],
  });
  assert.doesNotMatch(report, /tie to this family/);
  assert.match(report, /\*\*Unknown RAT\*\*/);
  assert.match(report, /feeds name no malware family/);
  // The --family advice is for STIX, MISP and text records, which land in "Unknown malware".
  assert.doesNotMatch(report, /--family NAME/);
});

test('named family keeps wording', async () => {
  const report = await reportWithFamily({ name: 'Remcos', aliases: [] });
  assert.match(report, /tie to this family/);
  assert.doesNotMatch(report, /name no malware family/);
});

test('unidentified family keeps wording', async () => {
  // Malpedia's unidentified_NNN ids name one tracked family each, not a placeholder.
  const report = await reportWithFamily({
    name: 'Unidentified 111 (Latrodectus)',
    malpedia: 'win.unidentified_111',
    aliases: [],
  });
  assert.match(report, /tie to this family/);
  assert.doesNotMatch(report, /name no malware family/);
});
