import assert from 'node:assert/strict';
import test from 'node:test';
import { collectIndicators } from '../../src/pipeline/collect.js';
import { buildPacks } from '../../src/report/build-packs.js';
import { REPORT_TABLE_ROWS, renderReport } from '../../src/report/markdown.js';
import { repoFile } from '../helpers/shared.js';

test('changes list kinds as the feed names them', async () => {
  const feed = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
  const collected = await collectIndicators([feed], {
    filters: { families: ['Remcos'] },
    now: new Date('2026-04-13T00:00:00Z'),
  });
  const changes = {
    new: ['ip-port|192.0.2.7:2404', 'domain|evil.example'],
    unchanged: [],
    expired: ['sha256|' + 'a'.repeat(64)],
    removed: ['url|http://x.example/a'],
  };
  const [pack] = buildPacks(collected.indicators, {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: [feed],
    changes: new Map([['win.remcos', changes]]),
  });
  const report = renderReport(pack!);
  assert.match(report, /^- ip:port: 192\[\.\]0\[\.\]2\[\.\]7:2404$/m);
  assert.match(report, /^- domain: evil\[\.\]example$/m);
  assert.match(report, new RegExp(`^- sha256_hash: ${'a'.repeat(64)}$`, 'm'));
  assert.match(report, /^- url: hxxp:\/\/x\[\.\]example\/a$/m);
  assert.doesNotMatch(report, /ip-port/);
});

test('changes defang values as the indicator tables do', async () => {
  const feed = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
  const collected = await collectIndicators([feed], { filters: { families: ['Remcos'] } });
  const changes = {
    new: ['url|https://x.example/payload.bin?a=b.c', 'ip-port|[2001:db8::7]:443'],
    unchanged: [],
    expired: [],
    removed: [],
  };
  const [pack] = buildPacks(collected.indicators, {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: [feed],
    changes: new Map([['win.remcos', changes]]),
  });
  const report = renderReport(pack!);
  assert.match(report, /^- url: hxxps:\/\/x\[\.\]example\/payload\.bin\?a=b\.c$/m);
  // Markdown escaping writes the brackets around the address as \[ and \].
  assert.ok(report.includes('- ip:port: \\[2001[:]db8[:][:]7\\]:443\n'), report);
});

test('changes list at most the report table rows', async () => {
  const feed = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
  const collected = await collectIndicators([feed], { filters: { families: ['Remcos'] } });
  const fresh = Array.from({ length: REPORT_TABLE_ROWS + 5 }, (_, i) => `domain|d${i}.example`);
  const [pack] = buildPacks(collected.indicators, {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: [feed],
    changes: new Map([['win.remcos', { new: fresh, unchanged: [], expired: [], removed: [] }]]),
  });
  const report = renderReport(pack!);
  const listed = report.match(/^- domain: d\d+\[\.\]example$/gm) ?? [];
  assert.equal(listed.length, REPORT_TABLE_ROWS);
  assert.ok(report.includes(`The first 1,000 of 1,005 are shown`), 'names the cut');
});
