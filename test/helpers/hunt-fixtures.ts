/**
 * Hunts built from a small, hand-picked indicator set, shared by the evaluator, DuckDB and hunt
 * engine tests. The indicators go through the real normalization and hunt building.
 */
import assert from 'node:assert/strict';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { Hunt } from '../../src/compile/ir.js';
import type { HuntFinding } from '../../src/hunt/findings.js';
import type { Indicator } from '../../src/indicators/model.js';
import { normalizeIndicator } from '../../src/indicators/normalize.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';

/** Normalizes `[type, value, port?]` triples into indicators of one family, or throws. */
export function makeIndicators(
  entries: Array<[type: string, value: string, port?: number]>,
  family = 'Remcos',
): Indicator[] {
  return entries.map(([type, value, port], index) => {
    const result = normalizeIndicator({
      type,
      value,
      port,
      context: {
        family: { name: family, aliases: [] },
        threatType: 'botnet_cc',
        confidence: 50 + index,
        firstSeen: new Date(Date.UTC(2024, 0, 1 + index)),
      },
      source: { file: 'test', line: index + 1 },
    });
    if ('issue' in result) throw new Error(result.issue.message);
    return result.indicator;
  });
}

/** Indicators covering every key normalization and the edge cases of each. */
export const EDGE_INDICATORS: Array<[string, string, number?]> = [
  ['ip:port', '203.0.113.7:443'],
  ['ip:port', '[2001:db8::7]:8080'],
  ['ip', '198.51.100.23'],
  ['ip', 'ff02::fb'],
  ['domain', 'evil.example'],
  ['domain', 'c2.badhost.test'],
  ['url', 'http://payload.example/a/b.php?id=1'],
  ['url', 'https://drop.example'],
  ['sha256', 'AB'.repeat(32)],
  ['md5', 'c0ffee00'.repeat(4)],
];

/** Returns the hunt with this id, failing the test when there is none. */
export function huntById(hunts: readonly Hunt[], id: string): Hunt {
  const hunt = hunts.find((candidate) => candidate.id === id);
  assert.ok(hunt, `no hunt ${id}`);
  return hunt;
}

/** Builds every hunt of the edge indicators, with the default exclusions compiled in. */
export function edgeHunts(): Hunt[] {
  return buildHunts(makeIndicators(EDGE_INDICATORS), {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    exclusionsFor: defaultExclusions,
  });
}

/**
 * Returns the `index`th finding of a Remcos port-aware hunt on fw.log, one second after the
 * previous one, with `fields` in place of the defaults.
 */
export function makeFinding(index: number, fields: Partial<HuntFinding> = {}): HuntFinding {
  return {
    time: new Date(Date.UTC(2026, 3, 1) + index * 1000),
    file: 'fw.log',
    line: index + 1,
    table: 'CommonSecurityLog',
    huntId: 'remcos-sentinel-csl-port-aware',
    variant: 'port-aware',
    matchedOn: 'destination',
    indicator: { value: '198.51.100.7:443', family: 'Remcos' },
    host: `host-${index}`,
    columns: {},
    ...fields,
  };
}
