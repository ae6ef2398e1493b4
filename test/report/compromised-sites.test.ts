import assert from 'node:assert/strict';
import test from 'node:test';
import { collectIndicators } from '../../src/pipeline/collect.js';
import { buildPacks } from '../../src/report/build-packs.js';
import { renderReport } from '../../src/report/markdown.js';
import { repoFile } from '../helpers/shared.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');

async function reportOf(family: string): Promise<string> {
  const collected = await collectIndicators([FEED], {
    filters: { families: [family] },
    now: new Date('2026-04-13T00:00:00Z'),
  });
  const [pack] = buildPacks(collected.indicators, {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: [FEED],
  });
  return renderReport(pack!);
}

test('report lists compromised legitimate sites', async () => {
  const collected = await collectIndicators([FEED], { now: new Date('2026-04-13T00:00:00Z') });
  const marked = collected.indicators.filter(
    (indicator) => indicator.isCompromised === true && indicator.family?.name === 'Unknown malware',
  );
  assert.ok(marked.length > 0, 'the bundled feed marks some unattributed sites as compromised');

  const report = await reportOf('Unknown malware');
  assert.match(
    report,
    new RegExp(`^\\| Compromised legitimate sites \\| ${marked.length} \\|$`, 'm'),
  );
  assert.match(report, /^### Compromised legitimate sites$/m);
  assert.match(report, /^\| domain \| `googlemt\[\.\]xyz` \| 2026-04-11 \|$/m);
});

test('report without compromised sites says nothing of them', async () => {
  const report = await reportOf('Remcos');
  assert.doesNotMatch(report, /Compromised legitimate sites/);
});
