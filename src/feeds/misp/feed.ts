/**
 * Reads a MISP feed laid out as files: `manifest.json` listing event uuids, and one
 * `<uuid>.json` per event beside it. A missing or unreadable event file is reported and the
 * other events are still read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HuntpackError, type HuntpackIssue } from '../../errors.js';
import { emptyReaderOutput, mergeReaderOutput, type FeedReaderOutput } from '../reader-output.js';

/** Reads one MISP file's text into an output; throws FeedParseError for a broken file. */
export type MispFileReader = (text: string, file: string) => FeedReaderOutput;

/** Reads every event file that a manifest lists, from the manifest's folder. */
export function readManifestEvents(
  uuids: string[],
  manifestFile: string,
  readFile: MispFileReader,
): FeedReaderOutput {
  const output = emptyReaderOutput();
  const folder = dirname(manifestFile);
  for (const uuid of uuids) {
    const path = join(folder, `${uuid}.json`);
    if (!existsSync(path)) {
      output.issues.push(
        fileIssue(
          'MISP_EVENT_FILE_MISSING',
          `The manifest lists event ${uuid}, but ${path} does not exist. Download the feed again or remove the event from manifest.json.`,
          manifestFile,
        ),
      );
      continue;
    }
    readOneFile(path, readFile, output);
  }
  return output;
}

/**
 * Reads a MISP feed folder: the events its manifest.json lists, or, without a manifest, every
 * `.json` file in it in name order.
 */
export function readFeedFolder(folder: string, readFile: MispFileReader): FeedReaderOutput {
  const manifest = join(folder, 'manifest.json');
  if (existsSync(manifest)) {
    const output = emptyReaderOutput();
    readOneFile(manifest, readFile, output);
    return output;
  }
  const output = emptyReaderOutput();
  const files = readdirSync(folder)
    .filter((name) => name.toLowerCase().endsWith('.json'))
    .sort();
  for (const name of files) readOneFile(join(folder, name), readFile, output);
  return output;
}

/** True when `path` is a folder. */
export function isFolder(path: string): boolean {
  return statSync(path).isDirectory();
}

function readOneFile(path: string, readFile: MispFileReader, output: FeedReaderOutput): void {
  try {
    mergeReaderOutput(output, readFile(readFileSync(path, 'utf8'), path));
  } catch (error) {
    if (!(error instanceof HuntpackError)) throw error;
    output.issues.push(fileIssue(error.code, `${basename(path)}: ${error.message}`, path));
  }
}

function fileIssue(code: string, message: string, file: string): HuntpackIssue {
  return { code, severity: 'error', message, source: { file } };
}
