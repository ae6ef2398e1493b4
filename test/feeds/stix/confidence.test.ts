import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { StrictStopError } from '../../../src/errors.js';
import { readFeeds, type FeedFileStats } from '../../../src/feeds/read.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

function indicator(id: string, domain: string, confidence?: unknown): Record<string, unknown> {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${id}`,
    created: '2026-01-02T03:04:05.000Z',
    modified: '2026-01-02T03:04:05.000Z',
    pattern: `[domain-name:value = '${domain}']`,
    pattern_type: 'stix',
    valid_from: '2026-01-02T03:04:05Z',
    ...(confidence === undefined ? {} : { confidence }),
  };
}

async function writeBundle(dir: string, objects: unknown[]): Promise<string> {
  const file = join(dir, 'bundle.json');
  const bundle = { type: 'bundle', id: 'bundle--00000000-0000-4000-8000-000000000000', objects };
  await writeFile(file, JSON.stringify(bundle));
  return file;
}

function assertReconciles(stats: FeedFileStats): void {
  const dropped = Object.values(stats.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(stats.rowsRead, stats.accepted + stats.rejected + dropped);
}

const INVALID_CONFIDENCES: Array<[string, unknown, string]> = [
  ['a word', 'high', '"high"'],
  ['a numeric string', '75', '"75"'],
  ['an object', { level: 75 }, '{an object}'],
  ['a boolean', true, 'true'],
];

for (const [name, confidence, shown] of INVALID_CONFIDENCES) {
  test(`STIX confidence of ${name}`, async (t) => {
    const dir = makeTempDir('stix-confidence', t);
    const id = '11111111-1111-4111-8111-111111111111';
    const file = await writeBundle(dir, [
      indicator(id, 'bad.example.net', confidence),
      indicator('22222222-2222-4222-8222-222222222222', 'good.example.net', 80),
    ]);

    const lenient = await readFeeds([file]);
    const issues = lenient.issues.filter((issue) => issue.code === 'INVALID_CONFIDENCE');
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.source?.file, file);
    assert.equal(issues[0]!.source?.id, `indicator--${id}`);
    assert.deepEqual(issues[0]!.value, confidence);
    assert.ok(issues[0]!.message.includes(`Invalid confidence ${shown}:`), issues[0]!.message);
    assert.equal(lenient.records.length, 2);
    assert.equal(lenient.records[0]!.context.confidence, undefined);
    assert.equal(lenient.records[1]!.context.confidence, 80);
    assert.equal(lenient.files[0]!.failed, false);
    assertReconciles(lenient.files[0]!);

    await assert.rejects(readFeeds([file], { strict: true }), (error: unknown) => {
      assert.ok(error instanceof StrictStopError);
      assert.equal(error.code, 'INVALID_CONFIDENCE');
      assert.equal(error.source?.id, `indicator--${id}`);
      assert.match(error.message, /--strict/);
      return true;
    });
  });
}

test('STIX confidence null or missing', async (t) => {
  const dir = makeTempDir('stix-confidence-null', t);
  const file = await writeBundle(dir, [
    indicator('33333333-3333-4333-8333-333333333333', 'null.example.net', null),
    indicator('44444444-4444-4444-8444-444444444444', 'none.example.net'),
  ]);
  const strict = await readFeeds([file], { strict: true });
  assert.equal(strict.records.length, 2);
  assert.deepEqual(
    strict.issues.filter((issue) => issue.code === 'INVALID_CONFIDENCE'),
    [],
  );
  assertReconciles(strict.files[0]!);
});
