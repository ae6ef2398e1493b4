/**
 * A URL indicator whose path or query has non-ASCII characters is also hunted with them
 * percent-encoded as UTF-8, the form that browsers send.
 */
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { buildIocTables } from '../../src/compile/ioc-tables.js';
import type { EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';
import { EventPrefilter } from '../../src/hunt/event-prefilter.js';
import { urlWithPercentEncodedPath } from '../../src/indicators/url.js';
import { getDataSource } from '../../src/pipeline/data-sources.js';
import { buildPacks } from '../../src/report/build-packs.js';
import { readPackHunts } from '../../src/report/read-pack.js';
import { writePack } from '../../src/report/write-pack.js';
import { checkKql } from '../../src/validate/kusto.js';
import { itMatchesOnBothSides } from '../helpers/agreement.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** `/путь` percent-encoded as UTF-8. */
const PATH = '/%D0%BF%D1%83%D1%82%D1%8C';
/** The punycode form of the host `пример-url.рф`. */
const PUNYCODE = 'xn---url-u4dr2awjd.xn--p1ai';
const UNICODE = 'пример-url.рф';
/** `?q=данные&x=%41` with its non-ASCII characters percent-encoded as UTF-8. */
const QUERY = '?q=%D0%B4%D0%B0%D0%BD%D0%BD%D1%8B%D0%B5&x=%41';

const HOSTING = { list: 'amazon-aws', entry: '13.32.0.0/12', reason: 'cloud hosting' };

test('urlWithPercentEncodedPath encodes non-ASCII only', () => {
  assert.equal(urlWithPercentEncodedPath(`http://${PUNYCODE}/путь`), `http://${PUNYCODE}${PATH}`);
  assert.equal(
    urlWithPercentEncodedPath('http://evil.example/путь?q=данные&x=%41'),
    `http://evil.example${PATH}${QUERY}`,
  );
  // Reserved and other ASCII characters and existing %XX sequences stay as they are.
  assert.equal(
    urlWithPercentEncodedPath("https://evil.example:8443/a;b=c/ф%2F?x=[1]&y='é'+z@w"),
    "https://evil.example:8443/a;b=c/%D1%84%2F?x=[1]&y='%C3%A9'+z@w",
  );
  // Characters outside the Basic Multilingual Plane take four bytes.
  assert.equal(
    urlWithPercentEncodedPath('http://evil.example/😀'),
    'http://evil.example/%F0%9F%98%80',
  );
  // A lone surrogate is encoded as U+FFFD, as WHATWG URL parsing reads it.
  assert.equal(
    urlWithPercentEncodedPath('http://evil.example/\ud800'),
    'http://evil.example/%EF%BF%BD',
  );
});

test('urlWithPercentEncodedPath keeps the authority', () => {
  assert.equal(urlWithPercentEncodedPath(`http://${UNICODE}/путь`), `http://${UNICODE}${PATH}`);
  assert.equal(urlWithPercentEncodedPath(`http://${UNICODE}/path`), undefined);
  assert.equal(urlWithPercentEncodedPath('http://пользователь@evil.example/a'), undefined);
  assert.equal(urlWithPercentEncodedPath(`http://${UNICODE}`), undefined);
  assert.equal(urlWithPercentEncodedPath('http://evil.example/%D0%BF?q=1'), undefined);
  assert.equal(urlWithPercentEncodedPath('путь'), undefined);
});

test('urlWithPercentEncodedPath equals WHATWG URL', () => {
  // Characters that WHATWG URL parsing leaves alone in a path and query, besides non-ASCII ones.
  // Dot segments, spaces, quotes and the like are rewritten by it and left out.
  const character = fc.constantFrom(
    'a',
    'Z',
    '7',
    '/',
    '-',
    '_',
    '~',
    '%41',
    '=',
    '&',
    'é',
    'ф',
    '中',
    '😀',
  );
  const text = fc.array(character, { maxLength: 12 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(text, text, (path, query) => {
      const url = `https://evil.example/${path}?${query}`;
      assert.equal(urlWithPercentEncodedPath(url) ?? url, new URL(url).href);
    }),
    { numRuns: 500 },
  );
});

function urlValues(indicators: ReturnType<typeof makeIndicators>): string[] {
  return buildIocTables(indicators).url.rows.map((row) => String(row[0]));
}

test('encoded path adds one row', () => {
  const indicators = makeIndicators([['url', 'http://evil.example/путь']]);
  const tables = buildIocTables(indicators);
  assert.deepEqual(
    tables.url.rows.map((row) => row[0]),
    ['http://evil.example/путь', `http://evil.example${PATH}`],
  );
  // The encoded row carries the indicator's context.
  assert.deepEqual(tables.url.rows[1]!.slice(1), tables.url.rows[0]!.slice(1));
  assert.deepEqual(
    tables.domain.rows.map((row) => row[0]),
    ['evil.example'],
    'the host is added once',
  );
});

test('encoded rows come after Unicode rows', () => {
  const indicators = makeIndicators([
    ['url', `http://${UNICODE}/путь`],
    ['url', 'http://evil.example/a'],
    ['url', 'http://evil.example/путь?q=данные&x=%41'],
  ]);
  assert.deepEqual(urlValues(indicators), [
    `http://${PUNYCODE}/путь`,
    'http://evil.example/a',
    'http://evil.example/путь?q=данные&x=%41',
    `http://${UNICODE}/путь`,
    `http://${PUNYCODE}${PATH}`,
    `http://${UNICODE}${PATH}`,
    `http://evil.example${PATH}${QUERY}`,
  ]);
});

test('earlier formats keep their rows first', () => {
  const indicators = makeIndicators([
    ['url', `http://${UNICODE}/путь`],
    ['url', 'http://evil.example/b'],
  ]);
  const format3 = buildIocTables(indicators, { formatVersion: 3 }).url.rows.map((row) => row[0]);
  assert.deepEqual(format3, [
    `http://${PUNYCODE}/путь`,
    'http://evil.example/b',
    `http://${PUNYCODE}${PATH}`,
  ]);
  const format4 = buildIocTables(indicators, { formatVersion: 4 }).url.rows.map((row) => row[0]);
  assert.deepEqual(format4.slice(0, 3), [
    `http://${PUNYCODE}/путь`,
    'http://evil.example/b',
    `http://${UNICODE}/путь`,
  ]);
});

test('URL hunted whole keeps its encoded row', () => {
  const [url] = makeIndicators([['url', `http://${UNICODE}/путь`]]);
  const tables = buildIocTables([{ ...url!, exactOnly: HOSTING }]);
  assert.deepEqual(
    tables.url.rows.map((row) => row[0]),
    [`http://${PUNYCODE}/путь`, `http://${PUNYCODE}${PATH}`],
  );
  assert.deepEqual(tables.domain.rows, []);
});

test('encoded form of another indicator adds no row', () => {
  const indicators = makeIndicators([
    ['url', 'http://evil.example/путь'],
    ['url', `http://evil.example${PATH}`],
    ['url', 'http://evil.example/пу%D1%82%D1%8C'],
  ]);
  assert.deepEqual(urlValues(indicators), [
    'http://evil.example/путь',
    `http://evil.example${PATH}`,
    'http://evil.example/пу%D1%82%D1%8C',
  ]);
});

const SOURCES = [
  'sentinel-commonsecuritylog',
  'sentinel-devicenetworkevents',
  'sentinel-urlclickevents',
].map(getDataSource);

const INDICATORS: Array<[string, string]> = [
  ['url', `http://${UNICODE}/путь`],
  ['url', 'http://evil.example/путь?q=данные&x=%41'],
  ['url', 'https://evil.example/😀'],
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
  [`http://${PUNYCODE}${PATH}`, `http://${PUNYCODE}${PATH}`],
  [`https://XN---URL-U4DR2AWJD.XN--P1AI:443${PATH}`, `http://${PUNYCODE}${PATH}`],
  [`http://${UNICODE}${PATH}`, `http://${UNICODE}${PATH}`],
  [`http://${PUNYCODE}/путь`, `http://${PUNYCODE}/путь`],
  [`http://${UNICODE}/путь`, `http://${UNICODE}/путь`],
  [`http://evil.example${PATH}${QUERY}`, `http://evil.example${PATH}${QUERY}`],
  ['https://evil.example/%F0%9F%98%80', 'https://evil.example/%F0%9F%98%80'],
  // Hex digits match in either case.
  [`http://${PUNYCODE}${PATH.toLowerCase()}`, `http://${PUNYCODE}${PATH}`],
  // Double encoding, half encoding, windows-1251 and a decoded %41 differ.
  [`http://${PUNYCODE}/%25D0%25BF%25D1%2583%25D1%2582%25D1%258C`, undefined],
  [`http://${PUNYCODE}/%D0%BFуть`, undefined],
  [`http://${PUNYCODE}/%EF%F3%F2%FC`, undefined],
  [`http://evil.example${PATH}${QUERY.replace('%41', 'A')}`, undefined],
  [`http://evil.example${PATH}`, undefined],
  ['https://evil.example/%F0%9F%98%81', undefined],
];

const EVENTS: Record<string, EventRow[]> = {
  CommonSecurityLog: [
    ...REQUEST_URLS.map(([url]) => ({ RequestURL: url })),
    { DestinationHostName: PUNYCODE, RequestURL: PATH },
    { DestinationHostName: PUNYCODE, DestinationPort: 8080, RequestURL: PATH },
    { DestinationHostName: PUNYCODE, RequestURL: PATH.toLowerCase() },
  ],
  DeviceNetworkEvents: [
    { RemoteUrl: `${PUNYCODE}${PATH}` },
    { RemoteUrl: `${PUNYCODE}${PATH.toLowerCase()}` },
  ],
  UrlClickEvents: [
    { Url: `http://${UNICODE}${PATH}` },
    { Url: 'https://t.example/r', UrlChain: `["https://t.example/r","http://${PUNYCODE}${PATH}"]` },
    { Url: 'https://t.example/s', UrlChain: `["http://${PUNYCODE}/%d0%bf%d1%83%d1%82%d1%8c"]` },
  ],
};

/** Per table, the index of each event that matches and the row value it matches. */
const EXPECTED: Record<string, Array<[event: number, row: string]>> = {
  CommonSecurityLog: [
    ...REQUEST_URLS.flatMap(([, row], index): Array<[number, string]> =>
      row === undefined ? [] : [[index, row]],
    ),
    [REQUEST_URLS.length, `http://${PUNYCODE}${PATH}`],
    [REQUEST_URLS.length + 2, `http://${PUNYCODE}${PATH}`],
  ],
  DeviceNetworkEvents: [
    [0, `http://${PUNYCODE}${PATH}`],
    [1, `http://${PUNYCODE}${PATH}`],
  ],
  UrlClickEvents: [
    [0, `http://${UNICODE}${PATH}`],
    [1, `http://${PUNYCODE}${PATH}`],
    [2, `http://${PUNYCODE}${PATH}`],
  ],
};

describe('url hunts over percent-encoded paths', () => {
  const hunts = urlHunts();
  let session: DuckDbHuntSession;
  before(async () => {
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('gives each hunt the encoded rows', () => {
    assert.equal(hunts.length, SOURCES.length);
    for (const hunt of hunts) {
      // 3 indicators, 1 Unicode host row and 4 encoded rows.
      assert.equal(hunt.iocs.rows.length, 8, hunt.id);
    }
  });

  itMatchesOnBothSides(hunts, () => session, EVENTS, EXPECTED);

  for (const [table, events] of Object.entries(EVENTS)) {
    // Local hunts read no UrlClickEvents.
    if (table === 'UrlClickEvents') continue;
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
      assert.ok(query.includes(`"http://${PUNYCODE}${PATH}"`), hunt.id);
      assert.ok(query.includes(`"http://${UNICODE}${PATH}"`), hunt.id);
    }
  });
});

describe('pack with percent-encoded rows', () => {
  /** Enough URLs with non-ASCII paths that the URL hunts are split into parts. */
  function manyIndicators(): ReturnType<typeof makeIndicators> {
    const entries: Array<[string, string]> = [];
    for (let i = 0; i < 80; i++) entries.push(['url', `http://h${i}.evil.example/файл-${i}`]);
    entries.push(['url', `http://${UNICODE}/путь`]);
    return makeIndicators(entries);
  }

  it('counts indicators, not rows', async (t) => {
    const [pack] = buildPacks(makeIndicators([['url', 'http://evil.example/путь']]), {
      lookback: { amount: 30, unit: 'd' },
      generatorVersion: 'test',
      feeds: ['feed.csv'],
    });
    assert.ok(pack);
    assert.equal(pack.indicators.length, 1);
    const folder = await writePack(pack, makeTempDir('pack', t));
    const written = JSON.parse(await readFile(join(folder, 'pack.json'), 'utf8')) as {
      counts: { indicators: number };
      indicators: unknown[];
      hunts: Array<{ variant: string; indicatorCount: number }>;
    };
    assert.equal(written.counts.indicators, 1);
    assert.equal(written.indicators.length, 1);
    const urlHuntCounts = written.hunts.filter((hunt) => hunt.variant === 'url');
    assert.ok(urlHuntCounts.length > 0);
    for (const hunt of urlHuntCounts) assert.equal(hunt.indicatorCount, 2);
    const csv = await readFile(join(folder, 'indicators.csv'), 'utf8');
    assert.equal(csv.trimEnd().split('\n').length, 2, csv);
    const report = await readFile(join(folder, 'report.md'), 'utf8');
    assert.match(report, /^\| Indicators \| 1 \(1 url\) \|$/m);
  });

  it('rebuilds split tables from the indicators', async (t) => {
    const [pack] = buildPacks(manyIndicators(), {
      lookback: { amount: 30, unit: 'd' },
      generatorVersion: 'test',
      feeds: ['feed.csv'],
    });
    assert.ok(pack);
    assert.ok(
      pack.queries.some((query) => query.hunt.variant === 'url' && query.hunt.part !== undefined),
      'no URL hunt was split into parts',
    );
    const folder = await writePack(pack, makeTempDir('pack', t));
    const written = JSON.parse(await readFile(join(folder, 'pack.json'), 'utf8')) as {
      hunts: Array<{ form: { iocs: object } }>;
      iocTables: Record<string, unknown>;
    };
    assert.deepEqual(written.iocTables, {}, 'every table is rebuilt from the indicators');
    for (const hunt of written.hunts) assert.ok('variant' in hunt.form.iocs);
    assert.deepEqual(
      await readPackHunts(folder),
      pack.queries.map((query) => query.hunt),
    );
  });

  it('reads a pack built without them', async (t) => {
    const indicators = makeIndicators([
      ['url', `http://${UNICODE}/путь`],
      ['url', 'http://evil.example/a'],
    ]);
    const [pack] = buildPacks(indicators, {
      lookback: { amount: 30, unit: 'd' },
      generatorVersion: 'test',
      feeds: ['feed.csv'],
    });
    assert.ok(pack);
    const folder = await writePack(pack, makeTempDir('pack', t));
    // A pack built before the encoded rows existed names only the 3 rows before them.
    const file = join(folder, 'pack.json');
    const written = JSON.parse(await readFile(file, 'utf8')) as {
      hunts: Array<{ form: { iocs: { variant: string; start: number; end: number } } }>;
    };
    for (const hunt of written.hunts) {
      if (hunt.form.iocs.variant === 'url') hunt.form.iocs.end = 3;
    }
    await writeFile(file, JSON.stringify(written));
    const urlHunts = (await readPackHunts(folder)).filter((hunt) => hunt.variant === 'url');
    assert.ok(urlHunts.length > 0);
    for (const hunt of urlHunts) {
      assert.deepEqual(
        hunt.iocs.rows.map((row) => row[0]),
        [`http://${PUNYCODE}/путь`, 'http://evil.example/a', `http://${UNICODE}/путь`],
      );
    }
  });
});
