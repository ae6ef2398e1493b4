/**
 * ThreatFox gives some families under two Malpedia ids with one printable name (Latrodectus as
 * win.lactrodectus and win.latrodectus). Each id gets its own pack, and the build warns about it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function item(id: string, ioc: string, malware: string, printable: string): object {
  return {
    id,
    ioc,
    threat_type: 'botnet_cc',
    ioc_type: 'domain',
    malware,
    malware_printable: printable,
    malware_alias: null,
    confidence_level: 100,
    first_seen: '2026-07-20 10:00:00 UTC',
    last_seen: null,
    reference: null,
    reporter: 'example',
    tags: null,
  };
}

test('build warns about packs sharing a family name', async (t) => {
  const folder = makeTempDir('shared-name', t);
  const feed = join(folder, 'api.json');
  const data = [
    item('1', 'first-c2-latro.top', 'win.lactrodectus', 'Latrodectus'),
    item('2', 'second-c2-latro.top', 'win.latrodectus', 'Latrodectus'),
    item('3', 'third-c2-latro.top', 'win.latrodectus', 'Latrodectus'),
    item('4', 'remcos-c2-gate.top', 'win.remcos', 'Remcos'),
  ];
  await writeFile(feed, JSON.stringify({ query_status: 'ok', data }));
  const out = join(folder, 'packs');

  const result = await runCli(['build', feed, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const warnings = result.stderr.split('\n').filter((line) => line.includes('packs are named'));
  assert.equal(warnings.length, 1, result.stderr);
  assert.match(warnings[0]!, /2 packs are named Latrodectus/);
  // The id that spells the folder name gets the folder, whichever row comes first.
  assert.match(warnings[0]!, /latrodectus-2 \(win\.lactrodectus, 1 indicator\)/);
  assert.match(warnings[0]!, /\/latrodectus \(win\.latrodectus, 2 indicators\)/);
  assert.doesNotMatch(result.stderr, /named Remcos/);

  // The warning is about the feed's naming, so --strict does not fail the build.
  const strict = await runCli(['build', feed, '--out', join(folder, 'strict'), '--strict']);
  assert.equal(strict.code, 0, strict.stderr);
  assert.match(strict.stderr, /2 packs are named Latrodectus/);
});
