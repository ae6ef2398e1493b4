/**
 * Messages of rejected ThreatFox JSON records: each names where the record is and shows its value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readThreatFoxApi, readThreatFoxNdjson } from '../../src/feeds/threatfox-json.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { codes, runReader } from './threatfox-helpers.js';

const folder = makeTempDir('threatfox-json-messages');
const ITEM = { id: '7300001', ioc: '198.51.100.9:443', ioc_type: 'ip:port' };

function write(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

test('API data elements name their index', async () => {
  const body = { query_status: 'ok', data: [ITEM, { id: '7300002' }, 5, null, { ioc: 'x' }] };
  const run = await runReader(readThreatFoxApi, write('api.json', JSON.stringify(body)));
  assert.equal(run.rowsRead, 5);
  assert.equal(run.records.length, 1);
  assert.deepEqual(codes(run.rejections), [
    'MISSING_FIELD',
    'INVALID_RECORD',
    'INVALID_RECORD',
    'MISSING_FIELD',
  ]);
  const [noValue, number, empty, noType] = run.rejections;
  assert.equal(
    noValue?.message,
    'Record has no ioc: expected a non-empty string. The record is skipped.',
  );
  assert.deepEqual(noValue?.source, { file: join(folder, 'api.json'), id: '7300002' });
  assert.equal(
    number?.message,
    'Invalid record at data[2]: expected a JSON object with ThreatFox fields, found 5. The record is skipped.',
  );
  assert.deepEqual(number?.source, { file: join(folder, 'api.json') });
  assert.match(empty?.message ?? '', /^Invalid record at data\[3\]: .*, found null\. /);
  assert.equal(
    noType?.message,
    'Record at data[4] has no ioc_type: expected a non-empty string. The record is skipped.',
  );
});

test('bare item arrays name the index', async () => {
  const run = await runReader(readThreatFoxApi, write('items.json', JSON.stringify([ITEM, 'x'])));
  assert.deepEqual(codes(run.rejections), ['INVALID_RECORD']);
  assert.match(
    run.rejections[0]?.message ?? '',
    /^Invalid record at index 1 of the array: .*, found "x"\. /,
  );
});

test('NDJSON items name ioc and quote bad lines', async () => {
  const long = `{"id":"7300003","ioc":"${'a'.repeat(100)}.example", broken\u0007`;
  const lines = [JSON.stringify(ITEM), '{"id":"7300002"}', long, '[1]'];
  const run = await runReader(readThreatFoxNdjson, write('items.ndjson', `${lines.join('\n')}\n`));
  assert.deepEqual(codes(run.rejections), ['MISSING_FIELD', 'INVALID_JSON_LINE', 'INVALID_RECORD']);
  const [noValue, badLine, array] = run.rejections;
  assert.match(noValue?.message ?? '', /^Record has no ioc: /);
  assert.equal(noValue?.source?.line, 2);

  const message = badLine?.message ?? '';
  const quotedStart = `"{\\"id\\":\\"7300003\\",\\"ioc\\":\\"${'a'.repeat(57)}…"`;
  assert.ok(message.startsWith(`Invalid JSON line ${quotedStart} (`), message);
  assert.match(message, /\): expected one ThreatFox API item per line\. The line is skipped\.$/);
  assert.equal(badLine?.source?.line, 3);

  assert.match(array?.message ?? '', /^Invalid record: .*, found \[an array of 1 entry\]\. /);
  assert.equal(array?.source?.line, 4);
});

test('quoted bad lines escape control characters', async () => {
  const run = await runReader(readThreatFoxNdjson, write('control.ndjson', '{"a":\u0007}\n'));
  const message = run.rejections[0]?.message ?? '';
  assert.ok(message.startsWith('Invalid JSON line "{\\"a\\":\\u0007}" ('), message);
});
