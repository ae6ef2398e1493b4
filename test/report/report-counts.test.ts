import assert from 'node:assert/strict';
import test from 'node:test';
import type { Indicator } from '../../src/indicators/model.js';
import { collectIndicators } from '../../src/pipeline/collect.js';
import { buildPacks } from '../../src/report/build-packs.js';
import { renderReport } from '../../src/report/markdown.js';
import type { SetAsideIndicator } from '../../src/report/pack-model.js';
import { repoFile } from '../helpers/shared.js';

async function exampleIndicators(): Promise<Indicator[]> {
  const collected = await collectIndicators([repoFile('test/fixtures/packs/remcos-example.csv')], {
    now: new Date('2026-05-14T00:00:00Z'),
  });
  assert.equal(collected.indicators.length, 4, 'the example has four indicators');
  return collected.indicators;
}

function reportOf(
  indicators: Indicator[],
  setAside: SetAsideIndicator[] = [],
  lookbackDays = 30,
): string {
  const packs = buildPacks(indicators, {
    lookback: { amount: lookbackDays, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['remcos-example.csv'],
    setAside,
  });
  assert.equal(packs.length, 1);
  return renderReport(packs[0]!);
}

test('summary counts one indicator', async () => {
  const [first] = await exampleIndicators();
  const report = reportOf([first!]);
  assert.match(report, /\*\*Remcos\*\*.* through 1 indicator of compromise: /);
  assert.doesNotMatch(report, /1 indicators/);
});

test('summary counts four indicators', async () => {
  const report = reportOf(await exampleIndicators());
  assert.match(report, / through 4 indicators of compromise: /);
});

test('set-aside summary counts one indicator', async () => {
  const [first] = await exampleIndicators();
  const setAside = [{ indicator: first!, list: 'test-list', entry: 'x', reason: 'known benign' }];
  const report = reportOf([], setAside);
  assert.match(report, /The feeds tie 1 indicator to \*\*Remcos\*\*/);
  assert.doesNotMatch(report, /1 indicators/);
});

test('triage advice names the context given', async () => {
  const indicators = await exampleIndicators();
  assert.match(
    reportOf(indicators),
    /triage it with the indicator's confidence and first-seen date, which every hit carries\./,
  );

  const bare = indicators.map((indicator) => ({
    ...indicator,
    confidence: undefined,
    firstSeen: undefined,
  }));
  const none = reportOf(bare);
  assert.match(none, /the feeds give no confidence or first-seen date, so triage it on the event/);
  assert.doesNotMatch(none, /which every hit carries/);

  const some = reportOf([bare[0]!, indicators[1]!, { ...indicators[2]!, confidence: undefined }]);
  assert.match(
    some,
    /confidence and first-seen date, which each hit carries where the feeds give it \(1 of 3 indicators have a confidence; 2 of 3 indicators have a first-seen date\)\./,
  );

  const dated = reportOf(indicators.map((indicator) => ({ ...indicator, confidence: undefined })));
  assert.match(
    dated,
    /triage it with the indicator's first-seen date, which every hit carries \(the feeds give no confidence\)\./,
  );
});

test('summary says analytics rules read 14 days', async () => {
  const indicators = await exampleIndicators();
  assert.match(
    reportOf(indicators),
    /\| As analytics rules \| A Sentinel scheduled analytics rule reads only its query period, at most 14 days, .* cover 30d \|/,
  );
  assert.doesNotMatch(reportOf(indicators, [], 14), /As analytics rules/);
});
