import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildCollections } from '../../src/cli/garbage-collection.js';

/** Makes a collection that counts its calls, to test when the build collects. */
function countingCollection(): { calls: () => number; collect: () => void } {
  let calls = 0;
  return { calls: () => calls, collect: () => (calls += 1) };
}

test('collection frees garbage in large build', () => {
  const collections = new BuildCollections(1_000_000);
  let garbage: string[][] | undefined = Array.from({ length: 2_000 }, (_, i) =>
    Array.from({ length: 100 }, (_, j) => `garbage ${i} ${j} ${'x'.repeat(64)}`),
  );
  assert.equal(garbage.length, 2_000);
  garbage = undefined;
  const before = process.memoryUsage().heapUsed;
  collections.afterReading();
  const after = process.memoryUsage().heapUsed;
  assert.ok(before - after > 10 * 1024 * 1024, `heap went from ${before} to ${after} bytes`);
});

test('small build never collects', () => {
  const counter = countingCollection();
  const collections = new BuildCollections(99_999, counter.collect);
  collections.afterReading();
  collections.packReleased(99_999);
  assert.equal(counter.calls(), 0);
});

test('collection after a fifth released', () => {
  const counter = countingCollection();
  const collections = new BuildCollections(1_000_000, counter.collect);
  collections.afterReading();
  assert.equal(counter.calls(), 1, 'after reading');
  collections.packReleased(150_000);
  assert.equal(counter.calls(), 1, 'after 150,000 of 1,000,000');
  collections.packReleased(60_000);
  assert.equal(counter.calls(), 2, 'after 210,000 of 1,000,000');
  collections.packReleased(400_000);
  assert.equal(counter.calls(), 2, 'V8 follows the live set after one collection');
});

test('missing collection is skipped', () => {
  const collections = new BuildCollections(1_000_000, null);
  assert.doesNotThrow(() => {
    collections.afterReading();
    collections.packReleased(1_000_000);
  });
});
