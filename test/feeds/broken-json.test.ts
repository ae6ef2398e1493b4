/**
 * Real ThreatFox JSON files, cut short or with a syntax error, read through `readFeeds`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFeeds } from '../../src/feeds/read.js';
import { sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const EXPORT = 'threatfox/v3nom_json-export-recent_2026-07-24.json';
const API = 'threatfox/seanmcfeely_api-response_tests-data.json';
const folder = makeTempDir('broken-json');

/** Writes `text` to a file in the test folder and returns its path. */
function write(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

test('truncated export names line and column', { skip: skipWithoutShared(EXPORT) }, async () => {
  const path = write('export.json', readFileSync(sharedFile(EXPORT), 'utf8').slice(0, 100_000));
  const result = await readFeeds([path]);
  assert.equal(result.files[0]?.failed, true);
  const [issue] = result.issues;
  assert.equal(issue?.code, 'INVALID_JSON');
  assert.equal(issue?.source?.file, path);
  assert.equal(issue?.source?.line, 2974);
  assert.equal(issue?.source?.column, 46);
  assert.match(issue?.message ?? '', /at line 2974, column 46: .*probably truncated/);
});

test('API response with a bad key is invalid JSON', { skip: skipWithoutShared(API) }, async () => {
  const text = readFileSync(sharedFile(API), 'utf8').replace('"query_status"', 'query_status');
  const path = write('api.json', text);
  const result = await readFeeds([path]);
  const [issue] = result.issues;
  assert.equal(issue?.code, 'INVALID_JSON');
  assert.deepEqual(issue?.source, { file: path, line: 1, column: 2 });
  assert.doesNotMatch(issue?.message ?? '', /Unknown feed format/);
});

test('API response cut early is truncated JSON', { skip: skipWithoutShared(API) }, async () => {
  const text = readFileSync(sharedFile(API), 'utf8');
  const path = write('api-cut.json', text.slice(0, text.indexOf('"query_status"') + 5));
  const result = await readFeeds([path]);
  const [issue] = result.issues;
  assert.equal(issue?.code, 'INVALID_JSON');
  assert.match(issue?.message ?? '', /ends at line 1, column \d+ before its JSON is complete/);
});
