/**
 * Suggested corrections for hand-written "Filter/Exclusion" lines, which give the condition
 * an event must meet to be kept.
 *
 * Such lines almost always mean "drop the events of these processes (whose command line
 * contains these words)". The suggestion rebuilds that intent from the line's atoms: the
 * string values compared with each column become one case-insensitive `in~` set, the text
 * conditions on each column become one OR, and the condition to keep is the negation of
 * their AND. Columns are renamed to the table's real columns, a Task Scheduler alias becomes
 * the processes that run scheduled tasks, and the result is checked before it is offered.
 */
import type { FilterExpr } from '../../compile/ir.js';
import { listAtoms } from '../../pipeline/filter-check/analyze.js';
import { checkExclusion } from '../../pipeline/filter-check/check.js';
import { simplifyCondition, toCondition } from '../../pipeline/filter-check/describe.js';
import type { Condition } from '../../pipeline/filter-check/describe.js';
import type { FilterAtom } from '../../pipeline/filter-check/evaluate.js';
import { mapFieldToColumns } from '../../pipeline/filter-check/field-map.js';
import { printFilter } from '../../pipeline/filter-lang/print.js';
import { getColumnType } from '../../pipeline/schemas.js';
import type { TableSchema } from '../../pipeline/schemas.js';
import { schedulerProcessNames, isSchedulerAlias } from './process-names.js';

export interface ExclusionCorrection {
  table: string;
  /** The corrected condition to keep, in the filter language; absent when none can be written. */
  filter?: string;
  /**
   * The reading of the line that the correction takes. `drop`: the line names the events to remove, and the
   * correction negates it. `keep`: the line's logic is sound, or it compares more than names and
   * text, so the correction keeps its meaning and fixes only its columns and names.
   */
  reading?: 'drop' | 'keep';
  /** Reason no correction could be written for this table. */
  reason?: string;
}

/**
 * Builds the suggested condition to keep for one table; see the file comment. With
 * `soundLogic`, the line's only faults are its column names, so the correction keeps its
 * operators and maps only the columns.
 */
export function suggestCorrection(
  keep: FilterExpr,
  schema: TableSchema,
  soundLogic = false,
): ExclusionCorrection {
  const table = schema.name;
  const { intent, reading } = soundLogic
    ? { intent: fixSchedulerNames(keep), reading: 'keep' as const }
    : rebuildIntent(keep);
  const columns = new Map<string, string>();
  for (const atom of listAtoms(intent)) {
    const real = resolveColumn(atom.column, schema);
    if (!real) {
      return { table, reason: `${table} has no column for ${JSON.stringify(atom.column)}.` };
    }
    columns.set(atom.column, real);
  }
  const corrected = renameColumns(intent, columns);
  // The analyst runs the correction as `where corrected`, so it is checked with Kusto's null
  // rules: `where not(not(corrected))` removes the same events.
  const remaining = checkExclusion({ kind: 'not', term: corrected }, schema, {
    nullRules: 'kusto',
  }).filter((issue) => issue.severity !== 'info');
  if (remaining.length > 0) {
    return { table, reason: `No sound correction found: ${remaining[0]?.message ?? ''}` };
  }
  return { table, filter: printFilter(corrected), reading };
}

function resolveColumn(column: string, schema: TableSchema): string | undefined {
  if (getColumnType(schema, column)) return column;
  return mapFieldToColumns(column, schema.name).find((name) => getColumnType(schema, name));
}

/**
 * Returns the condition to keep that the line most likely means, or the line itself when it
 * uses atoms other than string equality and text operators.
 */
function rebuildIntent(keep: FilterExpr): { intent: FilterExpr; reading: 'drop' | 'keep' } {
  const atoms = listAtoms(keep);
  const simple = atoms.every(
    (atom) =>
      atom.kind === 'text' ||
      (atom.kind === 'compare' &&
        (atom.op === '==' || atom.op === '!=') &&
        typeof atom.value === 'string') ||
      (atom.kind === 'in' && atom.values.every((value) => typeof value === 'string')),
  );
  if (!simple) return { intent: fixSchedulerNames(keep), reading: 'keep' };

  const names = new Map<string, string[]>();
  const texts = new Map<string, FilterExpr[]>();
  for (const atom of atoms) {
    if (atom.kind === 'text') texts.set(atom.column, [...(texts.get(atom.column) ?? []), atom]);
    else names.set(atom.column, addNames(names.get(atom.column) ?? [], valuesOf(atom)));
  }
  const remove: FilterExpr[] = [...names].map(([column, values]) =>
    values.length === 1
      ? { kind: 'compare', column, op: '==', value: values[0] ?? '', caseInsensitive: true }
      : { kind: 'in', column, values, caseInsensitive: true },
  );
  for (const terms of texts.values())
    remove.push(terms.length === 1 ? terms[0]! : { kind: 'or', terms });
  const removal: FilterExpr = remove.length === 1 ? remove[0]! : { kind: 'and', terms: remove };
  return { intent: fromCondition(simplifyCondition(toCondition(removal, true))), reading: 'drop' };
}

function valuesOf(atom: FilterAtom): string[] {
  if (atom.kind === 'compare' && typeof atom.value === 'string') return [atom.value];
  if (atom.kind === 'in')
    return atom.values.filter((value): value is string => typeof value === 'string');
  return [];
}

/** Adds names once each, ignoring case, and swaps a Task Scheduler alias for real processes. */
function addNames(existing: string[], added: string[]): string[] {
  const result = [...existing];
  for (const name of added.flatMap((value) =>
    isSchedulerAlias(value) ? schedulerProcessNames() : [value],
  )) {
    if (!result.some((known) => known.toLowerCase() === name.toLowerCase())) result.push(name);
  }
  return result;
}

function fixSchedulerNames(expr: FilterExpr): FilterExpr {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { kind: expr.kind, terms: expr.terms.map(fixSchedulerNames) };
    case 'not':
      return { kind: 'not', term: fixSchedulerNames(expr.term) };
    case 'compare':
      if (typeof expr.value === 'string' && isSchedulerAlias(expr.value)) {
        const inSet: FilterExpr = {
          kind: 'in',
          column: expr.column,
          values: schedulerProcessNames(),
          caseInsensitive: true,
        };
        return expr.op === '!=' ? { kind: 'not', term: inSet } : inSet;
      }
      return expr;
    default:
      return expr;
  }
}

/** Turns a condition in negation normal form back into a filter, using `!=` for strings. */
function fromCondition(condition: Condition): FilterExpr {
  switch (condition.kind) {
    case 'const':
      return condition;
    case 'and':
    case 'or':
      return { kind: condition.kind, terms: condition.terms.map(fromCondition) };
    case 'atom': {
      const atom = condition.atom;
      if (!condition.negated) return atom;
      if (atom.kind === 'compare' && atom.op === '==' && typeof atom.value === 'string') {
        return { ...atom, op: '!=' };
      }
      return { kind: 'not', term: atom };
    }
  }
}

function renameColumns(expr: FilterExpr, columns: Map<string, string>): FilterExpr {
  switch (expr.kind) {
    case 'const':
      return expr;
    case 'and':
    case 'or':
      return { kind: expr.kind, terms: expr.terms.map((term) => renameColumns(term, columns)) };
    case 'not':
      return { kind: 'not', term: renameColumns(expr.term, columns) };
    default:
      return { ...expr, column: columns.get(expr.column) ?? expr.column };
  }
}
