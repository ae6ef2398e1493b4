import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ColumnType, FilterExpr } from '../../../src/compile/ir.js';
import { checkExclusion, checkFilter } from '../../../src/pipeline/filter-check/check.js';
import { evaluateFilter } from '../../../src/pipeline/filter-check/evaluate.js';
import {
  analyzeKustoFilter,
  rewriteKustoWhere,
} from '../../../src/pipeline/filter-check/kusto-nulls.js';
import { parseFilterOrThrow } from '../../../src/pipeline/filter-lang/parse.js';

type Kusto = boolean | null;

/**
 * Evaluates a filter with the rules of the Kusto docs page "Null values". There `==` on a null is
 * false, `!=` on a null is true and `<` and the other orderings on a null are null. `not`, `and`
 * and `or` follow three-valued logic.
 */
function evaluateKusto(expr: FilterExpr, row: Record<string, number | null>): Kusto {
  switch (expr.kind) {
    case 'const':
      return expr.value;
    case 'not': {
      const value = evaluateKusto(expr.term, row);
      return value === null ? null : !value;
    }
    case 'and': {
      const values = expr.terms.map((term) => evaluateKusto(term, row));
      if (values.includes(false)) return false;
      return values.includes(null) ? null : true;
    }
    case 'or': {
      const values = expr.terms.map((term) => evaluateKusto(term, row));
      if (values.includes(true)) return true;
      return values.includes(null) ? null : false;
    }
    case 'empty':
      return row[expr.column] === null;
    case 'compare': {
      const value = row[expr.column] ?? null;
      if (value !== null) return evaluateFilter(expr, row);
      if (expr.op === '==') return false;
      if (expr.op === '!=') return true;
      return null;
    }
    default:
      throw new Error(`no Kusto rule for ${expr.kind}`);
  }
}

const FILTERS = [
  'Port != 80 or Port != 443',
  'Port == 80 or Port != 80',
  'not(Port > 1000)',
  'not(Port > 1000 or Port <= 1000)',
  'not(Port != 80 and Bytes < 5)',
  'not(not(Port >= 7) or isempty(Bytes))',
  'isnotnull(Port) and (Port != 80 or Bytes == 3)',
  'not(Port == 80) and not(Bytes != 3 or Port < 2)',
];
const VALUES = [null, 1, 3, 7, 80, 443, 2000];

test('rewrite keeps the rows Kusto keeps', () => {
  const types: Record<string, ColumnType> = { Port: 'int', Bytes: 'long' };
  for (const text of FILTERS) {
    const expr = parseFilterOrThrow(text);
    const { variants } = rewriteKustoWhere(expr, (column) => types[column]);
    assert.equal(variants.length, 1, text);
    for (const port of VALUES) {
      for (const bytes of VALUES) {
        const row = { Port: port, Bytes: bytes };
        const kept = evaluateKusto(expr, row) === true;
        assert.equal(evaluateFilter(variants[0]!, row), kept, `${text} on ${JSON.stringify(row)}`);
      }
    }
  }
});

test('rewrite finds rows not false', () => {
  const types: Record<string, ColumnType> = { Port: 'int', Bytes: 'long' };
  for (const text of FILTERS) {
    const expr = parseFilterOrThrow(text);
    const { variants } = rewriteKustoWhere(expr, (column) => types[column], 'not-false');
    assert.equal(variants.length, 1, text);
    for (const port of VALUES) {
      for (const bytes of VALUES) {
        const row = { Port: port, Bytes: bytes };
        const notFalse = evaluateKusto(expr, row) !== false;
        const at = `${text} on ${JSON.stringify(row)}`;
        assert.equal(evaluateFilter(variants[0]!, row), notFalse, at);
      }
    }
  }
});

test('rewrite leaves string columns alone', () => {
  const expr = parseFilterOrThrow('Ip != "a" or Ip != "b"');
  const { variants } = rewriteKustoWhere(expr, () => 'string');
  assert.deepEqual(variants, [expr]);
});

