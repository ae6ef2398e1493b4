/**
 * The syntax tree of a STIX patterning expression (STIX 2.1 part 9, also accepting STIX 2.0).
 *
 * Nodes are discriminated unions on `kind`. Parentheses are not kept as nodes: the printer adds
 * them back where precedence needs them, so printing and parsing again returns an equal tree.
 */

/** One step of an object path after the first property: `.name`, `.'quoted-name'` or `[index]`. */
export type PathStep = { kind: 'property'; name: string } | { kind: 'index'; index: number | '*' };

/** An object path such as `file:hashes.'SHA-256'`: the object type and the property steps. */
export interface ObjectPath {
  objectType: string;
  /** The first step is always a property. */
  steps: PathStep[];
}

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'integer'; value: number }
  /** Float text as written, without a leading `+`, so it prints back unchanged. */
  | { kind: 'float'; text: string }
  | { kind: 'boolean'; value: boolean }
  /** Timestamp text inside `t'...'`. */
  | { kind: 'timestamp'; value: string }
  /** Hex digits inside `h'...'`. */
  | { kind: 'hex'; value: string }
  /** Base64 text inside `b'...'`. */
  | { kind: 'binary'; value: string };

export type ComparisonOperator =
  '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

/** `path [NOT] operator value`; `IN` takes a list of values, the others one. */
export interface Comparison {
  kind: 'comparison';
  path: ObjectPath;
  operator: ComparisonOperator;
  negated: boolean;
  value: Literal | Literal[];
}

export interface ExistsTest {
  kind: 'exists';
  path: ObjectPath;
}

export interface ComparisonBinary {
  kind: 'comparison-binary';
  operator: 'AND' | 'OR';
  left: ComparisonExpression;
  right: ComparisonExpression;
}

/**
 * An `unconverted_term:...` placeholder in place of a comparison. It is not STIX grammar: the
 * OASIS stix2-elevator writes it for a STIX 1 observable it could not convert.
 */
export interface UnconvertedTerm {
  kind: 'unconverted-term';
  /** The placeholder as written, such as `unconverted_term:mandiant:observable-1234`. */
  text: string;
}

export type ComparisonExpression = Comparison | ExistsTest | ComparisonBinary | UnconvertedTerm;

export type Qualifier =
  | { kind: 'within'; seconds: Literal }
  | { kind: 'repeats'; times: number }
  | { kind: 'start-stop'; start: string; stop: string };

/** `[ comparison-expression ]`. */
export interface Observation {
  kind: 'observation';
  expression: ComparisonExpression;
}

export interface ObservationBinary {
  kind: 'observation-binary';
  operator: 'AND' | 'OR' | 'FOLLOWEDBY';
  left: ObservationExpression;
  right: ObservationExpression;
}

export interface QualifiedObservation {
  kind: 'qualified';
  expression: ObservationExpression;
  qualifier: Qualifier;
}

export type ObservationExpression = Observation | ObservationBinary | QualifiedObservation;

/** A binary node as the chain walks below see it: `left operator right`. */
interface BinaryNode<Expression> {
  kind: string;
  operator: string;
  left: Expression;
  right: Expression;
}

/**
 * Returns the operands of a chain of one operator in source order, such as A, B and C for
 * `A OR (B OR C)`, opening same-operator nodes on both sides. Use it where the operator is
 * associative. The parser groups operators left, so a chain of n terms is a tree n levels deep,
 * and it is walked with an explicit stack because recursion would overflow the call stack.
 */
export function chainOperands<Expression extends { kind: string }>(
  node: BinaryNode<Expression> & Expression,
): Expression[] {
  const operands: Expression[] = [];
  const pending: Expression[] = [node];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    if (isSameOperator(current, node)) pending.push(current.right, current.left);
    else operands.push(current);
  }
  return operands;
}

/**
 * Returns the operands of the left-grouped chain that `node` starts, such as A, B and C for
 * `A OR B OR C`, but A and `B OR C` for `A OR (B OR C)`. The printer uses it, because a right
 * operand with the same operator needs its parentheses. The left side is followed in a loop, for
 * the reason given at {@link chainOperands}.
 */
export function leftChainOperands<Expression extends { kind: string }>(
  node: BinaryNode<Expression> & Expression,
): Expression[] {
  const rightOperands: Expression[] = [];
  let current: Expression = node;
  while (isSameOperator(current, node)) {
    rightOperands.push(current.right);
    current = current.left;
  }
  return [current, ...rightOperands.reverse()];
}

function isSameOperator<Expression extends { kind: string }>(
  candidate: Expression,
  node: BinaryNode<Expression>,
): candidate is Expression & BinaryNode<Expression> {
  return (
    candidate.kind === node.kind &&
    (candidate as Partial<BinaryNode<Expression>>).operator === node.operator
  );
}

/** Formats an object path the way it is written in a pattern, quoting names that need it. */
export function formatObjectPath(path: ObjectPath): string {
  let text = `${path.objectType}:`;
  path.steps.forEach((step, position) => {
    if (step.kind === 'index') {
      text += `[${step.index}]`;
      return;
    }
    const name = isPlainIdentifier(step.name) ? step.name : quoteString(step.name);
    text += position === 0 ? name : `.${name}`;
  });
  return text;
}

/** Quotes a string literal, escaping backslashes and single quotes as the grammar requires. */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\']/g, (char) => `\\${char}`)}'`;
}

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Keywords that the lexer would read as operators, so a property with that name is quoted. */
const RESERVED_WORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUPERSET',
  'ISSUBSET',
  'EXISTS',
  'LAST',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'TRUE',
  'FALSE',
  'WITHIN',
  'REPEATS',
  'TIMES',
]);

function isPlainIdentifier(name: string): boolean {
  return PLAIN_IDENTIFIER.test(name) && !RESERVED_WORDS.has(name.toUpperCase());
}
