import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeIndicators } from '../../src/indicators/merge.js';
import type { Indicator, IndicatorContext, IpPortIndicator } from '../../src/indicators/model.js';
import { accept, rawIndicator } from './helpers.js';
import { ListProvenance, RecordProvenance } from '../../src/indicators/provenance.js';

const REMCOS = { name: 'Remcos', malpedia: 'win.remcos', aliases: ['RemcosRAT'] };

function ipPort(value: string, context: Partial<IndicatorContext>, line: number): Indicator {
  const raw = rawIndicator('ip-port', value, { context, source: { file: 'feed.csv', line } });
  return accept(raw).indicator;
}

/** Returns a deep copy of the indicators with their provenance lists read out. */
function snapshot(indicators: readonly Indicator[]): unknown {
  return structuredClone(
    indicators.map(({ provenance, ...rest }) => ({
      ...rest,
      origins: provenance.origins,
      sourceIds: provenance.sourceIds,
    })),
  );
}

test('merge keeps one indicator per kind and value', () => {
  const list = [
    ipPort('45.92.1.175:5220', {}, 1),
    ipPort('[::ffff:45.92.1.175]:5220', {}, 2),
    ipPort('45.92.1.175:5221', {}, 3),
    accept(rawIndicator('ip', '45.92.1.175')).indicator,
  ];
  const result = mergeIndicators(list);
  assert.equal(result.merged, 1);
  assert.deepEqual(
    result.indicators.map((indicator) => `${indicator.kind} ${indicator.value}`),
    ['ip-port 45.92.1.175:5220', 'ip-port 45.92.1.175:5221', 'ip 45.92.1.175'],
  );
});

test('merge combines dates, confidence and flags', () => {
  const first = ipPort(
    '1.2.3.4:80',
    {
      firstSeen: new Date('2026-04-02T00:00:00Z'),
      lastSeen: new Date('2026-04-05T00:00:00Z'),
      confidence: 50,
      threatType: 'payload_delivery',
      isCompromised: false,
    },
    1,
  );
  const second = ipPort(
    '1.2.3.4:80',
    {
      firstSeen: new Date('2026-04-01T00:00:00Z'),
      lastSeen: new Date('2026-04-03T00:00:00Z'),
      expires: new Date('2026-05-01T00:00:00Z'),
      confidence: 90,
      threatType: 'botnet_cc',
      isCompromised: true,
    },
    2,
  );
  const third = ipPort(
    '1.2.3.4:80',
    { confidence: 90, threatType: 'other', isCompromised: false },
    3,
  );
  const [merged] = mergeIndicators([first, second, third]).indicators;
  assert.equal(merged?.firstSeen?.toISOString(), '2026-04-01T00:00:00.000Z');
  assert.equal(merged?.lastSeen?.toISOString(), '2026-04-05T00:00:00.000Z');
  // The first and third records give no expiry date, so their feeds list it with no end.
  assert.equal(merged?.expires, undefined);
  assert.equal(merged?.confidence, 90);
  assert.equal(merged?.threatType, 'botnet_cc');
  assert.equal(merged?.isCompromised, true);
});

