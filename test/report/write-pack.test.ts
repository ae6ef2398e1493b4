import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { collectIndicators } from '../../src/pipeline/collect.js';
import { buildPacks } from '../../src/report/build-packs.js';
import { isoTime } from '../../src/report/iso-time.js';
import { REPORT_TABLE_ROWS, renderReport } from '../../src/report/markdown.js';
import { watchlistCsv } from '../../src/report/watchlist.js';
import { readPackHunts } from '../../src/report/read-pack.js';
import {
  IndicatorJsonForm,
  iocRowText,
  PACK_FORMAT_VERSION,
  packToJson,
  writePack,
} from '../../src/report/write-pack.js';
import type { Indicator, MalwareFamily } from '../../src/indicators/model.js';
import { repoFile } from '../helpers/shared.js';
import {
  domainIndicator,
  hashIndicator,
  ipPortIndicator,
  urlIndicator,
} from '../pipeline/allowlist/make-indicator.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { ListProvenance, RecordProvenance } from '../../src/indicators/provenance.js';

const BUNDLED_FEEDS = [
  'data/threatfox/fabi2708_csv-recent_2026-04-12.csv',
  'test/fixtures/threatfox/quirks.csv',
  'test/fixtures/threatfox/export-mixed-ids.json',
];

async function bundledIndicators(): Promise<Indicator[]> {
  const collected = await collectIndicators(
    BUNDLED_FEEDS.map((feed) => repoFile(feed)),
    { filters: {}, now: new Date('2026-12-04T00:00:00Z') },
  );
  return collected.indicators;
}

test('isoTime matches toISOString', () => {
  fc.assert(
    fc.property(fc.integer({ min: -62_198_755_200_000, max: 8_640_000_000_000_000 }), (ms) => {
      const date = new Date(ms);
      assert.equal(isoTime(date), date.toISOString());
    }),
    { numRuns: 20_000 },
  );
  for (const text of [
    '1970-01-01T00:00:00.000Z',
    '2000-02-29T23:59:59.999Z',
    '2100-03-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '1969-12-31T23:59:59.999Z',
  ]) {
    assert.equal(isoTime(new Date(text)), text);
  }
  assert.throws(() => isoTime(new Date(NaN)), RangeError);
});

test('indicator JSON text equals JSON.stringify', async () => {
  const indicators = await bundledIndicators();
  assert.ok(indicators.length > 500, `only ${indicators.length} indicators read`);
  const crafted: Indicator[] = [
    {
      ...ipPortIndicator('2001:db8::1', 443),
      family: { name: 'Remcos "RAT"', malpedia: 'win.remcos', aliases: ['Rem\\cos'] },
      confidence: 75,
      firstSeen: new Date('2026-01-02T03:04:05Z'),
      expires: new Date('2027-01-01T00:00:00.123Z'),
      tags: ['tag with "quotes"', 'ünïcode', 'line\nbreak'],
      isCompromised: true,
    },
    domainIndicator('example.org'),
    {
      ...domainIndicator('quoted-id.example'),
      provenance: RecordProvenance.of({ file: 'x.csv', line: 3, id: 'a"b\\' }, 'threatfox:'),
    },
    {
      ...domainIndicator('no-id.example'),
      provenance: RecordProvenance.of({ file: 'x.csv', line: 4 }, 'threatfox:'),
    },
  ];
  const forms = [
    new IndicatorJsonForm({ name: 'Remcos', malpedia: 'win.remcos', aliases: ['RemcosRAT'] }),
    new IndicatorJsonForm(indicators[0]!.family!, [repoFile(BUNDLED_FEEDS[1]!), 'other.csv']),
  ];
  for (const form of forms) {
    for (const indicator of [...indicators, ...crafted]) {
      assert.equal(form.text(indicator), JSON.stringify(form.json(indicator)));
    }
  }
  const invalid = { ...domainIndicator('example.org'), lastSeen: new Date(NaN) };
  assert.throws(() => forms[0]!.json(invalid), RangeError);
  assert.throws(() => forms[0]!.text(invalid), RangeError);
});

