import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { SENTINEL_QUERY_LIMIT } from '../../src/backends/kql/kql.backend.js';
import { MAX_NAME_LENGTH } from '../../src/indicators/context.js';
import { collectIndicators } from '../../src/pipeline/collect.js';
import { buildPacks } from '../../src/report/build-packs.js';
import type { Pack } from '../../src/report/pack-model.js';
import { renderReport } from '../../src/report/markdown.js';
import { packToJson } from '../../src/report/write-pack.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { urlIndicator } from '../pipeline/allowlist/make-indicator.js';
import type { MalwareFamily } from '../../src/indicators/model.js';

const HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags","anonymous","reporter"';

const LONG_URL = `http://long.example.com/${'a'.repeat(12_000)}`;

function csvRow(id: number, url: string): string {
  return `"2026-04-12 04:49:28", "${id}", "${url}", "url", "payload_delivery", "win.remcos", "None", "Remcos", "", "75", "None", "None", "0", "tester"`;
}

async function packOf(t: TestContext, urls: string[]): Promise<Pack> {
  const folder = makeTempDir('long-indicators', t);
  const feed = join(folder, 'feed.csv');
  const rows = urls.map((url, index) => csvRow(9_000_001 + index, url));
  writeFileSync(feed, [HEADER, ...rows, ''].join('\n'));
  const collected = await collectIndicators([feed], { now: new Date('2026-04-13T00:00:00Z') });
  assert.equal(collected.indicators.length, urls.length, 'every URL is read');
  const [pack] = buildPacks(collected.indicators, {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: [feed],
  });
  return pack!;
}

