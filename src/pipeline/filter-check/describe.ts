/**
 * Plain-English descriptions of filters, such as "removes only events where process.name is
 * "backup.exe" and process.command_line contains neither "encrypt" nor "base64"".
 */
import type { FilterExpr } from '../../compile/ir.js';
import { printLiteral } from '../filter-lang/print.js';
import type { FilterAnalysis, TermPath } from './analyze.js';
import { analyzeForRole } from './check.js';
import { columnTypeLookup } from './check-types.js';
import type { FilterAtom } from './evaluate.js';
import { lookupNullValues } from './kusto-nulls.js';
import type { FilterCheckOptions } from './types.js';

export interface DescribeOptions extends FilterCheckOptions {
  /**
   * `remove` (default): the filter names the events to remove, as an exclusion's does.
   * `keep`: the filter names the events to keep, as a hand-written "Filter/Exclusion" line does.
   * With `nullRules: 'kusto'`, a kept filter runs as `where filter` and a removing one as
   * `where not(filter)`.
   */
  role?: 'remove' | 'keep';
}

/** A filter in negation normal form: `not` sits only on atoms. */
export type Condition =
  | { kind: 'const'; value: boolean }
  | { kind: 'and' | 'or'; terms: Condition[] }
  | {
      kind: 'atom';
      atom: FilterAtom;
      negated: boolean;
      /**
       * Whether the condition is true where the atom's column is missing, or `unknown` when
       * Kusto's docs do not state it. When absent, the model's rule applies: a comparison on a
       * missing value is false, so the negated one is true.
       */
      onMissing?: boolean | 'unknown';
    };

/** Describes in one sentence which events a filter removes or keeps. */
export function describeFilter(expr: FilterExpr, options: DescribeOptions = {}): string {
  const role = options.role ?? 'remove';
  const analysis = analyzeForRole(expr, options, role === 'keep' ? 'filter' : 'exclusion');
  const opposite = role === 'remove' ? 'keeps' : 'removes';
  if (analysis.verdict === 'always-true') {
    return `${role === 'remove' ? 'removes' : 'keeps'} every event: the condition is always true`;
  }
  if (analysis.verdict === 'never-true')
    return `${opposite} every event: the condition is never true`;

  const dropped = dropRedundantTerms(expr, analysis, (next) =>
    analyzeForRole(next, options, role === 'keep' ? 'filter' : 'exclusion'),
  );
  let condition = toCondition(dropped, role === 'keep');
  if (options.nullRules === 'kusto') condition = markKustoMissing(condition, expr, options);
  let simplified = simplifyCondition(condition);
  if (options.nullRules === 'kusto') simplified = settleMissing(simplified);
  const caveat = analysis.exact ? '' : ' (not every case could be checked exactly)';
  return `removes only events where ${describeCondition(simplified, false)}${caveat}`;
}

/** Describes a filter as a condition, without saying what happens to the events. */
export function describeCondition(condition: Condition, nested: boolean): string {
  switch (condition.kind) {
    case 'const':
      return condition.value ? 'always' : 'never';
    case 'atom':
      return describeAtom(condition.atom, condition.negated, condition.onMissing);
    case 'and':
    case 'or': {
      const parts = groupTerms(condition);
      const text = parts.join(` ${condition.kind} `);
      return nested && parts.length > 1 ? `(${text})` : text;
    }
  }
}

/**
 * Removes redundant terms one at a time, analyzing the filter again after each. Each term is
 * redundant given the others, so two of them cannot always both go. In `x == "a" or x == "a"`
 * either term can be removed, but not both.
 */
function dropRedundantTerms(
  expr: FilterExpr,
  analysis: FilterAnalysis,
  analyze: (next: FilterExpr) => FilterAnalysis,
): FilterExpr {
  let current = expr;
  // A constant is never picked, so each removal takes one term out of the tree and the loop ends.
  const pick = (found: FilterAnalysis) =>
    found.redundantTerms.find((term) => term.path.length > 0 && term.term.kind !== 'const');
  let redundant = pick(analysis);
  while (redundant) {
    current = removeTerm(current, redundant.path);
    redundant = pick(analyze(current));
  }
  return current;
}

/**
 * Removes the term at `path` from its and/or. A term under `not` has no parent to leave, so it
 * becomes the constant `true`.
 */
function removeTerm(expr: FilterExpr, path: TermPath): FilterExpr {
  const [head, ...rest] = path;
  if (head === undefined) return expr;
  if (expr.kind === 'not') {
    return { kind: 'not', term: rest.length === 0 ? TRUE : removeTerm(expr.term, rest) };
  }
  if (expr.kind !== 'and' && expr.kind !== 'or') return expr;
  if (rest.length > 0) {
    const terms = expr.terms.map((term, index) => (index === head ? removeTerm(term, rest) : term));
    return { kind: expr.kind, terms };
  }
  const terms = expr.terms.filter((_, index) => index !== head);
  return { kind: expr.kind, terms };
}

