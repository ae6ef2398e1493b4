/**
 * Runs the filter logic checker of `pipeline/filter-check` over the `where` clauses of a query,
 * as lint already does for "Filter/Exclusion:" lines: a clause such as
 * `SourceIP != "10.0.0.1" or SourceIP != "10.0.0.2"` is always true and removes nothing.
 *
 * Each operand of a clause's top-level `and` is read with the filter language parser, which
 * parses the Kusto comparison operators but no functions such as `ago()`. An operand it cannot
 * parse is left out, so `TimeGenerated > ago(7d) and (User != "a" or User != "b")` is still
 * checked on its second operand.
 */
import type { FilterExpr } from '../../compile/ir.js';
import type { HuntpackIssue } from '../../errors.js';
import { analyzeWithOptions } from '../../pipeline/filter-check/check.js';
import { parseFilter } from '../../pipeline/filter-lang/parse.js';
import type { TableSchema } from '../../pipeline/schemas.js';
import type { KqlBlock } from './kql-blocks.js';
import { findWhereClauses, lineAndColumn, splitTopLevelAnd, type ScannedKql } from './kql-scan.js';
import { orOfNegationsHint } from './lint-exclusion.js';
import { findWhereTypeMismatches } from './where-types.js';

/**
 * Checks the `where` clauses of one query. `schema` is the table the query reads. It gives the
 * column types, such as a port from 0 to 65535, and without it the types come from the literals.
 */
export function lintWhereLogic(
  block: KqlBlock,
  scanned: ScannedKql,
  file: string,
  schema: TableSchema | undefined,
): HuntpackIssue[] {
  const issues: HuntpackIssue[] = [];
  const options = schema ? { schema } : {};
  // With more than one table the schema may not be the one a clause reads, so types are not
  // compared then.
  if (schema && block.tables.length === 1) {
    for (const mismatch of findWhereTypeMismatches(scanned, schema)) {
      const position = lineAndColumn(scanned.text, mismatch.start, block.startLine);
      issues.push({
        code: 'LITERAL_TYPE_MISMATCH',
        severity: 'warning',
        message: `In the where condition ${mismatch.condition}: ${mismatch.message}`,
        source: { file, line: position.line, column: position.column },
      });
    }
  }
  for (const clause of findWhereClauses(scanned)) {
    const kinds = scanned.kinds.subarray(clause.start, clause.start + clause.text.length);
    const operands = splitTopLevelAnd(clause.text, kinds).flatMap((operand) => {
      const expr = readCondition(operand.text);
      return expr ? [{ ...operand, expr }] : [];
    });
    const at = (offset: number) => {
      const position = lineAndColumn(scanned.text, clause.start + offset, block.startLine);
      return { file, line: position.line, column: position.column };
    };

    for (const operand of operands) {
      if (analyzeWithOptions(operand.expr, options).verdict !== 'always-true') continue;
      issues.push({
        code: 'WHERE_ALWAYS_TRUE',
        severity: 'error',
        message:
          `The where condition ${oneLine(operand.text)} is always true, so it ` +
          `removes no row.${orOfNegationsHint(operand.expr)}`,
        source: at(operand.start),
      });
    }
    const first = operands[0];
    if (!first) continue;
    const all: FilterExpr =
      operands.length === 1 ? first.expr : { kind: 'and', terms: operands.map((o) => o.expr) };
    if (analyzeWithOptions(all, options).verdict === 'never-true') {
      const text = operands.map((operand) => oneLine(operand.text)).join(' and ');
      issues.push({
        code: 'WHERE_NEVER_TRUE',
        severity: 'error',
        message: `The where condition ${text} is never true, so the query returns no rows.`,
        source: at(first.start),
      });
    }
  }
  return issues;
}

/** Parses one operand, or returns undefined when the filter language cannot read it. */
function readCondition(text: string): FilterExpr | undefined {
  const parsed = parseFilter(text);
  if (parsed.issues.some((issue) => issue.severity === 'error')) return undefined;
  return parsed.expr;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
