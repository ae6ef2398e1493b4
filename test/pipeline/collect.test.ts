import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedParseError } from '../../src/errors.js';
import { collectIndicators } from '../../src/pipeline/collect.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const folder = makeTempDir('collect');
const HEADER = 'ioc_id,ioc_value,ioc_type,first_seen_utc';

function writeFeed(name: string, rows: string[]): string {
  const path = join(folder, name);
  writeFileSync(path, [HEADER, ...rows].join('\n') + '\n');
  return path;
}

test('collect keeps 100 issues per code', async () => {
  const rows = Array.from(
    { length: 150 },
    (_, index) => `${index},c${index}[.]example.com,domain,2026-01-01 00:00:00`,
  );
  const result = await collectIndicators([writeFeed('defanged.csv', rows)]);
  const defanged = result.issues.filter((issue) => issue.code === 'DEFANGED_VALUE');
  const omitted = result.issues.filter((issue) => issue.code === 'ISSUES_OMITTED');
  assert.equal(defanged.length, 100);
  assert.equal(omitted.length, 1);
  assert.match(omitted[0]!.message, /^50 more DEFANGED_VALUE issues in ".*defanged\.csv"/);
  assert.equal(result.counts.accepted, 150);
});

test('collect counts merged rows', async () => {
  const rows = [
    '1,a.example.com,domain,2026-01-01 00:00:00',
    '2,A.Example.com.,domain,2026-01-02 00:00:00',
    '3,192.0.2.1:0,ip:port,2026-01-01 00:00:00',
    '4,b.example.com,domain,2026-01-01 00:00:00',
  ];
  const { counts, indicators } = await collectIndicators([writeFeed('merged.csv', rows)]);
  assert.equal(counts.rowsRead, 4);
  assert.equal(counts.accepted, 2);
  assert.equal(counts.rejected, 1);
  assert.equal(counts.merged, 1);
  assert.equal(counts.rowsRead, counts.accepted + counts.rejected + counts.merged);
  assert.deepEqual(indicators[0]?.provenance.sourceIds, ['threatfox:1', 'threatfox:2']);
});

test('collect stops at a strict rejection', async () => {
  const path = writeFeed('strict.csv', ['1,192.0.2.1:0,ip:port,2026-01-01 00:00:00']);
  await assert.rejects(collectIndicators([path], { strict: true }), (error) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, 'INVALID_PORT');
    assert.deepEqual(error.source, { file: path, line: 2, id: '1' });
    assert.match(error.message, /^Invalid ip:port value "192\.0\.2\.1:0"\./);
    assert.match(error.message, /The build stopped here because --strict is set\./);
    return true;
  });
});

test('--family gives free text the family of the feed it names', async () => {
  const text = join(folder, 'report.txt');
  writeFileSync(text, 'The Remcos C2 was 45.9.148.77:2404 last week.\n');
  const feed = join(folder, 'remcos.csv');
  writeFileSync(
    feed,
    [
      'ioc_id,ioc_value,ioc_type,first_seen_utc,malware,malware_printable,malware_alias',
      '1,45.9.148.78:2404,ip:port,2026-01-01 00:00:00,win.remcos,Remcos,RemcosRAT',
    ].join('\n') + '\n',
  );
  for (const option of ['Remcos', 'remcosrat', 'win.remcos']) {
    const { indicators } = await collectIndicators([text, feed], { defaultFamily: option });
    assert.deepEqual(
      indicators.map((indicator) => [indicator.value, indicator.family?.malpedia]),
      [
        ['45.9.148.77:2404', 'win.remcos'],
        ['45.9.148.78:2404', 'win.remcos'],
      ],
      option,
    );
  }
  // A family that no feed names stays as given.
  const { indicators } = await collectIndicators([text, feed], { defaultFamily: 'AsyncRAT' });
  assert.deepEqual(indicators[0]!.family, { name: 'AsyncRAT', aliases: [] });
});

test('--family leaves ThreatFox rows without a family alone', async () => {
  const feed = join(folder, 'unknown.csv');
  writeFileSync(
    feed,
    [
      'ioc_id,ioc_value,ioc_type,first_seen_utc,malware,malware_printable',
      '1,45.9.148.79:2404,ip:port,2026-01-01 00:00:00,,',
      '2,45.9.148.80:2404,ip:port,2026-01-01 00:00:00,unknown,Unknown malware',
    ].join('\n') + '\n',
  );
  const { indicators } = await collectIndicators([feed], { defaultFamily: 'Remcos' });
  assert.deepEqual(
    indicators.map((indicator) => indicator.family?.name ?? 'none'),
    ['none', 'Unknown malware'],
  );
});

test('--family that selects two feed families adopts neither', async () => {
  const text = join(folder, 'tesla.txt');
  writeFileSync(text, 'Agent Tesla exfiltrated to 45.9.148.90:587.\n');
  const feed = join(folder, 'tesla.csv');
  writeFileSync(
    feed,
    [
      'ioc_id,ioc_value,ioc_type,first_seen_utc,malware,malware_printable',
      '1,45.9.148.91:587,ip:port,2026-01-01 00:00:00,win.agent_tesla,Agent Tesla',
      '2,45.9.148.92:587,ip:port,2026-01-01 00:00:00,win.fake_tesla,Agent Tesla',
    ].join('\n') + '\n',
  );
  const result = await collectIndicators([text, feed], { defaultFamily: 'Agent Tesla' });
  assert.deepEqual(result.indicators[0]!.family, { name: 'Agent Tesla', aliases: [] });
  const warning = result.issues.find((issue) => issue.code === 'FAMILY_AMBIGUOUS');
  assert.ok(warning, 'warns about the two families');
  assert.match(warning.message, /win\.agent_tesla.*win\.fake_tesla/);
});

