import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue } from '../../src/errors.js';
import { mapThreatFoxType, parseIndicatorKind } from '../../src/indicators/normalize.js';
import { MAX_NAME_LENGTH } from '../../src/indicators/context.js';
import { accept, canonical, rawIndicator, reject, rejectionCode, TEST_SOURCE } from './helpers.js';
import { ListProvenance } from '../../src/indicators/provenance.js';

const SHA256 = 'D1A2B3C4E5F60718293A4B5C6D7E8F90112233445566778899AABBCCDDEEFF00';

test('mapThreatFoxType maps ThreatFox type names', () => {
  assert.equal(mapThreatFoxType('ip:port'), 'ip-port');
  assert.equal(mapThreatFoxType('sha256_hash'), 'sha256');
  assert.equal(mapThreatFoxType(' SHA1_HASH '), 'sha1');
  assert.equal(mapThreatFoxType('md5_hash'), 'md5');
  assert.equal(mapThreatFoxType('domain'), 'domain');
  assert.equal(mapThreatFoxType('url'), 'url');
  assert.equal(mapThreatFoxType('sha3_384_hash'), 'sha3_384_hash');
});

test('parseIndicatorKind accepts both naming schemes', () => {
  assert.equal(parseIndicatorKind('ip-port'), 'ip-port');
  assert.equal(parseIndicatorKind('IP:PORT'), 'ip-port');
  assert.equal(parseIndicatorKind('ip'), 'ip');
  assert.equal(parseIndicatorKind('email'), undefined);
});

test('unknown type is UNSUPPORTED_TYPE', () => {
  const issue = reject(rawIndicator('sha3_384_hash', 'abc'));
  assert.equal(issue.code, 'UNSUPPORTED_TYPE');
  assert.equal(issue.severity, 'error');
  assert.match(issue.message, /"sha3_384_hash"/);
  assert.match(issue.message, /Expected one of ip, ip-port/);
});

test('empty value is EMPTY_VALUE', () => {
  assert.equal(rejectionCode('domain', '   '), 'EMPTY_VALUE');
});

test('hashes are lower-cased hex of the declared length', () => {
  assert.equal(canonical('sha256', SHA256), SHA256.toLowerCase());
  assert.equal(
    canonical('md5', ' 0123456789ABCDEF0123456789abcdef '),
    '0123456789abcdef0123456789abcdef',
  );
  assert.equal(canonical('sha1', 'a'.repeat(40)), 'a'.repeat(40));
  const { indicator } = accept(rawIndicator('sha256', SHA256));
  assert.equal(indicator.kind === 'sha256' && indicator.hash, SHA256.toLowerCase());
});

test('hash length names the type it would fit', () => {
  const issue = reject(rawIndicator('md5', SHA256));
  assert.equal(issue.code, 'HASH_LENGTH_MISMATCH');
  assert.match(issue.message, /64 hex digits/);
  assert.match(issue.message, /sha256/);
  assert.match(issue.message, /Expected 32 hex digits for md5/);
  const odd = reject(rawIndicator('sha1', 'a'.repeat(39)));
  assert.equal(odd.code, 'HASH_LENGTH_MISMATCH');
  assert.match(odd.message, /fits no supported hash type/);
});

test('hash with a non-hex character is INVALID_HASH', () => {
  const issue = reject(rawIndicator('md5', `${'a'.repeat(31)}g`));
  assert.equal(issue.code, 'INVALID_HASH');
  assert.match(issue.message, /"g" at position 32/);
});

test('defanged url is refanged with a warning', () => {
  // ThreatFox recent export, id 1783459, gives this URL defanged.
  const raw = rawIndicator('url', 'hxxps://download-version.1-5-8.com/claude.msixbundle');
  const { indicator, warnings } = accept(raw);
  assert.equal(indicator.value, 'https://download-version.1-5-8.com/claude.msixbundle');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.code, 'DEFANGED_VALUE');
  assert.equal(warnings[0]?.severity, 'warning');
  assert.deepEqual(warnings[0]?.source, TEST_SOURCE);
  assert.match(warnings[0]?.message ?? '', /"hxxps:\/\/download-version/);
});

