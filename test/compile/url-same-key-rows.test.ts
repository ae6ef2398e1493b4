/**
 * URL indicators whose values differ but whose match keys are equal, such as `http://evil.com/x`
 * and `https://evil.com/x`, share one row of the URL table, so one event gives one hit per hunt.
 */
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { buildIocTables } from '../../src/compile/ioc-tables.js';
import type { EventRow } from '../../src/compile/evaluate.js';
import type { Hunt, IocCell } from '../../src/compile/ir.js';
import { getDataSource } from '../../src/pipeline/data-sources.js';
import { readPackHunts } from '../../src/report/read-pack.js';
import { checkKql } from '../../src/validate/kusto.js';
import { itMatchesOnBothSides } from '../helpers/agreement.js';
import { runCli } from '../helpers/cli.js';
import { cefLine, threatFoxCsv } from '../helpers/feed-and-hunt.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Spellings of one URL that the feed keeps apart, with the key `same-key-c2.top/x`. */
const SPELLINGS = [
  'http://user@same-key-c2.top/x',
  'https://same-key-c2.top/x',
  'http://same-key-c2.top:443/x',
  'http://same-key-c2.top/x',
];
/** Two URLs on an address with the key `198.51.77.1/a`. */
const ADDRESS_SPELLINGS = ['https://198.51.77.1:80/a', 'http://198.51.77.1/a'];

function indicators(): ReturnType<typeof makeIndicators> {
  const entries: Array<[string, string]> = [
    ...SPELLINGS.map((url): [string, string] => ['url', url]),
    ['url', 'http://same-key-c2.top/y'],
    ...ADDRESS_SPELLINGS.map((url): [string, string] => ['url', url]),
  ];
  // makeIndicators gives confidence 50 + index and first seen on 2024-01-(1 + index).
  return makeIndicators(entries).map((indicator, index) =>
    index === 1 ? { ...indicator, threatType: 'payload_delivery', confidence: 90 } : indicator,
  );
}

function cellsByColumn(hunt: Pick<Hunt, 'iocs'>, row: readonly IocCell[]): Record<string, IocCell> {
  return Object.fromEntries(hunt.iocs.columns.map((column, index) => [column.name, row[index]!]));
}

test('same-key URLs share one row', () => {
  const table = buildIocTables(indicators()).url;
  assert.deepEqual(
    table.columns.map((column) => column.name),
    ['IocUrl', 'IocOtherUrls', 'IocThreatType', 'IocConfidence', 'IocFirstSeen'],
  );
  const rows = table.rows.map((row) => cellsByColumn({ iocs: table }, row));
  assert.deepEqual(
    rows.map((row) => row.IocUrl),
    ['http://same-key-c2.top/x', 'http://same-key-c2.top/y', 'http://198.51.77.1/a'],
  );
  assert.equal(
    rows[0]!.IocOtherUrls,
    'https://same-key-c2.top/x http://same-key-c2.top:443/x http://user@same-key-c2.top/x',
  );
  assert.equal(rows[1]!.IocOtherUrls, '');
  assert.equal(rows[2]!.IocOtherUrls, 'https://198.51.77.1:80/a');
  // The threat type of the highest confidence, that confidence and the earliest first seen.
  assert.equal(rows[0]!.IocThreatType, 'payload_delivery');
  assert.equal(rows[0]!.IocConfidence, 90);
  assert.deepEqual(rows[0]!.IocFirstSeen, new Date(Date.UTC(2024, 0, 1)));
  assert.equal(rows[2]!.IocConfidence, 56);
  assert.deepEqual(rows[2]!.IocFirstSeen, new Date(Date.UTC(2024, 0, 6)));
});

test('shown URL ignores indicator order', () => {
  const reversed = indicators().reverse();
  const rows = buildIocTables(reversed).url.rows.map((row) => row[0]);
  assert.deepEqual(rows, [
    'http://198.51.77.1/a',
    'http://same-key-c2.top/y',
    'http://same-key-c2.top/x',
  ]);
});

test('format 8 keeps a row per URL', () => {
  const table = buildIocTables(indicators(), { formatVersion: 8 }).url;
  assert.equal(table.rows.length, 7);
  assert.ok(!table.columns.some((column) => column.name === 'IocOtherUrls'));
});

test('encoded form folds into an indicator', () => {
  const table = buildIocTables(
    makeIndicators([
      ['url', 'http://same-key-c2.top/é'],
      ['url', 'https://same-key-c2.top/%C3%A9'],
    ]),
  ).url;
  assert.deepEqual(
    table.rows.map((row) => [row[0], row[1]]),
    [
      ['http://same-key-c2.top/é', ''],
      // The first URL's encoded form has the second URL's key, so that row names the first URL.
      ['https://same-key-c2.top/%C3%A9', 'http://same-key-c2.top/é'],
    ],
  );
});

const SOURCES = ['sentinel-commonsecuritylog', 'sentinel-devicenetworkevents'].map(getDataSource);