test('--family names are cleaned like feed family names', async () => {
  const text = join(folder, 'evil.txt');
  writeFileSync(text, 'EvilRAT beacons to 45.9.148.93:8080.\n');
  const { indicators } = await collectIndicators([text], { defaultFamily: 'Evil\u202eRAT' });
  assert.equal(indicators[0]!.family?.name, 'EvilRAT');
});

test('--family name matches in any case', async () => {
  const text = join(folder, 'remcos-report.txt');
  writeFileSync(text, 'The Remcos C2 was 45.9.148.94:2404 last week.\n');
  const feed = join(folder, 'remcos-win.csv');
  writeFileSync(
    feed,
    [
      'ioc_id,ioc_value,ioc_type,first_seen_utc,malware,malware_printable',
      '1,45.9.148.95:2404,ip:port,2026-01-01 00:00:00,win.remcos,Remcos',
    ].join('\n') + '\n',
  );
  // A STIX malware object that names the family in capitals, without a Malpedia id.
  const bundle = writeBundle('remcos-caps.json', [['stix-only.example', 'REMCOS']]);

  const outcomes = [];
  for (const option of ['REMCOS', 'remcos', 'Remcos']) {
    const result = await collectIndicators([text, feed, bundle], { defaultFamily: option });
    const families = result.indicators.map(
      (indicator) => `${indicator.value}: ${indicator.family?.malpedia ?? 'no id'}`,
    );
    const codes = result.issues.map((issue) => issue.code);
    outcomes.push({ families, ambiguous: codes.includes('FAMILY_AMBIGUOUS') });
  }

  // The STIX family stays its own. The free text, which two families could claim, takes neither.
  assert.deepEqual(outcomes[0], {
    families: [
      '45.9.148.94:2404: no id',
      '45.9.148.95:2404: win.remcos',
      'stix-only.example: no id',
    ],
    ambiguous: true,
  });
  assert.deepEqual(outcomes[1], outcomes[0]);
  assert.deepEqual(outcomes[2], outcomes[0]);
});

/** Writes a STIX bundle with one indicator per domain, tied to the named malware family or none. */
function writeBundle(name: string, indicators: Array<[string, string | undefined]>): string {
  const stamp = '2026-12-01T00:00:00Z';
  const common = { spec_version: '2.1', created: stamp, modified: stamp };
  const objects: object[] = [];
  const malware = new Map<string, string>();
  indicators.forEach(([domain, family], index) => {
    const id = `indicator--00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
    objects.push({
      ...common,
      type: 'indicator',
      id,
      pattern: `[domain-name:value = '${domain}']`,
      pattern_type: 'stix',
      valid_from: stamp,
    });
    if (family === undefined) return;
    let malwareId = malware.get(family);
    if (!malwareId) {
      malwareId = `malware--00000000-0000-4000-8000-${String(malware.size).padStart(12, '0')}`;
      malware.set(family, malwareId);
      objects.push({ ...common, type: 'malware', id: malwareId, name: family, is_family: true });
    }
    objects.push({
      ...common,
      type: 'relationship',
      id: `relationship--00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      relationship_type: 'indicates',
      source_ref: id,
      target_ref: malwareId,
    });
  });
  const path = join(folder, name);
  writeFileSync(path, JSON.stringify({ type: 'bundle', id: 'bundle--1', objects }));
  return path;
}

test('--family skips files naming other families', async () => {
  const mixed = writeBundle('mixed.json', [
    ['oops.example', 'OopsIE'],
    ['untied-1.example', undefined],
    ['clay.example', 'Clayslide'],
    ['untied-2.example', undefined],
  ]);
  const plain = writeBundle('plain.json', [['plain.example', undefined]]);
  const result = await collectIndicators([mixed, plain], { defaultFamily: 'OopsIE' });
  assert.deepEqual(
    result.indicators.map((indicator) => `${indicator.value}: ${indicator.family?.name ?? '-'}`),
    [
      'oops.example: OopsIE',
      'clay.example: Clayslide',
      'untied-1.example: -',
      'untied-2.example: -',
      'plain.example: OopsIE',
    ],
  );
  const warnings = result.issues.filter((issue) => issue.code === 'FAMILY_NOT_GIVEN');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.source?.file, mixed);
  assert.match(warnings[0]!.message, /^2 indicators of this file name no family/);
  assert.match(warnings[0]!.message, /\("OopsIE", "Clayslide"\)/);
  assert.equal(result.counts.accepted, 5);
});

test('--family unknown keeps untied records', async () => {
  const mixed = writeBundle('mixed-unknown.json', [
    ['tied.example', 'Remcos'],
    ['untied.example', undefined],
  ]);
  for (const option of ['Unknown malware', 'unknown']) {
    const result = await collectIndicators([mixed], {
      defaultFamily: option,
      filters: { families: [option] },
    });
    assert.deepEqual(
      result.indicators.map((indicator) => indicator.value),
      ['untied.example'],
      option,
    );
    const codes = result.issues.map((issue) => issue.code);
    assert.ok(!codes.includes('FAMILY_NOT_GIVEN'), option);
  }
});
