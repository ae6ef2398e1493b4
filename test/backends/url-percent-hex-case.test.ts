/**
 * A logged URL that writes percent-encoding in lower-case hex (`%3c`) keys the same as the feed's
 * upper-case form (`%3C`) in `urlKey`, in DuckDB and in the KQL `UrlKey` function. Kusto and
 * DuckDB both use RE2, so DuckDB runs the KQL function's own replacements here.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { sqlString } from '../../src/backends/duckdb/duckdb.escape.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { EventRow } from '../../src/compile/evaluate.js';
import { urlKey } from '../../src/indicators/url.js';
import { getDataSource } from '../../src/pipeline/data-sources.js';
import { checkKql } from '../../src/validate/kusto.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';

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

const hunts = buildHunts(
  makeIndicators([
    ['url', 'http://evil-test.top/gate.php?q=%3Cscript%3E'],
    ['url', 'http://evil-test.top/%E2%82%AC/%2F'],
  ]),
  {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: [getDataSource('sentinel-commonsecuritylog')],
  },
).filter((hunt) => hunt.variant === 'url');
const query = compileKql(hunts[0]!, { generatorVersion: 'test' });

/** Returns the `[pattern, replacement]` pairs of the `replace_regex` calls on UrlKey's path line. */
function pathReplacements(): Array<[string, string]> {
  const line = query.split('\n').find((text) => text.trimStart().startsWith('let path ='));
  assert.ok(line, `UrlKey has no path line\n${query}`);
  // Nested calls close innermost first, so the pairs appear in the order they apply.
  return [...line.matchAll(/, @"([^"]*)", @"([^"]*)"\)/g)].map((found) => [found[1]!, found[2]!]);
}

describe('URL keys with lower-case percent-encoding', () => {
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
      const reader = await connection.runAndReadAll(`SELECT ${sql}`);
      assert.equal(reader.getRows()[0]![0], key, logged);
    }
  });

  it('passes the Kusto check', () => {
    const errors = checkKql(query, { platform: 'sentinel' }).filter(
      (diagnostic) => diagnostic.severity === 'error',
    );
    assert.deepEqual(errors, [], query);
  });

  it('matches in DuckDB and the evaluator', async () => {
    const events: EventRow[] = [
      { RequestURL: 'http://evil-test.top/gate.php?q=%3cscript%3e' },
      { RequestURL: 'https://EVIL-TEST.top/%e2%82%ac/%2f' },
      { RequestURL: 'http://evil-test.top/gate.php?q=%3Cscript%3E' },
      { RequestURL: 'http://evil-test.top/gate.php?q=<script>' },
      { RequestURL: 'http://evil-test.top/%e2%82%ac/%2f%' },
    ];
    const { duckdb, reference } = await hitsOnBothSides(
      session,
      hunts,
      'CommonSecurityLog',
      events,
    );
    const matchedEvents = reference.map((hit) => Number(hit.split('|')[1]));
    assert.deepEqual([...new Set(matchedEvents)].sort(), [0, 1, 2]);
    assert.deepEqual(duckdb, reference);
  });
});
