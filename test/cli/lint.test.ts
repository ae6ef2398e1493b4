import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { existsSync } from 'node:fs';
import { repoFile, sharedFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

test('lint flags each faulty exclusion', async () => {
  const result = await runCli([
    'lint',
    repoFile('test/fixtures/lint/remcos-report-excerpt.txt'),
    '--no-kusto',
  ]);
  assert.equal(result.code, 1);
  assert.equal(count(result.stdout, /error EXCLUSION_REMOVES_NOTHING/), 2);
  assert.equal(count(result.stdout, /warning MIXED_AND_OR/), 1);
  assert.equal(count(result.stdout, /error EXCLUSION_INVERTED/), 2);
  assert.equal(count(result.stdout, /error NOT_A_PROCESS_NAME/), 1);
  assert.match(
    result.stdout,
    /Column "process\.name" does not exist in DeviceNetworkEvents\. Use InitiatingProcessFileName/,
  );
  assert.match(
    result.stdout,
    /condition to keep for DeviceNetworkEvents, reading the line as the events to drop: InitiatingProcessFileName !in~ \("psexec\.exe", "winrm\.exe"\)/,
  );
  assert.match(result.stdout, /it keeps every event: the condition is always true/);
  assert.equal(result.stderr, '');
});

test('lint passes a sound filter', async (t) => {
  const folder = makeTempDir('lint', t);
  const file = join(folder, 'report.txt');
  await writeFile(
    file,
    [
      'DeviceNetworkEvents',
      '| where TimeGenerated > ago(30d)',
      '| where RemotePort == 5220',
      '',
      'Scenario: Remote administration',
      'Description: Admins use PsExec or WinRM.',
      'Filter/Exclusion: InitiatingProcessFileName !in~ ("psexec.exe", "winrm.exe")',
      '',
    ].join('\n'),
  );
  const result = await runCli(['lint', file, '--no-kusto']);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /0 errors, 0 warnings/);
});

const EXAMPLE = sharedFile('../examples/remcos-hunt-report.txt');

test(
  'lint of the reference report',
  { skip: existsSync(EXAMPLE) ? false : `needs ${EXAMPLE}` },
  async () => {
    const example = EXAMPLE;
    const result = await runCli(['lint', example]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /2 queries checked with the Kusto parser, 5 exclusions/);
    assert.doesNotMatch(result.stdout, /error KQL_/);
  },
);

test('lint passes a generated report', async (t) => {
  const out = makeTempDir('lint', t);
  const build = await runCli(['build', '-', '--family', 'Remcos', '--out', out], {
    stdin: [
      'Payload at hxxps://evil-payload[.]com/gate.php',
      'C2 45[.]9[.]148[.]10:4444',
      'MD5 44d88612fea8a8f36de82e1278abb02f',
      '',
    ].join('\n'),
  });
  assert.equal(build.code, 0, build.stderr);
  const report = join(out, 'remcos', 'report.md');
  const text = await readFile(report, 'utf8');
  assert.match(text, /\/\/ Platform: Defender XDR advanced hunting/);
  // Each false-positive scenario of the report writes its exclusion as one fenced `| where` line.
  const exclusions = count(text, /```text\n\| where not\(/);
  assert.ok(exclusions >= 3, `${exclusions} exclusions in the report`);

  const result = await runCli(['lint', report]);
  assert.equal(result.code, 0, result.stdout);
  assert.doesNotMatch(result.stdout, /KQL_/);
  assert.match(
    result.stdout,
    new RegExp(`checked with the Kusto parser, ${exclusions} exclusions, 0 errors, 0 warnings`),
  );
  // Each exclusion is shown as the report writes it.
  assert.equal(count(result.stdout, /report\.md:\d+: \| where not\(/), exclusions);

  const sentinel = await runCli(['lint', report, '--platform', 'sentinel']);
  assert.equal(sentinel.code, 1, sentinel.stdout);
  assert.match(sentinel.stdout, /error KQL_KS142: .*'Timestamp'/);
});

test('lint writes singular counts', async (t) => {
  const folder = makeTempDir('lint', t);
  const file = join(folder, 'report.txt');
  await writeFile(
    file,
    [
      'Indicator: 45[.]92[.]1[.]175:5220',
      '',
      'DeviceNetworkEvents',
      '| where RemoteIP == "45.92.1.175"',
      '',
      'Filter/Exclusion: InitiatingProcessFileName != "a.exe" or InitiatingProcessFileName != "b.exe"',
      '',
    ].join('\n'),
  );
  const result = await runCli(['lint', file, '--no-kusto']);
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stdout, /warning PORT_IGNORED: Query at lines 3-4 matches 1 address that /);
  assert.match(
    result.stdout,
    /A value always differs from at least one of two different values, so /,
  );
  assert.match(result.stdout, /report\.txt: 1 query, 1 exclusion, 1 error, 2 warnings\n$/);
});

test(
  'lint decodes a UTF-16 report',
  { skip: existsSync(EXAMPLE) ? false : `needs ${EXAMPLE}` },
  async (t) => {
    const folder = makeTempDir('lint', t);
    const text = await readFile(EXAMPLE, 'utf8');
    const plain = await runCli(['lint', EXAMPLE, '--no-kusto']);
    const little = join(folder, 'report-le.txt');
    await writeFile(
      little,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    const big = join(folder, 'report-be.txt');
    const bigBytes = Buffer.from(text, 'utf16le').swap16();
    await writeFile(big, Buffer.concat([Buffer.from([0xfe, 0xff]), bigBytes]));
    const summary = (stdout: string): string =>
      stdout.trim().split('\n').at(-1)?.replace(/^.*: /, '') ?? '';
    assert.match(summary(plain.stdout), /^[1-9]\d* queries, /);
    for (const file of [little, big]) {
      const result = await runCli(['lint', file, '--no-kusto']);
      assert.equal(result.code, plain.code, file);
      assert.equal(summary(result.stdout), summary(plain.stdout), file);
    }
  },
);

test('lint rejects a binary file', async (t) => {
  const folder = makeTempDir('lint', t);
  const file = join(folder, 'program.txt');
  await writeFile(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0x0a]));
  const result = await runCli(['lint', file]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /program\.txt is not a text file: it contains NUL bytes/);
});

test('lint warns about an empty file', async (t) => {
  const folder = makeTempDir('lint', t);
  const file = join(folder, 'empty.kql');
  await writeFile(file, '');
  const result = await runCli(['lint', file, '--no-kusto']);
  assert.match(result.stdout, /warning NO_QUERY: .*empty\.kql is empty, so it contains no query/);
  assert.match(result.stdout, /0 queries, 0 exclusions, 0 errors, 1 warning\n$/);
});
