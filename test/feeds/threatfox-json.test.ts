import { test } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { FeedParseError } from '../../src/errors.js';
import {
  readThreatFoxApi,
  readThreatFoxExport,
  readThreatFoxNdjson,
  repeatedTopLevelKeys,
} from '../../src/feeds/threatfox-json.js';
import { repoFile, sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { byId, codes, runReader } from './threatfox-helpers.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const fixture = (name: string): string => repoFile(`test/fixtures/threatfox/${name}`);
const V3NOM = 'data/threatfox/v3nom_json-export-recent_2026-07-24.json';
const JANESCALL = 'threatfox/janescall_json-export-recent_2025-07-08.json';
const API = 'threatfox/seanmcfeely_api-response_tests-data.json';
const NDJSON = 'threatfox/elastic_api-data-ndjson_test-threatfox-ndjson_TRIMMED.log';

test('reads the bundled JSON export', async () => {
  const run = await runReader(readThreatFoxExport, repoFile(V3NOM));
  assert.equal(run.rowsRead, 4488);
  assert.equal(run.records.length, 4488);
  assert.deepEqual(new Set(codes(run.reports)), new Set(['LAST_SEEN_BEFORE_FIRST_SEEN']));
  assert.equal(run.reports.length, 12);
  const remcos = run.records.filter(
    (record) => record.type === 'ip-port' && record.context.family?.name === 'Remcos',
  );
  assert.equal(remcos.length, 286);

  const vidar = byId(run, '1856791');
  assert.equal(vidar.value, 'https://sup.merahsm188.top/');
  assert.equal(vidar.type, 'url');
  assert.deepEqual(vidar.source, { file: repoFile(V3NOM), id: '1856791' });
  assert.equal(vidar.context.isCompromised, true);
  assert.equal(vidar.context.lastSeen, undefined);
  assert.deepEqual(vidar.context.tags, ['vidar']);
  assert.deepEqual(vidar.context.family, { name: 'Vidar', malpedia: 'win.vidar', aliases: [] });
  assert.equal(vidar.context.firstSeen?.toISOString(), '2026-07-24T13:50:06.000Z');
});

test('reads an export without is_compromised', { skip: skipWithoutShared(JANESCALL) }, async () => {
  const run = await runReader(readThreatFoxExport, sharedFile(JANESCALL));
  assert.equal(run.records.length, 394);
  assert.deepEqual(codes(run.reports), [
    'LAST_SEEN_BEFORE_FIRST_SEEN',
    'LAST_SEEN_BEFORE_FIRST_SEEN',
  ]);
  const record = byId(run, '1554428');
  assert.equal(record.value, '27.102.138.169:80');
  assert.equal(record.context.isCompromised, undefined);
  assert.deepEqual(record.context.references, ['https://www.shodan.io/host/27.102.138.169#80']);
  assert.deepEqual(byId(run, '1554429').context.references, []);
  assert.deepEqual(byId(run, '1554429').context.family?.aliases, [
    'CinaRAT',
    'QuasarRAT',
    'Yggdrasil',
  ]);
});

test('reads values given as array or object', async () => {
  const run = await runReader(readThreatFoxExport, fixture('export-mixed-ids.json'));
  assert.equal(run.rowsRead, 5);
  assert.deepEqual(
    run.records.map((record) => record.source.id),
    ['6000001', '6000002'],
  );
  const second = byId(run, '6000002');
  assert.deepEqual(second.context.references, ['https://example.org/a']);
  assert.deepEqual(second.context.tags, ['x', 'y']);
  assert.equal(second.context.confidence, 50);
  assert.deepEqual(codes(run.rejections), ['INVALID_RECORD', 'INVALID_RECORD', 'MISSING_FIELD']);
  assert.deepEqual(
    run.rejections.map((issue) => issue.source?.id),
    ['6000003', '6000004', '6000005'],
  );
});

test('export keys read as ids', async (t) => {
  const record = {
    ioc_value: 'evil.badhost.xyz',
    ioc_type: 'domain',
    malware_printable: 'Remcos',
  };
  const file = join(makeTempDir('export-keys', t), 'export.json');
  await writeFile(file, JSON.stringify({ ' 123 ': [record], '': [record], None: [record] }));
  const run = await runReader(readThreatFoxExport, file);
  assert.deepEqual(
    run.records.map((item) => item.source.id),
    ['123', undefined, undefined],
  );
  assert.deepEqual(
    run.records.map((item) => item.context.provenance?.sourceIds),
    [['threatfox:123'], [], []],
  );
});

test('repeated export id counts the lost record', async (t) => {
  const record = (value: string): string =>
    JSON.stringify([{ ioc_value: value, ioc_type: 'domain', malware_printable: 'Remcos' }]);
  const file = join(makeTempDir('export-repeat', t), 'export.json');
  const lines = [
    '{',
    `"101": ${record('first.example')},`,
    `"102": ${record('other.example')},`,
    `"101": ${record('second.example')}`,
    '}',
  ];
  await writeFile(file, lines.join('\n'));
  const run = await runReader(readThreatFoxExport, file);
  assert.equal(run.rowsRead, 3);
  assert.deepEqual(
    run.records.map((item) => item.value),
    ['second.example', 'other.example'],
  );
  assert.equal(run.rejections.length, 1);
  assert.equal(run.rejections[0]!.code, 'REPEATED_JSON_KEY');
  assert.deepEqual(run.rejections[0]!.source, { file, line: 2, id: '101' });
});

test('repeated keys only at the top level', () => {
  const document = JSON.stringify({
    '1': [{ ioc: 'a', tags: { '1': 'x' } }],
    '2': [{ note: '"1": {', ioc: 'b' }],
    '3': [{ ioc: 'c' }, { ioc: 'c' }],
  });
  assert.deepEqual(repeatedTopLevelKeys(document), []);
  assert.deepEqual(repeatedTopLevelKeys('{"a": 1,\n"b": "}",\n"a": 2, "a": 3}'), [
    { key: 'a', line: 1 },
    { key: 'a', line: 3 },
  ]);
  assert.deepEqual(repeatedTopLevelKeys('{"\\u0061": 1, "a": 2}'), [{ key: 'a', line: 1 }]);
});

test('fails on an export that is not an object', async () => {
  await assert.rejects(runReader(readThreatFoxExport, fixture('api-items.ndjson')), {
    code: 'INVALID_JSON',
  });
});

test('reads an API response with tag lists', { skip: skipWithoutShared(API) }, async () => {
  const run = await runReader(readThreatFoxApi, sharedFile(API));
  assert.equal(run.records.length, 2);
  const cobalt = byId(run, '291780');
  assert.equal(cobalt.value, 'https://188.131.211.152/activity');
  assert.deepEqual(cobalt.context.tags, ['CobaltStrike', 'Cobalt Strike']);
  assert.equal(cobalt.context.firstSeen?.toISOString(), '2022-01-07T16:29:58.000Z');
  assert.deepEqual(cobalt.context.family?.aliases, ['Agentemis', 'BEACON', 'CobaltStrike']);
  const hash = byId(run, '291505');
  assert.equal(hash.type, 'sha256');
  assert.deepEqual(hash.context.tags, []);
  assert.deepEqual(hash.context.references, [
    'https://twitter.com/RedBeardIOCs/status/1479018729715417094',
  ]);
});

test('reads no_result as zero rows', async () => {
  const run = await runReader(readThreatFoxApi, fixture('api-no-result.json'));
  assert.equal(run.rowsRead, 0);
  assert.deepEqual(codes(run.reports), ['NO_RESULT']);
  assert.equal(run.reports[0]!.severity, 'info');
});

test('fails on a failed query_status', async () => {
  await assert.rejects(runReader(readThreatFoxApi, fixture('api-failed.json')), (error) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, 'API_QUERY_FAILED');
    assert.match(error.message, /"unknown_auth_key"/);
    assert.match(error.message, /api-failed\.json/);
    return true;
  });
});

