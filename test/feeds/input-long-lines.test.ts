import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { FeedParseError } from '../../src/errors.js';
import type { TextChunk } from '../../src/feeds/input.js';
import { openInputs, readTextChunks } from '../../src/feeds/input.js';
import { MAX_LINE_BYTES } from '../../src/feeds/line-limit.js';
import { readFeeds } from '../../src/feeds/read.js';
import { readText } from '../../src/feeds/text.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const folder = makeTempDir('input-long-lines');

/** Reads standard input made of `blocks` as text chunks, with a maximum line length. */
async function chunksOf(blocks: Buffer[], maxLineBytes?: number): Promise<TextChunk[]> {
  const opened = await openInputs('-', { stdin: Readable.from(blocks) });
  const chunks: TextChunk[] = [];
  for await (const chunk of readTextChunks(opened.inputs[0]!, maxLineBytes)) chunks.push(chunk);
  return chunks;
}

/** Splits `text` into blocks of `size` bytes. */
function blocksOf(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const blocks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) {
    blocks.push(bytes.subarray(start, start + size));
  }
  return blocks;
}

test('line split across blocks is joined', async () => {
  const line = 'x'.repeat(5000);
  const chunks = await chunksOf(blocksOf(`a\n${line}\nb`, 7));
  const text = chunks.map((chunk) => chunk.text).join('');
  assert.equal(text, `a\n${line}\nb`);
  assert.deepEqual(
    chunks.map((chunk) => chunk.firstLine),
    [...new Set(chunks.map((chunk) => chunk.firstLine))],
  );
  assert.equal(chunks.at(-1)!.firstLine, 3);
});

test('line of max length is read', async () => {
  const chunks = await chunksOf(blocksOf(`${'x'.repeat(10)}\r\n`, 3), 10);
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0]!.text, `${'x'.repeat(10)}\r\n`);
});

test('longer line fails with LINE_TOO_LONG', async () => {
  const cases = [
    { name: 'ended', text: `a\nb\n${'x'.repeat(11)}\nc\n`, size: 1000 },
    { name: 'across blocks', text: `a\nb\n${'x'.repeat(40)}\nc\n`, size: 3 },
    { name: 'without end', text: `a\nb\n${'x'.repeat(40)}`, size: 3 },
    { name: 'last line', text: `a\nb\n${'x'.repeat(11)}`, size: 1000 },
    { name: 'last line across blocks', text: `a\nb\n${'x'.repeat(11)}`, size: 2 },
  ];
  for (const { name, text, size } of cases) {
    await assert.rejects(chunksOf(blocksOf(text, size), 10), (error: unknown) => {
      assert.ok(error instanceof FeedParseError, name);
      assert.equal(error.code, 'LINE_TOO_LONG', name);
      assert.equal(error.source?.line, 3, name);
      assert.equal(error.source?.file, '-', name);
      assert.match(error.message, /Line 3 of "-" is longer than 10 bytes/, name);
      return true;
    });
  }
});

test('long line is joined once', async () => {
  // An 8 MiB line arrives in 8192 blocks. Joining the pending bytes again for each block would
  // copy about 32 GiB, while joining them once copies 8 MiB. Counting the bytes that
  // Buffer.concat returns keeps the check independent of the machine's speed.
  const line = 'x'.repeat(8 * 1024 * 1024);
  const input = `${line}\nb\n`;
  const original = Object.getOwnPropertyDescriptor(Buffer, 'concat')!;
  const concat = Buffer.concat.bind(Buffer);
  let copied = 0;
  Buffer.concat = (list: readonly Uint8Array[], totalLength?: number) => {
    const joined = concat(list, totalLength);
    copied += joined.length;
    return joined;
  };
  let chunks: TextChunk[];
  try {
    chunks = await chunksOf(blocksOf(input, 1024));
  } finally {
    Object.defineProperty(Buffer, 'concat', original);
  }
  assert.equal(chunks.map((chunk) => chunk.text).join(''), input);
  assert.ok(copied <= 2 * input.length, `joining copied ${copied} bytes for ${input.length}`);
});

test('gzip feed with an endless line fails', async () => {
  const header = '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type"\n';
  const path = join(folder, 'endless.csv.gz');
  writeFileSync(path, gzipSync(header + 'x'.repeat(MAX_LINE_BYTES + 1)));
  const result = await readFeeds([path]);
  assert.equal(result.files[0]!.failed, true);
  const issue = result.issues.find((entry) => entry.code === 'LINE_TOO_LONG');
  assert.ok(issue, JSON.stringify(result.issues));
  assert.equal(issue.source?.file, path);
  assert.equal(issue.source?.line, 2);
});

test('free text with a long line fails', () => {
  const text = `evil-c2.xyz\n${'x'.repeat(MAX_LINE_BYTES + 1)}\n`;
  assert.throws(
    () => readText(text, 'page.txt'),
    (error: unknown) =>
      error instanceof FeedParseError &&
      error.code === 'LINE_TOO_LONG' &&
      error.source?.line === 2 &&
      error.message.includes('longer than 67,108,864 bytes'),
  );
});

test('free text line limit counts UTF-8 bytes', () => {
  // Fewer characters than the limit, but three bytes each in UTF-8.
  const euros = '\u20ac'.repeat(Math.floor(MAX_LINE_BYTES / 3) + 1);
  assert.ok(euros.length < MAX_LINE_BYTES);
  assert.throws(
    () => readText(`evil-c2.xyz\n${euros}\n`, 'page.txt'),
    (error: unknown) =>
      error instanceof FeedParseError && error.code === 'LINE_TOO_LONG' && error.source?.line === 2,
  );
  // One character fewer fits.
  const output = readText(`evil-c2.xyz\n${euros.slice(1)}\n`, 'page.txt');
  assert.deepEqual(
    output.records.map((record) => record.value),
    ['evil-c2.xyz'],
  );
});
