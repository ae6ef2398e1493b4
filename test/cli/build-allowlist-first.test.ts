import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'node:test';
import { run } from '../../src/cli/run.js';
import { makeTempDir } from '../helpers/temp-dir.js';

test('build reports a broken allowlist file before it reads the feed', async (t) => {
  const folder = makeTempDir('allowlist-first', t);
  const allowlist = join(folder, 'allow.txt');
  await writeFile(allowlist, 'example.com\nnot a host!\n');
  // Standard input that never ends: the build can finish only if it stops before reading it.
  const stdin = new PassThrough();
  stdin.write('# "first_seen_utc","ioc_id"\n');
  let stderr = '';
  const code = await run(['build', '-', '--allowlist', allowlist, '--out', join(folder, 'packs')], {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
    stdin,
    env: {},
    cwd: folder,
  });
  stdin.destroy();
  assert.equal(code, 1);
  assert.match(stderr, /INVALID_ALLOWLIST_ENTRY|Invalid allowlist entry "not a host!"/);
  assert.ok(stderr.includes(`${allowlist} line 2`), stderr);
});
