/**
 * Exact analysis of a filter: is it always true, never true, or does some term never change
 * the result? The analysis enumerates every reachable combination of atom truth values (see
 * `domain.ts`) and evaluates the filter's logic on each, so atoms on the same column interact:
 * `x != "a" or x != "b"` is always true and `x == "a" and x == "b"` is never true.
 */
import type { ColumnType, FilterExpr } from '../../compile/ir.js';
import { buildColumnModel } from './domain.js';
import type { ColumnModel } from './domain.js';
import { evaluateAtom, evaluateWith } from './evaluate.js';
import type { FilterAtom } from './evaluate.js';

/** Indexes from the root to a term: `terms[i]` of and/or, `0` for the operand of not. */
export type TermPath = number[];

export type FilterVerdict = 'always-true' | 'never-true' | 'depends' | 'unknown';

export interface RedundantTerm {
  path: TermPath;
  term: FilterExpr;
  /** The term's own verdict, such as `never-true` for `port > 70000` on a port column. */
  alone: FilterVerdict;
  /**
   * `none`: replacing the term by true and by false gives an equivalent filter, so its value
   * never matters. `removable`: dropping the term from its and/or gives an equivalent filter,
   * although the term's value matters elsewhere, as `x != "b"` in `x != "a" or (x != "b" and y)`.
   */
  effect: 'none' | 'removable';
}

export interface FilterAnalysis {
  /**
   * `depends` when the filter is true for some rows and false for others; `unknown` when the
   * checker cannot tell `depends` from a constant (see `notes`).
   */
  verdict: FilterVerdict;
  /** Outermost terms whose value never matters, or that can be dropped from their and/or. */
  redundantTerms: RedundantTerm[];
  /** False when some verdicts rest on an approximation; found redundancies still hold. */
  exact: boolean;
  /** Why the analysis is not exact, in plain words. */
  notes: string[];
  /**
   * Number or bool columns such that the filter, though not always true, is true on every row
   * where all of them are set: `port != 1 or port != 2` is false only where `port` is missing,
   * because a comparison on a missing value is false. Absent when no such columns exist.
   */
  trueWhenSet?: string[];
}

export interface AnalyzeOptions {
  /** Returns a column's type, or undefined to infer it from the literals. */
  columnType?: (column: string) => ColumnType | undefined;
  /** Maximum number of combinations to evaluate before giving up; default 200000. */
  maxCombinations?: number;
}

const DEFAULT_MAX_COMBINATIONS = 200_000;

/** Analyzes a filter; see {@link FilterAnalysis}. */
export function analyzeFilter(expr: FilterExpr, options: AnalyzeOptions = {}): FilterAnalysis {
  const variables = indexAtoms(expr);
  const models = buildModels(variables.atoms, options.columnType);
  const notes = models.flatMap((model) => model.notes);
  const assignments = enumerateAssignments(models, variables.atoms.length, options.maxCombinations);
  if (!assignments) {
    notes.push('too many combinations of conditions to check them all');
    return { verdict: 'unknown', redundantTerms: [], exact: false, notes };
  }
  const exact = models.every((model) => model.exact);
  const valueOf = (assignment: boolean[]) => atomValues(variables, assignment);

  const verdict = judge(
    assignments.map((a) => evaluateWith(expr, valueOf(a))),
    exact,
  );
  if (verdict === 'always-true' || verdict === 'never-true') {
    return { verdict, redundantTerms: [], exact, notes };
  }
  const trueWhenSet = findColumnsTrueWhenSet(expr, variables, options);
  const results = assignments.map((a) => evaluateWith(expr, valueOf(a)));
  const redundantTerms: RedundantTerm[] = [];
  collectRedundant(expr, [], (path, parent) => {
    const pinned = (value: boolean): boolean[] =>
      assignments.map((a) => evaluatePinned(expr, path, value, valueOf(a)));
    const forcedTrue = pinned(true);
    const forcedFalse = pinned(false);
    let effect: RedundantTerm['effect'] | undefined;
    if (forcedTrue.every((value, index) => value === forcedFalse[index])) effect = 'none';
    else if (parent.kind === 'and' && sameResults(forcedTrue, results)) effect = 'removable';
    else if (parent.kind === 'or' && sameResults(forcedFalse, results)) effect = 'removable';
    if (!effect) return false;
    const term = termAt(expr, path);
    const alone = judge(
      assignments.map((a) => evaluateWith(term, valueOf(a))),
      exact,
    );
    redundantTerms.push({ path, term, alone, effect });
    return true;
  });
  return { verdict, redundantTerms, exact, notes, ...(trueWhenSet && { trueWhenSet }) };
}

interface AtomVariables {
  atoms: FilterAtom[];
  index: Map<string, number>;
}

