/**
 * The combined index must decide exactly as checking each list's own matcher in order does: same
 * indicators set aside, same list, entry and reason, same full-URL marks. The reference below is
 * that one-by-one check, built on `source.compile()`, run on real feed rows and on indicators
 * made from the entries of every built-in list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import {
  INDICATOR_KINDS,
  type Indicator,
  type IndicatorKind,
} from '../../../src/indicators/model.js';
import { collectIndicators } from '../../../src/pipeline/collect.js';
import { BUILT_IN_POLICIES } from '../../../src/pipeline/allowlist/builtin-catalog.js';
import {
  CombinedIndex,
  kindMask,
  ListMatches,
} from '../../../src/pipeline/allowlist/combined-index.js';
import { parentNames } from '../../../src/pipeline/allowlist/host-index.js';
import { urlEndpoint } from '../../../src/indicators/url.js';
import {
  applyAllowlists,
  checkIndicator,
  loadAllowlists,
  type AllowlistDecision,
  type AllowlistSource,
  type Allowlists,
} from '../../../src/pipeline/allowlist/index.js';
import { parseIpNumber, parseIpRange } from '../../../src/pipeline/allowlist/ip-number.js';
import {
  compileEntries,
  indexEntries,
  type WarninglistType,
} from '../../../src/pipeline/allowlist/matchers.js';
import { RegistrantResolver } from '../../../src/pipeline/allowlist/registrant.js';
import type { Probe } from '../../../src/pipeline/allowlist/types.js';
import { readWarninglist } from '../../../src/pipeline/allowlist/warninglist.js';
import { repoFile, sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import {
  domainIndicator,
  hashIndicator,
  ipIndicator,
  ipPortIndicator,
  urlIndicator,
} from './make-indicator.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const EXPORT = repoFile('data/threatfox/v3nom_json-export-recent_2026-07-24.json');
const URL_DUMP = 'threatfox/carved1_csv-full-urls_2025-12-07.csv';

function referenceProbe(indicator: Indicator, lists: Allowlists): Probe {
  const address = (text: string) =>
    parseIpNumber(text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text);
  const hostProbe = (host: string): Probe => {
    const name = host.toLowerCase().replace(/\.$/, '');
    return {
      kind: indicator.kind,
      value: indicator.kind === 'domain' ? name : indicator.value,
      host: name,
      hostParents: parentNames(name),
      minSuffixLength: lists.resolver.minSuffixLength(name),
    };
  };
  switch (indicator.kind) {
    case 'ip':
    case 'ip-port':
      return { kind: indicator.kind, value: indicator.value, address: address(indicator.address) };
    case 'domain':
      return hostProbe(indicator.domain);
    case 'url':
      if (indicator.hostKind !== 'domain') {
        const host = address(indicator.host);
        return { kind: 'url', value: indicator.value, url: indicator.url, address: host };
      }
      return { ...hostProbe(indicator.host), url: indicator.url };
    default:
      return { kind: indicator.kind, value: indicator.hash.toLowerCase() };
  }
}

/** Checks each list that applies, in order, with its own matcher. */
function referenceDecision(indicator: Indicator, lists: Allowlists): AllowlistDecision {
  let kinds: IndicatorKind[] = [indicator.kind];
  if (indicator.kind === 'url') {
    kinds = indicator.hostKind === 'domain' ? ['url', 'domain'] : ['url', 'ip', 'ip-port'];
  }
  const probe = referenceProbe(indicator, lists);
  let fullUrl: { source: AllowlistSource; entry: string } | undefined;
  for (const source of lists.sources) {
    if (!kinds.some((kind) => source.kinds.has(kind))) continue;
    const entry = source.compile().match(probe);
    if (entry === undefined) continue;
    if (indicator.kind === 'url' && source.urlHostAction === 'full-url') {
      fullUrl ??= { source, entry };
      continue;
    }
    const reason = source.reasonFor(entry);
    const version = source.version();
    return { action: 'set-aside', list: source.name, listVersion: version, entry, reason };
  }
  if (!fullUrl || indicator.kind !== 'url') return { action: 'keep' };
  const port = indicator.port;
  const hostOnly =
    indicator.hostKind === 'domain' &&
    indicator.pathAndQuery === '/' &&
    (port === undefined || port === 80 || port === 443);
  if (hostOnly) {
    const host = referenceDecision(domainIndicator(indicator.host), lists);
    if (host.action === 'set-aside') {
      const reason = `the URL has no path or query, so a hunt on it would match every connection to its host ${indicator.host}, which this list sets aside as a domain.`;
      return { ...host, reason };
    }
  }
  const described = `the host ${indicator.host} is ${fullUrl.source.describe(fullUrl.entry)}`;
  const match = {
    action: 'keep',
    matchAs: 'full-url',
    list: fullUrl.source.name,
    listVersion: fullUrl.source.version(),
    entry: fullUrl.entry,
  } as const;
  if (indicator.hostKind === 'domain') {
    const reason = `kept as a full-URL match: ${described}, so a hunt on the host alone would flood; hunts match this exact URL only.`;
    return { ...match, reason };
  }
  // The connection's address and port, set aside as an ip:port, leave the URL alone.
  const endpoint = urlEndpoint(indicator.url);
  const endpointSetAside =
    endpoint?.port !== undefined &&
    referenceDecision(ipPortIndicator(endpoint.address, endpoint.port), lists).action ===
      'set-aside';
  if (endpointSetAside) {
    const reason = `kept as a full-URL match: ${described}, so a hunt on the address would flood, even on the URL's port; hunts match this exact URL only.`;
    return { ...match, reason, urlOnly: true };
  }
  const reason = `kept as a full-URL match: ${described}, so a hunt on the address alone would flood; hunts match this exact URL, and its address only on the URL's port.`;
  return { ...match, reason };
}

