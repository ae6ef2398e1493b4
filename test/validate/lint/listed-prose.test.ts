import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintReport } from '../../../src/validate/lint/lint-report.js';

function issuesAt(lines: string[], code: string): Array<[number | undefined, string]> {
  const result = lintReport(lines.join('\n'), 'r.md', { checkKql: false });
  return result.issues
    .filter((issue) => issue.code === code)
    .map((issue) => [issue.source?.line, issue.message]);
}

const LISTED = [
  '# Hunt',
  '',
  'The C2 evil-c2.example.net was seen; the payload came from http://third.example.com/gate.php today.',
  '',
  '| Type | Value |',
  '|---|---|',
  '| domain | evil-c2[.]example[.]net |',
  '| url | hxxp://third[.]example[.]com/gate.php |',
  '',
  '```kql',
  'CommonSecurityLog',
  '| where TimeGenerated > ago(7d)',
  '| where DestinationHostName =~ "evil-c2.example.net" or RequestURL has "third.example.com/gate.php"',
  '```',
];

test('live check flags listed values in prose', () => {
  const live = issuesAt(LISTED, 'LIVE_INDICATOR');
  assert.equal(live.length, 1);
  assert.equal(live[0]?.[0], 3);
  assert.match(live[0]?.[1] ?? '', /"evil-c2\.example\.net"/);
  assert.match(live[0]?.[1] ?? '', /"http:\/\/third\.example\.com\/gate\.php"/);
});

test('live check skips unlisted names in prose', () => {
  const lines = [...LISTED];
  lines[2] = 'Sites such as learn.microsoft.com and http://example.org/docs explain the setup.';
  assert.deepEqual(issuesAt(lines, 'LIVE_INDICATOR'), []);
});

test('plain-text scenario blocks are not indicators', () => {
  const lines = [
    'Remcos hunt',
    'Indicators',
    'ip:port 45[.]92[.]1[.]175:5220',
    '',
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '| where RemoteIP == "45.92.1.175" and RemotePort == 5220',
    '',
    'Scenario: Vulnerability scanner',
    'Description: Our Qualys scanner 64.39.96.133 probes every host, including the C2 port.',
    'Filter/Exclusion: InitiatingProcessFileName !in~ ("qualysagent.exe")',
  ];
  const result = lintReport(lines.join('\n'), 'r.txt', { checkKql: false });
  const codes = result.issues.map((issue) => issue.code);
  assert.ok(!codes.includes('LIVE_INDICATOR'), codes.join(', '));
  assert.ok(!codes.includes('NOT_HUNTED'), codes.join(', '));
});

test('live check reads a labelled line of values', () => {
  const lines = [
    '# Hunt',
    '',
    'C2 domains: evil-c2.example.net, second.example.org',
    '',
    '```kql',
    'DnsEvents',
    '| where TimeGenerated > ago(7d)',
    '| where Name in~ ("evil-c2.example.net", "second.example.org")',
    '```',
  ];
  const live = issuesAt(lines, 'LIVE_INDICATOR');
  assert.equal(live.length, 1);
  assert.equal(live[0]?.[0], 3);
  assert.match(live[0]?.[1] ?? '', /"evil-c2\.example\.net", "second\.example\.org"/);
  assert.deepEqual(issuesAt(lines, 'NOT_HUNTED'), []);

  lines[2] = 'We saw evil-c2.example.net, then the host went quiet.';
  assert.deepEqual(issuesAt(lines, 'LIVE_INDICATOR'), [], 'a sentence is not a list');
});
