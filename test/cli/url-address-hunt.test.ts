/**
 * End-to-end tests of URLs on an address and of hosting addresses: feed, pack, pack.json read back
 * and a local hunt over CEF lines. A URL on an address is also hunted by its address and port.
 * An address that an allowlist lets hunts use only on its port gets no address-only hunt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cefLine, huntedLines, threatFoxCsv } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { readPackHunts } from '../../src/report/read-pack.js';
import { PACK_FORMAT_VERSION } from '../../src/report/write-pack.js';

const MOZI = { malpedia: 'elf.mozi', name: 'Mozi', threatType: 'payload_delivery' };

function cef(destination: string, port: number, minute: number): string {
  return cefLine(minute, `src=10.0.0.7 spt=51000 dst=${destination} dpt=${port} act=allow`);
}

/** Writes a CEF log of one allowed connection a minute to each destination, from minute 10. */
async function writeConnections(
  file: string,
  destinations: ReadonlyArray<[address: string, port: number]>,
): Promise<void> {
  const lines = destinations.map(([address, port], index) => cef(address, port, 10 + index));
  await writeFile(file, [...lines, ''].join('\n'));
}

test('URL addresses and hosting ports', async (t) => {
  const folder = makeTempDir('url-address', t);
  const feed = join(folder, 'feed.csv');
  await writeFile(
    feed,
    threatFoxCsv(MOZI, [
      ['http://45.67.99.1:8080/bins/x.arm', 'url'],
      ['13.55.118.253:443', 'ip:port'],
      ['http://13.55.118.254:8080/y.bin', 'url'],
    ]),
  );
  const out = join(folder, 'packs');
  const build = await runCli(['build', feed, '--out', out]);
  assert.equal(build.code, 0, build.stderr);
  const pack = join(out, 'mozi');

  const json = JSON.parse(await readFile(join(pack, 'pack.json'), 'utf8')) as {
    formatVersion: number;
    indicators: Array<{ value: string; exactOnly?: { list: string } }>;
  };
  assert.equal(json.formatVersion, PACK_FORMAT_VERSION);
  const exactOnly = Object.fromEntries(
    json.indicators.map((indicator) => [indicator.value, indicator.exactOnly?.list]),
  );
  assert.deepEqual(exactOnly, {
    'http://45.67.99.1:8080/bins/x.arm': undefined,
    '13.55.118.253:443': 'amazon-aws',
    'http://13.55.118.254:8080/y.bin': 'amazon-aws',
  });

  const queries = await readdir(join(pack, 'queries'));
  const addressOnly = queries.filter((name) => name.includes('address-only'));
  assert.ok(addressOnly.length > 0, queries.join(', '));
  for (const name of addressOnly) {
    const text = await readFile(join(pack, 'queries', name), 'utf8');
    assert.match(text, /"45\.67\.99\.1", "8080"/, name);
    assert.doesNotMatch(text, /13\.55\.118/, name);
  }
  const portAware = await readFile(
    join(pack, 'queries', 'mozi-sentinel-csl-port-aware.kql'),
    'utf8',
  );
  assert.match(portAware, /"45\.67\.99\.1", 8080/);
  assert.match(portAware, /"13\.55\.118\.253", 443/);
  // A URL on a hosting address keeps its address and port, but never the bare address.
  assert.match(portAware, /"13\.55\.118\.254", 8080/);

  const report = await readFile(join(pack, 'report.md'), 'utf8');
  assert.match(report, /### Hunted on the exact value only/);
  assert.match(report, /\| ip:port \| `13\[\.\]55\[\.\]118\[\.\]253:443` \| amazon-aws \|/);
  const section = report.split('### Hunted on the exact value only')[1]!.split('\n#')[0]!;
  assert.match(section, /\| `13\[\.\]48\[\.\]0\[\.\]0\/12` \|/, 'the entry is defanged');
  assert.match(section, /the host 13\[\.\]55\[\.\]118\[\.\]254 is an Amazon AWS address/);
  assert.doesNotMatch(section, /\d\.\d/, 'no address in the section is live');
  const csv = await readFile(join(pack, 'indicators.csv'), 'utf8');
  assert.match(csv, /"13\[\.\]55\[\.\]118\[\.\]253:443",.*"hunted, exact value only","amazon-aws"/);

  // The hunts read back from pack.json are the hunts the build wrote.
  const hunts = await readPackHunts(pack);
  const portAwareHunt = hunts.find((hunt) => hunt.id === 'mozi-sentinel-csl-port-aware');
  assert.deepEqual(
    portAwareHunt?.iocs.rows.map((cells) => `${String(cells[0])}:${String(cells[1])}`),
    ['13.55.118.253:443', '45.67.99.1:8080', '13.55.118.254:8080'],
  );

  const log = join(folder, 'firewall.log');
  await writeConnections(log, [
    ['45.67.99.1', 8080],
    ['45.67.99.1', 22],
    ['13.55.118.253', 443],
    ['13.55.118.253', 80],
    ['13.55.118.254', 8080],
  ]);
  const matched = await huntedLines(pack, log, folder);
  // Line 5 matches through the hosting URL's address and port; line 4 has another port.
  assert.deepEqual(matched, [
    '1 mozi-sentinel-csl-address-only',
    '1 mozi-sentinel-csl-port-aware',
    '2 mozi-sentinel-csl-address-only',
    '3 mozi-sentinel-csl-port-aware',
    '5 mozi-sentinel-csl-port-aware',
  ]);
});

test('URLs on CDN edges and compromised addresses', async (t) => {
  const folder = makeTempDir('url-address-cdn', t);
  const feed = join(folder, 'feed.csv');
  const rows = threatFoxCsv(MOZI, [
    ['http://104.21.75.114/cx', 'url'],
    ['https://151.101.1.69/gate', 'url'],
    ['http://93.184.215.14/wp-content/uploads/x.js', 'url'],
    ['http://45.67.99.1:8080/bins/x.arm', 'url'],
  ]);
  // The third URL is a compromised legitimate site: is_compromised is the eleventh column.
  await writeFile(
    feed,
    rows.replace(/("http:\/\/93\.184\.215\.14[^\n]*?"100", )"False"/, '$1"True"'),
  );
  const out = join(folder, 'packs');
  const build = await runCli(['build', feed, '--out', out]);
  assert.equal(build.code, 0, build.stderr);
  const pack = join(out, 'mozi');

  const json = JSON.parse(await readFile(join(pack, 'pack.json'), 'utf8')) as {
    indicators: Array<{
      value: string;
      isCompromised?: boolean;
      exactOnly?: { list: string; urlOnly?: boolean };
    }>;
  };
  const marks = Object.fromEntries(
    json.indicators.map((item) => [
      item.value,
      [item.exactOnly?.list, item.exactOnly?.urlOnly, item.isCompromised],
    ]),
  );
  assert.deepEqual(marks, {
    'http://104.21.75.114/cx': ['cloudflare', true, false],
    'https://151.101.1.69/gate': ['fastly', true, false],
    'http://93.184.215.14/wp-content/uploads/x.js': [undefined, undefined, true],
    'http://45.67.99.1:8080/bins/x.arm': [undefined, undefined, false],
  });

  // Only the URL on an ordinary address adds its address and port, in queries and read back.
  for (const name of await readdir(join(pack, 'queries'))) {
    if (!name.includes('port-aware') && !name.includes('address-only')) continue;
    const text = await readFile(join(pack, 'queries', name), 'utf8');
    assert.doesNotMatch(text, /104\.21\.75\.114|151\.101\.1\.69|93\.184\.215\.14/, name);
    assert.match(text, /"45\.67\.99\.1"/, name);
  }
  const hunts = await readPackHunts(pack);
  const portAware = hunts.find((hunt) => hunt.id === 'mozi-sentinel-csl-port-aware');
  assert.deepEqual(
    portAware?.iocs.rows.map((cells) => `${String(cells[0])}:${String(cells[1])}`),
    ['45.67.99.1:8080'],
  );

  // Visits to other sites on the edges and to the site's other pages are no findings.
  const log = join(folder, 'proxy.log');
  await writeConnections(log, [
    ['104.21.75.114', 80],
    ['151.101.1.69', 443],
    ['93.184.215.14', 443],
    ['93.184.215.14', 80],
    ['45.67.99.1', 8080],
  ]);
  assert.deepEqual(await huntedLines(pack, log, folder), [
    '5 mozi-sentinel-csl-address-only',
    '5 mozi-sentinel-csl-port-aware',
  ]);
});