/**
 * Asserts that the index decides like the reference for every indicator, checked one by one,
 * as one batch and in batches of 5,000 (small batches get an index of their own); returns the
 * number set aside.
 */
function assertSameDecisions(indicators: Indicator[], lists: Allowlists): number {
  const expected = indicators.map((indicator) => referenceDecision(indicator, lists));
  for (const [position, indicator] of indicators.entries()) {
    assert.deepEqual(checkIndicator(indicator, lists), expected[position], indicator.value);
  }
  assertSameBatch(indicators, expected, lists);
  for (let start = 0; start < indicators.length; start += 5000) {
    const end = start + 5000;
    assertSameBatch(indicators.slice(start, end), expected.slice(start, end), lists);
  }
  return expected.filter((decision) => decision.action === 'set-aside').length;
}

function assertSameBatch(
  indicators: Indicator[],
  expected: AllowlistDecision[],
  lists: Allowlists,
): void {
  const batch = applyAllowlists(indicators, lists);
  const setAside = expected.flatMap((decision, position) =>
    decision.action === 'set-aside' ? [{ indicator: indicators[position]!, ...decision }] : [],
  );
  assert.deepEqual(
    batch.setAside,
    setAside.map(({ action: _action, ...item }) => item),
  );
  const fullUrl = expected.flatMap((decision, position) =>
    'matchAs' in decision ? [{ indicator: indicators[position]!, ...decision }] : [],
  );
  assert.deepEqual(
    batch.fullUrl,
    fullUrl.map(({ action: _action, ...item }) => item),
  );
  assert.equal(batch.kept.length, indicators.length - setAside.length);
}

/** Returns every `step`-th item, so the largest lists stay within a few seconds of checks. */
function sample<T>(items: readonly T[], step: number): T[] {
  return items.filter((_, index) => index % step === 0);
}

function ipv4Text(value: number): string {
  return ipaddr
    .fromByteArray([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255])
    .toString();
}

function ipv6Text(value: bigint): string {
  const bytes: number[] = [];
  for (let shift = 120n; shift >= 0n; shift -= 8n) bytes.push(Number((value >> shift) & 255n));
  return ipaddr.fromByteArray(bytes).toString();
}

/** Indicators at the edges of an address or CIDR entry, with and without a port. */
function addressIndicators(entry: string): Indicator[] {
  const range = parseIpRange(entry.trim());
  if (!range) return [];
  const texts =
    range.family === 'ipv4'
      ? [range.first, range.last, range.first + Math.floor((range.last - range.first) / 2)].map(
          ipv4Text,
        )
      : [range.first, range.last].map(ipv6Text);
  const indicators: Indicator[] = [];
  for (const text of texts) {
    indicators.push(ipIndicator(text), ipPortIndicator(text, 443));
    if (range.family === 'ipv4') {
      indicators.push(urlIndicator(`http://${text}:8080/x`));
      // IPv4-mapped and NAT64 forms are checked as their IPv4 address.
      indicators.push(ipIndicator(`::ffff:${text}`), ipIndicator(`64:ff9b::${text}`));
    } else {
      indicators.push(urlIndicator(`http://[${text}]/x`));
    }
  }
  // Just outside the block.
  if (range.family === 'ipv4' && range.last < 2 ** 32 - 1) {
    indicators.push(ipIndicator(ipv4Text(range.last + 1)));
  }
  return indicators;
}

