/**
 * Reader for MISP JSON: event exports, restSearch responses and feeds (manifest.json plus one
 * file per event). Attributes and object attributes of the types huntpack hunts for become
 * RawIndicator records whose source id is `<event uuid>/<attribute uuid>`.
 */
import { readFileSync } from 'node:fs';
import { parseJsonDocument } from './json-document.js';
import { classifyMispDocument } from './misp/document.js';
import { invalidEntryMessage } from './misp/entries.js';
import { readMispEvent, type MispEventOptions } from './misp/event.js';
import { isFolder, readFeedFolder, readManifestEvents } from './misp/feed.js';
import { emptyReaderOutput, type FeedReaderOutput } from './reader-output.js';

/**
 * Options of the MISP reader. `allAttributes` keeps attributes whose `to_ids` flag is false
 * (default false: they are dropped and counted as `not-to-ids`). `family` replaces the family
 * from tags and galaxies on every record (default: none).
 */
export type MispReaderOptions = MispEventOptions;

/**
 * Reads one MISP JSON document. A feed manifest.json is followed to the event files beside
 * `file`. Throws FeedParseError when the text is not JSON or not MISP.
 */
export function readMisp(
  text: string,
  file: string,
  options: MispReaderOptions = {},
): FeedReaderOutput {
  const document = classifyMispDocument(parseJsonDocument(text, file, 'MISP'), file);
  if (document.kind === 'manifest') {
    return readManifestEvents(document.uuids, file, (eventText, eventFile) =>
      readMisp(eventText, eventFile, options),
    );
  }
  const output = emptyReaderOutput();
  for (const entry of document.invalid) {
    output.issues.push({
      code: 'MISP_INVALID_EVENT',
      severity: 'error',
      message: invalidEntryMessage(entry, 'the document', 'it is skipped'),
      source: { file },
    });
    output.rejected++;
    output.itemsRead++;
  }
  const reportedConfidenceTags = new Set<string>();
  for (const event of document.events) {
    readMispEvent(event, file, options, output, reportedConfidenceTags);
  }
  if (document.events.length === 0) {
    output.issues.push({
      code: 'MISP_NO_EVENTS',
      severity: 'info',
      message: 'The document contains no MISP events, so no indicators were read.',
      source: { file },
    });
  }
  return output;
}

/**
 * Reads a MISP feed folder (manifest.json and event files, or every .json file in it) or a
 * single MISP file from disk. Unreadable event files in a folder are reported as issues.
 */
export function readMispPath(path: string, options: MispReaderOptions = {}): FeedReaderOutput {
  const readFile = (text: string, file: string): FeedReaderOutput => readMisp(text, file, options);
  if (isFolder(path)) return readFeedFolder(path, readFile);
  return readFile(readFileSync(path, 'utf8'), path);
}
