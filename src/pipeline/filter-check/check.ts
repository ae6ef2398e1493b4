/**
 * The filter checker's entry points: logic checks (always true, never true, redundant terms)
 * from `analyze.ts` and type checks from `check-types.ts`, worded for plain filters and for
 * exclusions, whose filter says which hits to remove.
 */
import type { FilterExpr } from '../../compile/ir.js';
import type { TableSchema } from '../schemas.js';
import { printFilter } from '../filter-lang/print.js';
import { analyzeFilter } from './analyze.js';
import type { FilterAnalysis, RedundantTerm } from './analyze.js';
import { checkFilterTypes, columnTypeLookup } from './check-types.js';
import type { FilterCheckOptions, FilterIssue } from './types.js';

/** Analyzes a filter with the column types from the options' schema and extra columns. */
export function analyzeWithOptions(
  expr: FilterExpr,
  options: FilterCheckOptions = {},
): FilterAnalysis {
  return analyzeFilter(expr, {
    columnType: columnTypeLookup(options),
    ...(options.maxCombinations !== undefined && { maxCombinations: options.maxCombinations }),
  });
}

/**
 * Checks a filter: unknown columns and wrong literal types (with a schema), a filter that is
 * always or never true, and terms that cannot change the result. Constant filters are
 * warnings here; {@link checkExclusion} rates them by what they do to a hunt.
 */
export function checkFilter(expr: FilterExpr, options: FilterCheckOptions = {}): FilterIssue[] {
  const analysis = analyzeWithOptions(expr, options);
  const issues = checkFilterTypes(expr, options);
  if (analysis.verdict === 'always-true') {
    issues.push(constantIssue('FILTER_ALWAYS_TRUE', 'warning', 'The filter is always true.'));
  } else if (analysis.verdict === 'never-true') {
    issues.push(constantIssue('FILTER_NEVER_TRUE', 'warning', 'The filter is never true.'));
  }
  issues.push(...analysis.redundantTerms.map(redundantIssue));
  if (analysis.verdict === 'unknown') issues.push(undecidedIssue(analysis));
  return issues;
}

/**
 * Checks the filter of an exclusion, which removes the hits it is true for. A filter that is
 * always true is an error because it hides every hit; one that is never true is a warning
 * because it removes nothing.
 */
export function checkExclusion(
  expr: FilterExpr,
  schema: TableSchema | undefined,
  options: Omit<FilterCheckOptions, 'schema'> = {},
): FilterIssue[] {
  const withSchema: FilterCheckOptions = schema ? { ...options, schema } : options;
  return checkFilter(expr, withSchema).map((issue) => {
    if (issue.code === 'FILTER_ALWAYS_TRUE') {
      return {
        ...issue,
        severity: 'error',
        message:
          'The exclusion is always true, so it removes every hit and the hunt finds nothing.',
      };
    }
    if (issue.code === 'FILTER_NEVER_TRUE') {
      return { ...issue, message: 'The exclusion is never true, so it removes nothing.' };
    }
    return issue;
  });
}

function constantIssue(
  code: string,
  severity: FilterIssue['severity'],
  message: string,
): FilterIssue {
  return { code, severity, message, path: [] };
}

function redundantIssue(redundant: RedundantTerm): FilterIssue {
  const text = printFilter(redundant.term);
  let message =
    redundant.effect === 'none'
      ? `The term ${text} never changes the result, because the rest of the filter decides every case.`
      : `Removing the term ${text} does not change which events the filter matches.`;
  if (redundant.alone === 'always-true') message += ' The term itself is always true.';
  if (redundant.alone === 'never-true') message += ' The term itself is never true.';
  return {
    code: 'FILTER_REDUNDANT_TERM',
    severity: 'warning',
    message: `${message} Remove it, or check which condition was meant.`,
    path: redundant.path,
  };
}

function undecidedIssue(analysis: FilterAnalysis): FilterIssue {
  return {
    code: 'FILTER_UNDECIDED',
    severity: 'info',
    message: `The checker cannot tell exactly whether the filter is ever true or always true: ${analysis.notes.join('; ')}.`,
    path: [],
  };
}
