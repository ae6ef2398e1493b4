import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import type { Indicator } from '../../../src/indicators/model.js';
import { applyAllowlists, loadAllowlists } from '../../../src/pipeline/allowlist/index.js';
import { repoFile, sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import { domainIndicator, ipIndicator, ipPortIndicator, urlIndicator } from './make-indicator.js';

const EXPORT = repoFile('data/threatfox/v3nom_json-export-recent_2026-07-24.json');
const URL_DUMP = 'threatfox/carved1_csv-full-urls_2025-12-07.csv';
const HOSTING_LISTS = ['amazon-aws', 'microsoft-azure', 'google-gcp', 'akamai'];
const lists = loadAllowlists();

interface ThreatFoxRow {
  ioc_value: string;
  ioc_type: string;
  malware_printable: string;
}

function readExport(): ThreatFoxRow[] {
  const parsed = JSON.parse(readFileSync(EXPORT, 'utf8')) as Record<string, ThreatFoxRow[]>;
  return Object.values(parsed).map((rows) => rows[0]!);
}

function ipPortFrom(value: string): Indicator {
  const colon = value.lastIndexOf(':');
  return ipPortIndicator(
    value.slice(0, colon).replace(/^\[|\]$/g, ''),
    Number(value.slice(colon + 1)),
  );
}

function findRow(value: string): ThreatFoxRow {
  const row = readExport().find((item) => item.ioc_value === value);
  assert.ok(row, `${value} is not in the export`);
  return row;
}

test('real Remcos C2 from ThreatFox is kept', () => {
  assert.equal(findRow('172.245.95.9:2404').malware_printable, 'Remcos');
  const result = applyAllowlists([ipPortFrom('172.245.95.9:2404')], lists);
  assert.equal(result.kept.length, 1);
});

test('Remcos ip:port on Azure is kept', () => {
  assert.equal(findRow('20.204.61.204:21891').malware_printable, 'Remcos');
  const result = applyAllowlists([ipPortFrom('20.204.61.204:21891')], lists);
  assert.equal(result.kept.length, 1);
  assert.equal(result.setAside.length, 0);
});

test('same Azure address bare is set aside', () => {
  const result = applyAllowlists([ipIndicator('20.204.61.204')], lists);
  assert.equal(result.kept.length, 0);
  const [entry] = result.setAside;
  assert.equal(entry?.list, 'microsoft-azure');
  assert.equal(entry?.entry, '20.204.0.0/14');
  assert.match(entry?.reason ?? '', /^a Microsoft Azure address: a cloud hosting address/);
  assert.match(entry?.reason ?? '', /ip:port indicator on it is kept/);
});

test('Cobalt Strike ip:port on AWS is kept', () => {
  assert.equal(findRow('13.55.118.253:443').malware_printable, 'Cobalt Strike');
  assert.equal(applyAllowlists([ipPortFrom('13.55.118.253:443')], lists).kept.length, 1);
  const bare = applyAllowlists([ipIndicator('13.55.118.253')], lists).setAside;
  assert.equal(bare[0]?.list, 'amazon-aws');
  assert.equal(bare[0]?.entry, '13.48.0.0/12');
});

test('AdaptixC2 ip:port on Akamai cloud is kept', () => {
  assert.equal(findRow('172.232.122.241:4321').malware_printable, 'AdaptixC2');
  assert.equal(applyAllowlists([ipPortFrom('172.232.122.241:4321')], lists).kept.length, 1);
  const bare = applyAllowlists([ipIndicator('172.232.122.241')], lists).setAside;
  assert.equal(bare[0]?.list, 'akamai');
});

test('ThreatFox C2 on hosting ranges stay huntable', () => {
  const indicators = readExport()
    .filter((row) => row.ioc_type === 'ip:port')
    .map((row) => ipPortFrom(row.ioc_value));
  assert.equal(indicators.length, 2412);
  const result = applyAllowlists(indicators, lists);
  assert.equal(result.kept.length + result.setAside.length, indicators.length);
  // Only the carrier-grade NAT address is set aside; special-purpose ranges ignore the port.
  assert.deepEqual(
    result.setAside.map((item) => `${item.indicator.value} ${item.list} ${item.entry}`),
    ['100.110.56.1:8000 rfc6598 100.64.0.0/10'],
  );

  // The same addresses without their ports fall on the hosting lists, each really in range.
  const bare = applyAllowlists(
    indicators.map((indicator) =>
      ipIndicator(indicator.kind === 'ip-port' ? indicator.address : ''),
    ),
    lists,
  );
  const onHosting = bare.setAside.filter((item) => HOSTING_LISTS.includes(item.list));
  assert.equal(onHosting.length, 108);
  for (const { indicator, entry, list } of onHosting) {
    assert.ok(indicator.kind === 'ip');
    const address = ipaddr.parse(indicator.address);
    const range = entry.includes('/')
      ? ipaddr.parseCIDR(entry)
      : ([ipaddr.parse(entry), 32] as const);
    assert.ok(address.match(range[0], range[1]), `${indicator.value} not in ${entry} (${list})`);
  }
});

test('ThreatFox C2 domains survive popularity lists', () => {
  const indicators = readExport()
    .filter((row) => row.ioc_type === 'domain')
    .map((row) => domainIndicator(row.ioc_value));
  const result = applyAllowlists(indicators, lists);
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