test('merge counts a first sighting without lastSeen', () => {
  const day = (text: string) => new Date(`${text}T00:00:00Z`);
  const cases: Array<{
    name: string;
    records: Array<Partial<IndicatorContext>>;
    firstSeen: string | undefined;
    lastSeen: string | undefined;
  }> = [
    {
      name: 'recent row without lastSeen after an old one',
      records: [
        { firstSeen: day('2026-12-01') },
        { firstSeen: day('2026-01-01'), lastSeen: day('2026-01-05') },
      ],
      firstSeen: '2026-01-01',
      lastSeen: '2026-12-01',
    },
    {
      name: 'old row first',
      records: [
        { firstSeen: day('2026-01-01'), lastSeen: day('2026-01-05') },
        { firstSeen: day('2026-12-01') },
      ],
      firstSeen: '2026-01-01',
      lastSeen: '2026-12-01',
    },
    {
      name: 'two rows without lastSeen',
      records: [{ firstSeen: day('2026-01-01') }, { firstSeen: day('2026-12-01') }],
      firstSeen: '2026-01-01',
      lastSeen: '2026-12-01',
    },
    {
      name: 'later lastSeen wins over a first sighting',
      records: [
        { firstSeen: day('2026-03-01') },
        { firstSeen: day('2026-01-01'), lastSeen: day('2026-06-01') },
      ],
      firstSeen: '2026-01-01',
      lastSeen: '2026-06-01',
    },
    {
      name: 'a row without times adds none',
      records: [{ firstSeen: day('2026-03-01') }, {}],
      firstSeen: '2026-03-01',
      lastSeen: undefined,
    },
  ];
  for (const { name, records, firstSeen, lastSeen } of cases) {
    const list = records.map((context, index) => ipPort('5.6.7.8:443', context, index + 1));
    const [merged] = mergeIndicators(list).indicators;
    assert.equal(merged?.firstSeen?.toISOString().slice(0, 10), firstSeen, name);
    assert.equal(merged?.lastSeen?.toISOString().slice(0, 10), lastSeen, name);
  }
});

test('merge takes the latest expiry when every record has one', () => {
  const expiring = (expires: string, id: number) =>
    ipPort('1.2.3.4:80', { expires: new Date(expires) }, id);
  const [merged] = mergeIndicators([
    expiring('2026-05-01T00:00:00Z', 1),
    expiring('2026-07-01T00:00:00Z', 2),
    expiring('2026-06-01T00:00:00Z', 3),
  ]).indicators;
  assert.equal(merged?.expires?.toISOString(), '2026-07-01T00:00:00.000Z');
});

test('merge takes a threat type when the best record has none', () => {
  const first = ipPort('1.2.3.4:80', { confidence: 40 }, 1);
  const second = ipPort('1.2.3.4:80', { threatType: 'botnet_cc' }, 2);
  const [merged] = mergeIndicators([first, second]).indicators;
  assert.equal(merged?.threatType, 'botnet_cc');
  assert.equal(merged?.confidence, 40);
});

test('merge unites lists in first-seen order', () => {
  const first = ipPort(
    '1.2.3.4:80',
    {
      tags: ['RAT', 'c2'],
      references: ['https://a'],
      reporters: ['x'],
      provenance: new ListProvenance([], ['threatfox:1']),
    },
    1,
  );
  const second = ipPort(
    '1.2.3.4:80',
    {
      tags: ['C2', 'remcos'],
      references: ['https://b', 'https://a'],
      reporters: ['y', 'x'],
      provenance: new ListProvenance([], ['misp:9']),
    },
    2,
  );
  const [merged] = mergeIndicators([first, second, second]).indicators;
  assert.deepEqual(merged?.tags, ['RAT', 'c2', 'remcos']);
  assert.deepEqual(merged?.references, ['https://a', 'https://b']);
  assert.deepEqual(merged?.reporters, ['x', 'y']);
  assert.deepEqual(merged?.provenance.sourceIds, ['threatfox:1', 'misp:9']);
  assert.deepEqual(merged?.provenance.origins, [
    { file: 'feed.csv', line: 1 },
    { file: 'feed.csv', line: 2 },
  ]);
});

