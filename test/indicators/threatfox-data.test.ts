/**
 * Normalizes every value of the real ThreatFox exports that test/helpers/shared.ts locates, and
 * checks the outcome row by row. The CSV and NDJSON lines are split here with the minimum needed
 * to get at the value and type, because the feed readers are tested on their own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  mapThreatFoxType,
  normalizeIndicator,
  type NormalizeResult,
} from '../../src/indicators/normalize.js';
import { sharedFile, skipWithoutShared } from '../helpers/shared.js';

const RECENT_CSV = 'threatfox/fabi2708_csv-recent_2026-04-12.csv';
const URL_DUMP_CSV = 'threatfox/carved1_csv-full-urls_2025-12-07.csv';
const API_NDJSON = 'threatfox/elastic_api-data-ndjson_test-threatfox-ndjson_TRIMMED.log';
const JSON_EXPORT = 'threatfox/v3nom_json-export-recent_2026-07-24.json';

interface Row {
  id: string;
  type: string;
  value: string;
}

/** Reads the id, value and type columns of a ThreatFox CSV export (`", "` separated). */
function readCsvRows(path: string): Row[] {
  const rows: Row[] = [];
  for (const line of readFileSync(sharedFile(path), 'utf8').split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const [, id = '', value = '', type = ''] = line.slice(1, -1).split('", "');
    rows.push({ id, type, value });
  }
  return rows;
}

function normalizeRow(row: Row, file: string): NormalizeResult {
  return normalizeIndicator({
    type: mapThreatFoxType(row.type),
    value: row.value,
    context: {},
    source: { file, id: row.id },
  });
}

/** Returns `id code` for each issue, errors and warnings alike. */
function issueList(rows: Row[], file: string): string[] {
  const issues: string[] = [];
  for (const row of rows) {
    const result = normalizeRow(row, file);
    for (const issue of 'issue' in result ? [result.issue] : result.warnings) {
      issues.push(`${row.id} ${issue.code}`);
    }
  }
  return issues;
}

test(
  'recent CSV export normalizes with two defanged warnings',
  { skip: skipWithoutShared(RECENT_CSV) },
  () => {
    const rows = readCsvRows(RECENT_CSV);
    assert.equal(rows.length, 862);
    assert.deepEqual(issueList(rows, RECENT_CSV), [
      '1783456 DEFANGED_VALUE',
      '1783459 DEFANGED_VALUE',
    ]);
  },
);

test(
  'recent CSV export keeps punycode and percent-encoding',
  { skip: skipWithoutShared(RECENT_CSV) },
  () => {
    const rows = new Map(readCsvRows(RECENT_CSV).map((row) => [row.id, row]));
    const values = (id: string): string => {
      const result = normalizeRow(rows.get(id) as Row, RECENT_CSV);
      assert.ok('indicator' in result, id);
      return result.indicator.value;
    };
    assert.equal(values('1784141'), 'xn--0ck0d7bw166ajkwa.jpn.com');
    assert.equal(values('1784197'), 'http://45.32.150.251/DcBgkhPhBl%2FI%2B47SkwikzA%3D%3D');
    assert.equal(values('1783459'), 'https://download-version.1-5-8.com/claude.msixbundle');
  },
);

test('URL dump rejects only bare labels', { skip: skipWithoutShared(URL_DUMP_CSV) }, () => {
  const rows = readCsvRows(URL_DUMP_CSV);
  assert.equal(rows.length, 12351);
  const issues = issueList(rows, URL_DUMP_CSV);
  const byCode = new Map<string, number>();
  for (const entry of issues) {
    const code = entry.split(' ')[1] as string;
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
  }
  // Hex-octet hosts and doubled schemes are read with a warning each.
  assert.deepEqual(Object.fromEntries(byCode), {
    URL_HOST_IPV4_FORM: 2,
    URL_SCHEME_REPEATED: 13,
    SINGLE_LABEL_DOMAIN: 2,
  });
  assert.ok(issues.includes('1639273 URL_HOST_IPV4_FORM'), 'http://94.0x4A.164.136/fifx.odd');
  assert.ok(issues.includes('1541260 URL_SCHEME_REPEATED'), 'https://https://t.me/stfmms/api');
  assert.ok(issues.includes('1542424 SINGLE_LABEL_DOMAIN'), 'https://moufflcmgz/api');
});

test(
  'API items include an unbracketed IPv6 ip:port',
  { skip: skipWithoutShared(API_NDJSON) },
  () => {
    const lines = readFileSync(sharedFile(API_NDJSON), 'utf8').split('\n').filter(Boolean);
    const results = lines.map((line) => {
      const item = JSON.parse(line) as { id: string; ioc: string; ioc_type: string };
      return normalizeRow({ id: item.id, type: item.ioc_type, value: item.ioc }, API_NDJSON);
    });
    assert.equal(results.length, 26);
    assert.ok(results.every((result) => 'indicator' in result));
    const first = results[0];
    assert.ok(first);
    assert.ok('indicator' in first);
    assert.equal(first.indicator.value, '[2a02:cf40:1::5]:40669');
  },
);

test('JSON export normalizes every row', { skip: skipWithoutShared(JSON_EXPORT) }, () => {
  const data = JSON.parse(readFileSync(sharedFile(JSON_EXPORT), 'utf8')) as Record<
    string,
    Array<{ ioc_value: string; ioc_type: string }>
  >;
  const rows = Object.entries(data).map(([id, [item]]) => ({
    id,
    type: item?.ioc_type ?? '',
    value: item?.ioc_value ?? '',
  }));
  assert.equal(rows.length, 4488);
  assert.deepEqual(issueList(rows, JSON_EXPORT), []);
});
