import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDomain } from '../../src/indicators/domain.js';
import { isRejection } from '../../src/indicators/rejection.js';
import { canonical, rawIndicator, reject, rejectionCode } from './helpers.js';

test('domain lower-cases and drops the trailing dot', () => {
  assert.equal(
    canonical('domain', 'Call4-Back.VEQ4tralis.in.net.'),
    'call4-back.veq4tralis.in.net',
  );
  assert.equal(canonical('domain', ' evil.com\n'), 'evil.com');
});

test('domain keeps valid punycode labels', () => {
  // Quasar RAT C2 names from a ThreatFox recent export (ids 1784141 and 1783692).
  assert.equal(canonical('domain', 'xn--0ck0d7bw166ajkwa.jpn.com'), 'xn--0ck0d7bw166ajkwa.jpn.com');
  assert.equal(canonical('domain', 'XN--8DRR43DBQH.jpn.com'), 'xn--8drr43dbqh.jpn.com');
});

test('domain writes Unicode names as punycode', () => {
  assert.equal(canonical('domain', 'メンズ脱毛.jpn.com'), 'xn--0ck0d7bw166ajkwa.jpn.com');
  assert.equal(canonical('domain', 'Bücher.DE'), 'xn--bcher-kva.de');
});

test('domain rejects invalid punycode', () => {
  const issue = reject(rawIndicator('domain', 'xn--zz.com'));
  assert.equal(issue.code, 'INVALID_DOMAIN');
  assert.match(issue.message, /punycode/);
});

test('domain accepts underscores without an issue', () => {
  assert.equal(canonical('domain', 'c2_node.evil-host.com'), 'c2_node.evil-host.com');
  assert.equal(canonical('domain', '_dmarc.example.org'), '_dmarc.example.org');
});

test('domain checks label and name lengths', () => {
  const label63 = 'a'.repeat(63);
  assert.equal(canonical('domain', `${label63}.com`), `${label63}.com`);
  assert.equal(rejectionCode('domain', `${'a'.repeat(64)}.com`), 'INVALID_DOMAIN');
  const name253 = `${'a'.repeat(62)}.${'b'.repeat(62)}.${'c'.repeat(62)}.${'d'.repeat(60)}.com`;
  assert.equal(name253.length, 253);
  assert.equal(canonical('domain', name253), name253);
  assert.equal(rejectionCode('domain', `a${name253}`), 'INVALID_DOMAIN');
});

test('domain rejects bad hyphens, empty labels and symbols', () => {
  for (const value of ['-evil.com', 'evil-.com', 'a..com', '.evil.com', 'ev!l.com', '*.evil.com']) {
    assert.equal(rejectionCode('domain', value), 'INVALID_DOMAIN', value);
  }
  assert.equal(canonical('domain', 'download-version.1-5-8.com'), 'download-version.1-5-8.com');
});

test('domain rejects a single label', () => {
  const issue = reject(rawIndicator('domain', 'localhost'));
  assert.equal(issue.code, 'SINGLE_LABEL_DOMAIN');
  assert.match(issue.message, /"localhost"/);
  assert.equal(rejectionCode('domain', 'intranet.'), 'SINGLE_LABEL_DOMAIN');
});

test('domain that is an IP address suggests ip', () => {
  const issue = reject(rawIndicator('domain', '45.92.1.175'));
  assert.equal(issue.code, 'DOMAIN_IS_IP');
  assert.match(issue.message, /Declare it as ip/);
  assert.equal(rejectionCode('domain', '2001:db8::1'), 'DOMAIN_IS_IP');
  assert.equal(rejectionCode('domain', '1.2.3'), 'INVALID_DOMAIN');
});

test('domain with a port or scheme is rejected', () => {
  const withPort = reject(rawIndicator('domain', 'evil.com:443'));
  assert.equal(withPort.code, 'INVALID_DOMAIN');
  assert.match(withPort.message, /ip:port|url/);
  assert.equal(rejectionCode('domain', 'http://evil.com/'), 'INVALID_DOMAIN');
  assert.equal(rejectionCode('domain', 'evil.com/path'), 'INVALID_DOMAIN');
});

test('normalizeDomain quotes the value in each rejection', () => {
  const result = normalizeDomain('ev il.com');
  assert.ok(isRejection(result));
  assert.match(result.reason, /"ev il\.com"/);
});
