/**
 * Checks whether a query bounds the time it scans. A time comparison bounds a `where` clause only
 * when every row that passes the clause also passes the comparison. That is the case when the
 * comparison is an `and` operand of the clause, or when it bounds every branch of an `or`.
 * `Timestamp > ago(7d) or RemoteIP == "1.1.1.1"` lets rows of any time through, so it is no
 * time filter. Nor is a comparison that keeps only the events before some time, such as
 * `Timestamp < ago(7d)`, because every older event still passes.
 */
import {
  CharKind,
  findWhereClauses,
  oneLine,
  scanKql,
  splitTopLevel,
  type ScannedKql,
} from './kql-scan.js';
import {
  blankRange,
  blankRowOperators,
  blankUnusedLets,
  findLets,
  findQuerySides,
  namesWord,
  type CodeRange,
  type LetStatement,
  type QuerySide,
} from './time-scope.js';

/** The period argument of `datetime_diff`, a string (whose contents may be blanked) or a name. */
const PERIOD = String.raw`(?:"[^"]*"|'[^']*'|\w+)`;

/**
 * A comparison with the time column or a relative time, which bounds what a query scans. It
 * includes the age of a row written as `now() - Timestamp` or `datetime_diff(..., now(),
 * Timestamp)`, and `Timestamp + 7d > now()`. `datetime_diff(period, d1, d2)` is d1 - d2 (Kusto documentation of datetime_diff), so
 * `datetime_diff(..., Timestamp, now())` is never positive for a past row. It bounds the time
 * only when compared as greater than a negative number, and `< 7` keeps every row.
 */
const TIME_COMPARISON = new RegExp(
  [
    String.raw`\b(?:TimeGenerated|Timestamp)\s*(?:>=?|<=?|==|!?between\b|in\s*\()`,
    String.raw`\bago\s*\(`,
    String.raw`\bnow\s*\(\s*\)\s*-\s*\(?\s*(?:TimeGenerated|Timestamp)\b`,
    String.raw`\bdatetime_diff\s*\(\s*${PERIOD}\s*,\s*now\s*\(\s*\)\s*,\s*(?:TimeGenerated|Timestamp)\b`,
    String.raw`\bdatetime_diff\s*\(\s*${PERIOD}\s*,\s*(?:TimeGenerated|Timestamp)\s*,\s*now\s*\(\s*\)\s*\)\s*>=?\s*-`,
    String.raw`\b(?:TimeGenerated|Timestamp)\s*\+[^|;<>=]*>=?\s*now\s*\(`,
  ].join('|'),
  'i',
);

/** A part of a condition and its offset in the query. */
interface Part {
  text: string;
  start: number;
}

/** A `where` condition that compares the time but joins that comparison with `or`. */
export interface OrJoinedTime {
  /** Offset of the condition in the query. */
  start: number;
  /** The condition, on one line. */
  condition: string;
  /** The time comparison, on one line. */
  comparison: string;
  /** The condition without the time comparison, on one line, or '' when nothing is left. */
  rest: string;
}

/**
 * The right side of a `join` or `lookup`, or a leg of a `union`, that reads a table without a
 * time filter.
 */
export interface UnboundedSide {
  operator: 'join' | 'lookup' | 'union';
  /** Offset of the side in the query. */
  start: number;
  /** The side, on one line. */
  text: string;
}

/** Result of the search for a time filter in one query. */
export interface TimeFilterSearch {
  /** True when a time comparison bounds what the query scans or sits outside `where` clauses. */
  bounded: boolean;
  /** The first where condition whose time comparison is joined with `or`, when not bounded. */
  orJoined?: OrJoinedTime;
  /** The first join or lookup side or union leg without a time filter, when not bounded. */
  side?: UnboundedSide;
}

/** Context that the search of one query reads besides the code of the part it searches. */
interface SearchContext {
  /** The query with comments blanked but string contents kept, to quote a side as written. */
  written: string;
  lets: LetStatement[];
  tables: readonly string[];
  timePattern: RegExp;
}

/**
 * Searches a query that reads `tables` for a time filter. A time comparison outside `where`
 * clauses (in a used `let` statement or a function argument) counts as one, because the scanner
 * cannot follow where its value goes. One in an unused `let` or in `extend`, `project` or
 * `summarize` does not, because it drops no rows. Each join or lookup side and union leg that
 * reads a table needs its own filter. Comments and string contents are never read as a time
 * comparison.
 */
