/**
 * Printer for STIX pattern syntax trees. It writes canonical spelling (upper-case keywords, `=`
 * for `==`) and only the parentheses that precedence needs, so `parsePattern(printPattern(tree))`
 * returns a tree equal to `tree`.
 */
import {
  formatObjectPath,
  leftChainOperands,
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
      // A pattern can stack any number of qualifiers, so the chain is walked in a loop.
      const qualifiers: Qualifier[] = [];
      let inner: ObservationExpression = node;
      while (inner.kind === 'qualified') {
        qualifiers.push(inner.qualifier);
        inner = inner.expression;
      }
      const printed = qualifiers.reverse().map(printQualifier);
      return [printObservation(inner, QUALIFIED_PRECEDENCE), ...printed].join(' ');
    }
    case 'observation-binary': {
      const precedence = OBSERVATION_PRECEDENCE[node.operator];
      const operands = leftChainOperands(node);
      const text = printChain(operands, node.operator, precedence, printObservation);
      return precedence < minimum ? `(${text})` : text;
    }
  }
}

/**
 * Prints the operands of a left-grouped chain joined by `operator`. Operators group left, so the
 * first operand is printed at the operator's own precedence and each later one a level tighter,
 * which puts a right operand of equal precedence in parentheses.
 */
function printChain<Expression>(
  operands: Expression[],
  operator: string,
  precedence: number,
  print: (operand: Expression, minimum: number) => string,
): string {
  const texts = operands.map((operand, position) =>
    print(operand, position === 0 ? precedence : precedence + 1),
  );
  return texts.join(` ${operator} `);
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
      const operands = leftChainOperands(node);
      const text = printChain(operands, node.operator, precedence, printComparison);
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