const TRUE: FilterExpr = { kind: 'const', value: true };

/**
 * Marks on each atom of a condition in negation normal form whether it is true where its column
 * is missing, under Kusto's null rules. Both roles describe rows where a null counts: a kept
 * filter removes the rows where it is not true, and `where not(filter)` removes those where the
 * filter is not false. So a negated atom means "not true", which a null meets unless the atom is
 * true there, and a plain atom means "not false", which a null meets unless the atom is false.
 */
function markKustoMissing(
  condition: Condition,
  expr: FilterExpr,
  options: FilterCheckOptions,
): Condition {
  const nullValueOf = lookupNullValues(expr, columnTypeLookup(options));
  const mark = (node: Condition): Condition => {
    if (node.kind === 'and' || node.kind === 'or') {
      return { kind: node.kind, terms: node.terms.map(mark) };
    }
    if (node.kind !== 'atom') return node;
    const value = nullValueOf(node.atom);
    if (value === undefined) return { ...node, onMissing: false };
    if (value === 'unknown') return { ...node, onMissing: 'unknown' };
    return { ...node, onMissing: node.negated ? value !== true : value !== false };
  };
  return mark(condition);
}

/**
 * Settles the missing case of each group that tests a column for emptiness. In an `and` with
 * "C is not empty", no other atom on C is true on a missing C, and the test itself goes when
 * another atom on C stays, because that atom's words then imply a set value. In an `or` with
 * "C is empty or missing", the other atoms on C need no "(or missing)".
 */
function settleMissing(condition: Condition): Condition {
  if (condition.kind !== 'and' && condition.kind !== 'or') return condition;
  const group = { kind: condition.kind, terms: condition.terms.map(settleMissing) };
  const emptyTest = group.kind === 'or';
  const tested = new Set(
    group.terms.flatMap((term) =>
      term.kind === 'atom' && term.atom.kind === 'empty' && term.negated !== emptyTest
        ? [term.atom.column]
        : [],
    ),
  );
  if (tested.size === 0) return group;
  const isTest = (term: Condition) =>
    term.kind === 'atom' && term.atom.kind === 'empty' && tested.has(term.atom.column);
  const terms = group.terms.map((term) =>
    term.kind === 'atom' && !isTest(term) && tested.has(term.atom.column)
      ? { ...term, onMissing: false }
      : term,
  );
  if (emptyTest) return { kind: group.kind, terms };
  const kept = terms.filter(
    (term) =>
      !isTest(term) ||
      !terms.some(
        (other) =>
          other.kind === 'atom' &&
          !isTest(other) &&
          term.kind === 'atom' &&
          other.atom.column === term.atom.column,
      ),
  );
  return { kind: group.kind, terms: kept };
}

/** Pushes negations down to the atoms. */
export function toCondition(expr: FilterExpr, negate: boolean): Condition {
  switch (expr.kind) {
    case 'const':
      return { kind: 'const', value: expr.value !== negate };
    case 'not':
      return toCondition(expr.term, !negate);
    case 'and':
    case 'or': {
      const kind = (expr.kind === 'and') !== negate ? 'and' : 'or';
      return { kind, terms: expr.terms.map((term) => toCondition(term, negate)) };
    }
    default:
      return { kind: 'atom', atom: expr, negated: negate };
  }
}

/** Folds constants, flattens nested groups of the same kind and unwraps one-term groups. */
export function simplifyCondition(condition: Condition): Condition {
  if (condition.kind !== 'and' && condition.kind !== 'or') return condition;
  const absorbing = condition.kind === 'or';
  const terms: Condition[] = [];
  for (const term of condition.terms.map(simplifyCondition)) {
    if (term.kind === 'const') {
      if (term.value === absorbing) return term;
      continue;
    }
    if (term.kind === condition.kind) terms.push(...term.terms);
    else terms.push(term);
  }
  if (terms.length === 0) return { kind: 'const', value: !absorbing };
  if (terms.length === 1 && terms[0]) return terms[0];
  return { kind: condition.kind, terms };
}

/**
 * Describes the terms of a group, merging negated `contains` or equality atoms on one column
 * in an `and` ("contains neither "a" nor "b"") and plain ones in an `or` ("is "a" or "b"").
 */
