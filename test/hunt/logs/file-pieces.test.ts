import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readPieceLines, splitIntoPieces } from '../../../src/hunt/logs/file-pieces.js';
import { readLineBatches } from '../../../src/hunt/logs/log-input.js';

const folder = mkdtempSync(join(tmpdir(), 'huntpack-pieces-'));

async function streamedLines(file: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of readLineBatches(file)) lines.push(...batch.lines);
  return lines;
}

/** Text of lines with the bytes that line splitting must get right. */
const fileText = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.tuple(
        fc.array(fc.constantFrom('a', 'é', '€', '😀', '\r', ' ', 'x'), { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
      ),
      { maxLength: 20 },
    ),
    fc.constantFrom('', 'tail', 'tail\r'),
  )
  .map(
    ([bom, lines, tail]) =>
      (bom ? '\ufeff' : '') + lines.map(([chars, end]) => chars.join('') + end).join('') + tail,
  );

describe('readPieceLines', () => {
  it('gives the streamed lines over all pieces', async () => {
    const file = join(folder, 'lines.txt');
    await fc.assert(
      fc.asyncProperty(
        fileText,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 16 }),
        async (text, pieceBytes, chunkBytes) => {
          writeFileSync(file, text);
          const size = Buffer.byteLength(text);
          const lines: string[] = [];
          for (const piece of splitIntoPieces(size, pieceBytes)) {
            readPieceLines(file, piece, (batch) => lines.push(...batch), chunkBytes);
          }
          assert.deepEqual(lines, await streamedLines(file));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads invalid UTF-8 as replacement characters', async () => {
    const file = join(folder, 'invalid.txt');
    writeFileSync(file, Buffer.from([0x61, 0xe2, 0x0a, 0xff, 0x62, 0x0a, 0xe2, 0x82]));
    const lines: string[] = [];
    for (const piece of splitIntoPieces(8, 3)) {
      readPieceLines(file, piece, (batch) => lines.push(...batch), 2);
    }
    assert.deepEqual(lines, ['a\ufffd', '\ufffdb', '\ufffd']);
    assert.deepEqual(lines, await streamedLines(file));
  });

  it('splits an empty file into one piece without lines', () => {
    const file = join(folder, 'empty.txt');
    writeFileSync(file, '');
    const pieces = splitIntoPieces(0, 10);
    assert.deepEqual(pieces, [{ start: 0, end: Infinity }]);
    const lines: string[] = [];
    readPieceLines(file, pieces[0]!, (batch) => lines.push(...batch));
    assert.deepEqual(lines, []);
  });
});
