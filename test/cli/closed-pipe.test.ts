import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface ClosedPipeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs `huntpack ...args` with its stdout on a pipe whose read end is closed before the process
 * writes anything, so that every write to stdout fails with EPIPE.
 */
function runWithClosedStdout(args: string[]): Promise<ClosedPipeRun> {
  const child = spawn(process.execPath, [repoFile('bin/huntpack.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

test('check exits quietly on closed stdout', async () => {
  const result = await runWithClosedStdout([
    'check',
    repoFile('test/fixtures/kql/valid-hunt.kql'),
    repoFile('test/fixtures/kql/typo-columns.kql'),
    '--no-analyzers',
  ]);
  assert.equal(result.signal, null);
  assert.equal(result.code, 141);
  assert.equal(result.stderr, '');
});

test('build exits quietly on closed stdout', async (t) => {
  const out = makeTempDir('pipe', t);
  const result = await runWithClosedStdout([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--out',
    out,
  ]);
  assert.equal(result.signal, null);
  assert.equal(result.code, 141);
  assert.doesNotMatch(result.stderr, /EPIPE|internal error|Error:/);
  // The packs are written before the summary, so the build still leaves them whole.
  assert.ok(existsSync(join(out, 'remcos', 'report.md')), 'report.md is missing');
  assert.ok(existsSync(join(out, 'remcos', 'pack.json')), 'pack.json is missing');
});

test('help exits quietly on closed stdout', async () => {
  const result = await runWithClosedStdout(['--help']);
  assert.equal(result.code, 141);
  assert.equal(result.stderr, '');
});
