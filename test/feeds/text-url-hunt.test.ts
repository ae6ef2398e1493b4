/**
 * End-to-end test of URLs on an address in free text: a text report is built and hunted as a
 * ThreatFox feed of the same URLs is. The pack derives the address and port of each URL, so the
 * text reader adds no ip:port of its own, and a URL on a rented hosting address stays matched
 * as the whole URL only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cefLine, huntedLines } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function cef(destination: string, port: number, minute: number): string {
  return cefLine(minute, `src=10.0.0.7 spt=51000 dst=${destination} dpt=${port} act=allow`);
}

test('text URL on an address hunts', async (t) => {
  const folder = makeTempDir('text-url-hunt', t);
  const report = join(folder, 'report.txt');
  await writeFile(
    report,
    [
      'The loader fetches hxxp://45.67.99[.]1:8080/bins/x.arm and then',
      'hxxp://13.55.118[.]254:8080/y.bin, an Amazon AWS address.',
      '',
    ].join('\n'),
  );
  const out = join(folder, 'packs');
  const build = await runCli(['build', report, '--family', 'Mozi', '--out', out]);
  assert.equal(build.code, 0, build.stderr);
  const pack = join(out, 'mozi');

  const json = JSON.parse(await readFile(join(pack, 'pack.json'), 'utf8')) as {
    indicators: Array<{ kind: string; value: string; exactOnly?: { list: string } }>;
  };
  assert.deepEqual(
    json.indicators.map((indicator) => [
      indicator.kind,
      indicator.value,
      indicator.exactOnly?.list,
    ]),
    [
      ['url', 'http://45.67.99.1:8080/bins/x.arm', undefined],
      ['url', 'http://13.55.118.254:8080/y.bin', 'amazon-aws'],
    ],
  );

  const log = join(folder, 'firewall.log');
  await writeFile(
    log,
    [
      cef('45.67.99.1', 8080, 10),
      cef('45.67.99.1', 22, 11),
      cef('13.55.118.254', 8080, 12),
      '',
    ].join('\n'),
  );
  const matched = await huntedLines(pack, log, folder);
  // The hosting URL's connection matches on its address and port, never on the address alone.
  assert.deepEqual(matched, [
    '1 mozi-sentinel-csl-address-only',
    '1 mozi-sentinel-csl-port-aware',
    '2 mozi-sentinel-csl-address-only',
    '3 mozi-sentinel-csl-port-aware',
  ]);
});
