import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractPatternIndicators } from '../../../src/feeds/stix/pattern-indicators.js';
import { parsePattern } from '../../../src/feeds/stix/pattern-parser.js';

function extract(pattern: string): ReturnType<typeof extractPatternIndicators> {
  return extractPatternIndicators(parsePattern(pattern));
}

function values(pattern: string): string[] {
  const result = extract(pattern);
  assert.ok(result.usable, result.usable ? '' : result.reason);
  return result.indicators.map((found) =>
    [found.type, found.value, found.port, found.side]
      .filter((part) => part !== undefined)
      .join(' '),
  );
}

function reason(pattern: string): string {
  const result = extract(pattern);
  assert.ok(!result.usable, `expected ${pattern} to be unusable`);
  return result.reason;
}

describe('extractPatternIndicators', () => {
  it('splits OR and IN into one indicator each', () => {
    assert.deepEqual(
      values(
        "[domain-name:value = 'a.example' OR ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')] OR [url:value = 'http://b.example/']",
      ),
      ['domain a.example', 'ip 192.0.2.1', 'ip 192.0.2.2', 'url http://b.example/'],
    );
  });

  it('maps every spelling of a hash key', () => {
    assert.deepEqual(
      values(
        "[file:hashes.MD5 = 'a' OR file:hashes.'SHA-1' = 'b' OR file:hashes.SHA256 = 'c' OR file:hashes.'sha-256' = 'd']",
      ),
      ['md5 a', 'sha1 b', 'sha256 c', 'sha256 d'],
    );
  });

  it('joins address and port of one network-traffic', () => {
    assert.deepEqual(
      values(
        "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = '10086']",
      ),
      ['ip-port 192.0.2.1 10086'],
    );
    assert.deepEqual(
      values("[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 8060]"),
      ['ip-port 192.0.2.1 8060'],
    );
  });

  it('keeps a src_ref address and marks the side', () => {
    assert.deepEqual(
      values(
        "[network-traffic:src_ref.type = 'ipv4-addr' AND network-traffic:src_ref.value = '192.0.2.9']",
      ),
      ['ip 192.0.2.9 source'],
    );
  });

  it('keeps hashes of one file and reports other file properties', () => {
    const result = extract(
      "[file:hashes.MD5 = 'a' AND file:hashes.'SHA-1' = 'b' AND file:name = 'oui']",
    );
    assert.ok(result.usable);
    assert.equal(result.indicators.length, 2);
    assert.deepEqual(result.ignored, ['file:name']);
  });

  it('treats an OR on one property inside AND as a set', () => {
    assert.deepEqual(
      values(
        "[(network-traffic:dst_ref.value = '192.0.2.1' OR network-traffic:dst_ref.value = '192.0.2.2') AND network-traffic:dst_port = 443]",
      ),
      ['ip-port 192.0.2.1 443', 'ip-port 192.0.2.2 443'],
    );
  });

  it('hunts the usable OR branches of observations', () => {
    const result = extract(
      "([ipv4-addr:value = '192.0.2.1'] AND [ipv4-addr:value = '192.0.2.2']) OR [file:hashes.MD5 = 'a'] OR [mutex:name = 'x']",
    );
    assert.ok(result.usable, result.usable ? '' : result.reason);
    assert.deepEqual(
      result.indicators.map((found) => `${found.type} ${found.value}`),
      ['md5 a'],
    );
    assert.equal(result.omitted.length, 2);
    assert.equal(
      result.omitted[0]?.pattern,
      "[ipv4-addr:value = '192.0.2.1'] AND [ipv4-addr:value = '192.0.2.2']",
    );
    assert.match(result.omitted[0]?.reason ?? '', /AND between observations/);
    assert.equal(result.omitted[1]?.pattern, "[mutex:name = 'x']");
    assert.match(result.omitted[1]?.reason ?? '', /object type "mutex"/);
  });

  it('hunts the usable OR alternatives in one observation', () => {
    const result = extract(
      "[ipv4-addr:value = '192.0.2.1' OR (file:name = 'a.exe' AND file:size = 10) OR file:hashes.MD5 = 'a']",
    );
    assert.ok(result.usable, result.usable ? '' : result.reason);
    assert.deepEqual(
      result.indicators.map((found) => `${found.type} ${found.value}`),
      ['ip 192.0.2.1', 'md5 a'],
    );
    assert.equal(result.omitted.length, 1);
    assert.equal(result.omitted[0]?.pattern, "[file:name = 'a.exe' AND file:size = 10]");
    assert.match(result.omitted[0]?.reason ?? '', /file:name is not a property/);
  });

  it('skips an unconverted_term OR operand', () => {
    // Shortened from indicator--10df11ab-c69e-4f7a-b44b-52b4d3824007 of
    // test/fixtures/stix/oasis-elevator_apt1-appendix-g-iocs_stix21.json: its last MD5 and the
    // first two placeholders after it.
    const result = extract(
      "[file:hashes.MD5 = '3a3e4bca1197e4abab03340ea97d718d' OR unconverted_term:mandiant:observable-53877678-f17e-4da1-9336-698063493cc6 OR unconverted_term:mandiant:observable-b50152f3-886e-4132-81f2-bceb91b96629]",
    );
    assert.ok(result.usable, result.usable ? '' : result.reason);
    assert.deepEqual(
      result.indicators.map((found) => `${found.type} ${found.value}`),
      ['md5 3a3e4bca1197e4abab03340ea97d718d'],
    );
    assert.deepEqual(
      result.omitted.map((branch) => branch.pattern),
      [
        '[unconverted_term:mandiant:observable-53877678-f17e-4da1-9336-698063493cc6]',
        '[unconverted_term:mandiant:observable-b50152f3-886e-4132-81f2-bceb91b96629]',
      ],
    );
    assert.match(result.omitted[0]?.reason ?? '', /is a placeholder .* could not convert/);
  });

  it('skips AND alternatives with a placeholder', () => {
    // Indicator indicator--27d9d4b8-9230-4472-9b5c-f3783982c752 of
    // test/fixtures/stix/oasis-elevator_apt1-appendix-g-iocs_stix21.json, copied whole.
    const result = extract(
      "[file:hashes.MD5 = '8845cb5b4e450cb10a3b6ca41a9b4319' OR file:hashes.MD5 = '3de1bd0f2107198931177b2b23877df4' OR file:hashes.MD5 = 'd5fd1ce9189cd54f157d691e317c0821' OR file:hashes.MD5 = '15a33f8fe11b94bdd38bff651f6a5cd1' OR ((file:name = 'GTalk.exe' OR file:name = 'googlehelp.exe' OR file:name = 'iexplore.exe' OR unconverted_term:mandiant:observable-5282e97b-24d0-4152-aabe-80070dfc1b0a) AND (file:size = 353792 OR file:size = 357888 OR file:size = 529004) AND (file:extensions.'windows-pebinary-ext'.time_date_stamp = '2011-08-16T09:05:19Z' OR file:extensions.'windows-pebinary-ext'.time_date_stamp = '2012-05-31T08:26:57Z' OR file:extensions.'windows-pebinary-ext'.time_date_stamp = '2011-05-28T16:04:29Z'))]",
    );
    assert.ok(result.usable, result.usable ? '' : result.reason);
    assert.deepEqual(
      result.indicators.map((found) => `${found.type} ${found.value}`),
      [
        'md5 8845cb5b4e450cb10a3b6ca41a9b4319',
        'md5 3de1bd0f2107198931177b2b23877df4',
        'md5 d5fd1ce9189cd54f157d691e317c0821',
        'md5 15a33f8fe11b94bdd38bff651f6a5cd1',
      ],
    );
    assert.equal(result.omitted.length, 1);
    assert.match(result.omitted[0]?.pattern ?? '', /^\[\(file:name = 'GTalk\.exe'/);
    assert.match(
      result.omitted[0]?.reason ?? '',
      /placeholder unconverted_term:mandiant:observable-5282e97b-24d0-4152-aabe-80070dfc1b0a is AND-ed/,
    );
  });

  it('rejects a placeholder AND-ed with a hash', () => {
    // A hash AND-ed with file:name keeps the hash, but a placeholder is an unknown condition.
    assert.deepEqual(values("[file:hashes.MD5 = 'a' AND file:name = 'x.exe']"), ['md5 a']);
    const text = reason(
      "[file:hashes.MD5 = 'a' AND unconverted_term:WinExecutableFileObj.exports]",
    );
    assert.match(text, /placeholder unconverted_term:WinExecutableFileObj\.exports is AND-ed/);
  });

  it('rejects a pattern of placeholders alone', () => {
    assert.match(
      reason('[unconverted_term:mandiant:observable-1234]'),
      /^unconverted_term:mandiant:observable-1234 is a placeholder/,
    );
    // Indicator indicator--21bf65fc-6b48-4f89-91bd-cd2e413a4c0b of the APT1 file, second OR
    // alternative only.
    const andOnly = reason(
      '[unconverted_term:mandiant:observable-77f453bc-6e1d-4702-87e0-bfcf737cfae2 AND unconverted_term:mandiant:observable-5523678d-401c-4b68-aadc-180bca8a43ea]',
    );
    assert.match(andOnly, /placeholder unconverted_term:mandiant:observable-77f453bc/);
  });

  it('rejects placeholder OR inside AND', () => {
    // Indicator indicator--1c200d34-351f-47fa-bf6f-1c596d2779a7 of the APT1 file, with its two
    // MD5 alternatives and its third alternative only.
    const result = extract(
      "[file:hashes.MD5 = '995442f722cc037885335340fc297ea0' OR file:hashes.MD5 = '8489dc2c1291aa717b8ce81d5bf90892' OR ((unconverted_term:mandiant:observable-dfc0f5ed-e8f0-469a-81c1-86514e485600 OR file:extensions.'windows-pebinary-ext'.time_date_stamp = '2008-01-29T22:52:49Z' OR file:size = 19456) AND (file:name = 'Lssavp32.exe' OR file:name = 'WinverSSL.exe'))]",
    );
    assert.ok(result.usable, result.usable ? '' : result.reason);
    assert.equal(result.indicators.length, 2);
    assert.equal(result.omitted.length, 1);
    assert.match(result.omitted[0]?.reason ?? '', /observable-dfc0f5ed-\S+ is AND-ed/);
  });

  it('hunts no side of an AND of observations', () => {
    const cases = [
      "[ipv4-addr:value = '192.0.2.1'] AND ([ipv4-addr:value = '192.0.2.2'] OR [file:hashes.MD5 = 'a'])",
      "([ipv4-addr:value = '192.0.2.1'] OR [file:hashes.MD5 = 'a']) AND [ipv4-addr:value = '192.0.2.2']",
      "([ipv4-addr:value = '192.0.2.1'] OR [ipv4-addr:value = '192.0.2.2']) REPEATS 2 TIMES",
      "[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY ([ipv4-addr:value = '192.0.2.2'] OR [file:hashes.MD5 = 'a'])",
    ];
    for (const pattern of cases) assert.ok(!extract(pattern).usable, pattern);
  });

  it('ignores WITHIN and REPEATS 1 on OR-ed observations', () => {
    assert.deepEqual(values("[ipv4-addr:value = '192.0.2.1'] WITHIN 300 SECONDS"), [
      'ip 192.0.2.1',
    ]);
    assert.deepEqual(values("[ipv4-addr:value = '192.0.2.1'] REPEATS 1 TIMES"), ['ip 192.0.2.1']);
    assert.deepEqual(
      values(
        "([ipv4-addr:value = '192.0.2.1'] OR [domain-name:value = 'a.example']) WITHIN 60 SECONDS",
      ),
      ['ip 192.0.2.1', 'domain a.example'],
    );
    const within = extract(
      "([ipv4-addr:value = '192.0.2.1'] AND [ipv4-addr:value = '192.0.2.2']) WITHIN 60 SECONDS",
    );
    assert.ok(!within.usable);
    assert.match(within.reason, /AND between observations/);
  });

  it('names every branch when none is usable', () => {
    const text = reason("[mutex:name = 'x'] OR [ipv4-addr:value = '192.0.2.1'] REPEATS 3 TIMES");
    assert.match(text, /no OR branch can be hunted/);
    assert.match(text, /object type "mutex"/);
    assert.match(text, /REPEATS/);
  });

  it('rejects the whole pattern for any unusable part', () => {
    const cases: [string, RegExp][] = [
      ["[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.2']", /FOLLOWEDBY/],
      [
        "[ipv4-addr:value = '192.0.2.1'] AND [ipv4-addr:value = '192.0.2.2']",
        /AND between observations/,
      ],
      ["[ipv4-addr:value = '192.0.2.1'] REPEATS 2 TIMES", /REPEATS/],
      [
        "[ipv4-addr:value = '192.0.2.1'] START t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00Z'",
        /START\/STOP/,
      ],
      ["[url:value MATCHES '^http']", /MATCHES/],
      ["[domain-name:value LIKE '%.example']", /LIKE/],
      ["[ipv4-addr:value != '192.0.2.1']", /!=/],
      ["[ipv4-addr:value NOT = '192.0.2.1']", /NOT =/],
      ["[ipv4-addr:value > '192.0.2.1']", />/],
      [
        "[ipv4-addr:value = '192.0.2.1' AND domain-name:value = 'a.example']",
        /AND across different objects/,
      ],
      ["[mutex:name = 'x']", /object type "mutex"/],
      ['[network-traffic:dst_port = 80]', /no dst_ref.value or src_ref.value/],
      [
        "[network-traffic:src_ref.value = '192.0.2.1' AND network-traffic:dst_port = 80]",
        /other end/,
      ],
      [
        "[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:protocols[*] = 'tcp']",
        /protocols/,
      ],
      [
        "[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 70000]",
        /0 to 65535/,
      ],
      [
        "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'a.example' AND network-traffic:dst_port = 80]",
        /domain-and-port/,
      ],
      ['[ipv4-addr:value = 5]', /a string was expected/],
      ['[EXISTS file:name]', /EXISTS/],
    ];
    for (const [pattern, expected] of cases) assert.match(reason(pattern), expected, pattern);
  });
});
