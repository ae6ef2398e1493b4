/**
 * A feed large enough for the allowlists to run on a worker thread while it is read must give
 * the same packs as a small feed decided on the main thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { THREATFOX_HEADER } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Remcos values that lists set aside or mark, and one that no list names. */
const REMCOS: Array<[string, string]> = [
  ['10.1.2.3:4444', 'ip:port'],
  ['13.55.118.253:443', 'ip:port'],
  ['google.com', 'domain'],
  ['https://pastebin.com/raw/abcd', 'url'],
  ['d41d8cd98f00b204e9800998ecf8427e', 'md5_hash'],
  ['c2.evil-example.top', 'domain'],
];

/** More distinct indicators than the build reads before it starts the allowlist worker. */
const FILLER = 60_000;

function row(id: number, value: string, type: string, family: [string, string]): string {
  return (
    `"2026-04-12 04:00:00", "${id}", "${value}", "${type}", "botnet_cc", "${family[0]}", ` +
    `"None", "${family[1]}", "", "100", "False", "None", "None", "0", "tester"`
  );
}

/** Writes a feed of the Remcos values, spread over `filler` other indicators. */
function writeFeed(file: string, filler: number): void {
  const remcos = REMCOS.map(([value, type], position) =>
    row(9_000_000 + position, value, type, ['win.remcos', 'Remcos']),
  );
  const lines = [THREATFOX_HEADER];
  for (let position = 0; position < filler; position++) {
    // Remcos rows come first, in the middle and last, so they fall in different batches.
    if (position % Math.max(1, Math.floor(filler / 3)) === 0) lines.push(remcos.shift()!);
    lines.push(row(position + 1, `n${position}.fill-example.top`, 'domain', ['js.x', 'Filler']));
  }
  lines.push(...remcos, '');
  writeFileSync(file, lines.join('\n'));
}

/** Returns the allowlist outcome that the Remcos pack shows: what it set aside and marks. */
function remcosOutcome(packs: string): unknown {
  const pack = JSON.parse(readFileSync(join(packs, 'remcos', 'pack.json'), 'utf8')) as {
    indicators: Array<{ value: string; exactOnly?: unknown }>;
    setAside: Array<{ indicator: { value: string }; list: string; entry: string; reason: string }>;
  };
  return {
    setAside: pack.setAside.map((item) => [
      item.indicator.value,
      item.list,
      item.entry,
      item.reason,
    ]),
    marked: pack.indicators.map((indicator) => [indicator.value, indicator.exactOnly]),
  };
}

test('large feed gets small feed outcomes', async (t) => {
  const folder = makeTempDir('large-feed-allowlists', t);
  const small = join(folder, 'small.csv');
  const large = join(folder, 'large.csv');
  writeFeed(small, 0);
  writeFeed(large, FILLER);

  const smallRun = await runCli(['build', small, '--out', join(folder, 'small')]);
  assert.equal(smallRun.code, 0, smallRun.stderr);
  const largeRun = await runCli(['build', large, '--out', join(folder, 'large')]);
  assert.equal(largeRun.code, 0, largeRun.stderr);

  const expected = remcosOutcome(join(folder, 'small')) as { setAside: string[][] };
  assert.deepEqual(remcosOutcome(join(folder, 'large')), expected);
  assert.deepEqual(
    expected.setAside.map(([value, list]) => [value, list]),
    [
      ['10.1.2.3:4444', 'rfc1918'],
      ['google.com', 'google'],
      ['d41d8cd98f00b204e9800998ecf8427e', 'empty-hashes'],
    ],
  );
  assert.match(largeRun.stdout, new RegExp(`rows read ${FILLER + REMCOS.length} = accepted`));
});
