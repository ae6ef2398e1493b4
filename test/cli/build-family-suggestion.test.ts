import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias",' +
  '"malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags",' +
  '"anonymous","reporter"';

/** Returns a ThreatFox CSV row of a botnet C2 with the family's Malpedia id, aliases and name. */
function row(id: number, value: string, malpedia: string, aliases: string, name: string): string {
  return (
    `"2026-04-11 20:39:25", "${id}", "${value}", "ip:port", "botnet_cc", "${malpedia}", ` +
    `"${aliases}", "${name}", "", "100", "False", "None", "None", "0", "tester"`
  );
}

/** A feed of three families: Remcos with an alias, Cobalt Strike and AsyncRAT. */
const FEED = [
  HEADER,
  row(1, '198.51.100.1:2404', 'win.remcos', 'RemcosRAT,Remvio', 'Remcos'),
  row(2, '198.51.100.2:443', 'win.cobalt_strike', 'None', 'Cobalt Strike'),
  row(3, '198.51.100.3:6606', 'win.asyncrat', 'None', 'AsyncRAT'),
  '',
].join('\n');

/** Runs `huntpack build FEED --out DIR` with `options` on {@link FEED}. */
async function build(t: TestContext, options: string[]): Promise<CliResult> {
  const folder = makeTempDir('family-suggestion', t);
  const feed = join(folder, 'feed.csv');
  await writeFile(feed, FEED);
  return runCli(['build', feed, ...options, '--out', join(folder, 'packs')]);
}

/** Returns the `huntpack: warning:` line about the filters. */
function filterWarning(result: CliResult): string {
  const line = result.stderr
    .split('\n')
    .find((text) => text.startsWith('huntpack: warning: the filters removed all'));
  assert.ok(line, result.stderr);
  return line;
}

test('family typo names the closest family', async (t) => {
  const result = await build(t, ['--family', 'Remcso']);

  // A family absent from today's feed is normal for a daily job, so the build still succeeds.
  assert.equal(result.code, 0, result.stderr);
  const warning = filterWarning(result);
  assert.match(warning, /removed all 3 indicators \(--family Remcso removed 3\)/);
  assert.ok(
    warning.includes(
      '--family Remcso matches no family in the feeds; the closest: Remcos (win.remcos).',
    ),
    warning,
  );
  assert.match(warning, /Check the filter values against the feed\.$/);
});

test('family suggestion reads ids and aliases', async (t) => {
  const cases: Array<[given: string, closest: string]> = [
    ['win.remcso', 'Remcos (win.remcos)'],
    ['RemcosRTA', 'Remcos (win.remcos)'],
    ['cobalt', 'Cobalt Strike (win.cobalt_strike)'],
    ['AsynRAT', 'AsyncRAT (win.asyncrat)'],
  ];
  for (const [given, closest] of cases) {
    const result = await build(t, ['--family', given]);
    assert.equal(result.code, 0, `${given}: ${result.stderr}`);
    const expected = `--family ${given} matches no family in the feeds; the closest: ${closest}.`;
    const warning = filterWarning(result);
    assert.ok(warning.includes(expected), `${given}: ${warning}`);
  }
});

test('family without a close name', async (t) => {
  const result = await build(t, ['--family', 'Emotet']);

  assert.equal(result.code, 0, result.stderr);
  const warning = filterWarning(result);
  assert.ok(warning.includes('--family Emotet matches no family in the feeds.'), warning);
  assert.doesNotMatch(warning, /the closest/);
});

test('family suggestion names each value', async (t) => {
  const result = await build(t, ['--family', 'Remcso,Emotet']);

  const warning = filterWarning(result);
  assert.ok(warning.includes('--family Remcso matches no family in the feeds; the closest:'));
  assert.ok(warning.includes('--family Emotet matches no family in the feeds.'), warning);
});

test('family that matches gets no suggestion', async (t) => {
  // Remcos is in the feed, and --ioc-type removes its indicator.
  const result = await build(t, ['--family', 'remcos', '--ioc-type', 'url']);

  assert.equal(result.code, 0, result.stderr);
  const warning = filterWarning(result);
  assert.doesNotMatch(warning, /matches no family/);
});

test('family typo fails only with strict', async (t) => {
  const result = await build(t, ['--family', 'Remcso', '--strict']);

  assert.equal(result.code, 1);
  assert.ok(filterWarning(result).includes('the closest: Remcos (win.remcos).'));
  assert.match(result.stderr, /failed because --strict makes the warnings above errors/);
});

test('unmatched family beside matched one', async (t) => {
  const result = await build(t, ['--family', 'Remcos', '--family', 'AsyncRTA']);

  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /huntpack: warning: --family AsyncRTA matches no family in the feeds; the closest: AsyncRAT \(win\.asyncrat\)\.\n/,
  );
  assert.doesNotMatch(result.stderr, /--family Remcos matches no family/);
});

test('short family values get no hints', async (t) => {
  for (const value of ['x', 'win.']) {
    const warning = filterWarning(await build(t, ['--family', value]));
    assert.match(
      warning,
      new RegExp(`--family ${value.replace('.', '\\.')} matches no family in the feeds\\. `),
    );
  }
});

test('empty family value is a usage error', async (t) => {
  for (const value of ['', ' ', ',']) {
    const result = await build(t, ['--family', value]);
    assert.equal(result.code, 2, JSON.stringify(value));
    assert.match(result.stderr, /Invalid --family ".*": expected one or more values/);
  }
});

test('family echo escapes control characters', async (t) => {
  const result = await build(t, ['--family', 'Remcos\u001b[31m']);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!result.stderr.includes('\u001b'), 'no raw escape character');
  assert.match(result.stderr, /--family Remcos\\x1b\[31m matches no family in the feeds/);
});

