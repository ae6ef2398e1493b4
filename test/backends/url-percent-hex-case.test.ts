/**
 * A logged URL that writes percent-encoding in lower-case hex (`%3c`) keys the same as the feed's
 * upper-case form (`%3C`) in `urlKey`, in DuckDB and in the KQL `UrlKey` function. Kusto and
 * DuckDB both use RE2, so DuckDB runs the KQL function's own replacements here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sqlString } from '../../src/backends/duckdb/duckdb.escape.js';
import type { EventRow } from '../../src/compile/evaluate.js';
import { urlKey } from '../../src/indicators/url.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { sentinelErrors, urlHunts, useDuckDb } from '../helpers/url-key-session.js';

/** Paths and queries as logged, and their key with each `%` escape's hex digits upper-cased. */
const PATH_KEYS: Array<[logged: string, key: string]> = [
  ['/gate.php?q=%3cscript%3e', '/gate.php?q=%3Cscript%3E'],
  ['/%e2%82%ac/%2f', '/%E2%82%AC/%2F'],
  ['/%Ab%aB%ab%AB', '/%AB%AB%AB%AB'],
  ['/a%%3c', '/a%%3C'],
  ['/%zz%3', '/%zz%3'],
  ['/%g1%1g%', '/%g1%1g%'],
  ['/%3c%3c%3c', '/%3C%3C%3C'],
  ['/plain/abcdef', '/plain/abcdef'],
  ['/?%ff=%0a', '/?%FF=%0A'],
];

const { hunts, query } = urlHunts([
  'http://evil-test.top/gate.php?q=%3Cscript%3E',
  'http://evil-test.top/%E2%82%AC/%2F',
]);

/** Returns the `[pattern, replacement]` pairs of the `replace_regex` calls on UrlKey's path line. */
function pathReplacements(): Array<[string, string]> {
  const line = query.split('\n').find((text) => text.trimStart().startsWith('let path ='));
  assert.ok(line, `UrlKey has no path line\n${query}`);
  // Nested calls close innermost first, so the pairs appear in the order they apply.
  return [...line.matchAll(/, @"([^"]*)", @"([^"]*)"\)/g)].map((found) => [found[1]!, found[2]!]);
}

describe('URL keys with lower-case percent-encoding', () => {
  const duckdb = useDuckDb(hunts);

  it('upper-cases hex digits in urlKey', () => {
    for (const [logged, key] of PATH_KEYS) {
      assert.equal(urlKey(`http://Evil-Test.top${logged}`), `evil-test.top${key}`, logged);
    }
  });

  it('leaves the host to lower-casing', () => {
    assert.equal(urlKey('http://EVIL.top/%3c'), 'evil.top/%3C');
  });

  it('upper-cases hex digits in the KQL UrlKey', async () => {
    const replacements = pathReplacements();
    assert.ok(replacements.length > 0, `no replace_regex on the path line\n${query}`);
    for (const [logged, key] of PATH_KEYS) {
      let sql = sqlString(logged);
      for (const [pattern, replacement] of replacements) {
        sql = `regexp_replace(${sql}, ${sqlString(pattern)}, ${sqlString(replacement)}, 'g')`;
      }
      assert.equal(await duckdb.scalar(`SELECT ${sql}`), key, logged);
    }
  });

  it('passes the Kusto check', () => {
    assert.deepEqual(sentinelErrors(query), [], query);
  });

  it('matches in DuckDB and the evaluator', async () => {
    const events: EventRow[] = [
      { RequestURL: 'http://evil-test.top/gate.php?q=%3cscript%3e' },
      { RequestURL: 'https://EVIL-TEST.top/%e2%82%ac/%2f' },
      { RequestURL: 'http://evil-test.top/gate.php?q=%3Cscript%3E' },
      { RequestURL: 'http://evil-test.top/gate.php?q=<script>' },
      { RequestURL: 'http://evil-test.top/%e2%82%ac/%2f%' },
    ];
    const both = await hitsOnBothSides(duckdb.session(), hunts, 'CommonSecurityLog', events);
    const matchedEvents = both.reference.map((hit) => Number(hit.split('|')[1]));
    assert.deepEqual([...new Set(matchedEvents)].sort(), [0, 1, 2]);
    assert.deepEqual(both.duckdb, both.reference);
  });
});
