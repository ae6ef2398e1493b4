import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintReport } from '../../../src/validate/lint/lint-report.js';
import type { LintResult } from '../../../src/validate/lint/lint-report.js';
import { REPO_ROOT, SHARED_DATA } from '../../helpers/shared.js';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/lint/remcos-report-excerpt.txt');
const SHARED_EXAMPLE = join(SHARED_DATA, '..', 'examples', 'remcos-hunt-report.txt');

function lintFixture(): LintResult {
  return lintReport(readFileSync(FIXTURE, 'utf8'), 'excerpt.txt', { checkKql: false });
}

function codesAt(result: LintResult, index: number): string[] {
  return result.exclusions[index]?.findings.map((finding) => finding.code) ?? [];
}

test('lint finds both KQL queries', () => {
  const { blocks } = lintFixture();
  assert.deepEqual(
    blocks.map((block) => [block.startLine, block.endLine, block.tables]),
    [
      [1, 7, ['CommonSecurityLog']],
      [8, 13, ['DeviceNetworkEvents']],
    ],
  );
});

test('lint flags the task scheduler parent', () => {
  const result = lintFixture();
  const exclusion = result.exclusions[0]!;
  assert.equal(exclusion.line, 20);
  const finding = exclusion.findings.find((f) => f.code === 'NOT_A_PROCESS_NAME');
  assert.equal(finding?.severity, 'error');
  assert.match(finding?.message ?? '', /svchost\.exe, taskeng\.exe, taskhostw\.exe/);
  const fix = exclusion.corrections.find((c) => c.table === 'DeviceNetworkEvents');
  assert.equal(
    fix?.filter,
    'InitiatingProcessFileName !~ "schtasks.exe" or InitiatingProcessParentFileName !in~ ("svchost.exe", "taskeng.exe", "taskhostw.exe")',
  );
});

test('lint flags always-true exclusions', () => {
  const result = lintFixture();
  for (const index of [1, 3]) {
    assert.ok(codesAt(result, index).includes('EXCLUSION_REMOVES_NOTHING'), `exclusion ${index}`);
    assert.equal(
      result.exclusions[index]?.effect,
      'keeps every event: the condition is always true',
    );
  }
  assert.equal(
    result.exclusions[1]?.corrections.find((c) => c.table === 'DeviceNetworkEvents')?.filter,
    'InitiatingProcessFileName !in~ ("psexec.exe", "winrm.exe")',
  );
});

test('lint shows both readings of an AND/OR mix', () => {
  const exclusion = lintFixture().exclusions[2]!;
  const mix = exclusion.findings.find((f) => f.code === 'MIXED_AND_OR');
  assert.equal(mix?.source?.line, 26);
  assert.equal(mix?.source?.column, 87);
  assert.equal(
    exclusion.effect,
    'removes only events where process.name is "logparser.exe" and process.command_line does not contain "base64"',
  );
  assert.equal(
    exclusion.otherEffect,
    'removes only events where process.command_line does not contain "base64"',
  );
  assert.ok(exclusion.findings.some((f) => f.code === 'FILTER_REDUNDANT_TERM'));
});

test('lint flags the inverted backup filter', () => {
  const exclusion = lintFixture().exclusions[4]!;
  const inverted = exclusion.findings.find((f) => f.code === 'EXCLUSION_INVERTED');
  assert.equal(inverted?.severity, 'error');
  assert.equal(
    exclusion.effect,
    'removes only events where process.name is "backup.exe" and process.command_line contains neither "encrypt" nor "base64"',
  );
  assert.equal(
    exclusion.corrections.find((c) => c.table === 'DeviceNetworkEvents')?.filter,
    'InitiatingProcessFileName !~ "backup.exe" or (InitiatingProcessCommandLine !contains "encrypt" and InitiatingProcessCommandLine !contains "base64")',
  );
});

test('lint flags ECS fields per table', () => {
  const result = lintFixture();
  for (const exclusion of result.exclusions) {
    const unknown = exclusion.findings.filter((f) => f.code === 'UNKNOWN_COLUMN');
    assert.ok(
      unknown.some((f) => /in DeviceNetworkEvents\. Use InitiatingProcessFileName/.test(f.message)),
    );
    assert.ok(
      unknown.some((f) =>
        /"process\.name" does not exist in CommonSecurityLog\. Use SourceProcessName/.test(
          f.message,
        ),
      ),
    );
  }
  const noColumn = result.exclusions[4]?.corrections.find((c) => c.table === 'CommonSecurityLog');
  assert.equal(noColumn?.filter, undefined);
  assert.match(noColumn?.reason ?? '', /no column for "process\.command_line"/);
});

