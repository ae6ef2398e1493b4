import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');

/** A log that gives no event, the format to read it in, and the reason the message must give. */
interface NoEventsCase {
  name: string;
  text: string;
  format: string;
  reason: string;
}

const CASES: NoEventsCase[] = [
  {
    name: 'array.json',
    text: '[\n  [1],\n  [2]\n]\n',
    format: 'commonsecuritylog-json',
    reason: '2 array elements read, 2 rejected and 0 skipped',
  },
  {
    name: 'empty-array.json',
    text: '[\n]\n',
    format: 'commonsecuritylog-json',
    reason: 'the JSON array is empty',
  },
  {
    name: 'scalars.json',
    text: '[1, -2.5e3, "text", "a, ]", null, true,\n false]\n',
    format: 'commonsecuritylog-json',
    reason: '7 array elements read, 7 rejected and 0 skipped',
  },
  {
    name: 'lines.jsonl',
    text: '1\n2\n\n',
    format: 'commonsecuritylog-json',
    reason: '3 lines read, 2 rejected and 1 skipped',
  },
  {
    name: 'hub.json',
    text: '{"records": [[1], [2]]}\n',
    format: 'commonsecuritylog-json',
    reason: '2 Event Hub records read, 2 rejected and 0 skipped',
  },
  {
    name: 'header.csv',
    text: 'TimeGenerated,DestinationIP\n',
    format: 'commonsecuritylog-csv',
    reason: 'the CSV file has a header row and no records',
  },
  {
    name: 'blank.log',
    text: '\n\n',
    format: 'cef',
    reason: '2 lines read, 0 rejected and 2 skipped',
  },
];

describe('huntpack hunt over a log without events', () => {
  let folder: string;

  before(async () => {
    folder = makeTempDir('cli-hunt-no-events-unit');
    for (const { name, text } of CASES) await writeFile(join(folder, name), text);
  });

  for (const { name, format, reason } of CASES) {
    it(`counts ${name} in its unit`, async () => {
      const result = await runCli(['hunt', '--feed', FEED, '--format', format, name], {
        cwd: folder,
      });
      assert.equal(result.code, 2, result.stderr);
      const file = join(folder, name);
      assert.ok(
        result.stderr.includes(`error NO_EVENTS: No event was read from "${file}": ${reason}.\n`),
        result.stderr,
      );
    });
  }
});
