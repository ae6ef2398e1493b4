import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { threatFoxCsv } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FAMILY = { malpedia: 'win.remcos', name: 'Remcos', threatType: 'botnet_cc' };

const FEED = threatFoxCsv(FAMILY, [
  ['ezege.duckdns.org', 'domain'],
  ['soste.duckdns.org', 'domain'],
  ['cam.duckdns.org', 'domain'],
  ['evil-remcos.com', 'domain'],
  ['45.9.148.10:4444', 'ip:port'],
]);

/** [id, filter, whether the build must warn that it removes an indicator's own hits] */
const EXCLUSIONS: Array<[string, string, boolean]> = [
  ['ddns', 'DestinationHostName endswith ".duckdns.org"', true],
  ['dst-ioc', 'DestinationIP == "45.9.148.10"', true],
  ['remote-ioc', 'RemoteIP in ("45.9.148.10", "5.6.7.8")', true],
  ['ddns-vendor', 'DestinationHostName endswith ".duckdns.org" and DeviceVendor == "Acme"', false],
  ['other-address', 'DestinationIP == "10.1.1.1"', false],
  ['other-port', 'DestinationPort == 8080', false],
];

function exclusionsYaml(): string {
  const entries = EXCLUSIONS.map(
    ([id, filter]) => `  - id: ${id}\n    title: ${id}\n    filter: '${filter}'\n`,
  );
  return `exclusions:\n${entries.join('')}`;
}

/** Returns the 1-based line of the filter of exclusion `index` in {@link exclusionsYaml}. */
function filterLine(index: number): number {
  return 2 + index * 3 + 2;
}

test('build warns about removed indicator hits', async (t) => {
  const folder = makeTempDir('removed-hits', t);
  const feed = join(folder, 'feed.csv');
  const exclusions = join(folder, 'excl.yaml');
  await writeFile(feed, FEED);
  await writeFile(exclusions, exclusionsYaml());
  const out = join(folder, 'packs');

  const result = await runCli(['build', feed, '--exclusions', exclusions, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const issues = await readFile(join(out, 'build-issues.txt'), 'utf8');

  EXCLUSIONS.forEach(([id, , warns], index) => {
    const prefix = `${exclusions}:${filterLine(index)}: warning EXCLUSION_REMOVES_INDICATOR: exclusion "${id}"`;
    assert.equal(issues.includes(prefix), warns, `${id} in build-issues.txt`);
    assert.equal(result.stderr.includes(prefix), warns, `${id} on stderr`);
  });
  const ddns = issues.split('\n').find((line) => line.includes('exclusion "ddns"')) ?? '';
  assert.match(ddns, /for 3 of the 5 indicators of pack remcos/);
  assert.match(ddns, /ezege\[\.\]duckdns\[\.\]org/);
  assert.doesNotMatch(ddns, /evil-remcos/);
  const address = issues.split('\n').find((line) => line.includes('exclusion "dst-ioc"')) ?? '';
  assert.match(
    address,
    /for 1 of the 5 indicators of pack remcos \(45\[\.\]9\[\.\]148\[\.\]10:4444\)/,
  );
  assert.match(address, /with MatchedOn "destination", for 1 of the 5/);
  assert.match(address, /or to keep those hits add: and MatchedOn != "destination"\.$/);
});
