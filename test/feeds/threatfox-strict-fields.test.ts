/**
 * Strict mode and ThreatFox optional fields that cannot be read: such a field is malformed input,
 * so --strict stops at it, while a value that is read and then normalized does not stop it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedParseError } from '../../src/errors.js';
import { readFeeds } from '../../src/feeds/read.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const folder = makeTempDir('threatfox-strict-fields');

const CSV_HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","malware_printable","last_seen_utc","confidence_level","is_compromised","reporter"';

/** Returns the CSV row of a C2 domain, with `fields` replacing its defaults. */
function csvRow(fields: { id: string; firstSeen?: string; confidence?: string; flag?: string }) {
  const values = [
    fields.firstSeen ?? '2026-11-30 10:00:00',
    fields.id,
    `c${fields.id}.example.net`,
    'domain',
    'botnet_cc',
    'Remcos',
    '',
    fields.confidence ?? '75',
    fields.flag ?? 'False',
    'tester',
  ];
  return values.map((value) => `"${value}"`).join(', ');
}

function write(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function writeCsv(name: string, rows: string[]): string {
  return write(name, `${[CSV_HEADER, ...rows].join('\n')}\n`);
}

const JSON_ITEM = { ioc_value: 'c2.example.org', ioc_type: 'domain', malware_printable: 'Remcos' };
const API_ITEM = { id: '7400001', ioc: 'c2.example.org', ioc_type: 'domain' };

/**
 * Reads `path` without and then with strict mode, and checks both: without it the record is kept
 * and the warning states that, and with it the read stops with the same code, location and value.
 */
async function checkMalformed(
  path: string,
  expected: { code: string; source: object; message: RegExp; records: number },
): Promise<void> {
  const lenient = await readFeeds([path]);
  assert.equal(lenient.files[0]?.failed, false);
  assert.equal(lenient.files[0]?.rejected, 0);
  assert.equal(lenient.records.length, expected.records);
  const warnings = lenient.issues.filter((issue) => issue.code === expected.code);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.severity, 'warning');
  assert.deepEqual(warnings[0]?.source, expected.source);
  assert.match(warnings[0]?.message ?? '', expected.message);
  assert.match(warnings[0]?.message ?? '', / The record is kept without this field\.$/);

  await assert.rejects(readFeeds([path], { strict: true }), (error) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, expected.code);
    assert.deepEqual(error.source, expected.source);
    assert.match(error.message, expected.message);
    assert.doesNotMatch(error.message, /is kept without this field/);
    assert.match(
      error.message,
      / The build stopped here because --strict is set\. Without --strict, such a field is reported and left out, and its record is kept\.$/,
    );
    return true;
  });
}

test('strict stops at INVALID_CONFIDENCE', async () => {
  const path = writeCsv('confidence.csv', [
    csvRow({ id: '1' }),
    csvRow({ id: '2', confidence: 'high' }),
  ]);
  await checkMalformed(path, {
    code: 'INVALID_CONFIDENCE',
    source: { file: path, line: 3, id: '2' },
    message: /^Invalid confidence_level "high": expected a number from 0 to 100\./,
    records: 2,
  });
});

test('strict stops at INVALID_TIME', async () => {
  const path = writeCsv('time.csv', [csvRow({ id: '3', firstSeen: 'yesterday' })]);
  await checkMalformed(path, {
    code: 'INVALID_TIME',
    source: { file: path, line: 2, id: '3' },
    message: /^Invalid first_seen time "yesterday": expected "YYYY-MM-DD HH:MM:SS"/,
    records: 1,
  });
});

test('strict stops at INVALID_FLAG', async () => {
  const path = writeCsv('flag.csv', [csvRow({ id: '4', flag: 'maybe' })]);
  await checkMalformed(path, {
    code: 'INVALID_FLAG',
    source: { file: path, line: 2, id: '4' },
    message: /^Invalid is_compromised "maybe": expected true, false/,
    records: 1,
  });
});

test('strict stops at INVALID_TAGS', async () => {
  const path = write(
    'tags.json',
    JSON.stringify({ '7400005': [{ ...JSON_ITEM, tags: { a: 1 } }] }),
  );
  await checkMalformed(path, {
    code: 'INVALID_TAGS',
    source: { file: path, id: '7400005' },
    message: /^Invalid tags \{"a":1\}: expected a comma-separated string or a list of strings\./,
    records: 1,
  });
});

test('strict stops at INVALID_REFERENCE', async () => {
  const lines = [
    JSON.stringify(API_ITEM),
    JSON.stringify({ ...API_ITEM, id: '7400006', reference: 5 }),
  ];
  const path = write('reference.ndjson', `${lines.join('\n')}\n`);
  await checkMalformed(path, {
    code: 'INVALID_REFERENCE',
    source: { file: path, line: 2, id: '7400006' },
    message: /^Invalid reference 5: expected a string or a list of strings\./,
    records: 2,
  });
});

