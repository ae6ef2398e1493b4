/**
 * Runs the huntpack command line as a user that file modes restrict. Root reads any file or
 * folder whatever its mode, so as root the command runs as the user nobody through runuser.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { runCli, type CliResult } from './cli.js';
import { repoFile } from './shared.js';

const RUNS_AS_ROOT = process.getuid?.() === 0;

/** Returns why the unprivileged run cannot be set up, or false when it can. */
export function skipReason(): string | false {
  if (process.platform === 'win32') return 'file modes do not restrict reading on Windows';
  if (!RUNS_AS_ROOT) return false;
  const probe = spawnSync('runuser', [
    '-u',
    'nobody',
    '--',
    'test',
    '-r',
    repoFile('bin/huntpack.js'),
  ]);
  if (probe.error) return `runs as root and cannot start runuser: ${probe.error.message}`;
  if (probe.status !== 0) return 'runs as root, and the user nobody cannot read the repository';
  return false;
}

/** Returns true when the user that runs the command can read `file`. */
export function readableByRunner(file: string): boolean {
  if (!RUNS_AS_ROOT) {
    try {
      accessSync(file, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }
  return spawnSync('runuser', ['-u', 'nobody', '--', 'test', '-r', file]).status === 0;
}

/** Runs `huntpack ...args` in `cwd`, as the user nobody when the tests run as root. */
export function runUnprivileged(args: string[], cwd: string): Promise<CliResult> {
  if (!RUNS_AS_ROOT) return runCli(args, { cwd });
  const child = spawn(
    'runuser',
    ['-u', 'nobody', '--', process.execPath, repoFile('bin/huntpack.js'), ...args],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