test('Kusto verdicts differ from the model', () => {
  const cases: Array<[string, string]> = [
    // `!=` on a null is true, so one of the two terms holds on every row.
    ['RemotePort != 80 or RemotePort != 443', 'always-true'],
    // The inner `or` is null on a null port, and `not` keeps it null.
    ['not(RemotePort > 1000 or RemotePort <= 1000)', 'never-true'],
    ['isnotnull(RemotePort) and (RemotePort != 80 or RemotePort != 443)', 'depends'],
    // The docs do not state `in` on a null, so no verdict rests on a guess.
    ['RemotePort in (80) or RemotePort !in (80)', 'unknown'],
    ['RemoteIP != "a" or RemoteIP != "b"', 'always-true'],
  ];
  const columnType = (column: string): ColumnType => (column === 'RemotePort' ? 'int' : 'string');
  for (const [text, verdict] of cases) {
    const analysis = analyzeKustoFilter(parseFilterOrThrow(text), { columnType });
    assert.equal(analysis.verdict, verdict, text);
  }
});

test('Kusto always-true message names null rules', () => {
  const expr = parseFilterOrThrow('RemotePort > 80 or RemotePort <= 80');
  const [issue] = checkFilter(expr, {
    extraColumns: [{ name: 'RemotePort', type: 'int' }],
    nullRules: 'kusto',
  });
  assert.equal(issue?.code, 'FILTER_ALWAYS_TRUE');
  assert.equal(
    issue?.message,
    "The filter is true on every event where RemotePort is set. Under Kusto's null rules it is " +
      'false or null only on the events where RemotePort is missing.',
  );
});

test('Kusto always-true != or has no missing rows', () => {
  const expr = parseFilterOrThrow('RemotePort != 80 or RemotePort != 443');
  const issues = checkFilter(expr, {
    extraColumns: [{ name: 'RemotePort', type: 'int' }],
    nullRules: 'kusto',
  });
  assert.deepEqual(
    issues.map((issue) => [issue.code, issue.message]),
    [['FILTER_ALWAYS_TRUE', 'The filter is always true.']],
  );
});

test('Kusto redundant term names the written term', () => {
  const expr = parseFilterOrThrow('RemotePort != 80 or (RemotePort != 80 and RemoteIP == "a")');
  const issues = checkFilter(expr, {
    extraColumns: [
      { name: 'RemotePort', type: 'int' },
      { name: 'RemoteIP', type: 'string' },
    ],
    nullRules: 'kusto',
  });
  const redundant = issues.filter((issue) => issue.code === 'FILTER_REDUNDANT_TERM');
  assert.equal(redundant.length, 1);
  assert.deepEqual(redundant[0]?.path, [1]);
  assert.match(redundant[0]?.message ?? '', /RemotePort != 80 and RemoteIP == "a"/);
  assert.doesNotMatch(redundant[0]?.message ?? '', /isempty/);
});

test('Kusto exclusion removes null rows too', () => {
  // `where not(...)` drops a row where the exclusion is null, as on a null port here.
  const expr = parseFilterOrThrow('RemotePort > 80 or RemotePort <= 80');
  const port = [{ name: 'RemotePort', type: 'int' as const }];
  const [kusto] = checkExclusion(expr, undefined, { extraColumns: port, nullRules: 'kusto' });
  assert.equal(kusto?.code, 'FILTER_ALWAYS_TRUE');
  assert.match(kusto?.message ?? '', /^The exclusion is always true, so it removes every hit/);
  const [model] = checkExclusion(expr, undefined, { extraColumns: port });
  assert.match(model?.message ?? '', /It keeps only the events where RemotePort is missing/);
});

test('Kusto exclusion names the kept events', () => {
  // `==` on a null is false, so `not(...)` is true and keeps events where IsLocal is null.
  const expr = parseFilterOrThrow('IsLocal == true or IsLocal == false');
  const [issue] = checkExclusion(expr, undefined, {
    extraColumns: [{ name: 'IsLocal', type: 'bool' }],
    nullRules: 'kusto',
  });
  assert.equal(issue?.code, 'FILTER_ALWAYS_TRUE');
  assert.match(
    issue?.message ?? '',
    /Under Kusto's null rules, where not\(\.\.\.\) keeps only the events where IsLocal is missing\./,
  );
});
