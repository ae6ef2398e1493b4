import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Builds a pack from one defanged URL, which gets Sentinel and Defender URL hunts. */
async function buildUrlPack(t: TestContext): Promise<string> {
  const out = makeTempDir('check', t);
  const result = await runCli(['build', '-', '--family', 'Remcos', '--out', out], {
    stdin: 'Payload at hxxps://evil-payload[.]com/gate.php\n',
  });
  assert.equal(result.code, 0, result.stderr);
  return join(out, 'remcos');
}

test('check reads the platform of generated queries', async (t) => {
  const pack = await buildUrlPack(t);
  const names = await readdir(join(pack, 'queries'));
  const defender = names.filter((name) => name.includes('-defender-'));
  assert.ok(defender.length > 0, `no Defender query among ${names.join(', ')}`);

  const files = names.map((name) => join(pack, 'queries', name));
  const result = await runCli(['check', ...files, join(pack, 'report.md'), '--no-analyzers']);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /^0 errors, 0 warnings in \d+ files/m);
  assert.match(result.stdout, /\d+ queries against defender/);
});

test('check --platform overrides the header', async (t) => {
  const pack = await buildUrlPack(t);
  const names = await readdir(join(pack, 'queries'));
  const uce = names.find((name) => name.includes('-defender-uce-'));
  assert.ok(uce, `no Defender UrlClickEvents query among ${names.join(', ')}`);

  const file = join(pack, 'queries', uce);
  const result = await runCli(['check', '--platform', 'sentinel', file, '--no-analyzers']);
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stdout, /error KS142: The name 'Timestamp'/);
  assert.match(result.stdout, /\(sentinel schemas\)\n$/);
});

test('check notes a pack with no hunts', async (t) => {
  const out = makeTempDir('check', t);
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
  assert.match(result.stdout, /^0 errors, 0 warnings in 1 file \(no query checked\)$/m);
});

test('check counts no query in a blank file', async (t) => {
  const folder = makeTempDir('check', t);
  const empty = join(folder, 'empty.kql');
  await writeFile(empty, '');
  const comment = join(folder, 'comment.kql');
  await writeFile(comment, '// Platform: Microsoft Sentinel\n');
  const markdown = join(folder, 'report.md');
  await writeFile(markdown, '# Hunts\n\n```kql\n\n```\n');

  const result = await runCli(['check', empty, comment, markdown]);
  assert.equal(result.code, 0, result.stdout);
  assert.equal((result.stdout.match(/warning EMPTY_QUERY/g) ?? []).length, 3);
  assert.match(result.stdout, /empty\.kql: 0 queries, no errors\n/);
  assert.match(result.stdout, /comment\.kql: 0 queries, no errors\n/);
  assert.match(result.stdout, /report\.md: 0 queries, no errors\n/);
  assert.match(result.stdout, /\n0 errors, 3 warnings in 3 files \(no query checked\)\n$/);
});

test('check writes singular counts', async (t) => {
  const folder = makeTempDir('check', t);
  const file = join(folder, 'one.kql');
  await writeFile(
    file,
    'CommonSecurityLog\n| where TimeGenerated > ago(1d)\n| where NoSuchColumn == 1\n',
  );
  const result = await runCli(['check', file, '--no-analyzers']);
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stdout, /one\.kql: 1 query, 1 error\n/);
  assert.match(result.stdout, /\n1 error, 0 warnings in 1 file \(sentinel schemas\)\n$/);

  const markdown = join(folder, 'two.md');
  await writeFile(markdown, '```kql\nCommonSecurityLog | take 1\n```\n```kql\n\n```\n');
  const warned = await runCli(['check', markdown, '--no-analyzers']);
  assert.equal(warned.code, 0, warned.stdout);
  assert.match(warned.stdout, /two\.md: 1 query, no errors\n/);
  assert.match(warned.stdout, /\n0 errors, 1 warning in 1 file \(sentinel schemas\)\n$/);
});

