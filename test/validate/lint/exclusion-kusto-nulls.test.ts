/**
 * Lint reads a "Filter/Exclusion" line as the KQL `where` an analyst runs, so the statement of the
 * events it removes and each correction it offers must hold under Kusto's null rules. There `!=`
 * on a null is true, `==` on a null is false, an ordering on a null is null, and `where` drops a
 * row whose condition is null.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterExpr } from '../../../src/compile/ir.js';
import { evaluateFilter } from '../../../src/pipeline/filter-check/evaluate.js';
import { parseFilterOrThrow } from '../../../src/pipeline/filter-lang/parse.js';
import { getTableSchema } from '../../../src/pipeline/schemas.js';
import { checkKql } from '../../../src/validate/kusto.js';
import { lintExclusion, type ExclusionLint } from '../../../src/validate/lint/lint-exclusion.js';

function lint(text: string): ExclusionLint {
  return lintExclusion(text, {
    file: 'report.md',
    line: 1,
    column: 1,
    scenario: '',
    schemas: [getTableSchema('DeviceNetworkEvents')],
  });
}

type Row = Record<string, string | number | null>;

/** Evaluates a filter on a row with Kusto's null rules for `==`, `!=`, orderings and logic. */
function evaluateKusto(expr: FilterExpr, row: Row): boolean | null {
  switch (expr.kind) {
    case 'not': {
      const value = evaluateKusto(expr.term, row);
      return value === null ? null : !value;
    }
    case 'and':
    case 'or': {
      const values = expr.terms.map((term) => evaluateKusto(term, row));
      const decisive = expr.kind === 'or';
      if (values.includes(decisive)) return decisive;
      return values.includes(null) ? null : !decisive;
    }
    case 'compare':
      if (row[expr.column] === null) {
        if (expr.op === '==') return false;
        return expr.op === '!=' ? true : null;
      }
      return evaluateFilter(expr, row);
    default:
      if (expr.kind !== 'const' && row[expr.column] === null) {
        throw new Error(`no Kusto rule for ${expr.kind} on a null`);
      }
      return evaluateFilter(expr, row);
  }
}

const ROWS: Row[] = [null, 4444, 8080, 53].flatMap((port) =>
  ['backup.exe', 'other.exe'].map((name) => ({
    RemotePort: port,
    InitiatingProcessFileName: name,
  })),
);

test('effect of != on a number keeps missing', () => {
  assert.equal(lint('RemotePort != 4444').effect, 'removes only events where RemotePort is 4444');
});

test('effect of not on an ordering drops missing', () => {
  assert.equal(
    lint('not(RemotePort > 1000)').effect,
    'removes only events where RemotePort is more than 1000 (or missing)',
  );
});

test('effect of == on a number drops missing', () => {
  assert.equal(
    lint('InitiatingProcessFileName == "backup.exe" and RemotePort == 4444').effect,
    'removes only events where InitiatingProcessFileName is not "backup.exe" or ' +
      'RemotePort is not 4444 (or missing)',
  );
});

test('effect of always-true or agrees with finding', () => {
  const result = lint('RemotePort != 4444 or RemotePort != 8080');
  assert.equal(result.effect, 'keeps every event: the condition is always true');
  assert.ok(result.findings.some((finding) => finding.code === 'EXCLUSION_REMOVES_NOTHING'));
});

test('effect of in on a number names the gap', () => {
  assert.equal(
    lint('RemotePort !in (4444, 8080)').effect,
    'removes only events where RemotePort is one of 4444, 8080 ' +
      '(whether missing values count is not documented)',
  );
});

test('corrections hold under Kusto null rules', () => {
  const lines = [
    'destination.port != 4444 or destination.port != 8080',
    'process.name != "backup.exe" or RemotePort != 4444 or RemotePort != 8080',
    'destination.port != 4444',
    'not(destination.port > 1000)',
  ];
  for (const line of lines) {
    for (const correction of lint(line).corrections) {
      if (correction.filter === undefined) continue;
      const expr = parseFilterOrThrow(correction.filter);
      const kept = ROWS.map((row) => evaluateKusto(expr, row) === true);
      assert.ok(kept.includes(false), `${line}: ${correction.filter} removes nothing in Kusto`);
      assert.ok(kept.includes(true), `${line}: ${correction.filter} removes every event`);
    }
  }
});

test('always-true line gets no correction', () => {
  const result = lint('destination.port != 4444 or destination.port != 8080');
  assert.deepEqual(
    result.corrections.map((correction) => correction.filter),
    [],
  );
});

test('corrections pass the Kusto parser', () => {
  const lines = [
    'destination.port != 4444',
    'not(destination.port > 1000)',
    'process.name == "a.exe"',
  ];
  for (const line of lines) {
    const [correction] = lint(line).corrections;
    assert.ok(correction?.filter, `${line}: ${JSON.stringify(correction)}`);
    const query =
      'DeviceNetworkEvents\n| where TimeGenerated > ago(1d)\n' + `| where ${correction.filter}`;
    const errors = checkKql(query, { platform: 'sentinel' }).filter(
      (diagnostic) => diagnostic.severity === 'error',
    );
    assert.deepEqual(errors, [], query);
  }
});
