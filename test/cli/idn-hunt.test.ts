/**
 * Internationalized names are hunted in the punycode form that feeds normalize to and in the
 * Unicode form that browsers show and some proxies log, end to end: feed, pack and a local hunt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias",' +
  '"malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags",' +
  '"anonymous","reporter"';

function row(id: number, value: string, type: string): string {
  return (
    `"2026-04-11 20:39:25", "${id}", "${value}", "${type}", "botnet_cc", "win.testfam", ` +
    `"None", "TestFam", "", "100", "False", "None", "None", "0", "tester"`
  );
}

function cef(second: number, extension: string): string {
  return (
    `Jul 25 09:56:${second} fw CEF:0|Vendor|Proxy|1|1|Request|5|` +
    `rt=2026-07-25T04:56:${second}Z src=10.0.0.7 spt=51000 dst=10.9.9.9 dpt=443 ${extension}`
  );
}

test('a domain and a URL host in punycode match their Unicode form in logs', async (t) => {
  const folder = makeTempDir('idn', t);
  const feed = join(folder, 'feed.csv');
  await writeFile(
    feed,
    [
      HEADER,
      row(1, 'bücher-evil.de', 'domain'),
      row(2, 'http://xn--mnchen-3ya.example/gate.php', 'url'),
      '',
    ].join('\n'),
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
  const hunt = await runCli([
    'hunt',
    '--pack',
    pack,
    log,
    '--json',
    '--report',
    join(folder, 'r.md'),
  ]);
  assert.equal(hunt.code, 0, hunt.stderr);
  const result = JSON.parse(hunt.stdout) as {
    findings: Array<{ huntId: string; line: number }>;
  };
  const matched = [
    ...new Set(result.findings.map((finding) => `${finding.line} ${finding.huntId}`)),
  ];
  assert.deepEqual(matched.sort(), [
    '1 testfam-sentinel-csl-domain',
    '2 testfam-sentinel-csl-domain',
    '3 testfam-sentinel-csl-domain',
    '5 testfam-sentinel-csl-url',
    '6 testfam-sentinel-csl-url',
  ]);
});