export function findTimeFilter(query: string, tables: readonly string[]): TimeFilterSearch {
  const scanned = scanKql(query);
  const used = blankUnusedLets({
    text: blankStrings(scanned.text, scanned.kinds),
    kinds: scanned.kinds,
  });
  const { scanned: code, timeColumns } = blankRowOperators(used, (expression) =>
    TIME_COMPARISON.test(expression),
  );
  const names = timeColumns.map((column) => String.raw`\b${column}\b`);
  const timePattern = new RegExp([TIME_COMPARISON.source, ...names].join('|'), 'i');
  return searchScope(code, { written: scanned.text, lets: findLets(code), tables, timePattern });
}

/**
 * Searches the code left unblanked in `scope`: first its join and lookup sides and union legs,
 * then the rest.
 */
function searchScope(scope: ScannedKql, context: SearchContext): TimeFilterSearch {
  const sides = findQuerySides(scope).filter(
    (side, _, all) => !all.some((other) => other !== side && contains(other.range, side.range)),
  );
  let main = scope.text;
  for (const side of sides) {
    const found = searchSide(scope, side, context);
    if (found) return found;
    main = blankRange(main, side.range);
  }
  // A let that only the sides read does not bound the rest of the query.
  main = blankUnusedLets({ text: main, kinds: scope.kinds }).text;
  const whole = { start: 0, end: main.length };
  const readsTable =
    /\w\*/.test(main) || context.tables.some((table) => namesWord(main, whole, table));
  if (!readsTable) return { bounded: true };
  return searchClauses({ text: main, kinds: scope.kinds }, context, true);
}

/**
 * Returns the search result for a join or lookup side or a union leg without a time filter, or
 * undefined.
 */
function searchSide(
  scope: ScannedKql,
  side: QuerySide,
  context: SearchContext,
): TimeFilterSearch | undefined {
  const kept = [side.range, ...usedLetValues(scope.text, side.range, context.lets)];
  const sideScope = { text: keepRanges(scope.text, kept), kinds: scope.kinds };
  const found = searchScope(sideScope, context);
  if (found.bounded) return undefined;
  if (side.after) {
    const after = { text: keepRanges(scope.text, [side.after]), kinds: scope.kinds };
    if (searchClauses(after, context, false).bounded) return undefined;
  }
  if (found.orJoined ?? found.side) return found;
  const text = oneLine(context.written.slice(side.range.start, side.range.end));
  return { bounded: false, side: { operator: side.operator, start: side.range.start, text } };
}

/**
 * Returns the values of the `let` statements that `range` uses, directly or through others, each
 * with the `;` that ends it, so that a `where` at the end of a value stops there.
 */
function usedLetValues(text: string, range: CodeRange, lets: LetStatement[]): CodeRange[] {
  const used: LetStatement[] = [];
  const pending = [range];
  for (let current = pending.pop(); current; current = pending.pop()) {
    for (const statement of lets) {
      if (used.includes(statement) || !namesWord(text, current, statement.name)) continue;
      used.push(statement);
      pending.push(statement.value);
    }
  }
  return used.map(({ value, statement }) => ({ start: value.start, end: statement.end }));
}

/** Returns `text` with everything outside `ranges` blanked. */
function keepRanges(text: string, ranges: CodeRange[]): string {
  let kept = text.replace(/[^\n]/g, ' ');
  for (const { start, end } of ranges) {
    kept = kept.slice(0, start) + text.slice(start, end) + kept.slice(end);
  }
  return kept;
}

function contains(outer: CodeRange, inner: CodeRange): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * Searches the `where` clauses of `code` for a time filter, and with `outsideCounts` the code
 * outside them too.
 */
function searchClauses(
  code: ScannedKql,
  context: SearchContext,
  outsideCounts: boolean,
): TimeFilterSearch {
  const { timePattern, written } = context;
  const clauses = findWhereClauses(code);
  let outside = code.text;
  for (const clause of clauses) {
    outside = blankRange(outside, { start: clause.start, end: clause.start + clause.text.length });
  }
  if (outsideCounts && timePattern.test(outside)) return { bounded: true };

  const reader = new ConditionReader(code.kinds, code.text, timePattern);
  let orJoined: OrJoinedTime | undefined;
  for (const clause of clauses) {
    // The condition is read as written, so that a message quotes its strings. It ends at its last
    // code character, so that blanked statements outside the scope are left out.
    const text = written.slice(clause.start, clause.start + clause.text.trimEnd().length);
    const leading = text.length - text.trimStart().length;
    const condition = { text: text.trim(), start: clause.start + leading };
    if (condition.text === '') continue;
    if (reader.boundsTime(condition)) return { bounded: true };
    orJoined ??= reader.findOrJoined(condition);
  }
  return orJoined ? { bounded: false, orJoined } : { bounded: false };
}

