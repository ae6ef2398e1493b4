/**
 * `build --state --only-new` on lists too long to inline: each run's pack is deployed beside the
 * earlier ones, so its watchlist must not take the alias that the earlier rules read.
 */
import assert from 'node:assert/strict';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HEADER =
  'ioc_id,ioc_value,ioc_type,threat_type,fk_malware,malware_printable,confidence_level,first_seen_utc';

/** Writes a ThreatFox CSV of `count` C2 domains of one family, numbered from `from`. */
async function writeFeed(path: string, from: number, count: number): Promise<void> {
  const rows = [HEADER];
  for (let index = from; index < from + count; index++) {
    rows.push(
      `${index + 1},node${index}.wlrat-c2.xyz,domain,botnet_cc,win.wlrat,WlRAT,100,2026-01-01 00:00:00`,
    );
  }
  await writeFile(path, rows.join('\n') + '\n');
}

async function aliasesOf(packFolder: string): Promise<string[]> {
  const files = await readdir(join(packFolder, 'watchlists'));
  return files.map((file) => file.replace(/\.csv$/, '')).sort();
}

test('only-new watchlist gets own alias', async (t) => {
  const folder = makeTempDir('only-new-watchlist', t);
  const state = join(folder, 'state.json');
  await writeFeed(join(folder, 'day1.csv'), 0, 700);
  await writeFeed(join(folder, 'day2.csv'), 0, 1400);

  const day1 = await runCli([
    'build',
    join(folder, 'day1.csv'),
    '--state',
    state,
    '--out',
    join(folder, 'full'),
  ]);
  assert.equal(day1.code, 0, day1.stderr);
  const fullAliases = await aliasesOf(join(folder, 'full', 'wlrat'));
  assert.deepEqual(fullAliases, ['huntpack_wlrat_domain']);
  await copyFile(state, join(folder, 'state-copy.json'));

  const day2 = await runCli([
    'build',
    join(folder, 'day2.csv'),
    '--state',
    state,
    '--only-new',
    '--out',
    join(folder, 'new'),
  ]);
  assert.equal(day2.code, 0, day2.stderr);
  const pack = join(folder, 'new', 'wlrat');
  const [alias] = await aliasesOf(pack);
  assert.match(alias ?? '', /^huntpack_wlrat_domain_[0-9a-f]{8}$/);

  // Every Sentinel query of the new pack reads its own list, never the full pack's.
  const queries = await readdir(join(pack, 'queries'));
  const readers = [];
  for (const file of queries) {
    const text = await readFile(join(pack, 'queries', file), 'utf8');
    assert.doesNotMatch(text, /_GetWatchlist\("huntpack_wlrat_domain"\)/, file);
    if (text.includes(`_GetWatchlist("${alias}")`)) readers.push(file);
  }
  assert.ok(readers.length > 0, 'some query reads the new list');
  const csv = await readFile(join(pack, 'watchlists', `${alias}.csv`), 'utf8');
  assert.ok(csv.includes('node1000.wlrat-c2.xyz'));
  assert.ok(!csv.includes('node0.wlrat-c2.xyz'));
  const report = await readFile(join(pack, 'report.md'), 'utf8');
  assert.match(
    report,
    /only the indicators new since the last run, so each list has an alias of its own/,
  );
  assert.ok(report.includes(`| ${alias} |`));

  // The alias follows the list's content, so the same new indicators give the same alias.
  const again = await runCli([
    'build',
    join(folder, 'day2.csv'),
    '--state',
    join(folder, 'state-copy.json'),
    '--only-new',
    '--out',
    join(folder, 'again'),
  ]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await aliasesOf(join(folder, 'again', 'wlrat')), [alias]);
});
