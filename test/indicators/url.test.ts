import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UrlIndicator } from '../../src/indicators/model.js';
import { urlKey } from '../../src/indicators/normalize.js';
import { isRejection } from '../../src/indicators/rejection.js';
import { parseUrl } from '../../src/indicators/url.js';
import { accept, canonical, rawIndicator, reject, rejectionCode, TEST_SOURCE } from './helpers.js';

function normalizeUrl(value: string): UrlIndicator {
  const { indicator } = accept(rawIndicator('url', value));
  if (indicator.kind !== 'url') assert.fail(`expected a url indicator, got ${indicator.kind}`);
  return indicator;
}

test('url lower-cases scheme and host and keeps the path', () => {
  const url = normalizeUrl('HTTPS://rNHNpr.ZTT4ahr.work/Path/File.EXE?Q=A');
  assert.equal(url.url, 'https://rnhnpr.ztt4ahr.work/Path/File.EXE?Q=A');
  assert.equal(url.value, url.url);
  assert.equal(url.scheme, 'https');
  assert.equal(url.host, 'rnhnpr.ztt4ahr.work');
  assert.equal(url.hostKind, 'domain');
  assert.equal(url.port, undefined);
  assert.equal(url.pathAndQuery, '/Path/File.EXE?Q=A');
});

test('url keeps percent-encoding as given', () => {
  // GlassWorm payload URL from a ThreatFox recent export (id 1784199).
  const value = 'http://45.32.150.251/darwin-universal/eS7NGXnATAMvSxCvb5IR1w%3D%3D?wallet=trezor';
  const url = normalizeUrl(value);
  assert.equal(url.url, value);
  assert.equal(url.hostKind, 'ipv4');
  assert.equal(url.pathAndQuery, '/darwin-universal/eS7NGXnATAMvSxCvb5IR1w%3D%3D?wallet=trezor');
  assert.equal(canonical('url', 'http://x.example/a/../b/./c'), 'http://x.example/a/../b/./c');
});

test('url drops default ports and keeps others', () => {
  assert.equal(canonical('url', 'http://evil.com:80/x'), 'http://evil.com/x');
  assert.equal(canonical('url', 'https://evil.com:443/x'), 'https://evil.com/x');
  const https80 = normalizeUrl('https://evil.com:80/x');
  assert.equal(https80.url, 'https://evil.com:80/x');
  assert.equal(https80.port, 80);
  const custom = normalizeUrl('http://towerbingobongoboom.com:8080/updater?for=DFAB');
  assert.equal(custom.port, 8080);
  assert.equal(custom.url, 'http://towerbingobongoboom.com:8080/updater?for=DFAB');
  assert.equal(canonical('url', 'http://evil.com:/x'), 'http://evil.com/x');
});

test('url writes an empty path as a slash and drops the fragment', () => {
  assert.equal(canonical('url', 'https://shilohbn.ru.com'), 'https://shilohbn.ru.com/');
  assert.equal(canonical('url', 'https://185.10.17.38/#/login'), 'https://185.10.17.38/');
  assert.equal(canonical('url', 'http://evil.com?a=1#x'), 'http://evil.com/?a=1');
  assert.equal(canonical('url', 'http://evil.com#frag'), 'http://evil.com/');
});

test('url brackets an IPv6 host in url but not in host', () => {
  const url = normalizeUrl('http://[2001:DB8::0:1]:8080/x');
  assert.equal(url.url, 'http://[2001:db8::1]:8080/x');
  assert.equal(url.host, '2001:db8::1');
  assert.equal(url.hostKind, 'ipv6');
  const mapped = normalizeUrl('http://[::ffff:1.2.3.4]/x');
  assert.equal(mapped.url, 'http://1.2.3.4/x');
  assert.equal(mapped.hostKind, 'ipv4');
  assert.equal(rejectionCode('url', 'http://2001:db8::1/x'), 'INVALID_URL');
});

test('url converts an internationalized host to punycode', () => {
  const url = normalizeUrl('http://メンズ脱毛.jpn.com/a');
  assert.equal(url.host, 'xn--0ck0d7bw166ajkwa.jpn.com');
  assert.equal(url.url, 'http://xn--0ck0d7bw166ajkwa.jpn.com/a');
});