function atomValues(
  variables: AtomVariables,
  assignment: boolean[],
): (atom: FilterAtom) => boolean {
  return (atom) => assignment[variables.index.get(atomKey(atom)) ?? -1] === true;
}

/**
 * Returns a smallest set of number or bool columns found greedily such that the filter is true
 * on every row where they are set, or undefined when even all of them together leave a row
 * where the filter is false.
 */
function findColumnsTrueWhenSet(
  expr: FilterExpr,
  variables: AtomVariables,
  options: AnalyzeOptions,
): string[] | undefined {
  const isTrueWhenSet = (columns: ReadonlySet<string>): boolean =>
    evaluateWithSetColumns(expr, variables, options, columns)?.results.every(Boolean) ?? false;
  const candidates = listNullableColumns(variables.atoms, options.columnType);
  let needed = new Set(candidates);
  if (candidates.length === 0 || !isTrueWhenSet(needed)) return undefined;
  for (const column of candidates) {
    const without = new Set([...needed].filter((other) => other !== column));
    if (isTrueWhenSet(without)) needed = without;
  }
  return [...needed];
}

/** Lists the number and bool columns of the atoms, whose missing value a model can leave out. */
function listNullableColumns(
  atoms: FilterAtom[],
  columnType: AnalyzeOptions['columnType'],
): string[] {
  const everyColumn = new Set(atoms.map((atom) => atom.column));
  return buildModels(atoms, columnType, everyColumn)
    .filter((model) => model.setOnly)
    .map((model) => model.column);
}

/**
 * Evaluates a filter on every combination of its atoms' values where the columns in `setOnly`
 * are set. Returns the results and whether every column model is exact, or undefined above the
 * options' limit of combinations.
 */
function evaluateWithSetColumns(
  expr: FilterExpr,
  variables: AtomVariables,
  options: AnalyzeOptions,
  setOnly: ReadonlySet<string>,
): { results: boolean[]; exact: boolean } | undefined {
  const models = buildModels(variables.atoms, options.columnType, setOnly);
  const assignments = enumerateAssignments(models, variables.atoms.length, options.maxCombinations);
  if (!assignments) return undefined;
  const results = assignments.map((assignment) =>
    evaluateWith(expr, atomValues(variables, assignment)),
  );
  return { results, exact: models.every((model) => model.exact) };
}

function sameResults(left: boolean[], right: boolean[]): boolean {
  return left.every((value, index) => value === right[index]);
}

function judge(results: boolean[], exact: boolean): FilterVerdict {
  if (results.every(Boolean)) return 'always-true';
  if (!results.some(Boolean)) return 'never-true';
  return exact ? 'depends' : 'unknown';
}

/** A key that is equal for atoms that always have the same truth value. */
export function atomKey(atom: FilterAtom): string {
  switch (atom.kind) {
    case 'compare':
      return JSON.stringify([atom.kind, atom.column, atom.op, atom.value, !!atom.caseInsensitive]);
    case 'in':
      return JSON.stringify([atom.kind, atom.column, atom.values, !!atom.caseInsensitive]);
    case 'text':
      return JSON.stringify([atom.kind, atom.column, atom.op, atom.value.toLowerCase()]);
    case 'cidr':
      return JSON.stringify([atom.kind, atom.column, atom.ranges]);
    case 'empty':
      return JSON.stringify([atom.kind, atom.column]);
  }
}

/** Lists every atom of a filter in first-seen order, once per distinct key. */
export function listAtoms(expr: FilterExpr): FilterAtom[] {
  return indexAtoms(expr).atoms;
}

function indexAtoms(expr: FilterExpr): AtomVariables {
  const atoms: FilterAtom[] = [];
  const index = new Map<string, number>();
  const visit = (node: FilterExpr): void => {
    if (node.kind === 'and' || node.kind === 'or') node.terms.forEach(visit);
    else if (node.kind === 'not') visit(node.term);
    else if (node.kind !== 'const' && !index.has(atomKey(node))) {
      index.set(atomKey(node), atoms.length);
      atoms.push(node);
    }
  };
  visit(expr);
  return { atoms, index };
}

/**
 * Models each column; `atomIndexes` maps the model's atoms back to variable numbers. Columns
 * in `setOnly` are modelled without their missing value where that is possible.
 */
function buildModels(
  atoms: FilterAtom[],
  columnType: AnalyzeOptions['columnType'],
  setOnly: ReadonlySet<string> = new Set(),
): Array<ColumnModel & { atomIndexes: number[] }> {
  const byColumn = new Map<string, number[]>();
  atoms.forEach((atom, index) => {
    byColumn.set(atom.column, [...(byColumn.get(atom.column) ?? []), index]);
  });
  return [...byColumn].map(([column, indexes]) => {
    const model = buildColumnModel(
      column,
      indexes.map((index) => atoms[index]!),
      columnType?.(column),
      setOnly.has(column),
    );
    return { ...model, atomIndexes: indexes };
  });
}

