import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
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

interface RunManifest {
  version: number;
  generator: string;
  builtAt: string;
  packs: string[];
  earlierPacks: string[];
  failedInputs: string[];
}

async function readManifest(out: string): Promise<RunManifest> {
  return JSON.parse(await readFile(join(out, 'build-run.json'), 'utf8')) as RunManifest;
}

test('run manifest lists this run only', async (t) => {
  const out = join(makeTempDir('manifest', t), 'packs');
  const first = await runCli(['build', FEED, '--family', 'Remcos', '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  const before = await readManifest(out);
  assert.equal(before.version, 1);
  assert.deepEqual(before.packs, ['remcos']);
  assert.deepEqual(before.earlierPacks, []);
  assert.deepEqual(before.failedInputs, []);
  assert.match(before.generator, /^huntpack \d/);

  const second = await runCli(['build', FEED, '--family', 'ClearFake', '--out', out]);
  assert.equal(second.code, 0, second.stderr);
  const after = await readManifest(out);
  assert.deepEqual(after.packs, ['clearfake']);
  assert.deepEqual(after.earlierPacks, ['remcos']);
  assert.ok(after.builtAt >= before.builtAt);
  assert.equal(Number.isNaN(Date.parse(after.builtAt)), false);
});

test('run manifest names a failed input', async (t) => {
  const folder = makeTempDir('manifest-failed', t);
  const out = join(folder, 'packs');
  const whole = await readFile(repoFile(FEED));
  const cut = join(folder, 'cut.csv.gz');
  await writeFile(cut, gzipSync(whole).subarray(0, 20_000));
  const result = await runCli(['build', cut, '--out', out]);
  assert.equal(result.code, 1, result.stderr);
  const manifest = await readManifest(out);
  assert.deepEqual(manifest.failedInputs, [cut]);
  assert.ok(manifest.packs.length > 0);
});

test('stopped build leaves no manifest', async (t) => {
  const out = join(makeTempDir('manifest-stopped', t), 'packs');
  const first = await runCli(['build', FEED, '--family', 'Remcos', '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  // A folder in place of build-issues.txt makes the next build fail after it wrote its packs.
  await rm(join(out, 'build-issues.txt'));
  await mkdir(join(out, 'build-issues.txt'));
  const second = await runCli(['build', FEED, '--family', 'Remcos', '--out', out]);
  assert.notEqual(second.code, 0, second.stderr);
  assert.equal(existsSync(join(out, 'build-run.json')), false);
});
