import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DuckDbHuntSession } from '../../../src/backends/duckdb/duckdb.session.js';
import type { EventRow } from '../../../src/compile/evaluate.js';
import type { Hunt } from '../../../src/compile/ir.js';
import { hitsOnBothSides } from '../../helpers/agreement.js';
import { edgeHunts } from '../../helpers/hunt-fixtures.js';

const NOW = new Date('2024-03-01T00:00:00Z');
const RECENT = new Date('2024-02-20T12:00:00Z');
const OLD = new Date('2023-06-01T00:00:00Z');

/** Events of every table with the cases where normalizations and exclusions go wrong. */
const FIXTURES: Record<string, EventRow[]> = {
  CommonSecurityLog: [
    {
      DestinationIP: '203.0.113.7',
      DestinationPort: 443,
      SourceIP: '10.0.0.1',
      SourcePort: 50000,
      DeviceAction: 'allow',
    },
    { DestinationIP: '::ffff:203.0.113.7', DestinationPort: 443, DeviceAction: 'allow' },
    { DestinationIP: '::FFFF:CB00:7107', DestinationPort: 443 },
    { DestinationIP: '203.0.113.7', DestinationPort: 444 },
    { DestinationIP: '203.0.113.7' },
    { DestinationIP: '2001:0db8:0000:0000:0000:0000:0000:0007', DestinationPort: 8080 },
    { DestinationIP: '2001:db8::7' },
    { DestinationIP: 'ff02:0000:0000:0000:0000:0000:0000:00fb' },
    { DestinationIP: '203.000.113.007', DestinationPort: 443 },
    { DestinationIP: 'fe80::1%eth0' },
    {
      SourceIP: '198.51.100.23',
      SourcePort: 4444,
      DestinationIP: '10.0.0.9',
      DeviceAction: 'Deny',
    },
    {
      SourceIP: '198.51.100.23',
      SourcePort: 4444,
      DestinationIP: '10.0.0.9',
      DeviceAction: 'RESET-BOTH',
    },
    {
      SourceIP: '198.51.100.23',
      SourcePort: 4444,
      DestinationIP: '10.0.0.9',
      DeviceAction: 'allow',
    },
    { SourceIP: '198.51.100.23', SourcePort: 4444, DestinationIP: '10.0.0.9' },
    { SourceIP: '198.51.100.23', DestinationIP: '198.51.100.23', DeviceAction: 'drop' },
    { DestinationHostName: 'evil.example' },
    { DestinationHostName: 'A.Evil.Example.' },
    { DestinationHostName: 'notevil.example' },
    { DestinationHostName: 'evil.example.attacker.test' },
    { DestinationHostName: '  c2.BADHOST.test  ' },
    { DestinationHostName: 'badhost.test' },
    { DestinationHostName: 'evil.example:8443' },
    { DestinationHostName: 'user@evil.example' },
    { DestinationHostName: '[2001:db8::1]:443' },
    { DestinationHostName: '' },
    { DestinationHostName: '[2001:db8::1/x' },
    { RequestURL: 'payload.example/a/b.php?id=1' },
    { RequestURL: 'HTTP://PAYLOAD.EXAMPLE:80/a/b.php?id=1#frag' },
    { RequestURL: 'https://payload.example/a/b.php?id=2' },
    { RequestURL: 'https://payload.example/A/b.php?id=1' },
    { RequestURL: 'ftp://user:pw@drop.example' },
    { RequestURL: 'drop.example:443/' },
    { RequestURL: 'drop.example?x=1' },
    { RequestURL: 'https://evil.example/path' },
    { RequestURL: ' https://drop.example/\n' },
    { RequestURL: '//drop.example/' },
    { RequestURL: 'sub.payload.example/a/b.php?id=1' },
  ],
  DeviceNetworkEvents: [
    { RemoteIP: '203.0.113.7', RemotePort: 443, InitiatingProcessFileName: 'nmap.exe' },
    { RemoteIP: '::ffff:198.51.100.23', RemotePort: 1 },
    { RemoteIP: '2001:DB8:0:0:0:0:0:7', RemotePort: 8080 },
    { RemoteUrl: 'https://x.c2.badhost.test/login' },
    { RemoteUrl: 'drop.example' },
    { RemoteUrl: 'payload.example/a/b.php?id=1' },
    { RemoteUrl: 'c2.badhost.test.' },
    { RemoteIP: '', RemotePort: 443 },
  ],
  DnsEvents: [
    { Name: 'evil.example' },
    { Name: 'www.EVIL.example' },
    { Name: 'evil.example.' },
    { Name: 'evil.examples' },
    { Name: 'example' },
    { Name: null },
    { Name: 'cdn.example', IPAddresses: '192.0.2.1,203.0.113.7' },
    { Name: 'cdn.example', IPAddresses: '::FFFF:CB00:7107, 203.0.113.7' },
    { Name: 'cdn.example', IPAddresses: '203.000.113.007,fe80::1%eth0,[ff02::fb]' },
    { Name: 'evil.example', IPAddresses: '198.51.100.230' },
  ],
  ASimDnsActivityLogs: [
    { DnsQuery: 'A.Evil.Example.', DnsResponseName: '198.51.100.23' },
    { DnsQuery: 'notevil.example', DnsResponseName: 'cdn.example 2001:db8:0::7' },
    { DnsQuery: 'cdn.example', DnsResponseName: '{"Response":"203.0.113.7"}' },
    { DnsQuery: 'cdn.example', DnsResponseName: '203.0.113.7.example' },
    { DnsQuery: null, DnsResponseName: null },
  ],
  DeviceFileEvents: [
    { SHA256: 'ab'.repeat(32), InitiatingProcessFileName: 'explorer.exe' },
    { SHA256: 'AB'.repeat(32), InitiatingProcessFileName: 'MsMpEng.exe' },
    { SHA256: 'Ab'.repeat(32), InitiatingProcessFileName: 'msmpeng.EXE' },
    { MD5: 'C0FFEE00'.repeat(4) },
    { MD5: '' },
    { SHA1: 'ab'.repeat(20) },
  ],
  UrlClickEvents: [
    { Url: 'https://drop.example' },
    { Url: 'https://drop.example:8443/' },
    { Url: 'http://payload.example/a/b.php?id=1' },
  ],
};

