/**
 * End-to-end tests of ports that WAFs and proxies write into `dhost` with `dst=-`, such as
 * `dhost=45.9.148.10:4444`. They cover the feed, the pack, the Kusto check of its queries and a
 * local hunt over CEF lines. A pack of format version 7 is hunted as that format defines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cefLine, huntedLines, threatFoxCsv } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { PACK_FORMAT_VERSION } from '../../src/report/write-pack.js';

const REMCOS = { malpedia: 'win.remcos', name: 'Remcos', threatType: 'botnet_cc' };

/** CEF extensions of the log, one line each, in order. */
const EXTENSIONS = [
  // 1 to 4: the port dhost writes counts when dst is empty.
  'src=10.0.0.7 dst=- dhost=45.9.148.10:4444',
  'src=10.0.0.7 dst=- dhost=45.9.148.10:4444 dpt=8080',
  'src=10.0.0.7 dst=- dhost=45.9.148.10:8080 dpt=4444',
  'src=10.0.0.7 dst=- dhost=[2a01:4f8:1c1c::5]:443',
  // 5 and 6: an address in dst keeps dpt as the port, so line 6 has port 8080.
  'src=10.0.0.7 dst=45.9.148.10 dpt=4444',
  'src=10.0.0.7 dst=45.9.148.10 dpt=8080 dhost=45.9.148.10:4444',
  // 7 and 8: a bare IPv6 address in dhost names no port.
  'src=10.0.0.7 dst=- dhost=2a01:4f8:1c1c::5 dpt=8443',
  'src=10.0.0.7 dst=- dhost=2a01:4f8:1c1c::5 dpt=443',
  // 9 and 10: the source side reads SourcePort only.
  'src=45.9.148.10 spt=4444 dst=10.0.0.9 dpt=51000',
  'src=45.9.148.10 spt=8080 dst=- dhost=10.0.0.9:4444',
  // 11 and 12: a port out of range in dhost is no port, so dpt counts.
  'src=10.0.0.7 dst=- dhost=45.9.148.10:99999 dpt=4444',
  'src=10.0.0.7 dst=- dhost=45.9.148.10:65536 dpt=4444',
  // 13 and 14: dpt wins over a port written in dst, in either order.
  'src=10.0.0.7 dst=45.9.148.10:8080 dpt=4444',
  'src=10.0.0.7 dpt=8080 dst=45.9.148.10:4444',
];

async function buildPack(folder: string): Promise<string> {
  const feed = join(folder, 'feed.csv');
  await writeFile(
    feed,
    threatFoxCsv(REMCOS, [
      ['45.9.148.10:4444', 'ip:port'],
      ['[2a01:4f8:1c1c::5]:443', 'ip:port'],
    ]),
  );
  const out = join(folder, 'packs');
  const build = await runCli(['build', feed, '--out', out]);
  assert.equal(build.code, 0, build.stderr);
  return join(out, 'remcos');
}

async function writeLog(folder: string): Promise<string> {
  const log = join(folder, 'waf.cef');
  const lines = EXTENSIONS.map((extension, index) => cefLine(10 + index, extension));
  await writeFile(log, [...lines, ''].join('\n'));
  return log;
}

/** Returns the sorted log lines that the CommonSecurityLog hunt of one variant matched. */
function linesOf(matched: string[], variant: string): number[] {
  return matched
    .filter((pair) => pair.endsWith(`-sentinel-csl-${variant}`))
    .map((pair) => Number(pair.split(' ')[0]))
    .sort((a, b) => a - b);
}

test('dhost port in CSL hunts', async (t) => {
  const folder = makeTempDir('dhost-port', t);
  const pack = await buildPack(folder);

  const check = await runCli(['check', join(pack, 'queries')]);
  assert.equal(check.code, 0, check.stdout + check.stderr);

  const query = await readFile(join(pack, 'queries', 'remcos-sentinel-csl-port-aware.kql'), 'utf8');
  assert.match(
    query,
    /\| extend MatchKey1_2 = iff\(isempty\(parse_ipv6\(extract\(@"\^\(\[\^\/\]\*\)\$", 1, DestinationIP\)\)\) and isnotnull\(MatchHostPort1_2\), MatchHostPort1_2, DestinationPort\)\n/,
  );

  const matched = await huntedLines(pack, await writeLog(folder), folder);
  assert.deepEqual(linesOf(matched, 'port-aware'), [1, 2, 4, 5, 8, 9, 11, 12, 13]);
  assert.deepEqual(
    linesOf(matched, 'address-only'),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
  );
});

test('format 7 pack reads DestinationPort only', async (t) => {
  const folder = makeTempDir('dhost-port-format7', t);
  const pack = await buildPack(folder);
  const file = join(pack, 'pack.json');
  const json = JSON.parse(await readFile(file, 'utf8')) as {
    formatVersion: number;
    hunts: Array<{ form: { match: Array<{ keys: Array<Record<string, unknown>> }> } }>;
  };
  assert.equal(json.formatVersion, PACK_FORMAT_VERSION);

  // A pack of format 7 stored the port key without the columns of its fallback.
  json.formatVersion = 7;
  let stripped = 0;
  for (const hunt of json.hunts) {
    for (const branch of hunt.form.match) {
      for (const key of branch.keys) {
        if (key.normalization !== 'exact' || key.fallbackColumn === undefined) continue;
        delete key.fallbackColumn;
        delete key.addressColumn;
        stripped += 1;
      }
    }
  }
  assert.equal(stripped, 1);
  await writeFile(file, JSON.stringify(json));

  const matched = await huntedLines(pack, await writeLog(folder), folder);
  assert.deepEqual(linesOf(matched, 'port-aware'), [3, 5, 8, 9, 11, 12, 13]);
  assert.deepEqual(
    linesOf(matched, 'address-only'),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
  );
});
