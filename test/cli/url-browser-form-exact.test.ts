/**
 * End-to-end test of browser forms for URLs that the allowlists keep as exact-URL matches: feed,
 * pack and a local hunt over CEF lines. The browser form of `https://github.com/evilu/repo/../../`
 * is GitHub's home page, so such a URL gets no browser-form row, and neither does any URL whose
 * browser form is a home page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cefLine, huntedLines, THREATFOX_HEADER } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** ThreatFox rows of Remcos payload URLs as `[ioc_value, is_compromised]`. */
const FEED_URLS: Array<[url: string, compromised: boolean]> = [
  ['https://github.com/evilu/repo/../../', false],
  ['https://drive.google.com/uc/../', false],
  ['http://bakery-shop-legit.com/wp/../', true],
  ['http://bakery-shop-legit.com/wp/x/../drop.exe', true],
  ['http://evil-upd4te.xyz/b/../', false],
  ['http://evil-upd4te.xyz/a/../gate.php', false],
];

/** CEF `request` and `dhost` fields, and whether the URL hunt must match the line. */
const REQUESTS: Array<[extension: string, hit: boolean]> = [
  ['dhost=github.com request=/', false],
  ['request=https://github.com/', false],
  ['request=https://drive.google.com/', false],
  ['dhost=bakery-shop-legit.com request=/', false],
  ['dhost=bakery-shop-legit.com request=/wp/drop.exe', false],
  ['dhost=evil-upd4te.xyz request=/', false],
  // The feed forms, and the browser form of a URL on the attacker's own host, still match.
  ['request=https://github.com/evilu/repo/../../', true],
  ['request=http://bakery-shop-legit.com/wp/x/../drop.exe', true],
  ['dhost=evil-upd4te.xyz request=/gate.php', true],
];

function threatFoxRow(id: number, url: string, compromised: boolean): string {
  return (
    `"2026-07-20 04:49:28", "${id}", "${url}", "url", "payload_delivery", "win.remcos", ` +
    `"None", "Remcos", "", "100", "${compromised ? 'True' : 'False'}", "None", "None", "0", "t"`
  );
}

test('exact URLs get no home-page row', async (t) => {
  const folder = makeTempDir('url-browser-exact', t);
  const feed = join(folder, 'feed.csv');
  const rows = FEED_URLS.map(([url, compromised], index) =>
    threatFoxRow(index + 1, url, compromised),
  );
  await writeFile(feed, [THREATFOX_HEADER, ...rows, ''].join('\n'));
  const out = join(folder, 'packs');
  const build = await runCli(['build', feed, '--out', out]);
  assert.equal(build.code, 0, build.stderr);
  const pack = join(out, 'remcos');

  const query = await readFile(join(pack, 'queries', 'remcos-sentinel-csl-url.kql'), 'utf8');
  for (const home of [
    'https://github.com/',
    'https://drive.google.com/',
    'http://bakery-shop-legit.com/',
    'http://evil-upd4te.xyz/',
  ]) {
    assert.ok(!query.includes(`"${home}"`), `the URL table has ${home}`);
  }
  assert.ok(!query.includes('"http://bakery-shop-legit.com/wp/drop.exe"'), query);
  assert.ok(query.includes('"http://evil-upd4te.xyz/gate.php"'), query);

  const log = join(folder, 'proxy.log');
  const lines = REQUESTS.map(([extension], index) =>
    cefLine(10 + index, `src=10.0.0.5 spt=51000 dpt=443 ${extension} act=allow`),
  );
  await writeFile(log, [...lines, ''].join('\n'));
  const urlHits = (await huntedLines(pack, log, folder))
    .filter((pair) => pair.endsWith('-url'))
    .map((pair) => Number(pair.split(' ')[0]));
  const expected = REQUESTS.flatMap(([, hit], index) => (hit ? [index + 1] : []));
  assert.deepEqual(
    [...new Set(urlHits)].sort((a, b) => a - b),
    expected,
  );
});