test('indicator JSON leaves out pack facts', () => {
  const family: MalwareFamily = { name: 'Remcos', malpedia: 'win.remcos', aliases: ['RemcosRAT'] };
  const form = new IndicatorJsonForm(family, ['/feeds/a.csv', '/feeds/b.csv']);
  const indicator: Indicator = {
    ...domainIndicator('evil.example'),
    family: { ...family, aliases: [...family.aliases] },
    provenance: new ListProvenance(
      [
        { file: '/feeds/b.csv', line: 7, id: '42' },
        { file: '/elsewhere.csv', line: 3 },
        { id: 'indicator--1' },
      ],
      [],
    ),
  };
  const json = form.json(indicator);
  assert.equal('family' in json, false, 'an equal family is left out');
  assert.deepEqual(JSON.parse(JSON.stringify(json.origins)), [
    { feed: 1, line: 7, id: '42' },
    { file: '/elsewhere.csv', line: 3 },
    { id: 'indicator--1' },
  ]);

  const other: MalwareFamily = { name: 'Remcos', malpedia: 'win.remcos', aliases: ['Socmer'] };
  assert.deepEqual(form.json({ ...indicator, family: other }).family, other);
  const withoutFamily = form.json({ ...indicator, family: undefined });
  assert.equal(withoutFamily.family, null);
});

test('indicator table row text equals JSON.stringify', () => {
  const rows = [
    ['evil.example', 'botnet_cc', 90, new Date('2026-04-12T04:49:28Z')],
    ['"quoted"\\', null, 0, new Date(NaN)],
    ['2001:db8::1', 443, 'x', null],
  ];
  for (const row of rows) assert.equal(iocRowText(row), JSON.stringify(row));
});

test('large pack streams its files', async (t) => {
  const indicators: Indicator[] = [];
  const count = 12_000;
  for (let i = 0; i < count; i++) {
    indicators.push({
      ...domainIndicator(`host${i}.c2-${i % 7}.example`),
      family: { name: 'Testfam', aliases: [] },
      threatType: 'botnet_cc',
      confidence: i % 101,
      firstSeen: new Date(Date.UTC(2026, 0, 1) + i * 1000),
      provenance: new ListProvenance([{ file: 'feed.csv', line: i + 2 }], []),
    });
  }
  const [pack] = buildPacks(indicators, {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['feed.csv'],
  });
  assert.ok(pack);
  const folder = await writePack(pack, makeTempDir('pack', t));

  const written = JSON.parse(await readFile(join(folder, 'pack.json'), 'utf8')) as unknown;
  assert.deepEqual(written, JSON.parse(JSON.stringify(packToJson(pack))));

  const report = await readFile(join(folder, 'report.md'), 'utf8');
  const tableRows = report.split('\n').filter((line) => line.startsWith('| domain |'));
  assert.equal(tableRows.length, REPORT_TABLE_ROWS);
  assert.match(report, /The first 1,000 of 12,000 indicators are shown/);

  const csv = (await readFile(join(folder, 'indicators.csv'), 'utf8')).split('\r\n');
  assert.equal(
    csv[0],
    'Type,Value,Threat Type,First Seen,Last Seen,Confidence,Tags,References,Reporters,Source Ids,Status,List,Entry,Reason',
  );
  assert.equal(csv.length, count + 2, 'header, one line per indicator, and the final line end');
  assert.equal(
    csv[1],
    '"domain","host0[.]c2-0[.]example","botnet_cc","2026-01-01T00:00:00.000Z","","0","","","","","hunted","","",""',
  );

  assert.equal(pack.watchlists.length, 1);
  const watchlist = pack.watchlists[0]!;
  assert.equal(await readFile(join(folder, watchlist.file), 'utf8'), watchlistCsv(watchlist.table));
});

test('indicators.csv defuses formula text', async (t) => {
  const indicator: Indicator = {
    ...domainIndicator('evil.example'),
    threatType: '=HYPERLINK("http://x")',
    family: { name: 'Testfam', aliases: [] },
    tags: ['RAT', 'c2'],
    reporters: ['abuse_ch'],
    provenance: new ListProvenance([], ['threatfox:1784524']),
  };
  const [pack] = buildPacks([indicator], {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['feed.csv'],
  });
  assert.ok(pack);
  const folder = await writePack(pack, makeTempDir('pack', t));
  const csv = await readFile(join(folder, 'indicators.csv'), 'utf8');
  assert.match(csv, /"'=HYPERLINK\(""http:\/\/x""\)"/);
  assert.match(csv, /"RAT, c2","","abuse_ch","threatfox:1784524","hunted"/);
});

