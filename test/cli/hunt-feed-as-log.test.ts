import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { edgeHunts } from '../helpers/hunt-fixtures.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
const STIX = repoFile('test/fixtures/stix/oasis-schemas_poisonivy_stix21.json');
const CEF = repoFile('test/fixtures/logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt');

describe('huntpack hunt with a feed as a log', () => {
  let folder: string;
  let pack: string;

  before(async () => {
    folder = makeTempDir('cli-hunt-feed-as-log');
    pack = join(folder, 'pack');
    await mkdir(pack);
    const hunts = edgeHunts().map((hunt) => ({ id: hunt.id, form: hunt }));
    await writeFile(join(pack, 'pack.json'), JSON.stringify({ hunts }));
  });

  it('names the feed format of a log input', async () => {
    const result = await runCli(['hunt', '--pack', pack, FEED]);
    assert.equal(result.code, 2, result.stderr);

    assert.match(
      result.stderr,
      /error FEED_NOT_LOG: "[^"]*fabi2708_csv-recent_2026-04-12\.csv" is a feed \(ThreatFox CSV export\), not a log\./,
    );
    assert.match(result.stderr, /pass it with --feed, once per feed file/);
    assert.doesNotMatch(result.stderr, /UNKNOWN_LOG_FORMAT/);
    assert.match(result.stdout, /Incomplete hunt: 1 log input failed: \S+ \(FEED_NOT_LOG\)\./);
  });

  it('names a second feed after one --feed', async () => {
    const log = join(folder, 'fw.log');
    await writeFile(log, await readFile(CEF, 'utf8'));
    // The shell form `--feed a.csv b.json LOGS`: --feed takes a.csv, and b.json is a log input.
    const result = await runCli(['hunt', '--feed', FEED, STIX, log]);
    assert.equal(result.code, 2, result.stderr);

    assert.match(result.stderr, /is a feed \(STIX 2\.1 bundle\), not a log\./);
    assert.match(
      result.stdout,
      /Incomplete hunt: 1 log input failed: \S*poisonivy_stix21\.json \(FEED_NOT_LOG\)\./,
    );
  });
});