test('lint passes a sound exclusion', () => {
  const report = [
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(30d)',
    '| where RemotePort == 4444',
    '',
    'Scenario: Admin tools',
    'Filter/Exclusion: InitiatingProcessFileName !in~ ("psexec.exe", "winrm.exe")',
  ].join('\n');
  const result = lintReport(report, 'sound.md', { checkKql: false });
  assert.deepEqual(result.issues, []);
  assert.equal(
    result.exclusions[0]?.effect,
    'removes only events where InitiatingProcessFileName is one of "psexec.exe", "winrm.exe" (any case)',
  );
  assert.deepEqual(result.exclusions[0]?.corrections, []);
});

test('lint reads fenced KQL blocks', () => {
  const report = ['Intro', '```kql', 'DeviceNetworkEvents', '| take 10', '```', '| a | b |'].join(
    '\n',
  );
  const { blocks } = lintReport(report, 'f.md', { checkKql: false });
  assert.deepEqual(blocks, [
    {
      startLine: 3,
      endLine: 4,
      text: 'DeviceNetworkEvents\n| take 10',
      tables: ['DeviceNetworkEvents'],
    },
  ]);
});

test('lint passes query problems to the Kusto hook', () => {
  const result = lintReport(readFileSync(FIXTURE, 'utf8'), 'excerpt.txt', {
    checkKql: (text) =>
      text.includes('DeviceNetworkEvents')
        ? [
            {
              severity: 'error',
              code: 'KS142',
              message: 'bad',
              start: 0,
              end: 1,
              line: 4,
              column: 3,
            },
          ]
        : [],
  });
  const kql = result.issues.find((issue) => issue.code === 'KQL_KS142');
  assert.equal(kql?.source?.line, 11);
  assert.equal(kql?.source?.column, 3);
});

test('lint flags every example exclusion', { skip: skipWithoutExample() }, () => {
  const result = lintReport(readFileSync(SHARED_EXAMPLE, 'utf8'), 'remcos-hunt-report.txt', {
    checkKql: false,
  });
  const expected = [
    'NOT_A_PROCESS_NAME',
    'EXCLUSION_REMOVES_NOTHING',
    'MIXED_AND_OR',
    'EXCLUSION_REMOVES_NOTHING',
    'EXCLUSION_INVERTED',
  ];
  assert.equal(result.exclusions.length, 5);
  expected.forEach((code, index) => {
    assert.ok(
      codesAt(result, index).includes(code),
      `exclusion ${index + 1}: ${codesAt(result, index).join(', ')}`,
    );
    assert.ok(codesAt(result, index).includes('UNKNOWN_COLUMN'), `exclusion ${index + 1}`);
  });
});

function skipWithoutExample(): false | string {
  try {
    readFileSync(SHARED_EXAMPLE);
    return false;
  } catch {
    return `needs ${SHARED_EXAMPLE}, which is not present`;
  }
}

const DEFENDER_HUNT = [
  '// Clicks on a known URL (Defender, url)',
  '// Platform: Defender XDR advanced hunting',
  'UrlClickEvents',
  '| where Timestamp > ago(1d)',
  '| project Timestamp, Url',
];

/** A Markdown report with one Defender and one Sentinel query, as huntpack writes them. */
const TWO_PLATFORM_REPORT = [
  '## Hunts',
  '```kql',
  ...DEFENDER_HUNT,
  '```',
  '```kql',
  '// Platform: Microsoft Sentinel',
  'UrlClickEvents',
  '| where TimeGenerated > ago(1d)',
  '```',
  '',
  'Filter/Exclusion: Url !startswith "https://intranet.example/"',
].join('\n');

function kqlIssues(result: LintResult): Array<[string, number | undefined]> {
  return result.issues.map((issue) => [issue.code, issue.source?.line]);
}

test('lint reads each query Platform header', () => {
  const result = lintReport(TWO_PLATFORM_REPORT, 'report.md');
  assert.deepEqual(kqlIssues(result), []);
  assert.deepEqual(result.platforms, ['defender', 'sentinel']);
});

