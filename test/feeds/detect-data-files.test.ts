import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { detectFeedFormat } from '../../src/feeds/detect.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const ERROR_PAGE = 'Error 429: too many requests from 45.9.1.2\n';

test('data files that hold prose are no feed', () => {
  for (const name of ['recent.csv', 'export.json', 'items.ndjson', 'feed.csv.gz', 'x.TSV']) {
    assert.equal(detectFeedFormat(ERROR_PAGE, name), undefined, name);
  }
  for (const name of ['report.txt', 'notes.md', 'paste', 'blog.html']) {
    assert.equal(detectFeedFormat(ERROR_PAGE, name), 'text', name);
  }
  // An empty data file stays an empty feed, which the build warns about.
  assert.equal(detectFeedFormat('', 'recent.csv'), 'text');
});

test('build refuses an error page saved as CSV', async (t) => {
  const folder = makeTempDir('error-page', t);
  const feed = join(folder, 'recent.csv');
  await writeFile(feed, ERROR_PAGE);
  const result = await runCli(['build', feed, '--out', join(folder, 'packs')]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error UNKNOWN_FEED_FORMAT: Unknown feed format in ".*recent\.csv"/);
  assert.doesNotMatch(result.stdout, /wrote 1 pack/);

  const forced = await runCli(['build', feed, '--format', 'text', '--out', join(folder, 'forced')]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /wrote 1 pack/);
});