test('url accepts other schemes that have a host', () => {
  assert.equal(
    canonical('url', 'tcp://31.56.27.97/scripts/4thepool_miner.sh'),
    'tcp://31.56.27.97/scripts/4thepool_miner.sh',
  );
  assert.equal(canonical('url', 'WS://evil.com:80/s'), 'ws://evil.com/s');
  assert.equal(canonical('url', 'ws://evil.com:8080/s'), 'ws://evil.com:8080/s');
  const ftp = normalizeUrl('ftp://anonymous:anonymous@81.181.129.231/all.sh');
  assert.equal(ftp.url, 'ftp://anonymous:anonymous@81.181.129.231/all.sh');
  assert.equal(ftp.host, '81.181.129.231');
});

test('url rejects values without scheme or host', () => {
  for (const value of [
    'evil.com/path',
    'mailto:a@evil.com',
    'http:/evil.com',
    'file:///etc/passwd',
  ]) {
    assert.equal(rejectionCode('url', value), 'INVALID_URL', value);
  }
  const nested = reject(rawIndicator('url', 'http://ftp://evil.com/a'));
  assert.equal(nested.code, 'INVALID_URL');
  assert.match(nested.message, /two different schemes \("http:\/\/ftp:\/\/"\)/);
  assert.equal(rejectionCode('url', 'https://moufflcmgz/api'), 'SINGLE_LABEL_DOMAIN');
  assert.equal(rejectionCode('url', 'https://https://moufflcmgz/api'), 'SINGLE_LABEL_DOMAIN');
});

test('url reads a repeated scheme as the inner URL', () => {
  // Telegram dead drops written this way in a ThreatFox URL dump.
  const { indicator, warnings } = accept(rawIndicator('url', 'https://https://t.me/stfmms/api'));
  assert.equal(indicator.value, 'https://t.me/stfmms/api');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.code, 'URL_SCHEME_REPEATED');
  assert.equal(warnings[0]?.severity, 'warning');
  assert.equal(warnings[0]?.source, TEST_SOURCE);
  assert.match(
    warnings[0]?.message ?? '',
    /^Read the URL "https:\/\/https:\/\/t\.me\/stfmms\/api" as "https:\/\/t\.me\/stfmms\/api"/,
  );
  assert.equal(canonical('url', 'http://https://evil.com/a'), 'https://evil.com/a');
  assert.equal(canonical('url', 'HTTPS://http://Evil.com:80/a'), 'http://evil.com/a');
  assert.equal(canonical('url', 'tcp://tcp://evil.com:81/a'), 'tcp://evil.com:81/a');
});

test('url reads hex and octal IPv4 hosts as browsers do', () => {
  const cases: Array<[string, string]> = [
    ['http://94.0x4A.164.136/fifx.odd', 'http://94.74.164.136/fifx.odd'],
    ['http://185.0x8A.88.248/t1.tar', 'http://185.138.88.248/t1.tar'],
    ['https://0x7F.0.0.0x1:8443/a', 'https://127.0.0.1:8443/a'],
    ['http://010.1.1.1/', 'http://8.1.1.1/'],
    ['http://1.2.3.0x10/', 'http://1.2.3.16/'],
    ['ftp://0.0x.00.1/x', 'ftp://0.0.0.1/x'],
  ];
  for (const [value, expected] of cases) {
    const { indicator, warnings } = accept(rawIndicator('url', value));
    assert.equal(indicator.value, expected, value);
    assert.equal(indicator.kind === 'url' && indicator.hostKind, 'ipv4', value);
    assert.deepEqual(
      warnings.map((warning) => warning.code),
      ['URL_HOST_IPV4_FORM'],
      value,
    );
  }
  const hex = accept(rawIndicator('url', 'https://https://94.0x4A.164.136/a'));
  assert.equal(hex.indicator.value, 'https://94.74.164.136/a');
  assert.deepEqual(
    hex.warnings.map((warning) => warning.code),
    ['URL_SCHEME_REPEATED', 'URL_HOST_IPV4_FORM'],
  );
  assert.match(
    hex.warnings[1]?.message ?? '',
    /read its host "94\.0x4A\.164\.136".* as 94\.74\.164\.136/,
  );
});

test('url reads an IPv4 host with a trailing dot', () => {
  const plain = accept(rawIndicator('url', 'http://1.2.3.4.:8080/x'));
  assert.equal(plain.indicator.value, 'http://1.2.3.4:8080/x');
  assert.deepEqual(
    plain.warnings.map((warning) => warning.code),
    ['URL_HOST_TRAILING_DOT'],
  );
  assert.match(
    plain.warnings[0]?.message ?? '',
    /ignore the trailing dot of its address host "1\.2\.3\.4\."/,
  );

  const hex = accept(rawIndicator('url', 'http://0x7f.0.0.1./x'));
  assert.equal(hex.indicator.value, 'http://127.0.0.1/x');
  assert.deepEqual(
    hex.warnings.map((warning) => warning.code),
    ['URL_HOST_IPV4_FORM'],
  );
  assert.match(
    hex.warnings[0]?.message ?? '',
    /hex or octal parts.*, and browsers .* trailing dot/,
  );

  for (const value of ['http://1.2.3.4../x', 'tcp://1.2.3.4./x', 'http://1.2.3.256./x']) {
    reject(rawIndicator('url', value));
  }
});

