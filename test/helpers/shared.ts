/**
 * Locates the `shared` data folder beside the repository. Tests that read files kept there
 * (GPL or unlicensed data the project may not carry) skip with a message when it is absent.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SHARED_DATA = resolve(REPO_ROOT, '..', 'shared', 'data');

/** Returns the absolute path of a file under `../shared/data`. */
export function sharedFile(relativePath: string): string {
  return join(SHARED_DATA, relativePath);
}

/**
 * Returns a `skip` option for node:test: false when the shared file exists, otherwise a
 * message that names the missing path.
 */
export function skipWithoutShared(relativePath = ''): false | string {
  const path = sharedFile(relativePath);
  return existsSync(path) ? false : `needs ${path}, which is not present`;
}

/** Returns the absolute path of a file bundled in the repository. */
export function repoFile(relativePath: string): string {
  return join(REPO_ROOT, relativePath);
}
