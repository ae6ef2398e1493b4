/**
 * Per-column models for the exact filter checker.
 *
 * For each column, the checker needs every combination of truth values that the column's
 * comparisons (atoms) can take together, such as "`x == "a"` and `x == "b"` are never both
 * true". It finds them by evaluating the atoms on a finite set of representative values that
 * meets every such combination:
 * - strings: the empty string (which a missing string equals), each literal, a case variant
 *   of each literal that is no literal itself, and one witness string for each subset of the
 *   text atoms (`contains`, `startswith`, `endswith`) built from their needles;
 * - numbers: missing, each literal, its integer neighbours or midpoints, and the ends of the
 *   column's range (ports 0 to 65535, 32-bit int, 64-bit long);
 * - bools: missing, true, false.
 * With `setOnly`, a number or bool column on which no atom tests emptiness leaves out the
 * missing value, so the combinations are those of rows where the column is set.
 * Atoms this model cannot decide exactly (such as `cidr`, text operators on a number column,
 * or comparisons on datetime columns) become free variables: the combinations then include
 * some that no row reaches, which the model reports by setting `exact` to false.
 */
import type { ColumnType } from '../../compile/ir.js';
import { evaluateAtom } from './evaluate.js';
import type { CellValue, FilterAtom } from './evaluate.js';

export interface ColumnModel {
  column: string;
  /** Distinct atoms on the column, in first-seen order. */
  atoms: FilterAtom[];
  /**
   * Every combination of atom truth values the model allows, one entry per atom; empty when
   * the column has too many free variables to list them.
   */
  vectors: boolean[][];
  /** Values whose atom vectors are the modelled part of `vectors`. */
  representatives: CellValue[];
  /** False when some combinations may be unreachable (free variables were used). */
  exact: boolean;
  /** Reasons the model is not exact, in plain words. */
  notes: string[];
  /** True when the model leaves out the missing value (see `setOnly` of `buildColumnModel`). */
  setOnly: boolean;
}

type ValueKind = 'string' | 'number' | 'bool' | 'opaque';

/** Above this many text atoms on one column, the 2^n witness strings are not built. */
const MAX_TEXT_ATOMS = 10;
/** Above this many free variables on one column, the model gives up on the combinations. */
const MAX_FREE_ATOMS = 12;

const INT_RANGE = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const LONG_RANGE = { min: -(2 ** 63), max: 2 ** 63 - 1 };
/** TCP and UDP ports; applied to int and long columns whose name ends in `Port`. */
const PORT_RANGE = { min: 0, max: 65535 };

/**
 * Builds the model of one column. A column without a declared type is assumed to have the
 * type of its literals (string, real or bool). With `setOnly`, a number or bool column that
 * no `isempty` or `isnotempty` atom tests is modelled without its missing value. A missing
 * string equals `""`, so string columns keep it.
 */
export function buildColumnModel(
  column: string,
  atoms: FilterAtom[],
  type: ColumnType | undefined,
  setOnly = false,
): ColumnModel {
  const kind = valueKind(type, atoms);
  const omitMissing = setOnly && canOmitMissing(kind, atoms);
  const modelled = atoms.map((atom) => isModelled(atom, kind));
  const notes: string[] = [];
  let representatives: CellValue[];
  if (kind === 'string') {
    const text = atoms.filter((atom, index) => modelled[index] && atom.kind === 'text').length;
    if (text > MAX_TEXT_ATOMS) {
      atoms.forEach(
        (atom, index) => (modelled[index] = modelled[index] === true && atom.kind !== 'text'),
      );
      notes.push(`${column} has more than ${MAX_TEXT_ATOMS} text conditions`);
    }
    representatives = stringRepresentatives(
      atoms.filter((_, index) => modelled[index]),
      notes,
    );
  } else if (kind === 'number') {
    representatives = numberRepresentatives(column, type, atoms);
  } else if (kind === 'bool') {
    representatives = [null, true, false];
  } else {
    representatives = [null];
  }
  if (omitMissing) representatives = representatives.filter((value) => value !== null);
  const free = atoms.filter((_, index) => !modelled[index]);
  if (free.length > 0) {
    notes.push(`${column}: ${free.length} condition(s) of a kind the checker cannot relate`);
  }
  if (free.length > MAX_FREE_ATOMS) {
    notes.push(`${column} has more than ${MAX_FREE_ATOMS} such conditions`);
    return {
      column,
      atoms,
      vectors: [],
      representatives,
      exact: false,
      notes,
      setOnly: omitMissing,
    };
  }
  const vectors = combineVectors(atoms, modelled, representatives);
  const exact = notes.length === 0;
  return { column, atoms, vectors, representatives, exact, notes, setOnly: omitMissing };
}

