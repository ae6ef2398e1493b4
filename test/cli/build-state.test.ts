/**
 * `build --state` with filters and with empty inputs, on the bundled ThreatFox feed, which has
 * nine Remcos indicators (one with confidence 75, the others 100) and six XWorm indicators.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { withoutRows } from '../helpers/threatfox-export.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
const LOW_CONFIDENCE_REMCOS = 'ip-port|38.190.224.70:4438';
const REMCOS_COUNT = 9;
const XWORM_COUNT = 6;

interface StateFile {
  lastRun: string;
  families: Record<string, Record<string, { firstRun: string; lastRun: string }>>;
}

interface PackChanges {
  new: string[];
  unchanged: string[];
  expired: string[];
  removed: string[];
}

async function build(folder: string, out: string, args: string[]): Promise<CliResult> {
  const result = await runCli([
    'build',
    ...args,
    '--state',
    join(folder, 'state.json'),
    '--out',
    join(folder, out),
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  return result;
}

async function readState(folder: string): Promise<StateFile> {
  return JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as StateFile;
}

async function readChanges(folder: string, out: string, slug: string): Promise<PackChanges> {
  const pack = JSON.parse(await readFile(join(folder, out, slug, 'pack.json'), 'utf8')) as {
    changes: PackChanges;
  };
  return pack.changes;
}

function alreadyHunted(result: CliResult): number {
  return (JSON.parse(result.stdout) as { counts: { alreadyHunted: number } }).counts.alreadyHunted;
}

test('family run keeps other families in state', async (t) => {
  const folder = makeTempDir('state-family', t);
  await build(folder, 'out1', [FEED, '--family', 'Remcos']);
  const afterRemcos = await readState(folder);
  await build(folder, 'out2', [FEED, '--family', 'XWorm']);

  const state = await readState(folder);
  assert.deepEqual(Object.keys(state.families), ['win.remcos', 'win.xworm']);
  assert.deepEqual(state.families['win.remcos'], afterRemcos.families['win.remcos']);
  assert.equal(Object.keys(state.families['win.xworm']!).length, XWORM_COUNT);

  const third = await build(folder, 'out3', [FEED, '--family', 'Remcos', '--only-new']);
  assert.equal(alreadyHunted(third), REMCOS_COUNT);
  assert.match(third.stdout, /"packs": \[\]/);
});

test('empty feed leaves the state file', async (t) => {
  const folder = makeTempDir('state-empty', t);
  await build(folder, 'out1', [FEED]);
  const recorded = await readFile(join(folder, 'state.json'), 'utf8');
  const empty = join(folder, 'empty.csv');
  await writeFile(empty, '');

  const alone = await build(folder, 'out2', [empty]);
  assert.match(
    alone.stderr,
    /state\.json was not updated, because these inputs may be incomplete: .*empty\.csv \(no rows read\)/,
  );
  assert.equal(await readFile(join(folder, 'state.json'), 'utf8'), recorded);

  // A whole feed beside the empty one does not make the run complete.
  const beside = await build(folder, 'out3', [FEED, empty]);
  assert.match(beside.stderr, /state\.json was not updated/);
  assert.equal(await readFile(join(folder, 'state.json'), 'utf8'), recorded);
});

test('filtered-out indicator is not removed', async (t) => {
  const folder = makeTempDir('state-filtered', t);
  await build(folder, 'out1', [FEED, '--family', 'Remcos']);
  const firstEntry = (await readState(folder)).families['win.remcos']![LOW_CONFIDENCE_REMCOS];
  assert.ok(firstEntry);

  await build(folder, 'out2', [FEED, '--family', 'Remcos', '--min-confidence', '100']);
  const changes = await readChanges(folder, 'out2', 'remcos');
  assert.deepEqual(changes.removed, []);
  assert.deepEqual(changes.new, []);
  assert.equal(changes.unchanged.length, REMCOS_COUNT - 1);
  assert.ok(!changes.unchanged.includes(LOW_CONFIDENCE_REMCOS));
  const report = await readFile(join(folder, 'out2', 'remcos', 'report.md'), 'utf8');
  assert.doesNotMatch(report, /Removed from the feeds/);
  const state = await readState(folder);
  assert.deepEqual(state.families['win.remcos']![LOW_CONFIDENCE_REMCOS], firstEntry);

  // Without the filter the indicator is known, so --only-new hunts nothing again.
  const third = await build(folder, 'out3', [FEED, '--family', 'Remcos', '--only-new']);
  assert.equal(alreadyHunted(third), REMCOS_COUNT);
});

test('other filters keep the state of what they hide', async (t) => {
  const cases: string[][] = [
    ['--ioc-type', 'domain'],
    ['--threat-type', 'payload_delivery'],
    ['--since', '2026-04-11'],
    ['--max-age', '1'],
  ];
  for (const filter of cases) {
    const folder = makeTempDir('state-filters', t);
    await build(folder, 'out1', [FEED, '--family', 'Remcos']);
    const recorded = await readState(folder);
    await build(folder, 'out2', [FEED, '--family', 'Remcos', ...filter]);
    const state = await readState(folder);
    assert.equal(
      Object.keys(state.families['win.remcos'] ?? {}).length,
      REMCOS_COUNT,
      `after ${filter.join(' ')}`,
    );
    for (const [key, entry] of Object.entries(recorded.families['win.remcos']!)) {
      assert.equal(
        state.families['win.remcos']![key]?.firstRun,
        entry.firstRun,
        `${key} ${filter[0]}`,
      );
    }
  }
});

test('indicator gone from the feed is removed under a filter', async (t) => {
  const folder = makeTempDir('state-gone', t);
  await build(folder, 'out1', [FEED, '--family', 'Remcos']);
  const whole = await readFile(FEED, 'utf8');
  const cut = join(folder, 'cut.csv');
  const shorter = withoutRows(whole, /"178\.32\.252\.70:443"/);
  assert.equal(shorter.length < whole.length, true);
  await writeFile(cut, shorter);

  await build(folder, 'out2', [cut, '--family', 'Remcos', '--min-confidence', '100']);
  const changes = await readChanges(folder, 'out2', 'remcos');
  assert.deepEqual(changes.removed, ['ip-port|178.32.252.70:443']);
  assert.equal(changes.unchanged.length, REMCOS_COUNT - 2);
  const remcos = (await readState(folder)).families['win.remcos']!;
  assert.equal(remcos['ip-port|178.32.252.70:443'], undefined);
  assert.ok(remcos[LOW_CONFIDENCE_REMCOS]);
});

test('incomplete run lists no removals', async (t) => {
  const folder = makeTempDir('state-partial', t);
  await build(folder, 'out1', [FEED]);
  // The first rows of the feed alone, as a download cut short would leave it (no trailer).
  const lines = (await readFile(FEED, 'utf8')).split('\n');
  const header = lines.findIndex((line) => line.startsWith('"'));
  const partial = join(folder, 'partial.csv');
  await writeFile(partial, lines.slice(0, header + 40).join('\n') + '\n');

  const result = await build(folder, 'out2', [partial]);
  assert.match(
    result.stderr,
    /state\.json was not updated, because these inputs may be incomplete/,
  );
  const changes = await readChanges(folder, 'out2', 'clearfake');
  assert.deepEqual(changes.removed, []);
  assert.match(
    (changes as PackChanges & { removalsUnknown?: string }).removalsUnknown ?? '',
    /partial\.csv \(may be cut short\)/,
  );
  const report = await readFile(join(folder, 'out2', 'clearfake', 'report.md'), 'utf8');
  assert.match(
    report,
    /unchanged, 0 changed, 0 expired\. Removals are not listed, because these inputs may be incomplete: /,
  );
  assert.doesNotMatch(report, /removed from the feeds/);
});

test('trailer count mismatch lists no removals', async (t) => {
  const folder = makeTempDir('state-mismatch', t);
  await build(folder, 'out1', [FEED]);
  // Rows cut from the middle of the export, with its trailer kept: the count no longer matches.
  const lines = (await readFile(FEED, 'utf8')).split('\n');
  const header = lines.findIndex((line) => line.startsWith('"'));
  const trailer = lines.findIndex((line) => line.startsWith('# Number of entries'));
  const cut = join(folder, 'cut.csv');
  await writeFile(cut, [...lines.slice(0, header + 40), ...lines.slice(trailer)].join('\n'));
  const before = await readFile(join(folder, 'state.json'), 'utf8');

  const result = await build(folder, 'out2', [cut]);
  assert.match(result.stderr, /ENTRY_COUNT_MISMATCH/);
  assert.match(
    result.stderr,
    /state\.json was not updated, because these inputs may be incomplete/,
  );
  assert.equal(await readFile(join(folder, 'state.json'), 'utf8'), before);
  const changes = await readChanges(folder, 'out2', 'clearfake');
  assert.deepEqual(changes.removed, []);
  assert.match(
    (changes as PackChanges & { removalsUnknown?: string }).removalsUnknown ?? '',
    /cut\.csv \(has fewer or more rows than its trailer declares\)/,
  );
  const state = (JSON.parse(result.stdout) as { state: { updated: boolean; reason: string } })
    .state;
  assert.equal(state.updated, false);
  assert.match(state.reason, /cut\.csv/);

  // With --strict the stale state fails the run, so a scheduler notices it.
  const strict = await runCli([
    'build',
    cut,
    '--state',
    join(folder, 'state.json'),
    '--out',
    join(folder, 'out3'),
    '--strict',
  ]);
  assert.equal(strict.code, 1, strict.stderr);
  assert.match(strict.stderr, /failed because --strict makes the warnings above errors/);
  assert.equal(await readFile(join(folder, 'state.json'), 'utf8'), before);
});

test('new state file is named as new', async (t) => {
  const folder = makeTempDir('state-new', t);
  const result = await build(folder, 'out1', [FEED, '--only-new']);
  assert.match(
    result.stderr,
    /note: .*state\.json is missing or empty, so this run starts a new state and every indicator is new, and --only-new hunts all of them\./,
  );
  assert.equal((JSON.parse(result.stdout) as { state: { updated: boolean } }).state.updated, true);
  const again = await build(folder, 'out2', [FEED]);
  assert.doesNotMatch(again.stderr, /starts a new state/);
});

test('state path under a file is a clear error', async (t) => {
  const folder = makeTempDir('state-unwritable', t);
  // A state file whose folder is a file fails as an input error, not as a huntpack bug.
  await writeFile(join(folder, 'plain-file'), 'not a folder\n');
  const state = join(folder, 'plain-file', 'state.json');
  const result = await runCli(['build', FEED, '--state', state, '--out', join(folder, 'out')]);
  assert.equal(result.code, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /huntpack bug/);
  assert.match(result.stderr, /Cannot .*state/);
});

test('family gone from the feeds is named', async (t) => {
  const folder = makeTempDir('state-gone', t);
  await build(folder, 'out1', [FEED]);
  // The same export without its Remcos rows, and with its trailer count fixed to match.
  const text = withoutRows(await readFile(FEED, 'utf8'), /"win\.remcos"/);
  const without = join(folder, 'without-remcos.csv');
  await writeFile(without, text);

  const copy = join(folder, 'state-copy.json');
  await writeFile(copy, await readFile(join(folder, 'state.json')));

  const result = await build(folder, 'out2', [without]);
  const goneFamilies = (
    JSON.parse(result.stdout) as {
      goneFamilies: Array<{ family: string; removed: number; removedIndicators: string[] }>;
    }
  ).goneFamilies;
  assert.equal(goneFamilies.length, 1);
  assert.equal(goneFamilies[0]!.family, 'win.remcos');
  assert.equal(goneFamilies[0]!.removed, REMCOS_COUNT);
  assert.equal(goneFamilies[0]!.removedIndicators.length, REMCOS_COUNT);
  assert.ok(goneFamilies[0]!.removedIndicators.includes(LOW_CONFIDENCE_REMCOS));

  const summary = await runCli(['build', without, '--state', copy, '--out', join(folder, 'out3')]);
  assert.equal(summary.code, 0, summary.stderr);
  assert.match(
    summary.stdout,
    new RegExp(
      `\\n1 family of the state file without a pack in this run, with indicators that left the feeds or expired: win\\.remcos \\(${REMCOS_COUNT} removed, 0 expired\\)\\n`,
    ),
  );
});

test('renamed family keeps its state', async (t) => {
  const folder = makeTempDir('state-rename', t);
  await build(folder, 'out1', [FEED, '--family', 'Remcos']);
  // ThreatFox renames the family's printable name; its Malpedia id stays win.remcos.
  const renamed = join(folder, 'renamed.csv');
  await writeFile(renamed, (await readFile(FEED, 'utf8')).replaceAll('"Remcos"', '"Remcos RAT"'));

  const result = await build(folder, 'out2', [renamed, '--family', 'win.remcos', '--only-new']);
  assert.equal(alreadyHunted(result), REMCOS_COUNT);
  const goneFamilies = (JSON.parse(result.stdout) as { goneFamilies: unknown[] }).goneFamilies;
  assert.deepEqual(goneFamilies, []);
  assert.deepEqual(Object.keys((await readState(folder)).families), ['win.remcos']);
});

test('version 1 state moves to family keys', async (t) => {
  const folder = makeTempDir('state-v1', t);
  await build(folder, 'out1', [FEED, '--family', 'Remcos']);
  // The same state as version 1 wrote it: keyed by the pack's folder name.
  const current = await readState(folder);
  const v1 = {
    version: 1,
    lastRun: current.lastRun,
    families: { remcos: current.families['win.remcos'] },
  };
  await writeFile(join(folder, 'state.json'), JSON.stringify(v1));

  const result = await build(folder, 'out2', [FEED, '--family', 'Remcos']);
  const changes = await readChanges(folder, 'out2', 'remcos');
  assert.deepEqual(changes.new, []);
  assert.deepEqual(changes.removed, []);
  assert.equal(changes.unchanged.length, REMCOS_COUNT);
  assert.deepEqual((JSON.parse(result.stdout) as { goneFamilies: unknown[] }).goneFamilies, []);
  const state = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as {
    version: number;
    families: Record<string, unknown>;
  };
  assert.equal(state.version, 2);
  assert.deepEqual(Object.keys(state.families), ['win.remcos']);
});

test('only-new run lists removals of a family without a pack', async (t) => {
  const folder = makeTempDir('state-only-new', t);
  await build(folder, 'out1', [FEED]);
  const cut = join(folder, 'cut.csv');
  await writeFile(cut, withoutRows(await readFile(FEED, 'utf8'), /"178\.32\.252\.70:443"/));

  // Nothing is new in Remcos, so it gets no pack; its removal is listed all the same.
  const result = await build(folder, 'out2', [cut, '--only-new']);
  const goneFamilies = (
    JSON.parse(result.stdout) as {
      goneFamilies: Array<{ family: string; removedIndicators: string[] }>;
    }
  ).goneFamilies;
  const remcos = goneFamilies.find((family) => family.family === 'win.remcos');
  assert.deepEqual(remcos?.removedIndicators, ['ip-port|178.32.252.70:443']);
});

test('state in use by a running build is refused', async (t) => {
  const folder = makeTempDir('state-lock', t);
  const state = join(folder, 'state.json');
  // This test's own process stands for the other build, because it runs.
  await writeFile(
    `${state}.lock`,
    JSON.stringify({ pid: process.pid, since: '2026-12-05T10:00:00Z' }),
  );
  const result = await runCli(['build', FEED, '--state', state, '--out', join(folder, 'out')]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /is in use by another huntpack build \(process \d+, since 2026-12-05T10:00:00Z\)/,
  );
  assert.equal(existsSync(state), false);
  assert.equal(existsSync(`${state}.lock`), true);
});

test('stale state lock is taken over and released', async (t) => {
  const folder = makeTempDir('state-stale-lock', t);
  const state = join(folder, 'state.json');
  const ended = spawnSync(process.execPath, ['-e', '']);
  await writeFile(
    `${state}.lock`,
    JSON.stringify({ pid: ended.pid, since: '2026-12-05T10:00:00Z' }),
  );
  await build(folder, 'out', [FEED]);
  assert.equal(existsSync(state), true);
  assert.equal(existsSync(`${state}.lock`), false);
});

test('state path of the output folder is refused', async (t) => {
  const folder = makeTempDir('state-is-out', t);
  const out = join(folder, 'packs');
  const result = await runCli(['build', FEED, '--state', out, '--out', out]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /--state .*packs is the output folder; pass a file path for the state/,
  );
  assert.equal(existsSync(out), false);
});

test('object-member family names keep state', async (t) => {
  const folder = makeTempDir('state-proto-family', t);
  const feed = join(folder, 'feed.csv');
  const header =
    '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags","anonymous","reporter"';
  const row = (id: number, value: string, malpedia: string, name: string): string =>
    `"2026-04-12 04:49:28", "${id}", "${value}", "domain", "botnet_cc", "${malpedia}", "None", "${name}", "", "100", "None", "None", "0", "x"`;
  const rows = [
    row(1, 'proto-c2-gate.xyz', '__proto__', 'Proto'),
    row(2, 'constructor-c2-gate.xyz', 'None', 'constructor'),
    row(3, 'own-c2-gate.xyz', 'hasOwnProperty', 'Own'),
  ];
  await writeFile(feed, [header, ...rows].join('\n') + '\n');
  await build(folder, 'first', [feed]);
  const second = await build(folder, 'second', [feed]);
  assert.equal(alreadyHunted(second), 0);
  const state = await readState(folder);
  assert.deepEqual(Object.keys(state.families).sort(), [
    '__proto__',
    'constructor',
    'hasownproperty',
  ]);
  for (const slug of ['proto', 'constructor', 'own']) {
    const changes = await readChanges(folder, 'second', slug);
    assert.equal(changes.new.length, 0, slug);
    assert.equal(changes.unchanged.length, 1, slug);
  }
});

test('only-new keeps family folders', async (t) => {
  const folder = makeTempDir('state-folders', t);
  const header =
    '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags","anonymous","reporter"';
  const row = (id: number, value: string, malpedia: string, name: string): string =>
    `"2026-04-12 04:49:28", "${id}", "${value}", "domain", "botnet_cc", "${malpedia}", "None", "${name}", "", "100", "None", "None", "0", "x"`;
  const real = row(1, 'real-c2-gate.xyz', 'win.remcos', 'Remcos');
  const decoy = row(2, 'decoy-c2-gate.xyz', 'win.fake', 'REMCOS');
  const later = row(3, 'decoy-c2-later.xyz', 'win.fake', 'REMCOS');
  const feed = join(folder, 'feed.csv');
  await writeFile(feed, [header, real, decoy].join('\n') + '\n');
  await build(folder, 'out', [feed, '--only-new']);
  // Only the decoy has a new indicator, so only its pack is written this time.
  await writeFile(feed, [header, real, decoy, later].join('\n') + '\n');
  const second = await build(folder, 'out', [feed, '--only-new']);
  const written = (
    JSON.parse(second.stdout) as { packs: Array<{ folder: string; family: string }> }
  ).packs;
  assert.deepEqual(
    written.map((pack) => [pack.family, pack.folder.split(/[\\/]/).at(-1)]),
    [['REMCOS', 'remcos-2']],
  );
  const kept = JSON.parse(await readFile(join(folder, 'out', 'remcos', 'pack.json'), 'utf8')) as {
    family: { malpedia: string };
  };
  assert.equal(kept.family.malpedia, 'win.remcos');
});
