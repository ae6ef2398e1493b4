/**
 * The streams and environment a command runs with, injected so that tests can run commands
 * in-process and read stdout and stderr separately.
 */
import type { Readable } from 'node:stream';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Exit codes: 0 success, 1 failure (or findings when asked), 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/**
 * Exit code after a write to a pipe whose reader has closed: 128 + SIGPIPE (13), the status a
 * shell reports for a tool that SIGPIPE ended, as `cat` or `grep` piped into `head` are.
 */
export const EXIT_BROKEN_PIPE = 141;

/** Returns the io of the running process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * Handles a reader that closes stdout or stderr early (EPIPE), as `head` does: the stream's
 * later writes are dropped instead of crashing the process on an unhandled stream error. Node
 * ignores SIGPIPE, so the command runs to its end, keeping the files it writes whole, and the
 * process then exits with `EXIT_BROKEN_PIPE`. Other stream errors are thrown.
 */
export function exitQuietlyOnClosedPipes(): void {
  let closed = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closed = true;
    });
  }
  // The error event comes after the socket closes, which can be after the command returned.
  process.on('exit', () => {
    if (closed) process.exitCode = EXIT_BROKEN_PIPE;
  });
}