test('lint checks exclusions on the header platform', () => {
  const report = [...DEFENDER_HUNT, '', 'Filter/Exclusion: TenantId == "lab"'].join('\n');
  const result = lintReport(report, 'report.md', { checkKql: false });
  const unknown = result.exclusions[0]?.findings.filter((f) => f.code === 'UNKNOWN_COLUMN');
  assert.equal(unknown?.length, 1);
  assert.match(unknown?.[0]?.message ?? '', /"TenantId" does not exist in UrlClickEvents/);
});

test('lint --platform overrides the header', () => {
  const result = lintReport(TWO_PLATFORM_REPORT, 'report.md', { platform: 'sentinel' });
  assert.deepEqual(kqlIssues(result), [
    ['KQL_KS142', 6],
    ['KQL_KS142', 7],
  ]);
  assert.deepEqual(result.platforms, ['sentinel', 'sentinel']);
});

test('lint checks a query without header on sentinel', () => {
  const report = DEFENDER_HUNT.filter((line) => !line.includes('Platform')).join('\n');
  const result = lintReport(report, 'hunt.txt');
  assert.deepEqual(kqlIssues(result), [
    ['KQL_KS142', 3],
    ['KQL_KS142', 4],
  ]);
  assert.deepEqual(result.platforms, ['sentinel']);
});

test('lint warns about an unknown platform name', () => {
  const report = ['Intro', '```kql', '// Platform: Splunk', 'UrlClickEvents | take 1', '```'];
  const result = lintReport(report.join('\n'), 'report.md', { checkKql: false });
  assert.deepEqual(result.platforms, ['sentinel']);
  const warning = result.issues.find((issue) => issue.code === 'UNKNOWN_PLATFORM');
  assert.equal(warning?.severity, 'warning');
  assert.deepEqual(warning?.source, { file: 'report.md', line: 3, column: 14 });
  assert.match(warning?.message ?? '', /"Splunk".*checked against the Sentinel/);
});

test('lint flags queries without a time filter', () => {
  const result = lintFixture();
  const lines = result.issues
    .filter((issue) => issue.code === 'NO_TIME_FILTER')
    .map((issue) => issue.source?.line);
  assert.deepEqual(lines, [1, 8]);
});

test('lint flags ip:port matched by address only', () => {
  const report = [
    '| ip:port | 45[.]92[.]1[.]175:5220 | botnet_cc |',
    '| ip:port | 2.27.17.179:6644 | botnet_cc |',
    'CommonSecurityLog',
    '| where TimeGenerated > ago(7d)',
    '| where DestinationIP in ("45.92.1.175", "2.27.17.179")',
    '| project TimeGenerated, DestinationIP, DestinationPort',
    '',
    'CommonSecurityLog',
    '| where TimeGenerated > ago(7d)',
    '| where DestinationIP == "45.92.1.175" and DestinationPort == 5220',
    '',
    '// C2 addresses on any port (address-only)',
    'CommonSecurityLog',
    '| where TimeGenerated > ago(7d)',
    '| where DestinationIP == "45.92.1.175"',
  ].join('\n');
  const result = lintReport(report, 'ports.md', { checkKql: false });
  const flagged = result.issues.filter((issue) => issue.code === 'PORT_IGNORED');
  assert.equal(flagged.length, 1, 'only the first query ignores the ports');
  assert.equal(flagged[0]?.source?.line, 3);
  assert.match(flagged[0]?.message ?? '', /45\.92\.1\.175:5220, 2\.27\.17\.179:6644/);
  assert.equal(result.issues.filter((issue) => issue.code === 'NO_TIME_FILTER').length, 0);
});

test('lint ignores time filters in comments', () => {
  const queries = [
    [
      'CommonSecurityLog',
      '// | where TimeGenerated > ago(7d)',
      '| where DestinationIP == "1.2.3.4"',
    ],
    ['CommonSecurityLog', '| where Activity == "TimeGenerated > ago(7d)"'],
    ['CommonSecurityLog', "| where Activity == @'ago(1d)' and DeviceAction != 'Timestamp >= 1'"],
  ];
  for (const lines of queries) {
    const result = lintReport(lines.join('\n'), 'time.kql', { checkKql: false });
    const codes = result.issues.map((issue) => issue.code);
    assert.deepEqual(codes, ['NO_TIME_FILTER'], lines.join(' '));
  }
});

