import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import type { Indicator } from '../../../src/indicators/model.js';
import { applyAllowlists, loadAllowlists } from '../../../src/pipeline/allowlist/index.js';
import { sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import { domainIndicator, ipPortIndicator, urlIndicator } from './make-indicator.js';

const EXPORT = 'threatfox/v3nom_json-export-recent_2026-07-24.json';
const URL_DUMP = 'threatfox/carved1_csv-full-urls_2025-12-07.csv';

interface ThreatFoxRow {
  ioc_value: string;
  ioc_type: string;
  malware_printable: string;
}

function readExport(): ThreatFoxRow[] {
  const parsed = JSON.parse(readFileSync(sharedFile(EXPORT), 'utf8')) as Record<
    string,
    ThreatFoxRow[]
  >;
  return Object.values(parsed).map((rows) => rows[0]!);
}

function ipPortFrom(value: string): Indicator {
  const colon = value.lastIndexOf(':');
  return ipPortIndicator(
    value.slice(0, colon).replace(/^\[|\]$/g, ''),
    Number(value.slice(colon + 1)),
  );
}

test('real Remcos C2 from ThreatFox is kept', { skip: skipWithoutShared(EXPORT) }, () => {
  const rows = readExport();
  const remcos = rows.find((row) => row.ioc_value === '172.245.95.9:2404');
  assert.equal(remcos?.malware_printable, 'Remcos');
  const result = applyAllowlists([ipPortFrom('172.245.95.9:2404')], loadAllowlists());
  assert.equal(result.kept.length, 1);
});

test(
  'ThreatFox C2 addresses set aside are really in range',
  { skip: skipWithoutShared(EXPORT) },
  () => {
    const indicators = readExport()
      .filter((row) => row.ioc_type === 'ip:port')
      .map((row) => ipPortFrom(row.ioc_value));
    assert.equal(indicators.length, 2412);
    const result = applyAllowlists(indicators, loadAllowlists());
    assert.equal(result.kept.length + result.setAside.length, indicators.length);
    // Most C2 addresses are rented servers outside any list; the cloud ranges take about 4%.
    assert.ok(
      result.setAside.length < indicators.length * 0.1,
      `${result.setAside.length} set aside`,
    );
    for (const { indicator, entry, list } of result.setAside) {
      assert.ok(indicator.kind === 'ip-port');
      const address = ipaddr.parse(indicator.address);
      const range = entry.includes('/')
        ? ipaddr.parseCIDR(entry)
        : ([ipaddr.parse(entry), 32] as const);
      assert.ok(address.match(range[0], range[1]), `${indicator.value} not in ${entry} (${list})`);
    }
  },
);

test('ThreatFox C2 domains survive popularity lists', { skip: skipWithoutShared(EXPORT) }, () => {
  const indicators = readExport()
    .filter((row) => row.ioc_type === 'domain')
    .map((row) => domainIndicator(row.ioc_value));
  const result = applyAllowlists(indicators, loadAllowlists());
  // The export has C2 names below asuscomm.com, cloudapp.azure.com and dynamic DNS zones.
  assert.deepEqual(
    result.setAside.map((entry) => `${entry.indicator.value} ${entry.list}`),
    [],
  );
});

test(
  'ThreatFox GitHub payload URLs are full-URL matches',
  { skip: skipWithoutShared(URL_DUMP) },
  () => {
    const urls = readFileSync(sharedFile(URL_DUMP), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#') && line.includes('githubusercontent.com/'))
      .map((line) => line.split('", "')[2]!);
    assert.ok(urls.length >= 5);
    const result = applyAllowlists(
      urls.map((url) => urlIndicator(url)),
      loadAllowlists(),
    );
    assert.equal(result.setAside.length, 0);
    assert.equal(result.fullUrl.length, urls.length);
    for (const match of result.fullUrl) assert.equal(match.list, 'trusted-platforms');
  },
);
