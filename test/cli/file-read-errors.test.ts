import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { fileReadReason } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');

test('a folder passed as a file says so', async (t) => {
  const folder = makeTempDir('folder-as-file', t);
  const out = join(folder, 'packs');
  const cases: Array<[string, string[]]> = [
    ['exclusions file', ['build', FEED, '--exclusions', folder, '--out', out]],
    ['allowlist file', ['build', FEED, '--allowlist', folder, '--out', out]],
    ['state file', ['build', FEED, '--state', folder, '--out', out]],
    ['lint input', ['lint', folder]],
  ];
  for (const [name, args] of cases) {
    const result = await runCli(args);
    assert.notEqual(result.code, 0, name);
    assert.match(result.stderr, /Cannot read .*: it is a folder; pass a file\./, name);
    assert.doesNotMatch(result.stderr, /EISDIR/, name);
  }
});

test('read reasons drop the repeated path', () => {
  const missing = Object.assign(new Error("ENOENT: no such file or directory, open '/x/y'"), {
    code: 'ENOENT',
    syscall: 'open',
    path: '/x/y',
  });
  assert.equal(fileReadReason(missing), 'no such file; check the path');
  const denied = Object.assign(new Error("EACCES: permission denied, open '/x/y'"), {
    code: 'EACCES',
    syscall: 'open',
    path: '/x/y',
  });
  assert.equal(
    fileReadReason(denied),
    'EACCES: permission denied; give the user that runs huntpack read access to it',
  );
  assert.equal(fileReadReason('plain text'), 'plain text');
});
