/**
 * Recursive-descent parser for STIX patterns, following the parser rules of the OASIS grammar
 * `STIXPattern.g4` (STIX 2.1). Between observations, precedence from loosest to tightest is
 * FOLLOWEDBY, OR, AND, then qualifiers. Inside `[...]`, OR is looser than AND. All binary
 * operators group left. The stix2-elevator placeholder `unconverted_term:...` is read as a
 * comparison where the lexer emits a placeholder token (see `pattern-lexer.ts`).
 */
import type {
  Comparison,
  ComparisonExpression,
  ComparisonOperator,
  Literal,
  ObjectPath,
  ObservationExpression,
  PathStep,
  Qualifier,
} from './pattern-ast.js';
import { patternError, tokenizePattern, type Keyword, type Token } from './pattern-lexer.js';
import { quoteValue } from '../../errors.js';

/** Parses a pattern into its syntax tree; throws StixPatternError with the offset on bad syntax. */
export function parsePattern(pattern: string): ObservationExpression {
  const parser = new PatternParser(pattern, tokenizePattern(pattern));
  const tree = parser.parseFollowedBy();
  parser.expectEnd();
  return tree;
}

const KEYWORD_OPERATORS: ReadonlySet<string> = new Set([
  'IN',
  'LIKE',
  'MATCHES',
  'ISSUBSET',
  'ISSUPERSET',
]);

const SYMBOL_OPERATORS: ReadonlySet<string> = new Set(['=', '!=', '<', '<=', '>', '>=']);

/**
 * Deepest parenthesis nesting accepted. Deeper input is rejected with a syntax error instead of
 * overflowing the call stack; real patterns nest a few levels.
 */
const MAX_NESTING = 200;

class PatternParser {
  private position = 0;
  private depth = 0;

  constructor(
    private readonly pattern: string,
    private readonly tokens: Token[],
  ) {}

  parseFollowedBy(): ObservationExpression {
    let left = this.parseObservationOr();
    while (this.acceptKeyword('FOLLOWEDBY')) {
      left = {
        kind: 'observation-binary',
        operator: 'FOLLOWEDBY',
        left,
        right: this.parseObservationOr(),
      };
    }
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw this.unexpected(token, 'the end of the pattern');
  }

  private parseObservationOr(): ObservationExpression {
    let left = this.parseObservationAnd();
    while (this.acceptKeyword('OR')) {
      left = {
        kind: 'observation-binary',
        operator: 'OR',
        left,
        right: this.parseObservationAnd(),
      };
    }
    return left;
  }

  private parseObservationAnd(): ObservationExpression {
    let left = this.parseQualified();
    while (this.acceptKeyword('AND')) {
      left = { kind: 'observation-binary', operator: 'AND', left, right: this.parseQualified() };
    }
    return left;
  }

  private parseQualified(): ObservationExpression {
    let expression = this.parseObservationPrimary();
    for (;;) {
      const qualifier = this.parseQualifier();
      if (!qualifier) return expression;
      expression = { kind: 'qualified', expression, qualifier };
    }
  }

  private parseObservationPrimary(): ObservationExpression {
    if (this.acceptPunctuation('[')) {
      const expression = this.parseComparisonOr();
      this.expectPunctuation(']');
      return { kind: 'observation', expression };
    }
    if (this.acceptPunctuation('(')) {
      this.enterGroup();
      const expression = this.parseFollowedBy();
      this.expectPunctuation(')');
      this.depth--;
      return expression;
    }
    throw this.unexpected(this.peek(), "'[' or '(' to start an observation expression");
  }

  private parseQualifier(): Qualifier | undefined {
    if (this.acceptKeyword('WITHIN')) {
      const token = this.next();
      if ((token.kind !== 'integer' && token.kind !== 'float') || isNegative(token)) {
        throw this.unexpected(token, 'a positive number of seconds after WITHIN');
      }
      this.expectKeyword('SECONDS');
      const seconds: Literal =
        token.kind === 'integer'
          ? { kind: 'integer', value: token.value }
          : { kind: 'float', text: token.text };
      return { kind: 'within', seconds };
    }
    if (this.acceptKeyword('REPEATS')) {
      const token = this.next();
      if (token.kind !== 'integer' || token.value < 0) {
        throw this.unexpected(token, 'a positive integer after REPEATS');
      }
      this.expectKeyword('TIMES');
      return { kind: 'repeats', times: token.value };
    }
    if (this.acceptKeyword('START')) {
      const start = this.expectTimestamp();
      this.expectKeyword('STOP');
      return { kind: 'start-stop', start, stop: this.expectTimestamp() };
    }
    return undefined;
  }

  private parseComparisonOr(): ComparisonExpression {
    let left = this.parseComparisonAnd();
    while (this.acceptKeyword('OR')) {
      left = { kind: 'comparison-binary', operator: 'OR', left, right: this.parseComparisonAnd() };
    }
    return left;
  }

  private parseComparisonAnd(): ComparisonExpression {
    let left = this.parsePropertyTest();
    while (this.acceptKeyword('AND')) {
      left = { kind: 'comparison-binary', operator: 'AND', left, right: this.parsePropertyTest() };
    }
    return left;
  }

  private parsePropertyTest(): ComparisonExpression {
    if (this.acceptPunctuation('(')) {
      this.enterGroup();
      const expression = this.parseComparisonOr();
      this.expectPunctuation(')');
      this.depth--;
      return expression;
    }
    const token = this.peek();
    if (token.kind === 'placeholder') {
      this.position++;
      return { kind: 'unconverted-term', text: token.text };
    }
    if (this.acceptKeyword('EXISTS')) return { kind: 'exists', path: this.parseObjectPath() };
    const path = this.parseObjectPath();
    const negated = this.acceptKeyword('NOT');
    const operator = this.parseOperator();
    return { kind: 'comparison', path, operator, negated, value: this.parseOperand(operator) };
  }

