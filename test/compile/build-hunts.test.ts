import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { buildIocTables } from '../../src/compile/ioc-tables.js';
import { urlEndpoint, urlHostName, urlWithUnicodeHost } from '../../src/indicators/url.js';
import type { Indicator } from '../../src/indicators/model.js';
import {
  domainIndicator,
  ipPortIndicator,
  urlIndicator,
} from '../pipeline/allowlist/make-indicator.js';

const HOSTING = { list: 'amazon-aws', entry: '13.32.0.0/12', reason: 'cloud hosting' };

function addresses(rows: ReadonlyArray<readonly unknown[]>): string[] {
  return rows.map((row) => `${String(row[0])}|${String(row[1])}`);
}

test('urlEndpoint finds the address and port a URL connects to', () => {
  assert.deepEqual(urlEndpoint('http://45.67.99.1:8080/bins/x.arm'), {
    address: '45.67.99.1',
    port: 8080,
  });
  assert.deepEqual(urlEndpoint('http://45.67.99.1/x'), { address: '45.67.99.1', port: 80 });
  assert.deepEqual(urlEndpoint('https://user@45.67.99.1/x'), { address: '45.67.99.1', port: 443 });
  assert.deepEqual(urlEndpoint('https://[2a02:cf40:1::7]:8443/x'), {
    address: '2a02:cf40:1::7',
    port: 8443,
  });
  assert.deepEqual(urlEndpoint('ftp://45.67.99.1/x'), { address: '45.67.99.1', port: 21 });
  assert.deepEqual(urlEndpoint('wss://45.67.99.1/x'), { address: '45.67.99.1', port: 443 });
  assert.deepEqual(urlEndpoint('tcp://45.67.99.1/x'), { address: '45.67.99.1' });
  assert.deepEqual(urlEndpoint('constructor://45.67.99.1/x'), { address: '45.67.99.1' });
  assert.equal(urlEndpoint('http://1password.com/x'), undefined);
  assert.equal(urlEndpoint('http://45.67.99.1.evil.com/x'), undefined);
  assert.equal(urlEndpoint('http://evil.com/?to=45.67.99.1'), undefined);
  assert.equal(urlEndpoint('http://45.67.99.1@evil.com/'), undefined);
});

test('URL address rows come last', () => {
  const indicators: Indicator[] = [
    ipPortIndicator('45.67.99.1', 8080),
    urlIndicator('http://45.67.99.1:8080/bins/x.arm'),
    urlIndicator('http://45.67.99.2/a'),
    urlIndicator('http://45.67.99.2/b'),
    urlIndicator('https://[2a02:cf40:1::7]/c'),
    urlIndicator('tcp://45.67.99.3/d'),
    urlIndicator('https://evil.example/e'),
  ];
  const tables = buildIocTables(indicators);
  assert.deepEqual(addresses(tables['port-aware'].rows), [
    '45.67.99.1|8080',
    '45.67.99.2|80',
    '2a02:cf40:1::7|443',
  ]);
  assert.deepEqual(addresses(tables['address-only'].rows), [
    '45.67.99.1|8080',
    '45.67.99.2|80',
    '2a02:cf40:1::7|443',
    '45.67.99.3|',
  ]);
  assert.equal(tables.url.rows.length, 6, 'every URL keeps its URL row');

  const earlier = buildIocTables(indicators, { formatVersion: 3 });
  assert.deepEqual(addresses(earlier['port-aware'].rows), ['45.67.99.1|8080']);
  assert.deepEqual(addresses(earlier['address-only'].rows), ['45.67.99.1|8080']);
});

test('an indicator hunted on its exact value adds no wider row', () => {
  const hosted = { ...ipPortIndicator('13.32.1.1', 443), exactOnly: HOSTING };
  const hostedUrl = { ...urlIndicator('http://13.32.1.2:8080/x'), exactOnly: HOSTING };
  const tables = buildIocTables([hosted, hostedUrl]);
  // The URL keeps its address and port, as the ip:port on hosting does, but not the bare address.
  assert.deepEqual(addresses(tables['port-aware'].rows), ['13.32.1.1|443', '13.32.1.2|8080']);
  assert.deepEqual(tables['address-only'].rows, []);
  assert.deepEqual(
    addresses(buildIocTables([hosted, hostedUrl], { formatVersion: 4 })['port-aware'].rows),
    ['13.32.1.1|443'],
  );

  const hunts = buildHunts([hosted, hostedUrl], {
    family: 'Test',
    familySlug: 'test',
    lookback: { amount: 30, unit: 'd' },
  });
  assert.ok(hunts.some((hunt) => hunt.variant === 'port-aware'));
  assert.ok(!hunts.some((hunt) => hunt.variant === 'address-only'));
});

