/**
 * A `+` in a URL's query and a `%20` key differently, in `urlKey`, in DuckDB and in the KQL
 * `UrlKey` function, and so do a `+` and `%20` in the path. HTTP clients send a form's space in
 * the query as `+` (application/x-www-form-urlencoded) and a space in a typed address as `%20`.
 * A feed and a log that both copy the request target as sent write the same form, so the key
 * decodes neither.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { sqlString } from '../../src/backends/duckdb/duckdb.escape.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { EventRow } from '../../src/compile/evaluate.js';
import { isRejection } from '../../src/indicators/rejection.js';
import { parseUrl, urlKey } from '../../src/indicators/url.js';
import { getDataSource } from '../../src/pipeline/data-sources.js';
import { checkKql } from '../../src/validate/kusto.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';

const hunts = buildHunts(
  makeIndicators([
    ['url', 'http://evil-test.top/search?q=a+b'],
    ['url', 'http://evil-test.top/dl/a%20b.exe'],
  ]),
  {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: [getDataSource('sentinel-commonsecuritylog')],
  },
).filter((hunt) => hunt.variant === 'url');
const query = compileKql(hunts[0]!, { generatorVersion: 'test' });

describe('URL keys with + and %20', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  let session: DuckDbHuntSession;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
    session.close();
  });

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
      const reader = await connection.runAndReadAll(`SELECT ${sql}`);
      assert.equal(reader.getRows()[0]![0], path);
    }
    assert.doesNotMatch(query, /url_decode|replace_string\([^)]*"\+"/);
  });

  it('passes the Kusto check', () => {
    const errors = checkKql(query, { platform: 'sentinel' }).filter(
      (diagnostic) => diagnostic.severity === 'error',
    );
    assert.deepEqual(errors, [], query);
  });

  it('matches the same form only', async () => {
    const events: EventRow[] = [
      { RequestURL: 'http://evil-test.top/search?q=a+b' },
      { RequestURL: 'http://evil-test.top/dl/a%20b.exe' },
      { RequestURL: 'http://evil-test.top/search?q=a%20b' },
      { RequestURL: 'http://evil-test.top/search?q=a%2Bb' },
      { RequestURL: 'http://evil-test.top/dl/a+b.exe' },
    ];
    const { duckdb, reference } = await hitsOnBothSides(
      session,
      hunts,
      'CommonSecurityLog',
      events,
    );
    const matchedEvents = reference.map((hit) => Number(hit.split('|')[1]));
    assert.deepEqual([...new Set(matchedEvents)].sort(), [0, 1]);
    assert.deepEqual(duckdb, reference);
  });
});
