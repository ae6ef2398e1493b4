import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectory } from '../../src/pipeline/make-directory.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const procfs = existsSync('/proc/self') ? false : 'needs the Linux /proc file system';

describe('makeDirectory', () => {
  it('creates missing parents', async (t) => {
    const root = makeTempDir('mkdir', t);
    const target = join(root, 'a', 'b', 'c');
    await makeDirectory(target);
    assert.ok((await stat(target)).isDirectory());
  });

  it('accepts an existing folder', async (t) => {
    const root = makeTempDir('mkdir', t);
    await makeDirectory(root);
    await makeDirectory(join(root, '.'));
    assert.ok((await stat(root)).isDirectory());
  });

  it('rejects a file on the path', async (t) => {
    const root = makeTempDir('mkdir', t);
    const file = join(root, 'file');
    await writeFile(file, 'x');
    await assert.rejects(makeDirectory(file), { code: 'ENOTDIR' });
    await assert.rejects(makeDirectory(join(file, 'sub', 'dir')), { code: 'ENOTDIR' });
  });

  it('rejects a new folder under /proc', { skip: procfs }, async () => {
    await assert.rejects(makeDirectory('/proc/huntpack-test/out'), (error: Error) => {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOENT');
      assert.match(error.message, /cannot create folder '\/proc\/huntpack-test'.*'\/proc' rejects/);
      return true;
    });
  });
});