test('url rejects IPv4 hosts browsers do not read', () => {
  for (const value of [
    'http://1.2.3.256/',
    'http://1.2.3.0x100/',
    'http://09.1.1.1/',
    'http://127.1/',
    'http://1.2.3.4.5/',
    'tcp://0x7f.0.0.1:80/',
  ]) {
    assert.ok(['INVALID_IP', 'AMBIGUOUS_IPV4'].includes(rejectionCode('url', value)), value);
  }
  assert.equal(rejectionCode('url', 'tcp://010.1.1.1:80/'), 'AMBIGUOUS_IPV4');
});

test('url rejects whitespace and bad hosts', () => {
  const space = reject(rawIndicator('url', 'http://evil .com/a'));
  assert.equal(space.code, 'INVALID_URL');
  assert.match(space.message, /position 12/);
  const tab = reject(rawIndicator('url', 'http://evil.com/a\tb'));
  assert.equal(tab.code, 'INVALID_URL');
  assert.match(tab.message, /position 18/);
  assert.equal(rejectionCode('url', 'http://user name@evil.com/a'), 'INVALID_URL');
  assert.equal(rejectionCode('url', 'http://evil.com:99999/'), 'INVALID_PORT');
  assert.equal(rejectionCode('url', 'http://[fe80::1%25eth0]/'), 'IPV6_ZONE_ID');
  const backslash = reject(rawIndicator('url', 'http://evil.com\\@good.com/x'));
  assert.equal(backslash.code, 'INVALID_URL');
  assert.match(backslash.message, /backslash/);
  assert.equal(canonical('url', 'http://evil.com/a\\b'), 'http://evil.com/a\\b');
});

test('url encodes a space in path and query', () => {
  const cases: Array<[string, string]> = [
    ['http://evil.test/x y.exe', 'http://evil.test/x%20y.exe'],
    ['http://evil.test/a b/c?q=d e&f= g', 'http://evil.test/a%20b/c?q=d%20e&f=%20g'],
    ['http://evil.test/?q=a b#frag', 'http://evil.test/?q=a%20b'],
    ['https://https://evil.test/x y', 'https://evil.test/x%20y'],
  ];
  for (const [value, expected] of cases) {
    const { indicator, warnings } = accept(rawIndicator('url', value));
    assert.equal(indicator.value, expected, value);
    const codes = warnings.map((warning) => warning.code);
    assert.ok(codes.includes('URL_SPACE_ENCODED'), `${value}: ${codes.join(', ')}`);
    const warning = warnings.find((candidate) => candidate.code === 'URL_SPACE_ENCODED');
    assert.deepEqual(warning?.source, TEST_SOURCE, value);
    assert.ok(warning?.message.includes(JSON.stringify(value)), warning?.message);
    assert.ok(warning?.message.includes(JSON.stringify(expected)), warning?.message);
    const position = value.indexOf(' ', value.indexOf('://') + 3) + 1;
    assert.ok(warning?.message.includes(`the first at position ${position})`), warning?.message);
  }
});

test('url rejects two values in one field', () => {
  const cases: Array<[value: string, second: string]> = [
    ['http://evil-upd4te.xyz/a.exe http://other-bad.xyz/b.exe', 'http://other-bad.xyz/b.exe'],
    ['http://x.xyz/gate.php (C2)', '(C2)'],
    ['http://x.xyz/gate.php [payload]', '[payload]'],
    ['http://x.xyz/gate.php other-bad.xyz', 'other-bad.xyz'],
    ['http://x.xyz/gate.php  other-bad.xyz/b.exe', 'other-bad.xyz/b.exe'],
    ['http://x.xyz/gate.php 45.92.1.175:5220', '45.92.1.175:5220'],
    // Refanging reads hxxp as http before the URL is parsed.
    ['http://x.xyz/a b hxxp://y.xyz/c', 'http://y.xyz/c'],
    ['http://x.xyz/?q=a evil.com', 'evil.com'],
  ];
  for (const [value, second] of cases) {
    const rejection = reject(rawIndicator('url', value));
    assert.equal(rejection.code, 'INVALID_URL', value);
    assert.match(rejection.message, /more than one value/, value);
    assert.ok(rejection.message.includes(JSON.stringify(second)), rejection.message);
  }
});

