import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { FeedParseError } from '../../src/errors.js';
import type { FeedFileStats } from '../../src/feeds/read.js';
import { readFeeds } from '../../src/feeds/read.js';
import { normalizeIndicator } from '../../src/indicators/normalize.js';
import { repoFile, sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const fixture = (name: string): string => repoFile(`test/fixtures/threatfox/${name}`);
const folder = makeTempDir('read');

const SHARED_THREATFOX: Array<[string, number]> = [
  ['threatfox/v3nom_json-export-recent_2026-07-24.json', 4488],
  ['threatfox/janescall_json-export-recent_2025-07-08.json', 394],
  ['threatfox/carved1_csv-full-urls_2025-12-07.csv', 12351],
  ['threatfox/fabi2708_csv-recent_2026-04-12.csv', 862],
  ['threatfox/seanmcfeely_api-response_tests-data.json', 2],
  ['threatfox/elastic_api-data-ndjson_test-threatfox-ndjson_TRIMMED.log', 26],
];

function assertReconciled(stats: FeedFileStats): void {
  const dropped = Object.values(stats.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(stats.rowsRead, stats.accepted + stats.rejected + dropped, stats.file);
}

test('reads every shared ThreatFox file', { skip: skipWithoutShared('threatfox') }, async () => {
  const paths = SHARED_THREATFOX.map(([file]) => sharedFile(file));
  const result = await readFeeds(paths);
  // Genuine exports have rows whose last_seen is before first_seen, and one test row.
  const issueCodes = new Set(result.issues.map((issue) => issue.code));
  assert.deepEqual(issueCodes, new Set(['LAST_SEEN_BEFORE_FIRST_SEEN', 'TEST_ROW']));
  assert.deepEqual(
    result.files.map((stats) => [stats.rowsRead, stats.accepted, stats.failed]),
    SHARED_THREATFOX.map(([, rows]) => [rows, rows, false]),
  );
  assert.equal(result.records.length, 18123);
});

test('counts reconcile for every fixture', async () => {
  const names = [
    'recent-15-columns.csv',
    'full-14-columns.csv',
    'recent.csv.gz',
    'gzip-named-plain.csv',
    'truncated.csv.gz',
    'archive.zip',
    'missing-column.csv',
    'bad-rows.csv',
    'quirks.csv',
    'api-no-result.json',
    'api-failed.json',
    'api-items.ndjson',
    'export-mixed-ids.json',
  ];
  const result = await readFeeds(names.map(fixture));
  assert.equal(result.files.length, names.length + 1);
  for (const stats of result.files) assertReconciled(stats);
  const accepted = result.files.reduce((sum, stats) => sum + stats.accepted, 0);
  assert.equal(result.records.length, accepted);
});

test('reports a failed file and keeps going', async () => {
  const result = await readFeeds([fixture('truncated.csv.gz'), fixture('full-14-columns.csv')]);
  assert.equal(result.files[0]!.failed, true);
  assert.equal(result.files[1]!.accepted, 2);
  assert.equal(result.issues[0]!.code, 'TRUNCATED_GZIP');
  assert.equal(result.issues[0]!.severity, 'error');
  assert.equal(result.issues[0]!.source?.file, fixture('truncated.csv.gz'));
});

test('warns about a zip archive without files', async () => {
  const result = await readFeeds([fixture('directory-only.zip')]);
  assert.deepEqual(result.files, []);
  assert.equal(result.issues[0]!.code, 'EMPTY_ARCHIVE');
  assert.match(result.issues[0]!.message, /directory-only\.zip/);
});

test('reports a missing file as FILE_NOT_FOUND', async () => {
  const result = await readFeeds([join(folder, 'absent.csv')]);
  assert.equal(result.files[0]!.failed, true);
  assert.equal(result.issues[0]!.code, 'FILE_NOT_FOUND');
});

test('strict mode throws at the first error', async () => {
  await assert.rejects(readFeeds([fixture('bad-rows.csv')], { strict: true }), (error) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, 'WRONG_FIELD_COUNT');
    assert.equal(error.source?.line, 11);
    assert.equal(error.source?.id, '9000011');
    assert.match(error.source?.file ?? '', /bad-rows\.csv$/);
    assert.equal(
      error.message,
      'Row "\\"2026-04-12 04:40:00\\", \\"9000011\\", \\"c2.example.com\\", \\"domain\\", \\"botnet_cc\\"" has 5 fields but the header has 15, so its fields cannot be matched to columns. The build stopped here because --strict is set. Without --strict, such rows are reported and skipped.',
    );
    return true;
  });
});