describe('DuckDB and the reference evaluator', () => {
  let hunts: Hunt[];
  let session: DuckDbHuntSession;
  before(async () => {
    hunts = edgeHunts();
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  for (const [table, events] of Object.entries(FIXTURES)) {
    it(`agree on the ${table} fixtures`, async () => {
      const { duckdb, reference } = await hitsOnBothSides(session, hunts, table, events);
      assert.deepEqual(duckdb, reference);
      assert.ok(reference.length > 0, 'the fixtures must produce hits');
    });
  }

  it('match the expected CommonSecurityLog events', async () => {
    const { reference } = await hitsOnBothSides(
      session,
      hunts,
      'CommonSecurityLog',
      FIXTURES.CommonSecurityLog!,
    );
    const events = (id: string) =>
      [
        ...new Set(
          reference
            .filter((hit) => hit.startsWith(`${id}|`))
            .map((hit) => Number(hit.split('|')[1])),
        ),
      ].sort((a, b) => a - b);
    assert.deepEqual(events('remcos-sentinel-csl-port-aware'), [0, 1, 2, 5]);
    // Events 10 and 11 are denied inbound probes. Event 13 has no action and stays, and event 14
    // stays through its destination branch.
    assert.deepEqual(
      events('remcos-sentinel-csl-address-only'),
      [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14],
    );
    // Events 26 to 34 and 36 match through the hosts of the URL indicators on payload.example
    // and drop.example, which join the domain table.
    assert.deepEqual(
      events('remcos-sentinel-csl-domain'),
      [15, 16, 19, 21, 22, 26, 27, 28, 29, 30, 31, 32, 33, 34, 36],
    );
    assert.deepEqual(events('remcos-sentinel-csl-url'), [26, 27, 30, 31, 34]);
  });

  it('agree on random events', async () => {
    const pick = <T>(...values: T[]) => fc.constantFrom(...values);
    const address = pick(
      '203.0.113.7',
      '::ffff:203.0.113.7',
      '198.51.100.23',
      '2001:db8::7:8080',
      'ff02::00fb',
      '10.1.1.1',
      'x',
      '',
      null,
    );
    const port = pick(443, 8080, 4444, 80, null);
    const host = pick(
      'evil.example',
      'EVIL.example.',
      'b.c2.badhost.test',
      'notevil.example',
      'http://u@evil.example:80/a',
      'evil',
      '',
      null,
    );
    const url = pick(
      'http://payload.example/a/b.php?id=1',
      'payload.example:80/a/b.php?id=1',
      'drop.example',
      'https://a@DROP.example:443',
      'drop.example#x',
      'http://payload.example./a/b.php?id=1',
      'drop.example.:443',
      'drop.example..',
      '/a',
      null,
    );
    const action = pick('deny', 'Blocked', 'allow', 'accept', null);
    const event = fc.record({
      DestinationIP: address,
      DestinationPort: port,
      SourceIP: address,
      SourcePort: port,
      DeviceAction: action,
      DestinationHostName: host,
      RequestURL: url,
      TimeGenerated: pick(RECENT, OLD, null),
    });
    const windowed = await DuckDbHuntSession.open(hunts, { now: NOW });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(event, { maxLength: 12 }), async (events) => {
          const plain = await hitsOnBothSides(session, hunts, 'CommonSecurityLog', events);
          assert.deepEqual(plain.duckdb, plain.reference);
          const recent = await hitsOnBothSides(windowed, hunts, 'CommonSecurityLog', events, NOW);
          assert.deepEqual(recent.duckdb, recent.reference);
        }),
        { numRuns: 60 },
      );
    } finally {
      windowed.close();
    }
  });

  it('apply the lookback window only when now is given', async () => {
    const events = [
      { DestinationIP: '203.0.113.7', DestinationPort: 443, TimeGenerated: RECENT },
      { DestinationIP: '203.0.113.7', DestinationPort: 443, TimeGenerated: OLD },
      { DestinationIP: '203.0.113.7', DestinationPort: 443 },
    ];
    const windowed = await DuckDbHuntSession.open(hunts, { now: NOW });
    try {
      const inWindow = await hitsOnBothSides(windowed, hunts, 'CommonSecurityLog', events, NOW);
      assert.deepEqual(inWindow.duckdb, inWindow.reference);
      assert.ok(inWindow.duckdb.every((hit) => hit.split('|')[1] === '0'));
      const all = await hitsOnBothSides(session, hunts, 'CommonSecurityLog', events);
      assert.deepEqual(
        new Set(all.duckdb.map((hit) => hit.split('|')[1])),
        new Set(['0', '1', '2']),
      );
    } finally {
      windowed.close();
    }
  });
});
