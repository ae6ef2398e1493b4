import assert from 'node:assert/strict';
import { closeSync, openSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  PieceReadError,
  readPieceLines,
  splitIntoPieces,
  type FilePiece,
} from '../../../src/hunt/logs/file-pieces.js';
import { readLineBatches } from '../../../src/hunt/logs/log-input.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const folder = makeTempDir('pieces');

/** Reads `pieces` of `file` through one descriptor opened now, as the parallel reader does. */
function pieceLines(file: string, pieces: FilePiece[], chunkBytes?: number): string[] {
  return pieceRead(file, pieces, chunkBytes).lines;
}

/**
 * Reads `pieces` of `file` in order, as {@link pieceLines} does, up to a line that ends with a
 * carriage return alone, and returns the lines with the code that stopped the reading.
 */
function pieceRead(
  file: string,
  pieces: FilePiece[],
  chunkBytes?: number,
): { lines: string[]; stoppedBy?: string } {
  const descriptor = openSync(file, 'r');
  const lines: string[] = [];
  try {
    const open = { descriptor, size: statSync(file).size };
    for (const piece of pieces) {
      readPieceLines(open, piece, (batch) => lines.push(...batch), chunkBytes);
    }
    return { lines };
  } catch (error) {
    const code = error instanceof PieceReadError && (error.cause as { code?: string }).code;
    if (code !== 'CR_LINE_ENDS') throw error;
    return { lines, stoppedBy: code };
  } finally {
    closeSync(descriptor);
  }
}

async function streamedLines(file: string): Promise<string[]> {
  return (await streamedRead(file)).lines;
}

async function streamedRead(file: string): Promise<{ lines: string[]; stoppedBy?: string }> {
  const lines: string[] = [];
  try {
    for await (const batch of readLineBatches(file)) lines.push(...batch.lines);
    return { lines };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'CR_LINE_ENDS') throw error;
    return { lines, stoppedBy: code };
  }
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
          // A carriage return inside a line stops both readers after the lines before it.
          const read = pieceRead(file, splitIntoPieces(size, pieceBytes), chunkBytes);
          assert.deepEqual(read, await streamedRead(file));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads invalid UTF-8 as replacement characters', async () => {
    const file = join(folder, 'invalid.txt');
    writeFileSync(file, Buffer.from([0x61, 0xe2, 0x0a, 0xff, 0x62, 0x0a, 0xe2, 0x82]));
    const lines = pieceLines(file, splitIntoPieces(8, 3), 2);
    assert.deepEqual(lines, ['a\ufffd', '\ufffdb', '\ufffd']);
    assert.deepEqual(lines, await streamedLines(file));
  });

  it('splits an empty file into one piece without lines', () => {
    const file = join(folder, 'empty.txt');
    writeFileSync(file, '');
    const pieces = splitIntoPieces(0, 10);
    assert.deepEqual(pieces, [{ start: 0, end: Infinity }]);
    assert.deepEqual(pieceLines(file, pieces), []);
  });

  it('reads a file renamed and replaced meanwhile whole', () => {
    const file = join(folder, 'rotated.log');
    writeFileSync(file, 'one\ntwo\nthree\n');
    const descriptor = openSync(file, 'r');
    try {
      const open = { descriptor, size: statSync(file).size };
      const pieces = splitIntoPieces(open.size, 5);
      const lines: string[] = [];
      readPieceLines(open, pieces[0]!, (batch) => lines.push(...batch));
      renameSync(file, `${file}.1`);
      writeFileSync(file, 'new\n');
      for (const piece of pieces.slice(1)) {
        readPieceLines(open, piece, (batch) => lines.push(...batch));
      }
      assert.deepEqual(lines, ['one', 'two', 'three']);
    } finally {
      closeSync(descriptor);
    }
  });

  it('reports a file truncated while it is read', () => {
    const file = join(folder, 'truncated.log');
    writeFileSync(file, 'first line\nsecond line\nthird line\n');
    const descriptor = openSync(file, 'r');
    try {
      const open = { descriptor, size: statSync(file).size };
      const pieces = splitIntoPieces(open.size, 12);
      const lines: string[] = [];
      readPieceLines(open, pieces[0]!, (batch) => lines.push(...batch));
      truncateSync(file, 30);
      assert.throws(
        () => {
          for (const piece of pieces.slice(1)) {
            readPieceLines(open, piece, (batch) => lines.push(...batch));
          }
        },
        (error: unknown) =>
          error instanceof PieceReadError &&
          (error.cause as { code?: string }).code === 'FILE_TRUNCATED' &&
          /ends at byte 30 but had 34 bytes/.test(error.message) &&
          error.partialLine === 'third l',
      );
      assert.deepEqual(lines, ['first line', 'second line']);
    } finally {
      closeSync(descriptor);
    }
  });
});

describe('readPieceLines line limit', () => {
  /** Reads all of `file` as one range with `maxLineBytes`, returning its lines and failure code. */
  function readLimited(file: string, maxLineBytes: number) {
    const descriptor = openSync(file, 'r');
    const lines: string[] = [];
    try {
      const open = { descriptor, size: statSync(file).size };
      readPieceLines(
        open,
        { start: 0, end: Infinity },
        (batch) => lines.push(...batch),
        64,
        maxLineBytes,
      );
      return { lines };
    } catch (error) {
      assert.ok(error instanceof PieceReadError);
      assert.equal(error.partialLine, undefined);
      return { lines, code: (error.cause as { code?: string }).code };
    } finally {
      closeSync(descriptor);
    }
  }

  it('stops at a line over the limit', () => {
    const file = join(folder, 'long-inner.log');
    writeFileSync(file, `short\n${'x'.repeat(5000)}\nafter\n`);
    assert.deepEqual(readLimited(file, 1000), { lines: ['short'], code: 'LINE_TOO_LONG' });
  });

  it('keeps a line of exactly the limit', () => {
    const file = join(folder, 'long-exact.log');
    const line = 'y'.repeat(1000);
    writeFileSync(file, `a\n${line}\r\nb`);
    assert.deepEqual(readLimited(file, 1000), { lines: ['a', line, 'b'] });
  });

  it('stops at a last line over the limit', () => {
    const file = join(folder, 'long-last.log');
    writeFileSync(file, `a\n${'z'.repeat(1001)}`);
    assert.deepEqual(readLimited(file, 1000), { lines: ['a'], code: 'LINE_TOO_LONG' });
  });

  it('stops skipping a line longer than the limit', () => {
    // The size is larger than the file, so reading to its end would fail as a truncated file.
    const file = join(folder, 'long-skipped.log');
    writeFileSync(file, 'x'.repeat(5000));
    const descriptor = openSync(file, 'r');
    try {
      const lines: string[] = [];
      const open = { descriptor, size: 10_000 };
      readPieceLines(open, { start: 100, end: 200 }, (batch) => lines.push(...batch), 64, 1000);
      assert.deepEqual(lines, []);
    } finally {
      closeSync(descriptor);
    }
  });
});
