import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { readFeeds } from '../../src/feeds/read.js';
import { normalizeTags } from '../../src/indicators/context.js';
import { SeenKeys } from '../../src/indicators/seen-keys.js';
import { makeTempDir } from '../helpers/temp-dir.js';

test('SeenKeys agrees with Set', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123'.split('')), { maxLength: 200 }),
      (keys) => {
        const seen = new SeenKeys();
        const set = new Set<string>();
        for (const key of keys) {
          assert.equal(seen.add(key), !set.has(key), key);
          set.add(key);
        }
      },
    ),
  );
});

test('normalizeTags drops late repeats', () => {
  const tags = Array.from({ length: 40 }, (_, index) => `tag${index}`);
  const normalized = normalizeTags([...tags, 'TAG3', ' tag39 ', 'Tag0', 'new']);
  assert.deepEqual(normalized, [...tags, 'new']);
});

test('many-tag row keeps unique tags', async (t) => {
  const folder = makeTempDir('many-tags', t);
  const feed = join(folder, 'feed.csv');
  const header =
    '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags","anonymous","reporter"';
  const tags = Array.from({ length: 5000 }, (_, index) => `t${index % 2500}`);
  const row = `"2026-04-12 04:49:28", "1", "many-tags-c2.xyz", "domain", "botnet_cc", "win.remcos", "None", "Remcos", "", "100", "None", "${tags.join(',')}", "0", "x"`;
  await writeFile(feed, `${header}\n${row}\n`);
  const result = await readFeeds([feed]);
  assert.equal(result.records.length, 1);
  const read = result.records[0]!.context.tags ?? [];
  assert.equal(read.length, 2500);
  assert.equal(new Set(read).size, 2500);
  assert.deepEqual(read.slice(0, 3), ['t0', 't1', 't2']);
});
