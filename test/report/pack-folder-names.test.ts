/**
 * Pack folder names do not depend on the order of the feed's rows. When families fold to one
 * folder name, the family whose name and Malpedia id spell it gets the folder without a number.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignFolderNames, folderNameRank } from '../../src/indicators/family-slug.js';
import type { Indicator, MalwareFamily } from '../../src/indicators/model.js';
import { buildPacks } from '../../src/report/build-packs.js';
import { huntsFromFeeds } from '../../src/hunt/hunts-from-feed.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { accept, rawIndicator } from '../indicators/helpers.js';

const REMCOS: MalwareFamily = { name: 'Remcos', malpedia: 'win.remcos', aliases: [] };
const DECOY: MalwareFamily = { name: 'Remcos!', malpedia: 'win.remcos_', aliases: [] };
const UPPER: MalwareFamily = { name: 'REMCOS', aliases: [] };

function domain(value: string, family: MalwareFamily): Indicator {
  return accept(rawIndicator('domain', value, { context: { family } })).indicator;
}

function foldersOf(indicators: Indicator[]): Map<string, string> {
  const packs = buildPacks(indicators, {
    lookback: { amount: 30, unit: 'd' },
    generatorVersion: 't',
    feeds: [],
  });
  return new Map(packs.map((pack) => [pack.family.name, pack.slug]));
}

test('folder rank prefers exact name', () => {
  assert.deepEqual(folderNameRank(REMCOS, 'remcos'), [0, 0]);
  assert.deepEqual(folderNameRank(DECOY, 'remcos'), [2, 1]);
  assert.deepEqual(folderNameRank(UPPER, 'remcos'), [0, 2]);
  const cobalt = { name: 'Cobalt Strike', malpedia: 'win.cobalt_strike' };
  assert.deepEqual(folderNameRank(cobalt, 'cobalt-strike'), [1, 0]);
});

test('decoy first in feed loses folder', () => {
  const folders = foldersOf([
    domain('decoy.evil-c2.xyz', DECOY),
    domain('real.evil-c2.xyz', REMCOS),
    domain('upper.evil-c2.xyz', UPPER),
  ]);
  assert.equal(folders.get('Remcos'), 'remcos');
  assert.equal(folders.get('REMCOS'), 'remcos-2');
  assert.equal(folders.get('Remcos!'), 'remcos-3');
});

test('folders same in every row order', () => {
  const indicators = [
    domain('decoy.evil-c2.xyz', DECOY),
    domain('real.evil-c2.xyz', REMCOS),
    domain('upper.evil-c2.xyz', UPPER),
  ];
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  const expected = foldersOf(indicators);
  for (const order of orders) {
    const folders = foldersOf(order.map((index) => indicators[index]!));
    assert.deepEqual(folders, expected, order.join(','));
  }
});

test('same name goes to matching id', () => {
  const { folders } = assignFolderNames([
    { key: 'win.remcos_', name: 'Remcos', malpedia: 'win.remcos_' },
    { key: 'win.remcos', name: 'Remcos', malpedia: 'win.remcos' },
  ]);
  assert.equal(folders.get('win.remcos'), 'remcos');
  assert.equal(folders.get('win.remcos_'), 'remcos-2');
});

test('suffix skips another family slug', () => {
  const { folders, collisions } = assignFolderNames([
    { key: 'remcos 2', name: 'Remcos 2' },
    { key: 'remcos!', name: 'Remcos!' },
    { key: 'remcos', name: 'Remcos' },
  ]);
  assert.equal(folders.get('remcos 2'), 'remcos-2');
  assert.equal(folders.get('remcos'), 'remcos');
  assert.equal(folders.get('remcos!'), 'remcos-3');
  assert.equal(collisions.length, 1);
  assert.deepEqual(
    collisions[0]!.families.map((family) => family.folder),
    ['remcos', 'remcos-3'],
  );
});

test('collision lists every family', () => {
  const { collisions } = assignFolderNames([
    { key: 'win.remcos_', name: 'Remcos!', malpedia: 'win.remcos_' },
    { key: 'win.remcos', name: 'Remcos', malpedia: 'win.remcos' },
    { key: 'emotet', name: 'Emotet' },
  ]);
  assert.equal(collisions.length, 1);
  assert.equal(collisions[0]!.slug, 'remcos');
  assert.deepEqual(
    collisions[0]!.families.map((family) => [family.name, family.folder]),
    [
      ['Remcos', 'remcos'],
      ['Remcos!', 'remcos-2'],
    ],
  );
});

test('feed hunt ids ignore row order', async (t) => {
  const folder = makeTempDir('feed-hunt-folders', t);
  const header =
    '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags","anonymous","reporter"';
  const rows = [
    '"2026-04-10 00:00:00", "1", "decoy.evil-c2.xyz", "domain", "botnet_cc", "win.remcos_", "None", "Remcos!", "", "100", "None", "c2", "0", "r"',
    '"2026-04-10 00:00:00", "2", "real.evil-c2.xyz", "domain", "botnet_cc", "win.remcos", "None", "Remcos", "", "100", "None", "c2", "0", "r"',
  ];
  const huntIds = async (name: string, lines: string[]): Promise<string[]> => {
    const feed = join(folder, name);
    await writeFile(feed, [header, ...lines].join('\n') + '\n');
    const { hunts } = await huntsFromFeeds([feed]);
    return hunts.map((hunt) => `${hunt.family} ${hunt.id}`).sort();
  };
  const inOrder = await huntIds('a.csv', rows);
  assert.deepEqual(await huntIds('b.csv', [...rows].reverse()), inOrder);
  const real = inOrder.filter((line) => line.startsWith('Remcos '));
  assert.ok(real.length > 0);
  assert.ok(
    real.every((line) => line.startsWith('Remcos remcos-') && !line.startsWith('Remcos remcos-2-')),
    real.join(', '),
  );
});
