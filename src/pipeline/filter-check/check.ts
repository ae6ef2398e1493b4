/**
 * The filter checker's entry points: logic checks (always true, never true, redundant terms)
 * from `analyze.ts` and type checks from `check-types.ts`, worded for plain filters and for
 * exclusions, whose filter says which hits to remove.
 */
import type { FilterExpr } from '../../compile/ir.js';
import type { TableSchema } from '../schemas.js';
import { printFilter } from '../filter-lang/print.js';
import { analyzeFilter } from './analyze.js';
import type { AnalyzeOptions, FilterAnalysis, RedundantTerm } from './analyze.js';
import { checkFilterTypes, columnTypeLookup } from './check-types.js';
import { analyzeKustoFilter, rewriteKustoWhere } from './kusto-nulls.js';
import { describeFalseRows } from './missing-rows.js';
import type { FilterCheckOptions, FilterIssue } from './types.js';

/** Analyzes a filter with the column types from the options' schema and extra columns. */
export function analyzeWithOptions(
  expr: FilterExpr,
  options: FilterCheckOptions = {},
): FilterAnalysis {
  return options.nullRules === 'kusto'
    ? analyzeKustoFilter(expr, analyzeOptionsOf(options))
    : analyzeFilter(expr, analyzeOptionsOf(options));
}

function analyzeOptionsOf(options: FilterCheckOptions): AnalyzeOptions {
  return {
    columnType: columnTypeLookup(options),
    ...(options.maxCombinations !== undefined && { maxCombinations: options.maxCombinations }),
  };
}

/**
 * Analyzes the rows that a filter in this role selects: those it keeps, or for an exclusion under
 * Kusto's null rules, those that `where not(filter)` removes, where the filter is true or null.
 */
export function analyzeForRole(
  expr: FilterExpr,
  options: FilterCheckOptions,
  role: 'filter' | 'exclusion',
): FilterAnalysis {
  if (options.nullRules === 'kusto' && role === 'exclusion') {
    return analyzeKustoFilter(expr, analyzeOptionsOf(options), 'not-false');
  }
  return analyzeWithOptions(expr, options);
}

/**
 * Checks a filter: unknown columns and wrong literal types (with a schema), a filter that is
 * always or never true, and terms that cannot change the result. Constant filters are
 * warnings here; {@link checkExclusion} rates them by what they do to a hunt.
 */
export function checkFilter(expr: FilterExpr, options: FilterCheckOptions = {}): FilterIssue[] {
  return checkWithWording(expr, options, 'filter');
}

/**
 * Checks the filter of an exclusion, which removes the hits it is true for. A filter that is
 * always true is an error because it hides every hit; one that is never true is a warning
 * because it removes nothing. A filter that is true wherever some number or bool columns are
 * set, such as `DestinationPort != 4444 or DestinationPort != 8080`, counts as always true,
 * because every hit that matched on such a column has it set.
 */
export function checkExclusion(
  expr: FilterExpr,
  schema: TableSchema | undefined,
  options: Omit<FilterCheckOptions, 'schema'> = {},
): FilterIssue[] {
  const withSchema: FilterCheckOptions = schema ? { ...options, schema } : options;
  return checkWithWording(expr, withSchema, 'exclusion');
}

function checkWithWording(
  expr: FilterExpr,
  options: FilterCheckOptions,
  role: 'filter' | 'exclusion',
): FilterIssue[] {
  const analysis = analyzeForRole(expr, options, role);
  const issues = checkFilterTypes(expr, options);
  if (analysis.verdict === 'always-true') {
    issues.push(alwaysTrueIssue(expr, options, role, []));
  } else if (analysis.verdict === 'never-true') {
    const message =
      role === 'filter'
        ? 'The filter is never true.'
        : 'The exclusion is never true, so it removes nothing.';
    issues.push(constantIssue('FILTER_NEVER_TRUE', 'warning', message));
  } else if (analysis.trueWhenSet) {
    issues.push(alwaysTrueIssue(expr, options, role, analysis.trueWhenSet));
  }
  issues.push(...analysis.redundantTerms.map(redundantIssue));
  if (analysis.verdict === 'unknown') issues.push(undecidedIssue(analysis));
  return issues;
}

/**
 * Builds the always-true issue with advice on what to write instead. `columns` are those that
 * must be set for the filter to be true (see `trueWhenSet`), empty when it is true on every row.
 * Then the message states exactly on which events the filter is false, by the model's rules or,
 * with `nullRules: 'kusto'`, by Kusto's. The model's rules hold for huntpack's own exclusions,
 * because the KQL backend guards each comparison with a number or bool value by `isnotnull()`.
 */
function alwaysTrueIssue(
  expr: FilterExpr,
  options: FilterCheckOptions,
  role: 'filter' | 'exclusion',
  columns: string[],
): FilterIssue {
  const set = `${joinNames(columns, 'and')} ${columns.length === 1 ? 'is' : 'are'} set`;
  const rows = columns.length === 0 ? '' : describeFalseRowsFor(expr, columns, options, role);
  const kusto = options.nullRules === 'kusto';
  if (role === 'filter') {
    const falseOnly = kusto
      ? `Under Kusto's null rules it is false or null only on the events ${rows}.`
      : `It is false only on the events ${rows}, because a comparison on a missing value is false.`;
    const verdict =
      columns.length === 0
        ? 'The filter is always true.'
        : `The filter is true on every event where ${set}. ${falseOnly}`;
    return constantIssue('FILTER_ALWAYS_TRUE', 'warning', verdict);
  }
  const keptOnly = kusto
    ? `Under Kusto's null rules, where not(...) keeps only the events ${rows}.`
    : `It keeps only the events ${rows}, because a comparison on a missing value is false.`;
  const verdict =
    columns.length === 0
      ? 'The exclusion is always true, so it removes every hit and the hunt finds nothing.'
      : `The exclusion is true on every event where ${set}, so it removes every such hit. ${keptOnly}`;
  const advice =
    columns.length === 0
      ? ' Narrow the filter to the benign events it should remove.'
      : ' Narrow the filter to the benign events it should remove, or write ' +
        `${columns.map((column) => `isnotempty(${column})`).join(' and ')} to remove every ` +
        `event where ${set}.`;
  return constantIssue('FILTER_ALWAYS_TRUE', 'error', `${verdict}${advice}`);
}

/**
 * Describes the events the filter is false on, under the null rules of the options. Under
 * Kusto's rules these are the events a filter drops, or those an exclusion keeps.
 */
function describeFalseRowsFor(
  expr: FilterExpr,
  columns: string[],
  options: FilterCheckOptions,
  role: 'filter' | 'exclusion',
): string {
  const columnType = columnTypeLookup(options);
  if (options.nullRules !== 'kusto') return describeFalseRows(expr, columns, { columnType });
  const keptWhen = role === 'filter' ? 'true' : 'not-false';
  const descriptions = new Set(
    rewriteKustoWhere(expr, columnType, keptWhen).variants.map((variant) =>
      describeFalseRows(variant, columns, { columnType }),
    ),
  );
  const [only] = descriptions;
  if (descriptions.size === 1 && only !== undefined) return only;
  return (
    `among those where ${joinNames(columns)} ${columns.length === 1 ? 'is' : 'are'} missing ` +
    '(which of them could not be decided exactly)'
  );
}

function joinNames(names: string[], conjunction: 'and' | 'or' = 'or'): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
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