test('reads NDJSON with IPv6 ip:port', { skip: skipWithoutShared(NDJSON) }, async () => {
  const run = await runReader(readThreatFoxNdjson, sharedFile(NDJSON));
  assert.equal(run.records.length, 26);
  const first = run.records[0]!;
  assert.equal(first.value, '2a02:cf40:1::5:40669');
  assert.equal(first.type, 'ip-port');
  assert.deepEqual(first.source, { file: sharedFile(NDJSON), line: 1, id: '841508' });
  assert.equal(first.context.family?.malpedia, 'win.redline_stealer');
});

test('rejects bad NDJSON lines and keeps going', async () => {
  const run = await runReader(readThreatFoxNdjson, fixture('api-items.ndjson'));
  assert.equal(run.rowsRead, 5);
  assert.deepEqual(
    run.records.map((record) => record.source.id),
    ['7000001', '7000002', '7000004'],
  );
  assert.deepEqual(codes(run.rejections), ['INVALID_JSON_LINE', 'INVALID_RECORD']);
  assert.deepEqual(
    run.rejections.map((issue) => issue.source?.line),
    [4, 5],
  );
});

test('reads flags, tags and times in each spelling', async () => {
  const run = await runReader(readThreatFoxNdjson, fixture('api-items.ndjson'));
  const [first, second, third] = run.records;
  assert.equal(first!.context.isCompromised, false);
  assert.equal(second!.context.isCompromised, true);
  assert.deepEqual(second!.context.tags, ['a', 'b']);
  assert.deepEqual(third!.context.tags, []);
  assert.equal(second!.context.confidence, 75);
  assert.equal(second!.context.firstSeen?.toISOString(), '2026-01-02T03:04:05.000Z');
  assert.equal(third!.context.firstSeen?.toISOString(), '2026-01-02T03:04:05.000Z');
  assert.deepEqual(second!.context.family, { name: 'Remcos', aliases: [] });
});
