/**
 * Address spellings with a dotted IPv4 tail. RFC 4291 (section 2.5.5) makes `::a.b.c.d` the
 * IPv4-compatible address `::0a0b:0c0d`, which is not the IPv4 address `a.b.c.d`, while
 * `::ffff:a.b.c.d` is the IPv4-mapped form of it. The KQL hunts compare `parse_ipv6` of both
 * sides, so the local hunt must keep these two apart too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { Hunt } from '../../src/compile/ir.js';
import { compilePrefilterSpec, EventPrefilter } from '../../src/hunt/event-prefilter.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { evaluateKqlCondition } from '../helpers/kql-condition.js';

/** Each spelling of DestinationIP, with the address indicator that it is, or null. */
const SPELLINGS: Array<[string, string | null]> = [
  ['198.51.100.23', '198.51.100.23'],
  ['::ffff:198.51.100.23', '198.51.100.23'],
  ['::FFFF:198.51.100.23', '198.51.100.23'],
  ['0:0:0:0:0:ffff:198.51.100.23', '198.51.100.23'],
  ['::ffff:c633:6417', '198.51.100.23'],
  ['::198.51.100.23', null],
  ['::c633:6417', null],
  ['::ffff:198.051.100.023', null],
  ['::198.51.100.50', '::198.51.100.50'],
  ['::c633:6432', '::198.51.100.50'],
  ['0:0:0:0:0:0:198.51.100.50', '::198.51.100.50'],
  ['198.51.100.50', null],
  ['::ffff:198.51.100.50', null],
];

describe('IPv4-compatible and IPv4-mapped spellings', () => {
  let hunts: Hunt[];
  let session: DuckDbHuntSession;

  before(async () => {
    hunts = buildHunts(
      makeIndicators([
        ['ip', '198.51.100.23'],
        ['ip', '::198.51.100.50'],
      ]),
      {
        family: 'Remcos',
        familySlug: 'remcos',
        lookback: { amount: 30, unit: 'd' },
        exclusionsFor: defaultExclusions,
      },
    );
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('match the same indicators on both sides', async () => {
    const events = SPELLINGS.map(([address]) => ({ DestinationIP: address }));
    const { duckdb, reference } = await hitsOnBothSides(
      session,
      hunts,
      'CommonSecurityLog',
      events,
    );
    const hunt = hunts.find((candidate) => candidate.id === 'remcos-sentinel-csl-address-only')!;
    const matched = (hits: string[]) =>
      SPELLINGS.map(([address], index): [string, string | null] => {
        const hit = hits.find((text) => text.startsWith(`${hunt.id}|${index}|`));
        const row = hit === undefined ? undefined : Number(hit.split('|')[2]);
        return [address, row === undefined ? null : String(hunt.iocs.rows[row]![0])];
      });
    const expected = SPELLINGS.map(([address, indicator]): [string, string | null] => [
      address,
      indicator === null ? null : indicatorKey(indicator),
    ]);
    assert.deepEqual(matched(duckdb), expected, 'DuckDB');
    assert.deepEqual(matched(reference), expected, 'reference evaluator');
  });

  it('compare as KQL parse_ipv6 does', () => {
    // The address of each indicator as a one-address range of eight hexadecimal groups.
    const ranges: Record<string, string> = {
      '198.51.100.23': '0:0:0:0:0:ffff:c633:6417/128',
      '::198.51.100.50': '0:0:0:0:0:0:c633:6432/128',
    };
    for (const [address, indicator] of SPELLINGS) {
      for (const [candidate, range] of Object.entries(ranges)) {
        const condition = `coalesce(ipv6_is_in_any_range(parse_ipv6(DestinationIP), dynamic(["${range}"])), false)`;
        const equal = evaluateKqlCondition(condition, { DestinationIP: address });
        assert.equal(equal, indicator === candidate, `${address} against ${candidate}`);
      }
    }
  });

  it('keep matching spellings in the prefilter', () => {
    const prefilter = new EventPrefilter(compilePrefilterSpec(hunts));
    for (const [address, indicator] of SPELLINGS) {
      const kept = prefilter.keeps('CommonSecurityLog', { DestinationIP: address });
      assert.equal(kept, indicator !== null, address);
    }
  });
});

/** Returns an indicator address as the hunts keep it: `::198.51.100.50` as `::c633:6432`. */
function indicatorKey(indicator: string): string {
  return indicator === '::198.51.100.50' ? '::c633:6432' : indicator;
}
