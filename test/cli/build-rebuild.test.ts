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
