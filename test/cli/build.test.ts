import { test, type TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoFile, sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { checkExclusion } from '../../src/pipeline/filter-check/check.js';
import { getTableSchema } from '../../src/pipeline/schemas.js';
import { checkKql } from '../../src/validate/kusto.js';
import { readPackHunts } from '../../src/report/read-pack.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { withoutRows } from '../helpers/threatfox-export.js';

interface BuildSummary {
  counts: {
    rowsRead: number;
    accepted: number;
    rejected: number;
    merged: number;
    dropped: Record<string, number>;
    filteredOut: number;
    kept: number;
    inPacks: number;
    setAside: number;
    alreadyHunted: number;
    copiesForOtherFamilies: number;
  };
  packs: Array<{
    family: string;
    folder: string;
    indicators: number;
    setAside: number;
    queries: number;
  }>;
}

async function buildJson(
  t: TestContext,
  args: string[],
): Promise<{ summary: BuildSummary; out: string; stderr: string }> {
  const out = makeTempDir('build', t);
  const result = await runCli(['build', ...args, '--out', out, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return { summary: JSON.parse(result.stdout) as BuildSummary, out, stderr: result.stderr };
}

function assertReconciles(summary: BuildSummary): void {
  const { counts } = summary;
  const dropped = Object.values(counts.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(counts.rowsRead, counts.accepted + counts.rejected + counts.merged + dropped);
  assert.equal(counts.accepted, counts.kept + counts.filteredOut);
  // An indicator that the feeds name under several families is in the pack of each, and the
  // counts count it once.
  const entries = sumOf(summary.packs, 'indicators') + sumOf(summary.packs, 'setAside');
  assert.equal(entries, counts.inPacks + counts.setAside + counts.copiesForOtherFamilies);
  assert.equal(counts.kept, counts.inPacks + counts.setAside + counts.alreadyHunted);
  if (counts.copiesForOtherFamilies === 0) {
    assert.equal(sumOf(summary.packs, 'indicators'), counts.inPacks);
    assert.equal(sumOf(summary.packs, 'setAside'), counts.setAside);
  }
}

function sumOf(packs: BuildSummary['packs'], field: 'indicators' | 'setAside'): number {
  return packs.reduce((sum, pack) => sum + pack[field], 0);
}

test('example indicators rebuild the reference report', async (t) => {
  const { summary, out } = await buildJson(t, [repoFile('test/fixtures/packs/remcos-example.csv')]);
  assertReconciles(summary);
  assert.equal(summary.packs.length, 1);
  const folder = join(out, 'remcos');
  const report = await readFile(join(folder, 'report.md'), 'utf8');

  for (const row of [
    '| ip:port | `45[.]92[.]1[.]175:5220` | botnet_cc | 2026-05-13 | - | 75% |',
    '| ip:port | `203[.]202[.]232[.]22:3131` | botnet_cc | 2026-05-13 | - | 75% |',
    '| ip:port | `103[.]83[.]87[.]8:1515` | botnet_cc | 2026-05-12 | - | 75% |',
    '| ip:port | `2[.]27[.]17[.]179:6644` | botnet_cc | 2026-05-12 | - | 75% |',
  ]) {
    assert.ok(report.includes(row), `report lacks ${row}`);
  }
  for (const section of [
    '## Summary',
    '## Indicators',
    '## Hunts',
    '## Data sources',
    '## False-positive scenarios',
  ]) {
    assert.ok(report.includes(section), `report lacks ${section}`);
  }

  const csl = await readFile(join(folder, 'queries', 'remcos-sentinel-csl-port-aware.kql'), 'utf8');
  assert.match(csl, /\| where TimeGenerated > ago\(lookback\)/);
  assert.match(csl, /\$left\.MatchKey1_2 == \$right\.IocKey1_2/);
  assert.match(csl, /"103\.83\.87\.8", 1515,/);
  const dne = await readFile(join(folder, 'queries', 'remcos-sentinel-dne-port-aware.kql'), 'utf8');
  assert.match(dne, /MatchKey1_1 = parse_ipv6\(extract\(@"\^\(\[\^\/\]\*\)\$", 1, RemoteIP\)\)/);
  assert.match(dne, /MatchKey1_2 = RemotePort/);
  const queries = await readdir(join(folder, 'queries'));
  assert.ok(queries.includes('remcos-defender-dne-port-aware.kql'));
  assert.ok(queries.includes('remcos-sentinel-csl-address-only.kql'));
});

test('pack exclusions pass the logic checker', async (t) => {
  const { out } = await buildJson(t, [repoFile('test/fixtures/packs/remcos-example.csv')]);
  const pack = JSON.parse(await readFile(join(out, 'remcos', 'pack.json'), 'utf8')) as {
    scenarios: Array<{ id: string }>;
  };
  const hunts = await readPackHunts(join(out, 'remcos'));
  // Port-aware and address-only hunts over CommonSecurityLog, and over DeviceNetworkEvents and
  // DeviceEvents on both platforms, and address-only hunts over the answers in DnsEvents and
  // ASimDnsActivityLogs.
  assert.equal(hunts.length, 12);
  assert.ok(pack.scenarios.length > 0);
  let checked = 0;
  for (const hunt of hunts) {
    const schema = getTableSchema(hunt.source.table, hunt.source.platform);
    const extraColumns = [
      { name: 'MatchedOn', type: 'string' as const },
      ...hunt.iocs.columns.map((column) => ({
        name: column.name,
        type: column.type === 'int' ? ('int' as const) : ('string' as const),
      })),
    ];
    for (const exclusion of hunt.exclusions) {
      const issues = checkExclusion(exclusion.filter, schema, { extraColumns });
      assert.deepEqual(
        issues.filter((issue) => issue.severity !== 'info'),
        [],
        `${hunt.source.table} ${exclusion.id}`,
      );
      checked += 1;
    }
  }
  assert.ok(checked > 0, 'no exclusion was compiled into any hunt');
});

test('bundled ThreatFox export builds checked packs', async (t) => {
  const { summary, out } = await buildJson(t, [
    repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv'),
  ]);
  assertReconciles(summary);
  assert.equal(summary.counts.rowsRead, 862);
  assert.ok(summary.packs.length > 30);
  const remcos = summary.packs.find((pack) => pack.family === 'Remcos');
  assert.ok(remcos);
  assert.equal(remcos.indicators, 9);
  // Every query file passes the Kusto check on its platform; the build checked them too.
  const sample = join(out, 'remcos', 'queries');
  for (const file of readdirSync(sample)) {
    const text = await readFile(join(sample, file), 'utf8');
    const errors = checkKql(text, {
      platform: file.includes('defender') ? 'defender' : 'sentinel',
    }).filter((diagnostic) => diagnostic.severity === 'error');
    assert.deepEqual(errors, [], file);
  }
});

test('malformed rows are reported and counted', async (t) => {
  const { summary, out } = await buildJson(t, [repoFile('test/fixtures/threatfox/bad-rows.csv')]);
  assertReconciles(summary);
  assert.ok(summary.counts.rejected > 0);
  const issues = await readFile(join(out, 'build-issues.txt'), 'utf8');
  assert.match(issues, /bad-rows\.csv:\d+/);
});

test('per-feed line counts every rejection', async (t) => {
  const out = makeTempDir('per-feed', t);
  // The bundled bad rows, which the reader rejects, and one row with a port no connection uses.
  const feed = join(out, 'feed.csv');
  const text = await readFile(repoFile('test/fixtures/threatfox/bad-rows.csv'), 'utf8');
  const badPort =
    '"2026-04-12 04:40:00", "9000003", "198.51.100.8:0", "ip:port", "botnet_cc", "win.remcos", "None", "Remcos", "", "75", "False", "None", "None", "0", "tester"';
  await writeFile(
    feed,
    text.replace('# Number of entries: 5', `${badPort}\n# Number of entries: 6`),
  );
  const result = await runCli(['build', feed, '--out', out]);
  const { summary } = await buildJson(t, [feed]);
  const line = result.stdout.split('\n').find((text) => text.startsWith('read '));
  const match =
    /: (\d+) rows, (\d+) rejected \((\d+) by the reader, (\d+) for their values\)$/.exec(
      line ?? '',
    );
  assert.ok(match, line);
  const [rows, rejected, byReader, byValue] = match.slice(1).map(Number);
  assert.equal(rows, summary.counts.rowsRead);
  assert.equal(rejected, summary.counts.rejected);
  assert.equal(rejected, byReader! + byValue!);
  assert.equal(byReader, 3, line);
  assert.equal(byValue, 1, line);
});

test('strict fails on a cut-short export', async (t) => {
  const out = makeTempDir('strict-cut', t);
  const feed = join(out, 'cut.csv');
  const text = await readFile(repoFile('test/fixtures/threatfox/recent-15-columns.csv'), 'utf8');
  assert.match(text, /# Number of entries/);
  await writeFile(feed, text.replace(/# Number of entries.*\n?$/, ''));
  const lenient = await runCli(['build', feed, '--out', join(out, 'lenient')]);
  assert.equal(lenient.code, 0, lenient.stderr);
  const strict = await runCli(['build', feed, '--out', join(out, 'strict'), '--strict']);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /these inputs may be incomplete: .*cut\.csv \(may be cut short\)/);

  const whole = await runCli([
    'build',
    repoFile('test/fixtures/threatfox/recent-15-columns.csv'),
    '--out',
    join(out, 'whole'),
    '--strict',
  ]);
  assert.equal(whole.code, 0, whole.stderr);
});

test('strict fails on a row after the trailer', async (t) => {
  const out = makeTempDir('strict-after-trailer', t);
  const feed = join(out, 'after.csv');
  const lines = (await readFile(repoFile('test/fixtures/packs/remcos-example.csv'), 'utf8')).split(
    '\n',
  );
  assert.equal(lines[9], '# Number of entries: 4');
  // The trailer moves up one line and declares the 3 rows before it, so row 4 follows it.
  await writeFile(feed, [...lines.slice(0, 8), '# Number of entries: 3', lines[8]].join('\n'));
  const strict = await runCli(['build', feed, '--out', join(out, 'strict'), '--strict']);
  assert.equal(strict.code, 1, strict.stderr);
  assert.match(strict.stderr, /after\.csv:10: warning ENTRY_COUNT_MISMATCH: 1 data row follows /);
  assert.match(strict.stderr, /these inputs may be incomplete: .*after\.csv \(has fewer or more/);
  assert.match(strict.stdout, /\(threatfox-csv\): 4 rows, 0 rejected/);
});

test('standard input given twice is a usage error', async (t) => {
  const out = makeTempDir('stdin-twice', t);
  const result = await runCli(['build', '-', '-', '--out', out], { stdin: '' });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /The feed - \(standard input\) is given more than once/);
});

test('family filter keeps one pack', async (t) => {
  const { summary } = await buildJson(t, [
    repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv'),
    '--family',
    'win.remcos',
  ]);
  assertReconciles(summary);
  assert.deepEqual(
    summary.packs.map((pack) => pack.family),
    ['Remcos'],
  );
});

test('invalid lookback is a usage error', async () => {
  const result = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--lookback',
    '30 days',
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Invalid --lookback "30 days"/);
  assert.equal(result.stdout, '');
});

test('missing feed file is reported', async (t) => {
  const out = makeTempDir('build', t);
  const result = await runCli(['build', 'no-such-feed.csv', '--out', out]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /no-such-feed\.csv/);
  assert.match(result.stderr, /1 of 1 inputs could not be read/);
  assert.equal(existsSync(join(out, 'build-issues.txt')), true);
});

test(
  'a pack that cannot be written fails with its folder',
  {
    skip: !existsSync('/dev/full'),
  },
  async (t) => {
    const feed = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
    const { out } = await buildJson(t, [feed, '--family', 'Remcos']);
    const folder = join(out, 'remcos');
    // Writes to /dev/full fail with ENOSPC, as on a full disk.
    await rm(join(folder, 'indicators.csv'));
    await symlink('/dev/full', join(folder, 'indicators.csv'));
    const result = await runCli(['build', feed, '--family', 'Remcos', '--out', out]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cannot write the pack .*remcos: ENOSPC/);
    assert.match(result.stderr, /indicators\.csv/);
    assert.doesNotMatch(result.stderr, /internal error|huntpack bug/);
    // The earlier pack.json is gone, so no hunt reads a pack whose files disagree.
    assert.equal(existsSync(join(folder, 'pack.json')), false);
  },
);

test('unreadable input is named first', async (t) => {
  const out = makeTempDir('build', t);
  const broken = join(out, 'not-a-feed.json');
  await writeFile(broken, '{"hello": "world"}\n');
  const result = await runCli([
    'build',
    repoFile('test/fixtures/threatfox/bad-rows.csv'),
    broken,
    '--out',
    join(out, 'packs'),
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /could not read .*not-a-feed\.json: [A-Z_]+ \(0 rows read/);
  assert.match(result.stderr, /1 of 2 inputs could not be read: .*not-a-feed\.json \([A-Z_]+\)/);
  const firstIssue = result.stderr.split('\n')[0] ?? '';
  assert.match(
    firstIssue,
    /not-a-feed\.json.*error/,
    'the failed input is the first issue printed',
  );
});

const SHARED_FEEDS = 'threatfox';

test('every shared ThreatFox file builds', { skip: skipWithoutShared(SHARED_FEEDS) }, async (t) => {
  for (const file of readdirSync(sharedFile(SHARED_FEEDS))) {
    const { summary } = await buildJson(t, [sharedFile(`${SHARED_FEEDS}/${file}`)]);
    assertReconciles(summary);
    assert.ok(summary.counts.rowsRead > 0, file);
    assert.ok(summary.packs.length > 0, file);
  }
});

test('user exclusions compile into hunts', async (t) => {
  const { out } = await buildJson(t, [
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--exclusions',
    repoFile('test/fixtures/exclusions/scanner.yaml'),
  ]);
  const csl = await readFile(
    join(out, 'remcos', 'queries', 'remcos-sentinel-csl-port-aware.kql'),
    'utf8',
  );
  assert.match(
    csl,
    /\/\/ Exclusion: Corporate vulnerability scanner\n\| where not\(SourceIP in \("10\.20\.0\.15", "10\.20\.0\.16"\)\)/,
  );
  const dne = await readFile(
    join(out, 'remcos', 'queries', 'remcos-sentinel-dne-port-aware.kql'),
    'utf8',
  );
  assert.match(
    dne,
    /\| where not\(InitiatingProcessFileName in~ \("psexec\.exe", "winrm\.exe"\)\)/,
  );
  const report = await readFile(join(out, 'remcos', 'report.md'), 'utf8');
  assert.match(report, /### Corporate vulnerability scanner \(on\)/);
});

test('always-true user exclusion stops the build', async (t) => {
  const out = makeTempDir('build', t);
  const result = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--out',
    out,
    '--exclusions',
    repoFile('test/fixtures/exclusions/always-true.yaml'),
  ]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /always-true\.yaml:\d+: exclusion "broken": on DeviceNetworkEvents: The exclusion is always true/,
  );
  assert.equal(existsSync(join(out, 'remcos')), false);
});

test('faults of every exclusions file listed', async (t) => {
  const out = makeTempDir('build', t);
  const missing = join(out, 'missing.yaml');
  const result = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--out',
    out,
    '--exclusions',
    repoFile('test/fixtures/exclusions/always-true.yaml'),
    '--exclusions',
    missing,
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /2 exclusions files have faults:/);
  assert.match(result.stderr, /always-true\.yaml:\d+: exclusion "broken"/);
  assert.ok(result.stderr.includes(missing), result.stderr);
  assert.equal(existsSync(join(out, 'remcos')), false);
});

test('state file reports changes between runs', async (t) => {
  const folder = makeTempDir('state', t);
  const state = join(folder, 'state.json');
  const original = await readFile(repoFile('test/fixtures/packs/remcos-example.csv'), 'utf8');
  const first = join(folder, 'day1.csv');
  await writeFile(first, original);
  const day1 = await runCli([
    'build',
    first,
    '--out',
    join(folder, 'out1'),
    '--state',
    state,
    '--json',
  ]);
  assert.equal(day1.code, 0, day1.stderr);

  // Day two: one indicator left the feed and a new one arrived.
  const second = join(folder, 'day2.csv');
  await writeFile(
    second,
    withoutRows(original, /2\.27\.17\.179:6644/).replace(
      '"45.92.1.175:5220"',
      '"45.92.1.175:5221"',
    ),
  );
  const day2 = await runCli([
    'build',
    second,
    '--out',
    join(folder, 'out2'),
    '--state',
    state,
    '--only-new',
    '--json',
  ]);
  assert.equal(day2.code, 0, day2.stderr);
  const summary = JSON.parse(day2.stdout) as BuildSummary & { counts: { alreadyHunted: number } };
  assert.equal(summary.counts.alreadyHunted, 2);
  assert.equal(summary.packs[0]!.indicators, 1);

  const pack = JSON.parse(await readFile(join(folder, 'out2', 'remcos', 'pack.json'), 'utf8')) as {
    changes: { new: string[]; unchanged: string[]; expired: string[]; removed: string[] };
  };
  assert.deepEqual(pack.changes.new, ['ip-port|45.92.1.175:5221']);
  assert.deepEqual(pack.changes.unchanged, [
    'ip-port|103.83.87.8:1515',
    'ip-port|203.202.232.22:3131',
  ]);
  assert.deepEqual(pack.changes.removed.sort(), [
    'ip-port|2.27.17.179:6644',
    'ip-port|45.92.1.175:5220',
  ]);
  assert.deepEqual(pack.changes.expired, []);
  const report = await readFile(join(folder, 'out2', 'remcos', 'report.md'), 'utf8');
  assert.match(report, /1 new, 2 unchanged, 0 changed, 0 expired, 2 removed from the feeds\./);
});

test('only-new without state is a usage error', async () => {
  const result = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--only-new',
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--only-new needs --state FILE/);
});

test('unknown disabled allowlist is a usage error', async (t) => {
  const out = makeTempDir('build-disable-allowlist', t);
  const feed = repoFile('test/fixtures/packs/remcos-example.csv');
  const result = await runCli(['build', feed, '--out', out, '--disable-allowlist', 'amazon']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^huntpack: Invalid --disable-allowlist "amazon": there is no built-in allowlist of that name\. Did you mean amazon-aws\? Expected one of rfc1918, /,
  );
  assert.match(result.stderr, /, tranco10k\.\nRun "huntpack build --help" for usage\.\n$/);
  assert.deepEqual(await readdir(out), []);

  const known = await runCli(['build', feed, '--out', out, '--disable-allowlist', 'amazon-aws']);
  assert.equal(known.code, 0, known.stderr);
});

test('free text takes its family from --family', async (t) => {
  const { summary, out } = await buildJson(t, [
    repoFile('test/fixtures/packs/remcos-note.txt'),
    '--family',
    'Remcos',
  ]);
  assertReconciles(summary);
  assert.deepEqual(
    summary.packs.map((pack) => [pack.family, pack.indicators]),
    [['Remcos', 4]],
  );
  const report = await readFile(join(out, 'remcos', 'report.md'), 'utf8');
  assert.match(
    report,
    /\| url \| `hxxps:\/\/files-cdn-update\[\.\]top\/load\/stage2\.bin` \| - \| - \| - \| - \|/,
  );
  const csl = await readFile(
    join(out, 'remcos', 'queries', 'remcos-sentinel-csl-port-aware.kql'),
    'utf8',
  );
  assert.match(csl, /"45\.92\.1\.175", 5220, "", int\(null\), datetime\(null\),/);
});

for (const folder of ['stix', 'misp', 'text']) {
  test(`every shared ${folder} file builds`, { skip: skipWithoutShared(folder) }, async (t) => {
    for (const file of readdirSync(sharedFile(folder))) {
      if (file.includes('NOT-STIX2')) continue;
      const { summary } = await buildJson(t, [
        sharedFile(`${folder}/${file}`),
        '--family',
        'Test family',
      ]);
      assertReconciles(summary);
      assert.ok(summary.counts.rowsRead > 0, file);
    }
  });
}

test('URL and ip:port from free text reconcile', async (t) => {
  const folder = makeTempDir('text-port', t);
  const feed = join(folder, 'c2.txt');
  await writeFile(
    feed,
    'C2 hxxps://194.5.98[.]207:691/gate\nAlso 194.5.98[.]207:691 and 194.5.98[.]207\n',
  );
  const { summary } = await buildJson(t, [feed, '--family', 'Remcos']);
  assertReconciles(summary);
  // The URL, the written ip:port and the bare address (dropped). The URL gives no ip:port of
  // its own, because the pack hunts it on its address and port.
  assert.equal(summary.counts.rowsRead, 3);
  assert.equal(summary.counts.accepted, 2);
  assert.equal(summary.counts.merged, 0);
  assert.deepEqual(summary.counts.dropped, { 'covered-by-ip-port': 1 });
  assert.equal(summary.packs[0]?.indicators, 2);
});

test('STIX 1.x file is reported, not read', { skip: skipWithoutShared('stix') }, async (t) => {
  const out = makeTempDir('build', t);
  const result = await runCli([
    'build',
    sharedFile('stix/talos_2024-04-offlrouter_stix1-json-NOT-STIX2.json'),
    '--out',
    out,
  ]);
  assert.match(result.stderr, /STIX 1\.x is not supported/);
});

test('MISP attributes without to_ids need --all-attributes', async (t) => {
  const event = repoFile('test/fixtures/misp/eset_sshdoor-crait_ip-dst-port.json');
  const plain = await buildJson(t, [event]);
  assertReconciles(plain.summary);
  assert.equal(plain.summary.counts.accepted, 0);
  assert.equal(plain.summary.counts.dropped['not-to-ids'], 7);

  const all = await buildJson(t, [event, '--all-attributes', '--no-builtin-allowlists']);
  assertReconciles(all.summary);
  assert.ok(all.summary.counts.accepted > 0);
  const packs = all.summary.packs.map((pack) => pack.family);
  assert.equal(packs.length, 1);
});

test('bundled STIX and MISP fixtures build checked packs', async (t) => {
  const { summary } = await buildJson(t, [
    repoFile('test/fixtures/stix/oasis-schemas_poisonivy_stix21.json'),
    repoFile('test/fixtures/misp/pymisp_circl-osint_qakbot-ip-port-objects.json'),
  ]);
  assertReconciles(summary);
  assert.equal(summary.counts.rowsRead, 67 + 72);
  assert.ok(summary.packs.length > 1);
});

test('unwritable output fails before reading feeds', async (t) => {
  const folder = makeTempDir('out', t);
  const file = join(folder, 'a-file');
  await writeFile(file, 'not a folder');
  const result = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--out',
    file,
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Cannot write packs to .*a-file/);
  assert.doesNotMatch(result.stderr, /internal error/);
});

test(
  'output folder under /proc fails at once',
  { skip: existsSync('/proc/self') ? false : 'needs the Linux /proc file system' },
  () => {
    // A spawned process, because a build that spins in mkdir never returns in-process. The
    // timeout only ends a hung child; a working build fails in a few seconds.
    const child = spawnSync(
      process.execPath,
      [
        repoFile('bin/huntpack.js'),
        'build',
        repoFile('test/fixtures/packs/remcos-example.csv'),
        '--out',
        '/proc/huntpack-test/out',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(child.signal, null, 'the build hung and was killed');
    assert.equal(child.status, 1, child.stderr);
    assert.match(
      child.stderr,
      /Cannot write packs to \/proc\/huntpack-test\/out: .*'\/proc\/huntpack-test'/,
    );
    assert.doesNotMatch(child.stderr, /internal error/);
  },
);

test('generated report passes huntpack check', async (t) => {
  const { out } = await buildJson(t, [repoFile('test/fixtures/packs/remcos-example.csv')]);
  const result = await runCli(['check', join(out, 'remcos', 'report.md'), '--no-analyzers']);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /0 errors/);
});

test('filters that remove everything warn', async (t) => {
  const out = makeTempDir('build', t);
  const result = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--family',
    'Nope',
    '--out',
    out,
  ]);
  assert.equal(result.code, 0);
  assert.match(result.stderr, /warning: the filters removed all 4 indicators/);
  assert.match(result.stderr, /\(--family Nope removed 4\)/);
  const strict = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--ioc-type',
    'url',
    '--strict',
    '--out',
    out,
  ]);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /removed all 4 indicators \(--ioc-type url removed 4\)/);
  assert.match(strict.stderr, /failed because --strict makes the warnings above errors/);
});

