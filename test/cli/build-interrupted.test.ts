/**
 * A build stopped by Ctrl-C while it writes packs prints what the output folder contains, and
 * leaves no pack with a pack.json beside another build's files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { growThreatFoxCsv } from '../../bench/grow-feed.js';
import { interruptMessage } from '../../src/cli/build-write-packs.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

test('interrupt message names the partial pack', () => {
  const message = interruptMessage('SIGINT', '/tmp/packs', { written: 3, writing: 'remcos' });
  assert.match(message, /stopped by SIGINT while writing packs to \/tmp\/packs/);
  assert.match(message, /3 packs of this build are complete/);
  assert.match(message, /\/tmp\/packs\/remcos was being written and has no pack\.json/);
  assert.match(message, /Build again to finish/);
  const between = interruptMessage('SIGTERM', '/tmp/packs', { written: 1 });
  assert.match(between, /1 pack of this build is complete/);
  assert.doesNotMatch(between, /was being written/);
});

test('build stopped by SIGINT reports and exits 130', async (t) => {
  const folder = makeTempDir('build-interrupted', t);
  const feed = join(folder, 'feed.csv');
  // Large enough that writing the packs takes a second or more.
  await growThreatFoxCsv(feed, 40_000);
  const out = join(folder, 'packs');
  const child = spawn(
    process.execPath,
    [repoFile('bin/huntpack.js'), 'build', feed, '--out', out],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));

  // The first pack.json shows that writing has begun.
  let exited = false;
  void closed.then(() => (exited = true));
  const hasPackJson = (): boolean =>
    existsSync(out) && readdirSync(out).some((name) => existsSync(join(out, name, 'pack.json')));
  while (!exited && !hasPackJson()) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(!exited, `the build finished before it could be stopped:\n${stderr}`);
  child.kill('SIGINT');
  const code = await closed;

  assert.equal(code, 130, stderr);
  assert.match(stderr, /stopped by SIGINT while writing packs to /);
  const partial = /(\S+) was being written and has no pack\.json/.exec(stderr)?.[1];
  for (const name of readdirSync(out)) {
    const pack = join(out, name);
    // A pack.json that the exit cut short is not left under its partial name either.
    assert.ok(!existsSync(join(pack, 'pack.json.partial')), `${pack} has a partial pack.json`);
    if (!existsSync(join(pack, 'report.md'))) continue;
    if (pack === partial) {
      assert.ok(!existsSync(join(pack, 'pack.json')), `${pack} has a pack.json`);
      continue;
    }
    // Every other pack is whole: its pack.json reads as JSON.
    const json = JSON.parse(await readFile(join(pack, 'pack.json'), 'utf8')) as { slug: string };
    assert.equal(json.slug, name);
  }
});
