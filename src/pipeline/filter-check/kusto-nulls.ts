/**
 * Rewrites a filter that Kusto runs with its own null rules into the checker's two-valued model.
 *
 * The Kusto docs page "Null values" (learn.microsoft.com/kusto/query/scalar-data-types/null-values)
 * states that `==` between a null and a non-null value is false and `!=` between them is true.
 * Its example gives null for `>` on a null, and `where` drops the rows whose predicate is null.
 * The checker reads `not`, `and` and `or` with three-valued logic, so `not` keeps a null.
 * Each term therefore has two conditions in the model: when it is true, and when it is not false
 * (true or null). `not` swaps them, `and` and `or` keep them, so the rewritten filter has the
 * shape of the original one and keeps its term paths. `where` keeps the rows where it is true.
 *
 * Only columns of a type other than string are nullable, because Kusto stores a missing string
 * as "". A column without a known type is nullable when it is compared with a number or a bool.
 */
import type { ColumnType, FilterExpr } from '../../compile/ir.js';
import { printFilter } from '../filter-lang/print.js';
import { analyzeFilter, atomKey, listAtoms, termAt } from './analyze.js';
import type { AnalyzeOptions, FilterAnalysis, TermPath } from './analyze.js';
import type { FilterAtom } from './evaluate.js';

/** The value of a term on a row where its column is null: Kusto's `true`, `false` or null. */
export type NullValue = true | false | null;

/**
 * A rewritten filter, one per choice of null value for the atoms whose null value the docs do
 * not state (`unknownAtoms`), in the order of {@link listNullChoices}.
 */
export interface KustoRewrite {
  variants: FilterExpr[];
  /** Atoms on nullable columns whose value on a null the docs do not state. */
  unknownAtoms: FilterAtom[];
}

/** The rows a rewrite returns: those where the filter is true, or those where it is not false. */
export type KeptWhen = 'true' | 'not-false';

/** Maximum number of atoms of unknown null value, because each of the 3^n choices is analyzed. */
export const MAX_UNKNOWN_ATOMS = 3;

/**
 * Rewrites `expr` into the rows a Kusto `where` keeps; see the file comment. With `keptWhen`
 * set to `not-false`, it is rewritten into the rows where it is true or null, which
 * `where not(expr)` removes. Returns no variant when more than {@link MAX_UNKNOWN_ATOMS} atoms
 * have a null value that the docs do not state.
 */
export function rewriteKustoWhere(
  expr: FilterExpr,
  columnType: (column: string) => ColumnType | undefined,
  keptWhen: KeptWhen = 'true',
): KustoRewrite {
  const atoms = listAtoms(expr);
  const nullable = new Set(
    atoms
      .map((atom) => atom.column)
      .filter((column) => isNullable(column, columnType(column), atoms)),
  );
  const unknownAtoms = atoms.filter(
    (atom) => nullable.has(atom.column) && statedNullValue(atom) === 'unknown',
  );
  if (unknownAtoms.length > MAX_UNKNOWN_ATOMS) return { variants: [], unknownAtoms };
  const variants = listNullChoices(unknownAtoms.length).map((choice) => {
    const chosen = new Map(unknownAtoms.map((atom, index) => [atomKey(atom), choice[index]!]));
    const nullValue = (atom: FilterAtom): NullValue => {
      const stated = statedNullValue(atom);
      return stated === 'unknown' ? (chosen.get(atomKey(atom)) ?? null) : stated;
    };
    const nullableAtom = (atom: FilterAtom) => nullable.has(atom.column);
    return rewrite(expr, keptWhen === 'true', nullableAtom, nullValue);
  });
  return { variants, unknownAtoms };
}

/**
 * Returns, for each atom of `expr`, its Kusto value on a null: `true`, `false` or null as the
 * docs state it, `unknown` where they do not, and undefined when its column is never null.
 */
export function lookupNullValues(
  expr: FilterExpr,
  columnType: (column: string) => ColumnType | undefined,
): (atom: FilterAtom) => NullValue | 'unknown' | undefined {
  const atoms = listAtoms(expr);
  return (atom) =>
    isNullable(atom.column, columnType(atom.column), atoms) ? statedNullValue(atom) : undefined;
}

/** Lists every assignment of a null value to `count` atoms. */
export function listNullChoices(count: number): NullValue[][] {
  let choices: NullValue[][] = [[]];
  for (let index = 0; index < count; index++) {
    choices = choices.flatMap((choice) => [
      [...choice, true],
      [...choice, false],
      [...choice, null],
    ]);
  }
  return choices;
}

function isNullable(column: string, type: ColumnType | undefined, atoms: FilterAtom[]): boolean {
  if (type !== undefined) return type !== 'string';
  return atoms.some(
    (atom) =>
      atom.column === column &&
      literalsOf(atom).some((value) => typeof value === 'number' || typeof value === 'boolean'),
  );
}

