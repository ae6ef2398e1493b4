import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkText } from '../../src/validate/check-files.js';
import { lintReport } from '../../src/validate/lint/lint-report.js';

function mismatches(query: string): Array<[number | undefined, number | undefined, string]> {
  return checkText('q.kql', query, { analyzers: false })
    .diagnostics.filter((item) => item.code === 'LITERAL_TYPE_MISMATCH')
    .map((item) => [item.source.line, item.source.column, item.message]);
}

test('check warns on a string port', () => {
  const found = mismatches(
    'CommonSecurityLog\n| where TimeGenerated > ago(7d)\n| where DestinationPort == "5220"\n',
  );
  assert.equal(found.length, 1);
  assert.deepEqual(found[0]?.slice(0, 2), [3, 9]);
  assert.match(found[0]?.[2] ?? '', /"DestinationPort" is int, but "5220" is a string/);
});

test('check warns on a numeric address', () => {
  const found = mismatches('CommonSecurityLog\n| where DestinationIP == 1\n');
  assert.equal(found.length, 1);
  assert.match(found[0]?.[2] ?? '', /"DestinationIP" is string, but 1 is a number/);
});

test('check accepts matching types', () => {
  const query =
    'CommonSecurityLog\n| where DestinationIP == "45.92.1.175" and DestinationPort == 5220\n';
  assert.deepEqual(mismatches(query), []);
});

test('check skips a column the query assigns', () => {
  const query =
    'CommonSecurityLog\n| extend DestinationPort = tostring(DestinationPort)\n| where DestinationPort == "5220"\n';
  assert.deepEqual(mismatches(query), []);
});

test('lint warns on a string port', () => {
  const report = [
    '```kql',
    'CommonSecurityLog',
    '| where TimeGenerated > ago(7d)',
    '| where DestinationIP == "45.92.1.175" and DestinationPort == "5220"',
    '```',
  ].join('\n');
  const found = lintReport(report, 'r.md', { checkKql: false }).issues.filter(
    (issue) => issue.code === 'LITERAL_TYPE_MISMATCH',
  );
  assert.equal(found.length, 1);
  assert.equal(found[0]?.severity, 'warning');
  assert.equal(found[0]?.source?.line, 4);
  assert.equal(found[0]?.source?.column, 44);
});