test('each defang form is refanged', () => {
  assert.equal(canonical('url', 'hXXp://evil[.]com/a'), 'http://evil.com/a');
  assert.equal(canonical('url', 'HXXPS[:]//evil(.)com'), 'https://evil.com/');
  assert.equal(canonical('domain', 'evil[.]co(.)uk'), 'evil.co.uk');
  assert.equal(canonical('ip-port', '45[.]92[.]1[.]175[:]5220'), '45.92.1.175:5220');
  assert.equal(canonical('ip', '[2001[:]db8[:][:]1]'), '2001:db8::1');
  assert.equal(canonical('ip-port', '[2001[:]db8[:][:]1]:443'), '[2001:db8::1]:443');
});

test('defang forms beyond the listed ones are not guessed', () => {
  assert.equal(rejectionCode('domain', 'evil[dot]com'), 'INVALID_DOMAIN');
  assert.equal(rejectionCode('domain', 'evil{.}com'), 'INVALID_DOMAIN');
  const oddScheme = accept(rawIndicator('url', 'hxxxp://evil.com/'));
  assert.equal(oddScheme.indicator.value, 'hxxxp://evil.com/');
  assert.equal(oddScheme.warnings.length, 0);
});

test('fractional confidence is rounded with a warning', () => {
  for (const [given, expected] of [
    [99.5, 100],
    [37.2, 37],
    [0.4, 0],
  ] as const) {
    const raw = rawIndicator('domain', 'evil.com', { context: { confidence: given } });
    const { indicator, warnings } = accept(raw);
    assert.equal(indicator.confidence, expected);
    assert.equal(warnings[0]?.code, 'CONFIDENCE_ROUNDED');
    assert.match(
      warnings[0]?.message ?? '',
      new RegExp(`Rounded the confidence ${given} to ${expected}\\.`),
    );
  }
  const whole = accept(rawIndicator('domain', 'evil.com', { context: { confidence: 75 } }));
  assert.equal(whole.indicator.confidence, 75);
  assert.equal(whole.warnings.length, 0);
});

test('confidence above 100 is clamped with a warning', () => {
  const raw = rawIndicator('domain', 'evil.com', { context: { confidence: 150 } });
  const { indicator, warnings } = accept(raw);
  assert.equal(indicator.confidence, 100);
  assert.equal(warnings[0]?.code, 'CONFIDENCE_OUT_OF_RANGE');
  assert.match(warnings[0]?.message ?? '', /Clamped the confidence 150 to 100/);
  const negative = accept(rawIndicator('domain', 'evil.com', { context: { confidence: -5 } }));
  assert.equal(negative.indicator.confidence, 0);
});

test('non-numeric confidence is dropped with a warning', () => {
  const context = { confidence: Number('high') };
  const { indicator, warnings } = accept(rawIndicator('domain', 'evil.com', { context }));
  assert.equal(indicator.confidence, undefined);
  assert.equal(warnings[0]?.code, 'INVALID_CONFIDENCE');
  const text = { confidence: 'high' as unknown as number };
  const fromText = accept(rawIndicator('domain', 'evil.com', { context: text }));
  assert.equal(fromText.indicator.confidence, undefined);
  assert.match(fromText.warnings[0]?.message ?? '', /"high"/);
});

test('invalid dates are dropped with a warning', () => {
  const context = { firstSeen: new Date('not a date'), lastSeen: new Date('2026-04-12T04:49:29Z') };
  const { indicator, warnings } = accept(rawIndicator('domain', 'evil.com', { context }));
  assert.equal(indicator.firstSeen, undefined);
  assert.equal(indicator.lastSeen?.toISOString(), '2026-04-12T04:49:29.000Z');
  assert.deepEqual(
    warnings.map((warning) => warning.code),
    ['INVALID_DATE'],
  );
});

