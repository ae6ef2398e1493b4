import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FilterExpr } from '../../../src/compile/ir.js';
import { ConfigError } from '../../../src/errors.js';
import {
  formatSyntaxIssue,
  parseFilter,
  parseFilterOrThrow,
} from '../../../src/pipeline/filter-lang/parse.js';
import { printFilter } from '../../../src/pipeline/filter-lang/print.js';

test('parser reads comparisons and lists', () => {
  const expr = parseFilterOrThrow(
    `process.name != 'psexec.exe' and port in (80, 443) or x =~ "A\\"b"`,
  );
  assert.deepEqual(expr, {
    kind: 'or',
    terms: [
      {
        kind: 'and',
        terms: [
          { kind: 'compare', column: 'process.name', op: '!=', value: 'psexec.exe' },
          { kind: 'in', column: 'port', values: [80, 443] },
        ],
      },
      { kind: 'compare', column: 'x', op: '==', value: 'A"b', caseInsensitive: true },
    ],
  });
});

test('parser reads negated operators', () => {
  assert.deepEqual(parseFilterOrThrow('cmd !contains "x"'), {
    kind: 'not',
    term: { kind: 'text', column: 'cmd', op: 'contains', value: 'x' },
  });
  assert.deepEqual(parseFilterOrThrow('NOT a !in~ ("x")'), {
    kind: 'not',
    term: { kind: 'not', term: { kind: 'in', column: 'a', values: ['x'], caseInsensitive: true } },
  });
  assert.deepEqual(parseFilterOrThrow('a !~ "x"'), {
    kind: 'compare',
    column: 'a',
    op: '!=',
    value: 'x',
    caseInsensitive: true,
  });
});

test('parser reads functions and constants', () => {
  assert.deepEqual(parseFilterOrThrow('isnotempty(a) || true'), {
    kind: 'or',
    terms: [
      { kind: 'not', term: { kind: 'empty', column: 'a' } },
      { kind: 'const', value: true },
    ],
  });
  assert.deepEqual(parseFilterOrThrow('ipv4_is_in_any_range(ip, "10.0.0.0/8")'), {
    kind: 'cidr',
    column: 'ip',
    ranges: ['10.0.0.0/8'],
  });
});

test('AND binds tighter than OR', () => {
  const parsed = parseFilter('a == "1" OR b == "2" AND c == "3"');
  assert.equal(printFilter(parsed.expr!), 'a == "1" or (b == "2" and c == "3")');
  assert.equal(printFilter(parsed.otherReading!), '(a == "1" or b == "2") and c == "3"');
  const [issue] = parsed.issues;
  assert.equal(issue?.code, 'MIXED_AND_OR');
  assert.equal(issue?.column, 22);
  assert.match(issue?.message ?? '', /reads as a == "1" or \(b == "2" and c == "3"\)/);
});

test('parentheses silence the mix warning', () => {
  const parsed = parseFilter('a == "1" OR (b == "2" AND c == "3")');
  assert.deepEqual(parsed.issues, []);
  assert.equal(parsed.otherReading, undefined);
});

test('syntax error prints a caret', () => {
  const text = 'process.name == psexec.exe';
  const parsed = parseFilter(text);
  assert.equal(parsed.expr, undefined);
  const [issue] = parsed.issues;
  assert.equal(issue?.column, 17);
  assert.equal(
    formatSyntaxIssue(text, issue),
    'Unexpected name "psexec.exe": expected a quoted string, a number, true or false; write "psexec.exe" in quotes if it is text (column 17)\n' +
      '  process.name == psexec.exe\n' +
      '                  ^^^^^^^^^^',
  );
});

test('syntax errors name the problem', () => {
  const cases: Array<[string, RegExp, number]> = [
    ['a == "x', /Unterminated string/, 6],
    ['(a == "x"', /closing "\)"/, 10],
    ['a == "x")', /^Unmatched "\)": expected AND, OR or the end of the filter$/, 9],
    ['a "x"', /^Unexpected string "x" after "a": expected an operator such as ==/, 3],
    ['a == "x" "s"', /^Unexpected string "s": expected AND, OR or the end of the filter$/, 10],
    ['a has "s"', /^Unknown operator "has" after "a": expected one of ==, !=, .* in~ and !in~$/, 3],
    ['a ==', /^Unexpected end of the filter: expected a quoted string, a number/, 5],
    ['== 3', /^Unexpected operator "==": expected a field name/, 1],
    ['a == 1 and', /^Unexpected end of the filter: expected a field name/, 11],
    ['a in "x"', /"\(" to start the list/, 6],
    ['', /Empty filter/, 1],
    ['a == "x" # b', /Unexpected character "#"/, 10],
    ['a contains 5', /contains expects a quoted string/, 12],
  ];
  for (const [text, message, column] of cases) {
    const [issue] = parseFilter(text).issues;
    assert.match(issue?.message ?? '', message, text);
    assert.equal(issue?.column, column, text);
  }
});

test('parseFilterOrThrow raises ConfigError', () => {
  assert.throws(
    () => parseFilterOrThrow('a ==', 'exclusion "x"'),
    (error: unknown) => error instanceof ConfigError && /Invalid exclusion "x"/.test(error.message),
  );
});

const column = fc.constantFrom('a', 'Process.Name', 'and', 'odd name', "it's");
const text = fc.string({ maxLength: 6 });
const number = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(1.5, 0.25, 1e21));
const atom = fc.oneof(
  fc.record({
    kind: fc.constant('compare' as const),
    column,
    op: fc.constantFrom('==' as const, '!=' as const, '<' as const, '>=' as const),
    value: fc.oneof(text, number, fc.boolean()),
  }),
  fc.record({
    kind: fc.constant('compare' as const),
    column,
    op: fc.constantFrom('==' as const, '!=' as const),
    value: text,
    caseInsensitive: fc.constant(true),
  }),
  fc.record({
    kind: fc.constant('in' as const),
    column,
    values: fc.array(fc.oneof(text, number), { maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('text' as const),
    column,
    op: fc.constantFrom('contains' as const, 'startswith' as const, 'endswith' as const),
    value: text,
  }),
  fc.record({ kind: fc.constant('empty' as const), column }),
  fc.record({
    kind: fc.constant('cidr' as const),
    column,
    ranges: fc.constantFrom(['10.0.0.0/8'], ['::1/128', '10.0.0.0/8']),
  }),
) as fc.Arbitrary<FilterExpr>;
const { tree } = fc.letrec<{ tree: FilterExpr }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    atom,
    fc.record({
      kind: fc.constantFrom('and' as const, 'or' as const),
      terms: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }),
    }),
    fc.record({ kind: fc.constant('not' as const), term: tie('tree') }),
  ),
}));

test('printed filters parse back unchanged', () => {
  fc.assert(
    fc.property(tree, (expr) => {
      const printed = printFilter(expr);
      const parsed = parseFilter(printed);
      assert.deepEqual(parsed.issues, [], printed);
      // fast-check builds records without a prototype, which deepEqual would tell apart.
      assert.deepEqual(parsed.expr, structuredClone(expr), printed);
    }),
    { numRuns: 300 },
  );
});
