/** The `--list-url` option of `huntpack build`: its parser and the size check of the list files. */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { quoteValue, UsageError } from '../errors.js';
import type { Pack } from '../report/pack-model.js';
import type { CliIo } from './io.js';

/** Largest file that Kusto's `externaldata` operator is documented to read: 100 MB. */
const EXTERNALDATA_LIMIT_BYTES = 100 * 1024 * 1024;

/**
 * Parses `--list-url`: an https URL whose path ends in `{file}`, which stands for the name of each
 * list file (`huntpack_remcos_domain.csv`). A query string, such as a shared access signature,
 * may follow the path.
 */
export function parseListUrl(text: string): string {
  const invalid = (reason: string): UsageError =>
    new UsageError(
      'INVALID_LIST_URL',
      `Invalid --list-url ${quoteValue(text, 400)}: ${reason}. Give the https URL of the folder ` +
        'you upload the list files to, ending in {file}, such as ' +
        'https://account.blob.core.windows.net/iocs/{file}.',
    );

  if (text.split('{file}').length !== 2) throw invalid('it must contain {file} once');
  // Characters that a URL never contains unencoded and that would break the report's link.
  if (/[\s"`<>\\^|{}\p{Cc}]/u.test(text.replace('{file}', ''))) {
    throw invalid(
      'it contains a space, quote, bracket, backslash or control character; percent-encode it',
    );
  }

  const sample = 'huntpack_list.csv';
  let url: URL;
  try {
    url = new URL(text.replace('{file}', sample));
  } catch {
    throw invalid('it is not a URL');
  }
  // The URL parser also reads https:host and https:@host, which would reach the queries as written.
  if (!/^https:\/\//i.test(text)) throw invalid('it must start with https://');
  if (/^https:\/\/[^/?]*@/i.test(text)) {
    throw invalid('it contains a user name or password, which would be written into every query');
  }
  // Kusto reads text after a semicolon in a storage connection string as an account key.
  if (text.includes(';')) throw invalid('it contains a semicolon; percent-encode it as %3B');
  if (text.includes('#')) throw invalid('it contains a fragment (#), which no download sends');
  if (!url.pathname.endsWith(`/${sample}`)) {
    throw invalid('{file} must be the last part of its path, before any ?query');
  }
  return text;
}

/** Writes a warning for each list file that Defender hunts read with `externaldata` and that is over 100 MB. */
export async function listSizeWarnings(
  pack: Pack,
  folder: string,
  io: Pick<CliIo, 'stderr'>,
): Promise<void> {
  for (const watchlist of pack.watchlists) {
    if (watchlist.url === undefined) continue;
    const path = join(folder, watchlist.file);
    const { size } = await stat(path);
    if (size <= EXTERNALDATA_LIMIT_BYTES) continue;
    io.stderr.write(
      `huntpack: warning: ${path} has ${(size / 1024 / 1024).toFixed(0)} MB, and externaldata ` +
        'reads at most 100 MB, so the Defender hunts that read it may fail. Narrow the build with ' +
        '--since or --min-confidence, or run the Sentinel hunts, which read it as a watchlist.\n',
    );
  }
}
