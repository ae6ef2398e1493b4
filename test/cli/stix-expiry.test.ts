/**
 * STIX indicators past their `valid_until` are not hunted, and a run with --state reports one
 * that an earlier run hunted as expired, not as removed from the feeds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const MALWARE = 'malware--11111111-1111-4111-8111-111111111111';

/** Returns a bundle of two domain indicators of one family; the first expires at `validUntil`. */
function bundle(validUntil: string): string {
  const indicator = (number: number, domain: string, until?: string) => ({
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--00000000-0000-4000-8000-00000000000${number}`,
    created: '2026-11-01T00:00:00Z',
    modified: '2026-11-01T00:00:00Z',
    pattern: `[domain-name:value = '${domain}']`,
    pattern_type: 'stix',
    valid_from: '2026-11-01T00:00:00Z',
    ...(until === undefined ? {} : { valid_until: until }),
  });
  const indicators = [
    indicator(1, 'expiring.evil-test.top', validUntil),
    indicator(2, 'stays.evil-test.top'),
  ];
  const malware = {
    type: 'malware',
    spec_version: '2.1',
    id: MALWARE,
    created: '2026-11-01T00:00:00Z',
    modified: '2026-11-01T00:00:00Z',
    name: 'ExpFam',
    is_family: true,
  };
  const relationships = indicators.map((item, index) => ({
    type: 'relationship',
    spec_version: '2.1',
    id: `relationship--22222222-2222-4222-8222-00000000000${index}`,
    created: '2026-11-01T00:00:00Z',
    modified: '2026-11-01T00:00:00Z',
    relationship_type: 'indicates',
    source_ref: item.id,
    target_ref: MALWARE,
  }));
  const objects = [...indicators, malware, ...relationships];
  return JSON.stringify({ type: 'bundle', id: 'bundle--3', objects });
}

test('an expired STIX indicator is filtered out and reported as expired', async (t) => {
  const folder = makeTempDir('stix-expiry', t);
  const state = join(folder, 'state.json');
  const first = join(folder, 'first.json');
  const second = join(folder, 'second.json');
  await writeFile(first, bundle('2099-01-01T00:00:00Z'));
  await writeFile(second, bundle('2026-12-01T00:00:00Z'));
  const run1 = await runCli(['build', first, '--state', state, '--out', join(folder, 'o1')]);
  assert.equal(run1.code, 0, run1.stderr);
  const run2 = await runCli(['build', second, '--state', state, '--out', join(folder, 'o2')]);
  assert.equal(run2.code, 0, run2.stderr);
  assert.match(
    run2.stdout + run2.stderr,
    /accepted 2 = in packs 1 \+ set aside by allowlists 0 \+ filtered out 1/,
  );
  const report = await readFile(join(folder, 'o2', 'expfam', 'report.md'), 'utf8');
  assert.match(report, /0 new, 1 unchanged, 0 changed, 1 expired/);
  assert.doesNotMatch(report, /Removed from the feeds/);
  const pack = JSON.parse(await readFile(join(folder, 'o2', 'expfam', 'pack.json'), 'utf8')) as {
    indicators: Array<{ value: string }>;
  };
  assert.deepEqual(
    pack.indicators.map((indicator) => indicator.value),
    ['stays.evil-test.top'],
  );
});
