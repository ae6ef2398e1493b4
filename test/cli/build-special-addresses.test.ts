import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const REPORT = [
  'The loader tests its connection with 127.0.0.1 and 10.0.0.5, then calls home.',
  'C2: 45.9.1.2 and [fe80::1]:443, with examples 192.0.2.10 and ff02::1.',
  '',
].join('\n');

/** Builds a STIX bundle with one indicator per address. */
function stixBundle(addresses: readonly string[]): string {
  const objects = addresses.map((address, index) => ({
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--00000000-0000-4000-8000-00000000000${index}`,
    created: '2026-01-01T00:00:00Z',
    modified: '2026-01-01T00:00:00Z',
    valid_from: '2026-01-01T00:00:00Z',
    pattern_type: 'stix',
    pattern: `[${address.includes(':') ? 'ipv6' : 'ipv4'}-addr:value = '${address}']`,
  }));
  return JSON.stringify({ type: 'bundle', id: 'bundle--1', objects });
}

test('special addresses are set aside by default', async (t) => {
  const folder = makeTempDir('special-default', t);
  const feed = join(folder, 'report.txt');
  await writeFile(feed, REPORT);
  const result = await runCli(['build', feed, '--out', join(folder, 'packs'), '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /SPECIAL_ADDRESS_HUNTED/);
  const summary = JSON.parse(result.stdout) as { packs: Array<{ indicators: number }> };
  assert.equal(summary.packs[0]?.indicators, 1);
});

test('special addresses warn when lists are off', async (t) => {
  const folder = makeTempDir('special-off', t);
  const text = join(folder, 'report.txt');
  await writeFile(text, REPORT);
  const stix = join(folder, 'bundle.json');
  await writeFile(stix, stixBundle(['169.254.10.1', '2001:db8::7', '45.9.1.3']));
  const args = ['build', text, stix, '--out', join(folder, 'packs'), '--no-builtin-allowlists'];
  const result = await runCli(args);
  assert.equal(result.code, 0, result.stderr);
  const line = result.stderr.split('\n').find((found) => found.includes('SPECIAL_ADDRESS_HUNTED'));
  assert.ok(line, result.stderr);
  assert.match(line, /: 7 indicators are hunted/);
  for (const value of [
    '127[.]0[.]0[.]1 in the loopback range',
    '10[.]0[.]0[.]5 in the private network range',
    '[fe80[:][:]1]:443 in the link-local unicast range',
    '192[.]0[.]2[.]10 in the documentation',
    '[ff02[:][:]1] in the multicast range',
    '169[.]254[.]10[.]1 in the link-local range',
    '[2001[:]db8[:][:]7] in the documentation range',
  ]) {
    assert.ok(line.includes(value), `${value} in ${line}`);
  }
  assert.ok(!line.includes('45[.]9[.]1[.]2'), line);
  assert.ok(!line.includes('45[.]9[.]1[.]3'), line);
});

test('hunt --feed warns when lists are off', async (t) => {
  const folder = makeTempDir('special-hunt-feed', t);
  const feed = join(folder, 'report.txt');
  await writeFile(feed, REPORT);
  const log = 'test/fixtures/logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt';
  const off = await runCli(['hunt', '--feed', feed, '--no-builtin-allowlists', log]);
  assert.equal(off.code, 0, off.stderr);
  const line = off.stderr.split('\n').find((found) => found.includes('SPECIAL_ADDRESS_HUNTED'));
  assert.ok(line, off.stderr);
  assert.match(line, /: 5 indicators are hunted/);

  const on = await runCli(['hunt', '--feed', feed, log]);
  assert.equal(on.code, 0, on.stderr);
  assert.doesNotMatch(on.stderr, /SPECIAL_ADDRESS_HUNTED/);
});
