import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'node:test';
import { run } from '../../src/cli/run.js';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

test('build reports a broken allowlist file before it reads the feed', async (t) => {
  const folder = makeTempDir('allowlist-first', t);
  const allowlist = join(folder, 'allow.txt');
  await writeFile(allowlist, 'example.com\nnot a host!\n');
  // Standard input that never ends: the build can finish only if it stops before reading it.
  const stdin = new PassThrough();
  stdin.write('# "first_seen_utc","ioc_id"\n');
  let stderr = '';
  const code = await run(['build', '-', '--allowlist', allowlist, '--out', join(folder, 'packs')], {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
    stdin,
    env: {},
    cwd: folder,
  });
  stdin.destroy();
  assert.equal(code, 1);
  assert.match(stderr, /INVALID_ALLOWLIST_ENTRY|Invalid allowlist entry "not a host!"/);
  assert.ok(stderr.includes(`${allowlist} line 2`), stderr);
});

test('build warns about a public suffix allowlist entry', async (t) => {
  const folder = makeTempDir('allowlist-suffix', t);
  const allowlist = join(folder, 'allow.txt');
  await writeFile(allowlist, 'duckdns.org\n');
  const feed = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
  let stderr = '';
  let stdout = '';
  const code = await run(
    ['build', feed, '--family', 'Remcos', '--allowlist', allowlist, '--out', join(folder, 'p')],
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: new PassThrough(),
      env: {},
      cwd: folder,
    },
  );
  assert.equal(code, 0, stderr);
  assert.match(
    stderr,
    /huntpack: warning: .*allow\.txt:1: allowlist entry "duckdns\.org" is a public suffix/,
  );
  assert.match(stdout, /Remcos: \d+ indicators, \d+ queries, [1-9]\d* set aside/);
});

test('build keeps regex entry syntax', async (t) => {
  const folder = makeTempDir('allowlist-regex', t);
  const allowlist = join(folder, 'allow.txt');
  const entry = String.raw`regex:\.duckdns\.org$`;
  // A name written out whole in a pattern is still a live name, so it is defanged.
  const named = 'regex:^soste15oct.duckdns.org$';
  await writeFile(allowlist, `${named}\n${entry}\n`);

  const feed = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
  const out = join(folder, 'p');
  const result = await runCli([
    'build',
    feed,
    '--family',
    'Remcos',
    '--allowlist',
    allowlist,
    '--out',
    out,
  ]);
  assert.equal(result.code, 0, result.stderr);

  const csv = await readFile(join(out, 'remcos', 'indicators.csv'), 'utf8');
  const setAside = csv.split('\r\n').filter((line) => line.includes('"set aside"'));
  assert.ok(setAside.length > 0, csv);
  const soste = setAside.filter((line) => line.includes('soste15oct[.]duckdns[.]org"'));
  assert.equal(soste.length, 1, csv);
  assert.ok(soste[0]!.includes('"regex:^soste15oct[.]duckdns[.]org$"'), soste[0]);
  const others = setAside.filter((line) => !soste.includes(line));
  assert.ok(others.length > 0, csv);
  for (const line of others) assert.ok(line.includes(`"${entry}"`), line);

  const report = await readFile(join(out, 'remcos', 'report.md'), 'utf8');
  // The report writes the entry in a code span, as written, and keeps the dots.
  assert.ok(report.includes('| `regex:\\.duckdns\\.org$` |'), report);
  assert.ok(!report.includes('regex:\\\\[.]'), report);
});

test('build defangs IPv6 allowlist entries', async (t) => {
  const folder = makeTempDir('allowlist-ipv6', t);
  const allowlist = join(folder, 'allow.txt');
  await writeFile(allowlist, '2a01:4f8::/32\n45.9.148.0/24\n2a01:4f9::1\n');
  const out = join(folder, 'p');
  const result = await runCli(
    ['build', '-', '--family', 'Remcos', '--allowlist', allowlist, '--out', out],
    { stdin: 'C2 at 2a01:4f8:c17:1::5, 45.9.148.10 and 2a01:4f9::1.\n' },
  );
  assert.equal(result.code, 0, result.stderr);

  const csv = await readFile(join(out, 'remcos', 'indicators.csv'), 'utf8');
  const rows = csv.split('\r\n').filter((line) => line.includes('"set aside"'));
  const entryOf = (value: string): string | undefined =>
    rows.find((line) => line.startsWith(`"ip","${value}"`))?.split(',')[12];
  assert.equal(entryOf('[2a01[:]4f8[:]c17[:]1[:][:]5]'), '"[2a01[:]4f8[:][:]]/32"', csv);
  assert.equal(entryOf('45[.]9[.]148[.]10'), '"45[.]9[.]148[.]0/24"', csv);
  assert.equal(entryOf('[2a01[:]4f9[:][:]1]'), '"[2a01[:]4f9[:][:]1]"', csv);
  assert.ok(!csv.includes('2a01:4f'), csv);

  const report = await readFile(join(out, 'remcos', 'report.md'), 'utf8');
  assert.ok(!report.includes('2a01:4f'), report);
});
