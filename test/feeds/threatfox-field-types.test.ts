import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readThreatFoxApi, readThreatFoxExport } from '../../src/feeds/threatfox-json.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { codes, runReader } from './threatfox-helpers.js';

function writeJson(name: string, document: unknown): string {
  const path = join(makeTempDir('threatfox-types'), name);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

test('export rejects wrong-typed ioc_value', async () => {
  const path = writeJson('export.json', {
    '1': [{ ioc_value: 42, ioc_type: 'domain' }],
    '2': [{ ioc_value: { host: 'a.example.com' }, ioc_type: 'domain' }],
    '3': [{ ioc_value: ['b.example.com'], ioc_type: 'domain' }],
    '4': [{ ioc_value: true, ioc_type: 'domain' }],
    '5': [{ ioc_value: null, ioc_type: 'domain' }],
    '6': [{ ioc_value: 'c.example.com', ioc_type: 'domain' }],
  });
  const run = await runReader(readThreatFoxExport, path);
  assert.equal(run.rowsRead, 6);
  assert.equal(run.records.length, 1);
  assert.deepEqual(codes(run.rejections), [
    'INVALID_FIELD_TYPE',
    'INVALID_FIELD_TYPE',
    'INVALID_FIELD_TYPE',
    'INVALID_FIELD_TYPE',
    'MISSING_FIELD',
  ]);
  const messages = run.rejections.map((issue) => issue.message);
  assert.match(messages[0]!, /ioc_value of type number \(42\): expected a string/);
  assert.match(messages[1]!, /ioc_value of type object: expected a string/);
  assert.match(messages[2]!, /ioc_value of type array \(1 entry\): expected a string/);
  assert.match(messages[3]!, /ioc_value of type boolean \(true\): expected a string/);
  assert.match(messages[4]!, /has no ioc_value/);
  for (const issue of run.rejections) assert.equal(issue.severity, 'error');
});

test('export rejects wrong-typed ioc_type', async () => {
  const path = writeJson('export.json', {
    '1': [{ ioc_value: 'a.example.com', ioc_type: 7 }],
    '2': [{ ioc_value: 'b.example.com', ioc_type: ['domain'] }],
  });
  const run = await runReader(readThreatFoxExport, path);
  assert.equal(run.records.length, 0);
  assert.deepEqual(codes(run.rejections), ['INVALID_FIELD_TYPE', 'INVALID_FIELD_TYPE']);
  assert.match(run.rejections[0]!.message, /ioc_type of type number \(7\)/);
  assert.match(run.rejections[1]!.message, /ioc_type of type array \(1 entry\)/);
});

test('API item names the ioc key', async () => {
  const path = writeJson('api.json', {
    query_status: 'ok',
    data: [{ id: '10', ioc: 12345, ioc_type: 'domain' }],
  });
  const run = await runReader(readThreatFoxApi, path);
  assert.deepEqual(codes(run.rejections), ['INVALID_FIELD_TYPE']);
  assert.match(run.rejections[0]!.message, /Record has ioc of type number \(12345\)/);
  assert.equal(run.rejections[0]!.source?.id, '10');
});

test('deeply nested values do not overflow', async () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const path = join(makeTempDir('threatfox-types'), 'deep.json');
  writeFileSync(path, `{"1": [{"ioc_value": ${deep}, "ioc_type": "domain"}], "2": [${deep}]}`);
  const run = await runReader(readThreatFoxExport, path);
  assert.equal(run.rowsRead, 2);
  assert.deepEqual(codes(run.rejections), ['INVALID_FIELD_TYPE', 'INVALID_RECORD']);
  assert.match(run.rejections[1]!.message, /^Invalid record: .*, found \[an array of 1 entry\]\. /);
});

test('API data of a nested list is reported', async () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const path = join(makeTempDir('threatfox-types'), 'api.json');
  writeFileSync(path, `{"query_status": "ok", "data": {"x": ${deep}}}`);
  await assert.rejects(runReader(readThreatFoxApi, path), (error: Error) => {
    assert.match(error.message, /its data is \{an object\}: expected a list of indicators/);
    return true;
  });
});

