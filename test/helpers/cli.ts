/**
 * Runs the huntpack command line in-process with captured stdout and stderr.
 */
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/run.js';
import { REPO_ROOT } from './shared.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `huntpack ...args` in the repository folder (or `cwd`), with an empty environment unless `env` is given. */
export async function runCli(
  args: string[],
  options: { cwd?: string; stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const code = await run(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin,
    env: options.env ?? {},
    cwd: options.cwd ?? REPO_ROOT,
  });
  return { code, stdout, stderr };
}