test('check points a text report to lint', async (t) => {
  const folder = makeTempDir('check', t);
  const file = join(folder, 'report.txt');
  const prose = 'The detection finds Remcos traffic.\nIOC Summary\n';
  await writeFile(file, `${prose}CommonSecurityLog\n| where DestinationIP == "203.0.113.5"\n`);
  const clean = await runCli(['check', file]);
  assert.equal(clean.code, 0, clean.stdout);
  const hint = clean.stdout.split('\n').filter((line) => line.includes('HUNT_REPORT_HINT'));
  assert.equal(hint.length, 1, clean.stdout);
  assert.match(hint[0] ?? '', /: info HUNT_REPORT_HINT: .*run: huntpack lint .*report\.txt$/);
  assert.match(clean.stdout, /report\.txt: 1 query, no errors\n/);

  await writeFile(file, `${prose}CommonSecurityLog\n| where DestinationIPx == "203.0.113.5"\n`);
  const broken = await runCli(['check', file]);
  assert.equal(broken.code, 1, broken.stdout);
  assert.match(broken.stdout, /report\.txt:4:9: error KS142: The name 'DestinationIPx'/);
  assert.doesNotMatch(broken.stdout, /The name 'The'/);
  assert.match(broken.stdout, /^1 error, 0 warnings in 1 file/m);
});

test('check decodes UTF-16 with a BOM', async (t) => {
  const folder = makeTempDir('check', t);
  const file = join(folder, 'wide.kql');
  const query =
    'CommonSecurityLog\r\n| where TimeGenerated > ago(1d)\r\n| project NoSuchColumn\r\n';
  await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(query, 'utf16le')]));
  const result = await runCli(['check', file, '--no-analyzers']);
  assert.equal(result.code, 1, result.stdout);
  assert.equal((result.stdout.match(/ error /g) ?? []).length, 1, result.stdout);
  assert.match(result.stdout, /wide\.kql:3:11: error KS142: .*'NoSuchColumn'/);
});

test('check rejects a binary file once', async (t) => {
  const folder = makeTempDir('check', t);
  const file = join(folder, 'program.kql');
  await writeFile(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0x0a, 0x7c, 0x00, 0x01]));
  const result = await runCli(['check', file]);
  assert.equal(result.code, 1, result.stdout);
  const errors = result.stdout.split('\n').filter((line) => / error /.test(line));
  assert.equal(errors.length, 1, result.stdout);
  assert.match(
    errors[0] ?? '',
    /program\.kql: error BINARY_FILE: .*program\.kql is not a text file/,
  );
  assert.match(result.stdout, /program\.kql: 0 queries, 1 error\n/);
});

test('check reads every query file in a folder', async (t) => {
  const folder = makeTempDir('check', t);
  const query = 'CommonSecurityLog\n| where DestinationPort == 443\n';
  await mkdir(join(folder, 'b', 'nested'), { recursive: true });
  await writeFile(join(folder, 'b', 'nested', 'one.kql'), query);
  await writeFile(join(folder, 'b', 'two.csl'), query);
  await writeFile(join(folder, 'a.kusto'), query);
  await writeFile(join(folder, 'report.md'), '# Hunts\n\n```kql\n' + query + '```\n');
  await writeFile(join(folder, 'notes.txt'), 'not a query\n');
  await mkdir(join(folder, 'folder.kql'));

  const result = await runCli(['check', folder, '--no-analyzers']);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /^.*: found 4 files to check \(\.kql, \.csl, \.kusto, \.md\)\n/);
  const checked = [...result.stdout.matchAll(/^(.+): 1 query, no errors$/gm)].map((match) =>
    relative(folder, match[1] ?? ''),
  );
  assert.deepEqual(checked, [
    'a.kusto',
    join('b', 'nested', 'one.kql'),
    join('b', 'two.csl'),
    'report.md',
  ]);
  assert.match(result.stdout, /\n0 errors, 0 warnings in 4 files \(sentinel schemas\)\n$/);
});

