/**
 * Finds Kusto's KS500 advice (use `has` in place of `contains`) where `has` would match a host
 * loosely. Kusto ends a term at every character but a letter or digit, so
 * `RemoteUrl has "evil.com"` also matches evil.com.example.net. The comparison after the advice
 * is judged by the same LOOSE_MATCH check that `huntpack lint` runs.
 */
import type { KqlDiagnostic } from './kusto.js';
import { makeBlock } from './lint/kql-blocks.js';
import { scanKql } from './lint/kql-scan.js';
import { TERM_SPLIT_NOTE, lintLooseMatches } from './lint/loose-match.js';

/** Code of Kusto's "Avoid using the 'contains' operator" suggestion. */
const AVOID_CONTAINS = 'KS500';

/** A KS500 advice whose `has` comparison would match other hosts, with a note about it. */
export interface LooseHasAdvice {
  /** The KS500 diagnostic, whose span is the `contains` operator. */
  diagnostic: KqlDiagnostic;
  message: string;
}

/**
 * Returns the `has` operator that KS500 suggests for a `contains` operator, as the fix of
 * AvoidUsingContainsAnalyzer in @kusto/language-service-next 12.4 writes it (`contains_cs` to
 * `has_cs`, `!contains` to `!has`), or undefined for any other operator.
 */
export function suggestedHasOperator(operator: string): string | undefined {
  const match = /^(!|not)?contains(_?cs)?$/i.exec(operator);
  if (!match) return undefined;
  return `${match[1] ? '!' : ''}has${match[2] ? '_cs' : ''}`;
}

/**
 * Checks each KS500 diagnostic of `query`: when the comparison with the suggested `has` is one
 * that LOOSE_MATCH flags, returns a note about it that names `huntpack lint FILE`.
 */
export function findLooseHasAdvice(
  query: string,
  diagnostics: readonly KqlDiagnostic[],
  file: string,
): LooseHasAdvice[] {
  const advice: LooseHasAdvice[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.code !== AVOID_CONTAINS) continue;
    const { start, end } = diagnostic;
    const operator = suggestedHasOperator(query.slice(start, end));
    if (operator === undefined) continue;

    const advised = query.slice(0, start) + operator + query.slice(end);
    const findings = lintLooseMatches(makeBlock([advised], 1), scanKql(advised), file);
    const finding = findings.find((item) => item.start <= start && start < item.end);
    if (!finding) continue;
    const comparison = advised.slice(finding.start, finding.end);
    const effect = operator.startsWith('!') ? 'also removes' : 'also matches';
    advice.push({
      diagnostic,
      message:
        `Do not follow the ${AVOID_CONTAINS} advice here: ${comparison} ${effect} longer names and URLs that contain the value. ` +
        `${TERM_SPLIT_NOTE} For an exact comparison, run: huntpack lint ${file}`,
    });
  }
  return advice;
}
