/**
 * A local hunt skips UrlClickEvents rows and exports, and warns about them with the packs'
 * UrlClickEvents queries, because a skipped click on an indicator URL is otherwise unseen.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { threatFoxCsv } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const URL = 'https://colafunfacts.net/log';

/** A UrlClickEvents export from Defender advanced hunting, with a click on the indicator URL. */
const CLICKS_CSV = [
  'Timestamp,Url,ActionType,AccountUpn,IPAddress,UrlChain,Workload,NetworkMessageId,ReportId,IsClickedThrough',
  `2025-12-05T22:00:00Z,${URL},ClickAllowed,bob@corp.example,203.0.113.9,"[""${URL}""]",Email,abc,1,true`,
  '2025-12-05T22:00:01Z,https://safe.example/x,ClickBlocked,alice@corp.example,203.0.113.9,"[""https://safe.example/x""]",Email,abd,2,false',
  '',
].join('\n');

/** The same click as an Event Hub streaming-API record. */
const CLICK_ENVELOPE = JSON.stringify({
  time: '2025-12-05T22:00:00Z',
  category: 'AdvancedHunting-UrlClickEvents',
  properties: { Url: URL, ActionType: 'ClickAllowed', UrlChain: [URL] },
});

/** A DeviceNetworkEvents row, so that a run that also reads clicks has events. */
const NETWORK_ENVELOPE = JSON.stringify({
  time: '2025-12-05T22:00:00Z',
  category: 'AdvancedHunting-DeviceNetworkEvents',
  properties: {
    ActionType: 'ConnectionSuccess',
    RemoteIP: '192.0.2.1',
    RemotePort: 443,
    RemoteUrl: 'https://safe.example/x',
  },
});

describe('huntpack hunt on UrlClickEvents', () => {
  let folder: string;
  let pack: string;

  before(async () => {
    folder = makeTempDir('hunt-url-clicks');
    const feed = join(folder, 'feed.csv');
    const family = { malpedia: 'win.cola', name: 'Cola', threatType: 'payload_delivery' };
    await writeFile(feed, threatFoxCsv(family, [[URL, 'url']]));
    const out = join(folder, 'packs');
    const build = await runCli(['build', feed, '--out', out, '--no-builtin-allowlists']);
    assert.equal(build.code, 0, build.stderr);
    pack = join(out, 'cola');
    await writeFile(join(folder, 'clicks.csv'), CLICKS_CSV);
    await writeFile(join(folder, 'stream.json'), `${CLICK_ENVELOPE}\n${NETWORK_ENVELOPE}\n`);
  });

  it('names the queries for an export', async () => {
    const result = await runCli(['hunt', '--pack', pack, 'clicks.csv', '--json'], {
      cwd: folder,
    });
    assert.doesNotMatch(result.stderr, /UNKNOWN_LOG_FORMAT/);
    assert.match(
      result.stderr,
      /warning: 2 UrlClickEvents rows of Safe Links clicks were skipped, because local hunts do not read UrlClickEvents\. Run the packs' UrlClickEvents queries \(queries\/\*-uce-\*\.kql\) in Sentinel or Defender/,
    );
    const json = JSON.parse(result.stdout) as {
      stats: { skippedByReason: Record<string, number> };
    };
    assert.equal(json.stats.skippedByReason.URL_CLICK_EVENTS_NOT_HUNTED_HERE, 2);
  });

  it('names the queries for envelopes', async () => {
    const result = await runCli(['hunt', '--pack', pack, 'stream.json'], { cwd: folder });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: 1 UrlClickEvents row of Safe Links clicks was skipped/);
  });

  it('advises a build for feed hunts', async () => {
    const result = await runCli(['hunt', '--feed', 'feed.csv', 'stream.json'], { cwd: folder });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /run their UrlClickEvents queries \(feed-packs\/\*\/queries\/\*-uce-\*\.kql\)/,
    );
  });
});
