import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { evaluateHunt, hostOf, type EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import {
  addressKey,
  compilePrefilterSpec,
  EventPrefilter,
  hostKey,
} from '../../src/hunt/event-prefilter.js';
import { edgeHunts, huntById, makeIndicators } from '../helpers/hunt-fixtures.js';

/** Removes `where` and the exclusions, so that every event a branch matches is a hit. */
function branchesOnly(hunts: Hunt[]): Hunt[] {
  return hunts.map(({ where: _where, ...hunt }) => ({ ...hunt, exclusions: [] }));
}

/** Indexes of the events that any hunt on `table` matches in the reference evaluator. */
function matchedByEvaluator(hunts: Hunt[], table: string, events: EventRow[]): number[] {
  const matched = new Set<number>();
  for (const hunt of hunts.filter((candidate) => candidate.source.table === table)) {
    for (const hit of evaluateHunt(hunt, events)) matched.add(hit.eventIndex);
  }
  return [...matched].sort((a, b) => a - b);
}

function keptBy(prefilter: EventPrefilter, table: string, events: EventRow[]): number[] {
  return events.flatMap((event, index) => (prefilter.keeps(table, event) ? [index] : []));
}

function assertSuperset(kept: number[], matched: number[], events: EventRow[]): void {
  const keptSet = new Set(kept);
  for (const index of matched) {
    assert.ok(keptSet.has(index), `dropped matching event ${JSON.stringify(events[index])}`);
  }
}

/** Events that test each normalization's spellings, on the edge indicators. */
const CSL_EVENTS: EventRow[] = [
  { DestinationIP: '203.0.113.7', DestinationPort: 443 },
  { DestinationIP: '::ffff:203.0.113.7', DestinationPort: 443 },
  { DestinationIP: '::FFFF:CB00:7107', DestinationPort: 443 },
  { DestinationIP: '0:0:0:0:0:ffff:cb00:7107', DestinationPort: 1 },
  { DestinationIP: '2001:0DB8:0000:0000:0000:0000:0000:0007', DestinationPort: 8080 },
  { DestinationIP: 'FF02:0:0::FB' },
  { DestinationIP: '203.000.113.007', DestinationPort: 443 },
  { DestinationIP: 'fe80::1%eth0' },
  { SourceIP: '198.51.100.23', SourcePort: 4444, DeviceAction: 'Deny' },
  { SourceIP: '198.51.100.23', DeviceAction: 'allow' },
  { DestinationHostName: 'evil.example' },
  { DestinationHostName: 'A.EVIL.Example.' },
  { DestinationHostName: '  c2.BADHOST.test  ' },
  { DestinationHostName: 'badhost.test' },
  { DestinationHostName: 'notevil.example' },
  { DestinationHostName: 'evil.example:8443' },
  { DestinationHostName: 'user@x.evil.example' },
  { DestinationHostName: 'http://u@EVIL.example./path' },
  { DestinationHostName: '[2001:db8::1]:443' },
  { DestinationHostName: '' },
  { RequestURL: 'payload.example/a/b.php?id=1' },
  { RequestURL: 'HTTP://PAYLOAD.EXAMPLE:80/a/b.php?id=1#frag' },
  { RequestURL: 'https://payload.example/A/b.php?id=1' },
  { RequestURL: 'ftp://user:pw@drop.example' },
  { RequestURL: 'drop.example:443/' },
  { RequestURL: ' https://drop.example/\n' },
  { RequestURL: '//drop.example/' },
  { RequestURL: 'https://evil.example/path' },
  { RequestURL: '/pma/index.php' },
  { RequestURL: 'https://ÉVIL.example/' },
  { DestinationIP: '10.0.0.1', SourceIP: '10.0.0.2', DestinationHostName: 'intranet.local' },
  {},
];

describe('EventPrefilter', () => {
  const hunts = edgeHunts();
  const prefilter = EventPrefilter.of(hunts);

  it('keeps every event the evaluator matches', () => {
    const matched = matchedByEvaluator(branchesOnly(hunts), 'CommonSecurityLog', CSL_EVENTS);
    assert.ok(matched.length > 15, `only ${matched.length} fixture events match`);
    assertSuperset(keptBy(prefilter, 'CommonSecurityLog', CSL_EVENTS), matched, CSL_EVENTS);
  });

  it('drops events that no key can match', () => {
    const kept = new Set(keptBy(prefilter, 'CommonSecurityLog', CSL_EVENTS));
    for (const index of [6, 7, 13, 14, 19, 28, 30, 31]) {
      assert.ok(!kept.has(index), `kept ${JSON.stringify(CSL_EVENTS[index])}`);
    }
  });

  it('keeps an event with a non-ASCII host or URL', () => {
    assert.ok(prefilter.keeps('CommonSecurityLog', { RequestURL: 'https://ÉVIL.example/' }));
    assert.ok(prefilter.keeps('CommonSecurityLog', { DestinationHostName: 'x.évil.example' }));
  });

  it('keeps testing ASCII events when an indicator has a Unicode form', () => {
    // The domain table also contains bücher-evil.de, the Unicode form of the punycode indicator.
    const idnHunts = buildHunts(makeIndicators([['domain', 'xn--bcher-evil-9db.de']]), {
      family: 'Test',
      familySlug: 'test',
      lookback: { amount: 30, unit: 'd' },
    });
    const idn = EventPrefilter.of(idnHunts);
    const events: EventRow[] = [
      { DestinationHostName: 'bücher-evil.de' },
      { DestinationHostName: 'A.Bücher-Evil.DE' },
      { DestinationHostName: 'xn--bcher-evil-9db.de' },
      { DestinationHostName: 'benign.example' },
      { RequestURL: '/pma/index.php', DestinationHostName: '13.86.36.66' },
    ];
    const matched = matchedByEvaluator(branchesOnly(idnHunts), 'CommonSecurityLog', events);
    assert.deepEqual(matched, [0, 1, 2]);
    assert.deepEqual(keptBy(idn, 'CommonSecurityLog', events), [0, 1, 2]);
  });

  it('keeps every event the evaluator matches on the other tables', () => {
    const tables: Record<string, EventRow[]> = {
      DeviceNetworkEvents: [
        { RemoteIP: '::ffff:198.51.100.23', RemotePort: 1 },
        { RemoteIP: '2001:DB8:0:0:0:0:0:7', RemotePort: 8080 },
        { RemoteUrl: 'https://x.c2.badhost.test/login' },
        { RemoteUrl: 'c2.badhost.test.' },
        { RemoteUrl: 'PAYLOAD.example/a/b.php?id=1' },
        { RemoteUrl: 'other.test' },
      ],
      DnsEvents: [
        { Name: 'www.EVIL.example' },
        { Name: 'evil.example.' },
        { Name: 'evil.examples' },
        { Name: null },
      ],
      DeviceFileEvents: [
        { SHA256: 'ab'.repeat(32) },
        { SHA256: 'Ab'.repeat(32) },
        { MD5: 'C0FFEE00'.repeat(4) },
        { MD5: '' },
        { SHA1: 'cd'.repeat(20) },
      ],
    };
    for (const [table, events] of Object.entries(tables)) {
      const matched = matchedByEvaluator(branchesOnly(hunts), table, events);
      assert.ok(matched.length > 0, `no ${table} fixture matches`);
      const kept = keptBy(prefilter, table, events);
      assertSuperset(kept, matched, events);
      assert.ok(kept.length < events.length, `${table}: nothing dropped`);
    }
  });

  it('drops events of tables that no hunt reads', () => {
    assert.equal(prefilter.keeps('Syslog', { DestinationIP: '203.0.113.7' }), false);
  });

  it('keeps a whole table when a branch has only exact keys', () => {
    const [hunt] = hunts.filter((candidate) => candidate.variant === 'port-aware');
    const exactOnly: Hunt = {
      ...hunt!,
      match: [
        {
          label: 'port',
          keys: [{ column: 'DestinationPort', iocColumn: 'IocPort', normalization: 'exact' }],
        },
      ],
    };
    const spec = compilePrefilterSpec([exactOnly]);
    assert.equal(spec[exactOnly.source.table], 'all');
  });

  it('gives mapped and plain IPv4 the same address key', () => {
    assert.equal(addressKey('::ffff:1.2.3.4'), addressKey('1.2.3.4'));
    assert.equal(addressKey('0:0:0:0:0:FFFF:0102:0304'), addressKey('1.2.3.4'));
    assert.equal(addressKey('2001:db8::7'), addressKey('2001:0db8:0:0::0007'));
    assert.equal(addressKey('01.2.3.4'), undefined);
    assert.equal(addressKey('fe80::1%eth0'), undefined);
  });
});

describe('EventPrefilter on random events', () => {
  const hunts = buildHunts(
    makeIndicators([
      ['ip:port', '203.0.113.7:443'],
      ['ip:port', '[2001:db8::7]:8080'],
      ['ip', '198.51.100.23'],
      ['domain', 'evil.example'],
      ['domain', 'c2.badhost.test'],
      ['url', 'http://payload.example/a/b.php?id=1'],
      ['url', 'https://drop.example'],
    ]),
    { family: 'Remcos', familySlug: 'remcos', lookback: { amount: 30, unit: 'd' } },
  );
  const prefilter = EventPrefilter.of(hunts);
  let session: DuckDbHuntSession;
  before(async () => {
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  const caseOf = (text: string) =>
    fc
      .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
      .map((upper) => [...text].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join(''));
  const address = fc.oneof(
    fc.constantFrom(
      '203.0.113.7',
      '::ffff:203.0.113.7',
      '::ffff:cb00:7107',
      '0:0:0:0:0:ffff:cb00:7107',
      '2001:db8::7',
      '2001:0db8:0000::0007',
      '198.51.100.23',
      '198.51.100.024',
      '10.1.1.1',
      '',
    ),
    caseOf('::FFFF:c633:6417'),
    fc.string(),
  );
  const hostLike = fc
    .tuple(
      fc.constantFrom('', 'http://', 'HTTPS://', 'u@', ' ', '\t'),
      fc.constantFrom('', 'a.', 'x.y.', 'not', 'c2.'),
      fc.constantFrom('evil.example', 'badhost.test', 'c2.badhost.test', 'payload.example'),
      fc.constantFrom('', '.', ':80', ':443', ':8443', '/a/b.php?id=1', '/a/b.php?id=1#f', '/'),
      fc.constantFrom('', ' ', '\n'),
    )
    .chain(([scheme, sub, domain, rest, tail]) =>
      caseOf(domain).map((cased) => `${scheme}${sub}${cased}${rest}${tail}`),
    );
  const text = fc.oneof(hostLike, fc.string(), fc.constantFrom('drop.example', '//drop.example'));
  const event = fc.record(
    {
      DestinationIP: address,
      SourceIP: address,
      DestinationPort: fc.constantFrom(443, 8080, 1),
      SourcePort: fc.constantFrom(443, 8080, 1),
      DestinationHostName: text,
      RequestURL: text,
    },
    { requiredKeys: [] },
  );

  it('keeps every event that DuckDB or the evaluator matches', async () => {
    let matches = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 20 }), async (events) => {
        const kept = keptBy(prefilter, 'CommonSecurityLog', events);
        const matched = matchedByEvaluator(hunts, 'CommonSecurityLog', events);
        assertSuperset(kept, matched, events);
        const duckdb = await session.run('CommonSecurityLog', events);
        assertSuperset(
          kept,
          duckdb.map((hit) => hit.eventIndex),
          events,
        );
        matches += matched.length;
      }),
      { numRuns: 150 },
    );
    assert.ok(matches > 100, `only ${matches} random events matched`);
  });
});