test('lint ignores ports in comments', () => {
  const indicators = ['Indicators', 'ip:port 45[.]92[.]1[.]175:5220', ''];
  const portInComment = [
    ...indicators,
    '// Remcos C2 listens on port 5220; count by port',
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '| where RemoteIP == "45.92.1.175"',
    '| summarize count() by RemoteIP, RemotePort',
  ];
  const negatedLabel = [
    ...indicators,
    '// this is NOT an address-only hunt; it should compare the port',
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '| where RemoteIP == "45.92.1.175"',
  ];
  const prose = [
    ...indicators,
    '// port checked for one address only',
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '| where RemoteIP == "45.92.1.175"',
  ];
  for (const lines of [portInComment, negatedLabel, prose]) {
    const result = lintReport(lines.join('\n'), 'ports.txt', { checkKql: false });
    const codes = result.issues.map((issue) => issue.code);
    assert.deepEqual(codes, ['PORT_IGNORED'], lines[3]);
  }
});

test('lint reads a .kql file whole', () => {
  const query = [
    'CommonSecurityLog // trailing comment | where',
    '| where TimeGenerated > ago(1d)',
    '| where RequestURL == "http://evil.com/a|b" // comment',
    '',
  ].join('\n');
  const result = lintReport(query, 'query.kql', { checkKql: false });
  assert.equal(result.blocks.length, 1);
  assert.equal(result.blocks[0]?.startLine, 1);
  assert.equal(result.blocks[0]?.endLine, 3);
  assert.deepEqual(result.issues, []);

  // A report in another format is read block by block, and this first line starts no block.
  const text = lintReport(query, 'query.txt', { checkKql: false });
  assert.equal(text.blocks.length, 0);
  assert.ok(text.issues.some((issue) => issue.code === 'NO_QUERY'));
});

test('lint reports 150,000 queries', () => {
  const text = 'CommonSecurityLog | take 1\n\n'.repeat(150_000);
  const result = lintReport(text, 'big.txt', { checkKql: false });
  assert.equal(result.blocks.length, 150_000);
  assert.equal(result.issues.length, 150_000);
  assert.equal(result.issues[149_999]?.code, 'NO_TIME_FILTER');
  assert.equal(result.issues[149_999]?.source?.line, 299_999);
});

/** A fenced query over DeviceNetworkEvents with a time filter, as report lines. */
const deviceNetworkEventsBlock = [
  '```kql',
  'DeviceNetworkEvents',
  '| where Timestamp > ago(7d)',
  '```',
];

test('lint skips blank KQL blocks with a warning', () => {
  const text = [
    '# Hunt',
    '',
    '```kql',
    '```',
    '',
    '```kusto',
    '   ',
    '// to be written',
    '```',
    '',
    ...deviceNetworkEventsBlock,
  ].join('\n');
  const result = lintReport(text, 'blank.md', { checkKql: false });
  assert.deepEqual(
    result.blocks.map((block) => block.startLine),
    [12],
  );
  const empty = result.issues.filter((issue) => issue.code === 'EMPTY_QUERY');
  assert.deepEqual(
    empty.map((issue) => [issue.severity, issue.source?.line]),
    [
      ['warning', 3],
      ['warning', 7],
    ],
  );
});

test('lint keeps the logic of sound lines', () => {
  const text = [
    'CommonSecurityLog',
    '| where TimeGenerated > ago(7d)',
    '',
    'Filter/Exclusion: destination.ip != "10.1.1.1" and source.ip != "10.1.1.2"',
    '',
    'Filter/Exclusion: process.name != "psexec.exe" or process.name != "winrm.exe"',
    '',
    'Filter/Exclusion: process.name == "svchost.exe"',
  ].join('\n');
  const result = lintReport(text, 'ecs.txt', { checkKql: false });
  const [sound, faulty, positive] = result.exclusions.map((exclusion) => exclusion.corrections[0]);
  assert.equal(sound?.reading, 'keep');
  assert.equal(sound?.filter, 'DestinationIP != "10.1.1.1" and SourceIP != "10.1.1.2"');
  assert.equal(faulty?.reading, 'drop');
  assert.equal(faulty?.filter, 'SourceProcessName !in~ ("psexec.exe", "winrm.exe")');
  assert.equal(positive?.reading, 'drop');
  assert.equal(positive?.filter, 'SourceProcessName !~ "svchost.exe"');
});