test('url keeps spaces in file names', () => {
  const cases: Array<[string, string]> = [
    ['http://evil.test/x y.exe', 'http://evil.test/x%20y.exe'],
    ['http://evil.test/invoice copy.zip', 'http://evil.test/invoice%20copy.zip'],
    ['http://evil.test/dl/My Setup.py', 'http://evil.test/dl/My%20Setup.py'],
    ['http://evil.test/?q=a b', 'http://evil.test/?q=a%20b'],
  ];
  for (const [value, expected] of cases) {
    assert.equal(canonical('url', value), expected, value);
  }
});

test('url drops spaces at either end', () => {
  const cases: Array<[string, string]> = [
    ['http://evil.test/payload.exe ', 'http://evil.test/payload.exe'],
    ['  http://evil.test/x y.exe  ', 'http://evil.test/x%20y.exe'],
  ];
  for (const [value, expected] of cases) {
    const parsed = parseUrl(value);
    assert.ok(!isRejection(parsed), value);
    assert.equal(parsed.url, expected, value);
  }
});

test('url fragment space adds no warning', () => {
  const { indicator, warnings } = accept(rawIndicator('url', 'http://evil.test/x#a b'));
  assert.equal(indicator.value, 'http://evil.test/x');
  assert.deepEqual(warnings, []);
});

test('urlKey follows the documented rule', () => {
  const cases: Array<[string, string | undefined]> = [
    ['http://Evil.COM/Path?Q=1', 'evil.com/Path?Q=1'],
    ['https://evil.com', 'evil.com/'],
    ['evil.com', 'evil.com/'],
    ['evil.com/a', 'evil.com/a'],
    ['http://HOST:80/x', 'host/x'],
    ['https://host:443/x', 'host/x'],
    ['http://host:443/x', 'host/x'],
    ['host:8080/x', 'host:8080/x'],
    ['host:8443', 'host:8443/'],
    ['http://host?q=1', 'host/?q=1'],
    ['  http://host/x#frag  ', 'host/x'],
    ['ftp://user:pw@Host/a', 'host/a'],
    ['http://host/a%2Fb', 'host/a%2Fb'],
    ['tcp://[2001:db8::1]:443/x', '[2001:db8::1]/x'],
    ['http:///x', undefined],
    ['', undefined],
    ['#only', undefined],
    ['//host/x', undefined],
    ['http://Evil.com./x', 'evil.com/x'],
    ['evil.com.:8080/x', 'evil.com:8080/x'],
    ['https://evil.com.:443', 'evil.com/'],
    ['http://1.2.3.4./x', '1.2.3.4/x'],
    ['http://evil.com../x', 'evil.com./x'],
    ['http://[2001:db8::1]:8080/x', '[2001:db8::1]:8080/x'],
    ['http://./x', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(urlKey(input), expected, input);
});

test('urlKey of a normalized url equals the key of its event forms', () => {
  const url = normalizeUrl('https://evil.com/dl/a.exe?x=1#top');
  const key = urlKey(url.url);
  assert.equal(key, 'evil.com/dl/a.exe?x=1');
  for (const event of [
    'evil.com/dl/a.exe?x=1',
    'http://EVIL.com:80/dl/a.exe?x=1',
    'https://evil.com:443/dl/a.exe?x=1',
  ]) {
    assert.equal(urlKey(event), key, event);
  }
  assert.notEqual(urlKey('evil.com/DL/a.exe?x=1'), key);
});

test('url rejects a port after @ with the fix', () => {
  // Talos wrote the WebDAV path \\104.41.51.80@80\Documentos\... as this URL.
  const webDav = reject(rawIndicator('url', 'https://104.41.51.80@80/Documentos/files/a3.cmd'));
  assert.equal(webDav.code, 'INVALID_URL');
  assert.match(webDav.message, /host "80" is only digits after the user info "104\.41\.51\.80"/);
  assert.match(
    webDav.message,
    /write "https:\/\/104\.41\.51\.80:80\/Documentos\/files\/a3\.cmd"\./,
  );
  assert.equal(
    canonical('url', 'https://104.41.51.80:80/Documentos/files/a3.cmd'),
    'https://104.41.51.80:80/Documentos/files/a3.cmd',
  );
  // A password in the user info is no WebDAV form, so the host is read as an address.
  assert.equal(rejectionCode('url', 'ftp://user:pw@1234/x'), 'INVALID_IP');
});
