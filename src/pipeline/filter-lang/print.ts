/**
 * Prints a filter as Kusto-like text that `parseFilter` reads back to the same tree.
 * Nested AND and OR groups always get parentheses, so no reader has to know the precedence.
 */
import type { FilterExpr, Literal } from '../../compile/ir.js';

/** Formats a filter as one line of Kusto-like text, such as `A == "x" and (B > 1 or isempty(C))`. */
export function printFilter(expr: FilterExpr): string {
  switch (expr.kind) {
    case 'const':
      return String(expr.value);
    case 'and':
    case 'or':
      if (expr.terms.length === 0) return expr.kind === 'and' ? 'true' : 'false';
      return expr.terms.map((term) => printOperand(term)).join(` ${expr.kind} `);
    case 'not':
      return printNot(expr.term);
    case 'compare': {
      const op = expr.caseInsensitive
        ? expr.op === '=='
          ? '=~'
          : expr.op === '!='
            ? '!~'
            : expr.op
        : expr.op;
      return `${printColumn(expr.column)} ${op} ${printLiteral(expr.value)}`;
    }
    case 'in':
      return `${printColumn(expr.column)} ${expr.caseInsensitive ? 'in~' : 'in'} ${printList(expr.values)}`;
    case 'text':
      return `${printColumn(expr.column)} ${expr.op} ${printLiteral(expr.value)}`;
    case 'cidr': {
      const name = expr.ranges.every((range) => !range.includes(':'))
        ? 'ipv4_is_in_any_range'
        : 'ipv6_is_in_any_range';
      return `${name}(${printColumn(expr.column)}, ${expr.ranges.map(printLiteral).join(', ')})`;
    }
    case 'empty':
      return `isempty(${printColumn(expr.column)})`;
  }
}

/** Negations of `in` and text operators have Kusto's `!` spelling; others print as `not(...)`. */
function printNot(term: FilterExpr): string {
  if (term.kind === 'in') {
    return `${printColumn(term.column)} ${term.caseInsensitive ? '!in~' : '!in'} ${printList(term.values)}`;
  }
  if (term.kind === 'text')
    return `${printColumn(term.column)} !${term.op} ${printLiteral(term.value)}`;
  if (term.kind === 'empty') return `isnotempty(${printColumn(term.column)})`;
  return `not(${printFilter(term)})`;
}

function printOperand(term: FilterExpr): string {
  const text = printFilter(term);
  const grouped = (term.kind === 'and' || term.kind === 'or') && term.terms.length > 1;
  return grouped ? `(${text})` : text;
}

/** Quotes a string the way a Kusto string literal is written: double quotes, backslash escapes. */
export function printLiteral(value: Literal): string {
  if (typeof value !== 'string') return String(value);
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

function printList(values: Literal[]): string {
  return `(${values.map(printLiteral).join(', ')})`;
}

/** Prints a column name bare when it is a plain name, else in Kusto's `['...']` form. */
function printColumn(name: string): string {
  if (/^[A-Za-z_@$][A-Za-z0-9_.@$]*$/.test(name) && !isReservedWord(name)) return name;
  // NOTE: a name with both quote characters cannot be written in this form.
  return name.includes("'") ? `["${name}"]` : `['${name}']`;
}

function isReservedWord(name: string): boolean {
  return /^(and|or|not|true|false|in|contains|startswith|endswith)$/i.test(name);
}
