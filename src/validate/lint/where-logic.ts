/**
 * Runs the filter logic checker of `pipeline/filter-check` over the `where` clauses of a query,
 * as lint already does for "Filter/Exclusion:" lines: a clause such as
 * `SourceIP != "10.0.0.1" or SourceIP != "10.0.0.2"` is always true and removes nothing.
 *
 * A clause is split into its top-level `or` branches and each branch into its `and` operands,
 * because Kusto's `and` binds tighter than `or`. Each operand is read with the filter language
 * parser, which parses the Kusto comparison operators but no functions such as `ago()`. An
 * operand it cannot parse is left out, so `TimeGenerated > ago(7d) and (User != "a" or
 * User != "b")` is still checked on its second operand.
 */
import type { FilterExpr } from '../../compile/ir.js';
import type { HuntpackIssue } from '../../errors.js';
import { analyzeWithOptions } from '../../pipeline/filter-check/check.js';
import { parseFilter } from '../../pipeline/filter-lang/parse.js';
import type { TableSchema } from '../../pipeline/schemas.js';
import type { KqlBlock } from './kql-blocks.js';
import { findWhereClauses, lineAndColumn, splitOrOfAnd, type ScannedKql } from './kql-scan.js';
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
  // Sentinel runs the clause with Kusto's null rules, so `Port != 80` is true where Port is null.
  const options = { nullRules: 'kusto' as const, ...(schema && { schema }) };
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
    const branches = splitOrOfAnd(clause.text, kinds).map((branch) =>
      branch.map((operand) => ({ ...operand, expr: readCondition(operand.text) })),
    );
    const at = (offset: number) => {
      const position = lineAndColumn(scanned.text, clause.start + offset, block.startLine);
      return { file, line: position.line, column: position.column };
    };
    const check = (expr: FilterExpr) => analyzeWithOptions(expr, options).verdict;

    for (const found of findAlwaysTrue(clause.text, branches, check)) {
      issues.push({
        code: 'WHERE_ALWAYS_TRUE',
        severity: 'error',
        message:
          `The where condition ${oneLine(found.text)} is always true, so it ` +
          `removes no row.${orOfNegationsHint(found.expr)}`,
        source: at(found.start),
      });
    }
    const never = findNeverTrue(branches, check);
    if (never) {
      issues.push({
        code: 'WHERE_NEVER_TRUE',
        severity: 'error',
        message: `The where condition ${never.text} is never true, so the query returns no rows.`,
        source: at(never.start),
      });
    }
  }
  return issues;
}

/** An `and` operand of a where condition, and its expression when the filter language reads it. */
interface Operand {
  text: string;
  start: number;
  expr: FilterExpr | undefined;
}

type Verdict = ReturnType<typeof analyzeWithOptions>['verdict'];

/**
 * Returns the parts of `condition`, given also as its `or` branches of `and` operands, that are
 * always true: any operand of a branch with more than one operand, and the whole condition.
 */
function findAlwaysTrue(
  condition: string,
  branches: Operand[][],
  check: (expr: FilterExpr) => Verdict,
): Array<{ text: string; start: number; expr: FilterExpr }> {
  const found: Array<{ text: string; start: number; expr: FilterExpr }> = [];
  const first = branches[0]?.[0];
  if (!first) return found;
  for (const branch of branches) {
    if (branches.length > 1 && branch.length === 1) continue;
    for (const operand of branch) {
      if (operand.expr && check(operand.expr) === 'always-true') {
        found.push({ ...operand, expr: operand.expr });
      }
    }
  }
  if (branches.length === 1) return found;

  // A branch with an operand that the filter language cannot read may be false for every row,
  // so only the branches read in full count, and any one of them that is always true is enough.
  const complete = branches.flatMap((branch) => {
    const exprs = branch.flatMap((operand) => (operand.expr ? [operand.expr] : []));
    return exprs.length === branch.length ? [conjunction(exprs)] : [];
  });
  if (complete.length === 0) return found;
  const expr: FilterExpr =
    complete.length === 1 ? conjunction(complete) : { kind: 'or', terms: complete };
  if (check(expr) !== 'always-true') return found;
  const last = branches.at(-1)?.at(-1) ?? first;
  const text = condition.slice(first.start, last.start + last.text.length);
  found.push({ text, start: first.start, expr });
  return found;
}

/**
 * Returns the condition, given as its `or` branches of `and` operands, when it is never true.
 * An operand that the filter language cannot read is left out of its branch, which can only
 * make the branch true for more rows. A branch with no operand left makes the condition unknown.
 */
function findNeverTrue(
  branches: Operand[][],
  check: (expr: FilterExpr) => Verdict,
): { text: string; start: number } | undefined {
  const read = branches.map((branch) => branch.filter((operand) => operand.expr !== undefined));
  const first = read[0]?.[0];
  if (!first || read.some((branch) => branch.length === 0)) return undefined;
  const terms = read.map((branch) => conjunction(branch.map((operand) => operand.expr!)));
  const expr: FilterExpr = terms.length === 1 ? conjunction(terms) : { kind: 'or', terms };
  if (check(expr) !== 'never-true') return undefined;
  const text = read
    .map((branch) => branch.map((operand) => oneLine(operand.text)).join(' and '))
    .join(' or ');
  return { text, start: first.start };
}

function conjunction(terms: FilterExpr[]): FilterExpr {
  return terms.length === 1 && terms[0] ? terms[0] : { kind: 'and', terms };
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
