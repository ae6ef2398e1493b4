import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTextFile } from '../../src/report/text-file-writer.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function scratchFile(t: TestContext, name: string): string {
  return join(makeTempDir('writer', t), name);
}

test('writer keeps multibyte text across buffer ends', async (t) => {
  const file = scratchFile(t, 'mixed.txt');
  // Pieces of 1, 2, 3 and 4 UTF-8 bytes, written often enough to fill the 1 MiB buffer many times.
  const pieces = ['a', 'é', '€', '😀', 'line\r\n', 'x'.repeat(1000)];
  const expected: string[] = [];
  await writeTextFile(file, (out) => {
    for (let index = 0; index < 200_000; index++) {
      const piece = pieces[index % pieces.length]!;
      out.write(piece);
      expected.push(piece);
    }
  });
  assert.equal(await readFile(file, 'utf8'), expected.join(''));
});

test('writer writes text longer than its buffer', async (t) => {
  const file = scratchFile(t, 'long.txt');
  const long = 'ü'.repeat(3 << 20);
  await writeTextFile(file, (out) => {
    out.write('start ');
    out.write(long);
    out.write(' end');
  });
  assert.equal(await readFile(file, 'utf8'), `start ${long} end`);
});

test('writer writes an empty file', async (t) => {
  const file = scratchFile(t, 'empty.txt');
  await writeTextFile(file, () => {});
  assert.equal(await readFile(file, 'utf8'), '');
});

test('writer error names the path', async (t) => {
  const file = join(scratchFile(t, 'missing-folder'), 'pack.json');
  await assert.rejects(
    () => writeTextFile(file, (out) => out.write('x')),
    (error: NodeJS.ErrnoException) => error.code === 'ENOENT' && error.message.includes(file),
  );
});

test('writer keeps the error of its fill', async (t) => {
  const file = scratchFile(t, 'failed.txt');
  await assert.rejects(
    () =>
      writeTextFile(file, (out) => {
        out.write('partial');
        throw new Error('fill failed');
      }),
    /fill failed/,
  );
});

test('writer error on a full disk names the path', { skip: !existsSync('/dev/full') }, async () => {
  // Writes to /dev/full fail with ENOSPC on Linux, as on a full disk.
  await assert.rejects(
    () => writeTextFile('/dev/full', (out) => out.write('x'.repeat(2 << 20))),
    (error: NodeJS.ErrnoException) =>
      error.code === 'ENOSPC' && error.path === '/dev/full' && error.message.includes('/dev/full'),
  );
});

test(
  'writer error in small writes names the path',
  { skip: !existsSync('/dev/full') },
  async () => {
    // Small pieces go through the buffer, so the failed write is a buffer's, not one long text's.
    await assert.rejects(
      () =>
        writeTextFile('/dev/full', (out) => {
          for (let index = 0; index < 8192; index++) out.write('y'.repeat(1024));
        }),
      (error: NodeJS.ErrnoException) =>
        error.code === 'ENOSPC' &&
        error.path === '/dev/full' &&
        error.message.includes('/dev/full'),
    );
  },
);