test('hunt --feed names unmatched family values', async (t) => {
  const folder = makeTempDir('family-suggestion-hunt', t);
  const feed = join(folder, 'feed.csv');
  const log = join(folder, 'fw.log');
  await writeFile(feed, FEED);
  await writeFile(
    log,
    'CEF:0|Fortinet|FortiGate|7.0|1|traffic|3|rt=1775000000000 src=10.1.1.5 spt=50000 dst=5.5.5.5 dpt=80 act=accept\n',
  );

  const partly = await runCli([
    'hunt',
    '--feed',
    feed,
    '--no-builtin-allowlists',
    '--family',
    'Remcos,AsyncRTA',
    log,
  ]);
  assert.equal(partly.code, 0, partly.stderr);
  assert.match(
    partly.stderr,
    /huntpack: warning: --family AsyncRTA matches no family in the feeds; the closest: AsyncRAT \(win\.asyncrat\)\.\n/,
  );

  const none = await runCli(['hunt', '--feed', feed, '--family', 'Remcso', log]);
  assert.match(none.stderr, /--family Remcso matches no family in the feeds; the closest: Remcos/);
});

test('ThreatFox id unknown selects Unknown malware', async (t) => {
  const feed = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
  const rows = readFileSync(feed, 'utf8')
    .split('\n')
    .filter((line) => line.split('", "')[5] === 'unknown');
  assert.ok(rows.length > 100, `${rows.length} rows of unknown`);
  const out = join(makeTempDir('family-unknown', t), 'packs');
  const result = await runCli(['build', feed, '--family', 'UNKNOWN', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`Unknown malware: ${rows.length} indicators`));
  assert.doesNotMatch(result.stdout, /Unknown RAT|Unknown Stealer/);
});

test('threat type typo lists the feed types', async (t) => {
  const typo = await build(t, ['--threat-type', 'botnet']);
  assert.equal(typo.code, 0, typo.stderr);
  const warning = filterWarning(typo);
  assert.ok(
    warning.includes(
      '--threat-type botnet matches no threat type in the feeds, which give: botnet_cc.',
    ),
    warning,
  );

  // With other values kept, a value that matches nothing still gets its own warning.
  const mixed = await build(t, ['--threat-type', 'botnet_cc', '--threat-type', 'paylod_delivery']);
  assert.equal(mixed.code, 0, mixed.stderr);
  assert.ok(
    mixed.stderr.includes(
      'huntpack: warning: --threat-type paylod_delivery matches no threat type in the feeds, which give: botnet_cc.',
    ),
    mixed.stderr,
  );
  assert.doesNotMatch(mixed.stderr, /--threat-type botnet_cc matches/);

  // A value the feeds give is not named, even when the others match nothing.
  const known = await build(t, ['--threat-type', 'BOTNET_CC', '--family', 'Emotet']);
  assert.doesNotMatch(filterWarning(known), /--threat-type BOTNET_CC matches/);
});

test('hunt --feed names the feed threat types', async (t) => {
  const folder = makeTempDir('threat-type-hunt', t);
  const feed = join(folder, 'feed.csv');
  const log = join(folder, 'fw.log');
  await writeFile(feed, FEED);
  await writeFile(log, 'CEF:0|Vendor|FW|1|1|conn|3|src=10.0.0.5 dst=198.51.100.1 dpt=2404\n');
  const result = await runCli(['hunt', '--feed', feed, '--threat-type', 'botnet', log]);
  assert.ok(
    result.stderr.includes(
      '--threat-type botnet matches no threat type in the feeds, which give: botnet_cc.',
    ),
    result.stderr,
  );
});

test('ioc type miss lists the feed types', async (t) => {
  const result = await build(t, ['--ioc-type', 'ip']);
  assert.equal(result.code, 0, result.stderr);
  const warning = filterWarning(result);
  assert.ok(
    warning.includes('--ioc-type ip matches no indicator type in the feeds, which give: ip:port.'),
    warning,
  );
  assert.ok(warning.includes('pass --ioc-type ip:port'), warning);

  // With other values kept, a value that matches nothing still gets its own warning.
  const mixed = await build(t, ['--ioc-type', 'ip:port,domain']);
  assert.equal(mixed.code, 0, mixed.stderr);
  assert.match(mixed.stderr, /warning: --ioc-type domain matches no indicator type/);
  assert.doesNotMatch(mixed.stderr, /--ioc-type ip:port matches/);
});

test('age filters name the newest sighting', async (t) => {
  const since = await build(t, ['--since', '2026-05-01']);
  assert.equal(since.code, 0, since.stderr);
  assert.match(
    filterWarning(since),
    /The newest first seen in the feeds is 2026-04-11 20:39 UTC, \d+ days before this run\./,
  );

  const maxAge = await build(t, ['--max-age', '7']);
  assert.equal(maxAge.code, 0, maxAge.stderr);
  assert.match(
    filterWarning(maxAge),
    /The latest sighting in the feeds is 2026-04-11 20:39 UTC, \d+ days before this run\./,
  );
});

test('max age takes days with or without d', async (t) => {
  for (const value of ['7', '7d']) {
    const result = await build(t, ['--max-age', value]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(filterWarning(result), new RegExp(`--max-age ${value} removed 3`));
  }
  for (const value of ['7h', '1w', '1.5', '0']) {
    const result = await build(t, ['--max-age', value]);
    assert.equal(result.code, 2, value);
    assert.match(
      result.stderr,
      /expected a whole number of days from 1 to 36500, such as 14 or 14d/,
    );
  }
});

test('build help shows the max age forms', async () => {
  const help = await runCli(['build', '--help']);
  assert.match(help.stdout, /--max-age <days>\s+keep only indicators .* \(14 or 14d\)/s);
});