test('summary escapes feed name breaks', async (t) => {
  const folder = makeTempDir('name-break', t);
  const feed = join(folder, 'a\nb.csv');
  await writeFile(feed, await readFile(repoFile('test/fixtures/packs/remcos-example.csv'), 'utf8'));
  const result = await runCli(['build', feed, '--out', join(folder, 'out')]);
  assert.equal(result.code, 0, result.stderr);
  const output = result.stdout + result.stderr;
  assert.match(output, /read .*a\\x0ab\.csv \(threatfox-csv\): 4 rows/);
  assert.ok(!output.includes('a\nb.csv'));
});

test('prose without indicators is not empty', async (t) => {
  const folder = makeTempDir('prose', t);
  const prose = join(folder, 'notes.txt');
  await writeFile(prose, 'The meeting moved to Tuesday; nothing else to report.\n');
  const out = join(folder, 'out');
  const result = await runCli(['build', prose, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /warning TEXT_NO_INDICATORS: Free text in .*notes\.txt" contains no indicators/,
  );
  assert.match(
    result.stderr,
    /no rows were read from .*notes\.txt: its text contains no indicators\./,
  );
  assert.doesNotMatch(result.stderr, /the feed is empty/);
  const strict = await runCli(['build', prose, '--strict', '--out', out]);
  assert.equal(strict.code, 1, strict.stderr);
});

test('empty feed warns and fails when strict', async (t) => {
  const folder = makeTempDir('empty', t);
  const empty = join(folder, 'threatfox.csv');
  await writeFile(empty, '');
  const out = join(folder, 'out');

  const result = await runCli(['build', empty, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /warning: no rows were read from .*threatfox\.csv: the feed is empty/,
  );
  assert.match(result.stdout, /\nwrote 0 packs to .*out\.\n/);

  const strict = await runCli(['build', empty, '--strict', '--out', out]);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /no rows were read from/);

  const mixed = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    empty,
    '--out',
    out,
  ]);
  assert.equal(mixed.code, 0, mixed.stderr);
  assert.match(mixed.stdout, /wrote 1 pack/);
  assert.match(mixed.stderr, /no rows were read from .*threatfox\.csv/);
});

