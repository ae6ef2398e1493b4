import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { evaluateHunt, type EventRow } from '../../src/compile/evaluate.js';
import { canonicalAddressHost, type Hunt } from '../../src/compile/ir.js';
import { EventPrefilter } from '../../src/hunt/event-prefilter.js';
import { getDataSource } from '../../src/pipeline/data-sources.js';
import { checkKql } from '../../src/validate/kusto.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';

/*
 * URL hunts compare an address host in one form, so an event URL that spells an IPv6 host
 * another way (case, leading zeros, `::` or not, an IPv4 tail) or writes a root dot after the
 * host matches the indicator.
 */
const SOURCES = [
  'sentinel-commonsecuritylog',
  'sentinel-devicenetworkevents',
  'sentinel-urlclickevents',
].map(getDataSource);

function urlHunts(): Hunt[] {
  const indicators = makeIndicators([
    ['url', 'http://[2001:db8::1]/v6'],
    ['url', 'http://[2001:db8::1]:8080/v6p'],
    ['url', 'http://13.86.36.66/m'],
  ]);
  return buildHunts(indicators, {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: SOURCES,
  }).filter((hunt) => hunt.variant === 'url');
}

/** RequestURL values of CommonSecurityLog events and whether each matches an indicator. */
const URLS: Array<[url: string, matches: boolean]> = [
  ['http://[2001:db8::1]/v6', true],
  ['http://[2001:DB8:0:0::1]/v6', true],
  ['http://[2001:0db8:0000:0000:0000:0000:0000:0001]/v6', true],
  ['https://[2001:db8:0:0:0:0:0:1]:443/v6', true],
  ['http://[2001:0DB8::0:1]:8080/v6p', true],
  ['http://[::ffff:13.86.36.66]/m', true],
  ['http://[::ffff:d56:2442]/m', true],
  ['http://13.86.36.66./m', true],
  ['http://13.86.36.66.:80/m', true],
  ['http://[2001:db8::2]/v6', false],
  ['http://[2001:db8::1]:8081/v6p', false],
  ['http://[2001:db8::1%eth0]/v6', false],
  ['http://[2001:db8:::1]/v6', false],
  ['http://[::ffff:13.86.36.066]/m', false],
  ['http://013.86.36.66/m', false],
];

const EVENTS: Record<string, EventRow[]> = {
  CommonSecurityLog: [
    ...URLS.map(([url]) => ({ RequestURL: url })),
    { DestinationHostName: '2001:DB8:0::1', RequestURL: '/v6' },
    { DestinationHostName: '[2001:db8:0::1]', DestinationPort: 8080, RequestURL: '/v6p' },
    { DestinationHostName: '2001:db8::2', RequestURL: '/v6' },
  ],
  DeviceNetworkEvents: [
    { RemoteUrl: 'http://[2001:DB8::0001]/v6' },
    { RemoteUrl: 'http://[2001:db8::3]/v6' },
  ],
  UrlClickEvents: [
    { Url: 'https://[2001:0db8::1]/v6' },
    {
      Url: 'https://t.example/r',
      UrlChain: '["https://t.example/r","http://[::FFFF:13.86.36.66]/m"]',
    },
    { Url: 'https://t.example/s', UrlChain: '["http://[2001:db8::4]/v6"]' },
  ],
};

/** Indexes of the events of each table that match an indicator. */
const EXPECTED: Record<string, number[]> = {
  CommonSecurityLog: [
    ...URLS.flatMap(([, matches], index) => (matches ? [index] : [])),
    URLS.length,
    URLS.length + 1,
  ],
  DeviceNetworkEvents: [0],
  UrlClickEvents: [0, 1],
};

