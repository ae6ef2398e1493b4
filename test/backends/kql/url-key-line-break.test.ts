/**
 * A logged URL with a line break (LF or CR) in its path keys the same in the KQL `UrlKey`
 * function, in DuckDB and in `urlKey`, so it does not match the indicator of its host's root URL.
 * Kusto and DuckDB both use RE2, so DuckDB runs the KQL function's own patterns here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileKql } from '../../../src/backends/kql/kql.backend.js';
import { sqlString } from '../../../src/backends/duckdb/duckdb.escape.js';
import { evaluateHunt, type EventRow } from '../../../src/compile/evaluate.js';
import { urlKey } from '../../../src/indicators/url.js';
import { EDGE_INDICATORS, edgeHunts } from '../../helpers/hunt-fixtures.js';
import { sentinelErrors, urlHunts, useDuckDb } from '../../helpers/url-key-session.js';
import { parseTokens } from './parse-tokens.js';

/** `rest` in `UrlKey`: the logged URL without its scheme. */
const REST = 'sub.evil-test.top/anything\nfoo';
/** `rest` with a CR, which RE2's `.` matches even without `(?s)`. */
const REST_WITH_CR = 'sub.evil-test.top/any\rthing\r\nfoo';
/** User info with a line break before the host. */
const REST_WITH_USER = 'us\ner@sub.evil-test.top/x';

const { hunts, query } = urlHunts(['http://sub.evil-test.top/', 'http://sub.evil-test.top/x']);

/**
 * Returns true when an RE2 pattern has a `.` that matches any character: one outside a bracket
 * expression and not escaped with `\`.
 */
function hasWildcardDot(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const character = pattern[i];
    if (character === '\\') {
      i++;
    } else if (inClass) {
      if (character === ']') inClass = false;
    } else if (character === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal member of the class.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (character === '.') {
      return true;
    }
  }
  return false;
}

/** Returns the verbatim pattern of the `UrlKey` line that starts with `let <name> =`. */
function pattern(name: string, call: RegExp): string {
  const line = query.split('\n').find((text) => text.trimStart().startsWith(`let ${name} =`));
  assert.ok(line, `UrlKey has no ${name} line\n${query}`);
  const found = call.exec(line);
  assert.ok(found, line);
  return found[1]!;
}

describe('UrlKey over a line break', () => {
  const { scalar, session } = useDuckDb(hunts);

  it('passes the Kusto check', () => {
    assert.equal(hunts.length, 1);
    assert.deepEqual(sentinelErrors(query), [], query);
  });

  it('reads the path across it', async () => {
    const path = pattern('rawPath', /extract\(@"([^"]*)", 1, rest\)/);
    for (const rest of [REST, REST_WITH_CR]) {
      const extracted = await scalar(
        `SELECT regexp_extract(${sqlString(rest)}, ${sqlString(path)}, 1)`,
      );
      assert.equal(extracted, rest.slice(rest.indexOf('/')), JSON.stringify(rest));
      assert.equal(urlKey(`http://${rest}`), rest, JSON.stringify(rest));
    }
  });

  it('removes user info across it', async () => {
    const user = pattern('hostAndPort', /\), @"([^"]*@)", ""\)/);
    const authority = await scalar(
      `SELECT regexp_replace(${sqlString('us\ner@sub.evil-test.top')}, ${sqlString(user)}, '')`,
    );
    assert.equal(authority, 'sub.evil-test.top');
    assert.equal(urlKey(`http://${REST_WITH_USER}`), 'sub.evil-test.top/x');
  });

  it('sets (?s) on every pattern with a dot', () => {
    const queries = [
      query,
      ...edgeHunts().map((hunt) => compileKql(hunt, { generatorVersion: 'test' })),
    ];
    assert.ok(queries.length > EDGE_INDICATORS.length / 2, 'too few hunts compiled');
    let dotted = 0;
    for (const text of queries) {
      for (const token of parseTokens(text)) {
        if (token.kind !== 'StringLiteralToken' || !token.text.startsWith('@')) continue;
        if (!hasWildcardDot(token.valueText)) continue;
        dotted++;
        assert.ok(token.valueText.startsWith('(?s)'), `pattern ${token.text} lacks (?s)`);
      }
    }
    assert.ok(dotted > 0, 'no pattern with a dot was found');
  });

  it('matches no root URL in DuckDB', async () => {
    const events: EventRow[] = [
      { RequestURL: `http://${REST}` },
      { RequestURL: 'http://sub.evil-test.top/' },
      { RequestURL: `http://${REST_WITH_USER}` },
      { RequestURL: `http://${REST_WITH_CR}` },
    ];
    const hunt = hunts[0]!;
    const duckdb = (await session().run('CommonSecurityLog', events)).map((hit) => [
      hit.eventIndex,
      hunt.iocs.rows[hit.iocIndex]![0],
    ]);
    const reference = evaluateHunt(hunt, events).map((hit) => [
      hit.eventIndex,
      hunt.iocs.rows[hit.iocIndex]![0],
    ]);
    const expected = [
      [1, 'http://sub.evil-test.top/'],
      [2, 'http://sub.evil-test.top/x'],
    ];
    assert.deepEqual(reference, expected);
    assert.deepEqual(
      duckdb.sort((a, b) => Number(a[0]) - Number(b[0])),
      expected,
    );
  });
});
