/**
 * Zip archives as feed inputs: every file entry is its own input, named `archive.zip!entry`.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { FeedParseError, quoteValue } from '../errors.js';
import type { FeedInput, OpenedInputs } from './input.js';
import { decodeStream, mapStreamErrors, toFeedParseError } from './streams.js';

const ZIP_OPTIONS = { lazyEntries: true, autoClose: false, validateEntrySizes: true };

/** Opens a zip archive on disk. */
export async function openZipFile(path: string): Promise<OpenedInputs> {
  const zip = await new Promise<ZipFile>((resolve, reject) => {
    yauzl.open(path, ZIP_OPTIONS, (error, zipfile) => {
      if (error) reject(invalidZip(path, error));
      else resolve(zipfile);
    });
  });
  return listEntries(path, zip);
}

/** Opens a zip archive held in memory, such as one read from standard input. */
export async function openZipBuffer(name: string, buffer: Buffer): Promise<OpenedInputs> {
  const zip = await new Promise<ZipFile>((resolve, reject) => {
    yauzl.fromBuffer(buffer, ZIP_OPTIONS, (error, zipfile) => {
      if (error) reject(invalidZip(name, error));
      else resolve(zipfile);
    });
  });
  return listEntries(name, zip);
}

/** Returns the message of a yauzl error without its final period, which the sentence adds again. */
function causeText(cause: unknown): string {
  return (cause instanceof Error ? cause.message : String(cause)).replace(/\.+$/, '');
}

function invalidZip(name: string, cause: unknown): FeedParseError {
  const reason = causeText(cause);
  // yauzl refuses entry names that are absolute or climb out of the archive's folder.
  const advice = /invalid (relative|absolute) path|absolute path/i.test(reason)
    ? 'An entry is named to be written outside the folder the archive unpacks into, which a feed never needs; unpack it yourself and check it, or download it again.'
    : 'The archive may be truncated; download or copy it again.';
  return new FeedParseError(
    'INVALID_ZIP',
    `Invalid zip archive ${quoteValue(name)}: ${reason}. ${advice}`,
    { source: { file: name }, cause },
  );
}

/**
 * Lists the file entries of an archive. Directory entries and the `__MACOSX/` resource-fork
 * folder that macOS adds are skipped, because neither holds feed data.
 */
async function listEntries(archive: string, zip: ZipFile): Promise<OpenedInputs> {
  const entries = await new Promise<Entry[]>((resolve, reject) => {
    const found: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      if (!entry.fileName.endsWith('/') && !entry.fileName.startsWith('__MACOSX/')) {
        found.push(entry);
      }
      zip.readEntry();
    });
    zip.on('end', () => resolve(found));
    zip.on('error', (error) => reject(invalidZip(archive, error)));
    zip.readEntry();
  }).catch((error: unknown) => {
    zip.close();
    throw error;
  });

  const inputs = entries.map((entry) => entryInput(archive, zip, entry));
  const close = (): Promise<void> => {
    zip.close();
    return Promise.resolve();
  };
  return { inputs, close };
}

function entryInput(archive: string, zip: ZipFile, entry: Entry): FeedInput {
  const name = `${archive}!${entry.fileName}`;
  return {
    name,
    open: async () => {
      if (entry.isEncrypted()) {
        throw new FeedParseError(
          'ENCRYPTED_ZIP_ENTRY',
          `Zip entry ${quoteValue(name)} is encrypted: expected an unencrypted entry. Extract it with its password and pass the file instead.`,
          { source: { file: name } },
        );
      }
      const raw = await new Promise<Readable>((resolve, reject) => {
        zip.openReadStream(entry, (error, stream) => {
          if (error) reject(toFeedParseError(error, name));
          else resolve(stream);
        });
      });
      return decodeStream(
        name,
        mapStreamErrors(raw, (error) => corruptEntry(name, error)),
      );
    },
  };
}

function corruptEntry(name: string, cause: unknown): FeedParseError {
  const reason = causeText(cause);
  return new FeedParseError(
    'CORRUPT_ZIP_ENTRY',
    `Failed to extract zip entry ${quoteValue(name)}: ${reason}. The archive may be damaged; download or copy it again.`,
    { source: { file: name }, cause },
  );
}