describe('url hunts over address hosts', () => {
  const hunts = urlHunts();
  let session: DuckDbHuntSession;
  before(async () => {
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  for (const [table, events] of Object.entries(EVENTS)) {
    it(`evaluator matches ${table} events`, () => {
      const hunt = hunts.find((candidate) => candidate.source.table === table);
      assert.ok(hunt, `no url hunt on ${table}`);
      const matched = [...new Set(evaluateHunt(hunt, events).map((hit) => hit.eventIndex))];
      assert.deepEqual(matched, EXPECTED[table]);
    });

    it(`DuckDB agrees on ${table}`, async () => {
      const { duckdb, reference } = await hitsOnBothSides(session, hunts, table, events);
      assert.ok(reference.length > 0);
      assert.deepEqual(duckdb, reference);
    });

    // Local hunts read no UrlClickEvents, and the prefilter does not read UrlChain.
    if (table === 'UrlClickEvents') continue;
    it(`prefilter keeps ${table} hits`, () => {
      const prefilter = EventPrefilter.of(hunts);
      for (const index of EXPECTED[table]!) {
        assert.ok(prefilter.keeps(table, events[index]!), `prefilter dropped event ${index}`);
      }
    });
  }

  it('KQL reads hosts with parse_ipv6', () => {
    for (const hunt of hunts) {
      const query = compileKql(hunt, { generatorVersion: 'test' });
      const errors = checkKql(query, { platform: hunt.source.platform }).filter(
        (diagnostic) => diagnostic.severity === 'error',
      );
      assert.deepEqual(errors, [], `${hunt.id}\n${query}`);
      assert.match(query, /^let UrlKey = \(value: string\) \{$/m, hunt.id);
      assert.match(query, /parse_ipv6\(/, hunt.id);
      assert.match(query, /IocKey1_1 = UrlKey\(IocUrl\)/, hunt.id);
      assert.match(query, /MatchKey1_1 = UrlKey\(/, hunt.id);
    }
  });
});

describe('canonicalAddressHost', () => {
  it('writes addresses in one form', () => {
    const full = '[2001:0db8:0000:0000:0000:0000:0000:0001]';
    assert.equal(canonicalAddressHost('[2001:db8::1]/p'), `${full}/p`);
    assert.equal(canonicalAddressHost('[2001:db8:0:0::1]:8080/p'), `${full}:8080/p`);
    assert.equal(
      canonicalAddressHost('1.2.3.4:8080/p'),
      '[0000:0000:0000:0000:0000:ffff:0102:0304]:8080/p',
    );
    assert.equal(
      canonicalAddressHost('[::1.2.3.4]/'),
      '[0000:0000:0000:0000:0000:0000:0102:0304]/',
    );
    assert.equal(canonicalAddressHost('[::]/'), '[0000:0000:0000:0000:0000:0000:0000:0000]/');
  });

  it('keeps other hosts unchanged', () => {
    for (const key of [
      'evil.example/p',
      '1.2.3.256/',
      '01.2.3.4/',
      '1.2.3.4.5/',
      '[1::2:3:4:5:6:7:8]/',
      '[1:2:3:4:5:6:7]/',
      '[1::2::3]/',
      '[:1::2]/',
      '[1::2:]/',
      '[12345::1]/',
      '[::ffff:1.2.3.04]/',
      '[fe80::1%eth0]/',
      '[1.2.3.4]/',
    ]) {
      assert.equal(canonicalAddressHost(key), key);
    }
  });

  it('DuckDB agrees on random IPv6 hosts', async () => {
    const hunts = urlHunts().filter((hunt) => hunt.source.table === 'DeviceNetworkEvents');
    const session = await DuckDbHuntSession.open(hunts);
    try {
      const group = fc.constantFrom('0', '1', 'db8', '2001', '0db8', 'ffff', '00000', 'g', '');
      const tail = fc.constantFrom('', ':13.86.36.66', ':1.2.3.04', ':256.1.1.1', '.1');
      const host = fc
        .tuple(fc.array(group, { maxLength: 9 }), fc.nat(9), fc.boolean(), tail)
        .map(([groups, at, compress, end]) => {
          const parts = [...groups];
          if (compress) parts.splice(Math.min(at, parts.length), 0, '');
          return `[${parts.join(':')}${end}]`;
        });
      await fc.assert(
        fc.asyncProperty(fc.array(host, { minLength: 1, maxLength: 20 }), async (hosts) => {
          const events = [
            ...hosts.map((text) => ({ RemoteUrl: `http://${text}/v6` })),
            { RemoteUrl: 'http://[2001:db8::1]/v6' },
          ];
          const sides = await hitsOnBothSides(session, hunts, 'DeviceNetworkEvents', events);
          assert.deepEqual(sides.duckdb, sides.reference, hosts.join(' '));
        }),
        { numRuns: 60 },
      );
    } finally {
      session.close();
    }
  });
});
