/**
 * A URL that writes its scheme's default port (`ftp://h:21/x`, `ws://h:80/x`, `wss://h:443/x`)
 * keys the same as the URL without it, in `urlKey`, in DuckDB and in the KQL `UrlKey` function.
 * A port of 21 after another scheme is kept. Kusto and DuckDB both use RE2, so DuckDB runs the
 * KQL function's own patterns here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sqlString } from '../../src/backends/duckdb/duckdb.escape.js';
import type { EventRow } from '../../src/compile/evaluate.js';
import { isRejection } from '../../src/indicators/rejection.js';
import { parseUrl, urlKey } from '../../src/indicators/url.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { sentinelErrors, urlHunts, useDuckDb } from '../helpers/url-key-session.js';

const { hunts, query } = urlHunts([
  'ftp://evil-test.top:21/drop.exe',
  'ws://evil-test.top:80/socket',
]);

/** Returns the UrlKey line that starts with `let <name> =`. */
function urlKeyLine(name: string): string {
  const line = query.split('\n').find((text) => text.trimStart().startsWith(`let ${name} =`));
  assert.ok(line, `UrlKey has no ${name} line\n${query}`);
  return line;
}

describe('URL keys with a default port', () => {
  const duckdb = useDuckDb(hunts);

  it('drops it in parseUrl', () => {
    const cases: Array<[given: string, normalized: string]> = [
      ['ftp://evil-test.top:21/x', 'ftp://evil-test.top/x'],
      ['ws://evil-test.top:80/x', 'ws://evil-test.top/x'],
      ['wss://evil-test.top:443/x', 'wss://evil-test.top/x'],
      ['http://evil-test.top:80/x', 'http://evil-test.top/x'],
      ['ftp://evil-test.top:2121/x', 'ftp://evil-test.top:2121/x'],
      ['http://evil-test.top:21/x', 'http://evil-test.top:21/x'],
      ['ws://evil-test.top:443/x', 'ws://evil-test.top:443/x'],
    ];
    for (const [given, normalized] of cases) {
      const parsed = parseUrl(given);
      assert.ok(!isRejection(parsed), given);
      assert.equal(parsed.url, normalized, given);
    }
  });

  it('keys ftp port 21 as no port', () => {
    assert.equal(urlKey('ftp://evil-test.top:21/x'), 'evil-test.top/x');
    assert.equal(urlKey('FTP://Evil-Test.top:21/x'), 'evil-test.top/x');
    assert.equal(urlKey('ftp://user@evil-test.top.:21/x'), 'evil-test.top/x');
    assert.equal(urlKey('ftp://evil-test.top/x'), 'evil-test.top/x');
  });

  it('keeps port 21 after other schemes', () => {
    assert.equal(urlKey('http://evil-test.top:21/x'), 'evil-test.top:21/x');
    assert.equal(urlKey('evil-test.top:21/x'), 'evil-test.top:21/x');
    assert.equal(urlKey('ftps://evil-test.top:21/x'), 'evil-test.top:21/x');
    assert.equal(urlKey('ftp://evil-test.top:2121/x'), 'evil-test.top:2121/x');
  });

  it('keys ws and wss default ports as no port', () => {
    assert.equal(urlKey('ws://evil-test.top:80/'), urlKey('ws://evil-test.top/'));
    assert.equal(urlKey('wss://evil-test.top:443/'), urlKey('wss://evil-test.top/'));
    assert.equal(urlKey('http://evil-test.top:80/'), urlKey('http://evil-test.top/'));
  });

  it('passes the Kusto check', () => {
    assert.equal(hunts.length, 1);
    assert.deepEqual(sentinelErrors(query), [], query);
  });

  it('drops ftp port 21 in the KQL UrlKey', async () => {
    const line = urlKeyLine('withoutPort');
    const found =
      /^ *let withoutPort = iff\(unfragmented matches regex @"([^"]*)", replace_regex\(withoutHttpPort, @"([^"]*)", ""\), withoutHttpPort\);$/.exec(
        line,
      );
    assert.ok(found, line);
    const [, schemePattern, portPattern] = found;
    const cases: Array<[value: string, hostAndPort: string, expected: string]> = [
      ['ftp://evil-test.top:21/x', 'evil-test.top:21', 'evil-test.top'],
      ['FTP://evil-test.top:21/x', 'evil-test.top:21', 'evil-test.top'],
      ['http://evil-test.top:21/x', 'evil-test.top:21', 'evil-test.top:21'],
      ['evil-test.top:21/x', 'evil-test.top:21', 'evil-test.top:21'],
      ['ftp://evil-test.top:2121/x', 'evil-test.top:2121', 'evil-test.top:2121'],
    ];
    for (const [value, hostAndPort, expected] of cases) {
      const sql = `SELECT CASE WHEN regexp_matches(${sqlString(value)}, ${sqlString(schemePattern!)})
        THEN regexp_replace(${sqlString(hostAndPort)}, ${sqlString(portPattern!)}, '')
        ELSE ${sqlString(hostAndPort)} END`;
      assert.equal(await duckdb.scalar(sql), expected, value);
    }
  });

  it('matches in DuckDB and the evaluator', async () => {
    const events: EventRow[] = [
      { RequestURL: 'ftp://evil-test.top/drop.exe' },
      { RequestURL: 'ftp://evil-test.top:21/drop.exe' },
      { RequestURL: 'FTP://EVIL-TEST.top:21/drop.exe' },
      { RequestURL: 'ws://evil-test.top/socket' },
      { RequestURL: 'wss://evil-test.top:443/socket' },
      { RequestURL: 'http://evil-test.top:21/drop.exe' },
      { RequestURL: 'ftp://evil-test.top:2121/drop.exe' },
      { RequestURL: 'ws://evil-test.top:8080/socket' },
    ];
    const { duckdb: found, reference } = await hitsOnBothSides(
      duckdb.session(),
      hunts,
      'CommonSecurityLog',
      events,
    );
    const matchedEvents = reference.map((hit) => Number(hit.split('|')[1]));
    assert.deepEqual([...new Set(matchedEvents)].sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual(found, reference);
  });
});
