/**
 * A local hunt over a mixed Defender export skips the DeviceEvents rows that the packs' KQL
 * DeviceEvents hunts read, and warns about them, because "No findings" alone would hide them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { threatFoxCsv } from '../helpers/feed-and-hunt.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const EXPORT = repoFile(
  'test/fixtures/logs/devicenetworkevents/plaso_m365d-advanced-hunting-export_mixed-tables.csv',
);

test('hunt names the DeviceEvents rows it skipped', async (t) => {
  const folder = makeTempDir('hunt-device-events', t);
  const feed = join(folder, 'feed.csv');
  // The export has a FirewallOutboundConnectionBlocked row to this address and port.
  const family = { malpedia: 'win.pl', name: 'Pl', threatType: 'botnet_cc' };
  await writeFile(feed, threatFoxCsv(family, [['95.166.126.90:80', 'ip:port']]));
  const out = join(folder, 'packs');
  const build = await runCli(['build', feed, '--out', out, '--no-builtin-allowlists']);
  assert.equal(build.code, 0, build.stderr);

  const args = ['hunt', '--pack', join(out, 'pl'), EXPORT, '--report', join(folder, 'r.md')];
  const hunt = await runCli(args);
  assert.equal(hunt.code, 0, hunt.stderr);
  assert.match(
    hunt.stderr,
    /warning: 10 DeviceEvents rows of firewall blocks, SmartScreen or network protection were skipped/,
  );
  assert.match(hunt.stderr, /queries\/\*-de-\*\.kql\) in Sentinel or Defender/);

  const json = await runCli([...args, '--json']);
  const stats = (JSON.parse(json.stdout) as { stats: { skippedByReason: Record<string, number> } })
    .stats;
  assert.equal(stats.skippedByReason.DEVICE_EVENTS_NOT_HUNTED_HERE, 10);
});

test('feed hunt advises a build for DeviceEvents', async (t) => {
  const folder = makeTempDir('hunt-device-events-feed', t);
  const feed = join(folder, 'feed.csv');
  const family = { malpedia: 'win.pl', name: 'Pl', threatType: 'botnet_cc' };
  await writeFile(feed, threatFoxCsv(family, [['95.166.126.90:80', 'ip:port']]));

  const feedOnly = await runCli(['hunt', '--feed', feed, EXPORT], { cwd: folder });
  assert.equal(feedOnly.code, 0, feedOnly.stderr);
  assert.match(feedOnly.stderr, /warning: 10 DeviceEvents rows .* were skipped/);
  assert.doesNotMatch(feedOnly.stderr, /the packs' DeviceEvents queries/);
  assert.match(
    feedOnly.stderr,
    /The --feed hunts have no pack folder, so build packs of them with "huntpack build feed\.csv --out feed-packs" and run their DeviceEvents queries \(feed-packs\/\*\/queries\/\*-de-\*\.kql\) in Sentinel/,
  );

  // The advised build keeps the run's indicator filters, quoted for the shell where needed.
  const filtered = await runCli(
    [
      'hunt',
      '--feed',
      feed,
      '--family',
      "Pl,Pl's kin",
      '--min-confidence',
      '50',
      '--no-builtin-allowlists',
      EXPORT,
    ],
    { cwd: folder },
  );
  assert.equal(filtered.code, 0, filtered.stderr);
  assert.ok(
    filtered.stderr.includes(
      `"huntpack build feed.csv --out feed-packs --family 'Pl,Pl'\\''s kin' --min-confidence 50 --no-builtin-allowlists"`,
    ),
    filtered.stderr,
  );

  const out = join(folder, 'packs');
  const build = await runCli(['build', feed, '--out', out]);
  assert.equal(build.code, 0, build.stderr);
  const both = await runCli(['hunt', '--pack', join(out, 'pl'), '--feed', feed, EXPORT], {
    cwd: folder,
  });
  assert.equal(both.code, 0, both.stderr);
  assert.match(both.stderr, /Run the packs' DeviceEvents queries \(queries\/\*-de-\*\.kql\)/);
  assert.match(
    both.stderr,
    /"huntpack build feed\.csv --out feed-packs" to get their queries too\./,
  );
});

test('hunt names one skipped DeviceEvents row', async (t) => {
  const folder = makeTempDir('hunt-device-events-one', t);
  const lines = (await readFile(EXPORT, 'utf8')).split('\n');
  const blocked = lines.find((line) => line.includes(',FirewallInboundConnectionBlocked,'));
  const connection = lines.find((line) => line.includes(',ConnectionSuccess,'));
  assert.ok(blocked, 'the export has a firewall block row');
  assert.ok(connection, 'the export has a connection row');
  const log = join(folder, 'one-block.csv');
  await writeFile(log, `${lines[0]}\n${connection}\n${blocked}\n`);
  const feed = join(folder, 'feed.csv');
  const family = { malpedia: 'win.pl', name: 'Pl', threatType: 'botnet_cc' };
  await writeFile(feed, threatFoxCsv(family, [['95.166.126.90:80', 'ip:port']]));

  const hunt = await runCli(['hunt', '--feed', feed, log], { cwd: folder });
  assert.equal(hunt.code, 0, hunt.stderr);
  assert.match(hunt.stderr, /warning: 1 DeviceEvents row of firewall blocks, .* was skipped,/);
});