test('over-long URL left out of inline queries only', async (t) => {
  const short = [1, 2, 3, 4, 5].map((n) => `http://c2-${n}.example.net/gate.php?id=${n}`);
  const pack = await packOf(t, [short[0]!, short[1]!, LONG_URL, ...short.slice(2)]);
  const urlHunts = pack.queries.filter((query) => query.hunt.variant === 'url');

  // Sentinel reads the whole list from a watchlist, where no URL is too long.
  const sentinel = urlHunts.filter((query) => query.hunt.source.platform === 'sentinel');
  assert.ok(sentinel.length >= 2);
  for (const query of sentinel) {
    assert.ok(query.watchlist, query.hunt.id);
    assert.deepEqual(
      query.hunt.iocs.rows.map((row) => row[0]),
      [short[0], short[1], LONG_URL, ...short.slice(2)],
    );
  }

  // Defender without --list-url keeps an inline query without the long URL.
  const defender = urlHunts.filter((query) => query.hunt.source.platform === 'defender');
  assert.ok(defender.length >= 2, 'Defender keeps its URL hunts');
  for (const query of defender) {
    assert.ok(!query.query.includes('a'.repeat(1_000)), `${query.file} holds the long URL`);
    for (const url of short) assert.ok(query.query.includes(url), `${query.file} lacks ${url}`);
  }
  assert.equal(pack.omittedIndicators?.length, 1);
  const omitted = pack.omittedIndicators[0]!;
  assert.equal(omitted.value, LONG_URL);
  assert.equal(omitted.characters, LONG_URL.length);
  assert.deepEqual([...omitted.huntIds].sort(), defender.map((query) => query.hunt.id).sort());
  for (const query of pack.queries) {
    assert.ok(query.query.length <= SENTINEL_QUERY_LIMIT, `${query.file} is too long`);
  }
  assert.deepEqual(packToJson(pack).omittedIndicators, pack.omittedIndicators);

  const report = renderReport(pack);
  assert.match(report, /^### Indicators too long for a query$/m);
  const row = report.split('\n').find((line) => line.startsWith('| `hxxp://long[.]example[.]com/'));
  assert.ok(row, 'the report lists the long URL defanged');
  assert.ok(row.includes(`| ${LONG_URL.length} |`), 'the row gives the length');
  // The row also names every URL hunt, so only its value cell is measured.
  const valueCell = row.split(' | ')[0]!;
  assert.ok(valueCell.length < 400, 'the row shows only the start of the value');
});

test('over-long URLs go to a watchlist', async (t) => {
  const pack = await packOf(t, [LONG_URL, `${LONG_URL}b`]);
  const urlQueries = pack.queries.filter((query) => query.hunt.variant === 'url');
  assert.ok(urlQueries.length > 0, 'no URL query is written');
  for (const query of urlQueries) {
    assert.equal(query.hunt.source.platform, 'sentinel', query.hunt.id);
    assert.equal(query.hunt.iocs.rows.length, 2, query.hunt.id);
    assert.ok(query.watchlist, query.hunt.id);
    assert.ok(query.query.length < SENTINEL_QUERY_LIMIT, query.hunt.id);
  }
  const watchlist = pack.watchlists.find((entry) => entry.alias === urlQueries[0]!.watchlist);
  assert.equal(watchlist?.rows, 2);
  // Defender has no watchlists, so its URL hunts are skipped and the URLs left out there only.
  const skipped = pack.skippedHunts.filter((hunt) => hunt.huntId.endsWith('-url'));
  assert.ok(skipped.length >= 2);
  for (const hunt of skipped) {
    assert.match(hunt.huntId, /-defender-/);
    assert.match(hunt.reason, /too long for a query, and Defender advanced hunting cannot read/);
  }
  assert.equal(pack.omittedIndicators?.length, 2);
  for (const omitted of pack.omittedIndicators ?? []) {
    assert.deepEqual(
      omitted.huntIds,
      skipped.map((hunt) => hunt.huntId),
    );
  }
});

test('pack without long values has no omitted list', async (t) => {
  const pack = await packOf(t, ['http://c2.example.net/a']);
  assert.equal(pack.omittedIndicators, undefined);
  assert.doesNotMatch(JSON.stringify(packToJson(pack)), /omittedIndicators/);
});

test('over-long family name is shortened', async (t) => {
  const folder = makeTempDir('long-family', t);
  const feed = join(folder, 'feed.csv');
  const family = 'A'.repeat(5_000);
  const row = csvRow(9_100_001, 'http://c2.example.net/gate.php').replace(
    '"Remcos"',
    `"${family}"`,
  );
  writeFileSync(feed, [HEADER, row, ''].join('\n'));
  const collected = await collectIndicators([feed], { now: new Date('2026-04-13T00:00:00Z') });
  assert.deepEqual(
    collected.issues.map((issue) => issue.code),
    ['FAMILY_NAME_TOO_LONG'],
  );
  const options = {
    lookback: { amount: 30, unit: 'd' as const },
    generatorVersion: 'test',
    feeds: [feed],
  };
  const [pack] = buildPacks(collected.indicators, options);
  assert.equal(pack!.family.name, 'A'.repeat(MAX_NAME_LENGTH));
  assert.ok(pack!.queries.length > 0);
  assert.deepEqual(pack!.skippedHunts, []);

  // A library caller that skips normalization gets each hunt skipped with its reason.
  const unshortened = collected.indicators.map((indicator) => ({
    ...indicator,
    family: { name: family, aliases: [] },
  }));
  const [skipping] = buildPacks(unshortened, options);
  assert.equal(skipping!.queries.length, 0);
  assert.equal(skipping!.omittedIndicators?.length ?? 0, 0, 'the indicator is not blamed');
  assert.ok(skipping!.skippedHunts.length > 0);
  for (const skipped of skipping!.skippedHunts) {
    assert.match(skipped.reason, /before any indicator is added/);
    assert.match(skipped.reason, /family name has 5000 characters/);
  }
});

test('no URL hunt is lost near the length limit', () => {
  // Around 7,500 characters a URL fits a query alone, but not with the header line of a split
  // query or the Defender retention note of a long lookback.
  const family: MalwareFamily = { name: 'Remcos', malpedia: 'win.remcos', aliases: [] };
  const short = urlIndicator('http://c2.example.net/gate.php');
  for (let length = 7_450; length <= 7_650; length += 25) {
    for (const lookback of [
      { amount: 30, unit: 'd' as const },
      { amount: 90, unit: 'd' as const },
    ]) {
      const long = urlIndicator(`http://long.example.com/${'a'.repeat(length)}`);
      const [pack] = buildPacks(
        [long, short].map((indicator) => ({ ...indicator, family })),
        { lookback, generatorVersion: 'test', feeds: ['feed.csv'] },
      );
      const where = `${length} characters, lookback ${lookback.amount}d`;
      const skipped = pack!.skippedHunts.filter((hunt) => hunt.huntId.endsWith('-url'));
      assert.deepEqual(skipped, [], where);
      const ids = new Set(
        pack!.queries
          .filter((query) => query.hunt.variant === 'url')
          .map((query) => query.hunt.id.replace(/-part\d+$/, '')),
      );
      assert.equal(ids.size, 7, `${where}: ${[...ids].join(', ')}`);
      for (const query of pack!.queries) {
        assert.ok(query.query.length <= SENTINEL_QUERY_LIMIT, `${where}: ${query.file}`);
      }
    }
  }
});
