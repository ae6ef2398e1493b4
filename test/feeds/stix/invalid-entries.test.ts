/**
 * Entries of a STIX document that are not JSON objects are each counted as a row read and
 * rejected, with an issue that names the file and the entry's index.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeedReaderOutput } from '../../../src/feeds/reader-output.js';
import { readStix } from '../../../src/feeds/stix/read-stix.js';

const INDICATOR = {
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--00000000-0000-4000-8000-000000000001',
  created: '2026-04-10T00:00:00Z',
  modified: '2026-04-10T00:00:00Z',
  pattern: "[domain-name:value = 'c2.evil-test.top']",
  pattern_type: 'stix',
  valid_from: '2026-04-10T00:00:00Z',
};

/** Checks that read = records + rejected + dropped. */
function assertReconciles(output: FeedReaderOutput): void {
  const dropped = Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(output.records.length + output.rejected + dropped, output.itemsRead);
}

function invalidObjectMessages(output: FeedReaderOutput): string[] {
  return output.issues
    .filter((issue) => issue.code === 'STIX_INVALID_OBJECT')
    .map((issue) => issue.message);
}

describe('readStix entries that are not objects', () => {
  it('rejects each one in a bundle', () => {
    const text = JSON.stringify({
      type: 'bundle',
      id: 'bundle--1',
      objects: [[1], 42, 'x', null, true, INDICATOR],
    });
    const output = readStix(text, 'entries.json');
    assert.equal(output.itemsRead, 6);
    assert.equal(output.rejected, 5);
    assert.equal(output.records.length, 1);
    assert.equal(output.records[0]?.value, 'c2.evil-test.top');
    assertReconciles(output);
    assert.deepEqual(invalidObjectMessages(output), [
      'Entry objects[0] is an array of 1 entry, but a STIX object was expected, so it is skipped.',
      'Entry objects[1] is the number 42, but a STIX object was expected, so it is skipped.',
      'Entry objects[2] is the string "x", but a STIX object was expected, so it is skipped.',
      'Entry objects[3] is null, but a STIX object was expected, so it is skipped.',
      'Entry objects[4] is the boolean true, but a STIX object was expected, so it is skipped.',
    ]);
    for (const issue of output.issues) {
      assert.equal(issue.severity, 'error');
      assert.deepEqual(issue.source, { file: 'entries.json' });
    }
  });

  it('rejects each one in a top-level list', () => {
    const output = readStix(JSON.stringify([INDICATOR, 'indicator']), 'list.json');
    assert.equal(output.itemsRead, 2);
    assert.equal(output.rejected, 1);
    assert.equal(output.records.length, 1);
    assert.deepEqual(invalidObjectMessages(output), [
      'Entry [1] is the string "indicator", but a STIX object was expected, so it is skipped.',
    ]);
  });

  it('rejects an entry nested 2,000,000 deep', () => {
    const depth = 2_000_000;
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const text = `{"type":"bundle","id":"bundle--1","objects":[${nested}]}`;
    const output = readStix(text, 'deep.json');
    assert.equal(output.itemsRead, 1);
    assert.equal(output.rejected, 1);
    assert.deepEqual(invalidObjectMessages(output), [
      'Entry objects[0] is an array of 1 entry, but a STIX object was expected, so it is skipped.',
    ]);
  });

  it('reads an indicator with a deeply nested field', () => {
    const depth = 2_000_000;
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const indicator = JSON.stringify(INDICATOR).replace(/}$/, `,"labels":${nested}}`);
    const output = readStix(`{"type":"bundle","objects":[${indicator}]}`, 'deep-field.json');
    assert.equal(output.records.length, 1);
    assert.equal(output.rejected, 0);
  });
});
