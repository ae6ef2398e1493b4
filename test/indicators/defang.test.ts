import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defang, refangValue } from '../../src/indicators/defang.js';
import type { Indicator, IndicatorKind } from '../../src/indicators/model.js';
import { normalizeIndicator } from '../../src/indicators/normalize.js';
import { accept, rawIndicator } from './helpers.js';

function indicatorOf(type: string, value: string): Indicator {
  return accept(rawIndicator(type, value)).indicator;
}

function defangValue(type: string, value: string): string {
  return defang(indicatorOf(type, value));
}

test('defang writes IPv4 dots as [.] and keeps the port colon', () => {
  assert.equal(defangValue('ip-port', '45.92.1.175:5220'), '45[.]92[.]1[.]175:5220');
  assert.equal(defangValue('ip', '45.92.1.175'), '45[.]92[.]1[.]175');
});

test('defang brackets IPv6 and writes its colons as [:]', () => {
  assert.equal(defangValue('ip', '2001:db8::1'), '[2001[:]db8[:][:]1]');
  assert.equal(defangValue('ip-port', '[2001:db8::1]:443'), '[2001[:]db8[:][:]1]:443');
  assert.equal(
    defangValue('url', 'http://[2001:db8::1]:8080/a.b'),
    'hxxp://[2001[:]db8[:][:]1]:8080/a.b',
  );
});

test('defang writes domain dots as [.]', () => {
  assert.equal(defangValue('domain', 'evil.com'), 'evil[.]com');
  assert.equal(defangValue('domain', 'c2_node.evil.co.uk'), 'c2_node[.]evil[.]co[.]uk');
});

test('defang url changes the scheme and host only', () => {
  assert.equal(defangValue('url', 'https://evil.com/path'), 'hxxps://evil[.]com/path');
  assert.equal(
    defangValue('url', 'http://evil.com:8080/a.php?v=1.2'),
    'hxxp://evil[.]com:8080/a.php?v=1.2',
  );
  assert.equal(
    defangValue('url', 'ftp://anonymous:anonymous@81.181.129.231/all.sh'),
    'ftp://anonymous:anonymous@81[.]181[.]129[.]231/all.sh',
  );
  assert.equal(defangValue('url', 'tcp://31.56.27.97/x.sh'), 'tcp://31[.]56[.]27[.]97/x.sh');
});

test('defang url defangs embedded links keeping case', () => {
  assert.equal(
    defangValue('url', 'https://evil.com/r?u=http://x.com/&v=HTTPS://y.com'),
    'hxxps://evil[.]com/r?u=hxxp://x[.]com/&v=HXXPS://y[.]com',
  );
  assert.equal(
    defangValue('url', 'https://a.appspot.com/?c=1.2&o=https://maccablog.com/how-to.html'),
    'hxxps://a[.]appspot[.]com/?c=1.2&o=hxxps://maccablog[.]com/how-to.html',
  );
  assert.equal(
    defangValue('url', 'http://evil.com/go?to=ftp://user@10.0.0.1:21/x.sh'),
    'hxxp://evil[.]com/go?to=ftp://user@10[.]0[.]0[.]1:21/x.sh',
  );
});

test('defang leaves hashes unchanged', () => {
  const md5 = '0123456789abcdef0123456789abcdef';
  assert.equal(defangValue('md5', md5), md5);
});

test('refangValue reverses each listed form', () => {
  assert.equal(refangValue('hxxps://evil[.]com/a'), 'https://evil.com/a');
  assert.equal(refangValue('hXXp://evil(.)com'), 'hTTp://evil.com');
  assert.equal(refangValue('hxxp[:]//evil[.]com'), 'http://evil.com');
  assert.equal(refangValue('[2001[:]db8[:][:]1]:443'), '[2001:db8::1]:443');
  assert.equal(refangValue('[[:][:]]'), '[::]');
  assert.equal(refangValue('https://a.com/?u=HXXPS://b.com'), 'https://a.com/?u=HTTPS://b.com');
});

