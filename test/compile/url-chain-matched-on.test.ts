/**
 * `MatchedOn` of UrlClickEvents hits: `Url` when the clicked URL meets the indicator, and
 * `UrlChain` when only an element of the redirect chain does, in the reference evaluator, in
 * DuckDB and in the compiled KQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { evaluateHunt, type EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';
import { checkKql } from '../../src/validate/kusto.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { edgeHunts, huntById } from '../helpers/hunt-fixtures.js';

const INDICATOR_URL = 'http://payload.example/a/b.php?id=1';

/** Clicks that meet the indicators of `EDGE_INDICATORS` in Url, in UrlChain or in both. */
const EVENTS: EventRow[] = [
  // 0: the indicator URL in Url, with no chain.
  { Url: INDICATOR_URL },
  // 1: a short link whose chain, as export JSON text, redirects to the indicator URL.
  { Url: 'https://t.co/a1', UrlChain: `["https://t.co/a1","${INDICATOR_URL}"]` },
  // 2: the indicator URL in Url and as the chain's first element, as Safe Links logs a click.
  { Url: INDICATOR_URL, UrlChain: [INDICATOR_URL, 'https://clean.example/'] },
  // 3: one indicator URL in Url and another in the chain, as a parsed array.
  { Url: INDICATOR_URL, UrlChain: [INDICATOR_URL, 'https://drop.example/'] },
  // 4: a subdomain of an indicator domain in the chain only.
  { Url: 'https://t.co/b2', UrlChain: ['https://t.co/b2', 'https://a.evil.example/p'] },
];

/** Returns `event|indicator value|MatchedOn` of each hit of `hunt` on `EVENTS`. */
function labelledHits(hunt: Hunt): string[] {
  const column = hunt.iocs.columns.findIndex((entry) => entry.name.startsWith('Ioc'));
  return evaluateHunt(hunt, EVENTS).map(
    (hit) => `${hit.eventIndex}|${String(hunt.iocs.rows[hit.iocIndex]![column])}|${hit.matchedOn}`,
  );
}

describe('UrlClickEvents MatchedOn', () => {
  let hunts: Hunt[];
  let session: DuckDbHuntSession;
  before(async () => {
    hunts = edgeHunts();
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('names the column of URL hits', () => {
    const hunt = huntById(hunts, 'remcos-sentinel-uce-url');
    assert.equal(hunt.match[0]!.arrayLabel, 'UrlChain');
    assert.deepEqual(labelledHits(hunt), [
      `0|${INDICATOR_URL}|Url`,
      `1|${INDICATOR_URL}|UrlChain`,
      `2|${INDICATOR_URL}|Url`,
      `3|${INDICATOR_URL}|Url`,
      '3|https://drop.example/|UrlChain',
    ]);
  });

  it('names the column of domain hits', () => {
    const hunt = huntById(hunts, 'remcos-sentinel-uce-domain');
    assert.equal(hunt.match[0]!.arrayLabel, 'UrlChain');
    // The hosts of the URL indicators join the domain table, so the URL hits come back here.
    assert.deepEqual(labelledHits(hunt), [
      '0|payload.example|Url',
      '1|payload.example|UrlChain',
      '2|payload.example|Url',
      '3|payload.example|Url',
      '3|drop.example|UrlChain',
      '4|evil.example|UrlChain',
    ]);
  });

  it('agrees between DuckDB and the evaluator', async () => {
    const { duckdb, reference } = await hitsOnBothSides(session, hunts, 'UrlClickEvents', EVENTS);
    assert.deepEqual(duckdb, reference);
    assert.ok(
      reference.some((hit) => hit.endsWith('|UrlChain')),
      'the events must give UrlChain hits',
    );
  });

  it('filters UrlChain hits by MatchedOn', async () => {
    const hunt = huntById(hunts, 'remcos-sentinel-uce-url');
    const chainOnly: Hunt = {
      ...hunt,
      id: 'remcos-sentinel-uce-url-chain-only',
      exclusions: [
        {
          id: 'clicked-url',
          title: 'Clicked URL',
          description: 'Keeps the hits found only in the redirect chain.',
          filter: { kind: 'compare', column: 'MatchedOn', op: '==', value: 'Url' },
        },
      ],
    };
    const reference = evaluateHunt(chainOnly, EVENTS).map((hit) => hit.eventIndex);
    assert.deepEqual(reference, [1, 3]);
    const chainSession = await DuckDbHuntSession.open([chainOnly]);
    try {
      const duckdb = (await chainSession.run('UrlClickEvents', EVENTS)).map((hit) => [
        hit.eventIndex,
        hit.matchedOn,
      ]);
      assert.deepEqual(duckdb, [
        [1, 'UrlChain'],
        [3, 'UrlChain'],
      ]);
    } finally {
      chainSession.close();
    }
  });

  it('compiles MatchedOn into valid KQL', () => {
    const chainHunts = hunts.filter((hunt) => hunt.source.table === 'UrlClickEvents');
    assert.equal(chainHunts.length, 4);
    for (const hunt of chainHunts) {
      const query = compileKql(hunt, { generatorVersion: 'test' });
      assert.match(query, /\| mv-apply with_itemindex=MatchIndex1_1 MatchValue1_1 = /);
      assert.match(query, /MatchColumnKeys1_1 = make_set_if\(MatchKey1_1, MatchIndex1_1 == 0\)/);
      assert.match(
        query,
        /\| extend MatchedOn = iff\(not\(set_has_element\(MatchColumnKeys1_1, MatchKey1_1\)\), "UrlChain", "Url"\)/,
      );
      const errors = checkKql(query, { platform: hunt.source.platform }).filter(
        (diagnostic) => diagnostic.severity === 'error',
      );
      assert.deepEqual(errors, [], `${hunt.id}\n${query}`);
    }
  });
});
