import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileKql, SENTINEL_QUERY_LIMIT } from '../../../src/backends/kql/kql.backend.js';
import { compileKqlFilter } from '../../../src/backends/kql/kql.filter.js';
import { compileKqlWithinLimit } from '../../../src/backends/kql/kql.split.js';
import { buildHunts } from '../../../src/compile/build-hunts.js';
import type { Hunt } from '../../../src/compile/ir.js';
import type { Indicator } from '../../../src/indicators/model.js';
import { defaultExclusions } from '../../../src/pipeline/scenarios.js';
import { checkKql } from '../../../src/validate/kusto.js';
import { ListProvenance } from '../../../src/indicators/provenance.js';

const OPTIONS = { generatorVersion: 'test' };
const FIRST_SEEN = new Date('2026-05-13T08:00:00Z');

function context(overrides: Partial<Indicator> = {}) {
  return {
    tags: [],
    references: [],
    reporters: [],
    provenance: new ListProvenance([], []),
    threatType: 'botnet_cc',
    confidence: 75,
    firstSeen: FIRST_SEEN,
    family: { name: 'Remcos', aliases: [] },
    ...overrides,
  };
}

function ipPort(address: string, port: number): Indicator {
  const v6 = address.includes(':');
  return {
    ...context(),
    kind: 'ip-port',
    value: v6 ? `[${address}]:${port}` : `${address}:${port}`,
    address,
    addressFamily: v6 ? 'ipv6' : 'ipv4',
    port,
  };
}

function domain(name: string): Indicator {
  return { ...context(), kind: 'domain', value: name, domain: name };
}

const SAMPLE: Indicator[] = [
  ipPort('45.92.1.175', 5220),
  ipPort('203.202.232.22', 3131),
  ipPort('2a02:cf40:1::5', 40669),
  { ...context(), kind: 'ip', value: '2.27.17.179', address: '2.27.17.179', addressFamily: 'ipv4' },
  domain('evil.example'),
  {
    ...context({ confidence: undefined, firstSeen: undefined }),
    kind: 'url',
    value: 'https://evil.example/gate.php?id=1',
    url: 'https://evil.example/gate.php?id=1',
    scheme: 'https',
    host: 'evil.example',
    hostKind: 'domain',
    pathAndQuery: '/gate.php?id=1',
  },
  { ...context(), kind: 'sha256', value: 'ab'.repeat(32), hash: 'ab'.repeat(32) },
  { ...context(), kind: 'md5', value: 'cd'.repeat(16), hash: 'cd'.repeat(16) },
];

function huntsFor(indicators: Indicator[], family = 'Remcos'): Hunt[] {
  return buildHunts(indicators, {
    family,
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    exclusionsFor: defaultExclusions,
  });
}

function errorsOf(query: string, hunt: Hunt): string[] {
  return checkKql(query, { platform: hunt.source.platform })
    .filter((diagnostic) => diagnostic.severity === 'error')
    .map(
      (diagnostic) =>
        `${diagnostic.line}:${diagnostic.column} ${diagnostic.code} ${diagnostic.message}`,
    );
}

test('every hunt compiles against its table schema', () => {
  const hunts = huntsFor(SAMPLE);
  // DeviceEvents adds a port-aware, address-only, domain and URL hunt on each platform, and
  // UrlClickEvents a domain hunt on each platform. The DNS answers of DnsEvents add an
  // address-only hunt, and ASimDnsActivityLogs an address-only and a domain hunt.
  // CommonSecurityLog's FileHash adds a hash hunt, and the initiating process hashes of
  // DeviceNetworkEvents a hash hunt on each platform. DeviceImageLoadEvents adds a hash hunt on
  // each platform.
  assert.equal(hunts.length, 39);
  for (const hunt of hunts) {
    const query = compileKql(hunt, OPTIONS);
    assert.deepEqual(errorsOf(query, hunt), [], `${hunt.id}\n${query}`);
  }
});