test('all-set-aside pack says so', () => {
  const indicator: Indicator = {
    ...domainIndicator('dns.google'),
    family: { name: 'Testfam', aliases: [] },
    threatType: 'botnet_cc',
  };
  const [pack] = buildPacks([], {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['feed.csv'],
    setAside: [{ indicator, list: 'Public resolvers', entry: 'dns.google', reason: 'resolver' }],
  });
  assert.ok(pack);
  const report = renderReport(pack);
  assert.match(report, /allowlists set every one of them aside/);
  assert.doesNotMatch(report, /no threat type/);
  assert.equal(pack.queries.length, 0);
});

test('each pack names only its feeds', () => {
  const fromFeed = (name: string, family: string, file: string): Indicator => ({
    ...domainIndicator(name),
    family: { name: family, aliases: [] },
    provenance: new ListProvenance([{ file, line: 2 }], []),
  });
  const packs = buildPacks(
    [fromFeed('a.example', 'Alpha', '/feeds/a.csv'), fromFeed('b.example', 'Beta', '/feeds/b.csv')],
    {
      lookback: { amount: 30, unit: 'd' },
      generatorVersion: 'test',
      feeds: ['a.csv', 'b.csv'],
      feedPaths: ['/feeds/a.csv', '/feeds/b.csv'],
    },
  );
  assert.deepEqual(
    packs.map((pack) => [pack.family.name, pack.feeds]),
    [
      ['Alpha', ['a.csv']],
      ['Beta', ['b.csv']],
    ],
  );
});

/** Indicators of one family, enough that some hunts are split into parts and one needs a watchlist. */
function splitIndicators(): Indicator[] {
  const family: MalwareFamily = { name: 'Testfam', malpedia: 'win.testfam', aliases: [] };
  const indicators: Indicator[] = [];
  for (let i = 0; i < 3000; i++) {
    const base = {
      ...domainIndicator(`host${i}.c2-${i % 7}.example`),
      family,
      threatType: i % 3 === 0 ? undefined : 'botnet_cc',
      confidence: i % 5 === 0 ? undefined : i % 101,
      firstSeen: i % 4 === 0 ? undefined : new Date(Date.UTC(2026, 0, 1) + i * 1000),
      provenance: new ListProvenance([{ file: '/feeds/feed.csv', line: i + 2 }], []),
    };
    if (i < 400) indicators.push(base);
    if (i < 150) indicators.push({ ...base, ...ipPortIndicator(`10.0.${i % 50}.${i}`, 80 + i) });
    if (i < 150) indicators.push({ ...base, ...urlIndicator(`http://h${i}.example/p?q=${i}`) });
    indicators.push({ ...base, ...hashIndicator('md5', i.toString(16).padStart(32, 'a')) });
  }
  return indicators;
}

test('pack.json hunts read back equal', async (t) => {
  const [pack] = buildPacks(splitIndicators(), {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['feed.csv'],
    feedPaths: ['/feeds/feed.csv'],
  });
  assert.ok(pack);
  assert.ok(
    pack.queries.some((query) => query.hunt.part !== undefined),
    'no hunt was split into parts',
  );
  assert.ok(pack.watchlists.length > 0, 'no hunt reads a watchlist');
  const folder = await writePack(pack, makeTempDir('pack', t));

  const written = JSON.parse(await readFile(join(folder, 'pack.json'), 'utf8')) as {
    formatVersion: number;
    hunts: Array<{ form: { iocs: unknown } }>;
    iocTables: Record<string, unknown>;
  };
  assert.equal(written.formatVersion, PACK_FORMAT_VERSION);
  assert.deepEqual(written.iocTables, {}, 'every table is rebuilt from the indicators');
  for (const hunt of written.hunts) assert.ok('variant' in (hunt.form.iocs as object));

  const hunts = await readPackHunts(folder);
  assert.deepEqual(
    hunts,
    pack.queries.map((query) => query.hunt),
  );
});

