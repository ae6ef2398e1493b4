/**
 * Plain-English descriptions of filters, such as "removes only events where process.name is
 * "backup.exe" and process.command_line contains neither "encrypt" nor "base64"".
 */
import type { FilterExpr } from '../../compile/ir.js';
import { printLiteral } from '../filter-lang/print.js';
import type { TermPath } from './analyze.js';
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

  const dropped = dropTerms(
    expr,
    analysis.redundantTerms.map((term) => term.path),
  );
  let condition = toCondition(dropped, role === 'keep');
  if (options.nullRules === 'kusto') condition = markKustoMissing(condition, expr, options);
  const simplified = simplifyCondition(condition);
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

/** Replaces redundant terms by the neutral value of their parent, so they drop out. */
function dropTerms(expr: FilterExpr, paths: TermPath[]): FilterExpr {
  const replace = (node: FilterExpr, path: TermPath): FilterExpr => {
    if (node.kind !== 'and' && node.kind !== 'or' && node.kind !== 'not') return node;
    if (node.kind === 'not') return { kind: 'not', term: replace(node.term, [...path, 0]) };
    const neutral: FilterExpr = { kind: 'const', value: node.kind === 'and' };
    const terms = node.terms.map((term, index) => {
      const childPath = [...path, index];
      const dropped = paths.some(
        (p) => p.length === childPath.length && p.every((v, i) => v === childPath[i]),
      );
      return dropped ? neutral : replace(term, childPath);
    });
    return { kind: node.kind, terms };
  };
  return replace(expr, []);
}

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
