import { test } from 'node:test';
import assert from 'node:assert/strict';
import { found, lintLines as lint, messageOf, query } from './lint-lines.js';

test('lint flags an always-true where clause', async (t) => {
  const { issues, code } = await lint(t, [
    '# Hunt',
    '',
    '```kql',
    'CommonSecurityLog',
    '| where TimeGenerated > ago(7d)',
    '| where SourceIP != "10.0.0.1" or SourceIP != "10.0.0.2"',
    '```',
  ]);
  assert.equal(code, 1);
  assert.deepEqual(found(issues), [['WHERE_ALWAYS_TRUE', 6]]);
  const issue = issues.find((item) => item.code === 'WHERE_ALWAYS_TRUE');
  assert.equal(issue?.severity, 'error');
  assert.equal(issue?.source?.column, 9);
  assert.match(
    issue?.message ?? '',
    /^The where condition SourceIP != "10\.0\.0\.1" or SourceIP != "10\.0\.0\.2" is always true/,
  );
  assert.match(issue?.message ?? '', /SourceIP !in \("10\.0\.0\.1", "10\.0\.0\.2"\)\./);
});

test('lint checks each operand of a where clause', async (t) => {
  const { issues } = await lint(t, [
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d)',
    '    and (InitiatingProcessFileName != "a.exe"',
    '        or InitiatingProcessFileName != "b.exe")',
    '| where RemotePort == 80 and RemotePort == 443',
    '| where RemoteIP in (malicious_ips) and RemotePort != 80 and RemotePort != 443',
    '| where RemoteUrl has "|" or LocalPort == 1',
    '| union (DeviceFileEvents | where FileName != "a" or FileName != "b"), DeviceEvents',
  ]);
  assert.deepEqual(found(issues), [
    ['WHERE_ALWAYS_TRUE', 3],
    ['WHERE_NEVER_TRUE', 5],
    ['WHERE_ALWAYS_TRUE', 8],
  ]);
  const always = issues.find((item) => item.code === 'WHERE_ALWAYS_TRUE');
  assert.equal(always?.source?.column, 9);
  assert.match(
    messageOf(issues, 'WHERE_NEVER_TRUE', 5),
    /RemotePort == 80 and RemotePort == 443 is never true/,
  );
});

test('lint passes a sound where clause', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemoteIP != "10.0.0.1" and RemoteIP != "10.0.0.2"',
      '| where RemoteIP !in ("10.0.0.1", "10.0.0.2") or RemotePort == 4444',
      // Guarded as huntpack writes it, so it is false where RemotePort is null.
      '| where (isnotnull(RemotePort) and RemotePort != 80) or (isnotnull(RemotePort) and RemotePort != 443)',
      // The Kusto docs do not state `in` on a null, so this may be false on a null port.
      '| where RemotePort in (80) or RemotePort !in (80)',
    ),
  ]);
  assert.deepEqual(found(issues, ['WHERE_ALWAYS_TRUE', 'WHERE_NEVER_TRUE']), []);
});

// Kusto's `and` binds tighter than `or`: "The logical `and` has higher precedence than the
// logical `or`" (Logical (binary) operators, learn.microsoft.com/kusto/query/logical-operators).
// So `A and B or C and D` reads as `(A and B) or (C and D)`.
test('lint reads and before or', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemotePort == 80 and RemoteIP == "10.0.0.1" or RemotePort == 443 and RemoteIP == "10.0.0.2"',
      '| where RemotePort == 80',
      '    and RemoteIP == "10.0.0.1"',
      '    or RemotePort == 443 and RemoteIP == "10.0.0.2"',
      '| where Timestamp > ago(1d) and RemotePort == 80 and RemotePort == 443 or RemotePort == 22',
      '| where RemotePort == 22 or Timestamp > ago(1d) and RemotePort == 80 and RemotePort == 443',
      '| where Timestamp > ago(1d) or RemotePort == 80 and RemotePort == 443',
      '| where (RemotePort == 80 and RemoteIP == "10.0.0.1" or RemotePort == 443) and RemoteIP == "10.0.0.2"',
      '| where not(RemotePort == 80 and RemoteIP == "10.0.0.1") and RemotePort == 80',
    ),
  ]);
  assert.deepEqual(found(issues, ['WHERE_ALWAYS_TRUE', 'WHERE_NEVER_TRUE']), []);
});

test('lint flags never-true or branches', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemotePort == 80 and RemotePort == 443 or RemotePort == 22 and RemotePort == 23',
      '| where Timestamp > ago(1d) and RemotePort == 80 and RemotePort == 443',
      '    or RemoteIP == "10.0.0.1" and RemoteIP == "10.0.0.2"',
      '| where not(RemotePort == 80 or RemotePort == 443) and RemotePort == 80',
      '| where RemoteIP != "10.0.0.1" or RemoteIP != "10.0.0.2" or RemotePort == 80',
    ),
  ]);
  assert.deepEqual(found(issues, ['WHERE_ALWAYS_TRUE', 'WHERE_NEVER_TRUE']), [
    ['WHERE_NEVER_TRUE', 4],
    ['WHERE_NEVER_TRUE', 5],
    ['WHERE_NEVER_TRUE', 7],
    ['WHERE_ALWAYS_TRUE', 8],
  ]);
  assert.match(
    messageOf(issues, 'WHERE_NEVER_TRUE', 4),
    /RemotePort == 80 and RemotePort == 443 or RemotePort == 22 and RemotePort == 23 is never true/,
  );
});

// Kusto's "Null values" docs page: `!=` between a null and a non-null value is true, `>` on a
// null is null, `not` keeps null, and `where` drops a row whose condition is null.
test('lint reads where with Kusto null rules', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemotePort != 80 or RemotePort != 443',
      '| where not(RemotePort > 1000 or RemotePort <= 1000)',
    ),
  ]);
  assert.deepEqual(found(issues, ['WHERE_ALWAYS_TRUE', 'WHERE_NEVER_TRUE']), [
    ['WHERE_ALWAYS_TRUE', 4],
    ['WHERE_NEVER_TRUE', 5],
  ]);
  assert.match(
    messageOf(issues, 'WHERE_ALWAYS_TRUE', 4),
    /^The where condition RemotePort != 80 or RemotePort != 443 is always true/,
  );
});