test('refangValue leaves other forms alone', () => {
  for (const text of [
    'evil[dot]com',
    'evil{.}com',
    'hxxp:evil',
    'fxp://evil.com',
    '[::1]:80',
    'abc',
  ]) {
    assert.equal(refangValue(text), text);
  }
});

test('refangValue also refangs a literal [.] in a path', () => {
  // The documented limit: refanging cannot tell a literal "[.]" from a defanged dot.
  const original = indicatorOf('url', 'http://evil.com/a[.]b');
  const roundTrip = refangValue(defang(original));
  assert.equal(roundTrip, 'http://evil.com/a.b');
});

const ipv4 = fc
  .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
  .map((octets) => octets.join('.'));
const port = fc.integer({ min: 0, max: 65535 });
const hex = (length: number) =>
  fc.string({
    unit: fc.constantFrom(...'0123456789abcdefABCDEF'),
    minLength: length,
    maxLength: length,
  });

/** Raw values of every kind. The properties skip the few that normalization rejects. */
const rawValue: fc.Arbitrary<[IndicatorKind, string]> = fc.oneof(
  ipv4.map((value): [IndicatorKind, string] => ['ip', value]),
  fc.ipV6().map((value): [IndicatorKind, string] => ['ip', value]),
  fc.tuple(ipv4, port).map(([a, p]): [IndicatorKind, string] => ['ip-port', `${a}:${p}`]),
  fc.tuple(fc.ipV6(), port).map(([a, p]): [IndicatorKind, string] => ['ip-port', `[${a}]:${p}`]),
  fc.domain().map((value): [IndicatorKind, string] => ['domain', value]),
  fc
    .webUrl({
      validSchemes: ['http', 'https', 'ftp', 'ws'],
      authoritySettings: { withIPv4: true, withIPv6: true, withPort: true, withUserInfo: true },
      withQueryParameters: true,
      withFragments: true,
    })
    .map((value): [IndicatorKind, string] => ['url', value]),
  fc
    .tuple(fc.constantFrom('http', 'https'), fc.ipV6(), fc.webPath())
    .map(([scheme, a, path]): [IndicatorKind, string] => ['url', `${scheme}://[${a}]${path}`]),
  hex(32).map((value): [IndicatorKind, string] => ['md5', value]),
  hex(40).map((value): [IndicatorKind, string] => ['sha1', value]),
  hex(64).map((value): [IndicatorKind, string] => ['sha256', value]),
);

/** Forms that refanging reads as defanged, which a live path may contain by chance. */
const REFANG_FORMS = /\[\.\]|\(\.\)|\[:\]|hxxps?:\/\//i;

const validIndicator = rawValue
  .map(([type, value]) => normalizeIndicator(rawIndicator(type, value)))
  .filter((result): result is { indicator: Indicator; warnings: [] } => 'indicator' in result)
  .map((result) => result.indicator)
  .filter((indicator) => !REFANG_FORMS.test(indicator.value));

test('refangValue of defang normalizes back to the value', () => {
  fc.assert(
    fc.property(validIndicator, (indicator) => {
      const refanged = refangValue(defang(indicator));
      const result = normalizeIndicator(rawIndicator(indicator.kind, refanged));
      assert.ok('indicator' in result, `${refanged} was rejected`);
      assert.equal(result.indicator.value, indicator.value);
    }),
    { numRuns: 2000 },
  );
});

test('defanged text has no live link and no bare host dot', () => {
  fc.assert(
    fc.property(validIndicator, (indicator) => {
      const text = defang(indicator);
      assert.doesNotMatch(text, /https?:\/\//i);
      assert.equal(hostPart(indicator, text).replaceAll('[.]', '').includes('.'), false, text);
    }),
    { numRuns: 2000 },
  );
});

/** Returns the part of defanged text that names the host: all of it, or a URL's host. */
function hostPart(indicator: Indicator, text: string): string {
  if (indicator.kind !== 'url')
    return indicator.kind.startsWith('sha') || indicator.kind === 'md5' ? '' : text;
  const afterScheme = text.slice(text.indexOf('://') + 3);
  const authority = afterScheme.slice(0, afterScheme.indexOf('/'));
  return authority.slice(authority.lastIndexOf('@') + 1);
}