test('merge keeps the first family and unites aliases', () => {
  const first = ipPort('1.2.3.4:80', {}, 1);
  const second = ipPort('1.2.3.4:80', { family: REMCOS }, 2);
  const third = ipPort(
    '1.2.3.4:80',
    { family: { name: 'Remcos RAT', malpedia: 'win.remcos', aliases: ['remcosrat', 'Socmer'] } },
    3,
  );
  const other = ipPort('1.2.3.4:80', { family: { name: 'AsyncRAT', aliases: [] } }, 4);
  const result = mergeIndicators([first, second, third, other]);
  assert.deepEqual(result.indicators[0]?.family, {
    name: 'Remcos',
    malpedia: 'win.remcos',
    aliases: ['RemcosRAT', 'Remcos RAT', 'Socmer'],
  });
  assert.equal(result.familyConflicts.length, 1);
  const [conflict] = result.familyConflicts;
  assert.equal(conflict?.kept.name, 'Remcos');
  assert.equal(conflict?.other.name, 'AsyncRAT');
  assert.equal(conflict?.indicator.value, '1.2.3.4:80');
  assert.deepEqual(conflict?.origin, other.provenance.origins[0]);
});

test('merge leaves its input unchanged', () => {
  const first = ipPort('1.2.3.4:80', { tags: ['a'], family: REMCOS, confidence: 10 }, 1);
  const second = ipPort('1.2.3.4:80', { tags: ['b'], family: REMCOS, confidence: 90 }, 2);
  const before = snapshot([first, second]);
  const result = mergeIndicators([first, second]);
  assert.deepEqual(snapshot([first, second]), before);
  assert.notEqual(result.indicators[0], first);
  const single = ipPort('5.6.7.8:80', {}, 3);
  assert.equal(mergeIndicators([single]).indicators[0], single);
});

test('merge of a million indicators', () => {
  const template = ipPort('1.2.3.4:80', { family: REMCOS, tags: ['RAT'], confidence: 75 }, 1);
  const list: Indicator[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    const n = i % 600_000;
    const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const indicator: IpPortIndicator = {
      ...(template as IpPortIndicator),
      value: `${address}:80`,
      address,
      provenance: RecordProvenance.of(
        { file: 'feed.csv', line: i + 1, id: String(i) },
        'threatfox:',
      ),
    };
    list.push(indicator);
  }

  // Speed is measured by `npm run bench`, not here: a timed test fails on a loaded machine.
  const result = mergeIndicators(list);
  assert.equal(result.indicators.length, 600_000);
  assert.equal(result.merged, 400_000);
  assert.deepEqual(result.indicators[0]?.provenance.sourceIds, ['threatfox:0', 'threatfox:600000']);
  assert.deepEqual(result.indicators[599_999]?.provenance.sourceIds, ['threatfox:599999']);
});

test('named family replaces unknown malware', () => {
  const unknown = { name: 'Unknown malware', aliases: [] };
  const first = ipPort('1.2.3.4:80', { family: unknown }, 1);
  const second = ipPort('1.2.3.4:80', { family: REMCOS }, 2);
  const third = ipPort('1.2.3.4:80', { family: unknown }, 3);
  const result = mergeIndicators([first, second, third]);
  assert.equal(result.indicators[0]?.family?.name, 'Remcos');
  assert.equal(result.familyConflicts.length, 0);
  assert.equal(first.family?.name, 'Unknown malware', 'the input is unchanged');
});

const REDLINE = { name: 'RedLine Stealer', malpedia: 'win.redline_stealer', aliases: [] };
const COBALT = { name: 'Cobalt Strike', malpedia: 'win.cobalt_strike', aliases: ['BEACON'] };
const ASYNC_RAT = { name: 'AsyncRAT', malpedia: 'win.asyncrat', aliases: [] };

/** Returns records of one address read as RedLine Stealer, Cobalt Strike, AsyncRAT, Cobalt Strike. */
function conflictingRecords(): Indicator[] {
  return [
    ipPort('81.2.69.142:80', { family: REDLINE }, 1),
    ipPort('81.2.69.142:80', { family: COBALT }, 2),
    ipPort('81.2.69.142:80', { family: ASYNC_RAT }, 3),
    ipPort('81.2.69.142:80', { family: { ...COBALT, aliases: ['CobaltStrike'] } }, 4),
  ];
}

