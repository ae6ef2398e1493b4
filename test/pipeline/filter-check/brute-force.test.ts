import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ColumnType, FilterExpr } from '../../../src/compile/ir.js';
import { analyzeFilter, listAtoms, termAt } from '../../../src/pipeline/filter-check/analyze.js';
import type { TermPath } from '../../../src/pipeline/filter-check/analyze.js';
import { buildColumnModel } from '../../../src/pipeline/filter-check/domain.js';
import { evaluateFilter } from '../../../src/pipeline/filter-check/evaluate.js';
import type { CellValue } from '../../../src/pipeline/filter-check/evaluate.js';

const TYPES: Record<string, ColumnType> = {
  A: 'string',
  B: 'string',
  DestPort: 'int',
  Ratio: 'real',
};
/** Values tried on top of the checker's representatives, so a missing representative shows. */
const EXTRA_VALUES: Record<string, CellValue[]> = {
  A: ['x', 'A', 'b', 'B', 'ax', 'Ab', 'ba', 'bA', 'AB', 'xab'],
  B: ['x', 'A', 'b', 'B', 'ax', 'Ab', 'ba', 'bA', 'AB', 'xab'],
  DestPort: [0, 1, 2, 3, 443, 65535],
  Ratio: [-0.25, 0.5, 1.25, 3],
};

const stringLiteral = fc.constantFrom('a', 'b', 'A', 'ab', 'aB', '');
const numberLiteral = fc.constantFrom(-1, 0, 1, 2, 1.5, 65535, 70000);

function atomFor(column: string): fc.Arbitrary<FilterExpr> {
  if (TYPES[column] === 'string') {
    return fc.oneof(
      fc.record({
        kind: fc.constant('compare' as const),
        column: fc.constant(column),
        op: fc.constantFrom('==' as const, '!=' as const),
        value: stringLiteral,
        caseInsensitive: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('in' as const),
        column: fc.constant(column),
        values: fc.array(stringLiteral, { maxLength: 3 }),
        caseInsensitive: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('text' as const),
        column: fc.constant(column),
        op: fc.constantFrom('contains' as const, 'startswith' as const, 'endswith' as const),
        value: fc.constantFrom('a', 'b', 'ab', 'B', 'ba'),
      }),
      fc.constant<FilterExpr>({ kind: 'empty', column }),
    );
  }
  return fc.oneof(
    fc.record({
      kind: fc.constant('compare' as const),
      column: fc.constant(column),
      op: fc.constantFrom(
        '==' as const,
        '!=' as const,
        '<' as const,
        '<=' as const,
        '>' as const,
        '>=' as const,
      ),
      value: numberLiteral,
    }),
    fc.record({
      kind: fc.constant('in' as const),
      column: fc.constant(column),
      values: fc.array(numberLiteral, { maxLength: 3 }),
    }),
    fc.constant<FilterExpr>({ kind: 'empty', column }),
  );
}

function filterOver(columns: string[]): fc.Arbitrary<FilterExpr> {
  const atom = fc.constantFrom(...columns).chain(atomFor);
  const { tree } = fc.letrec<{ tree: FilterExpr }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atom,
      fc.record({
        kind: fc.constantFrom('and' as const, 'or' as const),
        terms: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant('not' as const), term: tie('tree') }),
    ),
  }));
  return tree;
}

const columnSets = fc.constantFrom<string[]>(
  ['A', 'B'],
  ['A', 'DestPort'],
  ['B', 'Ratio'],
  ['A', 'B', 'DestPort'],
);
const filters = columnSets.chain(filterOver);

/** Builds every row from the representatives of each column plus the extra values. */
function allRows(expr: FilterExpr): Array<Record<string, CellValue>> {
  const atoms = listAtoms(expr);
  const columns = [...new Set(atoms.map((atom) => atom.column))];
  let rows: Array<Record<string, CellValue>> = [{}];
  for (const column of columns) {
    const model = buildColumnModel(
      column,
      atoms.filter((atom) => atom.column === column),
      TYPES[column],
    );
    const values = [...new Set([...model.representatives, ...(EXTRA_VALUES[column] ?? [])])];
    rows = rows.flatMap((row) => values.map((value) => ({ ...row, [column]: value })));
  }
  return rows;
}

function pin(expr: FilterExpr, path: TermPath, value: boolean): FilterExpr {
  if (path.length === 0) return { kind: 'const', value };
  const [head, ...rest] = path;
  if (expr.kind === 'not') return { kind: 'not', term: pin(expr.term, rest, value) };
  if (expr.kind === 'and' || expr.kind === 'or') {
    return {
      kind: expr.kind,
      terms: expr.terms.map((term, index) => (index === head ? pin(term, rest, value) : term)),
    };
  }
  return expr;
}

/** Outermost paths whose term can be pinned to true and to false without a change, by brute force. */
function bruteRedundant(expr: FilterExpr, rows: Array<Record<string, CellValue>>): string[] {
  const base = rows.map((row) => evaluateFilter(expr, row));
  const found: string[] = [];
  const visit = (node: FilterExpr, path: TermPath, parent: FilterExpr | undefined): void => {
    if (parent) {
      const asTrue = rows.map((row) => evaluateFilter(pin(expr, path, true), row));
      const asFalse = rows.map((row) => evaluateFilter(pin(expr, path, false), row));
      const same = (values: boolean[]) => values.every((value, index) => value === base[index]);
      const noEffect = same(asTrue) && same(asFalse);
      const removable =
        (parent.kind === 'and' && same(asTrue)) || (parent.kind === 'or' && same(asFalse));
      if (noEffect || removable) {
        found.push(path.join('.'));
        return;
      }
    }
    const children =
      node.kind === 'and' || node.kind === 'or'
        ? node.terms
        : node.kind === 'not'
          ? [node.term]
          : [];
    children.forEach((child, index) => visit(child, [...path, index], node));
  };
  visit(expr, [], undefined);
  return found;
}

test('checker verdicts match brute force', () => {
  fc.assert(
    fc.property(filters, (expr) => {
      const analysis = analyzeFilter(expr, { columnType: (column) => TYPES[column] });
      const rows = allRows(expr);
      const results = rows.map((row) => evaluateFilter(expr, row));
      assert.equal(analysis.exact, true);
      const expected = results.every(Boolean)
        ? 'always-true'
        : results.some(Boolean)
          ? 'depends'
          : 'never-true';
      assert.equal(analysis.verdict, expected);
    }),
    { numRuns: 300 },
  );
});

test('checker redundant terms match brute force', () => {
  fc.assert(
    fc.property(filters, (expr) => {
      const analysis = analyzeFilter(expr, { columnType: (column) => TYPES[column] });
      if (analysis.verdict !== 'depends') return;
      const rows = allRows(expr);
      const found = analysis.redundantTerms.map((term) => term.path.join('.'));
      assert.deepEqual(found, bruteRedundant(expr, rows));
      for (const term of analysis.redundantTerms) assert.equal(termAt(expr, term.path), term.term);
    }),
    { numRuns: 200 },
  );
});
