import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { evaluateHunt, type EventRow } from '../../src/compile/evaluate.js';
import { arrayElements, type Hunt } from '../../src/compile/ir.js';
import { checkKql } from '../../src/validate/kusto.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { edgeHunts, huntById } from '../helpers/hunt-fixtures.js';

/** Safe Links clicks whose redirect chain, not their Url, reaches an indicator. */
const EVENTS: EventRow[] = [
  // 0: a short link that redirects to a subdomain of evil.example, as export JSON text.
  { Url: 'https://t.co/a1', UrlChain: '["https://t.co/a1","https://a.evil.example/p"]' },
  // 1: the indicator domain in Url and twice in the chain, which must make one hit per row.
  {
    Url: 'https://evil.example/',
    UrlChain: ['https://evil.example/', 'https://b.evil.example/', 'https://evil.example/x'],
  },
  // 2: a redirect to the indicator URL, with the chain as a parsed array.
  { Url: 'https://t.co/b2', UrlChain: ['https://t.co/b2', 'HTTP://PAYLOAD.EXAMPLE/a/b.php?id=1'] },
  // 3: a chain that is not JSON; the Url alone still matches.
  { Url: 'https://drop.example', UrlChain: 'not json' },
  // 4: no chain at all, and a clean Url.
  { Url: 'https://clean.example/' },
  // 5: a chain with elements that are not strings.
  { Url: 'https://t.co/c3', UrlChain: '[1, {"u": "https://evil.example/"}, null]' },
];

describe('UrlClickEvents redirect chain', () => {
  let hunts: Hunt[];
  let session: DuckDbHuntSession;
  before(async () => {
    hunts = edgeHunts();
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('keys domain and URL hunts on UrlChain', () => {
    for (const platform of ['sentinel', 'defender']) {
      for (const variant of ['domain', 'url']) {
        const hunt = huntById(hunts, `remcos-${platform}-uce-${variant}`);
        assert.equal(hunt.match.length, 1);
        assert.equal(hunt.match[0]!.keys[0]!.column, 'Url');
        assert.equal(hunt.match[0]!.keys[0]!.arrayColumn, 'UrlChain');
      }
    }
  });

  it('matches domains in the chain once', () => {
    const hits = evaluateHunt(huntById(hunts, 'remcos-sentinel-uce-domain'), EVENTS);
    // Events 2 and 3 match through the hosts of the URL indicators, which join the domain table.
    assert.deepEqual(
      hits.map((hit) => hit.eventIndex),
      [0, 1, 2, 3],
    );
  });

  it('matches URLs in the chain', () => {
    const hits = evaluateHunt(huntById(hunts, 'remcos-sentinel-uce-url'), EVENTS);
    assert.deepEqual(
      hits.map((hit) => hit.eventIndex),
      [2, 3],
    );
  });

  it('reads array elements as text', () => {
    assert.deepEqual(arrayElements('[1, {"u": "x"}, null, "y"]'), ['1', '{"u":"x"}', null, 'y']);
    assert.deepEqual(arrayElements('not json'), []);
    assert.deepEqual(arrayElements('{"a": 1}'), []);
    assert.deepEqual(arrayElements(null), []);
  });

  it('agrees between DuckDB and the evaluator', async () => {
    const { duckdb, reference } = await hitsOnBothSides(session, hunts, 'UrlClickEvents', EVENTS);
    assert.deepEqual(duckdb, reference);
    assert.ok(reference.length > 0, 'the events must produce hits');
  });

  it('compiles to KQL that expands the chain', () => {
    for (const hunt of hunts.filter((candidate) => candidate.source.table === 'UrlClickEvents')) {
      const query = compileKql(hunt, { generatorVersion: 'test' });
      assert.match(query, /\| extend MatchArray1_1 = parse_json\(UrlChain\)/);
      assert.match(
        query,
        /\| mv-apply with_itemindex=MatchIndex1_1 MatchValue1_1 = array_concat\(pack_array\(Url\), /,
      );
      assert.match(query, /make_set\(MatchKey1_1\)/);
      const errors = checkKql(query, { platform: hunt.source.platform }).filter(
        (diagnostic) => diagnostic.severity === 'error',
      );
      assert.deepEqual(errors, [], `${hunt.id}\n${query}`);
    }
  });
});
