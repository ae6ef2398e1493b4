import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { isoTime } from '../../src/report/iso-time.js';

test('isoTime with cached and colliding times', () => {
  const base = Date.UTC(2026, 3, 12, 4, 49, 28);
  // Times 4096 ms apart fall into one slot of the cache; the others fall into neighbouring ones.
  const times = [0, 1, 4096, 8192, 4096 * 1000, 86_400_000].map((offset) => base + offset);
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...times), { minLength: 1, maxLength: 50 }), (picked) => {
      for (const ms of picked) assert.equal(isoTime(new Date(ms)), new Date(ms).toISOString());
    }),
    { numRuns: 2_000 },
  );
});

test('isoTime after a date changes', () => {
  const date = new Date(Date.UTC(2026, 0, 1));
  assert.equal(isoTime(date), '2026-01-01T00:00:00.000Z');
  date.setTime(Date.UTC(2026, 0, 2));
  assert.equal(isoTime(date), '2026-01-02T00:00:00.000Z');
});
