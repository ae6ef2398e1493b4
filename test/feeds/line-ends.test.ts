import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { hasCrOnlyLineEnds } from '../../src/feeds/line-ends.js';
import { readLineBatches } from '../../src/hunt/logs/log-input.js';
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

async function readLogLines(
  file: string,
): Promise<{ lines: number; code?: string; line?: number }> {
  let lines = 0;
  try {
    for await (const batch of readLineBatches(file)) lines += batch.lines.length;
    return { lines };
  } catch (error) {
    const { code, source } = error as { code?: string; source?: { line?: number } };
    return { lines, code, line: source?.line };
  }
}

test('log lines read up to CR line ends', async (t) => {
  const folder = makeTempDir('cr-tail', t);
  const log = join(folder, 'joined.log');
  await writeFile(log, 'one\ntwo\r\nthree\rfour\rfive\r');
  assert.deepEqual(await readLogLines(log), { lines: 2, code: 'CR_LINE_ENDS', line: 3 });
});

test('CR line ends across a read chunk are found', async (t) => {
  const folder = makeTempDir('cr-chunk', t);
  // Read streams give 64 KiB chunks: the return is the last character of the first one.
  const first = 'a'.repeat(100) + '\n' + 'b'.repeat(65_536 - 102) + '\r';
  const lone = join(folder, 'lone.log');
  await writeFile(lone, first + 'next\rlast\n');
  assert.deepEqual(await readLogLines(lone), { lines: 1, code: 'CR_LINE_ENDS', line: 2 });
  const crlf = join(folder, 'crlf.log');
  await writeFile(crlf, first + '\nnext\r\n');
  assert.deepEqual(await readLogLines(crlf), { lines: 3 });
});
