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

/** Runs `huntpack ...args` with the repository as the working folder, or `cwd` when given. */
export async function runCli(
  args: string[],
  options: { cwd?: string; stdin?: string } = {},
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