test('family aliases exclude the printable name', () => {
  const family = {
    name: ' Quasar RAT ',
    malpedia: 'win.quasar_rat',
    aliases: ['CinaRAT', 'quasar rat', 'QuasarRAT', 'cinarat', ' ', 'Yggdrasil'],
  };
  const { indicator } = accept(rawIndicator('domain', 'evil.com', { context: { family } }));
  assert.deepEqual(indicator.family, {
    name: 'Quasar RAT',
    malpedia: 'win.quasar_rat',
    aliases: ['CinaRAT', 'QuasarRAT', 'Yggdrasil'],
  });
});

test('control characters in a family become spaces', () => {
  const family = {
    name: 'Inj\nEvents | take 0 //\u0000x\u0085y\u2028z',
    malpedia: 'win.inj\r',
    aliases: ['Al\tias'],
  };
  const { indicator, warnings } = accept(
    rawIndicator('domain', 'evil.com', { context: { family } }),
  );
  assert.deepEqual(indicator.family, {
    name: 'Inj Events | take 0 // x y z',
    malpedia: 'win.inj',
    aliases: ['Al ias'],
  });
  assert.deepEqual(
    warnings.map((warning) => warning.code),
    ['FAMILY_CONTROL_CHARACTERS'],
  );
  assert.match(warnings[0]!.message, /"Inj Events \| take 0 \/\/ x y z"/);
  assert.deepEqual(warnings[0]!.source, TEST_SOURCE);
});

test('format characters in a family are removed', () => {
  const family = { name: 'Rem\u200bcos\u202e', aliases: ['Rem\u2066cos'] };
  const { indicator, warnings } = accept(
    rawIndicator('domain', 'evil.com', { context: { family } }),
  );
  assert.deepEqual(indicator.family, { name: 'Remcos', aliases: [] });
  assert.deepEqual(
    warnings.map((warning) => warning.code),
    ['FAMILY_CONTROL_CHARACTERS'],
  );
  // The message shows the characters escaped, never raw.
  assert.match(warnings[0]!.message, /"Rem\\u200bcos\\u202e"/);
});

test('a family name of format characters alone falls back to its id', () => {
  const named = accept(
    rawIndicator('domain', 'evil.com', {
      context: { family: { name: '\u200b', malpedia: 'win.fam8', aliases: [] } },
    }),
  );
  assert.deepEqual(named.indicator.family, { name: 'win.fam8', malpedia: 'win.fam8', aliases: [] });
  assert.match(named.warnings[0]!.message, /giving "win\.fam8"/);

  const unnamed = accept(
    rawIndicator('domain', 'evil.com', { context: { family: { name: '\u202e', aliases: [] } } }),
  );
  assert.equal(unnamed.indicator.family, undefined);
  assert.deepEqual(
    unnamed.warnings.map((warning) => warning.code),
    ['FAMILY_CONTROL_CHARACTERS'],
  );
  assert.match(unnamed.warnings[0]!.message, /leaves no name, so the indicator has no family/);
});

test('family without control characters gives no warning', () => {
  const family = { name: ' Remcos ', aliases: [] };
  const { indicator, warnings } = accept(
    rawIndicator('domain', 'evil.com', { context: { family } }),
  );
  assert.equal(indicator.family?.name, 'Remcos');
  assert.deepEqual(warnings, []);
});

test('tags are trimmed, collapsed and de-duplicated ignoring case', () => {
  const tags = ['AS-CHOOPA', 'The Constant Company  LLC', ' as-choopa ', '', 'c2', 'C2', 'a\tb'];
  const { indicator } = accept(rawIndicator('domain', 'evil.com', { context: { tags } }));
  assert.deepEqual(indicator.tags, ['AS-CHOOPA', 'The Constant Company LLC', 'c2', 'a b']);
});

test('context lists are trimmed and origins default to the source', () => {
  const context = {
    references: ['https://tria.ge/x', ' https://tria.ge/x ', ''],
    reporters: ['abuse_ch'],
    provenance: new ListProvenance([], [' threatfox:1784524', 'threatfox:1784524']),
    threatType: ' botnet_cc ',
    isCompromised: false,
  };
  const { indicator } = accept(rawIndicator('domain', 'evil.com', { context }));
  assert.deepEqual(indicator.references, ['https://tria.ge/x']);
  assert.deepEqual(indicator.reporters, ['abuse_ch']);
  assert.deepEqual(indicator.provenance.sourceIds, ['threatfox:1784524']);
  assert.deepEqual(indicator.provenance.origins, [TEST_SOURCE]);
  assert.equal(indicator.threatType, 'botnet_cc');
  assert.equal(indicator.isCompromised, false);
});

