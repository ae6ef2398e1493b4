/**
 * Describes the events that a filter is false on when it is true on every event where some
 * number or bool columns are set (`trueWhenSet`). The filter is then false only where some of
 * them are missing, because a comparison on a missing value is false. The description names
 * each pattern of missing columns on which the filter is false, with the values of the other
 * columns that it needs there.
 */
import type { FilterExpr } from '../../compile/ir.js';
import { findMissingPatterns, type AnalyzeOptions, type MissingPattern } from './analyze.js';
import { describeCondition, simplifyCondition, toCondition, type Condition } from './describe.js';

/**
 * Returns the events on which `expr` is false, as a phrase such as `where Port is missing` or
 * `where A and B are both missing`. When the patterns cannot be decided exactly (with more than
 * four number or bool columns, for example), the phrase names the columns of `trueWhenSet` and
 * states that the events are some of those where one of them is missing.
 */
export function describeFalseRows(
  expr: FilterExpr,
  trueWhenSet: string[],
  options: AnalyzeOptions = {},
): string {
  const patterns = findMissingPatterns(expr, options);
  const fallback =
    `among those where ${joinColumns(trueWhenSet, 'or')} ` +
    `${trueWhenSet.length === 1 ? 'is' : 'are'} missing (which of them could not be decided exactly)`;
  if (!patterns) return fallback;
  // The pattern with the most columns missing lists every number or bool column of the filter.
  const nullable = patterns.reduce<string[]>(
    (widest, pattern) => (pattern.missing.length > widest.length ? pattern.missing : widest),
    [],
  );
  const full = patterns.filter((pattern) => pattern.verdict === 'never-true');
  const partial = patterns.filter((pattern) => pattern.verdict === 'depends');

  const upwardClosed = full.every((pattern) =>
    nullable.every(
      (column) =>
        pattern.missing.includes(column) ||
        full.some((other) => sameColumns(other.missing, [...pattern.missing, column])),
    ),
  );
  const phrases: Array<{ size: number; text: string }> = [];
  if (upwardClosed) {
    const minimal = full.filter(
      (pattern) =>
        !full.some(
          (other) =>
            other !== pattern && other.missing.every((column) => pattern.missing.includes(column)),
        ),
    );
    if (minimal.length > 1 && minimal.every((pattern) => pattern.missing.length === 1)) {
      const names = minimal.map((pattern) => pattern.missing[0] ?? '');
      phrases.push({ size: 1, text: `${joinColumns(names, 'or')} is missing` });
    } else {
      for (const pattern of minimal) {
        phrases.push({ size: pattern.missing.length, text: missingWords(pattern.missing) });
      }
    }
  } else {
    for (const pattern of full) {
      phrases.push({ size: pattern.missing.length, text: patternWords(pattern, nullable) });
    }
  }
  for (const pattern of partial) {
    phrases.push({ size: pattern.missing.length, text: patternWords(pattern, nullable) });
  }
  if (phrases.length === 0) return fallback;
  phrases.sort((a, b) => a.size - b.size);
  return phrases.map((phrase) => `where ${phrase.text}`).join(', or ');
}

/**
 * Describes one pattern: its missing columns, the condition on the other columns under which the
 * filter is false there, and each other number or bool column that the condition leaves open,
 * which is set on these events.
 */
function patternWords(pattern: MissingPattern, nullable: string[]): string {
  const parts = pattern.missing.length > 0 ? [missingWords(pattern.missing)] : [];
  const condition =
    pattern.verdict === 'depends'
      ? setOnly(simplifyCondition(toCondition(pattern.reduced, true)))
      : undefined;
  const implied = condition ? impliedSet(condition) : new Set<string>();
  const set = nullable.filter(
    (column) => !pattern.missing.includes(column) && !implied.has(column),
  );
  if (set.length > 0)
    parts.push(`${joinColumns(set, 'and')} ${set.length === 1 ? 'is' : 'are'} set`);
  if (condition) parts.push(describeCondition(condition, true));
  return joinColumns(parts, 'and');
}

/**
 * Rewrites the negated number comparisons of a condition as their opposite comparison, which is
 * the same on a set value. `describeCondition` marks a negated number comparison as true on a
 * missing value too, which these events, where the column is set, never have.
 */
function setOnly(condition: Condition): Condition {
  if (condition.kind === 'and' || condition.kind === 'or') {
    return { kind: condition.kind, terms: condition.terms.map(setOnly) };
  }
  if (condition.kind !== 'atom' || !condition.negated) return condition;
  const atom = condition.atom;
  if (atom.kind !== 'compare' || typeof atom.value === 'string') return condition;
  return { kind: 'atom', atom: { ...atom, op: OPPOSITE[atom.op] }, negated: false };
}

const OPPOSITE = { '==': '!=', '!=': '==', '<': '>=', '>=': '<', '<=': '>', '>': '<=' } as const;

/** Returns the columns that a condition compares in every case, so they are set where it holds. */
function impliedSet(condition: Condition): Set<string> {
  if (condition.kind === 'atom') {
    const { atom } = condition;
    return atom.kind === 'compare' && !condition.negated ? new Set([atom.column]) : new Set();
  }
  if (condition.kind === 'and') {
    return new Set(condition.terms.flatMap((term) => [...impliedSet(term)]));
  }
  return new Set();
}

function missingWords(columns: string[]): string {
  if (columns.length === 1) return `${columns[0]} is missing`;
  const both = columns.length === 2 ? 'both' : 'all';
  return `${joinColumns(columns, 'and')} are ${both} missing`;
}

function sameColumns(left: string[], right: string[]): boolean {
  return left.length === right.length && left.every((column) => right.includes(column));
}

function joinColumns(names: string[], conjunction: 'and' | 'or'): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
}