describe('hostKey', () => {
  it('equals hostOf on host-like text', () => {
    const piece = fc.constantFrom(
      ' ',
      '\t',
      '\f',
      '\n',
      'http',
      'A1+.-',
      '://',
      ':',
      '/',
      '?',
      '#',
      '@',
      '[',
      ']',
      '.',
      'evil',
      'EXAMPLE',
      '2001:db8::1',
      'é',
      'K',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(piece, fc.string({ maxLength: 3 })), { maxLength: 12 }),
        (parts) => {
          const value = parts.join('');
          assert.equal(hostKey(value), hostOf(value), JSON.stringify(value));
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('compilePrefilterSpec', () => {
  it('merges the keys of large indicator tables', () => {
    const hunt = edgeHunts().find(
      (candidate) =>
        candidate.source.table === 'CommonSecurityLog' &&
        candidate.match[0]?.keys.some((key) => key.normalization === 'ip'),
    )!;
    const key = hunt.match[0]!.keys.find((candidate) => candidate.normalization === 'ip')!;
    const column = hunt.iocs.columns.findIndex((candidate) => candidate.name === key.iocColumn);
    const template = hunt.iocs.rows[0]!;
    const rows = Array.from({ length: 200_000 }, (_, i) => {
      const row = [...template];
      row[column] = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      return row;
    });
    const large: Hunt = { ...hunt, iocs: { ...hunt.iocs, rows } };
    // Two hunts with the same check: their key lists are merged into one.
    const spec = compilePrefilterSpec([large, { ...large, id: `${large.id}-copy` }]);
    const checks = spec.CommonSecurityLog;
    assert.ok(Array.isArray(checks));
    const merged = checks.find((check) => check.column === key.column)!;
    assert.equal(merged.keys.length, 200_000);
    const prefilter = new EventPrefilter(spec);
    assert.equal(prefilter.keeps('CommonSecurityLog', { [key.column]: '10.2.13.64' }), true);
    assert.equal(prefilter.keeps('CommonSecurityLog', { [key.column]: '10.4.0.0' }), false);
  });
});

describe('EventPrefilter columns with values', () => {
  const hunts = edgeHunts();
  const domainHunt = huntById(hunts, 'remcos-sentinel-csl-domain');
  const hashHunt = huntById(hunts, 'remcos-sentinel-csl-hash');
  const urlHunt = huntById(hunts, 'remcos-sentinel-csl-url');
  const portHunt = huntById(hunts, 'remcos-sentinel-csl-port-aware');

  it('names columns no event filled', () => {
    const prefilter = EventPrefilter.of(hunts);
    assert.deepEqual(prefilter.columnsNeverFilled(domainHunt), [
      'DestinationHostName',
      'RequestURL',
    ]);
    assert.deepEqual(prefilter.columnsNeverFilled(hashHunt), ['FileHash']);
    // A connection as a Zeek conn log gives it: addresses and ports only.
    prefilter.keeps('CommonSecurityLog', {
      SourceIP: '10.0.0.5',
      DestinationIP: '192.0.2.50',
      DestinationPort: 443,
      RequestURL: '',
      FileHash: null,
    });
    assert.deepEqual(prefilter.columnsNeverFilled(domainHunt), [
      'DestinationHostName',
      'RequestURL',
    ]);
    assert.deepEqual(prefilter.columnsNeverFilled(hashHunt), ['FileHash']);
    assert.equal(prefilter.columnsNeverFilled(portHunt), undefined);
  });

  it('counts a value in a dropped event', () => {
    const prefilter = EventPrefilter.of(hunts);
    const event = { RequestURL: 'https://benign.example/' };
    assert.equal(prefilter.keeps('CommonSecurityLog', event), false);
    assert.equal(prefilter.columnsNeverFilled(domainHunt), undefined);
    assert.deepEqual(prefilter.columnsNeverFilled(hashHunt), ['FileHash']);
  });

  it('counts values beside a kept column', () => {
    // The address check keeps the event first, and the hash is still recorded.
    const prefilter = EventPrefilter.of(hunts);
    const event = { DestinationIP: '203.0.113.7', FileHash: '00'.repeat(32) };
    assert.equal(prefilter.keeps('CommonSecurityLog', event), true);
    assert.equal(prefilter.columnsNeverFilled(hashHunt), undefined);
  });

  it('counts the fallback column', () => {
    const prefilter = EventPrefilter.of(hunts);
    prefilter.keeps('CommonSecurityLog', { DestinationHostName: '192.0.2.50' });
    assert.equal(prefilter.columnsNeverFilled(portHunt), undefined);
  });

  it('ignores a URL host column alone', () => {
    // A host without a path in RequestURL gives the URL key nothing to compare.
    const prefilter = EventPrefilter.of(hunts.filter((hunt) => hunt === urlHunt));
    prefilter.keeps('CommonSecurityLog', { DestinationHostName: 'drop.example' });
    assert.deepEqual(prefilter.columnsNeverFilled(urlHunt), ['RequestURL']);
  });

  it('treats a table kept whole as filled', () => {
    const prefilter = new EventPrefilter({ CommonSecurityLog: 'all' });
    assert.equal(prefilter.columnsNeverFilled(hashHunt), undefined);
    assert.deepEqual(prefilter.columnsWithValues(), {});
  });

  it('adds columns recorded elsewhere', () => {
    const worker = EventPrefilter.of(hunts);
    worker.keeps('CommonSecurityLog', { FileHash: 'ab' });
    worker.keeps('DnsEvents', { Name: 'example.com' });
    const seen = worker.columnsWithValues();
    assert.deepEqual(seen.CommonSecurityLog, ['FileHash']);
    assert.deepEqual(seen.DnsEvents, ['Name']);

    const main = EventPrefilter.of(hunts);
    main.addColumnsWithValues(structuredClone(seen));
    main.addColumnsWithValues(structuredClone(seen));
    assert.deepEqual(main.columnsWithValues(), seen);
    assert.equal(main.columnsNeverFilled(hashHunt), undefined);
    assert.deepEqual(main.columnsNeverFilled(domainHunt), ['DestinationHostName', 'RequestURL']);
    // Columns added after others stay recorded alongside them.
    main.keeps('CommonSecurityLog', { DestinationHostName: 'a.example' });
    assert.deepEqual(main.columnsWithValues().CommonSecurityLog, [
      'DestinationHostName',
      'FileHash',
    ]);
  });
});
