import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectIndicators, type CollectResult } from '../../src/pipeline/collect.js';
import { runCli } from '../helpers/cli.js';
import { sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HEADER = 'ioc_id,ioc_value,ioc_type,fk_malware,malware_printable,first_seen_utc';

/** 192.0.2.10:80 is read as RedLine Stealer, then twice as Cobalt Strike. */
const ROWS = [
  '1,192.0.2.10:80,ip:port,win.redline_stealer,RedLine Stealer,2026-01-01 00:00:00',
  '2,192.0.2.11:443,ip:port,win.cobalt_strike,Cobalt Strike,2026-01-01 00:00:00',
  '3,192.0.2.10:80,ip:port,win.cobalt_strike,Cobalt Strike,2026-01-02 00:00:00',
  '4,192.0.2.12:80,ip:port,win.redline_stealer,RedLine Stealer,2026-01-02 00:00:00',
  '5,192.0.2.10:80,ip:port,win.cobalt_strike,Cobalt Strike,2026-01-03 00:00:00',
];

const NDJSON = 'threatfox/elastic_api-data-ndjson_test-threatfox-ndjson_TRIMMED.log';

function writeFeed(t: TestContext): string {
  const path = join(makeTempDir('family-conflict', t), 'feed.csv');
  writeFileSync(path, [HEADER, ...ROWS].join('\n') + '\n');
  return path;
}

function conflictMessages(collected: CollectResult): string[] {
  return collected.issues
    .filter((issue) => issue.code === 'FAMILY_CONFLICT')
    .map((issue) => issue.message);
}

function familyOf(collected: CollectResult, value: string): string | undefined {
  return collected.indicators.find((indicator) => indicator.value === value)?.family?.name;
}

test('collect keeps conflict under filtered family', async (t) => {
  const collected = await collectIndicators([writeFeed(t)], {
    filters: { families: ['Cobalt Strike'] },
  });
  const { counts } = collected;
  assert.equal(counts.rowsRead, 5);
  assert.equal(counts.accepted, 3);
  assert.equal(counts.merged, 2);
  assert.equal(counts.kept, 2);
  assert.equal(counts.filteredOut, 1);
  assert.equal(counts.accepted, counts.kept + counts.filteredOut);
  assert.equal(familyOf(collected, '192.0.2.10:80'), 'Cobalt Strike');
  // The requested family's records give the context, not RedLine Stealer's first row.
  const moved = collected.indicators.find((indicator) => indicator.value === '192.0.2.10:80');
  assert.deepEqual(moved?.provenance.sourceIds, ['threatfox:3', 'threatfox:5']);
  const messages = conflictMessages(collected);
  assert.equal(messages.length, 2);
  for (const message of messages) {
    assert.match(message, /was first read as "RedLine Stealer"\./);
    assert.match(message, /hunted only in the "Cobalt Strike" pack, because --family/);
  }
});

test('collect without request copies for each family', async (t) => {
  const collected = await collectIndicators([writeFeed(t)]);
  assert.equal(collected.counts.kept, 3);
  assert.equal(collected.counts.accepted, collected.counts.kept + collected.counts.filteredOut);
  assert.equal(familyOf(collected, '192.0.2.10:80'), 'RedLine Stealer');
  // The indicator, then its copy for the later family, in read order.
  assert.deepEqual(
    collected.indicators.map((indicator) => `${indicator.value} ${indicator.family?.name}`),
    [
      '192.0.2.10:80 RedLine Stealer',
      '192.0.2.10:80 Cobalt Strike',
      '192.0.2.11:443 Cobalt Strike',
      '192.0.2.12:80 RedLine Stealer',
    ],
  );
  const copy = collected.indicators[1]!;
  assert.ok(collected.familyCopies.isCopy(copy));
  // Each pack entry has the context of its own family's records only.
  assert.deepEqual(copy.provenance.sourceIds, ['threatfox:3', 'threatfox:5']);
  assert.deepEqual(collected.indicators[0]!.provenance.sourceIds, ['threatfox:1']);
  assert.equal(copy.firstSeen?.toISOString(), '2026-01-02T00:00:00.000Z');
  const messages = conflictMessages(collected);
  assert.equal(messages.length, 2);
  for (const message of messages) {
    assert.match(
      message,
      /The "RedLine Stealer" and "Cobalt Strike" packs each take it, unless a filter or an allowlist leaves it out\.$/,
    );
  }
});

test('collect applies requested families unfiltered', async (t) => {
  const collected = await collectIndicators([writeFeed(t)], {
    requestedFamilies: ['win.cobalt_strike'],
  });
  assert.equal(collected.counts.kept, 3, 'nothing is filtered out');
  assert.equal(familyOf(collected, '192.0.2.10:80'), 'Cobalt Strike');
});

interface BuildOutcome {
  counts: CollectResult['counts'] & { copiesForOtherFamilies: number };
  packs: Array<{ family: string; folder: string; indicators: number }>;
  issues: string;
}

async function build(t: TestContext, args: string[]): Promise<BuildOutcome> {
  const out = makeTempDir('family-conflict-build', t);
  const result = await runCli(['build', ...args, '--out', out, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as Omit<BuildOutcome, 'issues'>;
  const { counts } = summary;
  const dropped = Object.values(counts.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(counts.rowsRead, counts.accepted + counts.rejected + counts.merged + dropped);
  assert.equal(counts.accepted, counts.kept + counts.filteredOut);
  return { ...summary, issues: readFileSync(join(out, 'build-issues.txt'), 'utf8') };
}

function packValues(folder: string): string[] {
  const pack = JSON.parse(readFileSync(join(folder, 'pack.json'), 'utf8')) as {
    indicators: Array<{ value: string }>;
  };
  return pack.indicators.map((indicator) => indicator.value);
}

test('build hunts conflict in requested pack', async (t) => {
  // The built-in lists set aside 192.0.2.0/24, the documentation range the feed uses.
  const args = [writeFeed(t), '--family', 'Cobalt Strike', '--no-builtin-allowlists'];
  const outcome = await build(t, args);
  assert.equal(outcome.packs.length, 1);
  const pack = outcome.packs[0]!;
  assert.equal(pack.family, 'Cobalt Strike');
  assert.equal(pack.indicators, 2);
  assert.deepEqual(packValues(pack.folder).sort(), ['192.0.2.10:80', '192.0.2.11:443']);
  assert.equal(outcome.counts.filteredOut, 1);
  assert.match(outcome.issues, /hunted only in the "Cobalt Strike" pack/);
  assert.doesNotMatch(outcome.issues, /hunted only in the "RedLine Stealer" pack/);
});

test('build of ThreatFox NDJSON keeps conflict', { skip: skipWithoutShared(NDJSON) }, async (t) => {
  const feed = sharedFile(NDJSON);
  const filtered = await build(t, [feed, '--family', 'Cobalt Strike']);
  assert.equal(filtered.packs.length, 1);
  const pack = filtered.packs[0]!;
  assert.equal(pack.family, 'Cobalt Strike');
  assert.ok(packValues(pack.folder).includes('81.2.69.142:80'));
  assert.equal(filtered.counts.kept, 8);
  assert.equal(filtered.counts.filteredOut, 13);
  const warnings = filtered.issues.split('\n').filter((line) => line.includes('FAMILY_CONFLICT'));
  assert.equal(warnings.length, 2);
  for (const warning of warnings) {
    assert.match(warning, /\(id (841500|841498)\)/);
    assert.match(warning, /hunted only in the "Cobalt Strike" pack/);
  }

  const all = await build(t, [feed]);
  assert.equal(all.counts.filteredOut, 0);
  assert.equal(all.counts.copiesForOtherFamilies, 1);
  const redline = all.packs.find((entry) => entry.family === 'RedLine Stealer');
  assert.ok(redline, 'the build writes a RedLine Stealer pack');
  assert.ok(packValues(redline.folder).includes('81.2.69.142:80'));
  const cobalt = all.packs.find((entry) => entry.family === 'Cobalt Strike');
  assert.ok(cobalt, 'the build writes a Cobalt Strike pack');
  assert.ok(packValues(cobalt.folder).includes('81.2.69.142:80'));
  // Each pack counts the indicator, the summary once.
  const inPacks = all.packs.reduce((sum, pack) => sum + pack.indicators, 0);
  assert.equal(inPacks, all.counts.kept + 1);
  assert.match(all.issues, /The "RedLine Stealer" and "Cobalt Strike" packs each take it/);
  assert.doesNotMatch(all.issues, /hunted only in/);
});

test('build hunts a STIX indicator of two families in the requested pack', async (t) => {
  const stamp = {
    spec_version: '2.1',
    created: '2026-11-01T00:00:00Z',
    modified: '2026-11-01T00:00:00Z',
  };
  const indicatorId = 'indicator--00000000-0000-4000-8000-000000000001';
  const malware = ['Remcos', 'AsyncRAT'].map((name, index) => ({
    ...stamp,
    type: 'malware',
    id: `malware--00000000-0000-4000-8000-00000000010${index}`,
    name,
    is_family: true,
  }));
  const relationships = malware.map((item, index) => ({
    ...stamp,
    type: 'relationship',
    id: `relationship--00000000-0000-4000-8000-00000000020${index}`,
    relationship_type: 'indicates',
    source_ref: indicatorId,
    target_ref: item.id,
  }));
  const indicator = {
    ...stamp,
    type: 'indicator',
    id: indicatorId,
    pattern: "[url:value = 'http://192.0.2.44/two']",
    pattern_type: 'stix',
    valid_from: '2026-11-01T00:00:00Z',
  };
  const feed = join(makeTempDir('family-conflict-stix', t), 'two.json');
  const objects = [indicator, ...malware, ...relationships];
  writeFileSync(feed, JSON.stringify({ type: 'bundle', id: 'bundle--1', objects }));

  const plain = await build(t, [feed, '--no-builtin-allowlists']);
  assert.deepEqual(
    plain.packs.map((pack) => pack.family),
    ['Remcos', 'AsyncRAT'],
  );
  for (const pack of plain.packs) {
    assert.deepEqual(packValues(pack.folder), ['http://192.0.2.44/two'], pack.family);
  }
  assert.equal(plain.counts.kept, 1);
  assert.match(plain.issues, /given here as "AsyncRAT" but was first read as "Remcos"/);

  const requested = await build(t, [feed, '--family', 'AsyncRAT', '--no-builtin-allowlists']);
  assert.deepEqual(
    requested.packs.map((pack) => pack.family),
    ['AsyncRAT'],
  );
  assert.deepEqual(packValues(requested.packs[0]!.folder), ['http://192.0.2.44/two']);
  assert.equal(requested.counts.filteredOut, 0);
});

test('build counts copies once with --only-new', async (t) => {
  const feed = writeFeed(t);
  const state = join(makeTempDir('family-conflict-state', t), 'state.json');
  const args = [feed, '--no-builtin-allowlists', '--state', state, '--only-new'];
  const first = await build(t, args);
  assert.equal(first.counts.kept, 3);
  assert.equal(first.counts.copiesForOtherFamilies, 1);
  assert.deepEqual(
    first.packs.map((pack) => [pack.family, pack.indicators]),
    [
      ['RedLine Stealer', 2],
      ['Cobalt Strike', 2],
    ],
  );

  // Nothing is new the second time, for either family.
  const out = makeTempDir('family-conflict-again', t);
  const again = await runCli(['build', ...args, '--out', out, '--json']);
  assert.equal(again.code, 0, again.stderr);
  const counts = (JSON.parse(again.stdout) as BuildOutcome).counts as BuildOutcome['counts'] & {
    inPacks: number;
    alreadyHunted: number;
  };
  assert.equal(counts.alreadyHunted, 3);
  assert.equal(counts.inPacks, 0);
  assert.equal(counts.copiesForOtherFamilies, 0);
});

test('--only-new hunts only the new family', async (t) => {
  const folder = makeTempDir('family-conflict-new-family', t);
  const state = join(folder, 'state.json');
  const header = 'ioc_id,ioc_value,ioc_type,fk_malware,malware_printable,first_seen_utc';
  const remcos = [
    '1,198.51.100.10:4444,ip:port,win.remcos,Remcos,2026-01-01 00:00:00',
    '2,198.51.100.12:4444,ip:port,win.remcos,Remcos,2026-01-01 00:00:00',
  ];
  const first = join(folder, 'first.csv');
  writeFileSync(first, [header, ...remcos].join('\n') + '\n');
  const second = join(folder, 'second.csv');
  const cobalt = '3,198.51.100.10:4444,ip:port,win.cobalt_strike,Cobalt Strike,2026-01-02 00:00:00';
  writeFileSync(second, [header, ...remcos, cobalt].join('\n') + '\n');
  const args = ['--no-builtin-allowlists', '--state', state, '--only-new'];
  await build(t, [first, ...args]);

  // The address is new to Cobalt Strike only, so the Remcos pack does not hunt it again.
  const again = await build(t, [second, ...args]);
  assert.deepEqual(
    again.packs.map((pack) => [pack.family, packValues(pack.folder)]),
    [['Cobalt Strike', ['198.51.100.10:4444']]],
  );
  assert.equal(again.counts.kept, 2);
});

test('conflict names the packs that hunt', async (t) => {
  const path = join(makeTempDir('family-conflict-three', t), 'three.csv');
  const rows = [
    '1,198.51.100.20:443,ip:port,win.remcos,Remcos,2026-01-01 00:00:00',
    '2,198.51.100.20:443,ip:port,win.cobalt_strike,Cobalt Strike,2026-01-02 00:00:00',
    '3,198.51.100.20:443,ip:port,win.asyncrat,AsyncRAT,2026-01-03 00:00:00',
    '4,198.51.100.21:443,ip:port,win.njrat,njRAT,2026-01-03 00:00:00',
  ];
  writeFileSync(path, [HEADER, ...rows].join('\n') + '\n');
  const cases: Array<[string[] | undefined, RegExp]> = [
    [undefined, /\. The "Remcos", "Cobalt Strike" and "AsyncRAT" packs each take it, unless/],
    [['AsyncRAT'], /It is hunted only in the "AsyncRAT" pack, because --family selects/],
    [['Remcos', 'Cobalt Strike'], /\. The "Remcos" and "Cobalt Strike" packs each take it, unless/],
    [['njRAT'], /--family selects none of its families, so no pack of this build hunts it\.$/],
  ];
  for (const [families, expected] of cases) {
    const collected = await collectIndicators([path], families ? { filters: { families } } : {});
    const messages = conflictMessages(collected);
    assert.equal(messages.length, 2, String(families));
    for (const message of messages) assert.match(message, expected, String(families));
  }
});

test('hunt --feed sets aside a copied value once', async (t) => {
  const folder = makeTempDir('family-conflict-hunt', t);
  const feed = join(folder, 'feed.csv');
  const rows = [
    '1,evil-one.example.net,domain,,Unknown malware,2026-01-01 00:00:00',
    '2,evil-one.example.net,domain,win.remcos,Remcos,2026-01-02 00:00:00',
    '3,evil-one.example.net,domain,win.asyncrat,AsyncRAT,2026-01-03 00:00:00',
    '4,45.9.148.12:4444,ip:port,win.remcos,Remcos,2026-01-03 00:00:00',
  ];
  writeFileSync(feed, [HEADER, ...rows].join('\n') + '\n');
  const log = join(folder, 'fw.cef');
  writeFileSync(
    log,
    'CEF:0|Vendor|FW|1|1|traffic|3|rt=1764979200000 src=10.0.0.5 spt=50000 dst=45.9.148.12 dpt=4444\n',
  );
  const result = await runCli(['hunt', '--feed', feed, log]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /accepted 2 = in hunts 1 \+ set aside by allowlists 1 \+/);
  assert.match(result.stderr, /set aside 1 indicator, so no hunt looks for it/);
  assert.doesNotMatch(result.stderr, /gave no hunt/);
});

/** 81.2.69.160:443 as RedLine Stealer with confidence 100, then as Cobalt Strike with 50. */
const CONTEXT_HEADER =
  'ioc_id,ioc_value,ioc_type,threat_type,fk_malware,malware_printable,confidence_level,tags,reporter,first_seen_utc,last_seen_utc';
const CONTEXT_ROWS = [
  '11,81.2.69.160:443,ip:port,botnet_cc,win.redline_stealer,RedLine Stealer,100,RedLine,alice,2026-01-05 00:00:00,2026-01-20 00:00:00',
  '12,81.2.69.160:443,ip:port,payload_delivery,win.cobalt_strike,Cobalt Strike,50,"CobaltStrike,beacon",bob,2026-01-01 00:00:00,2026-01-03 00:00:00',
  '13,81.2.69.160:443,ip:port,,,,,,carol,2026-01-10 00:00:00,2026-01-10 00:00:00',
];

function writeContextFeed(t: TestContext): string {
  const path = join(makeTempDir('family-context', t), 'feed.csv');
  writeFileSync(path, [CONTEXT_HEADER, ...CONTEXT_ROWS].join('\n') + '\n');
  return path;
}

test('copy keeps own family context', async (t) => {
  const collected = await collectIndicators([writeContextFeed(t)]);
  assert.equal(collected.counts.rowsRead, 3);
  assert.equal(collected.counts.accepted, 1);
  assert.equal(collected.counts.merged, 2);
  const [redline, cobalt] = collected.indicators;
  assert.equal(redline?.family?.name, 'RedLine Stealer');
  assert.equal(cobalt?.family?.name, 'Cobalt Strike');
  assert.equal(redline?.confidence, 100);
  assert.equal(redline?.threatType, 'botnet_cc');
  assert.deepEqual(redline?.tags, ['RedLine']);
  assert.equal(redline?.firstSeen?.toISOString(), '2026-01-05T00:00:00.000Z');
  assert.equal(redline?.lastSeen?.toISOString(), '2026-01-20T00:00:00.000Z');
  assert.equal(cobalt?.confidence, 50);
  assert.equal(cobalt?.threatType, 'payload_delivery');
  assert.deepEqual(cobalt?.tags, ['CobaltStrike', 'beacon']);
  assert.equal(cobalt?.firstSeen?.toISOString(), '2026-01-01T00:00:00.000Z');
  // The row without a family, read after both, adds its reporter and dates to both families.
  assert.deepEqual(redline?.reporters, ['alice', 'carol']);
  assert.deepEqual(cobalt?.reporters, ['bob', 'carol']);
  assert.equal(cobalt?.lastSeen?.toISOString(), '2026-01-10T00:00:00.000Z');
  assert.deepEqual(redline?.provenance.sourceIds, ['threatfox:11', 'threatfox:13']);
  assert.deepEqual(cobalt?.provenance.sourceIds, ['threatfox:12', 'threatfox:13']);
});

test('min-confidence filters per family', async (t) => {
  const dir = makeTempDir('family-context-build', t);
  const out = join(dir, 'packs');
  const result = await runCli([
    'build',
    writeContextFeed(t),
    '--out',
    out,
    '--min-confidence',
    '75',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const redline = JSON.parse(readFileSync(join(out, 'redline-stealer', 'pack.json'), 'utf8')) as {
    indicators: Array<{ value: string; confidence: number }>;
  };
  assert.deepEqual(
    redline.indicators.map((entry) => [entry.value, entry.confidence]),
    [['81.2.69.160:443', 100]],
  );
  // Cobalt Strike's own record has confidence 50, so its pack is not built.
  assert.throws(() => readFileSync(join(out, 'cobalt-strike', 'pack.json')), /ENOENT/);
  const plain = join(dir, 'plain');
  assert.equal((await runCli(['build', writeContextFeed(t), '--out', plain])).code, 0);
  const cobalt = JSON.parse(readFileSync(join(plain, 'cobalt-strike', 'pack.json'), 'utf8'));
  const [entry] = cobalt.indicators;
  assert.equal(entry.confidence, 50);
  assert.equal(entry.threatType, 'payload_delivery');
  assert.deepEqual(entry.sourceIds, ['threatfox:12', 'threatfox:13']);
});

/** Rows of 81.2.69.161:443: RedLine Stealer (confidence 90), Cobalt Strike (25), no family (60). */
const ORDER_ROWS = [
  '21,81.2.69.161:443,ip:port,botnet_cc,win.redline_stealer,RedLine Stealer,90,,alice,2026-01-05 00:00:00,2026-01-06 00:00:00',
  '22,81.2.69.161:443,ip:port,botnet_cc,win.cobalt_strike,Cobalt Strike,25,,bob,2026-01-02 00:00:00,2026-01-03 00:00:00',
  '23,81.2.69.161:443,ip:port,botnet_cc,,Unknown malware,60,,carol,2026-01-01 00:00:00,2026-01-09 00:00:00',
];

test('row order keeps family contexts', async (t) => {
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  for (const order of orders) {
    const path = join(makeTempDir('family-order', t), 'feed.csv');
    const rows = order.map((index) => ORDER_ROWS[index]!);
    writeFileSync(path, [CONTEXT_HEADER, ...rows].join('\n') + '\n');
    const collected = await collectIndicators([path]);
    const byFamily = new Map(
      collected.indicators.map((indicator) => [indicator.family?.name, indicator]),
    );
    const redline = byFamily.get('RedLine Stealer');
    const cobalt = byFamily.get('Cobalt Strike');
    const label = `order ${order.join('')}`;
    assert.equal(collected.indicators.length, 2, label);
    assert.equal(redline?.confidence, 90, label);
    assert.equal(cobalt?.confidence, 60, label);
    assert.deepEqual([...(cobalt?.reporters ?? [])].sort(), ['bob', 'carol'], label);
    assert.deepEqual([...(redline?.reporters ?? [])].sort(), ['alice', 'carol'], label);
    assert.equal(cobalt?.firstSeen?.toISOString(), '2026-01-01T00:00:00.000Z', label);
    assert.equal(cobalt?.lastSeen?.toISOString(), '2026-01-09T00:00:00.000Z', label);
  }
});

test('compromised site stays compromised in every pack', async (t) => {
  const header =
    'ioc_id,ioc_value,ioc_type,threat_type,fk_malware,malware_printable,confidence_level,is_compromised,first_seen_utc';
  const rows = [
    '31,https://shop.example-store.com/wp/gate.php,url,payload_delivery,win.remcos,Remcos,100,True,2026-01-01 00:00:00',
    '32,https://shop.example-store.com/wp/gate.php,url,payload_delivery,win.asyncrat,AsyncRAT,100,False,2026-01-02 00:00:00',
  ];
  const dir = makeTempDir('family-compromised', t);
  const feed = join(dir, 'feed.csv');
  writeFileSync(feed, [header, ...rows].join('\n') + '\n');
  const collected = await collectIndicators([feed]);
  assert.deepEqual(
    collected.indicators.map((indicator) => [indicator.family?.name, indicator.isCompromised]),
    [
      ['Remcos', true],
      ['AsyncRAT', true],
    ],
  );
  const out = join(dir, 'packs');
  const result = await runCli(['build', feed, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  for (const slug of ['remcos', 'asyncrat']) {
    const files = readdirSync(join(out, slug, 'queries'));
    assert.ok(files.length > 0, slug);
    assert.ok(
      files.every((file) => !file.includes('-domain')),
      `${slug} hunts no domain of a compromised site: ${files.join(', ')}`,
    );
  }
});
