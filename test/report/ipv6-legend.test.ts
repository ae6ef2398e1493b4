import assert from 'node:assert/strict';
import test from 'node:test';
import type { Indicator } from '../../src/indicators/model.js';
import { normalizeIndicator } from '../../src/indicators/normalize.js';
import { buildPacks } from '../../src/report/build-packs.js';
import { renderReport } from '../../src/report/markdown.js';

function indicator(type: string, value: string): Indicator {
  const family = { name: 'Remcos', malpedia: 'win.remcos', aliases: [] };
  const result = normalizeIndicator({ type, value, context: { family }, source: {} });
  assert.ok('indicator' in result, `${value} is read`);
  return result.indicator;
}

function reportOf(indicators: Indicator[]): string {
  const [pack] = buildPacks(indicators, {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['feed.csv'],
  });
  assert.ok(pack, 'one pack is built');
  return renderReport(pack);
}

const LEGEND = /^An IPv6 address is written in brackets with `\[:\]` for each colon/m;

test('legend explains IPv6 brackets', () => {
  const report = reportOf([
    indicator('ip:port', '45.9.148.10:4444'),
    indicator('ip:port', '[2a01:4f8:c17:1234::1]:8443'),
  ]);
  assert.match(report, LEGEND);
  assert.match(report, /`\[2a01\[:\]4f8\[:\]c17\[:\]1234\[:\]\[:\]1\]:8443`/);
});

test('legend explains a bare IPv6 address', () => {
  assert.match(reportOf([indicator('ip', '2a01:4f8:c17:1234::1')]), LEGEND);
});

test('legend omits IPv6 without such values', () => {
  const report = reportOf([
    indicator('ip:port', '45.9.148.10:4444'),
    indicator('url', 'http://[2a01:4f8::1]/gate.php'),
  ]);
  assert.match(report, /^Values are defanged: `\[\.\]` stands for a dot/m);
  assert.doesNotMatch(report, LEGEND);
});
