import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { huntedLines } from '../helpers/feed-and-hunt.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// DCRat C2 names on SprintHost (xsph.ru) and Beget (beget.tech) hosting, whose registered
// domains are in the Tranco top 10k, and a host of the ad-tech company PubMatic.
const FEED = repoFile('test/fixtures/threatfox/hosting-zone-c2.csv');
// A DNS query, a TLS SNI, a POST to the feed's URL and a POST to another path on the C2 host.
const EVE = repoFile('test/fixtures/logs/suricata/hosting-zone-c2.json');

interface PackJson {
  hunts: Array<{ id: string }>;
  indicators: Array<{ kind: string; value: string }>;
  setAside: Array<{ indicator: { value: string }; list: string; entry: string }>;
}

describe('C2 names under hosting zones', () => {
  let folder: string;
  let pack: string;

  before(async () => {
    folder = makeTempDir('cli-hosting-zone');
    const build = await runCli(['build', FEED, '--out', join(folder, 'packs')]);
    assert.equal(build.code, 0, build.stderr);
    pack = join(folder, 'packs', 'dcrat');
  });

  it('keeps customer names as domains', async () => {
    const json = JSON.parse(await readFile(join(pack, 'pack.json'), 'utf8')) as PackJson;
    const domains = json.indicators.filter((indicator) => indicator.kind === 'domain');
    assert.deepEqual(domains.map((indicator) => indicator.value).sort(), [
      'a1184120.xsph.ru',
      'evil-c2.beget.tech',
    ]);
    const huntIds = json.hunts.map((hunt) => hunt.id);
    assert.ok(huntIds.includes('dcrat-sentinel-dns-domain'), huntIds.join(', '));
    assert.ok(huntIds.includes('dcrat-defender-dne-domain'), huntIds.join(', '));
    // PubMatic's own host is not a customer's, so Tranco still sets it aside.
    assert.deepEqual(
      json.setAside.map((item) => [item.indicator.value, item.list, item.entry]),
      [['mail.pubmatic.com', 'tranco10k', 'pubmatic.com']],
    );
  });

  it('finds DNS, TLS and other paths', async () => {
    const lines = await huntedLines(pack, EVE, folder);
    const matched = new Set(lines.map((pair) => Number(pair.split(' ')[0])));
    assert.ok(matched.has(1), `DNS query not matched: ${lines.join('; ')}`);
    assert.ok(matched.has(2), `TLS SNI not matched: ${lines.join('; ')}`);
    assert.ok(matched.has(3), `feed URL not matched: ${lines.join('; ')}`);
    assert.ok(matched.has(4), `other path not matched: ${lines.join('; ')}`);
  });
});