test('URL on a CDN edge or compromised site adds no address', () => {
  const cdn = {
    ...urlIndicator('http://104.21.75.114/cx'),
    exactOnly: {
      list: 'cloudflare',
      entry: '104.16.0.0/13',
      reason: 'CDN',
      urlOnly: true as const,
    },
  };
  const compromised = { ...urlIndicator('http://93.184.215.14/x.js'), isCompromised: true };
  // A compromised site on rented hosting has no row either, as a CDN edge has none.
  const hostedCompromised = {
    ...urlIndicator('http://13.55.118.5:8080/x.php'),
    isCompromised: true,
    exactOnly: HOSTING,
  };
  const plain = urlIndicator('http://45.67.99.1:8080/x');

  const tables = buildIocTables([cdn, compromised, hostedCompromised, plain]);
  assert.deepEqual(addresses(tables['port-aware'].rows), ['45.67.99.1|8080']);
  assert.deepEqual(addresses(tables['address-only'].rows), ['45.67.99.1|8080']);
  assert.equal(tables.url.rows.length, 4, 'every URL keeps its URL row');

  // Packs of format 6 were built with those rows, and their hunts name rows by position.
  const format6 = buildIocTables([cdn, compromised, hostedCompromised, plain], {
    formatVersion: 6,
  });
  assert.deepEqual(addresses(format6['port-aware'].rows), [
    '104.21.75.114|80',
    '93.184.215.14|80',
    '13.55.118.5|8080',
    '45.67.99.1|8080',
  ]);
  assert.deepEqual(addresses(format6['address-only'].rows), [
    '93.184.215.14|80',
    '45.67.99.1|8080',
  ]);
});

test('urlWithUnicodeHost writes a punycode host in Unicode', () => {
  assert.equal(
    urlWithUnicodeHost('https://xn--bcher-evil-9db.de:8443/xn--a?q=1'),
    'https://bücher-evil.de:8443/xn--a?q=1',
  );
  assert.equal(
    urlWithUnicodeHost('http://user@a.xn--bcher-evil-9db.de/x'),
    'http://user@a.bücher-evil.de/x',
  );
  assert.equal(urlWithUnicodeHost('http://evil.example/xn--a'), undefined);
  assert.equal(urlWithUnicodeHost('http://[2a02:cf40:1::7]/xn--a'), undefined);
});

test('Unicode rows come last', () => {
  const indicators: Indicator[] = [
    domainIndicator('xn--bcher-evil-9db.de'),
    domainIndicator('evil.example'),
    urlIndicator('http://xn--bcher-evil-9db.de/gate.php'),
    urlIndicator('http://evil.example/xn--a'),
  ];
  const tables = buildIocTables(indicators);
  assert.deepEqual(
    tables.domain.rows.map((row) => row[0]),
    ['xn--bcher-evil-9db.de', 'evil.example', 'bücher-evil.de'],
  );
  assert.deepEqual(
    tables.url.rows.map((row) => row[0]),
    [
      'http://xn--bcher-evil-9db.de/gate.php',
      'http://evil.example/xn--a',
      'http://bücher-evil.de/gate.php',
    ],
  );
  const earlier = buildIocTables(indicators, { formatVersion: 3 });
  assert.equal(earlier.domain.rows.length, 2);
  assert.equal(earlier.url.rows.length, 2);
});

test('urlHostName returns a name host only', () => {
  assert.equal(urlHostName('https://cdn.evil.example:8443/a?b=c'), 'cdn.evil.example');
  assert.equal(urlHostName('http://user@evil.example/x'), 'evil.example');
  assert.equal(urlHostName('http://45.67.99.1/x'), undefined);
  assert.equal(urlHostName('https://[2a02:cf40:1::7]/x'), undefined);
  assert.equal(urlHostName('not a url'), undefined);
});

test('URL hosts join the domain table once', () => {
  const compromised = {
    ...urlIndicator('http://shop.legit.example/wp/x.php'),
    isCompromised: true,
  };
  const shared = { ...urlIndicator('https://files.shared.example/x.exe'), exactOnly: HOSTING };
  const indicators: Indicator[] = [
    domainIndicator('evil.example'),
    urlIndicator('http://a.evil.example/gate.php'),
    urlIndicator('http://payload.example:8080/a'),
    urlIndicator('https://payload.example/b'),
    urlIndicator('http://x.drop.example/c'),
    urlIndicator('http://drop.example/d'),
    urlIndicator('http://45.67.99.2/e'),
    urlIndicator('http://xn--bcher-evil-9db.de/f'),
    compromised,
    shared,
  ];
  const tables = buildIocTables(indicators);
  assert.deepEqual(
    tables.domain.rows.map((row) => row[0]),
    ['evil.example', 'payload.example', 'drop.example', 'xn--bcher-evil-9db.de', 'bücher-evil.de'],
  );
  // The row of a URL host carries the first URL's context.
  const payload = tables.domain.rows.find((row) => row[0] === 'payload.example')!;
  assert.deepEqual(payload.slice(1), [
    indicators[2]!.threatType ?? null,
    indicators[2]!.confidence ?? null,
    indicators[2]!.firstSeen ?? null,
  ]);

  const format4 = buildIocTables(indicators, { formatVersion: 4 });
  assert.deepEqual(
    format4.domain.rows.map((row) => row[0]),
    ['evil.example'],
  );
});

test('URL host rows give the domain hunts', () => {
  const hunts = buildHunts([urlIndicator('http://payload.example/a')], {
    family: 'Test',
    familySlug: 'test',
    lookback: { amount: 30, unit: 'd' },
  });
  const domainHunts = hunts.filter((hunt) => hunt.variant === 'domain');
  assert.ok(domainHunts.length > 0);
  for (const hunt of domainHunts) {
    assert.deepEqual(
      hunt.iocs.rows.map((row) => row[0]),
      ['payload.example'],
    );
  }
});
