/**
 * Parser for hand-written filters in a small field-operator-value language:
 * `process.name != "psexec.exe" OR (cmd contains 'base64' AND NOT port in (80, 443))`.
 *
 * Operators follow Kusto: `==`, `!=`, `=~`, `!~`, `<`, `<=`, `>`, `>=`, `contains`,
 * `startswith`, `endswith` and their `!` negations, `in`, `in~`, `!in`, `!in~`, plus
 * `isempty(f)`, `isnotempty(f)` and `ipv4_is_in_any_range(f, "cidr", ...)`. A lone `=` reads
 * as `==`. AND binds tighter than OR, as in Kusto and SQL. Keywords are case-insensitive.
 */
import { ConfigError } from '../../errors.js';
import type { FilterExpr, Literal } from '../../compile/ir.js';
import { syntaxIssue, tokenizeFilter } from './lex.js';
import { printFilter } from './print.js';
import type { FilterSyntaxIssue, Token } from './lex.js';

/** Where a node of the parsed filter was written. */
export interface FilterSpan {
  column: number;
  length: number;
}

export interface ParsedFilter {
  /** The filter as Kusto reads it, or undefined when the text has a syntax error. */
  expr: FilterExpr | undefined;
  /** Syntax errors and the AND/OR mixing warning. */
  issues: FilterSyntaxIssue[];
  /** Column span of each node of `expr`. */
  spans: Map<FilterExpr, FilterSpan>;
  /**
   * Set when AND and OR appear at the same level without parentheses: the same text read
   * with OR binding tighter, which is what a left-to-right reader may have meant.
   */
  otherReading?: FilterExpr;
}

/** Thrown inside the parser to stop at the first syntax error. */
class StopParsing extends Error {
  constructor(readonly issue: FilterSyntaxIssue) {
    super(issue.message);
  }
}

/** The comparison operators, listed in messages about an unknown operator. */
const OPERATOR_LIST =
  '==, !=, =~, !~, <, <=, >, >=, contains, !contains, startswith, !startswith, endswith, ' +
  '!endswith, in, !in, in~ and !in~';

const FUNCTIONS = new Set([
  'isempty',
  'isnotempty',
  'isnull',
  'isnotnull',
  'ipv4_is_in_any_range',
  'ipv6_is_in_any_range',
]);

/** Parses one filter; never throws on bad input, but returns the problems in `issues`. */
export function parseFilter(text: string): ParsedFilter {
  const { tokens, issues } = tokenizeFilter(text);
  const spans = new Map<FilterExpr, FilterSpan>();
  if (issues.length > 0) return { expr: undefined, issues, spans };
  try {
    const expr = new Parser(tokens, spans, true).parseAll();
    const mixed = findAndOrMix(tokens);
    if (!mixed) return { expr, issues, spans };
    const otherReading = new Parser(tokens, new Map(), false).parseAll();
    issues.push({
      code: 'MIXED_AND_OR',
      severity: 'warning',
      message:
        `AND and OR are mixed without parentheses. AND binds tighter, so the filter reads as ` +
        `${printFilter(expr)}. The author may have meant ${printFilter(otherReading)}. ` +
        `Add parentheses to say which reading is meant.`,
      column: mixed.column,
      length: mixed.length,
    });
    return { expr, issues, spans, otherReading };
  } catch (error) {
    if (!(error instanceof StopParsing)) throw error;
    return { expr: undefined, issues: [error.issue], spans };
  }
}

/**
 * Parses a filter and throws on a syntax error.
 *
 * @throws ConfigError with code `FILTER_SYNTAX` and the text with a caret under the problem.
 */
export function parseFilterOrThrow(text: string, where = 'filter'): FilterExpr {
  const parsed = parseFilter(text);
  const error = parsed.issues.find((issue) => issue.severity === 'error');
  if (parsed.expr && !error) return parsed.expr;
  const issue = error ?? syntaxIssue('Empty filter', 1, 1);
  throw new ConfigError(issue.code, `Invalid ${where}: ${formatSyntaxIssue(text, issue)}`, {
    source: { column: issue.column },
  });
}

/** Formats an issue as its message, then the filter text and a caret line under the problem. */
export function formatSyntaxIssue(text: string, issue: FilterSyntaxIssue): string {
  const caret = ' '.repeat(Math.max(0, issue.column - 1)) + '^'.repeat(Math.max(1, issue.length));
  return `${issue.message} (column ${issue.column})\n  ${text}\n  ${caret}`;
}

