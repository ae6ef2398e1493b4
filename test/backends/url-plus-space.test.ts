/**
 * A `+` in a URL's query and a `%20` key differently, in `urlKey`, in DuckDB and in the KQL
 * `UrlKey` function, and so do a `+` and `%20` in the path. HTTP clients send a form's space in
 * the query as `+` (application/x-www-form-urlencoded) and a space in a typed address as `%20`.
 * A feed and a log that both copy the request target as sent write the same form, so the key
 * decodes neither.
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
  'http://evil-test.top/search?q=a+b',
  'http://evil-test.top/dl/a%20b.exe',
]);

describe('URL keys with + and %20', () => {
  const duckdb = useDuckDb(hunts);

  it('keeps + in parseUrl', () => {
    for (const url of ['http://evil-test.top/search?q=a+b', 'http://evil-test.top/a+b/c.exe']) {
      const parsed = parseUrl(url);
      assert.ok(!isRejection(parsed), url);
      assert.equal(parsed.url, url);
    }
  });

  it('keys + and %20 apart', () => {
    assert.equal(urlKey('http://evil-test.top/search?q=a+b'), 'evil-test.top/search?q=a+b');
    assert.equal(urlKey('http://evil-test.top/search?q=a%20b'), 'evil-test.top/search?q=a%20b');
    assert.notEqual(
      urlKey('http://evil-test.top/search?q=a+b'),
      urlKey('http://evil-test.top/search?q=a%20b'),
    );
    assert.notEqual(
      urlKey('http://evil-test.top/search?q=a+b'),
      urlKey('http://evil-test.top/search?q=a%2Bb'),
    );
    assert.equal(urlKey('http://evil-test.top/a+b/c.exe'), 'evil-test.top/a+b/c.exe');
  });

  it('leaves + alone in the KQL UrlKey path', async () => {
    const line = query.split('\n').find((text) => text.trimStart().startsWith('let path ='));
    assert.ok(line, `UrlKey has no path line\n${query}`);
    const replacements = [...line.matchAll(/, @"([^"]*)", @"([^"]*)"\)/g)];
    assert.ok(replacements.length > 0, line);
    for (const path of ['/search?q=a+b', '/a+b/c.exe']) {
      let sql = sqlString(path);
      for (const [, pattern, replacement] of replacements) {
        sql = `regexp_replace(${sql}, ${sqlString(pattern!)}, ${sqlString(replacement!)}, 'g')`;
      }
      assert.equal(await duckdb.scalar(`SELECT ${sql}`), path);
    }
    assert.doesNotMatch(query, /url_decode|replace_string\([^)]*"\+"/);
  });

  it('passes the Kusto check', () => {
    assert.deepEqual(sentinelErrors(query), [], query);
  });

  it('matches the same form only', async () => {
    const events: EventRow[] = [
      { RequestURL: 'http://evil-test.top/search?q=a+b' },
      { RequestURL: 'http://evil-test.top/dl/a%20b.exe' },
      { RequestURL: 'http://evil-test.top/search?q=a%20b' },
      { RequestURL: 'http://evil-test.top/search?q=a%2Bb' },
      { RequestURL: 'http://evil-test.top/dl/a+b.exe' },
    ];
    const { duckdb: found, reference } = await hitsOnBothSides(
      duckdb.session(),
      hunts,
      'CommonSecurityLog',
      events,
    );
    const matchedEvents = reference.map((hit) => Number(hit.split('|')[1]));
    assert.deepEqual([...new Set(matchedEvents)].sort(), [0, 1]);
    assert.deepEqual(found, reference);
  });
});