test('threat type control characters are cleaned', () => {
  const cases: Array<[string, string | undefined]> = [
    ['botnet_cc\n"bad",line', 'botnet_cc "bad",line'],
    ['pay\u202eload', 'payload'],
    ['\u0000\u2028', undefined],
  ];
  for (const [threatType, expected] of cases) {
    const { indicator, warnings } = accept(
      rawIndicator('domain', 'evil.com', { context: { threatType } }),
    );
    assert.equal(indicator.threatType, expected, JSON.stringify(threatType));
    assert.deepEqual(
      warnings.map((warning) => warning.code),
      ['THREAT_TYPE_CONTROL_CHARACTERS'],
    );
  }
  const plain = accept(
    rawIndicator('domain', 'evil.com', { context: { threatType: 'botnet_cc' } }),
  );
  assert.deepEqual(plain.warnings, []);
});

test('unpaired surrogates are cleaned or rejected', () => {
  const family = { name: 'Sur\udfffx', malpedia: 'win.sur', aliases: ['\ud800Alias'] };
  const cleaned = accept(
    rawIndicator('domain', 'evil.com', { context: { family, threatType: 'bot\ud800' } }),
  );
  assert.deepEqual(cleaned.indicator.family, {
    name: 'Surx',
    malpedia: 'win.sur',
    aliases: ['Alias'],
  });
  assert.equal(cleaned.indicator.threatType, 'bot');
  assert.deepEqual(
    cleaned.warnings.map((warning) => warning.code),
    ['FAMILY_CONTROL_CHARACTERS', 'THREAT_TYPE_CONTROL_CHARACTERS'],
  );
  assert.match(cleaned.warnings[0]!.message, /"Sur\\udfffx"/);

  // The message names the alias that changed, not the clean printable name alone.
  const alias = accept(
    rawIndicator('domain', 'evil.com', {
      context: { family: { name: 'AliasFam', aliases: ['Al\ud800ias'] } },
    }),
  );
  assert.match(
    alias.warnings[0]!.message,
    /the family "AliasFam", alias "Al\\ud800ias" with spaces/,
  );

  // A pair that makes one emoji is kept.
  const emoji = accept(
    rawIndicator('domain', 'evil.com', {
      context: { family: { name: 'Fam\u{1F600}', aliases: [] } },
    }),
  );
  assert.equal(emoji.indicator.family?.name, 'Fam\u{1F600}');
  assert.deepEqual(emoji.warnings, []);

  for (const [type, value] of [
    ['url', 'http://evil.example/a\udc00'],
    ['domain', 'ev\ud800il.example'],
    ['md5', `${'a'.repeat(31)}\udc00`],
  ] as const) {
    const issue = reject(rawIndicator(type, value));
    assert.equal(issue.code, 'UNPAIRED_SURROGATE', value);
    assert.match(issue.message, /unpaired UTF-16 surrogate/);
    assert.ok(issue.message.includes(JSON.stringify(value)), issue.message);
  }
});

test('long family names and threat types are shortened', () => {
  const long = 'L'.repeat(3000);
  const { indicator, warnings } = accept(
    rawIndicator('domain', 'evil.com', {
      context: { family: { name: long, aliases: ['A'.repeat(201)] }, threatType: 't'.repeat(9000) },
    }),
  );
  assert.equal(indicator.family?.name, 'L'.repeat(MAX_NAME_LENGTH));
  assert.deepEqual(indicator.family?.aliases, ['A'.repeat(MAX_NAME_LENGTH)]);
  assert.equal(indicator.threatType, 't'.repeat(MAX_NAME_LENGTH));
  assert.deepEqual(
    warnings.map((warning) => warning.code),
    ['FAMILY_NAME_TOO_LONG', 'THREAT_TYPE_TOO_LONG'],
  );
  assert.match(warnings[1]!.message, /\(9000 characters\) to its first 200 characters/);

  // Shortening never splits a character made of a surrogate pair.
  const wide = accept(
    rawIndicator('domain', 'evil.com', { context: { threatType: '\u{1F600}'.repeat(300) } }),
  );
  assert.equal(wide.indicator.threatType, '\u{1F600}'.repeat(MAX_NAME_LENGTH));

  const exact = accept(
    rawIndicator('domain', 'evil.com', { context: { threatType: 'x'.repeat(MAX_NAME_LENGTH) } }),
  );
  assert.deepEqual(exact.warnings, []);
});