test('lint corrections say how they read the line', () => {
  const text = [
    '```kql',
    'CommonSecurityLog',
    '| where TimeGenerated > ago(7d)',
    '```',
    '',
    ...deviceNetworkEventsBlock,
    '',
    'Filter/Exclusion: DeviceAction == "allow"',
    '',
    'Filter/Exclusion: SourceIP == "10.0.0.1" and DestinationPort != 443',
  ].join('\n');
  const result = lintReport(text, 'readings.md', { checkKql: false });
  const readings = result.exclusions.map((exclusion) =>
    exclusion.corrections
      .filter((correction) => correction.filter)
      .map((correction) => [correction.table, correction.reading, correction.filter]),
  );
  assert.deepEqual(readings, [
    [['CommonSecurityLog', 'drop', 'DeviceAction !~ "allow"']],
    [
      ['CommonSecurityLog', 'keep', 'SourceIP == "10.0.0.1" and DestinationPort != 443'],
      ['DeviceNetworkEvents', 'keep', 'LocalIP == "10.0.0.1" and RemotePort != 443'],
    ],
  ]);
});

test('lint flags ip:port hunts on the wrong port', () => {
  const text = [
    '| ip:port | 45[.]92[.]1[.]175:5220 |',
    '| ip:port | 203[.]202[.]232[.]22:443 |',
    '',
    '```kql',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d)',
    '| where RemoteIP == "45.92.1.175" and RemotePort == 1234',
    '```',
    '',
    '```kql',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d)',
    '| where (RemoteIP == "45.92.1.175" and RemotePort == 5220) or RemoteIP == "203.202.232.22"',
    '```',
    '',
    '```kql',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d)',
    '| where (RemoteIP == "45.92.1.175" and RemotePort == 5220) or (RemoteIP == "203.202.232.22" and RemotePort == 443)',
    '```',
  ].join('\n');
  const result = lintReport(text, 'ports.md', { checkKql: false });
  const flagged = result.issues.filter((issue) => issue.code === 'PORT_NOT_COMPARED');
  assert.deepEqual(
    flagged.map((issue) => issue.source?.line),
    [5],
  );
  assert.match(flagged[0]?.message ?? '', /\(45\.92\.1\.175:5220\)/);
  // The second query keeps 203.202.232.22 on every port, not only on ports other than 443.
  const ignored = result.issues.filter((issue) => issue.code === 'PORT_IGNORED');
  assert.deepEqual(
    ignored.map((issue) => issue.source?.line),
    [11],
  );
  assert.match(ignored[0]?.message ?? '', /\(203\.202\.232\.22:443\) on any port/);
});

test('lint names how many more addresses ignore the port', () => {
  const addresses = ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4', '5.5.5.5'];
  const text = [
    ...addresses.map((address) => `| ip:port | ${address}:8080 |`),
    '',
    '```kql',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d)',
    `| where RemoteIP in (${addresses.map((address) => `"${address}"`).join(', ')})`,
    '```',
  ].join('\n');
  const result = lintReport(text, 'many.md', { checkKql: false });
  const ignored = result.issues.find((issue) => issue.code === 'PORT_IGNORED');
  assert.match(
    ignored?.message ?? '',
    /matches 5 addresses .*\(1\.1\.1\.1:8080, 2\.2\.2\.2:8080, 3\.3\.3\.3:8080, and 2 more\)/,
  );
});

test('exclusion that removes a hunted indicator', () => {
  const report = [
    'Indicators',
    'ip:port 45[.]92[.]1[.]175:5220',
    'ip:port 203[.]202[.]232[.]22:3131',
    '',
    'CommonSecurityLog',
    '| where TimeGenerated > ago(7d)',
    '| where DestinationIP in ("45.92.1.175", "203.202.232.22")',
    '| where DestinationPort in (5220, 3131)',
    '',
    'Filter/Exclusion: DestinationPort !in (5220, 3131)',
    'Filter/Exclusion: DestinationIP != "45.92.1.175"',
    'Filter/Exclusion: DestinationPort != 443',
    'Filter/Exclusion: DestinationPort != 5220 or SourceIP != "10.1.1.1"',
    'Filter/Exclusion: DstPortNumber != 3131',
  ];
  const result = lintReport(report.join('\n'), 'report.txt', { checkKql: false });
  const found = result.issues
    .filter((issue) => issue.code === 'EXCLUSION_REMOVES_INDICATOR')
    .map((issue) => [issue.source?.line, issue.message.split(',')[0]]);
  assert.deepEqual(found, [
    [10, 'The line keeps no event of the indicators 45.92.1.175:5220'],
    [11, 'The line keeps no event of the indicator 45.92.1.175:5220'],
    [14, 'The line keeps no event of the indicator 203.202.232.22:3131'],
  ]);
});

