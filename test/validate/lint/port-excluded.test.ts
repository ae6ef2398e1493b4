import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HuntpackIssue } from '../../../src/errors.js';
import { lintReport } from '../../../src/validate/lint/lint-report.js';

const INDICATORS = [
  'Indicators: 45[.]9[.]148[.]10:4444, 2[.]27[.]17[.]179:8080',
  '',
  '```kql',
  'DeviceNetworkEvents',
  '| where Timestamp > ago(7d)',
];

/** Lints the indicators and a query ending in `lines`, and returns the PORT_EXCLUDED findings. */
function portExcluded(...lines: string[]): HuntpackIssue[] {
  const report = [...INDICATORS, ...lines, '```'].join('\n');
  const result = lintReport(report, 'r.md', { checkKql: false });
  return result.issues.filter((issue) => issue.code === 'PORT_EXCLUDED');
}

test('listed port exclusion is flagged', () => {
  const findings = portExcluded('| where RemoteIP == "45.9.148.10" and RemotePort != 4444');
  assert.equal(findings.length, 1);
  const [finding] = findings;
  assert.equal(finding?.severity, 'warning');
  assert.equal(finding?.source?.line, 6);
  assert.equal(finding?.source?.column, 39);
  const message = finding?.message ?? '';
  assert.match(message, /^The where condition RemotePort != 4444 removes port 4444/);
  assert.match(message, /lists for 45\.9\.148\.10 \(45\.9\.148\.10:4444\)/);
  assert.match(message, /drops the connections it hunts for/);
  assert.match(message, /Delete the condition/);
});

test('port exclusion in !in list', () => {
  const findings = portExcluded(
    '| where RemoteIP in ("45.9.148.10", "2.27.17.179")',
    '| where RemotePort !in (4444, 80, 8080)',
  );
  assert.equal(findings.length, 1);
  assert.equal(findings[0]?.source?.line, 7);
  assert.equal(findings[0]?.source?.column, 9);
  const message = findings[0]?.message ?? '';
  assert.match(message, /removes ports 4444 and 8080/);
  assert.match(message, /45\.9\.148\.10:4444, 2\.27\.17\.179:8080/);
  assert.match(message, /Remove them from the list: RemotePort !in \(80\)\./);
});

test('port exclusion forms are flagged', () => {
  const forms = [
    'not(RemotePort == 4444)',
    'RemotePort <> 4444',
    'RemotePort != "4444"',
    'RemotePort !in (4444)',
  ];
  for (const form of forms) {
    const findings = portExcluded(`| where RemoteIP == "45.9.148.10" and ${form}`);
    assert.equal(findings.length, 1, form);
    assert.match(findings[0]?.message ?? '', /removes port 4444/, form);
  }
});

test('port exclusion that keeps indicators passes', () => {
  const passingQueries = [
    // No listed indicator uses port 80.
    ['| where RemoteIP == "45.9.148.10" and RemotePort != 80'],
    // 8080 is the port of an address this query does not name.
    ['| where RemoteIP == "45.9.148.10" and RemotePort != 8080'],
    // The query names no listed address, so it hunts something else.
    ['| where RemoteUrl has "evil.com" and RemotePort != 4444'],
    // The extend only computes a column, so this comparison filters nothing.
    ['| where RemoteIP == "45.9.148.10"', '| extend Other = RemotePort != 4444'],
    ['| where RemoteIP == "45.9.148.10" and RemotePort == 4444'],
    // LocalPort may be 1 on a connection to port 4444, which then passes.
    ['| where RemoteIP == "45.9.148.10" and (RemotePort != 4444 or LocalPort == 1)'],
    // `and` binds tighter than `or`, so the last branch keeps every connection to port 4444.
    ['| where RemotePort != 4444 and RemoteIP == "45.9.148.10" or RemotePort == 4444'],
    ['| where RemoteIP == "45.9.148.10"', '// | where RemotePort != 4444', '| take 10'],
  ];
  for (const lines of passingQueries) {
    assert.deepEqual(portExcluded(...lines), [], lines.join(' '));
  }
});

test('port exclusion in address-only hunt passes', () => {
  const findings = portExcluded(
    '// 45.9.148.10 on its other ports (address-only)',
    '| where RemoteIP == "45.9.148.10" and RemotePort != 4444',
  );
  assert.deepEqual(findings, []);
});

test('port exclusion names its let list', () => {
  // Without its let statement the list is unknown, so the condition is not checked.
  const unset = portExcluded(
    '| where RemoteIP == "45.9.148.10" and RemotePort !in (ExcludedPorts)',
  );
  assert.deepEqual(unset, []);

  const report = [
    ...INDICATORS.slice(0, 3),
    'let ExcludedPorts = dynamic([4444, 80]);',
    ...INDICATORS.slice(3),
    '| where RemoteIP == "45.9.148.10" and RemotePort !in (ExcludedPorts)',
    '```',
  ].join('\n');
  const named = lintReport(report, 'r.md', { checkKql: false }).issues.filter(
    (issue) => issue.code === 'PORT_EXCLUDED',
  );
  assert.equal(named.length, 1);
  assert.equal(named[0]?.source?.line, 7);
  const message = named[0]?.message ?? '';
  assert.match(message, /^The where condition RemotePort !in \(ExcludedPorts\) removes port 4444/);
  assert.match(
    message,
    /Port 4444 is in ExcludedPorts, the list that the let statement on line 4 sets\./,
  );
  assert.match(message, /Remove it from that list: let ExcludedPorts = dynamic\(\[80\]\);/);
  assert.doesNotMatch(message, /RemotePort !in \(80\)/);

  const whole = report.replace('dynamic([4444, 80])', 'dynamic([4444])');
  const deleted = lintReport(whole, 'r.md', { checkKql: false }).issues.find(
    (issue) => issue.code === 'PORT_EXCLUDED',
  );
  assert.match(deleted?.message ?? '', /the let statement on line 4/);
  assert.match(deleted?.message ?? '', /Delete the condition/);
});

test('port exclusion is one finding', () => {
  const forms = [
    ['| where RemotePort != 4444'],
    ['| where RemotePort !in (4444, 80)'],
    ['| where RemotePort !in (ExcludedPorts)'],
  ];
  for (const lines of forms) {
    const report = [
      ...INDICATORS.slice(0, 3),
      'let ExcludedPorts = dynamic([4444, 80]);',
      ...INDICATORS.slice(3),
      '| where RemoteIP == "45.9.148.10"',
      ...lines,
      '```',
    ].join('\n');
    const issues = lintReport(report, 'r.md', { checkKql: false }).issues;
    const codes = issues.map((issue) => issue.code).filter((code) => code.startsWith('PORT_'));
    assert.deepEqual(codes, ['PORT_EXCLUDED'], lines[0]);
    assert.match(
      issues.find((issue) => issue.code === 'PORT_EXCLUDED')?.message ?? '',
      /also matches 45\.9\.148\.10 on every other port, so compare RemotePort == 4444 to hunt 45\.9\.148\.10:4444/,
      lines[0],
    );
  }
});

test('port exclusion with port kept', () => {
  const findings = portExcluded(
    '| where RemoteIP == "45.9.148.10" and RemotePort in (4444, 5555)',
    '| where RemotePort !in (4444, 80)',
  );
  assert.equal(findings.length, 1);
  assert.doesNotMatch(findings[0]?.message ?? '', /every other port/);
});
