/**
 * Internationalized names are hunted in the punycode form that feeds normalize to and in the
 * Unicode form that browsers show and some proxies log, end to end: feed, pack and a local hunt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cefLine, huntedLines, threatFoxCsv } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const TESTFAM = { malpedia: 'win.testfam', name: 'TestFam', threatType: 'botnet_cc' };

function cef(minute: number, extension: string): string {
  return cefLine(minute, `src=10.0.0.7 spt=51000 dst=10.9.9.9 dpt=443 ${extension}`);
}

test('punycode hosts match Unicode logs', async (t) => {
  const folder = makeTempDir('idn', t);
  const feed = join(folder, 'feed.csv');
  await writeFile(
    feed,
    threatFoxCsv(TESTFAM, [
      ['bücher-evil.de', 'domain'],
      ['http://xn--mnchen-3ya.example/gate.php', 'url'],
    ]),
  );
  const out = join(folder, 'packs');
  const build = await runCli(['build', feed, '--out', out, '--no-builtin-allowlists']);
  assert.equal(build.code, 0, build.stderr);
  const pack = join(out, 'testfam');
  const query = await readFile(join(pack, 'queries', 'testfam-sentinel-csl-domain.kql'), 'utf8');
  assert.match(query, /"xn--bcher-evil-9db\.de"/);
  assert.match(query, /"bücher-evil\.de"/);

  const log = join(folder, 'proxy.log');
  await writeFile(
    log,
    [
      cef(10, 'dhost=bücher-evil.de'),
      cef(11, 'dhost=xn--bcher-evil-9db.de'),
      cef(12, 'dhost=a.bücher-evil.de'),
      cef(13, 'dhost=notbücher-evil.de'),
      cef(14, 'request=http://münchen.example/gate.php'),
      cef(15, 'request=http://xn--mnchen-3ya.example/gate.php'),
      cef(16, 'request=http://münchen.example/other.php'),
      '',
    ].join('\n'),
  );
  const matched = await huntedLines(pack, log, folder);
  // The URL's host joins the domain hunt in both forms, so its other path matches there too.
  assert.deepEqual(matched, [
    '1 testfam-sentinel-csl-domain',
    '2 testfam-sentinel-csl-domain',
    '3 testfam-sentinel-csl-domain',
    '5 testfam-sentinel-csl-domain',
    '5 testfam-sentinel-csl-url',
    '6 testfam-sentinel-csl-domain',
    '6 testfam-sentinel-csl-url',
    '7 testfam-sentinel-csl-domain',
  ]);
});
