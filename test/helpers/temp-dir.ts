/**
 * Temporary folders for tests, made with mkdtemp under os.tmpdir() as `huntpack-<prefix>-XXXXXX`.
 * A folder is removed when the test that made it ends, whether the test passed or failed. Any
 * folder still present is removed when the test file's process exits. A process killed by a
 * signal (SIGKILL, or Ctrl-C) runs no exit handler, so it leaves its folders behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

const folders = new Set<string>();

process.on('exit', () => {
  for (const folder of folders) {
    rmSync(folder, { recursive: true, force: true });
  }
});

/**
 * Makes an empty temporary folder and returns its path. Given the context `t` of a running test,
 * removes the folder when that test ends. Without `t`, as in a suite's `before` hook or at the top
 * of a file, removes it when the process exits.
 */
export function makeTempDir(prefix: string, t?: TestContext): string {
  const folder = mkdtempSync(join(tmpdir(), `huntpack-${prefix}-`));
  folders.add(folder);
  t?.after(() => {
    rmSync(folder, { recursive: true, force: true });
    folders.delete(folder);
  });
  return folder;
}
