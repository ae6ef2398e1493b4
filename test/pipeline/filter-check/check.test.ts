import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ColumnType, FilterExpr } from '../../../src/compile/ir.js';
import { analyzeFilter } from '../../../src/pipeline/filter-check/analyze.js';
import { checkExclusion, checkFilter } from '../../../src/pipeline/filter-check/check.js';
import { describeFilter } from '../../../src/pipeline/filter-check/describe.js';
import { parseFilterOrThrow } from '../../../src/pipeline/filter-lang/parse.js';
import { getTableSchema } from '../../../src/pipeline/schemas.js';

const dne = getTableSchema('DeviceNetworkEvents');
const csl = getTableSchema('CommonSecurityLog');

function verdictOf(text: string, types: Record<string, ColumnType> = {}): string {
  return analyzeFilter(parseFilterOrThrow(text), { columnType: (column) => types[column] }).verdict;
}

const VERDICTS: Array<[string, Record<string, ColumnType>, string]> = [
  ['x != "a" or x != "b"', {}, 'always-true'],
  ['x == "a" and x == "b"', {}, 'never-true'],
  ['x =~ "a" and x != "a"', {}, 'depends'],
  ['x =~ "a" and x != "a" and x != "A"', {}, 'never-true'],
  ['x == "abc" and not(x contains "b")', {}, 'never-true'],
  ['x == "abc" or x !contains "B"', {}, 'depends'],
  ['x startswith "ab" and x startswith "b"', {}, 'never-true'],
  ['x startswith "ab" and x endswith "ba" and x !contains "bab"', {}, 'depends'],
  ['x in ("a", "b") and x !in ("a", "b")', {}, 'never-true'],
  ['isempty(x) and x == ""', {}, 'depends'],
  ['isempty(x) and x contains "a"', {}, 'never-true'],
  ['RemotePort > 70000', { RemotePort: 'int' }, 'never-true'],
  ['RemotePort >= 0 or isempty(RemotePort)', { RemotePort: 'int' }, 'always-true'],
  ['RemotePort > -1', { RemotePort: 'int' }, 'depends'],
  ['Count > 1 and Count < 2', { Count: 'int' }, 'never-true'],
  ['Ratio > 1 and Ratio < 2', { Ratio: 'real' }, 'depends'],
  ['Count != 5 or Count == 5', { Count: 'long' }, 'depends'],
  ['not(Count == 5) or Count == 5', { Count: 'long' }, 'always-true'],
  ['Flag == true or Flag == false', { Flag: 'bool' }, 'depends'],
  ['Time == "2024-01-01" and Time == "2024-01-02"', { Time: 'datetime' }, 'unknown'],
];

test('checker decides interacting atoms', () => {
  for (const [text, types, expected] of VERDICTS) {
    assert.equal(verdictOf(text, types), expected, text);
  }
});

test('checker marks free variables as inexact', () => {
  const analysis = analyzeFilter(
    parseFilterOrThrow('ipv4_is_in_any_range(ip, "10.0.0.0/8") or ip == "1.2.3.4"'),
  );
  assert.equal(analysis.exact, false);
  assert.equal(analysis.verdict, 'unknown');
  assert.match(analysis.notes.join(' '), /cannot relate/);
});

test('checker still proves a tautology with free variables', () => {
  const analysis = analyzeFilter(
    parseFilterOrThrow(
      'ipv4_is_in_any_range(ip, "10.0.0.0/8") or not(ipv4_is_in_any_range(ip, "10.0.0.0/8"))',
    ),
  );
  assert.equal(analysis.verdict, 'always-true');
});

test('redundant term reports its path', () => {
  const expr = parseFilterOrThrow('x != "a" or (x != "b" and y contains "z")');
  const [issue, ...rest] = checkFilter(expr);
  assert.equal(rest.length, 0);
  assert.equal(issue?.code, 'FILTER_REDUNDANT_TERM');
  assert.deepEqual(issue?.path, [1, 0]);
  assert.match(issue?.message ?? '', /x != "b"/);
});

test('never-true term inside or is redundant', () => {
  const expr = parseFilterOrThrow('RemotePort > 70000 or RemoteIP == "1.2.3.4"');
  const issues = checkFilter(expr, { schema: dne });
  const redundant = issues.find((issue) => issue.code === 'FILTER_REDUNDANT_TERM');
  assert.deepEqual(redundant?.path, [0]);
  assert.match(redundant?.message ?? '', /never true/);
  assert.ok(issues.some((issue) => issue.code === 'VALUE_OUT_OF_RANGE'));
});

test('exclusion that is always true is an error', () => {
  const issues = checkExclusion(parseFilterOrThrow('RemoteIP != "a" or RemoteIP != "b"'), dne);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.code, 'FILTER_ALWAYS_TRUE');
  assert.equal(issues[0]?.severity, 'error');
  assert.match(issues[0]?.message ?? '', /removes every hit/);
});

test('exclusion that is never true is a warning', () => {
  const issues = checkExclusion(parseFilterOrThrow('RemotePort < 0'), dne);
  const constant = issues.find((issue) => issue.code === 'FILTER_NEVER_TRUE');
  assert.equal(constant?.severity, 'warning');
  assert.match(constant?.message ?? '', /removes nothing/);
});

test('sound exclusion has no issues', () => {
  const expr = parseFilterOrThrow(
    'InitiatingProcessFileName in~ ("psexec.exe", "winrm.exe") and RemotePort == 5985',
  );
  assert.deepEqual(checkExclusion(expr, dne), []);
});

