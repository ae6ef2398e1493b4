/**
 * Creating a folder and its missing parents without `mkdir(path, { recursive: true })`. Under
 * Linux procfs, mkdir of a new child (`/proc/x`) fails with ENOENT although the parent exists.
 * Node's recursive mkdir (seen on Node 20.20) reads that ENOENT as a missing parent and retries
 * forever, so a thread-pool thread spins at full CPU and the promise never settles.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Creates `path` and any missing parent folders, one level at a time. An existing folder is
 * fine. Each path level costs at most one `mkdir` and two `stat` calls, so the call always ends.
 *
 * @throws the file system error of the level that failed, such as ENOTDIR when a parent is a
 *   file, EACCES, or ENOENT when the file system rejects a new folder in an existing parent.
 */
export async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    const found = await statOrMissing(current);
    if (found === 'missing') {
      const parent = dirname(current);
      if (parent === current) break;
      missing.push(current);
      current = parent;
      continue;
    }
    if (!found.isDirectory()) throw notADirectory(current);
    break;
  }

  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder);
    } catch (error) {
      // The parent exists at this point, so ENOENT means the file system takes no new folder there.
      if (errorCode(error) === 'ENOENT') throw noNewFolders(folder, error);
      // Another process may create the same folder between the stat and the mkdir.
      if (errorCode(error) !== 'EEXIST') throw error;
      const existing = await stat(folder);
      if (!existing.isDirectory()) throw notADirectory(folder);
    }
  }
}

async function statOrMissing(path: string): Promise<Awaited<ReturnType<typeof stat>> | 'missing'> {
  try {
    return await stat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'missing';
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function notADirectory(path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ENOTDIR: not a directory, mkdir '${path}'`);
  error.code = 'ENOTDIR';
  error.path = path;
  return error;
}

function noNewFolders(path: string, cause: unknown): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `ENOENT: cannot create folder '${path}', because the file system of '${dirname(path)}' rejects new folders`,
    { cause },
  );
  error.code = 'ENOENT';
  error.path = path;
  return error;
}
