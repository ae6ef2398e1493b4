import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issuesWithCode, lintIssues } from '../../helpers/lint-report.js';

/** The file name that the queries are linted under. */
const FILE = 'time.kql';

/** Lints one query without the Kusto check and returns its NO_TIME_FILTER findings. */
function timeFindings(...lines: string[]) {
  return issuesWithCode('NO_TIME_FILTER', lines, FILE);
}

/** Returns the message of the first TIME_FILTER_REVERSED finding of one query. */
function reversedMessage(lines: string[]): string | undefined {
  return issuesWithCode('TIME_FILTER_REVERSED', lines, FILE)[0]?.message;
}

test('or-joined time filter is flagged', () => {
  const findings = timeFindings(
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d) or RemoteIP == "1.1.1.1"',
    '| where RemoteUrl has "x"',
  );
  assert.equal(findings.length, 1);
  const [finding] = findings;
  assert.equal(finding?.severity, 'warning');
  assert.equal(finding?.source?.line, 2);
  assert.equal(finding?.source?.column, 9);
  const message = finding?.message ?? '';
  assert.match(message, /^Query at lines 1-3 has no time filter: /);
  assert.match(message, /Timestamp > ago\(7d\) or RemoteIP == "1\.1\.1\.1"/);
  assert.match(message, /joins the time comparison with or/);
  assert.match(message, /\| where Timestamp > ago\(7d\) \| where RemoteIP == "1\.1\.1\.1"/);
});

test('time filter under and-then-or is flagged', () => {
  // `and` binds tighter than `or`, so this is (time and A) or B.
  const findings = timeFindings(
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d) and RemotePort == 443',
    '    or RemoteIP == "1.1.1.1"',
  );
  assert.equal(findings.length, 1);
  assert.equal(findings[0]?.source?.line, 2);
  const message = findings[0]?.message ?? '';
  assert.match(message, /Timestamp > ago\(7d\) and RemotePort == 443 or Rem/);
  assert.match(message, /\| where Timestamp > ago\(7d\) \| where RemotePort == 443 or RemoteIP/);
});

test('bracketed or-joined time filter flagged', () => {
  const findings = timeFindings(
    'DeviceNetworkEvents',
    '| where RemotePort == 443 and (TimeGenerated > ago(1d) or RemoteIP == "1.1.1.1")',
  );
  assert.equal(findings.length, 1);
  assert.equal(findings[0]?.source?.column, 32);
});

test('or-joined fix keeps bracketed operands', () => {
  const findings = timeFindings(
    'DeviceNetworkEvents',
    '| where (Timestamp > ago(7d) and RemotePort == 443) or RemoteIP == "1.1.1.1"',
  );
  assert.equal(findings.length, 1);
  assert.match(
    findings[0]?.message ?? '',
    /\| where Timestamp > ago\(7d\) \| where RemotePort == 443 or RemoteIP == "1\.1\.1\.1"\.$/,
  );
});

test('time filter on every branch passes', () => {
  // Lint checks only queries that read a known table, so each reads DeviceNetworkEvents.
  const TABLE = 'DeviceNetworkEvents';
  const passingQueries = [
    [TABLE, '| where Timestamp > ago(7d) and (RemoteIP == "1.1.1.1" or RemotePort == 4444)'],
    [TABLE, '| where (Timestamp > ago(7d))', '| where RemoteIP == "1.1.1.1" or RemotePort == 1'],
    [TABLE, '| where Timestamp > ago(1d) and A == 1 or Timestamp > ago(2d) and B == 2'],
    [TABLE, '| where RemotePort == 1 or RemotePort == 2', '| where Timestamp between (a .. b)'],
    ['let start = ago(7d);', TABLE, '| where X == 1 or Y == 2', '| where EventTime > start'],
  ];
  for (const lines of passingQueries) {
    assert.deepEqual(timeFindings(...lines), [], lines.join(' '));
  }
});

test('reversed time filter is flagged', () => {
  const lint = (...lines: string[]) => issuesWithCode('TIME_FILTER_REVERSED', lines, FILE);
  const reversed = lint('DeviceNetworkEvents', '| where Timestamp < ago(7d)', '| take 10');
  assert.deepEqual(
    reversed.map((issue) => [issue.source?.line, issue.source?.column]),
    [[2, 9]],
  );
  assert.match(
    reversed[0]?.message ?? '',
    /^Timestamp < ago\(\.\.\.\) keeps only the events older.*Write > ago\(\.\.\.\) to search/,
  );
  assert.equal(lint('CommonSecurityLog', '| where TimeGenerated <= ago (1d)').length, 1);
  // A window between two relative times, and text in a string, are not reversed filters.
  assert.deepEqual(
    lint(
      'DeviceNetworkEvents',
      '| where Timestamp > ago(7d)',
      '| where Timestamp < ago(1d)',
      '| where RemoteUrl != "Timestamp < ago(1d)"',
    ),
    [],
  );
});

