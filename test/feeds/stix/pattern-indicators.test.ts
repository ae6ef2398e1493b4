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
      ["[ipv4-addr:value = '192.0.2.1' OR file:name = 'a.exe']", /file:name/],
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