test('confidence is read as a decimal number only', async () => {
  const confidences: unknown[] = [
    75,
    '80',
    ' 87.5 ',
    '0x32',
    '1e2',
    'Infinity',
    true,
    [50],
    null,
    '',
  ];
  const document = Object.fromEntries(
    confidences.map((confidence, index) => [
      String(index + 1),
      [{ ioc_value: `h${index}.example.com`, ioc_type: 'domain', confidence_level: confidence }],
    ]),
  );
  const run = await runReader(readThreatFoxExport, writeJson('confidence.json', document));
  assert.equal(run.records.length, confidences.length);
  assert.deepEqual(
    run.records.map((record) => record.context.confidence),
    [75, 80, 87.5, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
  );
  const invalid = run.reports.filter((issue) => issue.code === 'INVALID_CONFIDENCE');
  assert.deepEqual(
    invalid.map((issue) => issue.source?.id),
    ['4', '5', '6', '7', '8'],
  );
  assert.match(invalid[3]!.message, /confidence_level true/);
});

test('list fields of another type warn', async () => {
  const base = { ioc_value: 'a.example.com', ioc_type: 'domain' };
  const deep = JSON.parse('['.repeat(1_000) + ']'.repeat(1_000)) as unknown;
  const path = writeJson('export.json', {
    '1': [{ ...base, tags: { a: 1 } }],
    '2': [{ ...base, tags: 5, reference: 'https://example.org/r' }],
    '3': [{ ...base, reference: { url: 'https://example.org/r' }, reporter: true }],
    '4': [{ ...base, tags: ['x', 'y'], reference: null, reporter: 'someone' }],
    '5': [{ ...base, tags: { deep } }],
  });
  const run = await runReader(readThreatFoxExport, path);
  assert.equal(run.records.length, 5);
  assert.deepEqual(
    run.reports.map((issue) => [issue.code, issue.severity, issue.source?.id]),
    [
      ['INVALID_TAGS', 'warning', '1'],
      ['INVALID_TAGS', 'warning', '2'],
      ['INVALID_REFERENCE', 'warning', '3'],
      ['INVALID_REPORTER', 'warning', '3'],
      ['INVALID_TAGS', 'warning', '5'],
    ],
  );
  const messages = run.reports.map((issue) => issue.message);
  assert.equal(
    messages[0],
    'Invalid tags {"a":1}: expected a comma-separated string or a list of strings. The record is kept without this field.',
  );
  assert.match(messages[1]!, /^Invalid tags 5: /);
  assert.match(
    messages[2]!,
    /^Invalid reference \{"url":"https:\/\/example\.org\/r"\}: expected a string or a list of strings\. /,
  );
  assert.match(messages[3]!, /^Invalid reporter true: /);
  // The shown JSON text is cut at 80 characters: `{"deep":` and 72 brackets.
  assert.match(messages[4]!, /^Invalid tags \{"deep":\[{72}…: /);

  assert.deepEqual(run.records[0]?.context.tags, []);
  assert.deepEqual(run.records[1]?.context.references, ['https://example.org/r']);
  assert.deepEqual(run.records[3]?.context.tags, ['x', 'y']);
  assert.deepEqual(run.records[3]?.context.reporters, ['someone']);
});

test('times and flags of another type warn', async () => {
  const base = { ioc_value: 'a.example.com', ioc_type: 'domain' };
  const path = writeJson('other-types.json', {
    '1': [{ ...base, first_seen: { at: '2026-11-30' }, last_seen: true }],
    '2': [{ ...base, is_compromised: [true] }],
    '3': [{ ...base, first_seen: null, last_seen: null, is_compromised: true }],
  });
  const run = await runReader(readThreatFoxExport, path);
  assert.equal(run.records.length, 3);
  assert.deepEqual(
    run.reports.map((issue) => [issue.code, issue.source?.id, issue.malformed]),
    [
      ['INVALID_TIME', '1', true],
      ['INVALID_TIME', '1', true],
      ['INVALID_FLAG', '2', true],
    ],
  );
  const messages = run.reports.map((issue) => issue.message);
  assert.match(messages[0]!, /^Invalid first_seen time \{an object\}: expected "YYYY-MM-DD /);
  assert.match(messages[1]!, /^Invalid last_seen time true: /);
  assert.equal(
    messages[2],
    'Invalid is_compromised [an array of 1 entry]: expected true, false, "True", "False", 1 or 0. The record is kept without this field.',
  );
  assert.equal(run.records[0]?.context.firstSeen, undefined);
  assert.equal(run.records[1]?.context.isCompromised, undefined);
  assert.equal(run.records[2]?.context.isCompromised, true);
});

test('JSON numbers shown unquoted', async () => {
  const base = { ioc_value: 'a.example.com', ioc_type: 'domain' };
  const path = writeJson('number-values.json', {
    '1': [{ ...base, first_seen: 1712345678, last_seen: 1712345679.5, is_compromised: 2 }],
    '2': [{ ...base, confidence_level: 150 }],
    '3': [{ ...base, first_seen: '1712345678', is_compromised: '2', confidence_level: '150' }],
  });
  const run = await runReader(readThreatFoxExport, path);
  assert.equal(run.rowsRead, 3);
  assert.equal(run.records.length, 3);
  assert.deepEqual(codes(run.reports), [
    'INVALID_TIME',
    'INVALID_TIME',
    'INVALID_FLAG',
    'CONFIDENCE_OUT_OF_RANGE',
    'INVALID_TIME',
    'CONFIDENCE_OUT_OF_RANGE',
    'INVALID_FLAG',
  ]);
  const messages = run.reports.map((issue) => issue.message);
  assert.match(messages[0]!, /^Invalid first_seen time 1712345678: /);
  assert.match(messages[1]!, /^Invalid last_seen time 1712345679\.5: /);
  assert.match(messages[2]!, /^Invalid is_compromised 2: /);
  assert.match(messages[3]!, /^The confidence_level 150 is outside 0 to 100/);
  // Text stays quoted, even when it contains only digits.
  assert.match(messages[4]!, /^Invalid first_seen time "1712345678": /);
  assert.match(messages[5]!, /^The confidence_level "150" is outside 0 to 100/);
  assert.match(messages[6]!, /^Invalid is_compromised "2": /);
  assert.equal(run.reports[0]!.value, 1712345678);
  assert.equal(run.reports[4]!.value, '1712345678');
});