test('unused let time is no filter', () => {
  const unbounded = [
    ['let start = ago(7d);', 'DeviceNetworkEvents', '| where RemoteIP == "1.2.3.4"'],
    ['let a = ago(7d);', 'let b = a;', 'DeviceNetworkEvents', '| where RemotePort == 4444'],
    ['let r = DeviceFileEvents | where Timestamp > ago(1d);', 'DeviceNetworkEvents'],
  ];
  for (const lines of unbounded) {
    assert.equal(timeFindings(...lines).length, 1, lines.join(' '));
  }
  const bounded = [
    ['let start = ago(7d);', 'DeviceNetworkEvents', '| where Timestamp > start'],
    ['let a = ago(7d);', 'let b = a;', 'DeviceNetworkEvents', '| where EventTime > b'],
    ['let r = DeviceNetworkEvents | where Timestamp > ago(1d);', 'r | where RemotePort == 1'],
  ];
  for (const lines of bounded) {
    assert.deepEqual(timeFindings(...lines), [], lines.join(' '));
  }
});

test('time in computed column is no filter', () => {
  const unbounded = [
    ['DeviceNetworkEvents', '| extend Recent = iff(Timestamp > ago(7d), 1, 0)'],
    ['DeviceNetworkEvents', '| extend Recent = Timestamp > ago(7d)', '| where RemotePort == 1'],
    ['DeviceNetworkEvents', '| summarize countif(Timestamp > ago(1d)) by DeviceId'],
    ['DeviceNetworkEvents', '| project Timestamp, Old = Timestamp < ago(1d)'],
    ['DeviceNetworkEvents', '| project-rename Seen = Timestamp', '| order by ago(1d) - Seen'],
  ];
  for (const lines of unbounded) {
    assert.equal(timeFindings(...lines).length, 1, lines.join(' '));
  }
  const bounded = [
    ['DeviceNetworkEvents', '| extend Recent = Timestamp > ago(7d)', '| where Recent'],
    ['DeviceNetworkEvents', '| extend F = iff(Timestamp > ago(7d), 1, 0)', '| where F == 1'],
    ['DeviceNetworkEvents', '| extend A = 1, Recent = Timestamp > ago(7d)', '| where Recent'],
  ];
  for (const lines of bounded) {
    assert.deepEqual(timeFindings(...lines), [], lines.join(' '));
  }
});

/** Lints one query and returns [line, column] of each finding with `code`. */
function positions(code: string, lines: string[]): Array<[number?, number?]> {
  return issuesWithCode(code, lines, FILE).map((issue) => [
    issue.source?.line,
    issue.source?.column,
  ]);
}

const LOOKBACK = '| where Timestamp > ago(7d)';

test('join side without lookback', () => {
  const lines = [
    'DeviceNetworkEvents',
    LOOKBACK,
    '| join kind=inner (DeviceProcessEvents | where FileName == "x.exe") on DeviceId',
  ];
  assert.deepEqual(positions('NO_TIME_FILTER', lines), [[3, 20]]);
  const message = timeFindings(...lines)[0]?.message ?? '';
  assert.match(message, /^Query at lines 1-3 has no time filter on the right side of its join /);
  assert.match(message, /\(DeviceProcessEvents \| where FileName == "x\.exe"\)/);
  assert.match(message, /Add one inside that side/);

  // [query, line, column], and a finding on the main pipeline has no column.
  const unbounded: Array<[string[], number, number | undefined]> = [
    [['DeviceNetworkEvents', LOOKBACK, '| join DeviceProcessEvents on DeviceId'], 3, 8],
    [['let p = DeviceProcessEvents;', 'DeviceNetworkEvents', LOOKBACK, '| join p on D'], 4, 8],
    [['DeviceNetworkEvents', '| join (DeviceProcessEvents ' + LOOKBACK + ') on D'], 1, undefined],
    [
      ['let p = DeviceProcessEvents ' + LOOKBACK + ';', 'DeviceNetworkEvents', '| join p on D'],
      1,
      undefined,
    ],
  ];
  for (const [query, line, column] of unbounded) {
    assert.deepEqual(positions('NO_TIME_FILTER', query), [[line, column]], query.join(' '));
  }
});

