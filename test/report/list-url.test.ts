import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import type { Indicator, MalwareFamily } from '../../src/indicators/model.js';
import { buildPacks, type BuildPacksOptions } from '../../src/report/build-packs.js';
import { renderReport } from '../../src/report/markdown.js';
import { packToJson } from '../../src/report/write-pack.js';
import { watchlistCsv } from '../../src/report/watchlist.js';
import { checkKql } from '../../src/validate/kusto.js';
import { listSizeWarnings, parseListUrl } from '../../src/cli/build-list-url.js';
import { quoteValue, UsageError } from '../../src/errors.js';
import { hashIndicator, urlIndicator } from '../pipeline/allowlist/make-indicator.js';
import { parseTokens } from '../backends/kql/parse-tokens.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const LIST_URL = 'https://acct.blob.core.windows.net/iocs/{file}?sv=2022-11-02&sig=a%2Fb%3D';

/** MD5 indicators of one family, too many for four inline parts of a Defender query. */
function manyHashes(): Indicator[] {
  const family: MalwareFamily = { name: 'Testfam', malpedia: 'win.testfam', aliases: [] };
  return Array.from({ length: 3000 }, (_, index) => ({
    ...hashIndicator('md5', index.toString(16).padStart(32, 'b')),
    family,
    threatType: 'payload',
    confidence: 75,
    firstSeen: new Date(Date.UTC(2026, 0, 1) + index * 1000),
  }));
}

function packOf(listUrl?: string): ReturnType<typeof buildPacks>[number] {
  const options: BuildPacksOptions = {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['feed.csv'],
    listUrl,
  };
  const [pack] = buildPacks(manyHashes(), options);
  assert.ok(pack);
  return pack;
}

test('Defender hunts read long lists by URL', () => {
  const pack = packOf(LIST_URL);
  const defender = pack.queries.filter((query) => query.hunt.source.platform === 'defender');
  assert.ok(defender.length >= 3, `only ${defender.length} Defender queries`);
  assert.deepEqual(
    pack.skippedHunts.filter((skipped) => skipped.reason.includes('more than')),
    [],
  );
  assert.equal(pack.watchlists.length, 1);
  const watchlist = pack.watchlists[0]!;
  const url = LIST_URL.replace('{file}', `${watchlist.alias}.csv`);
  assert.equal(watchlist.url, url);
  for (const { hunt, query, listUrl, watchlist: alias } of defender) {
    assert.equal(listUrl, url, hunt.id);
    assert.equal(alias, undefined, hunt.id);
    assert.ok(watchlist.huntIds.includes(hunt.id), hunt.id);
    assert.deepEqual(checkKql(query, { platform: 'defender' }), [], hunt.id);
    assert.doesNotMatch(query, /_GetWatchlist/);
    const literals = parseTokens(query).filter((token) => token.valueText === url);
    assert.equal(literals.length, 1, `${hunt.id} names the URL once`);
  }
  // The Sentinel hunts of the same list keep reading the watchlist.
  const sentinel = pack.queries.filter((query) => query.hunt.source.platform === 'sentinel');
  assert.ok(sentinel.length > 0);
  for (const query of sentinel) assert.equal(query.watchlist, watchlist.alias, query.hunt.id);
});

test('externaldata columns follow the CSV header', () => {
  const pack = packOf(LIST_URL);
  const watchlist = pack.watchlists[0]!;
  const header = watchlistCsv(watchlist.table).split('\r\n')[0]!.split(',');
  for (const { hunt, query } of pack.queries.filter((item) => item.listUrl !== undefined)) {
    const schema = /externaldata\(([^)]*)\)/.exec(query)?.[1];
    assert.ok(schema, hunt.id);
    const columns = schema.split(', ').map((column) => column.split(':')[0]);
    assert.deepEqual(columns, header, hunt.id);
    assert.match(query, /with \(format="csv", ignoreFirstRecord=true\);/);
  }
});

test('report and pack.json name the URL', () => {
  const pack = packOf(LIST_URL);
  const watchlist = pack.watchlists[0]!;
  const report = renderReport(pack);
  assert.ok(report.includes(`- \`${watchlist.file}\`: <${watchlist.url}>`));
  const json = packToJson(pack) as {
    hunts: Array<{ platform: string; listUrl?: string }>;
    watchlists: Array<{ url?: string }>;
  };
  assert.equal(json.watchlists[0]!.url, watchlist.url);
  const defender = json.hunts.filter((hunt) => hunt.platform === 'defender');
  assert.ok(defender.length > 0);
  for (const hunt of defender) assert.equal(hunt.listUrl, watchlist.url);
});