test('port-aware hunt joins on address and port', () => {
  const hunt = huntsFor(SAMPLE).find((h) => h.id === 'remcos-sentinel-csl-port-aware')!;
  const query = compileKql(hunt, OPTIONS);
  assert.match(
    query,
    /lookup kind=inner \(IocKeys\) on \$left\.MatchKey1_1 == \$right\.IocKey1_1, \$left\.MatchKey1_2 == \$right\.IocKey1_2/,
  );
  assert.match(
    query,
    /MatchKey1_1 = coalesce\(parse_ipv6\(extract\(@"\^\(\[\^\/\]\*\)\$", 1, DestinationIP\)\), parse_ipv6\(extract\(@"\^\(\[\^\/\]\*\)\$", 1, DestinationHostName\)\), /,
  );
  // The destination port comes from DestinationHostName when the address does.
  assert.match(
    query,
    /MatchKey1_2 = iff\(isempty\(parse_ipv6\(extract\(@"\^\(\[\^\/\]\*\)\$", 1, DestinationIP\)\)\) and isnotnull\(MatchHostPort1_2\), MatchHostPort1_2, DestinationPort\)/,
  );
  assert.match(query, /MatchKey2_1 = parse_ipv6\(extract\(@"\^\(\[\^\/\]\*\)\$", 1, SourceIP\)\)/);
  assert.match(query, /MatchKey2_2 = SourcePort/);
  assert.match(query, /\| where TimeGenerated > ago\(lookback\)/);
  assert.match(query, /^let lookback = 30d;$/m);
  assert.match(
    query,
    /"45\.92\.1\.175", 5220, "botnet_cc", 75, datetime\(2026-05-13T08:00:00(\.0+)?Z\)/,
  );
});

test('address-only hunt is labelled and has no port key', () => {
  const hunt = huntsFor(SAMPLE).find((h) => h.id === 'remcos-sentinel-csl-address-only')!;
  const query = compileKql(hunt, OPTIONS);
  assert.match(query, /address-only/);
  assert.doesNotMatch(query, /DestinationPort ==|MatchKey\d_2/);
  assert.match(query, /"45\.92\.1\.175", "5220"/);
  assert.match(query, /"2\.27\.17\.179", ""/);
});

test('defender hunts use Timestamp', () => {
  const hunt = huntsFor(SAMPLE).find((h) => h.id === 'remcos-defender-dne-port-aware')!;
  const query = compileKql(hunt, OPTIONS);
  assert.match(query, /\| where Timestamp > ago\(lookback\)/);
  assert.doesNotMatch(query, /TimeGenerated/);
});

test('denied-inbound exclusion compiles into address-only hunts', () => {
  const hunts = huntsFor(SAMPLE);
  const addressOnly = hunts.find((h) => h.id === 'remcos-sentinel-csl-address-only')!;
  const denied = /\| where not\(\(MatchedOn == "source" and DeviceAction in~ \("deny", /;
  assert.match(compileKql(addressOnly, OPTIONS), denied);
  // A denied packet from the C2 port is more likely a reply to a device than a scan.
  const portAware = hunts.find((h) => h.id === 'remcos-sentinel-csl-port-aware')!;
  assert.doesNotMatch(compileKql(portAware, OPTIONS), denied);
});

test('filter compiles with guards on numbers', () => {
  assert.equal(
    compileKqlFilter({ kind: 'compare', column: 'DestinationPort', op: '!=', value: 53 }),
    '(isnotnull(DestinationPort) and DestinationPort != 53)',
  );
  assert.equal(
    compileKqlFilter({
      kind: 'compare',
      column: 'DeviceAction',
      op: '==',
      value: 'Deny',
      caseInsensitive: true,
    }),
    'DeviceAction =~ "Deny"',
  );
  assert.equal(
    compileKqlFilter({
      kind: 'or',
      terms: [
        { kind: 'text', column: 'RequestURL', op: 'contains', value: 'a"b' },
        { kind: 'not', term: { kind: 'empty', column: 'DestinationHostName' } },
      ],
    }),
    '(RequestURL contains "a\\"b" or not(isempty(DestinationHostName)))',
  );
  assert.equal(compileKqlFilter({ kind: 'in', column: 'SourceIP', values: [] }), 'false');
  assert.equal(
    compileKqlFilter({ kind: 'cidr', column: 'SourceIP', ranges: ['10.0.0.0/8', 'fc00::/7'] }),
    'coalesce(ipv6_is_in_any_range(parse_ipv6(extract(@"^([^/]*)$", 1, SourceIP)), ' +
      'dynamic(["0:0:0:0:0:ffff:a00:0/104", "fc00:0:0:0:0:0:0:0/7"])), false)',
  );
});

test('range exclusion keeps events without an address', () => {
  // The range functions return null for "" or an address of the other family, and a `where`
  // drops a row whose condition is null, so the test must default to false. The address goes
  // through parse_ipv6 and the range is its IPv4-mapped form, as the local hunt compares them.
  const condition = compileKqlFilter({
    kind: 'not',
    term: { kind: 'cidr', column: 'DestinationIP', ranges: ['10.0.0.0/8'] },
  });
  assert.equal(
    condition,
    'not(coalesce(ipv6_is_in_any_range(parse_ipv6(extract(@"^([^/]*)$", 1, DestinationIP)), ' +
      'dynamic(["0:0:0:0:0:ffff:a00:0/104"])), false))',
  );
  const query = `CommonSecurityLog | where TimeGenerated > ago(1d) | where ${condition}`;
  assert.deepEqual(
    checkKql(query, { platform: 'sentinel' }).map((diagnostic) => diagnostic.message),
    [],
  );
});

test('long indicator list splits into checked parts', () => {
  const many: Indicator[] = [];
  for (let index = 0; index < 600; index += 1) {
    many.push(ipPort(`198.51.${Math.floor(index / 250)}.${index % 250}`, 1024 + index));
  }
  const hunt = huntsFor(many).find((h) => h.id === 'remcos-sentinel-csl-port-aware')!;
  const parts = compileKqlWithinLimit(hunt, OPTIONS) ?? [];
  assert.ok(parts.length >= 2, `expected several parts, got ${parts.length}`);
  const seen: string[] = [];
  parts.forEach((part, index) => {
    assert.ok(
      part.query.length <= SENTINEL_QUERY_LIMIT,
      `part ${index + 1} is ${part.query.length} characters`,
    );
    assert.deepEqual(part.hunt.part, { index: index + 1, count: parts.length });
    assert.equal(part.hunt.id, `remcos-sentinel-csl-port-aware-part${index + 1}`);
    assert.match(part.query, new RegExp(`// Part ${index + 1} of ${parts.length}`));
    assert.deepEqual(errorsOf(part.query, part.hunt), []);
    for (const row of part.hunt.iocs.rows) seen.push(`${String(row[0])}:${String(row[1])}`);
  });
  assert.equal(seen.length, 600);
  assert.equal(new Set(seen).size, 600);
});

test('split gives up past most parts', () => {
  const many: Indicator[] = [];
  for (let index = 0; index < 300; index += 1) {
    many.push(domain(`${'x'.repeat(150)}-${index}.evil.example`));
  }
  const hunt = huntsFor(many).find((h) => h.id === 'remcos-sentinel-dne-domain')!;
  const needed = compileKqlWithinLimit(hunt, OPTIONS)!.length;
  assert.ok(needed >= 5, `${needed} parts`);
  assert.equal(compileKqlWithinLimit(hunt, OPTIONS, { maxParts: needed })?.length, needed);
  assert.equal(compileKqlWithinLimit(hunt, OPTIONS, { maxParts: needed - 1 }), undefined);
  assert.equal(compileKqlWithinLimit(hunt, OPTIONS, { maxParts: 2 }), undefined);
});

test('split raises a value it cannot write', () => {
  const many: Indicator[] = [];
  for (let index = 0; index < 300; index += 1) {
    many.push(domain(`${'x'.repeat(150)}-${index}.evil.example`));
  }
  many.push(domain('lone-\ud800.evil.example'));
  const hunt = huntsFor(many).find((h) => h.id === 'remcos-sentinel-dne-domain')!;
  assert.throws(
    () => compileKqlWithinLimit(hunt, OPTIONS, { maxParts: 2 }),
    /LONE_SURROGATE|unpaired/,
  );
});

/** Replaces every double-quoted KQL string literal with "", leaving the query's structure. */
function structureOf(query: string): string {
  return query.replace(/"(?:[^"\\\n]|\\.)*"/g, '""').replace(/^\/\/.*$/gm, '//');
}

test('feed values cannot change query structure', () => {
  const baseline = huntsFor([domain('evil.example')], 'Family').find(
    (h) => h.id === 'remcos-sentinel-dne-domain',
  )!;
  const baselineStructure = structureOf(compileKql(baseline, OPTIONS));
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      (value, family) => {
        const hunt = huntsFor([domain(value)], family).find(
          (h) => h.id === 'remcos-sentinel-dne-domain',
        )!;
        const query = compileKql(hunt, OPTIONS);
        assert.equal(structureOf(query), baselineStructure);
        assert.deepEqual(errorsOf(query, hunt), []);
      },
    ),
    { numRuns: 150 },
  );
});