test('unknown column names the mapped column', () => {
  const expr = parseFilterOrThrow('process.parent.name =~ "svchost.exe"');
  const [issue] = checkExclusion(expr, dne);
  assert.equal(issue?.code, 'UNKNOWN_COLUMN');
  assert.match(issue?.message ?? '', /Use InitiatingProcessParentFileName/);
  const [onCsl] = checkExclusion(expr, csl);
  assert.match(onCsl?.message ?? '', /CommonSecurityLog has no column/);
});

test('unknown column suggests a near spelling', () => {
  const [issue] = checkExclusion(parseFilterOrThrow('RemoteIp == "1.2.3.4"'), dne);
  assert.match(issue?.message ?? '', /Did you mean RemoteIP\?/);
});

test('type checks flag wrong literals', () => {
  const cases: Array<[string, string]> = [
    ['RemotePort == "443"', 'LITERAL_TYPE_MISMATCH'],
    ['RemotePort == 70000', 'VALUE_OUT_OF_RANGE'],
    ['RemotePort in (443, -1)', 'VALUE_OUT_OF_RANGE'],
    ['RemoteIP == true', 'LITERAL_TYPE_MISMATCH'],
    ['LocalPort == 1.5', 'LITERAL_TYPE_MISMATCH'],
    ['RemotePort contains "44"', 'TEXT_OPERATOR_ON_NON_STRING'],
    ['ipv4_is_in_any_range(RemoteIP, "10.0.0.0/33")', 'INVALID_CIDR'],
  ];
  for (const [text, code] of cases) {
    const codes = checkFilter(parseFilterOrThrow(text), { schema: dne }).map((issue) => issue.code);
    assert.ok(codes.includes(code), `${text}: ${codes.join(', ')}`);
  }
});

test('extra columns accept hit columns', () => {
  const expr = parseFilterOrThrow('MatchedOn == "destination" and IocPort == 443');
  assert.equal(checkExclusion(expr, dne)[0]?.code, 'UNKNOWN_COLUMN');
  const extraColumns = [
    { name: 'MatchedOn', type: 'string' as const },
    { name: 'IocPort', type: 'int' as const },
  ];
  assert.deepEqual(checkExclusion(expr, dne, { extraColumns }), []);
});

test('describe names removed events', () => {
  const keep = parseFilterOrThrow(
    'process.name != "backup.exe" OR process.command_line contains "encrypt" OR process.command_line contains "base64"',
  );
  assert.equal(
    describeFilter(keep, { role: 'keep' }),
    'removes only events where process.name is "backup.exe" and process.command_line contains neither "encrypt" nor "base64"',
  );
});

test('describe states constant filters', () => {
  const always = parseFilterOrThrow('x != "a" or x != "b"');
  assert.equal(
    describeFilter(always, { role: 'keep' }),
    'keeps every event: the condition is always true',
  );
  assert.equal(describeFilter(always), 'removes every event: the condition is always true');
  const never: FilterExpr = parseFilterOrThrow('x == "a" and x == "b"');
  assert.equal(describeFilter(never), 'keeps every event: the condition is never true');
});

test('describe drops redundant terms', () => {
  const keep = parseFilterOrThrow('a != "l" OR a != "p" AND c contains "base64"');
  assert.equal(
    describeFilter(keep, { role: 'keep' }),
    'removes only events where a is "l" and c does not contain "base64"',
  );
});

test('describe mentions missing numbers', () => {
  const expr = parseFilterOrThrow('not(Count > 5) and Name in~ ("a", "b")');
  assert.equal(
    describeFilter(expr, {
      schema: {
        name: 'T',
        platform: 'sentinel',
        columns: [
          { name: 'Count', type: 'int' },
          { name: 'Name', type: 'string' },
        ],
      },
    }),
    'removes only events where Count is at most 5 (or missing) and Name is one of "a", "b" (any case)',
  );
});

test('filter true where set names its false rows', () => {
  const expr = parseFilterOrThrow('RemotePort != 80 or RemotePort != 443');
  const [issue] = checkFilter(expr, { schema: dne });
  assert.equal(issue?.code, 'FILTER_ALWAYS_TRUE');
  assert.equal(issue?.severity, 'warning');
  assert.equal(
    issue?.message,
    'The filter is true on every event where RemotePort is set. It is false only on the events ' +
      'where RemotePort is missing, because a comparison on a missing value is false.',
  );
});

test('describe drops one of two copies', () => {
  // Either copy is redundant given the other, but not both.
  const twice = parseFilterOrThrow('x == "a" or x == "a"');
  assert.equal(describeFilter(twice, { role: 'keep' }), 'removes only events where x is not "a"');
  assert.equal(describeFilter(twice), 'removes only events where x is "a"');
});

test('describe keeps one null guard', () => {
  // Under Kusto's rules one guard keeps a missing port, which `not(null)` would drop.
  const guarded = parseFilterOrThrow(
    'not((isnotnull(Port) and Port > 6) and (isnotnull(Port) and Port < 9))',
  );
  const options = { role: 'keep' as const, nullRules: 'kusto' as const };
  assert.equal(
    describeFilter(guarded, options),
    'removes only events where Port is more than 6 and Port is less than 9',
  );
  const unguarded = parseFilterOrThrow('not(Port > 6 and Port < 9)');
  assert.equal(
    describeFilter(unguarded, options),
    'removes only events where Port is more than 6 (or missing) and Port is less than 9 (or missing)',
  );
});