test('lookup side without lookback', () => {
  const lines = [
    'DeviceNetworkEvents',
    LOOKBACK,
    '| lookup kind=inner (DeviceProcessEvents | where FileName == "x.exe") on DeviceId',
  ];
  assert.deepEqual(positions('NO_TIME_FILTER', lines), [[3, 22]]);
  const message = timeFindings(...lines)[0]?.message ?? '';
  assert.match(message, /^Query at lines 1-3 has no time filter on the right side of its lookup /);
  assert.match(message, /\(DeviceProcessEvents \| where FileName == "x\.exe"\)/);
  assert.match(message, /Add one inside that side/);

  const named = ['DeviceNetworkEvents', LOOKBACK, '| lookup DeviceProcessEvents on DeviceId'];
  assert.deepEqual(positions('NO_TIME_FILTER', named), [[3, 10]]);
  const bounded = [
    ['DeviceNetworkEvents', LOOKBACK, '| lookup (DeviceProcessEvents ' + LOOKBACK + ') on D'],
    [
      'let p = DeviceProcessEvents ' + LOOKBACK + ';',
      'DeviceNetworkEvents',
      LOOKBACK,
      '| lookup p on D',
    ],
    ['DeviceNetworkEvents', LOOKBACK, '| lookup (datatable(D: string)["a"]) on D'],
  ];
  for (const query of bounded) {
    assert.deepEqual(timeFindings(...query), [], query.join(' '));
  }
});

