import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

/** Builds a pack from one defanged URL, which gets Sentinel and Defender URL hunts. */
async function buildUrlPack(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'huntpack-check-'));
  const result = await runCli(['build', '-', '--family', 'Remcos', '--out', out], {
    stdin: 'Payload at hxxps://evil-payload[.]com/gate.php\n',
  });
  assert.equal(result.code, 0, result.stderr);
  return join(out, 'remcos');
}

test('check reads the platform of generated queries', async () => {
  const pack = await buildUrlPack();
  const names = await readdir(join(pack, 'queries'));
  const defender = names.filter((name) => name.includes('-defender-'));
  assert.ok(defender.length > 0, `no Defender query among ${names.join(', ')}`);

  const files = names.map((name) => join(pack, 'queries', name));
  const result = await runCli(['check', ...files, join(pack, 'report.md'), '--no-analyzers']);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /^0 errors, 0 warnings in \d+ files/m);
  assert.match(result.stdout, /\d+ queries against defender/);
});

test('check --platform overrides the header', async () => {
  const pack = await buildUrlPack();
  const names = await readdir(join(pack, 'queries'));
  const uce = names.find((name) => name.includes('-defender-uce-'));
  assert.ok(uce, `no Defender UrlClickEvents query among ${names.join(', ')}`);

  const file = join(pack, 'queries', uce);
  const result = await runCli(['check', '--platform', 'sentinel', file, '--no-analyzers']);
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stdout, /error KS142: The name 'Timestamp'/);
  assert.match(result.stdout, /\(sentinel schemas\)\n$/);
});

test('check notes a pack with no hunts', async () => {
  const out = await mkdtemp(join(tmpdir(), 'huntpack-check-'));
  const allowlist = join(out, 'allow.txt');
  await writeFile(allowlist, '45.32.150.251\n');
  const build = await runCli(
    ['build', '-', '--family', 'Remcos', '--allowlist', allowlist, '--out', join(out, 'packs')],
    { stdin: 'C2 at 45.32.150[.]251:443\n' },
  );
  assert.equal(build.code, 0, build.stderr);
  assert.match(build.stdout, /Remcos: 0 indicators, 0 queries, 1 set aside/);

  const report = join(out, 'packs', 'remcos', 'report.md');
  const result = await runCli(['check', report]);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /report\.md:\d+:1: info NO_HUNTS: The report declares no hunts/);
  assert.doesNotMatch(result.stdout, /NO_KQL_BLOCKS/);
  assert.match(result.stdout, /^0 errors, 0 warnings in 1 files \(no query checked\)$/m);
});
