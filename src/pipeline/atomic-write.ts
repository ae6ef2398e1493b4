/**
 * Writing a file so that readers see either the old content or the new, never a half-written
 * file: the text goes to a temporary file in the same folder, which then replaces the target.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to `file` through a temporary file and a rename. On POSIX file systems the rename
 * is atomic, and the temporary file is removed when any step fails.
 *
 * @throws the file system error of the step that failed.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temporary = join(
    dirname(file),
    `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  // The new file keeps the permissions of the one it replaces, such as a read-only state.
  const mode = await stat(file).then(
    (stats) => stats.mode & 0o777,
    () => undefined,
  );
  try {
    const handle = await open(temporary, 'wx', 0o666);
    try {
      await handle.writeFile(text, 'utf8');
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