/** Indicators on a host entry: the name, subdomains of it, and URLs on both. */
function hostIndicators(entry: string): Indicator[] {
  const name = entry.trim().toLowerCase().replace(/^\.+/, '').replace(/\.+$/, '');
  if (!/^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/.test(name)) return [];
  const indicators: Indicator[] = [
    domainIndicator(name),
    domainIndicator(`c2.${name}`),
    domainIndicator(`a.b.${name}`),
  ];
  // Some list entries, such as all-digit names, are not valid URL hosts.
  if (URL.canParse(`https://${name}/`) && !/^[\d.]+$/.test(name)) {
    indicators.push(urlIndicator(`https://${name}/payload.bin`));
    indicators.push(urlIndicator(`http://x.${name}/gate.php?id=1`));
  }
  return indicators;
}

function hashIndicators(entry: string): Indicator[] {
  const hash = entry.trim();
  if (/^[0-9a-f]{32}$/i.test(hash)) return [hashIndicator('md5', hash)];
  if (/^[0-9a-f]{40}$/i.test(hash)) return [hashIndicator('sha1', hash)];
  if (/^[0-9a-f]{64}$/i.test(hash)) return [hashIndicator('sha256', hash)];
  return [];
}

/** Indicators made from every entry of every built-in list, one in `step` for large lists. */
function indicatorsFromLists(): Indicator[] {
  const indicators: Indicator[] = [];
  for (const policy of BUILT_IN_POLICIES) {
    const list = readWarninglist(repoFile(`data/warninglists/${policy.name}/list.json`));
    const entries = list.list.length > 2000 ? sample(list.list, 23) : list.list;
    for (const entry of entries) {
      if (list.type === 'cidr') indicators.push(...addressIndicators(entry));
      else if (policy.kinds.some((kind) => ['md5', 'sha1', 'sha256'].includes(kind))) {
        indicators.push(...hashIndicators(entry));
      } else indicators.push(...hostIndicators(entry));
    }
  }
  const special = JSON.parse(
    readFileSync(repoFile('data/allowlists/special-ranges.json'), 'utf8'),
  ) as { ranges: Array<{ cidr: string }>; domains: Array<{ name: string }> };
  for (const range of special.ranges) indicators.push(...addressIndicators(range.cidr));
  for (const domain of special.domains) indicators.push(...hostIndicators(domain.name));
  const platforms = JSON.parse(
    readFileSync(repoFile('data/allowlists/trusted-platforms.json'), 'utf8'),
  ) as { platforms: Array<{ host: string }> };
  for (const platform of platforms.platforms) indicators.push(...hostIndicators(platform.host));
  return indicators;
}

test('index decides like each list on list entries', () => {
  const indicators = indicatorsFromLists();
  assert.ok(indicators.length > 30_000, `${indicators.length} indicators`);
  const setAside = assertSameDecisions(indicators, loadAllowlists());
  // Most indicators sit on a list, so the comparison covers matches, not only misses.
  assert.ok(setAside > indicators.length / 3, `${setAside} set aside`);
});

test('index decides like each list on ThreatFox rows', async () => {
  const { indicators } = await collectIndicators([EXPORT]);
  assert.equal(indicators.length, 4479);
  const bare = indicators.flatMap((indicator) =>
    indicator.kind === 'ip-port' ? [ipIndicator(indicator.address)] : [],
  );
  const setAside = assertSameDecisions([...indicators, ...bare], loadAllowlists());
  assert.ok(setAside > 100, `${setAside} set aside`);
});

test(
  'index decides like each list on URL dump',
  { skip: skipWithoutShared(URL_DUMP) },
  async () => {
    const { indicators } = await collectIndicators([sharedFile(URL_DUMP)]);
    assert.ok(indicators.length > 10_000, `${indicators.length} indicators`);
    assertSameDecisions(indicators, loadAllowlists());
  },
);

