import assert from 'node:assert/strict';
import test from 'node:test';
import { collectIndicators } from '../../src/pipeline/collect.js';
import { buildPacks } from '../../src/report/build-packs.js';
import { REPORT_TABLE_ROWS, renderReport } from '../../src/report/markdown.js';
import type { FamilyHistoryDiff } from '../../src/pipeline/history.js';
import { repoFile } from '../helpers/shared.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');

/** Renders the report of the bundled feed's Remcos pack with these changes. */
async function reportWithChanges(changes: FamilyHistoryDiff): Promise<string> {
  const collected = await collectIndicators([FEED], {
    filters: { families: ['Remcos'] },
    now: new Date('2026-04-13T00:00:00Z'),
  });
  const [pack] = buildPacks(collected.indicators, {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: [FEED],
    changes: new Map([['win.remcos', changes]]),
  });
  return renderReport(pack!);
}

test('changes list kinds as the feed names them', async () => {
  const changes = {
    new: ['ip-port|192.0.2.7:2404', 'domain|evil.example'],
    unchanged: [],
    changed: [],
    expired: ['sha256|' + 'a'.repeat(64)],
    removed: ['url|http://x.example/a'],
  };
  const report = await reportWithChanges(changes);
  assert.match(report, /^- ip:port: 192\[\.\]0\[\.\]2\[\.\]7:2404$/m);
  assert.match(report, /^- domain: evil\[\.\]example$/m);
  assert.match(report, new RegExp(`^- sha256_hash: ${'a'.repeat(64)}$`, 'm'));
  assert.match(report, /^- url: hxxp:\/\/x\[\.\]example\/a$/m);
  assert.doesNotMatch(report, /ip-port/);
});

test('changes defang values as the indicator tables do', async () => {
  const changes = {
    new: ['url|https://x.example/payload.bin?a=b.c', 'ip-port|[2001:db8::7]:443'],
    unchanged: [],
    changed: [],
    expired: [],
    removed: [],
  };
  const report = await reportWithChanges(changes);
  assert.match(report, /^- url: hxxps:\/\/x\[\.\]example\/payload\.bin\?a=b\.c$/m);
  // Markdown escaping writes the brackets around the address as \[ and \].
  assert.ok(report.includes('- ip:port: \\[2001[:]db8[:][:]7\\]:443\n'), report);
});

test('changes list at most the report table rows', async () => {
  const fresh = Array.from({ length: REPORT_TABLE_ROWS + 5 }, (_, i) => `domain|d${i}.example`);
  const report = await reportWithChanges({
    new: fresh,
    unchanged: [],
    changed: [],
    expired: [],
    removed: [],
  });
  const listed = report.match(/^- domain: d\d+\[\.\]example$/gm) ?? [];
  assert.equal(listed.length, REPORT_TABLE_ROWS);
  assert.ok(report.includes(`The first 1,000 of 1,005 are shown`), 'names the cut');
});

test('changes list changed confidence and threat type', async () => {
  const changes = {
    new: [],
    unchanged: [],
    changed: [
      { key: 'domain|evil.example', confidence: [100, 50] as [number, number] },
      { key: 'ip-port|192.0.2.7:2404', threatType: ['botnet_cc', null] as [string, null] },
    ],
    expired: [],
    removed: [],
  };
  const report = await reportWithChanges(changes);
  assert.match(report, /^0 new, 0 unchanged, 2 changed, 0 expired, 0 removed from the feeds\.$/m);
  assert.match(report, /^### Changed confidence or threat type$/m);
  assert.match(report, /^- domain: evil\[\.\]example \(confidence 100 to 50\)$/m);
  assert.match(
    report,
    /^- ip:port: 192\[\.\]0\[\.\]2\[\.\]7:2404 \(threat type botnet_cc to none\)$/m,
  );
});