test('strict stops at INVALID_REPORTER', async () => {
  const item = { ...API_ITEM, id: '7400007', reporter: true };
  const path = write('reporter.json', JSON.stringify({ query_status: 'ok', data: [item] }));
  await checkMalformed(path, {
    code: 'INVALID_REPORTER',
    source: { file: path, id: '7400007' },
    message: /^Invalid reporter true: expected a string or a list of strings\./,
    records: 1,
  });
});

test('strict keeps normalized confidences', async () => {
  const path = writeCsv('normalized.csv', [
    csvRow({ id: '8', confidence: '150' }),
    csvRow({ id: '9', confidence: '87.5' }),
    csvRow({ id: '10', confidence: '-5' }),
  ]);
  const result = await readFeeds([path], { strict: true });
  assert.equal(result.files[0]?.failed, false);
  assert.deepEqual(
    result.records.map((record) => [record.source.id, record.context.confidence]),
    [
      ['8', 100],
      ['9', 87.5],
      ['10', 0],
    ],
  );
  assert.deepEqual(
    result.issues.map((issue) => [issue.code, issue.severity, issue.source?.id]),
    [
      ['CONFIDENCE_OUT_OF_RANGE', 'warning', '8'],
      ['CONFIDENCE_OUT_OF_RANGE', 'warning', '10'],
    ],
  );
});

test('build --strict fails on an unreadable field', async () => {
  const path = writeCsv('build.csv', [csvRow({ id: '11', flag: 'maybe' })]);
  const lenient = await runCli(['build', path, '--out', join(folder, 'lenient')]);
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.match(
    lenient.stderr,
    /build\.csv:2 \(id 11\): warning INVALID_FLAG: Invalid is_compromised "maybe"/,
  );

  const strict = await runCli(['build', path, '--out', join(folder, 'strict'), '--strict']);
  assert.equal(strict.code, 1, strict.stderr);
  assert.match(strict.stderr, /build\.csv:2 \(id 11\): Invalid is_compromised "maybe": /);
  assert.match(strict.stderr, /The build stopped here because --strict is set\./);
});

test('list items that are not strings', async () => {
  const item = {
    ...API_ITEM,
    tags: ['c2', 5, null, 'remcos', { a: 1 }],
    reference: ['https://example.org/r', false],
  };
  const path = write('list-items.ndjson', `${JSON.stringify(item)}\n`);

  const lenient = await readFeeds([path]);
  const stats = lenient.files[0]!;
  assert.equal(stats.failed, false);
  assert.equal(stats.rowsRead, 1);
  assert.equal(stats.rowsRead, stats.accepted + stats.rejected);
  assert.equal(lenient.records.length, 1);
  assert.deepEqual(lenient.records[0]?.context.tags, ['c2', 'remcos']);
  assert.deepEqual(lenient.records[0]?.context.references, ['https://example.org/r']);

  const tags = lenient.issues.filter((issue) => issue.code === 'INVALID_TAGS');
  assert.equal(tags.length, 1);
  assert.equal(tags[0]?.severity, 'warning');
  assert.deepEqual(tags[0]?.source, { file: path, line: 1, id: '7400001' });
  assert.equal(
    tags[0]?.message,
    'The tags list contains 3 items that are not strings: 5, null, {"a":1}. The record is kept with the string items only.',
  );
  assert.deepEqual(tags[0]?.value, [5, null, { a: 1 }]);
  const references = lenient.issues.filter((issue) => issue.code === 'INVALID_REFERENCE');
  assert.equal(references.length, 1);
  assert.match(
    references[0]?.message ?? '',
    /^The reference list contains 1 item that is not a string: false\./,
  );

  await assert.rejects(readFeeds([path], { strict: true }), (error) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, 'INVALID_TAGS');
    assert.deepEqual(error.source, { file: path, line: 1, id: '7400001' });
    assert.match(error.message, /^The tags list contains 3 items that are not strings: /);
    assert.doesNotMatch(error.message, /is kept with the string items only/);
    assert.match(
      error.message,
      / Without --strict, such items are reported and left out, and the rest of the list is kept\.$/,
    );
    return true;
  });
});

test('list of strings only passes strict', async () => {
  const item = { ...API_ITEM, tags: ['c2', 'remcos'], reference: ['https://example.org/r'] };
  const path = write('list-strings.ndjson', `${JSON.stringify(item)}\n`);
  const strict = await readFeeds([path], { strict: true });
  assert.equal(strict.records.length, 1);
  assert.deepEqual(strict.records[0]?.context.tags, ['c2', 'remcos']);
  assert.deepEqual(strict.issues, []);
});