/**
 * True when a column of this kind has a missing value that differs from every set one, and no
 * atom tests emptiness, so leaving the missing value out does not drop a case the filter names.
 */
function canOmitMissing(kind: ValueKind, atoms: FilterAtom[]): boolean {
  if (kind !== 'number' && kind !== 'bool') return false;
  return atoms.every((atom) => atom.kind !== 'empty');
}

function valueKind(type: ColumnType | undefined, atoms: FilterAtom[]): ValueKind {
  switch (type) {
    case 'string':
      return 'string';
    case 'int':
    case 'long':
    case 'real':
    case 'decimal':
      return 'number';
    case 'bool':
      return 'bool';
    case undefined:
      break;
    default:
      return 'opaque';
  }
  const literalTypes = new Set(atoms.flatMap(literalsOf).map((literal) => typeof literal));
  if (atoms.some((atom) => atom.kind === 'text')) literalTypes.add('string');
  if (literalTypes.size !== 1) return literalTypes.size === 0 ? 'string' : 'opaque';
  if (literalTypes.has('number')) return 'number';
  return literalTypes.has('boolean') ? 'bool' : 'string';
}

function literalsOf(atom: FilterAtom): Array<string | number | boolean> {
  if (atom.kind === 'compare') return [atom.value];
  if (atom.kind === 'in') return atom.values;
  return [];
}

function isModelled(atom: FilterAtom, kind: ValueKind): boolean {
  if (atom.kind === 'empty') return kind !== 'opaque';
  if (atom.kind === 'cidr') return false;
  if (atom.kind === 'text') return kind === 'string';
  const literalType = kind === 'bool' ? 'boolean' : kind;
  if (!literalsOf(atom).every((literal) => typeof literal === literalType)) return false;
  if (kind === 'number') return literalsOf(atom).every((literal) => Number.isFinite(literal));
  // The model does not order strings or bools, so `<` on them stays a free variable.
  if (atom.kind === 'compare') return atom.op === '==' || atom.op === '!=';
  return kind !== 'opaque';
}

function stringRepresentatives(atoms: FilterAtom[], notes: string[]): string[] {
  const literals = new Set(atoms.flatMap(literalsOf).filter((v) => typeof v === 'string'));
  const values = new Set<string>(['', ...literals]);
  for (const literal of literals) {
    const variant = findCaseVariant(literal, literals);
    if (variant !== undefined) values.add(variant);
    else if (variant === undefined && hasUnlistedVariants(literal, literals)) {
      notes.push(`too many case variants of ${JSON.stringify(literal)} to try`);
    }
  }
  const textAtoms = atoms.filter((atom) => atom.kind === 'text');
  const separator = pickSeparator([...literals, ...textAtoms.map((atom) => atom.value)]);
  for (let mask = 0; mask < 2 ** textAtoms.length; mask += 1) {
    const chosen = textAtoms.filter((_, index) => (mask & (1 << index)) !== 0);
    values.add(buildWitness(chosen, separator));
  }
  return [...values];
}

/** Returns a spelling of `literal` that differs only in letter case and is not in `taken`. */
function findCaseVariant(literal: string, taken: Set<string>): string | undefined {
  const chars = [...literal];
  const cased = chars.flatMap((char, index) => (caseToggle(char) === char ? [] : [index]));
  // The bit of each character that has a case, looked up by position: searching `cased` for
  // each character made a long literal quadratic.
  const bits = new Map(cased.slice(0, 10).map((position, bit) => [position, bit]));
  const limit = 2 ** Math.min(cased.length, 10);
  for (let mask = 1; mask < limit; mask += 1) {
    const variant = chars
      .map((char, index) => {
        const bit = bits.get(index);
        return bit !== undefined && (mask & (1 << bit)) !== 0 ? caseToggle(char) : char;
      })
      .join('');
    if (!taken.has(variant) && variant.toLowerCase() === literal.toLowerCase()) return variant;
  }
  return undefined;
}