/** Returns the first AND or OR that sits at the same parenthesis depth as the other one. */
function findAndOrMix(tokens: Token[]): Token | undefined {
  const stack: Array<{ and?: Token; or?: Token }> = [{}];
  for (const token of tokens) {
    if (token.kind === 'lparen') stack.push({});
    else if (token.kind === 'rparen') stack.pop();
    const level = stack[stack.length - 1];
    if (!level) return undefined;
    const word = logicalWord(token);
    if (word === 'and') level.and ??= token;
    if (word === 'or') level.or ??= token;
    if (level.and && level.or) return level.and.column > level.or.column ? level.and : level.or;
  }
  return undefined;
}

function logicalWord(token: Token): 'and' | 'or' | 'not' | undefined {
  if (token.kind === 'keyword' && ['and', 'or', 'not'].includes(token.text)) {
    return token.text as 'and' | 'or' | 'not';
  }
  if (token.kind === 'operator' && token.text === '&&') return 'and';
  if (token.kind === 'operator' && token.text === '||') return 'or';
  if (token.kind === 'operator' && token.text === '!') return 'not';
  return undefined;
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly spans: Map<FilterExpr, FilterSpan>,
    private readonly andBindsTighter: boolean,
  ) {}

  parseAll(): FilterExpr {
    if (this.peek().kind === 'end') throw this.fail('Empty filter: expected a condition');
    const expr = this.parseChain(0);
    const next = this.peek();
    if (next.kind !== 'end') {
      const problem =
        next.kind === 'rparen' ? 'Unmatched ")"' : `Unexpected ${describeToken(next)}`;
      throw this.fail(`${problem}: expected AND, OR or the end of the filter`, next);
    }
    return expr;
  }

  /** Level 0 is the looser of AND and OR, level 1 the tighter one. */
  private parseChain(level: 0 | 1): FilterExpr {
    const word = (level === 0) === this.andBindsTighter ? 'or' : 'and';
    const first = this.peek();
    const terms = [level === 0 ? this.parseChain(1) : this.parseUnary()];
    while (logicalWord(this.peek()) === word) {
      this.index += 1;
      terms.push(level === 0 ? this.parseChain(1) : this.parseUnary());
    }
    if (terms.length === 1 && terms[0]) return terms[0];
    const expr: FilterExpr = { kind: word, terms };
    return this.record(expr, first);
  }

  private parseUnary(): FilterExpr {
    const token = this.peek();
    if (logicalWord(token) === 'not') {
      this.index += 1;
      return this.record({ kind: 'not', term: this.parseUnary() }, token);
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterExpr {
    const token = this.next();
    if (token.kind === 'lparen') {
      const inner = this.parseChain(0);
      this.expect('rparen', 'a closing ")"');
      return inner;
    }
    if (token.kind === 'keyword' && (token.text === 'true' || token.text === 'false')) {
      return this.record({ kind: 'const', value: token.text === 'true' }, token);
    }
    if (token.kind !== 'field') {
      throw this.fail(
        `Unexpected ${describeToken(token)}: expected a field name, a function such as isempty(), NOT, "(", true or false`,
        token,
      );
    }
    if (FUNCTIONS.has(token.text.toLowerCase()) && this.peek().kind === 'lparen') {
      return this.parseFunction(token);
    }
    return this.parseComparison(token);
  }

  private parseFunction(name: Token): FilterExpr {
    this.expect('lparen', '"("');
    const field = this.expect('field', 'a field name').text;
    const args: Literal[] = [];
    while (this.peek().kind === 'comma') {
      this.index += 1;
      args.push(this.parseLiteral());
    }
    this.expect('rparen', 'a closing ")"');
    const lower = name.text.toLowerCase();
    let expr: FilterExpr;
    if (lower === 'isempty' || lower === 'isnull') expr = { kind: 'empty', column: field };
    else if (lower === 'isnotempty' || lower === 'isnotnull') {
      expr = { kind: 'not', term: { kind: 'empty', column: field } };
    } else {
      const ranges = args.filter((arg): arg is string => typeof arg === 'string');
      if (ranges.length === 0 || ranges.length !== args.length) {
        throw this.fail(`${name.text}() expects a field and one or more quoted CIDR ranges`, name);
      }
      expr = { kind: 'cidr', column: field, ranges };
    }
    return this.record(expr, name);
  }

  private parseComparison(field: Token): FilterExpr {
    const operator = this.next();
    if (operator.kind === 'field') {
      throw this.fail(
        `Unknown operator ${JSON.stringify(operator.text)} after ${JSON.stringify(field.text)}: expected one of ${OPERATOR_LIST}`,
        operator,
      );
    }
    if (operator.kind !== 'operator' || ['&&', '||', '!'].includes(operator.text)) {
      throw this.fail(
        `Unexpected ${describeToken(operator)} after ${JSON.stringify(field.text)}: expected an operator such as ==, !=, =~, contains or in`,
        operator,
      );
    }
    const op = operator.text;
    const negated = op.startsWith('!') && op !== '!=' && op !== '!~';
    const base = negated ? op.slice(1) : op;
    let expr: FilterExpr;
    if (base === 'in' || base === 'in~') {
      expr = { kind: 'in', column: field.text, values: this.parseList() };
      if (base === 'in~') expr.caseInsensitive = true;
    } else if (base === 'contains' || base === 'startswith' || base === 'endswith') {
      const value = this.parseLiteral();
      if (typeof value !== 'string') {
        throw this.fail(`${base} expects a quoted string, not ${String(value)}`, this.previous());
      }
      expr = { kind: 'text', column: field.text, op: base, value };
    } else {
      expr = this.makeCompare(field.text, op, this.parseLiteral());
    }
    this.record(expr, field);
    if (!negated) return expr;
    return this.record({ kind: 'not', term: expr }, field);
  }

  private makeCompare(column: string, op: string, value: Literal): FilterExpr {
    if (op === '=~' || op === '!~') {
      if (typeof value !== 'string') {
        throw this.fail(`${op} compares strings: expected a quoted string`, this.previous());
      }
      return {
        kind: 'compare',
        column,
        op: op === '=~' ? '==' : '!=',
        value,
        caseInsensitive: true,
      };
    }
    const compareOp = op === '=' ? '==' : op;
    if (!['==', '!=', '<', '<=', '>', '>='].includes(compareOp)) {
      throw this.fail(`Unknown operator ${JSON.stringify(op)}`, this.previous());
    }
    return { kind: 'compare', column, op: compareOp as '==', value };
  }

  private parseList(): Literal[] {
    this.expect('lparen', '"(" to start the list of values');
    const values: Literal[] = [];
    if (this.peek().kind !== 'rparen') {
      values.push(this.parseLiteral());
      while (this.peek().kind === 'comma') {
        this.index += 1;
        values.push(this.parseLiteral());
      }
    }
    this.expect('rparen', 'a comma or a closing ")"');
    return values;
  }

  private parseLiteral(): Literal {
    const token = this.next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'keyword' && (token.text === 'true' || token.text === 'false')) {
      return token.text === 'true';
    }
    const hint = token.kind === 'field' ? `; write "${token.text}" in quotes if it is text` : '';
    throw this.fail(
      `Unexpected ${describeToken(token)}: expected a quoted string, a number, true or false${hint}`,
      token,
    );
  }

  private record(expr: FilterExpr, token: Token): FilterExpr {
    const end = this.previous();
    this.spans.set(expr, { column: token.column, length: end.column + end.length - token.column });
    return expr;
  }

  private expect(kind: Token['kind'], what: string): Token {
    const token = this.next();
    if (token.kind !== kind)
      throw this.fail(`Unexpected ${describeToken(token)}: expected ${what}`, token);
    return token;
  }

  private peek(): Token {
    return this.tokens[this.index] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private previous(): Token {
    return this.tokens[Math.max(0, this.index - 1)]!;
  }

  private fail(message: string, token: Token = this.peek()): StopParsing {
    return new StopParsing(syntaxIssue(message, token.column, token.length));
  }
}

/** Names a token for "Unexpected ..." messages, such as `string "s"` or `end of the filter`. */
function describeToken(token: Token): string {
  const text = JSON.stringify(token.text);
  switch (token.kind) {
    case 'end':
      return 'end of the filter';
    case 'field':
      return `name ${text}`;
    case 'string':
    case 'number':
    case 'keyword':
    case 'operator':
      return `${token.kind} ${text}`;
    default:
      return text;
  }
}
