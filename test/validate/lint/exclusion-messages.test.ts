import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getTableSchema } from '../../../src/pipeline/schemas.js';
import { lintExclusion, type ExclusionLint } from '../../../src/validate/lint/lint-exclusion.js';

function lint(text: string): ExclusionLint {
  return lintExclusion(text, {
    file: 'e.txt',
    line: 1,
    column: 1,
    scenario: '',
    schemas: [getTableSchema('DeviceNetworkEvents')],
  });
}

test('exclusion with !has offers !contains', () => {
  const result = lint('InitiatingProcessCommandLine !has "update"');
  assert.equal(result.findings.length, 1);
  const message = result.findings[0]?.message ?? '';
  assert.match(message, /"!has" after "InitiatingProcessCommandLine" is not supported/);
  assert.match(message, /has no term operators/);
  assert.match(message, /In Kusto, has matches a whole term/);
  assert.match(message, /Write InitiatingProcessCommandLine !contains "update" in its place/);
});

test('exclusion with has offers contains', () => {
  const message = lint('InitiatingProcessCommandLine has_cs "update"').findings[0]?.message;
  assert.match(message ?? '', /"has_cs" after "InitiatingProcessCommandLine"/);
  assert.match(message ?? '', /Write InitiatingProcessCommandLine contains "update"/);
  assert.match(message ?? '', /Unlike has_cs, contains ignores case\./);
});

test('exclusion term operator rewrites', () => {
  const cases: Array<[string, string, string]> = [
    [
      'InitiatingProcessCommandLine has_any ("update", "sync")',
      'any of its values as a whole term',
      '(InitiatingProcessCommandLine contains "update" or InitiatingProcessCommandLine contains "sync")',
    ],
    [
      'InitiatingProcessCommandLine has_all ("update", "sync")',
      'all of its values, each as a whole term',
      '(InitiatingProcessCommandLine contains "update" and InitiatingProcessCommandLine contains "sync")',
    ],
    [
      'RemotePort != 4444 and InitiatingProcessCommandLine hasprefix "upd"',
      'the start of a term',
      'InitiatingProcessCommandLine contains "upd"',
    ],
  ];
  for (const [line, meaning, replacement] of cases) {
    const message = lint(line).findings[0]?.message ?? '';
    assert.ok(message.includes(`matches ${meaning}`), message);
    assert.ok(message.includes(`Write ${replacement} in its place`), message);
    // The rewritten line is accepted, so lint can check it.
    const start = line.indexOf('InitiatingProcessCommandLine');
    const rewritten = line.slice(0, start) + replacement;
    const codes = lint(rewritten).findings.map((finding) => finding.code);
    assert.ok(!codes.includes('FILTER_SYNTAX'), `${rewritten}: ${codes.join(', ')}`);
  }
});

test('exclusion keeps has inside a value', () => {
  const message = lint('InitiatingProcessFileName == "a has b" oops').findings[0]?.message;
  assert.doesNotMatch(message ?? '', /is not supported/);
});

test('exclusion written as a sentence', () => {
  const result = lint('Exclude traffic from the corporate proxy 10.0.0.5');
  assert.equal(result.findings.length, 1);
  assert.match(result.findings[0]?.message ?? '', /^The line is not a filter expression/);
  assert.doesNotMatch(result.findings[0]?.message ?? '', /Unknown operator/);
});

test('sentence with a bracketed list', () => {
  const result = lint('Exclude vulnerability scanners (nessus.exe, qualysagent.exe)');
  assert.equal(result.findings.length, 1);
  assert.match(result.findings[0]?.message ?? '', /^The line is not a filter expression/);
  // A condition in brackets is still an expression with an unknown operator.
  const bracketed = lint('(RemotePort oops 443)').findings[0]?.message ?? '';
  assert.doesNotMatch(bracketed, /is not a filter expression/);
});

test('never-true exclusion has one verdict', () => {
  const result = lint('RemotePort == 443 and RemotePort == 80');
  const codes = result.findings.map((finding) => finding.code);
  assert.deepEqual(codes, ['EXCLUSION_REMOVES_EVERYTHING']);
  assert.deepEqual(
    result.corrections.map((correction) => correction.reason),
    [],
    'no correction restates the verdict',
  );
});

/** Lints one line against the tables of a report whose queries read network and DNS events. */
function lintOnTables(text: string): ExclusionLint {
  return lintExclusion(text, {
    file: 'e.txt',
    line: 4,
    column: 19,
    scenario: '',
    schemas: ['DeviceNetworkEvents', 'CommonSecurityLog', 'DnsEvents'].map((table) =>
      getTableSchema(table),
    ),
  });
}