test('merge without request keeps first family', () => {
  const result = mergeIndicators(conflictingRecords());
  assert.equal(result.indicators[0]?.family?.name, 'RedLine Stealer');
  assert.equal(result.familyConflicts.length, 3);
  for (const conflict of result.familyConflicts) {
    assert.equal(conflict.kept.name, 'RedLine Stealer');
    assert.equal(conflict.first, conflict.kept);
  }
});

test('merge gives conflict the requested family', () => {
  const records = conflictingRecords();
  const before = snapshot(records);
  const result = mergeIndicators(records, { requestedFamilies: ['cobalt strike'] });
  assert.equal(result.indicators.length, 1);
  assert.deepEqual(result.indicators[0]?.family, {
    name: 'Cobalt Strike',
    malpedia: 'win.cobalt_strike',
    aliases: ['BEACON', 'CobaltStrike'],
  });
  assert.deepEqual(
    result.familyConflicts.map((conflict) => conflict.other.name),
    ['Cobalt Strike', 'AsyncRAT', 'Cobalt Strike'],
  );
  for (const conflict of result.familyConflicts) {
    assert.equal(conflict.kept.name, 'Cobalt Strike');
    assert.equal(conflict.first.name, 'RedLine Stealer');
    assert.equal(conflict.indicator, result.indicators[0]);
  }
  assert.deepEqual(snapshot(records), before, 'the input is unchanged');
});

test('merge takes requested family in read order', () => {
  // Cobalt Strike is read before AsyncRAT, so it wins whatever the order of the request.
  const result = mergeIndicators(conflictingRecords(), {
    requestedFamilies: ['win.asyncrat', 'Cobalt Strike'],
  });
  assert.equal(result.indicators[0]?.family?.name, 'Cobalt Strike');

  const asyncFirst = [
    ipPort('81.2.69.142:80', { family: REDLINE }, 1),
    ipPort('81.2.69.142:80', { family: ASYNC_RAT }, 2),
    ipPort('81.2.69.142:80', { family: COBALT }, 3),
  ];
  const other = mergeIndicators(asyncFirst, { requestedFamilies: ['Cobalt Strike', 'AsyncRAT'] });
  assert.equal(other.indicators[0]?.family?.name, 'AsyncRAT');
});

test('merge keeps a requested first family', () => {
  const result = mergeIndicators(conflictingRecords(), {
    requestedFamilies: ['BEACON', 'RedLine Stealer'],
  });
  assert.equal(result.indicators[0]?.family?.name, 'RedLine Stealer');
  assert.equal(result.familyConflicts[0]?.first, result.familyConflicts[0]?.kept);
});

test('merge ignores a request no record names', () => {
  const result = mergeIndicators(conflictingRecords(), { requestedFamilies: ['Remcos'] });
  assert.equal(result.indicators[0]?.family?.name, 'RedLine Stealer');
  assert.equal(result.familyConflicts[0]?.kept.name, 'RedLine Stealer');
});

test('merge reads the other families of one record', () => {
  const remcos = { name: 'Remcos', aliases: [] };
  const asyncRat = { name: 'AsyncRAT', aliases: [] };
  const record = ipPort('5.6.7.8:80', { family: remcos, otherFamilies: [asyncRat, remcos] }, 1);

  const plain = mergeIndicators([record]);
  assert.equal(plain.indicators[0]?.family?.name, 'Remcos');
  assert.deepEqual(
    plain.familyConflicts.map((conflict) => [conflict.kept.name, conflict.other.name]),
    [['Remcos', 'AsyncRAT']],
    'the own family is no conflict',
  );

  const requested = mergeIndicators([record], { requestedFamilies: ['AsyncRAT'] });
  assert.equal(requested.indicators[0]?.family?.name, 'AsyncRAT');
  assert.equal(requested.familyConflicts[0]?.first.name, 'Remcos');
  assert.equal(record.family?.name, 'Remcos', 'the input keeps its family');
});
