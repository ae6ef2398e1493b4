import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { compileKqlFilter } from '../../src/backends/kql/kql.filter.js';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { Hunt } from '../../src/compile/ir.js';
import { DATA_SOURCES } from '../../src/pipeline/data-sources.js';
import { parseUserExclusions } from '../../src/pipeline/user-exclusions.js';
import { checkKql } from '../../src/validate/kusto.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { evaluateKqlCondition } from '../helpers/kql-condition.js';

const C2_ADDRESS = '198.51.100.23';
const C2_PORT = 4444;

/** Spellings of addresses inside 10.0.0.0/8, as logs write them. */
const INSIDE = [
  '10.1.2.3',
  '::ffff:10.1.2.3',
  '::FFFF:10.1.2.3',
  '::ffff:a01:203',
  '::FFFF:A01:203',
  '0:0:0:0:0:ffff:10.1.2.3',
  '0:0:0:0:0:ffff:a01:203',
  '0000:0000:0000:0000:0000:ffff:0a01:0203',
];

/**
 * Values outside 10.0.0.0/8, or no address at all. An address with a prefix is no address to the
 * local hunt, though Kusto's parse_ipv6 reads it as the masked address.
 */
const OUTSIDE = [
  '10.1.2.3/24',
  '10.1.2.3/32',
  '::ffff:10.1.2.3/120',
  '11.1.2.3',
  '::ffff:11.1.2.3',
  '::ffff:b01:203',
  '0:0:0:0:0:ffff:11.1.2.3',
  '2001:db8::a01:203',
  '::a01:203',
  '::10.1.2.3',
  '::ffff:010.1.2.3',
  '',
  '-',
];

const SPELLINGS = [...INSIDE, ...OUTSIDE];

/** Filters that all mean "SourceIP is in 10.0.0.0/8". */
const FILTERS = [
  'ipv4_is_in_any_range(SourceIP, "10.0.0.0/8")',
  'ipv6_is_in_any_range(SourceIP, "::ffff:10.0.0.0/104")',
  'ipv4_is_in_any_range(SourceIP, "192.0.2.0/24", "10.0.0.0/8")',
];

const SOURCE = DATA_SOURCES.find((entry) => entry.id === 'sentinel-commonsecuritylog')!;

/** Builds the port-aware CommonSecurityLog hunt of the C2 with `filter` as its one exclusion. */
function huntExcluding(filter: string): Hunt {
  const yaml = `exclusions:\n  - id: internal\n    tables: [CommonSecurityLog]\n    filter: '${filter}'\n`;
  const scenarios = parseUserExclusions(yaml, 'internal.yaml');
  const hunts = buildHunts(makeIndicators([['ip:port', `${C2_ADDRESS}:${C2_PORT}`]]), {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: [SOURCE],
    exclusionsFor: () => scenarios,
  });
  const hunt = hunts.find((candidate) => candidate.variant === 'port-aware');
  assert.ok(hunt, 'no port-aware hunt');
  return hunt;
}

/** Returns the spellings whose event the KQL hunt keeps: `where not(exclusion)` is true. */
function keptByKql(hunt: Hunt): string[] {
  const condition = compileKqlFilter(hunt.exclusions[0]!.filter);
  const query = compileKql(hunt, { generatorVersion: 'test' });
  assert.ok(query.includes(`| where not(${condition})`), query);
  const errors = checkKql(query, { platform: 'sentinel' }).filter(
    (diagnostic) => diagnostic.severity === 'error',
  );
  assert.deepEqual(errors, [], 'Kusto check of the hunt');
  return SPELLINGS.filter(
    (spelling) => evaluateKqlCondition(`not(${condition})`, { SourceIP: spelling }) === true,
  );
}

describe('address range exclusion on mapped IPv4', () => {
  let session: DuckDbHuntSession;
  const hunts = FILTERS.map(huntExcluding);

  before(async () => {
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('keeps the same events in KQL and DuckDB', async () => {
    const events = SPELLINGS.map((spelling) => ({
      TimeGenerated: new Date(),
      DestinationIP: C2_ADDRESS,
      DestinationPort: C2_PORT,
      SourceIP: spelling,
    }));
    const hits = await session.run('CommonSecurityLog', events);
    for (const [index, hunt] of hunts.entries()) {
      const filter = FILTERS[index]!;
      const keptByDuckDb = hits
        .filter((hit) => hit.hunt === hunt)
        .map((hit) => SPELLINGS[hit.eventIndex]!);
      assert.deepEqual(keptByDuckDb, OUTSIDE, `DuckDB, ${filter}`);
      assert.deepEqual(keptByKql(hunt), OUTSIDE, `KQL, ${filter}`);
    }
  });
});

it('range exclusion passes the Defender Kusto check', () => {
  const condition = compileKqlFilter({ kind: 'cidr', column: 'RemoteIP', ranges: ['10.0.0.0/8'] });
  const query = `DeviceNetworkEvents | where Timestamp > ago(1d) | where not(${condition})`;
  const errors = checkKql(query, { platform: 'defender' }).filter(
    (diagnostic) => diagnostic.severity === 'error',
  );
  assert.deepEqual(errors, []);
  assert.equal(evaluateKqlCondition(condition, { RemoteIP: '::ffff:10.1.2.3' }), true);
  assert.equal(evaluateKqlCondition(condition, { RemoteIP: '10.1.2.3' }), true);
  assert.equal(evaluateKqlCondition(condition, { RemoteIP: '::ffff:11.1.2.3' }), false);
  assert.equal(evaluateKqlCondition(condition, { RemoteIP: '10.1.2.3/24' }), false);
});

it('address key reads a prefix as no address', () => {
  const hunt = huntExcluding('SourceIP == "192.0.2.1"');
  const query = compileKql(hunt, { generatorVersion: 'test' });
  const line = query.split('\n').find((text) => text.includes('extend MatchKey1_1 = '));
  assert.ok(line, query);
  const key = line.slice(line.indexOf('= ') + 2);
  const row = (destination: string) => ({ DestinationIP: destination, DestinationHostName: '' });
  assert.equal(evaluateKqlCondition(`isempty(${key})`, row(C2_ADDRESS)), false);
  for (const destination of [`${C2_ADDRESS}/24`, `${C2_ADDRESS}/32`, `::ffff:${C2_ADDRESS}/128`]) {
    assert.equal(evaluateKqlCondition(`isempty(${key})`, row(destination)), true, destination);
  }
});