test('exclusion of process names only', () => {
  const result = lintOnTables('chrome.exe, msedge.exe');
  assert.deepEqual(
    result.findings.map((finding) => [finding.code, finding.severity]),
    [['EXCLUSION_NAMES_ONLY', 'warning']],
  );
  assert.deepEqual(result.findings[0]?.source, { file: 'e.txt', line: 4, column: 19 });
  assert.match(
    result.findings[0]?.message ?? '',
    /read as the events to drop: those whose process file name is one of "chrome\.exe", "msedge\.exe"\./,
  );
  assert.deepEqual(result.corrections, [
    {
      table: 'DeviceNetworkEvents',
      filter: 'InitiatingProcessFileName !in~ ("chrome.exe", "msedge.exe")',
      reading: 'drop',
    },
    {
      table: 'CommonSecurityLog',
      filter: 'SourceProcessName !in~ ("chrome.exe", "msedge.exe")',
      reading: 'drop',
    },
    { table: 'DnsEvents', reason: 'DnsEvents has no process file name column.' },
  ]);
  assert.equal(result.expr, undefined);
});

test('exclusion name lists in other forms', () => {
  const cases: Array<[string, string]> = [
    ['chrome.exe', 'InitiatingProcessFileName !~ "chrome.exe"'],
    ['chrome.exe msedge.exe', 'InitiatingProcessFileName !in~ ("chrome.exe", "msedge.exe")'],
    ['"chrome.exe" or "msedge.exe"', 'InitiatingProcessFileName !in~ ("chrome.exe", "msedge.exe")'],
    ['(chrome.exe; MsEdge.exe)', 'InitiatingProcessFileName !in~ ("chrome.exe", "MsEdge.exe")'],
    ['chrome.exe and CHROME.EXE', 'InitiatingProcessFileName !~ "chrome.exe"'],
    ['`logon.scr`', 'InitiatingProcessFileName !~ "logon.scr"'],
    [
      'exclude chrome.exe and msedge.exe',
      'InitiatingProcessFileName !in~ ("chrome.exe", "msedge.exe")',
    ],
    ['Ignore: OneDrive.exe', 'InitiatingProcessFileName !~ "OneDrive.exe"'],
    [
      'filter out (teams.exe, zoom.exe)',
      'InitiatingProcessFileName !in~ ("teams.exe", "zoom.exe")',
    ],
    // A name that starts with such a verb is a name.
    [
      'remove-agent.exe, chrome.exe',
      'InitiatingProcessFileName !in~ ("remove-agent.exe", "chrome.exe")',
    ],
    ['skip.exe', 'InitiatingProcessFileName !~ "skip.exe"'],
  ];
  for (const [text, expected] of cases) {
    const result = lint(text);
    assert.deepEqual(
      result.findings.map((finding) => finding.code),
      ['EXCLUSION_NAMES_ONLY'],
      text,
    );
    assert.equal(result.corrections[0]?.filter, expected, text);
  }
});

test('mixed name list is a syntax error', () => {
  for (const text of [
    'chrome.exe, update.microsoft.com',
    'C:\\Tools\\chrome.exe',
    'chrome.exe,',
    'keep chrome.exe',
    'exclude',
  ]) {
    const codes = new Set(lint(text).findings.map((finding) => finding.code));
    assert.deepEqual([...codes], ['FILTER_SYNTAX'], text);
  }
});

test('inverted exclusion reads denials in the scenario', () => {
  const line =
    'InitiatingProcessFileName !~ "nessusd.exe" or InitiatingProcessCommandLine contains "base64"';
  const codes = (scenario: string): string[] =>
    lintExclusion(line, {
      file: 'e.txt',
      line: 1,
      column: 1,
      scenario,
      schemas: [getTableSchema('DeviceNetworkEvents')],
    }).findings.map((finding) => finding.code);

  for (const scenario of [
    'The scanner never uses base64 payloads; its command line has no base64.',
    'Scanner without base64',
    "The scanner's commands don't contain base64.",
  ]) {
    assert.ok(!codes(scenario).includes('EXCLUSION_INVERTED'), scenario);
  }
  // A scenario that names base64 as the benign events' text still gets the finding.
  assert.ok(
    codes('The scanner sends base64 payloads to every host.').includes('EXCLUSION_INVERTED'),
  );
  assert.ok(
    codes('The scanner never logs in. It sends base64 probes.').includes('EXCLUSION_INVERTED'),
  );
  // A denial of something else near the word is no denial of it.
  for (const scenario of [
    'The scanner runs a no-op base64 probe.',
    'Nessus, not Qualys, sends base64 payloads.',
    "The scanner can't authenticate so it sends base64 probes.",
  ]) {
    assert.ok(codes(scenario).includes('EXCLUSION_INVERTED'), scenario);
  }
});

test('exclusion of != or != removes nothing', () => {
  // Kusto's `!=` is true on a null port, so the line keeps every event.
  const result = lint('RemotePort != 80 or RemotePort != 443');
  const codes = result.findings.map((finding) => finding.code);
  assert.deepEqual(codes, ['EXCLUSION_REMOVES_NOTHING']);
  assert.match(
    result.findings[0]?.message ?? '',
    /"RemotePort != A OR RemotePort != B" is true for every event/,
  );
});

test('exclusion of negated orderings removes everything', () => {
  // Both comparisons are null on a null port, and `not` keeps null, so `where` drops it.
  const result = lint('not(RemotePort > 1000 or RemotePort <= 1000)');
  const codes = result.findings.map((finding) => finding.code);
  assert.deepEqual(codes, ['EXCLUSION_REMOVES_EVERYTHING']);
});