/** Returns the cross product of the columns' vectors, or undefined above the limit. */
function enumerateAssignments(
  models: Array<ColumnModel & { atomIndexes: number[] }>,
  atomCount: number,
  maxCombinations = DEFAULT_MAX_COMBINATIONS,
): boolean[][] | undefined {
  const total = models.reduce((product, model) => product * model.vectors.length, 1);
  if (total === 0 || total > maxCombinations) return undefined;
  let assignments: boolean[][] = [new Array<boolean>(atomCount).fill(false)];
  for (const model of models) {
    assignments = assignments.flatMap((assignment) =>
      model.vectors.map((vector) => {
        const next = [...assignment];
        model.atomIndexes.forEach((atomIndex, position) => (next[atomIndex] = vector[position]!));
        return next;
      }),
    );
  }
  return assignments;
}

/** Visits terms below the root, outermost first; `check` returning true skips the subtree. */
function collectRedundant(
  expr: FilterExpr,
  path: TermPath,
  check: (path: TermPath, parent: FilterExpr) => boolean,
): void {
  const children = childrenOf(expr);
  children.forEach((child, index) => {
    const childPath = [...path, index];
    if (!check(childPath, expr)) collectRedundant(child, childPath, check);
  });
}

function childrenOf(expr: FilterExpr): FilterExpr[] {
  if (expr.kind === 'and' || expr.kind === 'or') return expr.terms;
  if (expr.kind === 'not') return [expr.term];
  return [];
}

/** Returns the term at a path. */
export function termAt(expr: FilterExpr, path: TermPath): FilterExpr {
  return path.reduce<FilterExpr>((node, index) => childrenOf(node)[index] ?? node, expr);
}

/** Evaluates the filter with the term at `path` replaced by a constant. */
function evaluatePinned(
  expr: FilterExpr,
  path: TermPath,
  value: boolean,
  atomValue: (atom: FilterAtom) => boolean,
): boolean {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const pin = (child: FilterExpr, index: number): boolean =>
    index === head ? evaluatePinned(child, rest, value, atomValue) : evaluateWith(child, atomValue);
  if (expr.kind === 'and') return expr.terms.every(pin);
  if (expr.kind === 'or') return expr.terms.some(pin);
  if (expr.kind === 'not') return !pin(expr.term, 0);
  return evaluateWith(expr, atomValue);
}

/** The rows of one pattern of missing number or bool columns, and the filter on them. */
export interface MissingPattern {
  /** The number or bool columns missing on these rows. The filter's other such columns are set. */
  missing: string[];
  /** Whether the filter is true on every row of the pattern, on none, or on some. */
  verdict: 'always-true' | 'never-true' | 'depends';
  /** The filter on these rows, with each comparison of a missing column replaced by its value. */
  reduced: FilterExpr;
}

/** Maximum count of number or bool columns whose missing patterns `findMissingPatterns` enumerates. */
const MAX_PATTERN_COLUMNS = 4;

/**
 * Splits the rows by which of the filter's number and bool columns are missing, and returns the
 * filter's verdict on each pattern. Returns undefined when there are more than four such
 * columns or a verdict cannot be decided exactly.
 */
export function findMissingPatterns(
  expr: FilterExpr,
  options: AnalyzeOptions = {},
): MissingPattern[] | undefined {
  const nullable = listNullableColumns(indexAtoms(expr).atoms, options.columnType);
  if (nullable.length > MAX_PATTERN_COLUMNS) return undefined;

  const patterns: MissingPattern[] = [];
  for (let mask = 0; mask < 2 ** nullable.length; mask++) {
    const missing = nullable.filter((_, index) => (mask & (2 ** index)) !== 0);
    const reduced = replaceMissing(expr, new Set(missing));
    const set = new Set(nullable.filter((column) => !missing.includes(column)));
    const run = evaluateWithSetColumns(reduced, indexAtoms(reduced), options, set);
    if (!run) return undefined;
    const verdict = judge(run.results, run.exact);
    if (verdict === 'unknown') return undefined;
    patterns.push({ missing, verdict, reduced });
  }
  return patterns;
}

/** Replaces each comparison of a column in `missing` by its value on a missing cell. */
function replaceMissing(expr: FilterExpr, missing: ReadonlySet<string>): FilterExpr {
  switch (expr.kind) {
    case 'const':
      return expr;
    case 'not':
      return { kind: 'not', term: replaceMissing(expr.term, missing) };
    case 'and':
    case 'or':
      return { kind: expr.kind, terms: expr.terms.map((term) => replaceMissing(term, missing)) };
    default:
      return missing.has(expr.column) ? { kind: 'const', value: evaluateAtom(expr, null) } : expr;
  }
}