test('union leg without lookback', () => {
  const lines = [
    'union (DeviceNetworkEvents ' + LOOKBACK + '),',
    '  (DeviceFileEvents | where FileName == "x")',
  ];
  assert.deepEqual(positions('NO_TIME_FILTER', lines), [[2, 4]]);
  const message = timeFindings(...lines)[0]?.message ?? '';
  assert.match(message, /no time filter on a leg of its union \(DeviceFileEvents \| where/);
  assert.match(message, /or after the union so that it covers every leg/);
  const operator = ['DeviceNetworkEvents', LOOKBACK, '| union DeviceProcessEvents'];
  assert.deepEqual(positions('NO_TIME_FILTER', operator), [[3, 9]]);
});

test('join and union sides with lookbacks pass', () => {
  const bounded = [
    ['DeviceNetworkEvents', LOOKBACK, '| join (DeviceProcessEvents ' + LOOKBACK + ') on D'],
    ['union DeviceNetworkEvents, DeviceProcessEvents', LOOKBACK],
    ['DeviceNetworkEvents', '| union DeviceProcessEvents', LOOKBACK],
    ['union (DeviceNetworkEvents ' + LOOKBACK + '), (DeviceFileEvents ' + LOOKBACK + ')'],
    [
      'let p = DeviceProcessEvents ' + LOOKBACK + ';',
      'DeviceNetworkEvents',
      LOOKBACK,
      '| join p on D',
    ],
    // A side that reads no table scans nothing that grows with retention.
    ['DeviceNetworkEvents', LOOKBACK, '| join (datatable(D: string)["a"]) on D'],
  ];
  for (const lines of bounded) {
    assert.deepEqual(timeFindings(...lines), [], lines.join(' '));
  }
});

test('negated lookback is reversed', () => {
  const cases: Array<[string, string]> = [
    ['| where not(Timestamp > ago(7d))', 'not(Timestamp > ago(...)) keeps only'],
    ['| where not (TimeGenerated >= ago(7d) or X == 1)', 'not(TimeGenerated >= ago(...)) keeps'],
    ['| where Timestamp !between (ago(7d) .. now())', 'Timestamp !between (ago(...) .. ...) keeps'],
  ];
  for (const [where, shown] of cases) {
    const lines = ['DeviceNetworkEvents', where];
    assert.deepEqual(positions('TIME_FILTER_REVERSED', lines), [[2, 9]], where);
    assert.deepEqual(timeFindings(...lines), [], where);
    const message = reversedMessage(lines);
    assert.ok(message?.startsWith(shown), message);
  }
  const lookbacks = [
    '| where not(Timestamp < ago(7d))',
    '| where not(not(Timestamp > ago(7d)))',
    '| where not(Timestamp !between (ago(7d) .. now()))',
  ];
  for (const where of lookbacks) {
    assert.deepEqual(positions('TIME_FILTER_REVERSED', ['DeviceNetworkEvents', where]), [], where);
  }
});

test('age comparison is a lookback', () => {
  const lookbacks = [
    ['DeviceNetworkEvents', '| where now() - Timestamp < 7d'],
    ['DeviceNetworkEvents', '| where (now() - TimeGenerated) < 7d'],
    ['DeviceNetworkEvents', "| where datetime_diff('day', now(), Timestamp) < 7"],
    ['DeviceNetworkEvents', '| where Timestamp between (ago(7d) .. now())'],
    ['DeviceNetworkEvents', '| extend Age = now() - Timestamp', '| where Age < 7d'],
  ];
  for (const lines of lookbacks) {
    assert.deepEqual(timeFindings(...lines), [], lines.join(' '));
  }
  // The age shown in a column filters nothing.
  const shown = ['DeviceNetworkEvents', '| project Timestamp, Age = now() - Timestamp'];
  assert.equal(timeFindings(...shown).length, 1);
});

test('let where ends at its semicolon', () => {
  // The main query's or must not be read as part of the let's where.
  const joins = ['join kind=inner procs on DeviceId', 'join kind=inner (procs) on DeviceId'];
  for (const join of joins) {
    const lines = [
      'let procs = DeviceProcessEvents | where Timestamp > ago(7d);',
      'DeviceNetworkEvents',
      LOOKBACK,
      '| where RemoteIP == "45.92.1.175" or RemoteIP == "203.202.232.22"',
      '| ' + join,
    ];
    assert.deepEqual(
      lintIssues(lines, FILE).map((issue) => issue.code),
      [],
      join,
    );
  }
});

test('let side with or-joined time', () => {
  const lines = [
    'let procs = DeviceProcessEvents | where Timestamp > ago(7d) or FileName == "x.exe";',
    'DeviceNetworkEvents',
    LOOKBACK,
    '| where RemoteIP == "45.92.1.175" or RemoteIP == "203.202.232.22"',
    '| join kind=inner procs on DeviceId',
  ];
  const message = timeFindings(...lines)[0]?.message ?? '';
  assert.match(message, /the where condition Timestamp > ago\(7d\) or FileName == "x\.exe" joins/);
  assert.match(message, /\| where Timestamp > ago\(7d\) \| where FileName == "x\.exe"\.$/);
});

test('age comparison directions', () => {
  // datetime_diff(period, d1, d2) is d1 - d2, so this age is never positive and keeps every row.
  const alwaysTrue = ['DeviceNetworkEvents', '| where datetime_diff("day", Timestamp, now()) < 7'];
  assert.equal(timeFindings(...alwaysTrue).length, 1);
  assert.deepEqual(positions('TIME_FILTER_REVERSED', alwaysTrue), []);

  // [where, start of the message, its advice]
  const reversed: Array<[string, string, string]> = [
    [
      '| where datetime_diff("day", now(), Timestamp) > 7',
      'datetime_diff(..., now(), Timestamp) >',
      'Write < to search the lookback.',
    ],
    ['| where now() - Timestamp > 7d', 'now() - Timestamp > ...', 'Write < to search'],
    ['| where (now() - TimeGenerated) >= 7d', 'now() - TimeGenerated >= ...', 'Write <= to'],
    ['| where not(now() - Timestamp < 7d)', 'not(now() - Timestamp < ...)', 'out of the not()'],
    ['| where ago(7d) > Timestamp', 'ago(...) > Timestamp', 'Write < to search'],
  ];
  for (const [where, shown, fix] of reversed) {
    const lines = ['DeviceNetworkEvents', where];
    assert.deepEqual(positions('TIME_FILTER_REVERSED', lines), [[2, 9]], where);
    assert.deepEqual(timeFindings(...lines), [], where);
    const message = reversedMessage(lines);
    assert.ok(message?.startsWith(shown), message);
    assert.ok(message?.includes(fix), message);
  }

  const lookbacks = [
    '| where Timestamp + 7d > now()',
    '| where ago(7d) < Timestamp',
    '| where not(now() - Timestamp > 7d)',
    '| where datetime_diff("day", Timestamp, now()) > -7',
  ];
  for (const where of lookbacks) {
    const lines = ['DeviceNetworkEvents', where];
    assert.deepEqual(
      lintIssues(lines, FILE).map((issue) => issue.code),
      [],
      where,
    );
  }
});

test('reversed lookback is one finding', () => {
  const codes = ['NO_TIME_FILTER', 'TIME_FILTER_REVERSED'];
  for (const where of ['| where not(TimeGenerated > ago(7d))', '| where Timestamp < ago(7d)']) {
    const lines = ['DeviceNetworkEvents', where, '| where RemotePort == 4444'];
    const found = lintIssues(lines, FILE).filter((issue) => codes.includes(issue.code));
    assert.deepEqual(
      found.map((issue) => issue.code),
      ['TIME_FILTER_REVERSED'],
      where,
    );
    assert.match(found[0]?.message ?? '', /the query scans all retained data/, where);
  }
});

test('upper time bound alone is no lookback', () => {
  const ends = [
    '| where TimeGenerated < datetime(2026-01-01)',
    '| where not(TimeGenerated >= datetime(2026-01-01))',
  ];
  for (const where of ends) {
    assert.equal(timeFindings('DeviceNetworkEvents', where).length, 1, where);
  }
  const window = ['| where Timestamp > ago(30d)', '| where not(Timestamp > ago(7d))'];
  assert.deepEqual(timeFindings('DeviceNetworkEvents', ...window), []);
});
