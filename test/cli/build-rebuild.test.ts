import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = 'data/threatfox/fabi2708_csv-recent_2026-04-12.csv';

test('rebuild drops the old hunt report', async (t) => {
  const out = join(makeTempDir('rebuild', t), 'packs');
  const first = await runCli(['build', FEED, '--family', 'Remcos', '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  const folder = join(out, 'remcos');
  await writeFile(join(folder, 'hunt-report.md'), '# Hunt report: findings of the earlier pack\n');
  await writeFile(join(folder, 'notes.md'), 'analyst notes\n');

  const second = await runCli(['build', FEED, '--family', 'Remcos', '--out', out]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(existsSync(join(folder, 'hunt-report.md')), false);
  assert.equal(await readFile(join(folder, 'notes.md'), 'utf8'), 'analyst notes\n');
  assert.ok(existsSync(join(folder, 'pack.json')));
});

test('narrower build names the packs it left', async (t) => {
  const out = join(makeTempDir('narrower', t), 'packs');
  const all = await runCli(['build', FEED, '--out', out, '--json']);
  assert.equal(all.code, 0, all.stderr);
  const every = (JSON.parse(all.stdout) as { packs: Array<{ folder: string }> }).packs;
  assert.deepEqual((JSON.parse(all.stdout) as { earlierPacks: string[] }).earlierPacks, []);

  const one = await runCli(['build', FEED, '--family', 'Remcos', '--out', out]);
  assert.equal(one.code, 0, one.stderr);
  const left = every.length - 1;
  assert.match(
    one.stdout,
    new RegExp(`\\n${left} packs in .* from earlier builds left as they were: `),
  );
  assert.doesNotMatch(one.stdout.split('earlier builds')[1] ?? '', /\bremcos\b/);

  const json = await runCli(['build', FEED, '--family', 'Remcos', '--out', out, '--json']);
  const earlier = (JSON.parse(json.stdout) as { earlierPacks: string[] }).earlierPacks;
  assert.equal(earlier.length, left);
  assert.ok(!earlier.includes('remcos'));
  assert.ok(earlier.includes('xworm'));
});
