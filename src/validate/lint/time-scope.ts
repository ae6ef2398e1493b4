/**
 * Finds the parts of a query that a time filter has to cover, for the NO_TIME_FILTER check. A
 * `let` statement that the query never uses filters nothing. `extend`, `project` and
 * `summarize` compute columns without dropping rows, so a time comparison there is no lookback.
 * The right side of a `join` or `lookup` and each leg of a `union` read their own tables, so each
 * needs a time filter of its own, or, for a union leg, one after the union.
 */
import {
  CharKind,
  closingBracket,
  findOperatorBodies,
  operatorEnd,
  pipelineEnd,
  type ScannedKql,
} from './kql-scan.js';

/** A range of offsets in a query, from `start` up to but not including `end`. */
export interface CodeRange {
  start: number;
  end: number;
}

/** A `let` statement of a query. */
export interface LetStatement {
  name: string;
  /** The whole statement, up to and including its `;`. */
  statement: CodeRange;
  /** The value after `=`. */
  value: CodeRange;
}

/** The right side of a `join` or `lookup`, or one leg of a `union`. */
export interface QuerySide {
  operator: 'join' | 'lookup' | 'union';
  range: CodeRange;
  /** For a union leg, the rest of the pipeline after the union, whose `where` covers the leg. */
  after?: CodeRange;
}

/**
 * Operators whose expressions compute values or order rows, so a time comparison in them keeps
 * old rows.
 */
const ROW_OPERATORS = String.raw`(?:extend|project(?:-\w+)?|summarize|order\s+by|sort\s+by|top|distinct|serialize)`;

/** Parameters of `join`, `lookup` and `union` written before their tables, such as `kind=inner`. */
const SIDE_PARAMETERS = /^\s*(?:(?:kind|withsource|isfuzzy|hint\.\w+)\s*=\s*[\w.]+\s*)*/;

/** Returns `text` with the characters of `range` replaced by spaces, keeping line breaks. */
export function blankRange(text: string, range: CodeRange): string {
  const blank = text.slice(range.start, range.end).replace(/[^\n]/g, ' ');
  return text.slice(0, range.start) + blank + text.slice(range.end);
}

/** Returns whether the code at `range` names `word` as a whole identifier. */
export function namesWord(text: string, range: CodeRange, word: string): boolean {
  return new RegExp(String.raw`(?<![\w.])${word}(?![\w])`).test(text.slice(range.start, range.end));
}

/** Splits a query into its statements at each `;` outside brackets, strings and comments. */
function splitStatements({ text, kinds }: ScannedKql): CodeRange[] {
  const statements: CodeRange[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    if (kinds[index] !== CharKind.Code) continue;
    const char = text[index];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
    else if (char === ';' && depth === 0) {
      statements.push({ start, end: index + 1 });
      start = index + 1;
    }
  }
  statements.push({ start, end: text.length });
  return statements;
}

/** Returns the `let` statements of a query. */
export function findLets(scanned: ScannedKql): LetStatement[] {
  const lets: LetStatement[] = [];
  for (const statement of splitStatements(scanned)) {
    const text = scanned.text.slice(statement.start, statement.end);
    const match = /^\s*let\s+([A-Za-z_]\w*)\s*=/.exec(text);
    if (!match?.[1]) continue;
    const valueEnd = text.endsWith(';') ? statement.end - 1 : statement.end;
    const value = { start: statement.start + match[0].length, end: valueEnd };
    lets.push({ name: match[1], statement, value });
  }
  return lets;
}

/**
 * Returns the query with each `let` statement blanked that no other statement uses, directly or
 * through another `let` that is used. Such a statement, as `let start = ago(7d);` in a query
 * that never reads `start`, bounds nothing.
 */
export function blankUnusedLets(scanned: ScannedKql): ScannedKql {
  const lets = findLets(scanned);
  const used = new Set<LetStatement>();
  const letRanges = lets.map((statement) => statement.statement);
  const roots = splitStatements(scanned).filter(
    (range) => !letRanges.some((letRange) => letRange.start === range.start),
  );
  const pending: CodeRange[] = [...roots];
  for (let range = pending.pop(); range; range = pending.pop()) {
    for (const statement of lets) {
      if (used.has(statement) || !namesWord(scanned.text, range, statement.name)) continue;
      used.add(statement);
      pending.push(statement.value);
    }
  }
  let text = scanned.text;
  for (const statement of lets) {
    if (!used.has(statement)) text = blankRange(text, statement.statement);
  }
  return { text, kinds: scanned.kinds };
}