test('pack.json lists tables it cannot rebuild', async (t) => {
  // A library caller's indicator whose domain differs from its value cannot be rebuilt from
  // pack.json, which gives only the value.
  const indicators = splitIndicators().slice(0, 200);
  const odd: Indicator = {
    ...domainIndicator('odd.example'),
    domain: 'other.example',
    family: indicators[0]!.family,
  };
  const [pack] = buildPacks([...indicators, odd], {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['feed.csv'],
  });
  assert.ok(pack);
  const folder = await writePack(pack, makeTempDir('pack', t));
  const written = JSON.parse(await readFile(join(folder, 'pack.json'), 'utf8')) as {
    iocTables: Record<string, unknown>;
  };
  assert.ok(Object.keys(written.iocTables).length > 0);
  assert.deepEqual(
    await readPackHunts(folder),
    pack.queries.map((query) => query.hunt),
  );
});

test('pack.json of version 2 still reads', async (t) => {
  const [pack] = buildPacks(splitIndicators().slice(0, 700), {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['feed.csv'],
  });
  assert.ok(pack);
  // Version 2 lists each indicator table in iocTables and names it in the hunt's form.
  const tables = new Map<unknown, string>();
  const hunts = pack.queries.map(({ hunt }) => {
    const ref = tables.get(hunt.iocs) ?? `t${tables.size + 1}`;
    tables.set(hunt.iocs, ref);
    return { id: hunt.id, form: { ...hunt, iocs: { ref } } };
  });
  const iocTables = Object.fromEntries([...tables].map(([table, ref]) => [ref, table]));
  const folder = makeTempDir('pack', t);
  await writeFile(
    join(folder, 'pack.json'),
    JSON.stringify({ formatVersion: 2, hunts, iocTables }),
  );
  assert.deepEqual(
    await readPackHunts(folder),
    pack.queries.map((query) => query.hunt),
  );
});

test('pack.json of a newer version fails', async (t) => {
  const folder = makeTempDir('pack', t);
  await writeFile(
    join(folder, 'pack.json'),
    JSON.stringify({ formatVersion: PACK_FORMAT_VERSION + 1, hunts: [] }),
  );
  await assert.rejects(readPackHunts(folder), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'UNSUPPORTED_PACK_VERSION');
    assert.ok(
      error.message.includes(
        `format version ${PACK_FORMAT_VERSION + 1}, but this huntpack reads versions up to ${PACK_FORMAT_VERSION}`,
      ),
      error.message,
    );
    return true;
  });
});

test('pack.json with indicators removed fails', async (t) => {
  const [pack] = buildPacks(splitIndicators().slice(0, 700), {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 'test',
    feeds: ['feed.csv'],
  });
  assert.ok(pack);
  const folder = await writePack(pack, makeTempDir('pack', t));
  const file = join(folder, 'pack.json');
  const written = JSON.parse(await readFile(file, 'utf8')) as { indicators: unknown[] };
  written.indicators.splice(3, 1);
  await writeFile(file, JSON.stringify(written));
  await assert.rejects(readPackHunts(folder), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'INVALID_PACK');
    assert.match(error.message, /lists 699 indicators but was built with 700/);
    return true;
  });
});

test('family with fewer aliases is the pack family', () => {
  const pack: MalwareFamily = { name: 'Phorpiex', malpedia: 'win.phorpiex', aliases: ['TwizT'] };
  const form = new IndicatorJsonForm(pack);
  const of = (family: MalwareFamily): Indicator => ({ ...domainIndicator('a.example'), family });
  for (const aliases of [[], ['TwizT'], ['Phorpiex']]) {
    const indicator = of({ ...pack, aliases });
    assert.equal('family' in form.json(indicator), false, aliases.join());
    assert.equal(form.text(indicator), JSON.stringify(form.json(indicator)));
  }
  const stranger = of({ ...pack, aliases: ['Trik'] });
  assert.deepEqual(form.json(stranger).family, { ...pack, aliases: ['Trik'] });
  const otherId = of({ ...pack, malpedia: 'win.other' });
  assert.equal(form.json(otherId).family, otherId.family);
});
