import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintReport } from '../../../src/validate/lint/lint-report.js';

function notHunted(lines: string[]): Array<[number | undefined, string]> {
  const result = lintReport(lines.join('\n'), 'r.md', { checkKql: false });
  return result.issues
    .filter((issue) => issue.code === 'NOT_HUNTED')
    .map((issue) => [issue.source?.line, issue.message]);
}

const TABLE = ['| Type | Value |', '|---|---|', '| domain | evil-c2[.]example[.]net |', ''];

function withWhere(where: string): string[] {
  return [...TABLE, '```kql', 'DnsEvents', '| where TimeGenerated > ago(7d)', where, '```'];
}

test('not-hunted check names a defanged literal', () => {
  const found = notHunted(withWhere('| where Name =~ "evil-c2[.]example[.]net"'));
  assert.equal(found.length, 1);
  assert.equal(found[0]?.[0], 3);
  assert.match(found[0]?.[1] ?? '', /query at line 8 compares it in defanged form/);
  assert.match(found[0]?.[1] ?? '', /\("evil-c2\[\.\]example\[\.\]net"\)/);
  assert.doesNotMatch(found[0]?.[1] ?? '', /no query in the report names it/);
});

test('not-hunted check ignores excluded values', () => {
  for (const where of [
    '| where Name !~ "evil-c2.example.net"',
    '| where Name != "evil-c2.example.net"',
    '| where Name !in~ ("other.example.com", "evil-c2.example.net")',
    '| where Name !has "evil-c2.example.net"',
  ]) {
    const found = notHunted(withWhere(where));
    assert.equal(found.length, 1, where);
    assert.match(found[0]?.[1] ?? '', /the only query that names it excludes it/, where);
    assert.match(found[0]?.[1] ?? '', /at line 8/, where);
  }
});

test('not-hunted check accepts a positive comparison', () => {
  for (const where of [
    '| where Name =~ "evil-c2.example.net"',
    '| where Name in~ ("other.example.com", "evil-c2.example.net")',
    '| where Name !in~ ("other.example.com") and Name has "evil-c2.example.net"',
  ]) {
    assert.deepEqual(notHunted(withWhere(where)), [], where);
  }
});