test('without a URL Defender hunts are skipped', () => {
  const pack = packOf();
  assert.equal(
    pack.queries.some((query) => query.hunt.source.platform === 'defender'),
    false,
  );
  const skipped = pack.skippedHunts.filter((item) => item.huntId.includes('-defender-'));
  assert.ok(skipped.length >= 3);
  for (const item of skipped) assert.match(item.reason, /--list-url/);
  assert.equal(pack.watchlists[0]!.url, undefined);
});

test('hostile list URL stays one literal', () => {
  const [hunt] = packOf(LIST_URL).queries.filter((query) => query.listUrl !== undefined);
  assert.ok(hunt);
  const hostile = 'https://x.example/a"]\n| take 1 // \\';
  const query = compileKql(hunt.hunt, { generatorVersion: 'test', listUrl: hostile });
  assert.deepEqual(checkKql(query, { platform: 'defender' }), []);
  const literals = parseTokens(query).filter((token) => token.valueText === hostile);
  assert.equal(literals.length, 1);
  assert.equal(query.includes('\n| take 1'), false);
});

test('list URL forms', () => {
  for (const good of [
    'https://acct.blob.core.windows.net/iocs/{file}',
    LIST_URL,
    'https://raw.example.com/{file}',
  ]) {
    assert.equal(parseListUrl(good), good);
  }
  const cases: Array<[string, RegExp]> = [
    ['http://acct.example/{file}', /must start with https/],
    ['https://acct.example/iocs/', /contain \{file\} once/],
    ['https://acct.example/{file}/{file}', /contain \{file\} once/],
    ['https://{file}/iocs', /last part of its path/],
    ['https://acct.example/{file}.csv', /last part of its path/],
    ['https://acct.example/a b/{file}', /contains a space, quote/],
    ['https://acct.example/"x/{file}', /contains a space, quote/],
    ['https://acct.example/x\u0007/{file}', /contains a space, quote/],
    ['not a url {file}', /contains a space, quote/],
    ['{file}', /not a URL/],
    ['https://user:pass@acct.example/{file}', /contains a user name or password/],
    ['https://:@acct.example/{file}', /contains a user name or password/],
    ['https:@acct.example/iocs/{file}', /must start with https:\/\//],
    ['https:/:@acct.example/iocs/{file}', /must start with https:\/\//],
    ['https:\\\\acct.example\\{file}', /backslash/],
    ['https://acct.example/{file}?sig=a;key', /semicolon/],
    ['https://acct.example/{file}#part', /fragment/],
  ];
  for (const [bad, reason] of cases) {
    assert.throws(
      () => parseListUrl(bad),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'INVALID_LIST_URL' &&
        reason.test(error.message) &&
        error.message.includes(quoteValue(bad, 400)),
      bad,
    );
  }
});

test('list file over 100 MB warns', async (t) => {
  const pack = packOf(LIST_URL);
  const folder = makeTempDir('list-url', t);
  const watchlist = pack.watchlists[0]!;
  const path = join(folder, watchlist.file);
  await mkdir(join(folder, 'watchlists'));
  await writeFile(path, '');
  const messages: string[] = [];
  const io = { stderr: { write: (text: string) => messages.push(text) } };

  await truncate(path, 100 * 1024 * 1024);
  await listSizeWarnings(pack, folder, io);
  assert.equal(messages.length, 0, 'exactly 100 MB is within the limit');

  await truncate(path, 100 * 1024 * 1024 + 1);
  await listSizeWarnings(pack, folder, io);
  assert.equal(messages.length, 1);
  assert.match(messages[0]!, /externaldata reads at most 100 MB/);
  assert.ok(messages[0]!.includes(path));
});

test('list files keep indicators too long for a query', () => {
  const family: MalwareFamily = { name: 'Testfam', aliases: [] };
  const long = `http://long.example.com/${'a'.repeat(12_000)}`;
  const [pack] = buildPacks(
    [long, `${long}b`].map((url) => ({ ...urlIndicator(url), family })),
    {
      lookback: { amount: 30, unit: 'd' },
      generatorVersion: 'test',
      feeds: ['feed.csv'],
      listUrl: LIST_URL,
    },
  );
  assert.ok(pack);
  assert.equal(pack.omittedIndicators, undefined);
  const urlHunts = pack.queries.filter((query) => query.hunt.variant === 'url');
  assert.ok(urlHunts.some((query) => query.listUrl !== undefined));
  assert.ok(urlHunts.some((query) => query.watchlist !== undefined));
  for (const query of urlHunts) {
    assert.deepEqual(
      query.hunt.iocs.rows.map((row) => row[0]),
      [long, `${long}b`],
      query.hunt.id,
    );
  }
});