/** Replaces the contents of string literals with spaces, keeping their quotes and offsets. */
function blankStrings(text: string, kinds: Uint8Array): string {
  let code = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index] ?? '';
    const inString = kinds[index] === CharKind.String && /[^"'@`\n]/.test(char);
    code += inString ? ' ' : char;
  }
  return code;
}

/** Reads the `and`, `or` and bracket structure of `where` conditions of one query. */
class ConditionReader {
  constructor(
    private readonly kinds: Uint8Array,
    private readonly code: string,
    private readonly timePattern: RegExp,
  ) {}

  /** Returns whether every row that passes `part` also passes a time comparison. */
  boundsTime(part: Part): boolean {
    const branches = this.split(part, 'or');
    if (branches.length > 1) return branches.every((branch) => this.boundsTime(branch));
    const operands = this.split(part, 'and');
    if (operands.length > 1) return operands.some((operand) => this.boundsTime(operand));
    const inner = this.insideBrackets(part);
    if (inner) return this.boundsTime(inner);
    return this.comparesTime(part) && !this.onlyEndsTime(part);
  }

  /**
   * Returns whether the time comparisons of `part` all keep only events before some time, as
   * `Timestamp < ago(7d)` or `not(Timestamp > ago(7d))` do. Such a part sets no lower bound, so
   * the query still scans all retained data.
   */
  private onlyEndsTime(part: Part): boolean {
    const scanned = { text: this.code, kinds: this.kinds };
    const comparisons = readTimeComparisons(scanned, part.start, part.start + part.text.length);
    return comparisons.length > 0 && !comparisons.some(isLowerBound);
  }

  /** Returns the outermost `or` whose branches compare the time but do not all bound it. */
  findOrJoined(part: Part): OrJoinedTime | undefined {
    const branches = this.split(part, 'or');
    if (branches.length > 1) {
      if (!this.comparesTime(part)) return undefined;
      const timed = branches.find((branch) => this.comparesTime(branch)) ?? part;
      const comparison = this.findComparison(timed);
      const rest = branches
        .map((branch) => this.withoutTime(branch))
        .filter((text) => text !== '')
        .join(' or ');
      return { start: part.start, condition: oneLine(part.text), comparison, rest };
    }
    const inner = this.insideBrackets(part);
    if (inner) return this.findOrJoined(inner);
    for (const operand of this.split(part, 'and')) {
      if (operand.text === part.text) return undefined;
      const found = this.findOrJoined(operand);
      if (found) return found;
    }
    return undefined;
  }

  /** Returns the first `and` operand of `part` that compares the time, on one line. */
  private findComparison(part: Part): string {
    const inner = this.insideBrackets(part);
    if (inner) return this.findComparison(inner);
    const operands = this.split(part, 'and');
    if (operands.length === 1) return oneLine(part.text);
    const timed = operands.find((operand) => this.comparesTime(operand)) ?? part;
    return this.findComparison(timed);
  }

  /**
   * Returns `part` without its `and` operands that compare the time, on one line. Brackets that
   * enclose all of `part` are removed first, so that their other operands are kept.
   */
  private withoutTime(part: Part): string {
    const inner = this.insideBrackets(part);
    if (inner) return this.withoutTime(inner);
    const operands = this.split(part, 'and');
    const others = operands.filter((operand) => !this.comparesTime(operand));
    return others.map((operand) => oneLine(operand.text)).join(' and ');
  }

  private comparesTime(part: Part): boolean {
    return this.timePattern.test(this.code.slice(part.start, part.start + part.text.length));
  }

  private split(part: Part, keyword: 'and' | 'or'): Part[] {
    const kinds = this.kinds.subarray(part.start, part.start + part.text.length);
    return splitTopLevel(part.text, kinds, keyword).map((piece) => ({
      text: piece.text,
      start: part.start + piece.start,
    }));
  }

