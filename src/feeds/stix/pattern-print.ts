/**
 * Printer for STIX pattern syntax trees. It writes canonical spelling (upper-case keywords, `=`
 * for `==`) and only the parentheses that precedence needs, so `parsePattern(printPattern(tree))`
 * returns a tree equal to `tree`.
 */
import {
  formatObjectPath,
  quoteString,
  type ComparisonExpression,
  type Literal,
  type ObservationExpression,
  type Qualifier,
} from './pattern-ast.js';

/** Writes a syntax tree back as pattern text. */
export function printPattern(tree: ObservationExpression): string {
  return printObservation(tree, 0);
}

/** Binding strength of observation operators; a higher number binds tighter. */
const OBSERVATION_PRECEDENCE = { FOLLOWEDBY: 1, OR: 2, AND: 3 } as const;
const QUALIFIED_PRECEDENCE = 4;
const COMPARISON_PRECEDENCE = { OR: 1, AND: 2 } as const;

function printObservation(node: ObservationExpression, minimum: number): string {
  switch (node.kind) {
    case 'observation':
      return `[${printComparison(node.expression, 0)}]`;
    case 'qualified': {
      const inner = printObservation(node.expression, QUALIFIED_PRECEDENCE);
      return `${inner} ${printQualifier(node.qualifier)}`;
    }
    case 'observation-binary': {
      const precedence = OBSERVATION_PRECEDENCE[node.operator];
      // Operators group left, so a right operand of equal strength needs parentheses.
      const left = printObservation(node.left, precedence);
      const right = printObservation(node.right, precedence + 1);
      const text = `${left} ${node.operator} ${right}`;
      return precedence < minimum ? `(${text})` : text;
    }
  }
}

function printComparison(node: ComparisonExpression, minimum: number): string {
  switch (node.kind) {
    case 'exists':
      return `EXISTS ${formatObjectPath(node.path)}`;
    case 'unconverted-term':
      return node.text;
    case 'comparison': {
      const not = node.negated ? 'NOT ' : '';
      const value = Array.isArray(node.value)
        ? `(${node.value.map(printLiteral).join(', ')})`
        : printLiteral(node.value);
      return `${formatObjectPath(node.path)} ${not}${node.operator} ${value}`;
    }
    case 'comparison-binary': {
      const precedence = COMPARISON_PRECEDENCE[node.operator];
      const left = printComparison(node.left, precedence);
      const right = printComparison(node.right, precedence + 1);
      const text = `${left} ${node.operator} ${right}`;
      return precedence < minimum ? `(${text})` : text;
    }
  }
}

function printQualifier(qualifier: Qualifier): string {
  switch (qualifier.kind) {
    case 'within':
      return `WITHIN ${printLiteral(qualifier.seconds)} SECONDS`;
    case 'repeats':
      return `REPEATS ${qualifier.times} TIMES`;
    case 'start-stop':
      return `START t'${qualifier.start}' STOP t'${qualifier.stop}'`;
  }
}

/** Writes one literal as pattern text. */
export function printLiteral(literal: Literal): string {
  switch (literal.kind) {
    case 'string':
      return quoteString(literal.value);
    case 'integer':
      return String(literal.value);
    case 'float':
      return literal.text;
    case 'boolean':
      return literal.value ? 'true' : 'false';
    case 'timestamp':
      return `t'${literal.value}'`;
    case 'hex':
      return `h'${literal.value}'`;
    case 'binary':
      return `b'${literal.value}'`;
  }
}