const EVENTS: Record<string, EventRow[]> = {
  CommonSecurityLog: [
    { DestinationHostName: 'same-key-c2.top', DestinationPort: 80, RequestURL: '/x' },
    { RequestURL: 'https://same-key-c2.top/x' },
    { DestinationIP: '198.51.77.1', DestinationHostName: '198.51.77.1', RequestURL: '/a' },
    { RequestURL: 'http://same-key-c2.top/z' },
  ],
  DeviceNetworkEvents: [{ RemoteUrl: 'same-key-c2.top/x' }, { RemoteUrl: 'https://198.51.77.1/a' }],
};

/** Per table, the index of each event that matches and the IocUrl of the row it matches. */
const EXPECTED: Record<string, Array<[event: number, url: string]>> = {
  CommonSecurityLog: [
    [0, 'http://same-key-c2.top/x'],
    [1, 'http://same-key-c2.top/x'],
    [2, 'http://198.51.77.1/a'],
  ],
  DeviceNetworkEvents: [
    [0, 'http://same-key-c2.top/x'],
    [1, 'http://198.51.77.1/a'],
  ],
};

describe('url hunts over same-key URLs', () => {
  const hunts = buildHunts(indicators(), {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: SOURCES,
  }).filter((hunt) => hunt.variant === 'url');
  let session: DuckDbHuntSession;
  before(async () => {
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  itMatchesOnBothSides(hunts, () => session, EVENTS, EXPECTED);

  it('KQL lists one row per key', () => {
    assert.equal(hunts.length, SOURCES.length);
    for (const hunt of hunts) {
      const query = compileKql(hunt, { generatorVersion: 'test' });
      const errors = checkKql(query, { platform: hunt.source.platform }).filter(
        (diagnostic) => diagnostic.severity === 'error',
      );
      assert.deepEqual(errors, [], `${hunt.id}\n${query}`);
      assert.match(query, /^\/\/ Indicator values: 3$/m, hunt.id);
      assert.match(query, /datatable\(IocUrl:string, IocOtherUrls:string,/, hunt.id);
      assert.match(query, /\| project .*\bIocOtherUrls\b/, hunt.id);
    }
  });
});

test('local hunt finds each spelling once', async (t) => {
  const folder = makeTempDir('same-key', t);
  const feed = join(folder, 'feed.csv');
  const family = { malpedia: 'win.duprat', name: 'DupRAT', threatType: 'payload_delivery' };
  await writeFile(
    feed,
    threatFoxCsv(
      family,
      [...SPELLINGS, ...ADDRESS_SPELLINGS].map((url) => [url, 'url']),
    ),
  );
  const out = join(folder, 'packs');
  const build = await runCli(['build', feed, '--out', out]);
  assert.equal(build.code, 0, build.stderr);
  const pack = join(out, 'duprat');
  const log = join(folder, 'proxy.cef');
  await writeFile(
    log,
    [
      cefLine(10, 'src=10.0.0.5 spt=50001 dhost=same-key-c2.top dpt=80 request=/x'),
      cefLine(11, 'src=10.0.0.5 spt=50003 dst=198.51.77.1 dhost=198.51.77.1 dpt=80 request=/a'),
      '',
    ].join('\n'),
  );
  const hunt = await runCli([
    'hunt',
    '--pack',
    pack,
    log,
    '--json',
    '--report',
    join(folder, 'r.md'),
  ]);
  assert.equal(hunt.code, 0, hunt.stderr);
  const result = JSON.parse(hunt.stdout) as {
    findings: Array<{
      line: number;
      variant: string;
      indicator: { value: string; otherValues?: string[] };
    }>;
  };
  const urlFindings = result.findings.filter((finding) => finding.variant === 'url');
  assert.deepEqual(
    urlFindings.map((finding) => [finding.line, finding.indicator.value]),
    [
      [1, 'http://same-key-c2.top/x'],
      [2, 'http://198.51.77.1/a'],
    ],
  );
  assert.deepEqual(urlFindings[0]!.indicator.otherValues, [
    'https://same-key-c2.top/x',
    'http://same-key-c2.top:443/x',
    'http://user@same-key-c2.top/x',
  ]);
  assert.deepEqual(urlFindings[1]!.indicator.otherValues, ['https://198.51.77.1:80/a']);

  // The pack reads back with the same rows, and as format 8 with a row per URL.
  const file = join(pack, 'pack.json');
  const urlRows = async (): Promise<number[]> =>
    (await readPackHunts(pack))
      .filter((read) => read.variant === 'url')
      .map((read) => read.iocs.rows.length);
  assert.deepEqual(new Set(await urlRows()), new Set([2]));
  const json = JSON.parse(await readFile(file, 'utf8')) as {
    formatVersion: number;
    hunts: Array<{ form: { iocs: { variant?: string; end?: number } } }>;
  };
  json.formatVersion = 8;
  for (const entry of json.hunts) {
    if (entry.form.iocs.variant === 'url') entry.form.iocs.end = 6;
  }
  await writeFile(file, JSON.stringify(json));
  assert.deepEqual(new Set(await urlRows()), new Set([6]));
});