function groupTerms(condition: { kind: 'and' | 'or'; terms: Condition[] }): string[] {
  const negated = condition.kind === 'and';
  const groups = new Map<string, Array<Extract<Condition, { kind: 'atom' }>>>();
  const order: Array<string | Condition> = [];
  for (const term of condition.terms) {
    // An atom that is true on a missing value keeps its own "(or missing)" note, so it stays alone.
    const key =
      term.kind === 'atom' && term.negated === negated && !isTrueOnMissing(term)
        ? mergeKey(term.atom)
        : undefined;
    if (!key || term.kind !== 'atom') {
      order.push(term);
      continue;
    }
    if (!groups.has(key)) order.push(key);
    groups.set(key, [...(groups.get(key) ?? []), term]);
  }
  return order.map((entry) => {
    if (typeof entry !== 'string') return describeCondition(entry, true);
    const terms = groups.get(entry) ?? [];
    const first = terms[0]!;
    if (terms.length === 1) return describeAtom(first.atom, negated, first.onMissing);
    return describeMerged(
      first.atom,
      terms.map((term) => literalText(term.atom)),
      negated,
    );
  });
}

function isTrueOnMissing(term: Extract<Condition, { kind: 'atom' }>): boolean {
  return term.onMissing === true || term.onMissing === 'unknown';
}

function mergeKey(atom: FilterAtom): string | undefined {
  if (atom.kind === 'text' && atom.op === 'contains') return `contains ${atom.column}`;
  if (atom.kind === 'compare' && atom.op === '==' && typeof atom.value === 'string') {
    return `is ${atom.column} ${String(!!atom.caseInsensitive)}`;
  }
  return undefined;
}

function literalText(atom: FilterAtom): string {
  return atom.kind === 'text' || atom.kind === 'compare' ? printLiteral(atom.value) : '';
}

function describeMerged(first: FilterAtom, values: string[], negated: boolean): string {
  const verb = first.kind === 'text' ? 'contains' : 'is';
  const suffix = first.kind === 'compare' && first.caseInsensitive ? ' (any case)' : '';
  if (!negated) return `${first.column} ${verb} ${values.join(' or ')}${suffix}`;
  const list =
    values.length === 2 ? `neither ${values[0]} nor ${values[1]}` : `none of ${values.join(', ')}`;
  return `${first.column} ${verb} ${list}${suffix}`;
}

const ORDER_WORDS: Record<string, [string, string]> = {
  '<': ['is less than', 'is at least'],
  '<=': ['is at most', 'is more than'],
  '>': ['is more than', 'is at most'],
  '>=': ['is at least', 'is less than'],
};

function describeAtom(atom: FilterAtom, negated: boolean, onMissing?: boolean | 'unknown'): string {
  if (atom.kind === 'empty') {
    return negated ? `${atom.column} is not empty` : `${atom.column} is empty or missing`;
  }
  // By the model's rule a comparison on a missing number is false, so its negation is true.
  const modelMissing = negated && atom.kind === 'compare' && typeof atom.value !== 'string';
  let missing = '';
  if (onMissing === 'unknown') missing = ' (whether missing values count is not documented)';
  else if (onMissing ?? modelMissing) missing = ' (or missing)';
  return `${describeSetAtom(atom, negated)}${missing}`;
}

/** Describes an atom on the rows where its column is set. */
function describeSetAtom(atom: Exclude<FilterAtom, { kind: 'empty' }>, negated: boolean): string {
  const column = atom.column;
  switch (atom.kind) {
    case 'text': {
      const words = {
        contains: ['contains', 'does not contain'],
        startswith: ['starts with', 'does not start with'],
        endswith: ['ends with', 'does not end with'],
      }[atom.op];
      return `${column} ${words[negated ? 1 : 0]} ${printLiteral(atom.value)}`;
    }
    case 'cidr':
      return `${column} is ${negated ? 'in none of' : 'in'} ${atom.ranges.map(printLiteral).join(', ')}`;
    case 'in': {
      const suffix = atom.caseInsensitive ? ' (any case)' : '';
      return `${column} is ${negated ? 'none of' : 'one of'} ${atom.values.map(printLiteral).join(', ')}${suffix}`;
    }
    case 'compare':
      return describeCompare(atom, negated);
  }
}

function describeCompare(atom: Extract<FilterAtom, { kind: 'compare' }>, negated: boolean): string {
  const value = printLiteral(atom.value);
  const suffix = atom.caseInsensitive ? ' (any case)' : '';
  let words: string;
  if (atom.op === '==' || atom.op === '!=') {
    const equal = (atom.op === '==') !== negated;
    words = equal ? 'is' : 'is not';
  } else {
    const pair = ORDER_WORDS[atom.op] ?? [atom.op, `not ${atom.op}`];
    words = pair[negated ? 1 : 0];
  }
  return `${atom.column} ${words} ${value}${suffix}`;
}
