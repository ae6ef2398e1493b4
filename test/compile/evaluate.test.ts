import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFilter, evaluateHunt, hostOf, ipNumber } from '../../src/compile/evaluate.js';
import { assertKeyShape, fallbackPort, type FilterExpr, type Hunt } from '../../src/compile/ir.js';
import type { ValueKind } from '../../src/compile/hit-columns.js';
import { edgeHunts } from '../helpers/hunt-fixtures.js';

const KINDS = new Map<string, ValueKind>([
  ['DeviceAction', 'string'],
  ['SourceIP', 'string'],
  ['DestinationPort', 'number'],
  ['TimeGenerated', 'datetime'],
]);

function holds(filter: FilterExpr, row: Record<string, unknown>): boolean {
  return evaluateFilter(filter, row, KINDS);
}

describe('hostOf', () => {
  const cases: Array<[string, string]> = [
    ['evil.com', 'evil.com'],
    ['A.Evil.COM.', 'a.evil.com'],
    [' http://user:pw@Evil.com:8080/x?y#z ', 'evil.com'],
    ['evil.com/a@b', 'evil.com'],
    ['[2001:DB8::1]:443/x', '[2001:db8::1]'],
    ['[2001:db8::1/x', '[2001'],
    ['', ''],
  ];
  for (const [value, host] of cases) {
    it(`reads the host of ${JSON.stringify(value)}`, () => assert.equal(hostOf(value), host));
  }
});

describe('ipNumber', () => {
  it('equates IPv4-mapped IPv6 with IPv4', () => {
    assert.equal(ipNumber('::ffff:1.2.3.4'), ipNumber('1.2.3.4'));
    assert.equal(ipNumber('::FFFF:0102:0304'), ipNumber('1.2.3.4'));
  });
  it('compares IPv6 canonically', () => {
    assert.equal(ipNumber('ff02:0000:0000:0000:0000:0000:0000:00fb'), ipNumber('ff02::fb'));
  });
  it('rejects ambiguous and zoned addresses', () => {
    for (const value of ['010.1.1.1', '127.1', '0x7f.0.0.1', 'fe80::1%eth0', '1.2.3.4:80', 42]) {
      assert.equal(ipNumber(value), undefined, String(value));
    }
  });
});

describe('evaluateFilter', () => {
  it('reads a missing string column as empty', () => {
    assert.equal(holds({ kind: 'compare', column: 'DeviceAction', op: '==', value: '' }, {}), true);
    assert.equal(
      holds({ kind: 'compare', column: 'DeviceAction', op: '!=', value: 'x' }, {}),
      true,
    );
    assert.equal(holds({ kind: 'empty', column: 'DeviceAction' }, {}), true);
  });
  it('makes a comparison on a missing number false', () => {
    const filter: FilterExpr = { kind: 'compare', column: 'DestinationPort', op: '!=', value: 443 };
    assert.equal(holds(filter, {}), false);
    assert.equal(holds({ kind: 'not', term: filter }, {}), true);
  });
  it('ignores case in in and text operators', () => {
    assert.equal(
      holds(
        { kind: 'in', column: 'DeviceAction', values: ['deny'], caseInsensitive: true },
        { DeviceAction: 'DENY' },
      ),
      true,
    );
    assert.equal(
      holds({ kind: 'in', column: 'DeviceAction', values: ['deny'] }, { DeviceAction: 'DENY' }),
      false,
    );
    assert.equal(
      holds(
        { kind: 'text', column: 'DeviceAction', op: 'startswith', value: 'RES' },
        { DeviceAction: 'reset-both' },
      ),
      true,
    );
    assert.equal(
      holds(
        { kind: 'text', column: 'DestinationPort', op: 'endswith', value: '43' },
        { DestinationPort: 443 },
      ),
      true,
    );
  });
  it('never matches a literal of another type', () => {
    assert.equal(
      holds(
        { kind: 'compare', column: 'DestinationPort', op: '==', value: '443' },
        { DestinationPort: 443 },
      ),
      false,
    );
    assert.equal(
      holds({ kind: 'compare', column: 'Unknown', op: '==', value: 'x' }, { Unknown: 'x' }),
      false,
    );
  });
  it('puts IPv4-mapped addresses in IPv4 ranges', () => {
    const filter: FilterExpr = {
      kind: 'cidr',
      column: 'SourceIP',
      ranges: ['10.0.0.0/8', 'not a range'],
    };
    assert.equal(holds(filter, { SourceIP: '::ffff:10.1.2.3' }), true);
    assert.equal(holds(filter, { SourceIP: '11.0.0.1' }), false);
    assert.equal(
      holds(
        { kind: 'cidr', column: 'SourceIP', ranges: ['::ffff:0:0/96'] },
        { SourceIP: '8.8.8.8' },
      ),
      true,
    );
    assert.equal(holds(filter, {}), false);
  });
});

