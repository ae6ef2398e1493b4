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
      /\| extend MatchKey1_1 = coalesce\(parse_ipv6\(extract\(@"\^\(\[\^\/\]\*\)\$", 1, DestinationIP\)\), parse_ipv6\(extract\(@"\^\(\[\^\/\]\*\)\$", 1, DestinationHostName\)\), /,
    );
    assert.match(
      query,
      /\| extend MatchKey2_1 = parse_ipv6\(extract\(@"\^\(\[\^\/\]\*\)\$", 1, SourceIP\)\)\n/,
    );
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
    // The URL http://[2001:db8::1]:8080/v6p also adds its address on port 8080. A port that
    // dhost writes is the event's port when DestinationIP is empty, whatever dpt is.
    assert.deepEqual(addressHits(huntOf(hunts, 'port-aware')), [
      'v6HostPort',
      'v6BracketedHostPort',
      'bracketedV6',
      'bracketedV6WithPort',
      'v4WithPort',
      'v4WithPortOtherDpt',
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
    assert.ok(key.includes('parse_ipv6(extract(@"^([^/]*)$", 1, DestinationHostName))'), key);
    assert.ok(key.includes('parse_ipv6(extract('), key);
    const url = compileKql(huntOf(hunts, 'url'), { generatorVersion: 'test' });
    assert.ok(url.includes('strcat("[", DestinationHostName, "]")'), url);
  });
});

/*
 * Ports that WAFs and proxies write into `dhost` beside the address, with `dst=-`. When the
 * destination address comes from DestinationHostName and that names a port, the port-aware key
 * reads that port and not DestinationPort. When DestinationIP has an address, DestinationPort
 * counts, as on the source side.
 */
function dhostPortHunts(): Hunt[] {
  const indicators = makeIndicators([
    ['ip:port', '45.9.148.10:4444'],
    ['ip:port', '[2a01:4f8:1c1c::5]:443'],
    ['ip:port', '[2a01:4f8:1c1c::4444]:4444'],
  ]);
  return buildHunts(indicators, {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: [getDataSource('sentinel-commonsecuritylog')],
  });
}

const DHOST_PORT_EVENTS = {
  hostPortNoDpt: { DestinationHostName: '45.9.148.10:4444' },
  hostPortOtherDpt: {
    DestinationIP: '-',
    DestinationHostName: '45.9.148.10:4444',
    DestinationPort: 8080,
  },
  hostOtherPortDpt: {
    DestinationIP: '-',
    DestinationHostName: '45.9.148.10:8080',
    DestinationPort: 4444,
  },
  bracketedV6Port: { DestinationHostName: '[2a01:4f8:1c1c::5]:443' },
  bracketedV6OtherPort: { DestinationHostName: '[2a01:4f8:1c1c::5]:8443', DestinationPort: 443 },
  hostPortLeadingZero: { DestinationHostName: '45.9.148.10:04444', DestinationPort: 8080 },
  hostPortTooLarge: { DestinationHostName: '45.9.148.10:99999', DestinationPort: 4444 },
  hostWithoutPort: {
    DestinationIP: '-',
    DestinationHostName: '45.9.148.10',
    DestinationPort: 4444,
  },
  addressInIp: { DestinationIP: '45.9.148.10', DestinationPort: 4444 },
  addressInIpHostOtherPort: {
    DestinationIP: '45.9.148.10',
    DestinationHostName: '45.9.148.10:8080',
    DestinationPort: 4444,
  },
  addressInIpHostPort: {
    DestinationIP: '45.9.148.10',
    DestinationHostName: '45.9.148.10:4444',
    DestinationPort: 8080,
  },
  bareV6OtherDpt: {
    DestinationIP: '-',
    DestinationHostName: '2a01:4f8:1c1c::5',
    DestinationPort: 8443,
  },
  bareV6Dpt: { DestinationIP: '-', DestinationHostName: '2a01:4f8:1c1c::5', DestinationPort: 443 },
  bareV6LastGroupLikePort: {
    DestinationIP: '-',
    DestinationHostName: '2a01:4f8:1c1c::4444',
    DestinationPort: 8080,
  },
  nameWithPort: { DestinationIP: '-', DestinationHostName: 'host.test:4444' },
  sourcePort: { SourceIP: '45.9.148.10', SourcePort: 4444 },
  sourceOtherPort: { SourceIP: '45.9.148.10', SourcePort: 8080 },
} satisfies Record<string, EventRow>;

const DHOST_PORT_NAMES = Object.keys(DHOST_PORT_EVENTS) as Array<keyof typeof DHOST_PORT_EVENTS>;
const DHOST_PORT_ROWS: EventRow[] = DHOST_PORT_NAMES.map((name) => DHOST_PORT_EVENTS[name]);