test('feed of rejected rows warns', async (t) => {
  const folder = makeTempDir('rejected', t);
  const feed = join(folder, 'bad.csv');
  const example = await readFile(repoFile('test/fixtures/packs/remcos-example.csv'), 'utf8');
  await writeFile(feed, example.replaceAll('"ip:port"', '"ip:porto"'));

  const result = await runCli(['build', feed, '--out', join(folder, 'out')]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /warning: every one of the 4 rows read was rejected or dropped \(4 rejected\), so no pack was built/,
  );
  assert.match(result.stderr, /listed in .*build-issues\.txt/);
});

test('allowlists that set aside everything warn', async (t) => {
  const folder = makeTempDir('allowed', t);
  const allowlist = join(folder, 'allow.txt');
  await writeFile(allowlist, '0.0.0.0/0\n');

  const result = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--allowlist',
    allowlist,
    '--out',
    join(folder, 'out'),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /warning: the allowlists set aside all 4 indicators/);
});

test('only-new run without new indicators is quiet', async (t) => {
  const folder = makeTempDir('only-new', t);
  const args = [
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--state',
    join(folder, 'state.json'),
    '--only-new',
    '--strict',
    '--out',
    join(folder, 'out'),
  ];
  assert.equal((await runCli(args)).code, 0);
  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /warning/);
});