describe('evaluateHunt', () => {
  const hunt = edgeHunts().find(
    (candidate) => candidate.id === 'remcos-sentinel-csl-address-only',
  )!;
  it('drops a denied inbound probe and keeps the allowed one', () => {
    const events = [
      { SourceIP: '198.51.100.23', DeviceAction: 'Blocked' },
      { SourceIP: '198.51.100.23', DeviceAction: 'allow' },
    ];
    assert.deepEqual(
      evaluateHunt(hunt, events).map((hit) => [hit.eventIndex, hit.matchedOn]),
      [[1, 'source']],
    );
  });
  it('counts the lookback back from now', () => {
    const events = [
      { DestinationIP: '198.51.100.23', TimeGenerated: new Date('2024-02-29T00:00:00Z') },
      { DestinationIP: '198.51.100.23', TimeGenerated: new Date('2024-01-01T00:00:00Z') },
      { DestinationIP: '198.51.100.23' },
    ];
    const now = new Date('2024-03-01T00:00:00Z');
    assert.deepEqual(
      evaluateHunt(hunt, events, { now }).map((hit) => hit.eventIndex),
      [0],
    );
    assert.deepEqual(
      evaluateHunt(hunt, events).map((hit) => hit.eventIndex),
      [0, 1, 2],
    );
  });
});

describe('fallbackPort', () => {
  const cases: Array<[unknown, number | undefined]> = [
    ['45.9.148.10:4444', 4444],
    ['[2a01:4f8:1c1c::5]:443', 443],
    ['[2A01:4F8::5]:8080', 8080],
    ['45.9.148.10:04444', 4444],
    ['45.9.148.10', undefined],
    ['[2a01:4f8:1c1c::5]', undefined],
    ['2a01:4f8:1c1c::5', undefined],
    ['2a01:4f8:1c1c::4444', undefined],
    ['1::4444', undefined],
    ['45.9.148.10:123456', undefined],
    ['host.test:4444', undefined],
    ['45.9.148.10:', undefined],
    [4444, undefined],
    [null, undefined],
  ];
  for (const [value, port] of cases) {
    it(`reads the port of ${JSON.stringify(value)}`, () => assert.equal(fallbackPort(value), port));
  }
});

describe('assertKeyShape', () => {
  const port = { column: 'DestinationPort', iocColumn: 'IocPort', normalization: 'exact' } as const;
  it('accepts a port key with its fallback', () => {
    assert.doesNotThrow(() =>
      assertKeyShape({
        ...port,
        fallbackColumn: 'DestinationHostName',
        addressColumn: 'DestinationIP',
      }),
    );
  });
  it('rejects a port fallback without address column', () => {
    assert.throws(
      () => assertKeyShape({ ...port, fallbackColumn: 'DestinationHostName' }),
      /has fallbackColumn DestinationHostName, which only ip keys and exact keys with an addressColumn can have/,
    );
  });
  it('rejects an address column without fallback', () => {
    assert.throws(
      () => assertKeyShape({ ...port, addressColumn: 'DestinationIP' }),
      /has addressColumn DestinationIP, which only exact keys with a fallbackColumn can have/,
    );
  });
  it('rejects an address column on an ip key', () => {
    assert.throws(
      () =>
        assertKeyShape({
          column: 'DestinationIP',
          fallbackColumn: 'DestinationHostName',
          addressColumn: 'DestinationIP',
          iocColumn: 'IocAddress',
          normalization: 'ip',
        }),
      /has addressColumn DestinationIP/,
    );
  });
});

describe('evaluateHunt port key', () => {
  const hunt = edgeHunts().find((candidate) => candidate.id === 'remcos-sentinel-csl-port-aware')!;
  const [address, port] = hunt.iocs.rows[0]!;
  const events = [
    { DestinationIP: '-', DestinationHostName: `${String(address)}:${String(port)}` },
    { DestinationIP: '-', DestinationHostName: `${String(address)}:1`, DestinationPort: port },
  ];

  it('reads the dhost port after a dhost address', () => {
    assert.deepEqual(
      evaluateHunt(hunt, events).map((hit) => hit.eventIndex),
      [0],
    );
  });

  it('reads only DestinationPort without fallback', () => {
    // The port key of a pack written before format version 8.
    const olderForm: Hunt = {
      ...hunt,
      match: hunt.match.map((branch) => ({
        ...branch,
        keys: branch.keys.map((key) =>
          key.normalization === 'exact'
            ? { column: key.column, iocColumn: key.iocColumn, normalization: key.normalization }
            : key,
        ),
      })),
    };
    assert.deepEqual(
      evaluateHunt(olderForm, events).map((hit) => hit.eventIndex),
      [1],
    );
  });
});