test('issue names the source and quotes the value', () => {
  const issue = reject(rawIndicator('ip-port', ' 1.2.3.4:70000 '));
  assert.deepEqual(issue.source, TEST_SOURCE);
  assert.equal(
    formatIssue(issue),
    'feed.csv:7 (id 1784524): error INVALID_PORT: Invalid ip:port value " 1.2.3.4:70000 ". The port "70000" is invalid. Expected an integer from 1 to 65535.',
  );
});

test('long values are truncated in messages', () => {
  const issue = reject(rawIndicator('md5', 'z'.repeat(500)));
  assert.ok(issue.message.length < 300, issue.message);
  assert.match(issue.message, /…/);
});

test('domain invisible characters are removed with warning', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['ev\u200Bil-z6.com', 'evil-z6.com', /U\+200B \(ZERO WIDTH SPACE\)/],
    ['payload\u00ADhost.net', 'payloadhost.net', /U\+00AD \(SOFT HYPHEN\)/],
    ['ev\u2060il.com', 'evil.com', /U\+2060 \(WORD JOINER\)/],
    ['ev\uFEFFil.com', 'evil.com', /U\+FEFF \(ZERO WIDTH NO-BREAK SPACE\)/],
    ['\u043F\u0440\u0438\u043C\u0435\u0440\u00AD.\u0440\u0444', 'xn--e1afmkfd.xn--p1ai', /U\+00AD/],
  ];
  for (const [value, expected, character] of cases) {
    const { indicator, warnings } = accept(rawIndicator('domain', value));
    assert.equal(indicator.value, expected, value);
    assert.equal(warnings.length, 1, value);
    assert.equal(warnings[0]?.code, 'INVISIBLE_CHARACTER_REMOVED', value);
    assert.equal(warnings[0]?.severity, 'warning', value);
    assert.deepEqual(warnings[0]?.source, TEST_SOURCE, value);
    assert.match(warnings[0]?.message ?? '', character, value);
  }
  const { warnings } = accept(rawIndicator('domain', 'ev\u200Bil-z6.com'));
  assert.match(
    warnings[0]?.message ?? '',
    /^Read the domain "ev\\u200bil-z6\.com" as "evil-z6\.com", because IDNA mapping removes /,
  );
});

test('URL host invisible characters are removed with warning', () => {
  const { indicator, warnings } = accept(rawIndicator('url', 'http://ev\u00ADil-z7.com/x'));
  assert.equal(indicator.value, 'http://evil-z7.com/x');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.code, 'INVISIBLE_CHARACTER_REMOVED');
  assert.match(
    warnings[0]?.message ?? '',
    /^Read the URL "http:\/\/ev\\xadil-z7\.com\/x" as "http:\/\/evil-z7\.com\/x", because /,
  );
});

test('plain and Unicode domains give no invisible warning', () => {
  for (const value of [
    'evil.com',
    'EVIL.com.',
    '\u043F\u0440\u0438\u043C\u0435\u0440.\u0440\u0444',
  ]) {
    assert.deepEqual(accept(rawIndicator('domain', value)).warnings, [], value);
  }
});

test('domain with a direction control is rejected', () => {
  for (const char of ['\u202E', '\u200E', '\u200C', '\u2066']) {
    const issue = reject(rawIndicator('domain', `ev${char}il.com`));
    assert.equal(issue.code, 'INVALID_DOMAIN');
    assert.match(issue.message, /which IDNA does not allow in a domain name/);
  }
});
