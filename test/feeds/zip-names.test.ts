import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { FeedParseError } from '../../src/errors.js';
import { openInputs } from '../../src/feeds/input.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Returns the bundled test archive with the entry `api.json` renamed to `name`, of the same length. */
function archiveWithEntryName(name: string): Buffer {
  const zip = readFileSync(repoFile('test/fixtures/threatfox/archive.zip'));
  const from = Buffer.from('api.json');
  assert.equal(Buffer.byteLength(name), from.length);
  let at = zip.indexOf(from);
  assert.ok(at >= 0);
  // The name is written in the entry's local header and again in the central directory.
  for (; at >= 0; at = zip.indexOf(from, at + 1)) zip.write(name, at);
  return zip;
}

test('zip entry outside the archive folder is named as such', async (t) => {
  const path = join(makeTempDir('zip-names', t), 'climb.zip');
  writeFileSync(path, archiveWithEntryName('../a.csv'));
  await assert.rejects(openInputs(path), (error: unknown) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, 'INVALID_ZIP');
    assert.match(error.message, /\.\.\/a\.csv/);
    assert.match(error.message, /outside the folder the archive unpacks into/);
    assert.doesNotMatch(error.message, /truncated/);
    return true;
  });
});