/**
 * Returns the query with the bodies of the operators that never drop rows blanked, and the
 * columns that an `extend` sets from a time comparison, as `Recent` in
 * `extend Recent = Timestamp > ago(7d)`. A `where` on such a column is a time filter.
 */
export function blankRowOperators(
  scanned: ScannedKql,
  isTimeExpression: (expression: string) => boolean,
): { scanned: ScannedKql; timeColumns: string[] } {
  let text = scanned.text;
  const timeColumns: string[] = [];
  for (const body of findOperatorBodies(scanned, ROW_OPERATORS)) {
    const end = body.start + body.text.length;
    for (const assignment of splitTopLevelCommas(scanned, {
      start: body.start,
      end,
    })) {
      const match = /^\s*([A-Za-z_]\w*)\s*=(?!=)([\s\S]*)$/.exec(
        scanned.text.slice(assignment.start, assignment.end),
      );
      if (match?.[1] && isTimeExpression(match[2] ?? '')) timeColumns.push(match[1]);
    }
    text = blankRange(text, { start: body.start, end });
  }
  return { scanned: { text, kinds: scanned.kinds }, timeColumns };
}

/** Splits a range of a query at each `,` outside brackets. */
function splitTopLevelCommas({ text, kinds }: ScannedKql, range: CodeRange): CodeRange[] {
  const parts: CodeRange[] = [];
  let depth = 0;
  let start = range.start;
  for (let index = range.start; index < range.end; index++) {
    if (kinds[index] !== CharKind.Code) continue;
    const char = text[index];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push({ start, end: index });
      start = index + 1;
    }
  }
  parts.push({ start, end: range.end });
  return parts;
}

/** Returns `range` without the whitespace at its ends. */
function trimRange(text: string, range: CodeRange): CodeRange {
  const slice = text.slice(range.start, range.end);
  const start = range.start + (slice.length - slice.trimStart().length);
  return { start, end: Math.max(start, range.start + slice.trimEnd().length) };
}

/**
 * Returns the right side of every `join` and `lookup` and the legs of every `union` in the
 * query, inner ones included. A side is the bracketed query after the operator's parameters, or the name
 * written there.
 */
export function findQuerySides(scanned: ScannedKql): QuerySide[] {
  const { text, kinds } = scanned;
  const sides: QuerySide[] = [];
  for (const match of text.matchAll(/\|\s*(join|lookup)\b/g)) {
    if (kinds[match.index] !== CharKind.Code) continue;
    const operator = match[1] === 'lookup' ? 'lookup' : 'join';
    const afterOperator = match.index + match[0].length;
    const start =
      afterOperator + (SIDE_PARAMETERS.exec(text.slice(afterOperator))?.[0].length ?? 0);
    if (text[start] === '(') {
      sides.push({
        operator,
        range: { start: start + 1, end: closingBracket(scanned, start + 1) },
      });
    } else {
      const name = /^[A-Za-z_][\w*]*/.exec(text.slice(start))?.[0] ?? '';
      if (name !== '' && name !== 'on') {
        sides.push({
          operator,
          range: { start, end: start + name.length },
        });
      }
    }
  }
  for (const match of text.matchAll(/(?<![\w.-])union\b/g)) {
    if (kinds[match.index] !== CharKind.Code) continue;
    const afterOperator = match.index + match[0].length;
    const start =
      afterOperator + (SIDE_PARAMETERS.exec(text.slice(afterOperator))?.[0].length ?? 0);
    const end = operatorEnd(scanned, start);
    const after = { start: end, end: pipelineEnd(scanned, end) };
    for (const leg of splitTopLevelCommas(scanned, { start, end })) {
      const trimmed = trimRange(text, leg);
      const bracketed = text[trimmed.start] === '(' && text[trimmed.end - 1] === ')';
      const range = bracketed ? { start: trimmed.start + 1, end: trimmed.end - 1 } : trimmed;
      if (range.end > range.start) sides.push({ operator: 'union', range, after });
    }
  }
  return sides;
}
