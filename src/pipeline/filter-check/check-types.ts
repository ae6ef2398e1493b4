/**
 * Type checks of a filter against a table schema: unknown columns (with the real column when
 * an ECS or Sigma name maps to one), literals of the wrong type, values outside a column's
 * range, and text operators on columns that are not strings.
 */
import ipaddr from 'ipaddr.js';
import type { ColumnType, FilterExpr, Literal } from '../../compile/ir.js';
import type { TermPath } from './analyze.js';
import type { FilterAtom } from './evaluate.js';
import { mapFieldToColumns, suggestColumn } from './field-map.js';
import type { FilterCheckOptions, FilterIssue } from './types.js';

const RANGES: Partial<Record<ColumnType, { min: number; max: number; label: string }>> = {
  int: { min: -(2 ** 31), max: 2 ** 31 - 1, label: 'a 32-bit int' },
  long: { min: -(2 ** 63), max: 2 ** 63 - 1, label: 'a 64-bit long' },
};
const PORT_RANGE = { min: 0, max: 65535, label: 'a TCP or UDP port (0 to 65535)' };

/** Returns a function that looks up a column's type in the extra columns, then the schema. */
export function columnTypeLookup(
  options: FilterCheckOptions,
): (column: string) => ColumnType | undefined {
  return (column) =>
    options.extraColumns?.find((entry) => entry.name === column)?.type ??
    options.schema?.columns.find((entry) => entry.name === column)?.type;
}

/** Checks every atom of a filter against the schema; returns nothing without a schema. */
export function checkFilterTypes(expr: FilterExpr, options: FilterCheckOptions): FilterIssue[] {
  const schema = options.schema;
  if (!schema) return [];
  const typeOf = columnTypeLookup(options);
  const issues: FilterIssue[] = [];
  const reported = new Set<string>();
  forEachAtom(expr, [], (atom, path) => {
    const type = typeOf(atom.column);
    if (type === undefined) {
      if (reported.has(atom.column)) return;
      reported.add(atom.column);
      issues.push(unknownColumnIssue(atom.column, schema.name, options, path));
      return;
    }
    issues.push(...checkAtomType(atom, type, path));
  });
  return issues;
}

function forEachAtom(
  expr: FilterExpr,
  path: TermPath,
  visit: (atom: FilterAtom, path: TermPath) => void,
): void {
  if (expr.kind === 'and' || expr.kind === 'or') {
    expr.terms.forEach((term, index) => forEachAtom(term, [...path, index], visit));
  } else if (expr.kind === 'not') {
    forEachAtom(expr.term, [...path, 0], visit);
  } else if (expr.kind !== 'const') {
    visit(expr, path);
  }
}

function unknownColumnIssue(
  column: string,
  table: string,
  options: FilterCheckOptions,
  path: TermPath,
): FilterIssue {
  const mapped = mapFieldToColumns(column, table);
  const near = options.schema ? suggestColumn(column, options.schema) : undefined;
  let advice: string;
  if (mapped.length > 0) {
    const others = mapped.slice(1);
    advice =
      `Use ${mapped[0]}, which holds the same value` +
      (others.length > 0 ? ` (or ${others.join(', ')}, depending on the direction).` : '.');
  } else if (near) {
    advice = `Did you mean ${near}?`;
  } else {
    advice = `${table} has no column with this value, so the condition cannot be written for it.`;
  }
  return {
    code: 'UNKNOWN_COLUMN',
    severity: 'error',
    message: `Column ${JSON.stringify(column)} does not exist in ${table}. ${advice}`,
    path,
  };
}

function checkAtomType(atom: FilterAtom, type: ColumnType, path: TermPath): FilterIssue[] {
  const issue = (code: string, severity: FilterIssue['severity'], message: string) => ({
    code,
    severity,
    message,
    path,
  });
  const column = JSON.stringify(atom.column);
  switch (atom.kind) {
    case 'empty':
      return [];
    case 'text':
      return type === 'string'
        ? []
        : [
            issue(
              'TEXT_OPERATOR_ON_NON_STRING',
              'warning',
              `${atom.op} is a text operator, but column ${column} is ${type}: it compares the value's text form. Use == or a range instead.`,
            ),
          ];
    case 'cidr':
      return checkCidr(atom.ranges, type, column).map((message) =>
        issue('INVALID_CIDR', 'error', message),
      );
    case 'compare':
      return checkLiterals(atom.column, type, [atom.value]).map(([code, message]) =>
        issue(code, 'error', message),
      );
    case 'in':
      return checkLiterals(atom.column, type, atom.values).map(([code, message]) =>
        issue(code, 'error', message),
      );
  }
}

function checkLiterals(
  column: string,
  type: ColumnType,
  values: Literal[],
): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const expected = expectedLiteralType(type);
  for (const value of values) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    if (expected && typeof value !== expected) {
      problems.push([
        'LITERAL_TYPE_MISMATCH',
        `Column ${JSON.stringify(column)} is ${type}, but ${shown} is a ${typeof value}: expected a ${expected}.`,
      ]);
      continue;
    }
    if (typeof value !== 'number') continue;
    const range =
      /port$/i.test(column) && (type === 'int' || type === 'long') ? PORT_RANGE : RANGES[type];
    if (range && !Number.isInteger(value)) {
      problems.push([
        'LITERAL_TYPE_MISMATCH',
        `Column ${JSON.stringify(column)} is ${type}, but ${shown} is not a whole number.`,
      ]);
    } else if (range && (value < range.min || value > range.max)) {
      problems.push([
        'VALUE_OUT_OF_RANGE',
        `${shown} is out of range for column ${JSON.stringify(column)}: expected ${range.label}.`,
      ]);
    }
  }
  return problems;
}

/** The literal type a column compares with, or undefined when the language has no literal. */
function expectedLiteralType(type: ColumnType): 'string' | 'number' | 'boolean' | undefined {
  switch (type) {
    case 'string':
    case 'guid':
      return 'string';
    case 'int':
    case 'long':
    case 'real':
    case 'decimal':
      return 'number';
    case 'bool':
      return 'boolean';
    default:
      // NOTE: datetime, timespan and dynamic values need datetime(), timespan() or a cast,
      // which this filter language cannot write, so they are left unchecked.
      return undefined;
  }
}

function checkCidr(ranges: string[], type: ColumnType, column: string): string[] {
  const problems: string[] = [];
  if (type !== 'string')
    problems.push(`Column ${column} is ${type}, but CIDR ranges need a string IP address column.`);
  for (const range of ranges) {
    if (!ipaddr.isValidCIDR(range)) {
      problems.push(
        `Invalid CIDR range ${JSON.stringify(range)}: expected an address and a prefix length, such as "10.0.0.0/8".`,
      );
    }
  }
  return problems;
}