test('index and user lists keep check order', (t) => {
  const folder = makeTempDir('combined', t);
  const file = join(folder, 'allow.txt');
  writeFileSync(
    file,
    [
      'https://www.wikipedia.org/payload.hta',
      '10.1.0.0/16',
      '20.204.61.204',
      'evil.duckdns.org',
      'regex:^https://is\\.gd/',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ].join('\n'),
  );
  const lists = loadAllowlists({ userFiles: [file], disable: ['public-dns-v4'] });
  const indicators = [
    urlIndicator('https://www.wikipedia.org/payload.hta'),
    urlIndicator('https://www.wikipedia.org/other.hta'),
    ipIndicator('10.1.2.3'),
    ipPortIndicator('20.204.61.204', 21891),
    ipIndicator('20.204.61.204'),
    domainIndicator('c2.evil.duckdns.org'),
    urlIndicator('https://is.gd/abc123'),
    hashIndicator('sha256', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'),
    ipIndicator('1.0.0.1'),
  ];
  assertSameDecisions(indicators, lists);
  // A full-URL mark from tranco10k gives way to the user list that sets the URL aside.
  const decision = checkIndicator(indicators[0]!, lists);
  assert.equal(decision.action, 'set-aside');
  assert.ok('list' in decision);
  assert.equal(decision.list, `user:${file}`);
  // The user list names the Azure address, so the kept ip:port is set aside after all.
  const c2 = checkIndicator(indicators[3]!, lists);
  assert.ok('list' in c2);
  assert.equal(c2.list, `user:${file}`);
});

test('index matches one list like its matcher', () => {
  const resolver = new RegistrantResolver(() => new Set(['ddns.example']));
  const lists: Array<{ type: WarninglistType; entries: string[] }> = [
    {
      type: 'cidr',
      entries: [
        '1.2.3.4',
        '1.2.3.4/32',
        '10.0.0.0/8',
        '10.1.0.0/16',
        '10.1.0.0/16 ',
        ' 10.1.2.3 ',
        '10.1.2.3',
        '01.2.3.4',
        'bogus',
        '2001:DB8::/32',
        '2001:db8::1',
        '5.6.7.0/24',
        '::ffff:5.6.7.8/128',
      ],
    },
    {
      type: 'string',
      entries: [
        '.google.ad',
        'google.ad',
        'Example.COM',
        'D41D8CD98F00B204E9800998ECF8427E',
        'https://exact.example/x',
        'http://198.51.100.7/a',
      ],
    },
    { type: 'hostname', entries: ['ddns.example', 'evil.com', 'EVIL.com.', 'sub.evil.com', 'com'] },
    { type: 'substring', entries: ['sandbox', ''] },
  ];
  const addresses = [
    '1.2.3.4',
    '1.2.3.5',
    '10.1.2.3',
    '10.1.9.9',
    '10.200.0.1',
    '2001:db8::1',
    '2001:db8::2',
    '::ffff:5.6.7.8',
    '::ffff:5.6.7.9',
    '64:ff9b::a01:203',
  ];
  const hosts = [
    'google.ad',
    'mail.google.ad',
    'example.com',
    'www.example.com',
    'evil.com',
    'a.sub.evil.com',
    'x.evil.com',
    'c2.ddns.example',
    'a.c2.ddns.example',
    'my-sandbox.net',
  ];
  const probes: Probe[] = [
    ...addresses.map((text): Probe => ({ kind: 'ip', value: text, address: parseIpNumber(text) })),
    ...hosts.map((host): Probe => ({
      kind: 'domain',
      value: host,
      host,
      minSuffixLength: resolver.minSuffixLength(host),
    })),
    ...hosts.map((host): Probe => ({
      kind: 'url',
      value: `https://${host}/x`,
      url: `https://${host}/x`,
      host,
      minSuffixLength: resolver.minSuffixLength(host),
    })),
    {
      kind: 'url',
      value: 'https://exact.example/x',
      url: 'https://exact.example/x',
      host: 'exact.example',
      minSuffixLength: 13,
    },
    {
      kind: 'url',
      value: 'http://198.51.100.7/a',
      url: 'http://198.51.100.7/a',
      address: parseIpNumber('198.51.100.7'),
    },
    { kind: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
  ];
  const every = new Set(INDICATOR_KINDS);
  for (const { type, entries } of lists) {
    const options = { registrantBoundary: true };
    const matcher = compileEntries(type, entries, options);
    const index = new CombinedIndex();
    index.addList(0, every, true);
    indexEntries(index, 0, type, entries, options);
    const matches = new ListMatches();
    for (const probe of probes) {
      matches.clear();
      const valueKey =
        probe.host === undefined ? probe.value.toLowerCase() : probe.url?.toLowerCase();
      index.lookup({ ...probe, kinds: kindMask(every), valueKey }, matches);
      assert.equal(matches.entry(0), matcher.match(probe), `${type} ${probe.value}`);
    }
  }
});

test('batch finds IPv4 inside IPv6 addresses', () => {
  const lists = loadAllowlists();
  const indicators = [ipIndicator('64:ff9b::808:808'), ipIndicator('::ffff:1.0.0.1')];
  assert.equal(assertSameDecisions(indicators, lists), 2);
  const result = applyAllowlists(indicators, lists);
  assert.deepEqual(
    result.setAside.map((item) => `${item.list} ${item.entry}`),
    ['public-dns-v4 8.8.8.8', 'public-dns-v4 1.0.0.1'],
  );
});
