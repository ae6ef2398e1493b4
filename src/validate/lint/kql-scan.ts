/**
 * Splits the text of one KQL query into code, string literals and comments, so that the lint
 * checks can look for operators and `where` clauses without matching text inside a string or a
 * `//` comment. It is a scanner, not a parser, so it handles the Kusto string and comment syntax
 * and nothing else.
 */

/** Kind of each character of a query (code, string literal or comment), as in `ScannedKql.kinds`. */
export const CharKind = { Code: 0, String: 1, Comment: 2 } as const;

export interface ScannedKql {
  /** The query with every comment character replaced by a space, so offsets stay the same. */
  text: string;
  /** The kind of each character of `text`. */
  kinds: Uint8Array;
}

/** A `where` (or `filter`) condition of a query. */
export interface WhereClause {
  /** The condition, with comments blanked, from the first character after the keyword. */
  text: string;
  /** Offset of `text` in the query. */
  start: number;
}

/**
 * Scans a query. Strings are `"..."` and `'...'` with backslash escapes, verbatim `@"..."` and
 * `@'...'` whose quote is doubled to escape it, and multi-line strings between triple
 * backticks. A plain string ends at the end of its line, because only triple-backtick strings span lines.
 */
export function scanKql(query: string): ScannedKql {
  const kinds = new Uint8Array(query.length);
  let text = '';
  let index = 0;
  while (index < query.length) {
    const char = query[index] ?? '';
    const end = literalEnd(query, index);
    if (end > index) {
      kinds.fill(CharKind.String, index, end);
      text += query.slice(index, end);
      index = end;
    } else if (char === '/' && query[index + 1] === '/') {
      let lineEnd = query.indexOf('\n', index);
      if (lineEnd < 0) lineEnd = query.length;
      kinds.fill(CharKind.Comment, index, lineEnd);
      text += ' '.repeat(lineEnd - index);
      index = lineEnd;
    } else {
      text += char;
      index += 1;
    }
  }
  return { text, kinds };
}

/** Returns the offset just past a string literal that starts at `start`, or `start` if none does. */
function literalEnd(query: string, start: number): number {
  if (query.startsWith('```', start)) {
    const close = query.indexOf('```', start + 3);
    return close < 0 ? query.length : close + 3;
  }
  const char = query[start];
  const verbatim = char === '@' && (query[start + 1] === '"' || query[start + 1] === "'");
  const quoteAt = verbatim ? start + 1 : start;
  const quote = query[quoteAt];
  if (quote !== '"' && quote !== "'") return start;
  let index = quoteAt + 1;
  while (index < query.length) {
    const current = query[index];
    if (current === '\n') return index;
    if (!verbatim && current === '\\') {
      index += 2;
      continue;
    }
    if (current === quote) {
      if (verbatim && query[index + 1] === quote) {
        index += 2;
        continue;
      }
      return index + 1;
    }
    index += 1;
  }
  return query.length;
}

/** Returns the value of a string literal as written in a query, without quotes and escapes. */
export function stringValue(literal: string): string {
  if (literal.startsWith('```')) return literal.slice(3, literal.endsWith('```') ? -3 : undefined);
  const verbatim = literal.startsWith('@');
  const body = literal.slice(verbatim ? 2 : 1, -1);
  const quote = literal[verbatim ? 1 : 0] ?? '"';
  if (verbatim) return body.replaceAll(quote + quote, quote);
  return body.replace(/\\(.)/g, (_, escaped: string) => {
    if (escaped === 'n') return '\n';
    if (escaped === 't') return '\t';
    return escaped;
  });
}

/**
 * Finds the condition of every `| where` and `| filter` operator. A condition ends at the next
 * `|` or `;` outside brackets, or at a `)` that closes a bracket opened before the operator, as
 * in `union (T | where x == 1), U`.
 */
export function findWhereClauses(scanned: ScannedKql): WhereClause[] {
  return findOperatorBodies(scanned, '(?:where|filter)');
}

/**
 * Finds the text after every pipe operator whose name matches the regular expression source
 * `operator`, up to the end of that operator, as `findWhereClauses` does for `where`.
 */
export function findOperatorBodies(scanned: ScannedKql, operator: string): WhereClause[] {
  const { text, kinds } = scanned;
  const clauses: WhereClause[] = [];
  for (const match of text.matchAll(new RegExp(String.raw`\|\s*${operator}(?![\w-])`, 'g'))) {
    if (kinds[match.index] !== CharKind.Code) continue;
    const start = match.index + match[0].length;
    const end = operatorEnd(scanned, start);
    clauses.push({ text: text.slice(start, end), start });
  }
  return clauses;
}

