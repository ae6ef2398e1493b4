import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { evaluateHunt, type EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';
import { EventPrefilter } from '../../src/hunt/event-prefilter.js';
import { getDataSource } from '../../src/pipeline/data-sources.js';
import { checkKql } from '../../src/validate/kusto.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';

/*
 * CommonSecurityLog events of WAFs and proxies that split the server across columns:
 * `dhost=site request=/path` and `dhost=13.86.36.66 dst=-`. URL hunts join the host to the path,
 * and address hunts read DestinationHostName when DestinationIP contains no address.
 */
const TABLE = 'CommonSecurityLog';

function cslHunts(): Hunt[] {
  const indicators = makeIndicators([
    ['url', 'https://soartesting.net/abc'],
    ['ip:port', '13.86.36.66:9049'],
    ['domain', 'soartesting.net'],
  ]);
  return buildHunts(indicators, {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: [getDataSource('sentinel-commonsecuritylog')],
  });
}

function huntOf(hunts: Hunt[], variant: Hunt['variant']): Hunt {
  const hunt = hunts.find((candidate) => candidate.variant === variant);
  assert.ok(hunt, `no ${variant} hunt was built`);
  return hunt;
}

/** Events by name, so each expected hit names the case it covers. */
const EVENTS = {
  pathWithHost: { DestinationHostName: 'soartesting.net', RequestURL: '/abc' },
  pathWithUpperHost: { DestinationHostName: 'SoarTesting.NET', RequestURL: '/abc' },
  fullUrl: { DestinationHostName: 'proxy.example', RequestURL: 'https://soartesting.net/abc' },
  fullUrlOtherHost: { DestinationHostName: 'soartesting.net', RequestURL: 'http://other.test/abc' },
  pathWithoutHost: { RequestURL: '/abc' },
  pathOtherPath: { DestinationHostName: 'soartesting.net', RequestURL: '/abcd' },
  dashAddress: { DestinationIP: '-', DestinationHostName: '13.86.36.66', DestinationPort: 9049 },
  emptyAddress: { DestinationIP: '', DestinationHostName: '13.86.36.66', DestinationPort: 9049 },
  sameAddressTwice: {
    DestinationIP: '13.86.36.66',
    DestinationHostName: '13.86.36.66',
    DestinationPort: 9049,
  },
  otherAddressFirst: {
    DestinationIP: '192.0.2.1',
    DestinationHostName: '13.86.36.66',
    DestinationPort: 9049,
  },
  otherPort: { DestinationIP: '-', DestinationHostName: '13.86.36.66', DestinationPort: 443 },
  nameNotAddress: { DestinationIP: '-', DestinationHostName: 'host.test', DestinationPort: 9049 },
  sourceHostOnly: { SourceIP: '-', SourceHostName: '13.86.36.66', SourcePort: 9049 },
} satisfies Record<string, EventRow>;

const NAMES = Object.keys(EVENTS) as Array<keyof typeof EVENTS>;
const ROWS: EventRow[] = NAMES.map((name) => EVENTS[name]);

/** Returns `event-name branch` for each reference hit of a hunt. */
function referenceHits(hunt: Hunt): string[] {
  return evaluateHunt(hunt, ROWS).map((hit) => `${NAMES[hit.eventIndex]} ${hit.matchedOn}`);
}

describe('CSL keys over split host columns', () => {
  const hunts = cslHunts();
  let session: DuckDbHuntSession;
  before(async () => {
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('url hunt joins host and path', () => {
    assert.deepEqual(referenceHits(huntOf(hunts, 'url')), [
      'pathWithHost RequestURL',
      'pathWithUpperHost RequestURL',
      'fullUrl RequestURL',
    ]);
  });

  it('port-aware hunt reads host address', () => {
    assert.deepEqual(referenceHits(huntOf(hunts, 'port-aware')), [
      'dashAddress destination',
      'emptyAddress destination',
      'sameAddressTwice destination',
    ]);
  });

  it('address-only hunt reads host address', () => {
    assert.deepEqual(referenceHits(huntOf(hunts, 'address-only')), [
      'dashAddress destination',
      'emptyAddress destination',
      'sameAddressTwice destination',
      'otherPort destination',
    ]);
  });

  it('domain hunt counts a split URL once', () => {
    const hits = referenceHits(huntOf(hunts, 'domain'));
    assert.equal(hits.filter((hit) => hit.startsWith('pathWithHost ')).length, 1);
    assert.deepEqual(hits, [
      'pathWithHost DestinationHostName',
      'pathWithUpperHost DestinationHostName',
      'fullUrl RequestURL',
      'fullUrlOtherHost DestinationHostName',
      'pathOtherPath DestinationHostName',
    ]);
  });

  it('DuckDB agrees with the evaluator', async () => {
    const { duckdb, reference } = await hitsOnBothSides(session, hunts, TABLE, ROWS);
    assert.ok(reference.length > 0);
    assert.deepEqual(duckdb, reference);
  });

  it('prefilter keeps every matched event', () => {
    const prefilter = EventPrefilter.of(hunts);
    const matched = new Set(
      hunts.flatMap((hunt) => evaluateHunt(hunt, ROWS)).map((hit) => hit.eventIndex),
    );
    for (const index of matched) {
      assert.ok(prefilter.keeps(TABLE, ROWS[index]!), `prefilter dropped ${NAMES[index]}`);
    }
    assert.equal(prefilter.keeps(TABLE, EVENTS.sourceHostOnly), false);
    assert.ok(prefilter.columns(TABLE)?.includes('DestinationHostName'));
  });
});

describe('KQL of split host columns', () => {
  const hunts = cslHunts();
  const options = { generatorVersion: 'test' };

  it('every query passes the Kusto check', () => {
    for (const hunt of hunts) {
      const query = compileKql(hunt, options);
      const errors = checkKql(query, { platform: hunt.source.platform }).filter(
        (diagnostic) => diagnostic.severity === 'error',
      );
      assert.deepEqual(errors, [], `${hunt.id}\n${query}`);
    }
  });

  it('destination key falls back to host', () => {
    const query = compileKql(huntOf(hunts, 'port-aware'), options);
    assert.match(
      query,
      /\| extend MatchKey1_1 = coalesce\(parse_ipv6\(DestinationIP\), parse_ipv6\(DestinationHostName\), /,
    );
    assert.match(query, /\| extend MatchKey2_1 = parse_ipv6\(SourceIP\)\n/);
  });

  it('url key joins host to a path', () => {
    const query = compileKql(huntOf(hunts, 'url'), options);
    assert.match(
      query,
      /\| extend MatchUrl1_1 = iff\(RequestURL startswith "\/", strcat\(MatchUrlHost1_1, iff\(.*\), RequestURL\), RequestURL\)\n/,
    );
    assert.match(query, /\| extend MatchKey1_1 = UrlKey\(MatchUrl1_1\)\n/);
    assert.doesNotMatch(query, /UrlKey\(RequestURL\)/);
  });

  it('domain query reads no joined URL', () => {
    const query = compileKql(huntOf(hunts, 'domain'), options);
    assert.doesNotMatch(query, /MatchUrl/);
  });
});

/*
 * The port of a URL split across `dhost`, `dpt` and `request`. An explicit port in the indicator
 * must equal `dpt`, and a URL without one matches port 80, port 443 or no port.
 */
function portHunt(): Hunt {
  const indicators = makeIndicators([
    ['url', 'http://ported.test:8888/p'],
    ['url', 'https://plain.test/q'],
  ]);
  const hunts = buildHunts(indicators, {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: [getDataSource('sentinel-commonsecuritylog')],
  });
  return huntOf(hunts, 'url');
}

const PORT_EVENTS = {
  explicitPort: { DestinationHostName: 'ported.test', DestinationPort: 8888, RequestURL: '/p' },
  explicitPortOther: { DestinationHostName: 'ported.test', DestinationPort: 80, RequestURL: '/p' },
  explicitPortEmpty: { DestinationHostName: 'ported.test', RequestURL: '/p' },
  explicitPortInHost: {
    DestinationHostName: 'ported.test:8888',
    DestinationPort: 8080,
    RequestURL: '/p',
  },
  explicitPortFullUrl: {
    DestinationHostName: 'ported.test',
    DestinationPort: 443,
    RequestURL: 'http://ported.test:8888/p',
  },
  defaultPort443: { DestinationHostName: 'plain.test', DestinationPort: 443, RequestURL: '/q' },
  defaultPort80: { DestinationHostName: 'plain.test', DestinationPort: 80, RequestURL: '/q' },
  defaultPortEmpty: { DestinationHostName: 'plain.test', RequestURL: '/q' },
  defaultPortOther: { DestinationHostName: 'plain.test', DestinationPort: 8443, RequestURL: '/q' },
  defaultPortZero: { DestinationHostName: 'plain.test', DestinationPort: 0, RequestURL: '/q' },
  portWithoutHost: { DestinationPort: 8888, RequestURL: '/p' },
} satisfies Record<string, EventRow>;

const PORT_NAMES = Object.keys(PORT_EVENTS) as Array<keyof typeof PORT_EVENTS>;
const PORT_ROWS: EventRow[] = PORT_NAMES.map((name) => PORT_EVENTS[name]);

describe('CSL url key with DestinationPort', () => {
  const hunt = portHunt();
  let session: DuckDbHuntSession;
  before(async () => {
    session = await DuckDbHuntSession.open([hunt]);
  });
  after(() => session.close());

  it('url hunt honours the port', () => {
    const hits = evaluateHunt(hunt, PORT_ROWS).map((hit) => PORT_NAMES[hit.eventIndex]);
    assert.deepEqual(hits, [
      'explicitPort',
      'explicitPortInHost',
      'explicitPortFullUrl',
      'defaultPort443',
      'defaultPort80',
      'defaultPortEmpty',
      'defaultPortZero',
    ]);
  });

  it('DuckDB agrees with the evaluator', async () => {
    const { duckdb, reference } = await hitsOnBothSides(session, [hunt], TABLE, PORT_ROWS);
    assert.ok(reference.length > 0);
    assert.deepEqual(duckdb, reference);
  });

  it('prefilter keeps every matched event', () => {
    const prefilter = EventPrefilter.of([hunt]);
    for (const hit of evaluateHunt(hunt, PORT_ROWS)) {
      const name = PORT_NAMES[hit.eventIndex]!;
      assert.ok(prefilter.keeps(TABLE, PORT_EVENTS[name]), `prefilter dropped ${name}`);
    }
    assert.ok(prefilter.columns(TABLE)?.includes('DestinationPort'));
  });

  it('KQL joins a port that is not 80 or 443', () => {
    const query = compileKql(hunt, { generatorVersion: 'test' });
    const errors = checkKql(query, { platform: 'sentinel' }).filter(
      (diagnostic) => diagnostic.severity === 'error',
    );
    assert.deepEqual(errors, [], query);
    const join = query.split('\n').find((line) => line.startsWith('| extend MatchUrl1_1 = '));
    assert.ok(join, query);
    assert.match(join, /strcat\(":", tostring\(DestinationPort\)\)/);
    assert.match(join, /DestinationPort !in \(80, 443\)/);
    assert.match(join, /DestinationPort between \(1 \.\. 65535\)/);
  });
});

/*
 * Server addresses that WAFs write into `dhost`: a bare IPv6 address, which a joined URL must
 * bracket, and `[ipv6]`, `[ipv6]:port` or `ipv4:port`, which the destination address reads when
 * `dst` is `-`.
 */
function addressHunts(): Hunt[] {
  const indicators = makeIndicators([
    ['url', 'http://[2001:db8::1]/v6'],
    ['url', 'http://[2001:db8::1]:8080/v6p'],
    ['ip:port', '[2001:db8::7]:8080'],
    ['ip:port', '13.86.36.66:9049'],
  ]);
  return buildHunts(indicators, {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: [getDataSource('sentinel-commonsecuritylog')],
  });
}

const ADDRESS_EVENTS = {
  v6HostPath: { DestinationHostName: '2001:db8::1', RequestURL: '/v6' },
  v6HostPort: { DestinationHostName: '2001:db8::1', DestinationPort: 8080, RequestURL: '/v6p' },
  v6BracketedHostPort: {
    DestinationHostName: '[2001:db8::1]:8080',
    DestinationPort: 9999,
    RequestURL: '/v6p',
  },
  v6HostOtherPort: {
    DestinationHostName: '2001:db8::1',
    DestinationPort: 8443,
    RequestURL: '/v6',
  },
  bracketedV6: { DestinationIP: '-', DestinationHostName: '[2001:db8::7]', DestinationPort: 8080 },
  bracketedV6WithPort: {
    DestinationIP: '',
    DestinationHostName: '[2001:DB8::7]:8080',
    DestinationPort: 8080,
  },
  v4WithPort: {
    DestinationIP: '-',
    DestinationHostName: '13.86.36.66:9049',
    DestinationPort: 9049,
  },
  v4WithPortOtherDpt: {
    DestinationIP: '-',
    DestinationHostName: '13.86.36.66:9049',
    DestinationPort: 443,
  },
  unclosedBracket: {
    DestinationIP: '-',
    DestinationHostName: '[2001:db8::7',
    DestinationPort: 8080,
  },
  bracketedV4: { DestinationIP: '-', DestinationHostName: '[13.86.36.66]', DestinationPort: 9049 },
  nameWithPort: {
    DestinationIP: '-',
    DestinationHostName: 'host.test:9049',
    DestinationPort: 9049,
  },
  v4WithLongPort: {
    DestinationIP: '-',
    DestinationHostName: '13.86.36.66:123456',
    DestinationPort: 9049,
  },
} satisfies Record<string, EventRow>;

const ADDRESS_NAMES = Object.keys(ADDRESS_EVENTS) as Array<keyof typeof ADDRESS_EVENTS>;
const ADDRESS_ROWS: EventRow[] = ADDRESS_NAMES.map((name) => ADDRESS_EVENTS[name]);

function addressHits(hunt: Hunt): string[] {
  return evaluateHunt(hunt, ADDRESS_ROWS).map((hit) => ADDRESS_NAMES[hit.eventIndex]!);
}

describe('CSL keys over dhost addresses', () => {
  const hunts = addressHunts();
  let session: DuckDbHuntSession;
  before(async () => {
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('url hunt brackets an IPv6 dhost', () => {
    assert.deepEqual(addressHits(huntOf(hunts, 'url')), [
      'v6HostPath',
      'v6HostPort',
      'v6BracketedHostPort',
    ]);
  });

  it('port-aware hunt reads dhost with port', () => {
    // The URL http://[2001:db8::1]:8080/v6p also adds its address on port 8080.
    assert.deepEqual(addressHits(huntOf(hunts, 'port-aware')), [
      'v6HostPort',
      'bracketedV6',
      'bracketedV6WithPort',
      'v4WithPort',
    ]);
  });

  it('address-only hunt reads dhost with port', () => {
    assert.deepEqual(addressHits(huntOf(hunts, 'address-only')), [
      'v6HostPath',
      'v6HostPort',
      'v6BracketedHostPort',
      'v6HostOtherPort',
      'bracketedV6',
      'bracketedV6WithPort',
      'v4WithPort',
      'v4WithPortOtherDpt',
    ]);
  });

  it('DuckDB agrees with the evaluator', async () => {
    const { duckdb, reference } = await hitsOnBothSides(session, hunts, TABLE, ADDRESS_ROWS);
    assert.ok(reference.length > 0);
    assert.deepEqual(duckdb, reference);
  });

  it('prefilter keeps every matched event', () => {
    const prefilter = EventPrefilter.of(hunts);
    for (const hunt of hunts) {
      for (const hit of evaluateHunt(hunt, ADDRESS_ROWS)) {
        const name = ADDRESS_NAMES[hit.eventIndex]!;
        assert.ok(prefilter.keeps(TABLE, ADDRESS_EVENTS[name]), `prefilter dropped ${name}`);
      }
    }
    assert.equal(prefilter.keeps(TABLE, ADDRESS_EVENTS.nameWithPort), false);
  });

  it('KQL reads the address in dhost', () => {
    for (const hunt of hunts) {
      const query = compileKql(hunt, { generatorVersion: 'test' });
      const errors = checkKql(query, { platform: 'sentinel' }).filter(
        (diagnostic) => diagnostic.severity === 'error',
      );
      assert.deepEqual(errors, [], `${hunt.id}\n${query}`);
    }
    const address = compileKql(huntOf(hunts, 'port-aware'), { generatorVersion: 'test' });
    const key = address
      .split('\n')
      .find((line) => line.trim().startsWith('| extend MatchKey1_1 = '));
    assert.ok(key, address);
    assert.ok(key.includes('parse_ipv6(DestinationHostName)'), key);
    assert.ok(key.includes('parse_ipv6(extract('), key);
    const url = compileKql(huntOf(hunts, 'url'), { generatorVersion: 'test' });
    assert.ok(url.includes('strcat("[", DestinationHostName, "]")'), url);
  });
});