/** A pack report in the form `renderReport` writes, with `exclusion` as its one scenario's line. */
function packReport(exclusion: string): string {
  return [
    '# Remcos detection pack',
    '',
    '## Hunts',
    '',
    '### Remcos C2 address in DeviceNetworkEvents',
    '',
    '- Id: `remcos-dne`, file `queries/remcos-dne.kql`',
    '- Table: DeviceNetworkEvents in Defender XDR advanced hunting',
    '',
    '```kql',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(30d)',
    '| where RemoteIP == "45.9.148.10"',
    '| extend MatchedOn = "destination"',
    '```',
    '',
    '### Remcos file hash in DeviceFileEvents',
    '',
    '- Id: `remcos-dfe`, file `queries/remcos-dfe.kql`',
    '- Table: DeviceFileEvents in Defender XDR advanced hunting',
    '',
    '```kql',
    'DeviceFileEvents',
    '| where Timestamp > ago(30d)',
    '| where MD5 == "44d88612fea8a8f36de82e1278abb02f"',
    '```',
    '',
    '## False-positive scenarios',
    '',
    'Each exclusion removes the hits for which its condition is true.',
    '',
    '### Network scanner on an endpoint (off, ready to paste)',
    '',
    'A scanner run by the security team connects to every address in a range.',
    '',
    '```text',
    exclusion,
    '```',
    '',
    'Applies to: `remcos-dne`',
  ].join('\n');
}

test('lint reads the exclusions of a pack report', () => {
  const sound = lintReport(
    packReport('| where not(InitiatingProcessFileName in~ ("nmap.exe") and MatchedOn == "source")'),
    'report.md',
    { checkKql: false },
  );
  assert.equal(sound.exclusions.length, 1);
  assert.equal(sound.exclusions[0]?.line, 37);
  assert.match(sound.exclusions[0]?.scenario ?? '', /^Network scanner on an endpoint A scanner/);
  assert.match(sound.exclusions[0]?.effect ?? '', /removes only events where/);
  assert.deepEqual(
    sound.issues.map((issue) => issue.code),
    [],
  );

  // `x != a or x != b` is true for every event, so its negation keeps none.
  const faulty = lintReport(
    packReport('| where not(RemoteIP != "10.0.0.1" or RemoteIP != "10.0.0.2")'),
    'report.md',
    { checkKql: false },
  );
  assert.equal(faulty.exclusions.length, 1);
  const finding = faulty.issues.find((issue) => issue.code === 'EXCLUSION_REMOVES_EVERYTHING');
  assert.equal(finding?.severity, 'error');
  assert.equal(finding?.source?.line, 37);
  assert.equal(finding?.source?.column, 9);
});

test('lint checks pack exclusions on their tables', () => {
  // DeviceFileEvents has no RemoteIP, but the exclusion applies only to the DeviceNetworkEvents hunt.
  const result = lintReport(packReport('| where not(RemoteIP == "10.0.0.1")'), 'report.md', {
    checkKql: false,
  });
  assert.deepEqual(
    result.issues.map((issue) => issue.code),
    [],
  );
  const everywhere = packReport('| where not(RemoteIP == "10.0.0.1")').replace(
    'Applies to: `remcos-dne`',
    'Applies to: `remcos-dne`, `remcos-dfe`',
  );
  const unknown = lintReport(everywhere, 'report.md', { checkKql: false }).issues.filter(
    (issue) => issue.code === 'UNKNOWN_COLUMN',
  );
  assert.equal(unknown.length, 1);
  assert.match(unknown[0]?.message ?? '', /"RemoteIP" does not exist in DeviceFileEvents/);
});
