import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'node:test';
import { run } from '../../src/cli/run.js';
import { repoFile } from '../helpers/shared.js';
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

test('build warns about a public suffix allowlist entry', async (t) => {
  const folder = makeTempDir('allowlist-suffix', t);
  const allowlist = join(folder, 'allow.txt');
  await writeFile(allowlist, 'duckdns.org\n');
  const feed = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
  let stderr = '';
  let stdout = '';
  const code = await run(
    ['build', feed, '--family', 'Remcos', '--allowlist', allowlist, '--out', join(folder, 'p')],
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: new PassThrough(),
      env: {},
      cwd: folder,
    },
  );
  assert.equal(code, 0, stderr);
  assert.match(
    stderr,
    /huntpack: warning: .*allow\.txt:1: allowlist entry "duckdns\.org" is a public suffix/,
  );
  assert.match(stdout, /Remcos: \d+ indicators, \d+ queries, [1-9]\d* set aside/);
});
