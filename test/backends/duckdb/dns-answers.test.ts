/**
 * Address matching on DNS answers: DnsEvents' IPAddresses and the ASIM DnsResponseName list the
 * addresses a name resolved to, and the address-only hunts match every address in them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbHuntSession } from '../../../src/backends/duckdb/duckdb.session.js';
import { compileKql } from '../../../src/backends/kql/kql.backend.js';
import type { EventRow } from '../../../src/compile/evaluate.js';
import { addressListTokens, type Hunt } from '../../../src/compile/ir.js';
import { checkKql } from '../../../src/validate/kusto.js';
import { hitsOnBothSides } from '../../helpers/agreement.js';
import { edgeHunts, huntById } from '../../helpers/hunt-fixtures.js';

/*
 * Rows of the address-only table of the edge indicators: 0 is 203.0.113.7, 1 is 2001:db8::7,
 * 2 is 198.51.100.23 and 3 is ff02::fb.
 */
const DNS_EVENTS: EventRow[] = [
  { Name: 'cdn.example', IPAddresses: '203.0.113.7' },
  { Name: 'cdn.example', IPAddresses: '192.0.2.1,198.51.100.23' },
  // The same address twice makes one hit.
  { Name: 'cdn.example', IPAddresses: '198.51.100.23, 198.51.100.23' },
  { IPAddresses: '2001:DB8:0:0:0:0:0:7' },
  { IPAddresses: '::ffff:203.0.113.7' },
  { IPAddresses: '203.0.113.70,1203.0.113.7' },
  { IPAddresses: '' },
  { IPAddresses: null },
  { IPAddresses: 'a.203.0.113.7,203.0.113.7.example' },
  { IPAddresses: '[2001:db8::7]' },
  { IPAddresses: '203.0.113.7 ff02::fb' },
  { IPAddresses: 'fe80::1%eth0' },
  // The domain hunt still reads the queried name only.
  { Name: 'www.evil.example', IPAddresses: '192.0.2.1' },
];

const ASIM_EVENTS: EventRow[] = [
  { DnsQuery: 'www.evil.example' },
  { DnsQuery: 'good.example', DnsResponseName: '203.0.113.7' },
  {
    DnsQuery: 'good.example',
    DnsResponseName:
      '[{"part":"answer","query":"good.example.","TTL":25,"Class":"IN","Type":"A","Response":"198.51.100.23"}]',
  },
  { DnsQuery: 'good.example', DnsResponseName: 'good.example CNAME cdn.example; 2001:db8::7' },
  { DnsQuery: 'good.example', DnsResponseName: 'evil.example' },
  { DnsQuery: 'evil.examples', DnsResponseName: '192.0.2.7' },
];

/** Returns the `event|indicator row|branch` part of each hit of one hunt. */
function hitsOf(hits: readonly string[], huntId: string): string[] {
  return hits
    .filter((hit) => hit.startsWith(`${huntId}|`))
    .map((hit) => hit.slice(huntId.length + 1));
}

describe('DNS answer hunts', () => {
  let hunts: Hunt[];
  let session: DuckDbHuntSession;
  before(async () => {
    hunts = edgeHunts();
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('splits address lists into tokens', () => {
    assert.deepEqual(addressListTokens('1.2.3.4,5.6.7.8'), ['1.2.3.4', '5.6.7.8']);
    assert.deepEqual(addressListTokens(' [2001:db8::1] ; x '), ['2001:db8::1', 'x']);
    assert.deepEqual(addressListTokens('{"Response":"1.2.3.4"}'), ['Response', ':', '1.2.3.4']);
    assert.deepEqual(addressListTokens(''), []);
    assert.deepEqual(addressListTokens(null), []);
  });

  it('give answers no port-aware hunt', () => {
    const ids = hunts.map((hunt) => hunt.id);
    assert.ok(ids.includes('remcos-sentinel-dns-address-only'));
    assert.ok(ids.includes('remcos-sentinel-asimdns-address-only'));
    assert.ok(ids.includes('remcos-sentinel-asimdns-domain'));
    assert.ok(!ids.includes('remcos-sentinel-dns-port-aware'));
    assert.ok(!ids.includes('remcos-sentinel-asimdns-port-aware'));
    const dns = huntById(hunts, 'remcos-sentinel-dns-address-only');
    assert.deepEqual(dns.match, [
      {
        label: 'IPAddresses',
        keys: [
          {
            column: 'IPAddresses',
            addressList: true,
            iocColumn: 'IocAddress',
            normalization: 'ip',
          },
        ],
      },
    ]);
  });

  it('name the ASIM table and its connector', () => {
    const hunt = huntById(hunts, 'remcos-sentinel-asimdns-domain');
    assert.equal(hunt.source.table, 'ASimDnsActivityLogs');
    assert.equal(hunt.source.timeColumn, 'TimeGenerated');
    assert.match(hunt.source.connector, /Windows DNS Events via AMA/);
    assert.deepEqual(
      hunt.match.map((branch) => branch.label),
      ['DnsQuery'],
    );
    for (const column of ['DnsQuery', 'DnsResponseName', 'SrcIpAddr', 'EventResultDetails']) {
      assert.ok(hunt.project.includes(column), `project lacks ${column}`);
    }
  });

  it('agree on DnsEvents answers', async () => {
    const { duckdb, reference } = await hitsOnBothSides(session, hunts, 'DnsEvents', DNS_EVENTS);
    assert.deepEqual(duckdb, reference);
    assert.deepEqual(hitsOf(reference, 'remcos-sentinel-dns-address-only'), [
      '0|0|IPAddresses',
      '10|0|IPAddresses',
      '10|3|IPAddresses',
      '1|2|IPAddresses',
      '2|2|IPAddresses',
      '3|1|IPAddresses',
      '4|0|IPAddresses',
      '9|1|IPAddresses',
    ]);
    assert.deepEqual(hitsOf(reference, 'remcos-sentinel-dns-domain'), ['12|0|Name']);
  });

  it('agree on ASimDnsActivityLogs', async () => {
    const { duckdb, reference } = await hitsOnBothSides(
      session,
      hunts,
      'ASimDnsActivityLogs',
      ASIM_EVENTS,
    );
    assert.deepEqual(duckdb, reference);
    assert.deepEqual(hitsOf(reference, 'remcos-sentinel-asimdns-address-only'), [
      '1|0|DnsResponseName',
      '2|2|DnsResponseName',
      '3|1|DnsResponseName',
    ]);
    assert.deepEqual(hitsOf(reference, 'remcos-sentinel-asimdns-domain'), ['0|0|DnsQuery']);
  });

  it('compile to KQL that passes the check', () => {
    const tables = new Set(['DnsEvents', 'ASimDnsActivityLogs']);
    const dnsHunts = hunts.filter((hunt) => tables.has(hunt.source.table));
    assert.equal(dnsHunts.length, 4);
    for (const hunt of dnsHunts) {
      const query = compileKql(hunt, { generatorVersion: 'test' });
      if (hunt.variant === 'address-only') {
        assert.match(query, /\| extend MatchAddresses1_1 = extract_all\(/);
        assert.match(query, /make_set\(MatchKey1_1\)/);
      }
      const errors = checkKql(query, { platform: hunt.source.platform }).filter(
        (diagnostic) => diagnostic.severity === 'error',
      );
      assert.deepEqual(errors, [], `${hunt.id}\n${query}`);
    }
  });
});