/** True when the literal has more case variants than {@link findCaseVariant} tries. */
function hasUnlistedVariants(literal: string, taken: Set<string>): boolean {
  const cased = [...literal].filter((char) => caseToggle(char) !== char).length;
  return cased > 10 && 2 ** cased > taken.size;
}

function caseToggle(char: string): string {
  const lower = char.toLowerCase();
  const toggled = char === lower ? char.toUpperCase() : lower;
  return toggled.length === 1 ? toggled : char;
}

/** Picks a character that appears in no literal or needle, in either case. */
function pickSeparator(texts: string[]): string {
  const used = texts.join('').toLowerCase() + texts.join('').toUpperCase();
  for (let code = 1; ; code += 1) {
    const char = String.fromCharCode(code);
    if (!used.includes(char)) return char;
  }
}

/**
 * Builds a string on which every chosen text atom is true and every other text atom is true
 * only when all strings meeting the chosen ones make it true: the longest `startswith` needle,
 * each `contains` needle and the longest `endswith` needle, joined by a separator that no
 * needle contains, so no needle can match across two parts.
 */
function buildWitness(chosen: FilterAtom[], separator: string): string {
  const needles = (op: string): string[] =>
    chosen.flatMap((atom) =>
      atom.kind === 'text' && atom.op === op ? [atom.value.toLowerCase()] : [],
    );
  const longest = (texts: string[]): string =>
    texts.reduce((best, text) => (text.length > best.length ? text : best), '');
  const parts = [
    longest(needles('startswith')),
    ...needles('contains'),
    longest(needles('endswith')),
  ];
  return parts.join(separator);
}

function numberRepresentatives(
  column: string,
  type: ColumnType | undefined,
  atoms: FilterAtom[],
): CellValue[] {
  const literals = atoms.flatMap(literalsOf).filter((v): v is number => typeof v === 'number');
  const integer = type === 'int' || type === 'long';
  const values = new Set<number>();
  if (!integer) {
    const sorted = [...new Set(literals)].sort((a, b) => a - b);
    sorted.forEach((value, index) => {
      values.add(value);
      const next = sorted[index + 1];
      if (next !== undefined) values.add((value + next) / 2);
    });
    values.add((sorted[0] ?? 0) - 1);
    values.add((sorted[sorted.length - 1] ?? 0) + 1);
    return [null, ...values];
  }
  let range = type === 'int' ? INT_RANGE : LONG_RANGE;
  if (/port$/i.test(column)) range = PORT_RANGE;
  values.add(range.min);
  values.add(range.max);
  for (const literal of literals) {
    for (const candidate of [Math.floor(literal), Math.ceil(literal)]) {
      for (const value of [candidate - 1, candidate, candidate + 1]) {
        if (value >= range.min && value <= range.max) values.add(value);
      }
    }
  }
  return [null, ...values];
}

/** Evaluates the modelled atoms on each value and adds every combination of the free ones. */
function combineVectors(
  atoms: FilterAtom[],
  modelled: boolean[],
  values: CellValue[],
): boolean[][] {
  const seen = new Map<string, boolean[]>();
  const freeIndexes = modelled.flatMap((isKnown, index) => (isKnown ? [] : [index]));
  for (const value of values) {
    const base = atoms.map((atom, index) => modelled[index] === true && evaluateAtom(atom, value));
    for (let mask = 0; mask < 2 ** freeIndexes.length; mask += 1) {
      const vector = [...base];
      freeIndexes.forEach((atomIndex, bit) => (vector[atomIndex] = (mask & (1 << bit)) !== 0));
      seen.set(vector.map(Number).join(''), vector);
    }
  }
  return [...seen.values()];
}