test('Markdown without queries in a folder is an info line', async (t) => {
  const folder = makeTempDir('check', t);
  await writeFile(join(folder, 'hunt.kql'), 'CommonSecurityLog\n| where DestinationPort == 443\n');
  const notes = join(folder, 'hunt-report.md');
  await writeFile(notes, '# Hunt report\n\nNo findings.\n');

  const inFolder = await runCli(['check', folder, '--no-analyzers']);
  assert.equal(inFolder.code, 0, inFolder.stdout);
  assert.ok(inFolder.stdout.includes(`${notes}:1:1: info NO_KQL_BLOCKS:`), inFolder.stdout);
  assert.match(inFolder.stdout, /\n0 errors, 0 warnings in 2 files/);

  // Named on its own, the same file keeps the warning.
  const named = await runCli(['check', notes]);
  assert.ok(named.stdout.includes(`${notes}:1:1: warning NO_KQL_BLOCKS:`), named.stdout);
});

test('check rejects a folder without query files', async (t) => {
  const folder = makeTempDir('check', t);
  await writeFile(join(folder, 'notes.txt'), 'not a query\n');

  const result = await runCli(['check', folder]);
  assert.equal(result.code, 1, result.stdout);
  assert.ok(result.stdout.includes(`error NO_FILES_TO_CHECK: ${folder} contains no .kql`));
  assert.match(result.stdout, /\n1 error, 0 warnings in 1 file/);
});

test('check hints at queries split by a blank line', async (t) => {
  const folder = makeTempDir('check', t);
  const two = join(folder, 'two.kql');
  await writeFile(two, 'CommonSecurityLog | take 10\n\n// second\nDeviceNetworkEvents | take 5\n');
  const result = await runCli(['check', two, '--no-analyzers']);
  assert.equal(result.code, 1, result.stdout);
  const hints = result.stdout.split('\n').filter((line) => line.includes('BLANK_LINE_SPLIT'));
  assert.equal(hints.length, 1, result.stdout);
  assert.match(hints[0]!, /blank line at line 2, .* so line 4 starts another query/);

  // A query whose let statement a blank line cuts off parses, but the editor would run it in two.
  const cut = join(folder, 'cut.kql');
  await writeFile(cut, 'let limit = 10;\n\nCommonSecurityLog | take limit\n');
  const parsed = await runCli(['check', cut, '--no-analyzers']);
  assert.equal(parsed.code, 0, parsed.stdout);
  assert.match(parsed.stdout, /info BLANK_LINE_SPLIT: .*blank line at line 2.*cursor on line 3/);

  // A file whose error has no blank line gets no such hint, nor does a leading blank line.
  const singleQuery = join(folder, 'one.kql');
  await writeFile(singleQuery, '// header\n\nCommonSecurityLog | take 10\n| where Nope == 1\n');
  const single = await runCli(['check', singleQuery, '--no-analyzers']);
  assert.equal(single.code, 1, single.stdout);
  assert.doesNotMatch(single.stdout, /BLANK_LINE_SPLIT/);
});

test('check notes loose has advice', async (t) => {
  const folder = makeTempDir('check', t);
  const file = join(folder, 'q.kql');
  await writeFile(
    file,
    'DeviceNetworkEvents | where Timestamp > ago(7d) | where RemoteUrl contains "evil.com"\n',
  );
  const result = await runCli(['check', file]);
  assert.equal(result.code, 0, result.stdout);
  const lines = result.stdout.split('\n').filter((line) => line.startsWith(file));
  assert.match(lines[0] ?? '', /:1:67: info KS500: /);
  assert.match(lines[1] ?? '', /:1:67: info LOOSE_HAS_ADVICE: .*RemoteUrl has "evil\.com" also/);
  assert.ok(lines[1]?.endsWith(`run: huntpack lint ${file}`), lines[1]);
});