function literalsOf(atom: FilterAtom): Array<string | number | boolean> {
  if (atom.kind === 'compare') return [atom.value];
  if (atom.kind === 'in') return atom.values;
  return [];
}

/**
 * Returns an atom's value on a null, as the Kusto docs state it, or `unknown`.
 * NOTE: the "Null values" page states nothing for `in`, `!in`, text operators or address range
 * functions on a null, so those give `unknown` and each possible value is analyzed.
 */
function statedNullValue(atom: FilterAtom): NullValue | 'unknown' {
  switch (atom.kind) {
    case 'empty':
      return true;
    case 'compare':
      if (atom.op === '==') return false;
      if (atom.op === '!=') return true;
      return null;
    default:
      return 'unknown';
  }
}

/**
 * Rewrites a term into the model's condition for "the term is true" (`wantTrue`) or for "the
 * term is not false". The model's own atom is false on a missing value, and `isempty` is its
 * test for a null, so an atom whose Kusto value on a null counts is joined with `isempty`.
 */
function rewrite(
  expr: FilterExpr,
  wantTrue: boolean,
  nullable: (atom: FilterAtom) => boolean,
  nullValue: (atom: FilterAtom) => NullValue,
): FilterExpr {
  switch (expr.kind) {
    case 'const':
      return expr;
    case 'and':
    case 'or':
      return {
        kind: expr.kind,
        terms: expr.terms.map((term) => rewrite(term, wantTrue, nullable, nullValue)),
      };
    case 'not':
      return { kind: 'not', term: rewrite(expr.term, !wantTrue, nullable, nullValue) };
    default: {
      if (expr.kind === 'empty' || !nullable(expr)) return expr;
      const value = nullValue(expr);
      const countsOnNull = wantTrue ? value === true : value !== false;
      if (!countsOnNull) return expr;
      return { kind: 'or', terms: [expr, { kind: 'empty', column: expr.column }] };
    }
  }
}

/**
 * Analyzes a filter as a Kusto `where` runs it, or with `keptWhen` set to `not-false`, the rows
 * that `where not(expr)` removes. With atoms of unknown null value, each choice of their values
 * is analyzed, and a verdict, redundant term or `trueWhenSet` holds only when every choice gives
 * it. Redundant terms name terms of `expr` itself, never the rewritten atoms.
 */
export function analyzeKustoFilter(
  expr: FilterExpr,
  options: AnalyzeOptions = {},
  keptWhen: KeptWhen = 'true',
): FilterAnalysis {
  const { variants, unknownAtoms } = rewriteKustoWhere(
    expr,
    options.columnType ?? (() => undefined),
    keptWhen,
  );
  const unknownNote =
    `Kusto's documentation does not state the value of ${unknownAtoms.map(printFilter).join(', ')} ` +
    'on a null value';
  if (variants.length === 0) {
    return { verdict: 'unknown', redundantTerms: [], exact: false, notes: [unknownNote] };
  }

  const analyses = variants.map((variant) => analyzeFilter(variant, options));
  const first = analyses[0]!;
  const agreed = analyses.every((analysis) => analysis.verdict === first.verdict);
  const notes = [...new Set(analyses.flatMap((analysis) => analysis.notes))];
  if (!agreed) notes.push(unknownNote);
  const redundantTerms = first.redundantTerms
    .filter(
      (found) =>
        isOriginalPath(expr, found.path) &&
        analyses.every((analysis) =>
          analysis.redundantTerms.some(
            (other) => samePath(other.path, found.path) && other.effect === found.effect,
          ),
        ),
    )
    .map((found) => {
      const term = termAt(expr, found.path);
      return { ...found, term, alone: analyzeKustoFilter(term, options, keptWhen).verdict };
    });

  const trueWhenSet = first.trueWhenSet;
  const sameColumns = analyses.every(
    (analysis) => JSON.stringify(analysis.trueWhenSet) === JSON.stringify(trueWhenSet),
  );
  return {
    verdict: agreed ? first.verdict : 'unknown',
    redundantTerms,
    exact: agreed && analyses.every((analysis) => analysis.exact),
    notes,
    ...(agreed && sameColumns && trueWhenSet && { trueWhenSet }),
  };
}

/** True when a path stays on and, or and not terms of `expr`, so it names a term of `expr`. */
function isOriginalPath(expr: FilterExpr, path: TermPath): boolean {
  let node = expr;
  for (const index of path) {
    if (node.kind === 'and' || node.kind === 'or') {
      const next = node.terms[index];
      if (!next) return false;
      node = next;
    } else if (node.kind === 'not') {
      node = node.term;
    } else {
      return false;
    }
  }
  return true;
}

function samePath(left: TermPath, right: TermPath): boolean {
  return left.length === right.length && left.every((index, at) => index === right[at]);
}