/**
 * Returns the offset where the operator whose text starts at `start` ends: the next `|` or `;`
 * outside brackets, or a `)` that closes a bracket opened before `start`.
 */
export function operatorEnd(scanned: ScannedKql, start: number): number {
  return codeEnd(scanned, start, true);
}

/**
 * Returns the offset where the pipeline that goes on at `start` ends: the next `;` outside
 * brackets, or a bracket that closes one opened before `start`.
 */
export function pipelineEnd(scanned: ScannedKql, start: number): number {
  return codeEnd(scanned, start, false);
}

/** Returns the offset of the next `;` (or `|` too, with `atPipe`) outside brackets from `start`. */
function codeEnd({ text, kinds }: ScannedKql, start: number, atPipe: boolean): number {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    if (kinds[index] !== CharKind.Code) continue;
    const char = text[index];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') {
      depth -= 1;
      if (depth < 0) return index;
    } else if (depth === 0 && (char === ';' || (atPipe && char === '|'))) return index;
  }
  return text.length;
}

/**
 * Splits a condition at its top-level `and`, returning each operand with its offset in the
 * condition. `kinds` gives the character kinds of the condition text. Kusto's `and` binds
 * tighter than `or`, so a condition with a top-level `or` is returned whole, as one operand.
 */
export function splitTopLevelAnd(
  condition: string,
  kinds: Uint8Array,
): Array<{ text: string; start: number }> {
  const branches = splitOrOfAnd(condition, kinds);
  if (branches.length <= 1) return branches[0] ?? [];
  const leading = condition.length - condition.trimStart().length;
  return [{ text: condition.trim(), start: leading }];
}

/**
 * Splits a condition into its top-level `or` branches and each branch into its top-level `and`
 * operands, with their offsets in the condition. Kusto's `and` binds tighter than `or`, so
 * `A and B or C` returns the branches `[A, B]` and `[C]`.
 */
export function splitOrOfAnd(
  condition: string,
  kinds: Uint8Array,
): Array<Array<{ text: string; start: number }>> {
  return splitTopLevel(condition, kinds, 'or').map((branch) => {
    const branchKinds = kinds.subarray(branch.start, branch.start + branch.text.length);
    return splitTopLevel(branch.text, branchKinds, 'and').map((operand) => ({
      text: operand.text,
      start: branch.start + operand.start,
    }));
  });
}

/**
 * Splits a condition at a top-level `and` or `or` keyword, returning each operand with its
 * offset in the condition. `kinds` gives the character kinds of the condition text.
 */
export function splitTopLevel(
  condition: string,
  kinds: Uint8Array,
  keyword: 'and' | 'or',
): Array<{ text: string; start: number }> {
  const parts: Array<{ text: string; start: number }> = [];
  let depth = 0;
  let partStart = 0;
  for (let index = 0; index < condition.length; index++) {
    if (kinds[index] !== CharKind.Code) continue;
    const char = condition[index];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
    else if (depth === 0 && isKeyword(condition, index, keyword)) {
      parts.push({ text: condition.slice(partStart, index), start: partStart });
      partStart = index + keyword.length;
      index += keyword.length - 1;
    }
  }
  parts.push({ text: condition.slice(partStart), start: partStart });
  return parts
    .map((part) => {
      const leading = part.text.length - part.text.trimStart().length;
      return { text: part.text.trim(), start: part.start + leading };
    })
    .filter((part) => part.text !== '');
}

function isKeyword(text: string, index: number, keyword: string): boolean {
  if (text.slice(index, index + keyword.length) !== keyword) return false;
  const before = text[index - 1] ?? ' ';
  const after = text[index + keyword.length] ?? ' ';
  return !/[\w.]/.test(before) && !/[\w.]/.test(after);
}

/** Returns the 1-based line and column of an offset in a text whose first line is `firstLine`. */
export function lineAndColumn(
  text: string,
  offset: number,
  firstLine: number,
): { line: number; column: number } {
  let line = firstLine;
  let lineStart = 0;
  for (let index = 0; index < offset; index++) {
    if (text[index] === '\n') {
      line += 1;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Returns query text on one line, with each run of whitespace replaced by one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Returns the offset of the `)` (or `close`) that closes the bracket opened just before `start`. */
export function closingBracket({ text, kinds }: ScannedKql, start: number, close = ')'): number {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    if (kinds[index] !== CharKind.Code) continue;
    const char = text[index];
    if (char === '(' || char === '[') depth += 1;
    else if (char === ')' || char === ']') {
      if (depth === 0 && char === close) return index;
      depth -= 1;
    }
  }
  return text.length;
}
