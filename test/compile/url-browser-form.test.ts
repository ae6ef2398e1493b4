/**
 * A URL indicator is also hunted in the form that browsers send (WHATWG URL parsing): dot
 * segments resolved, `\` read as `/`, and spaces, quotes and angle brackets percent-encoded.
 */
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { buildIocTables } from '../../src/compile/ioc-tables.js';
import type { EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';
import { EventPrefilter } from '../../src/hunt/event-prefilter.js';
import { urlHostName, urlInBrowserForm, urlKey } from '../../src/indicators/url.js';
import { getDataSource } from '../../src/pipeline/data-sources.js';
import { buildPacks } from '../../src/report/build-packs.js';
import { readPackHunts } from '../../src/report/read-pack.js';
import { writePack } from '../../src/report/write-pack.js';
import { checkKql } from '../../src/validate/kusto.js';
import { itMatchesOnBothSides } from '../helpers/agreement.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Feed URLs and the form in which a browser sends each. */
const BROWSER_FORMS: Array<[literal: string, browser: string]> = [
  ['http://evil.test/a/../gate.php', 'http://evil.test/gate.php'],
  ['http://evil.test/a/%2e%2E/b/./gate.php', 'http://evil.test/b/gate.php'],
  ['http://evil.test/dl\\x.exe', 'http://evil.test/dl/x.exe'],
  ['http://evil.test/q"x<y>.php', 'http://evil.test/q%22x%3Cy%3E.php'],
  ['http://evil.test/p?q="a"&r=<b>', 'http://evil.test/p?q=%22a%22&r=%3Cb%3E'],
  ["http://evil.test/`{x}'?y='z'", "http://evil.test/%60%7Bx%7D'?y=%27z%27"],
  ['https://u:p@evil.test:8443/a/../b', 'https://u:p@evil.test:8443/b'],
  ['ftp://evil.test:21/a/../b', 'ftp://evil.test:21/b'],
  ['ws://[2001:db8::1]:8080/a/./b', 'ws://[2001:db8::1]:8080/a/b'],
];

test('urlInBrowserForm rewrites as browsers do', () => {
  for (const [literal, browser] of BROWSER_FORMS) {
    assert.equal(urlInBrowserForm(literal), browser, literal);
  }
});

test('urlInBrowserForm skips same-key forms', () => {
  for (const url of [
    'http://evil.test/gate.php',
    'http://evil.test/x%20y.exe',
    'https://evil.test/a?b=%22',
    'http://evil.test/%zz',
    // Other schemes are no WHATWG special schemes, so their paths stay as they are.
    'tcp://evil.test/a/../b',
    'hxxp://evil.test/a/../b',
  ]) {
    assert.equal(urlInBrowserForm(url), undefined, url);
  }
});

test('urlInBrowserForm keeps the host', () => {
  const part = fc.constantFrom(
    'a',
    '.',
    '..',
    '%2e',
    '%2E%2e',
    '/',
    '\\',
    ' ',
    '"',
    '<',
    '>',
    "'",
    '`',
    '{',
    '}',
    '?',
    '@',
    ':',
    '%41',
    'ф',
  );
  const path = fc.array(part, { maxLength: 12 }).map((parts) => parts.join(''));
  const prefix = fc.constantFrom(
    'http://evil.test',
    'https://user:pw@evil.test:8443',
    'ws://1.2.3.4:8080',
    'ftp://[2001:db8::1]',
    'http://xn--bcher-evil-9db.de',
  );
  fc.assert(
    fc.property(prefix, path, (start, rest) => {
      const url = `${start}/${rest.replaceAll(' ', '%20')}`;
      const browser = urlInBrowserForm(url);
      if (browser === undefined) return;
      assert.ok(browser.startsWith(`${start}/`), `${url} became ${browser}`);
      assert.equal(urlHostName(browser), urlHostName(url), url);
      assert.notEqual(urlKey(browser), urlKey(url), url);
      const href = new URL(url).href;
      const pathStart = href.indexOf('/', href.indexOf('://') + 3);
      assert.equal(browser, start + href.slice(pathStart), url);
    }),
    { numRuns: 1000 },
  );
});

test('browser form adds one row', () => {
  const indicators = makeIndicators([
    ['url', 'http://evil.test/a/../gate.php'],
    ['url', 'http://evil.test/plain.php'],
  ]);
  const tables = buildIocTables(indicators);
  assert.deepEqual(
    tables.url.rows.map((row) => row[0]),
    ['http://evil.test/a/../gate.php', 'http://evil.test/plain.php', 'http://evil.test/gate.php'],
  );
  // The browser row carries the context of its indicator.
  assert.deepEqual(tables.url.rows[2]!.slice(1), tables.url.rows[0]!.slice(1));
  assert.deepEqual(
    tables.domain.rows.map((row) => row[0]),
    ['evil.test'],
  );
});

test('browser form of an indicator folds', () => {
  const indicators = makeIndicators([
    ['url', 'http://evil.test/a/../gate.php'],
    ['url', 'https://evil.test/gate.php'],
    ['url', 'http://evil.test/путь'],
  ]);
  const rows = buildIocTables(indicators).url.rows;
  assert.deepEqual(
    rows.map((row) => [row[0], row[1]]),
    [
      ['http://evil.test/a/../gate.php', ''],
      ['https://evil.test/gate.php', 'http://evil.test/a/../gate.php'],
      ['http://evil.test/путь', ''],
      ['http://evil.test/%D0%BF%D1%83%D1%82%D1%8C', ''],
    ],
  );
});

test('Unicode host URL gets browser row', () => {
  const indicators = makeIndicators([['url', 'http://пример-url.рф/a/../b?q="x"']]);
  const rows = buildIocTables(indicators).url.rows;
  assert.deepEqual(
    rows.map((row) => row[0]),
    [
      'http://xn---url-u4dr2awjd.xn--p1ai/a/../b?q="x"',
      'http://пример-url.рф/a/../b?q="x"',
      'http://xn---url-u4dr2awjd.xn--p1ai/b?q=%22x%22',
      'http://пример-url.рф/b?q=%22x%22',
    ],
  );
});

test('format 9 has no browser rows', () => {
  const indicators = makeIndicators([['url', 'http://evil.test/a/../gate.php']]);
  const rows = buildIocTables(indicators, { formatVersion: 9 }).url.rows;
  assert.deepEqual(
    rows.map((row) => row[0]),
    ['http://evil.test/a/../gate.php'],
  );
});

const SOURCES = ['sentinel-commonsecuritylog', 'sentinel-devicenetworkevents'].map(getDataSource);

const INDICATORS: Array<[string, string]> = [
  ['url', 'http://evil.test/a/../gate.php'],
  ['url', 'http://evil.test/dl\\x.exe'],
  ['url', 'http://evil.test/q"x<y>.php'],
  ['url', 'http://evil.test/p?q="a"&r=<b>'],
  ['url', 'http://evil.test/x y.exe'],
];

function urlHunts(): Hunt[] {
  return buildHunts(makeIndicators(INDICATORS), {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: SOURCES,
  }).filter((hunt) => hunt.variant === 'url');
}

/** RequestURL values of CommonSecurityLog events and the indicator row each matches, if any. */
const REQUEST_URLS: Array<[url: string, row: string | undefined]> = [
  ['http://evil.test/gate.php', 'http://evil.test/gate.php'],
  ['http://evil.test/a/../gate.php', 'http://evil.test/a/../gate.php'],
  ['https://EVIL.test:443/gate.php', 'http://evil.test/gate.php'],
  ['http://evil.test/dl/x.exe', 'http://evil.test/dl/x.exe'],
  ['http://evil.test/dl\\x.exe', 'http://evil.test/dl\\x.exe'],
  ['http://evil.test/q%22x%3Cy%3E.php', 'http://evil.test/q%22x%3Cy%3E.php'],
  ['http://evil.test/q"x<y>.php', 'http://evil.test/q"x<y>.php'],
  ['http://evil.test/p?q=%22a%22&r=%3Cb%3E', 'http://evil.test/p?q=%22a%22&r=%3Cb%3E'],
  ['http://evil.test/p?q="a"&r=<b>', 'http://evil.test/p?q="a"&r=<b>'],
  ['http://evil.test/x%20y.exe', 'http://evil.test/x%20y.exe'],
  // Hex digits match in either case.
  ['http://evil.test/q%22x%3cy%3e.php', 'http://evil.test/q%22x%3Cy%3E.php'],
  // Other paths, and other spellings of the same characters, do not match.
  ['http://evil.test/a/gate.php', undefined],
  ['http://evil.test/b/../gate.php', undefined],
  ['http://evil.test/dl/y.exe', undefined],
  ['http://evil.test/p?q=%22a%22&r=%3Cc%3E', undefined],
  ['http://evil.test/x+y.exe', undefined],
  ['http://other.test/gate.php', undefined],
];

const EVENTS: Record<string, EventRow[]> = {
  CommonSecurityLog: [
    ...REQUEST_URLS.map(([url]) => ({ RequestURL: url })),
    { DestinationHostName: 'evil.test', RequestURL: '/dl/x.exe' },
    { DestinationHostName: 'evil.test', RequestURL: '/dl/y.exe' },
  ],
  DeviceNetworkEvents: [
    { RemoteUrl: 'evil.test/gate.php' },
    { RemoteUrl: 'evil.test/a/../gate.php' },
    { RemoteUrl: 'evil.test/a/gate.php' },
  ],
};

/** Per table, the index of each event that matches and the row value it matches. */
const EXPECTED: Record<string, Array<[event: number, row: string]>> = {
  CommonSecurityLog: [
    ...REQUEST_URLS.flatMap(([, row], index): Array<[number, string]> =>
      row === undefined ? [] : [[index, row]],
    ),
    [REQUEST_URLS.length, 'http://evil.test/dl/x.exe'],
  ],
  DeviceNetworkEvents: [
    [0, 'http://evil.test/gate.php'],
    [1, 'http://evil.test/a/../gate.php'],
  ],
};

describe('url hunts over browser forms', () => {
  const hunts = urlHunts();
  let session: DuckDbHuntSession;
  before(async () => {
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('gives each hunt the browser rows', () => {
    assert.equal(hunts.length, SOURCES.length);
    for (const hunt of hunts) {
      // 5 indicators and 4 browser rows; the space was encoded when the URL was read.
      assert.equal(hunt.iocs.rows.length, 9, hunt.id);
    }
  });

  itMatchesOnBothSides(hunts, () => session, EVENTS, EXPECTED);

  for (const [table, events] of Object.entries(EVENTS)) {
    it(`prefilter keeps ${table} hits`, () => {
      const prefilter = EventPrefilter.of(hunts);
      for (const [index] of EXPECTED[table]!) {
        assert.ok(prefilter.keeps(table, events[index]!), `prefilter dropped event ${index}`);
      }
    });
  }

  it('KQL passes the Kusto check', () => {
    for (const hunt of hunts) {
      const query = compileKql(hunt, { generatorVersion: 'test' });
      const errors = checkKql(query, { platform: hunt.source.platform }).filter(
        (diagnostic) => diagnostic.severity === 'error',
      );
      assert.deepEqual(errors, [], `${hunt.id}\n${query}`);
      assert.ok(query.includes('"http://evil.test/gate.php"'), hunt.id);
      assert.ok(query.includes('"http://evil.test/q%22x%3Cy%3E.php"'), hunt.id);
    }
  });
});

describe('pack with browser rows', () => {
  it('shows the feed value and counts indicators', async (t) => {
    const [pack] = buildPacks(makeIndicators([['url', 'http://evil.test/a/../gate.php']]), {
      lookback: { amount: 30, unit: 'd' },
      generatorVersion: 'test',
      feeds: ['feed.csv'],
    });
    assert.ok(pack);
    assert.equal(pack.indicators.length, 1);
    const folder = await writePack(pack, makeTempDir('pack', t));
    const written = JSON.parse(await readFile(join(folder, 'pack.json'), 'utf8')) as {
      counts: { indicators: number };
      indicators: Array<{ value: string }>;
    };
    assert.equal(written.counts.indicators, 1);
    assert.deepEqual(
      written.indicators.map((indicator) => indicator.value),
      ['http://evil.test/a/../gate.php'],
    );
    const report = await readFile(join(folder, 'report.md'), 'utf8');
    assert.match(report, /^\| Indicators \| 1 \(1 url\) \|$/m);
    assert.ok(report.includes('evil.test/a/../gate.php'), 'report.md names the feed value');
    assert.deepEqual(
      await readPackHunts(folder),
      pack.queries.map((query) => query.hunt),
    );
  });
});
