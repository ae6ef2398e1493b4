import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FamilyConflict } from '../../src/indicators/merge.js';
import type { Indicator, MalwareFamily } from '../../src/indicators/model.js';
import { RecordProvenance } from '../../src/indicators/provenance.js';
import { FamilyCopies } from '../../src/pipeline/family-copies.js';

function family(name: string, malpedia?: string): MalwareFamily {
  return malpedia ? { name, malpedia, aliases: [] } : { name, aliases: [] };
}

function domain(value: string, of: MalwareFamily): Indicator {
  return {
    kind: 'domain',
    value,
    domain: value,
    family: of,
    tags: [],
    references: [],
    reporters: [],
    provenance: RecordProvenance.of({ file: 'feed.csv', line: 2 }),
  };
}

const remcos = family('Remcos', 'win.remcos');
const asyncRat = family('AsyncRAT', 'win.asyncrat');
const njrat = family('njRAT', 'win.njrat');

test('copies follow their indicator', () => {
  const shared = domain('shared.example', remcos);
  const alone = domain('alone.example', remcos);
  const conflicts: FamilyConflict[] = [
    { indicator: shared, kept: remcos, first: remcos, other: asyncRat },
    { indicator: shared, kept: remcos, first: remcos, other: njrat },
    // A second record of a family already copied adds no copy.
    { indicator: shared, kept: remcos, first: remcos, other: family('ASYNCRAT', 'WIN.ASYNCRAT') },
  ];
  const copies = new FamilyCopies(conflicts);
  const entries = copies.expand([shared, alone]);
  assert.deepEqual(
    entries.map((entry) => `${entry.value} ${entry.family?.name}`),
    [
      'shared.example Remcos',
      'shared.example AsyncRAT',
      'shared.example njRAT',
      'alone.example Remcos',
    ],
  );
  assert.equal(copies.size, 1);
  assert.equal(copies.isCopy(entries[0]!), false);
  assert.equal(copies.isCopy(entries[1]!), true);
  assert.equal(copies.countDistinct(entries), 2);
  assert.equal(copies.countDistinct([entries[1]!, entries[2]!]), 1);
  // The original keeps its family.
  assert.equal(shared.family, remcos);
});

test('copies skip the kept family', () => {
  const moved = domain('moved.example', asyncRat);
  // --family AsyncRAT moved the indicator from Remcos, its first family, to AsyncRAT.
  const conflicts: FamilyConflict[] = [
    { indicator: moved, kept: asyncRat, first: remcos, other: asyncRat },
  ];
  const copies = new FamilyCopies(conflicts);
  const entries = copies.expand([moved]);
  assert.deepEqual(
    entries.map((entry) => entry.family?.name),
    ['AsyncRAT', 'Remcos'],
  );
});

test('no conflicts keep the list', () => {
  const list = [domain('a.example', remcos)];
  const copies = new FamilyCopies();
  assert.equal(copies.expand(list), list);
  assert.equal(copies.countDistinct(list), 1);
});