/** Returns `event-name branch` for each reference hit of a hunt over the dhost port events. */
function dhostPortHits(hunt: Hunt): string[] {
  return evaluateHunt(hunt, DHOST_PORT_ROWS).map(
    (hit) => `${DHOST_PORT_NAMES[hit.eventIndex]} ${hit.matchedOn}`,
  );
}

describe('CSL port key over dhost ports', () => {
  const hunts = dhostPortHunts();
  let session: DuckDbHuntSession;
  before(async () => {
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('port-aware hunt reads the dhost port', () => {
    assert.deepEqual(dhostPortHits(huntOf(hunts, 'port-aware')), [
      'hostPortNoDpt destination',
      'hostPortOtherDpt destination',
      'bracketedV6Port destination',
      'hostPortLeadingZero destination',
      // 99999 is no port, so DestinationPort 4444 is compared.
      'hostPortTooLarge destination',
      'hostWithoutPort destination',
      'addressInIp destination',
      'addressInIpHostOtherPort destination',
      'bareV6Dpt destination',
      'sourcePort source',
    ]);
  });

  it('address-only hunt ignores every port', () => {
    assert.deepEqual(dhostPortHits(huntOf(hunts, 'address-only')), [
      'hostPortNoDpt destination',
      'hostPortOtherDpt destination',
      'hostOtherPortDpt destination',
      'bracketedV6Port destination',
      'bracketedV6OtherPort destination',
      'hostPortLeadingZero destination',
      'hostPortTooLarge destination',
      'hostWithoutPort destination',
      'addressInIp destination',
      'addressInIpHostOtherPort destination',
      'addressInIpHostPort destination',
      'bareV6OtherDpt destination',
      'bareV6Dpt destination',
      'bareV6LastGroupLikePort destination',
      'sourcePort source',
      'sourceOtherPort source',
    ]);
  });

  it('port key names its fallback', () => {
    const [destination, source] = huntOf(hunts, 'port-aware').match;
    assert.deepEqual(destination?.keys[1], {
      column: 'DestinationPort',
      fallbackColumn: 'DestinationHostName',
      addressColumn: 'DestinationIP',
      iocColumn: 'IocPort',
      normalization: 'exact',
    });
    assert.deepEqual(source?.keys[1], {
      column: 'SourcePort',
      iocColumn: 'IocPort',
      normalization: 'exact',
    });
  });

  it('DuckDB agrees with the evaluator', async () => {
    const { duckdb, reference } = await hitsOnBothSides(session, hunts, TABLE, DHOST_PORT_ROWS);
    assert.ok(reference.length > 0);
    assert.deepEqual(duckdb, reference);
  });

  it('prefilter keeps every matched event', () => {
    const prefilter = EventPrefilter.of(hunts);
    for (const hunt of hunts) {
      for (const hit of evaluateHunt(hunt, DHOST_PORT_ROWS)) {
        const name = DHOST_PORT_NAMES[hit.eventIndex]!;
        assert.ok(prefilter.keeps(TABLE, DHOST_PORT_EVENTS[name]), `prefilter dropped ${name}`);
      }
    }
  });

  it('KQL reads the dhost port', () => {
    const query = compileKql(huntOf(hunts, 'port-aware'), { generatorVersion: 'test' });
    const errors = checkKql(query, { platform: 'sentinel' }).filter(
      (diagnostic) => diagnostic.severity === 'error',
    );
    assert.deepEqual(errors, [], query);
    const lines = query.split('\n').map((line) => line.trim());
    const start = lines.indexOf('| where isnotempty(MatchKey1_1)');
    assert.ok(start > 0, query);
    assert.deepEqual(lines.slice(start + 1, start + 4), [
      String.raw`| extend MatchHostPort1_2 = extract(@"^(?:\[[^\]]*:[^\]]*\]|[0-9.]+):((?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[0-5][0-9]{4}|[0-9]{1,4}))$", 1, DestinationHostName, typeof(int))`,
      '| extend MatchKey1_2 = iff(isempty(parse_ipv6(extract(@"^([^/]*)$", 1, DestinationIP))) and isnotnull(MatchHostPort1_2), MatchHostPort1_2, DestinationPort)',
      '| where isnotnull(MatchKey1_2)',
    ]);
    assert.ok(!lines.includes('| where isnotnull(DestinationPort)'), query);
    assert.ok(lines.includes('| where isnotnull(SourcePort)'), query);
    assert.ok(lines.includes('| extend MatchKey2_2 = SourcePort'), query);
  });
});
