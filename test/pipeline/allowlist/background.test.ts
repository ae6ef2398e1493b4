/**
 * Allowlist decisions made on a worker thread while a feed is read must equal those of the main
 * thread after reading. The same indicators are kept and set aside, with the same lists, entries
 * and reasons, and the same full-URL and port-only marks.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Indicator } from '../../../src/indicators/model.js';
import { collectIndicators } from '../../../src/pipeline/collect.js';
import {
  applyAllowlists,
  loadAllowlists,
  type AllowlistResult,
  type LoadAllowlistsOptions,
} from '../../../src/pipeline/allowlist/index.js';
import {
  BackgroundAllowlistDecisions,
  type BackgroundDecisionOptions,
} from '../../../src/pipeline/allowlist/background.js';
import { threatFoxCsv } from '../../helpers/feed-and-hunt.js';
import { repoFile } from '../../helpers/shared.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const EXPORT = repoFile('data/threatfox/v3nom_json-export-recent_2026-07-24.json');
const REMCOS = { malpedia: 'win.remcos', name: 'Remcos', threatType: 'botnet_cc' };

/**
 * Values for each list outcome. Lists set aside addresses, ranges, names and hashes, and keep URLs
 * on a platform or a hosting address as full-URL matches. An ip:port on rented hosting is kept for
 * its port only, and some values are on no list.
 */
const VALUES: Array<[string, string]> = [
  ['10.1.2.3:4444', 'ip:port'],
  ['[2001:db8::7]:443', 'ip:port'],
  ['13.55.118.253:443', 'ip:port'],
  ['20.204.61.204:21891', 'ip:port'],
  ['45.67.99.1:8080', 'ip:port'],
  ['google.com', 'domain'],
  ['duckdns.org', 'domain'],
  ['c2.evil-example.top', 'domain'],
  ['https://pastebin.com/raw/abcd', 'url'],
  ['https://pastebin.com/', 'url'],
  ['http://20.204.61.204:8080/load.bin', 'url'],
  ['http://[2001:db8::1]/x', 'url'],
  ['https://evil-example.top/gate.php?id=1', 'url'],
  ['d41d8cd98f00b204e9800998ecf8427e', 'md5_hash'],
  ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'sha256_hash'],
];

/** Writes a ThreatFox CSV export of `VALUES`. */
function writeFeed(t: TestContext): string {
  const file = join(makeTempDir('background-allowlist', t), 'feed.csv');
  writeFileSync(file, threatFoxCsv(REMCOS, VALUES));
  return file;
}

/** Decides on the main thread after reading, as a small build does. */
async function inThread(
  inputs: string[],
  lists: LoadAllowlistsOptions = {},
): Promise<AllowlistResult> {
  const { indicators } = await collectIndicators(inputs);
  return applyAllowlists(indicators, loadAllowlists(lists));
}

/** Decides on a worker while reading; undefined when the worker decided nothing. */
async function onWorker(
  inputs: string[],
  lists: LoadAllowlistsOptions = {},
  options: BackgroundDecisionOptions = { startAt: 1, batchSize: 97 },
): Promise<AllowlistResult | undefined> {
  const background = new BackgroundAllowlistDecisions(lists, options);
  try {
    const { indicators } = await collectIndicators(inputs, {
      onIndicator: (indicator) => background.add(indicator),
    });
    const decided = await background.decisions();
    return decided && applyAllowlists(indicators, loadAllowlists(lists), decided);
  } finally {
    background.close();
  }
}

/** Returns the parts of a result that packs show, by indicator value. */
function outcome(result: AllowlistResult): unknown {
  const mark = (indicator: Indicator): unknown => [indicator.value, indicator.exactOnly];
  return {
    kept: result.kept.map(mark),
    setAside: result.setAside.map(({ indicator, ...decision }) => [indicator.value, decision]),
    fullUrl: result.fullUrl.map(({ indicator, ...decision }) => [indicator.value, decision]),
  };
}

test('worker decides every outcome alike', async (t) => {
  const feed = writeFeed(t);
  const expected = await inThread([feed]);
  const actual = await onWorker([feed]);
  assert.ok(actual, 'the worker decided');
  assert.deepEqual(outcome(actual), outcome(expected));
  // The feed has each outcome, so the comparison is not between two lists of kept values.
  const lists = new Set(expected.setAside.map((item) => item.list));
  for (const list of ['rfc1918', 'rfc3849', 'google', 'trusted-platforms', 'empty-hashes']) {
    assert.ok(lists.has(list), `nothing set aside by ${list}: ${[...lists].join(', ')}`);
  }
  assert.ok(expected.fullUrl.length >= 2, `${expected.fullUrl.length} full-URL matches`);
  const portOnly = expected.kept.filter((indicator) => indicator.kind === 'ip-port');
  assert.ok(portOnly.some((indicator) => indicator.exactOnly?.list === 'amazon-aws'));
});

test('worker decides a real export alike', async () => {
  const expected = await inThread([EXPORT]);
  const actual = await onWorker([EXPORT], {}, { startAt: 1000, batchSize: 1000 });
  assert.ok(actual, 'the worker decided');
  assert.deepEqual(outcome(actual), outcome(expected));
  // Most of its ip:port indicators sit on rented hosting and are hunted on their port only.
  const portOnly = expected.kept.filter((indicator) => indicator.exactOnly).length;
  assert.ok(portOnly > 100, `${portOnly} hunted on their port only`);
});

test('worker applies user and disabled lists', async (t) => {
  const feed = writeFeed(t);
  // A list read by the main thread reaches the worker as text, with no file to read again.
  const userLists = [{ file: 'ours.txt', text: 'evil-example.top\n45.67.99.1\n' }];
  const lists = { userLists, disable: ['tranco10k', 'special-ranges'] };
  const expected = await inThread([feed], lists);
  const actual = await onWorker([feed], lists);
  assert.ok(actual, 'the worker decided');
  assert.deepEqual(outcome(actual), outcome(expected));
  const byList = expected.setAside.map((item) => [item.indicator.value, item.list]);
  assert.deepEqual(
    byList.filter(([, list]) => list!.startsWith('user:')).map(([value]) => value),
    ['45.67.99.1:8080', 'c2.evil-example.top', 'https://evil-example.top/gate.php?id=1'],
  );
  assert.ok(!byList.some(([, list]) => list === 'tranco10k' || list === 'special-ranges'));
});

test('small feed stays on main thread', async (t) => {
  const feed = writeFeed(t);
  const result = await onWorker([feed], {}, { startAt: VALUES.length + 1, batchSize: 5 });
  assert.equal(result, undefined);
});

test('worker without its lists falls back', async (t) => {
  const feed = writeFeed(t);
  // The main thread read this file before the worker starts; here it is gone by then.
  const missing = join(makeTempDir('background-missing-list', t), 'gone.txt');
  const background = new BackgroundAllowlistDecisions(
    { userFiles: [missing] },
    { startAt: 1, batchSize: 5 },
  );
  await collectIndicators([feed], { onIndicator: (indicator) => background.add(indicator) });
  assert.equal(await background.decisions(), undefined);
  assert.match(background.failure ?? '', /^it failed: Cannot read the allowlist file .*gone\.txt/);
});