  private parseOperator(): ComparisonOperator {
    const token = this.next();
    if (token.kind === 'punctuation' && SYMBOL_OPERATORS.has(token.text)) {
      return token.text as ComparisonOperator;
    }
    if (token.kind === 'keyword' && KEYWORD_OPERATORS.has(token.text)) {
      return token.text as ComparisonOperator;
    }
    throw this.unexpected(token, 'a comparison operator (=, !=, <, IN, LIKE, MATCHES, ...)');
  }

  private parseOperand(operator: ComparisonOperator): Comparison['value'] {
    if (operator === 'IN') return this.parseSet();
    const token = this.next();
    if (operator === '=' || operator === '!=') return this.toLiteral(token, 'a literal value');
    if (operator === '<' || operator === '<=' || operator === '>' || operator === '>=') {
      if (token.kind === 'boolean') throw this.unexpected(token, 'an orderable literal');
      return this.toLiteral(token, 'an orderable literal');
    }
    if (token.kind !== 'string') throw this.unexpected(token, `a string literal after ${operator}`);
    return { kind: 'string', value: token.value };
  }

  private parseSet(): Literal[] {
    this.expectPunctuation('(');
    const values: Literal[] = [];
    if (this.acceptPunctuation(')')) return values;
    do {
      values.push(this.toLiteral(this.next(), 'a literal value in the set'));
    } while (this.acceptPunctuation(','));
    this.expectPunctuation(')');
    return values;
  }

  private parseObjectPath(): ObjectPath {
    const typeToken = this.next();
    if (typeToken.kind !== 'identifier') throw this.unexpected(typeToken, 'an object type');
    this.expectPunctuation(':');
    const steps: PathStep[] = [{ kind: 'property', name: this.parsePropertyName() }];
    for (;;) {
      if (this.acceptPunctuation('.')) {
        steps.push({ kind: 'property', name: this.parsePropertyName() });
      } else if (this.acceptPunctuation('[')) {
        steps.push({ kind: 'index', index: this.parseIndex() });
        this.expectPunctuation(']');
      } else {
        return { objectType: typeToken.text, steps };
      }
    }
  }

  private parsePropertyName(): string {
    const token = this.next();
    if (token.kind === 'string') return token.value;
    if (token.kind === 'keyword') return token.raw;
    if (token.kind !== 'identifier') throw this.unexpected(token, 'a property name');
    if (token.text.includes('-')) {
      throw patternError(
        this.pattern,
        token.offset,
        `Property name "${token.text}" contains a hyphen, so it must be quoted as '${token.text}'`,
      );
    }
    return token.text;
  }

  private parseIndex(): number | '*' {
    const token = this.next();
    if (token.kind === 'punctuation' && token.text === '*') return '*';
    if (token.kind === 'integer') return token.value;
    throw this.unexpected(token, "a list index or '*'");
  }

  private toLiteral(token: Token, expected: string): Literal {
    switch (token.kind) {
      case 'string':
      case 'timestamp':
      case 'hex':
      case 'binary':
      case 'boolean':
      case 'integer':
        return { kind: token.kind, value: token.value } as Literal;
      case 'float':
        return { kind: 'float', text: token.text };
      default:
        throw this.unexpected(token, expected);
    }
  }

  private expectTimestamp(): string {
    const token = this.next();
    if (token.kind !== 'timestamp') throw this.unexpected(token, "a timestamp t'...'");
    return token.value;
  }

  private enterGroup(): void {
    this.depth++;
    if (this.depth > MAX_NESTING) {
      const offset = this.tokens[this.position - 1]?.offset ?? 0;
      throw patternError(this.pattern, offset, `Parentheses nested deeper than ${MAX_NESTING}`);
    }
  }

  private peek(): Token {
    // The token list always ends with an `end` token, and `next` never moves past it.
    return this.tokens[this.position] ?? { kind: 'end', offset: this.pattern.length };
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private acceptKeyword(keyword: Keyword): boolean {
    const token = this.peek();
    if (token.kind !== 'keyword' || token.text !== keyword) return false;
    this.position++;
    return true;
  }

  private expectKeyword(keyword: Keyword): void {
    if (!this.acceptKeyword(keyword)) throw this.unexpected(this.peek(), keyword);
  }

  private acceptPunctuation(text: string): boolean {
    const token = this.peek();
    if (token.kind !== 'punctuation' || token.text !== text) return false;
    this.position++;
    return true;
  }

  private expectPunctuation(text: string): void {
    if (!this.acceptPunctuation(text)) throw this.unexpected(this.peek(), `'${text}'`);
  }

  private unexpected(token: Token, expected: string): Error {
    return patternError(
      this.pattern,
      token.offset,
      `Expected ${expected} but found ${describeToken(token)}`,
    );
  }
}

function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the pattern';
    case 'punctuation':
      return `'${token.text}'`;
    case 'keyword':
      return `the keyword ${token.text}`;
    // A name or placeholder can be as long as the pattern, so it is quoted and cut short.
    case 'identifier':
      return `the name ${quoteValue(token.text)}`;
    case 'placeholder':
      return `the placeholder ${quoteValue(token.text)}`;
    default:
      return `a ${token.kind} literal`;
  }
}

function isNegative(token: Token): boolean {
  if (token.kind === 'integer') return token.value < 0;
  return token.kind === 'float' && token.text.startsWith('-');
}
