import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { hasCrOnlyLineEnds } from '../../src/feeds/line-ends.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = join(REPO_ROOT, 'data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
const MISP = join(REPO_ROOT, 'test/fixtures/misp/eset_sshdoor-crait_ip-dst-port.json');

/** Returns the text with every line end made a lone CR. */
function withCrLineEnds(text: string): string {
  return text.replace(/\r?\n/g, '\r');
}

test('CR-only line ends are told apart', () => {
  assert.equal(hasCrOnlyLineEnds('a\rb\rc'), true);
  assert.equal(hasCrOnlyLineEnds('a\rb\r'), true);
  assert.equal(hasCrOnlyLineEnds('a\r\nb\r\n'), false);
  assert.equal(hasCrOnlyLineEnds('a\nb\rc'), false);
  assert.equal(hasCrOnlyLineEnds('one line\r'), false);
  assert.equal(hasCrOnlyLineEnds('one line'), false);
  assert.equal(hasCrOnlyLineEnds(''), false);
});

test('build fails on a CSV with CR line ends', async (t) => {
  const folder = makeTempDir('cr-feed', t);
  const feed = join(folder, 'feed.csv');
  await writeFile(feed, withCrLineEnds(await readFile(FEED, 'utf8')));
  const result = await runCli(['build', feed, '--out', join(folder, 'packs')]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /error CR_LINE_ENDS: .*feed\.csv" ends its lines with a carriage return alone/,
  );
});

test('build reads JSON with CR line ends', async (t) => {
  const folder = makeTempDir('cr-json', t);
  const feed = join(folder, 'event.json');
  await writeFile(feed, withCrLineEnds(await readFile(MISP, 'utf8')));
  const crResult = await runCli(['build', feed, '--out', join(folder, 'cr'), '--json']);
  const lfResult = await runCli(['build', MISP, '--out', join(folder, 'lf'), '--json']);
  assert.equal(crResult.code, 0, crResult.stderr);
  const counts = (stdout: string) => (JSON.parse(stdout) as { counts: unknown }).counts;
  assert.deepEqual(counts(crResult.stdout), counts(lfResult.stdout));
});

test('hunt fails on a log with CR line ends', async (t) => {
  const folder = makeTempDir('cr-log', t);
  const source = join(REPO_ROOT, 'test/fixtures/logs/cef');
  const name = (await readdir(source)).find((file) => !file.endsWith('.md'))!;
  const log = join(folder, 'cr.log');
  await writeFile(log, withCrLineEnds(await readFile(join(source, name), 'utf8')));
  const result = await runCli(['hunt', '--feed', FEED, log, '--year', '2024']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /error CR_LINE_ENDS/);
});
