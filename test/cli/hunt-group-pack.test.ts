import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { readPackHunts } from '../../src/report/read-pack.js';
import { PACK_FORMAT_VERSION } from '../../src/report/write-pack.js';

/** A STIX bundle whose one indicator indicates an intrusion set with an alias, and no malware. */
const BUNDLE = {
  type: 'bundle',
  id: 'bundle--1',
  objects: [
    {
      type: 'intrusion-set',
      spec_version: '2.1',
      id: 'intrusion-set--1',
      name: 'Example Serpens',
      aliases: ['ExampleWater'],
    },
    {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--1',
      pattern_type: 'stix',
      pattern: "[ipv4-addr:value = '198.51.100.7']",
      valid_from: '2021-01-01T00:00:00Z',
    },
    {
      type: 'relationship',
      spec_version: '2.1',
      id: 'relationship--1',
      relationship_type: 'indicates',
      source_ref: 'indicator--1',
      target_ref: 'intrusion-set--1',
    },
  ],
};

// One firewall event on 2021-03-01T20:35:54Z to the indicator of the bundle.
const EVENT =
  'CEF:0|Palo Alto Networks|PAN-OS|10.0|TRAFFIC|end|3|rt=1614630954000 src=10.1.1.5 spt=50000 dst=198.51.100.7 dpt=443 act=allow\n';

async function buildGroupPack(t: TestContext): Promise<{ folder: string; pack: string }> {
  const folder = makeTempDir('group-pack', t);
  const feed = join(folder, 'bundle.json');
  await writeFile(feed, JSON.stringify(BUNDLE));
  await writeFile(join(folder, 'fw.log'), EVENT);
  const built = await runCli([
    'build',
    feed,
    '--no-builtin-allowlists',
    '--out',
    join(folder, 'packs'),
  ]);
  assert.equal(built.code, 0, built.stderr);
  return { folder, pack: join(folder, 'packs', 'example-serpens') };
}

async function huntText(folder: string, pack: string): Promise<string> {
  const result = await runCli([
    'hunt',
    join(folder, 'fw.log'),
    '--pack',
    pack,
    '--lookback',
    '30d',
    '--now',
    '2021-03-15T00:00:00Z',
  ]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

test('group pack hunt names the group', async (t) => {
  const { folder, pack } = await buildGroupPack(t);
  const output = await huntText(folder, pack);
  assert.match(output, /^HOST +HITS +EVENTS +FIRST HIT +LAST HIT +FAMILY OR GROUP +INDICATORS$/m);
  assert.match(output, /^10\.1\.1\.5 .* Example Serpens \(intrusion set\) +198\.51\.100\.7$/m);
  assert.doesNotMatch(output, / FAMILY +INDICATORS$/m);
});

test('group pack hunts carry the kind', async (t) => {
  const { pack } = await buildGroupPack(t);
  const json = JSON.parse(await readFile(join(pack, 'pack.json'), 'utf8')) as {
    formatVersion: number;
    family: { kind?: string };
    hunts: Array<{ form: { familyKind?: string } }>;
  };
  assert.equal(json.formatVersion, PACK_FORMAT_VERSION);
  assert.equal(PACK_FORMAT_VERSION, 11);
  assert.equal(json.family.kind, 'intrusion-set');
  assert.ok(json.hunts.length > 0);
  for (const hunt of json.hunts) assert.equal(hunt.form.familyKind, 'intrusion-set');
});

test('version 10 group pack keeps its kind', async (t) => {
  const { folder, pack } = await buildGroupPack(t);
  const file = join(pack, 'pack.json');
  const json = JSON.parse(await readFile(file, 'utf8')) as {
    formatVersion: number;
    hunts: Array<{ form: { familyKind?: string } }>;
  };
  // A version 10 pack gives the kind in `family.kind` only.
  json.formatVersion = 10;
  for (const hunt of json.hunts) delete hunt.form.familyKind;
  await writeFile(file, JSON.stringify(json));

  const hunts = await readPackHunts(pack);
  assert.ok(hunts.length > 0);
  for (const hunt of hunts) assert.equal(hunt.familyKind, 'intrusion-set');
  const output = await huntText(folder, pack);
  assert.match(output, /Example Serpens \(intrusion set\)/);
});

test('invalid stored kind is left out', async (t) => {
  const { pack } = await buildGroupPack(t);
  const file = join(pack, 'pack.json');
  const json = JSON.parse(await readFile(file, 'utf8')) as {
    family: { kind?: string };
    hunts: Array<{ form: { familyKind?: string } }>;
  };
  delete json.family.kind;
  for (const hunt of json.hunts) hunt.form.familyKind = 'gang';
  await writeFile(file, JSON.stringify(json));

  const hunts = await readPackHunts(pack);
  assert.ok(hunts.length > 0);
  for (const hunt of hunts) assert.equal(hunt.familyKind, undefined);
});
