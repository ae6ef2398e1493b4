/**
 * readLineBatches stops at a line longer than its limit, as a decompression bomb's line would be,
 * after yielding the lines before it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MAX_LINE_BYTES } from '../../../src/feeds/line-limit.js';
import { LogInputError, readLineBatches } from '../../../src/hunt/logs/log-input.js';
import { collectEvents } from './collect-events.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const CEF =
  'Dec 05 10:00:00 fw01 CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|3|rt=Dec 05 2026 10:00:00 UTC src=10.0.0.5 dst=203.0.113.7 dpt=443';

async function readAll(file: string, limit: number): Promise<{ lines: string[]; error?: unknown }> {
  const lines: string[] = [];
  try {
    for await (const batch of readLineBatches(file, limit)) lines.push(...batch.lines);
  } catch (error) {
    return { lines, error };
  }
  return { lines };
}

test('over-limit line stops file', async (t) => {
  const folder = makeTempDir('long-line-limit', t);
  const file = join(folder, 'bomb.log.gz');
  const long = 'a'.repeat(300_000);
  await writeFile(file, gzipSync(`${CEF}\n${CEF}\n${long}\n${CEF}\n`));
  const { lines, error } = await readAll(file, 100_000);
  assert.deepEqual(lines, [CEF, CEF]);
  assert.ok(error instanceof LogInputError);
  assert.equal(error.code, 'LINE_TOO_LONG');
  assert.deepEqual(error.source, { file, line: 3 });
  assert.match(error.message, /^Line 3 of ".*bomb\.log\.gz" is longer than 100,000 bytes/);
  assert.equal(error.partialLine, undefined);
});

test('line limit counts UTF-8 bytes', async (t) => {
  const folder = makeTempDir('long-line-bytes', t);
  const file = join(folder, 'wide.log');
  // 40,000 characters of three bytes each: 120,000 bytes.
  const wide = '\u20ac'.repeat(40_000);
  await writeFile(file, `${CEF}\n${wide}\n${CEF}\n`);
  const over = await readAll(file, 100_000);
  assert.deepEqual(over.lines, [CEF]);
  assert.equal((over.error as LogInputError).code, 'LINE_TOO_LONG');
  assert.deepEqual((over.error as LogInputError).source, { file, line: 2 });
  const within = await readAll(file, 120_000);
  assert.equal(within.error, undefined);
  assert.deepEqual(within.lines, [CEF, wide, CEF]);
});

test('over-limit last line without line break', async (t) => {
  const folder = makeTempDir('long-last-line', t);
  const file = join(folder, 'tail.log');
  // Short enough to arrive in the same chunk as the line before it.
  await writeFile(file, `${CEF}\n${'d'.repeat(1_001)}`);
  const { lines, error } = await readAll(file, 1_000);
  assert.deepEqual(lines, [CEF]);
  assert.equal((error as LogInputError).code, 'LINE_TOO_LONG');
  assert.deepEqual((error as LogInputError).source, { file, line: 2 });
});

test('lines within limit read whole', async (t) => {
  const folder = makeTempDir('long-line-ok', t);
  const file = join(folder, 'long.log');
  const long = 'b'.repeat(300_000);
  await writeFile(file, `${CEF}\n${long}\n${CEF}\n`);
  const { lines, error } = await readAll(file, 400_000);
  assert.equal(error, undefined);
  assert.deepEqual(lines, [CEF, long, CEF]);
});

test('readLogs reports over-limit line', async (t) => {
  const folder = makeTempDir('long-line-logs', t);
  const file = join(folder, 'fw.log');
  // Over the real limit of 64 MiB, without a line break.
  await writeFile(file, `${CEF}\n${'c'.repeat(MAX_LINE_BYTES + 70_000)}`);
  const { events, stats } = await collectEvents([file]);
  assert.equal(events.length, 1);
  assert.deepEqual(
    stats.fileErrors.map((issue) => [issue.code, issue.source?.line]),
    [['LINE_TOO_LONG', 2]],
  );
});