test('strict mode accepts warnings', async () => {
  const result = await readFeeds([fixture('full-14-columns.csv')], { strict: true });
  assert.equal(result.records.length, 2);
});

test('reports unknown formats with --format', async () => {
  const path = join(folder, 'unknown.json');
  writeFileSync(path, '{"hello": "world"}');
  const result = await readFeeds([path]);
  assert.equal(result.files[0]!.format, undefined);
  assert.equal(result.issues[0]!.code, 'UNKNOWN_FEED_FORMAT');
  assert.match(result.issues[0]!.message, /Pass --format/);
});

test('format option overrides detection', async () => {
  const result = await readFeeds([fixture('api-items.ndjson')], { format: 'threatfox-json' });
  assert.equal(result.files[0]!.format, 'threatfox-json');
  assert.equal(result.issues[0]!.code, 'INVALID_JSON');
});

test('reads stdin given as -', async () => {
  const gz = gzipSync(readFileSync(fixture('full-14-columns.csv')));
  const result = await readFeeds(['-'], { stdin: Readable.from(gz) });
  assert.equal(result.files[0]!.file, '-');
  assert.equal(result.records.length, 2);
  assert.equal(result.records[0]!.source.file, '-');
});

test('onRecord receives records instead of the result', async () => {
  const seen: string[] = [];
  const result = await readFeeds([fixture('recent-15-columns.csv')], {
    onRecord: (record) => seen.push(record.value),
  });
  assert.equal(seen.length, 4);
  assert.deepEqual(result.records, []);
  assert.equal(result.files[0]!.accepted, 4);
});

test('caps repeated issues per code', async () => {
  const header = readFileSync(fixture('recent-15-columns.csv'), 'utf8').split('\r\n').slice(0, 9);
  const rows = Array.from({ length: 30 }, (_, index) => `"2026-01-01 00:00:00", "${index}"`);
  const path = join(folder, 'many-bad.csv');
  writeFileSync(path, [...header, ...rows].join('\n'));
  const result = await readFeeds([path], { maxIssuesPerCode: 5 });
  assert.equal(result.files[0]!.rejected, 30);
  assert.deepEqual(
    result.issues.map((issue) => issue.code),
    [
      'WRONG_FIELD_COUNT',
      'WRONG_FIELD_COUNT',
      'WRONG_FIELD_COUNT',
      'WRONG_FIELD_COUNT',
      'WRONG_FIELD_COUNT',
      'MISSING_TRAILER',
      'ISSUES_OMITTED',
    ],
  );
  assert.match(result.issues.at(-1)!.message, /^25 more WRONG_FIELD_COUNT issues/);
  assert.equal(result.issues.at(-1)!.severity, 'error');
});

test('normalizes the bundled CSV end to end', async () => {
  const result = await readFeeds([repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv')]);
  const rejected = [];
  let indicators = 0;
  for (const raw of result.records) {
    const normalized = normalizeIndicator(raw);
    if ('issue' in normalized) rejected.push(normalized.issue);
    else indicators += 1;
  }
  assert.equal(indicators + rejected.length, 862);
  for (const issue of rejected) {
    assert.ok(issue.source?.id, issue.message);
    assert.ok(issue.source?.line, issue.message);
  }
});

test('unknown type is rejected by normalization with its id', async () => {
  const result = await readFeeds([fixture('quirks.csv')]);
  const raw = result.records.find((record) => record.source.id === '9000022')!;
  const normalized = normalizeIndicator(raw);
  assert.ok('issue' in normalized);
  assert.equal(normalized.issue.source?.id, '9000022');
  assert.match(normalized.issue.message, /sha384_hash/);
});

test('random input never throws', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 400 }),
      fc.string({ maxLength: 400 }),
      async (bytes, text) => {
        const binary = join(folder, 'random.bin');
        const textual = join(folder, 'random.csv');
        writeFileSync(binary, bytes);
        writeFileSync(textual, `# "first_seen_utc","ioc_value","ioc_type"\n${text}`);
        const result = await readFeeds([binary, textual]);
        for (const stats of result.files) assertReconciled(stats);
      },
    ),
    { numRuns: 150 },
  );
});

test('readFeeds reports a .gz name on plain text', async () => {
  const path = join(folder, 'report.txt.gz');
  writeFileSync(path, 'C2 at evil[.]com\n');
  const result = await readFeeds([path]);
  const codes = result.issues.map((issue) => issue.code);
  assert.deepEqual(codes, ['NOT_GZIP_DATA']);
  assert.equal(result.files[0]?.format, 'text');
  assert.equal(result.files[0]?.accepted, 1);
});