  /** Returns the condition inside brackets that enclose all of `part`, or undefined. */
  private insideBrackets(part: Part): Part | undefined {
    if (!part.text.startsWith('(') || !part.text.endsWith(')')) return undefined;
    let depth = 0;
    for (let index = 0; index < part.text.length; index++) {
      if (this.kinds[part.start + index] !== CharKind.Code) continue;
      const char = part.text[index];
      if (char === '(') depth += 1;
      else if (char === ')') depth -= 1;
      if (depth === 0 && index < part.text.length - 1) return undefined;
    }
    const body = part.text.slice(1, -1);
    const leading = body.length - body.trimStart().length;
    return { text: body.trim(), start: part.start + 1 + leading };
  }
}

/**
 * A comparison of the time column. Group 1 is the operator, and group 2 is set when the value
 * (or the low end of a `between`) is a relative time, as in `Timestamp > ago(7d)`.
 */
const TIME_COLUMN_COMPARISON =
  /\b(?:TimeGenerated|Timestamp)\s*(>=?|<=?|!?between\b)\s*(?:\(\s*)?(ago\s*\()?/gi;

/** A time comparison in a `where` clause that keeps only events older than its lookback. */
export interface ReversedTimeFilter {
  /** Offset of the comparison (or of the `not` around it) in the query. */
  start: number;
  /** The comparison as shown in the message, such as `Timestamp < ago(...)`. */
  text: string;
  /** The advice on the operator to write in its place. */
  fix: string;
}

/** A comparison of the time column in a `where` clause, read with the `not()` calls around it. */
interface TimeColumnComparison {
  start: number;
  /** The operator as if the comparison were written `Timestamp <operator> ago(...)`. */
  operator: string;
  relative: boolean;
  /** For an age or an `ago()` written first, the comparison as shown and the operator to write. */
  written?: { text: string; operator: string };
  /** Offset of the outermost `not` around the comparison, when an odd number of them negate it. */
  negatedAt?: number;
}

/**
 * Returns each `where` comparison of the time column that keeps events older than a relative
 * time, as `Timestamp < ago(7d)`, `not(Timestamp > ago(7d))` and
 * `Timestamp !between (ago(7d) .. now())` keep every event but those of the last 7 days: almost
 * always a lookback written with the wrong operator. A query with a lower bound on the time as
 * well reads a window and passes. Comments and strings are never read.
 */
export function findReversedTimeFilters(query: string): ReversedTimeFilter[] {
  const scanned = scanKql(query);
  const code = { text: blankStrings(scanned.text, scanned.kinds), kinds: scanned.kinds };
  const comparisons = findWhereClauses(code).flatMap((clause) =>
    readTimeComparisons(code, clause.start, clause.start + clause.text.length),
  );
  // With a lower bound on the time too, the comparison ends a window, as in the last 7 days but one.
  if (comparisons.some(isLowerBound)) return [];
  const found: ReversedTimeFilter[] = [];
  for (const comparison of comparisons) {
    if (!comparison.relative || isLowerBound(comparison)) continue;
    const column = /^\w+/.exec(code.text.slice(comparison.start))?.[0] ?? 'Timestamp';
    const { written } = comparison;
    if (written) {
      const negated = comparison.negatedAt !== undefined;
      found.push({
        start: comparison.negatedAt ?? comparison.start,
        text: negated ? `not(${written.text})` : written.text,
        fix: negated
          ? 'Take the time comparison out of the not() to search the lookback.'
          : `Write ${written.operator} to search the lookback.`,
      });
    } else if (comparison.negatedAt !== undefined) {
      const text = `not(${column} ${comparison.operator} ago(...))`;
      found.push({
        start: comparison.negatedAt,
        text,
        fix: 'Take the time comparison out of the not() to search the lookback.',
      });
    } else if (comparison.operator === '!between') {
      const text = `${column} !between (ago(...) .. ...)`;
      found.push({ start: comparison.start, text, fix: 'Write between to search the lookback.' });
    } else {
      const text = `${column} ${comparison.operator} ago(...)`;
      found.push({
        start: comparison.start,
        text,
        fix: 'Write > ago(...) to search the lookback.',
      });
    }
  }
  return found;
}

/**
 * Tells whether a comparison keeps only events after some time: `>`, `>=` or `between`, or,
 * under `not()`, `<`, `<=` or `!between`.
 */
function isLowerBound(comparison: TimeColumnComparison): boolean {
  const lower = comparison.operator.startsWith('>') || comparison.operator === 'between';
  return comparison.negatedAt === undefined ? lower : !lower;
}

/** Reads the time column comparisons between `start` and `end`, with the `not()` calls around them. */
function readTimeComparisons(code: ScannedKql, start: number, end: number): TimeColumnComparison[] {
  const comparisons: TimeColumnComparison[] = [];
  // The offset of each open bracket's `not`, or undefined for a bracket of anything else.
  const brackets: Array<number | undefined> = [];
  for (let index = start; index < end; index++) {
    if (code.kinds[index] !== CharKind.Code) continue;
    const char = code.text[index];
    if (char === '(') {
      const before = /\bnot\s*$/.exec(code.text.slice(start, index));
      brackets.push(before ? start + before.index : undefined);
      continue;
    }
    if (char === ')') {
      brackets.pop();
      continue;
    }
    const nots = brackets.filter((at) => at !== undefined);
    const negation = nots.length % 2 === 1 ? { negatedAt: nots[0] } : {};
    const age = readAgeComparison(code, index);
    if (age) {
      comparisons.push({ ...age.comparison, ...negation });
      index = age.next - 1;
      continue;
    }
    TIME_COLUMN_COMPARISON.lastIndex = index;
    const match = TIME_COLUMN_COMPARISON.exec(code.text);
    if (match?.index !== index || !match[1]) continue;
    comparisons.push({
      start: index,
      operator: match[1].replace(/\s+/g, ''),
      relative: match[2] !== undefined,
      ...negation,
    });
    index += match[0].length - 1;
  }
  return comparisons;
}

/** `now() - Timestamp` or `datetime_diff(..., now(), Timestamp)`, the age of a row. Sticky. */
const ROW_AGE = new RegExp(
  String.raw`(?:now\s*\(\s*\)\s*-\s*(TimeGenerated|Timestamp)\b|` +
    String.raw`datetime_diff\s*\(\s*${PERIOD}\s*,\s*now\s*\(\s*\)\s*,\s*(TimeGenerated|Timestamp)\s*\))`,
  'iy',
);
/** The comparison operator after an age, with the `)` of brackets around the age. */
const AGE_OPERATOR = /^(\s*\))?\s*(<=?|>=?)/;
/** `ago(...) > Timestamp`, a relative time compared with the time column written second. Sticky. */
const AGO_FIRST = /ago\s*\([^()]*\)\s*(<=?|>=?)\s*(TimeGenerated|Timestamp)\b/iy;

/** The operator that compares the same values with the operands swapped. */
const SWAPPED_OPERATOR: Readonly<Record<string, string>> = {
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

/**
 * Reads a comparison of the age of a row, as `now() - Timestamp > 7d`, or of `ago()` written
 * before the time column, at `index`. Returns it with the operator as if written
 * `Timestamp <operator> ago(...)`, and the offset where the scan goes on, or undefined.
 */
function readAgeComparison(
  code: ScannedKql,
  index: number,
): { comparison: TimeColumnComparison; next: number } | undefined {
  if (/\w/.test(code.text[index - 1] ?? '')) return undefined;

  // `ago(7d) > Timestamp`: the operator is read as if the operands were swapped.
  AGO_FIRST.lastIndex = index;
  const ago = AGO_FIRST.exec(code.text);
  if (ago?.[1] && ago[2]) {
    const operator = SWAPPED_OPERATOR[ago[1]] ?? ago[1];
    const written = { text: `ago(...) ${ago[1]} ${ago[2]}`, operator };
    return {
      comparison: { start: index, operator, relative: true, written },
      next: index + ago[0].length,
    };
  }

  // `now() - Timestamp > 7d` or a datetime_diff of the time column.
  ROW_AGE.lastIndex = index;
  const age = ROW_AGE.exec(code.text);
  if (!age) return undefined;
  const end = index + age[0].length;
  const after = AGE_OPERATOR.exec(code.text.slice(end));
  if (!after?.[2]) return undefined;
  const column = age[1] ?? age[2] ?? 'Timestamp';
  const shown = age[1] ? `now() - ${column}` : `datetime_diff(..., now(), ${column})`;
  // A bracketed age, as `(now() - Timestamp) > 7d`, is shown from its `(`.
  const opening = after[1] ? /\(\s*$/.exec(code.text.slice(0, index)) : null;
  const written = { text: `${shown} ${after[2]} ...`, operator: SWAPPED_OPERATOR[after[2]] ?? '<' };
  return {
    comparison: {
      start: opening ? opening.index : index,
      operator: SWAPPED_OPERATOR[after[2]] ?? after[2],
      relative: true,
      written,
    },
    next: end,
  };
}
