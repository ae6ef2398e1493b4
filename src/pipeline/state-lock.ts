/**
 * A lock beside the `--state` file, so that two builds that share a state file do not both read
 * it and then each save their own run, which would lose one of them. The lock is a file created
 * exclusively next to the state, holding the process id and start time of its owner.
 */
import { readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { ConfigError, systemMessage } from '../errors.js';

interface LockOwner {
  pid: number;
  since: string;
}

/**
 * Takes the lock of `stateFile` and returns the function that releases it. The lock is also
 * released when the process exits, such as after Ctrl-C. A lock whose owner no longer runs is
 * taken over.
 *
 * @throws ConfigError `STATE_LOCKED` while another running process holds the lock, and
 *   `STATE_LOCK_FAILED` when the lock file cannot be created.
 */
export async function lockStateFile(stateFile: string): Promise<() => void> {
  const lock = `${stateFile}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      try {
        const owner: LockOwner = { pid: process.pid, since: new Date().toISOString() };
        await handle.writeFile(`${JSON.stringify(owner)}\n`, 'utf8');
      } finally {
        await handle.close();
      }
      const release = (): void => {
        process.off('exit', release);
        rmSync(lock, { force: true });
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError(
          'STATE_LOCK_FAILED',
          `Cannot create the lock file ${lock} of the state file: ${systemMessage(error)}.`,
          { cause: error },
        );
      }
    }
    const owner = readOwner(lock);
    if (owner !== undefined && isRunning(owner.pid)) {
      throw new ConfigError(
        'STATE_LOCKED',
        `State file ${stateFile} is in use by another huntpack build (process ${owner.pid}, since ${owner.since}). Wait for it to finish; if that process no longer runs, remove ${lock}.`,
      );
    }
    // The owner has gone without removing its lock, or the lock is unreadable: take it over.
    rmSync(lock, { force: true });
  }
  throw new ConfigError(
    'STATE_LOCKED',
    `State file ${stateFile} is in use by another huntpack build, which took ${lock} again at once. Wait for it to finish.`,
  );
}

function readOwner(lock: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(lock, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && Number.isInteger(owner.pid)
      ? { pid: owner.pid, since: String(owner.since ?? 'an unknown time') }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Returns whether a process with this id runs; one that this user may not signal also counts. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