test('truncated feed leaves the state file', async (t) => {
  const folder = makeTempDir('state', t);
  const state = join(folder, 'state.json');
  const day1 = await runCli([
    'build',
    repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv'),
    '--out',
    join(folder, 'out1'),
    '--state',
    state,
  ]);
  assert.equal(day1.code, 0, day1.stderr);
  const recorded = await readFile(state, 'utf8');

  // Day two: the download stopped half way, so the trailer line is missing.
  const whole = await readFile(
    repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv'),
    'utf8',
  );
  const cut = join(folder, 'cut.csv');
  await writeFile(cut, whole.split('\n').slice(0, 200).join('\n') + '\n');
  const day2 = await runCli(['build', cut, '--out', join(folder, 'out2'), '--state', state]);
  assert.equal(day2.code, 0, day2.stderr);
  assert.match(day2.stderr, /MISSING_TRAILER/);
  assert.match(
    day2.stderr,
    /state\.json was not updated, because these inputs may be incomplete: .*cut\.csv/,
  );
  assert.equal(await readFile(state, 'utf8'), recorded);
});

test('usage errors point to command help', async () => {
  const unknown = await runCli(['build', 'feed.csv', '--bogus']);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /unknown option '--bogus'\nRun "huntpack build --help" for usage\.\n$/,
  );

  const choice = await runCli(['hunt', '--pack', 'p', '--format', 'csv', 'x.log']);
  assert.equal(choice.code, 2);
  assert.match(choice.stderr, /Allowed choices are .*\nRun "huntpack hunt --help" for usage\.\n$/);

  const nested = await runCli(['fetch', 'threatfox', '--bogus']);
  assert.equal(nested.code, 2);
  assert.match(nested.stderr, /\nRun "huntpack fetch threatfox --help" for usage\.\n$/);

  const top = await runCli(['--bogus']);
  assert.equal(top.code, 2);
  assert.match(top.stderr, /\nRun "huntpack --help" for usage\.\n$/);
});

test('empty paths fail, commas stay', async (t) => {
  const feed = repoFile('test/fixtures/packs/remcos-example.csv');
  for (const args of [
    ['build', feed, '--out', ''],
    ['build', feed, '--state', ' '],
    ['hunt', '--pack', '', 'x.log'],
    ['hunt', '--feed', feed, '--report', '', 'x.log'],
  ]) {
    const result = await runCli(args);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, /Invalid --\w+ "": expected a path\./);
  }

  const folder = makeTempDir('build-comma-path', t);
  const exclusions = join(folder, 'ex,1.yaml');
  await writeFile(exclusions, 'exclusions: []\n');
  const result = await runCli([
    'build',
    feed,
    '--out',
    join(folder, 'packs'),
    '--exclusions',
    exclusions,
  ]);
  assert.doesNotMatch(result.stderr, /Cannot read exclusions file/);
  assert.equal(result.code, 0, result.stderr);
});
