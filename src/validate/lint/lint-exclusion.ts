/**
 * Checks one hand-written "Filter/Exclusion" line, read as the condition an event must meet
 * to be kept: syntax, AND/OR mixed without parentheses, a condition that keeps every event
 * or none, terms that cannot change the result, fields the report's tables lack, process
 * names no process has, and a filter that removes the opposite of what its scenario describes.
 * A line of process names alone (`chrome.exe, msedge.exe`) is read as the events to drop.
 */
import type { ColumnType, FilterExpr } from '../../compile/ir.js';
import type { HuntpackIssue } from '../../errors.js';
import { listAtoms, termAt } from '../../pipeline/filter-check/analyze.js';
import {
  analyzeWithOptions,
  checkExclusion,
  checkFilter,
} from '../../pipeline/filter-check/check.js';
import {
  describeFilter,
  simplifyCondition,
  toCondition,
} from '../../pipeline/filter-check/describe.js';
import type { Condition, DescribeOptions } from '../../pipeline/filter-check/describe.js';
import type { FilterIssue } from '../../pipeline/filter-check/types.js';
import { parseFilter } from '../../pipeline/filter-lang/parse.js';
import type { TableSchema } from '../../pipeline/schemas.js';
import { suggestCorrection } from './correct-exclusion.js';
import type { ExclusionCorrection } from './correct-exclusion.js';
import {
  isImplausibleProcessName,
  isProcessNameColumn,
  isSchedulerAlias,
  readProcessNameList,
  schedulerProcessNames,
} from './process-names.js';

/** A finding with the 1-based column in the filter text where it applies, when known. */
export type ExclusionFinding = HuntpackIssue;

export interface ExclusionLint {
  /** 1-based line of the "Filter/Exclusion:" line. */
  line: number;
  /** Label before `text` in the report: `Filter/Exclusion:`, or `| where` in a pack's report. */
  label: string;
  /** The filter text after the label. */
  text: string;
  /** The scenario title and description written above the line. */
  scenario: string;
  /** The parsed condition to keep; absent on a syntax error. */
  expr?: FilterExpr;
  /** With AND and OR mixed: the reading with OR binding tighter. */
  otherReading?: FilterExpr;
  /** Plain-words statement of the events the line removes, such as "removes only events where ...". */
  effect?: string;
  /** Plain-words statement of the events the other reading removes. */
  otherEffect?: string;
  findings: ExclusionFinding[];
  /** One suggested correction per table, when the line has any error or warning. */
  corrections: ExclusionCorrection[];
}

export interface ExclusionContext {
  file: string;
  line: number;
  /** Column of the filter text's first character in the line. */
  column: number;
  /** Label before the filter text in the report. Default: `Filter/Exclusion:`. */
  label?: string;
  scenario: string;
  /** Schemas of the tables the report's queries read. */
  schemas: TableSchema[];
  /** Columns that the queries compute, such as `MatchedOn` in `extend MatchedOn = "source"`. */
  extraColumns?: ReadonlyArray<{ name: string; type: ColumnType }>;
}

/** Codes of the findings about a column or a value compared with it, not about the logic. */
const COLUMN_FAULTS = new Set(['UNKNOWN_COLUMN', 'LITERAL_TYPE_MISMATCH', 'VALUE_OUT_OF_RANGE']);

/** Checks one filter text; see the file comment. */
export function lintExclusion(text: string, context: ExclusionContext): ExclusionLint {
  const result: ExclusionLint = {
    line: context.line,
    label: context.label ?? 'Filter/Exclusion:',
    text,
    scenario: context.scenario,
    findings: [],
    corrections: [],
  };
  const at = (column?: number) => ({
    file: context.file,
    line: context.line,
    ...(column !== undefined && { column: context.column + column - 1 }),
  });
  const names = readProcessNameList(text);
  if (names) return lintProcessNameList(result, names, context, at(1));

  const parsed = parseFilter(text);
  for (const issue of parsed.issues) {
    result.findings.push({
      code: issue.code,
      severity: issue.severity,
      message: explainSyntaxIssue(text, issue),
      source: at(issue.column),
    });
  }
  const expr = parsed.expr;
  if (!expr) return result;
  result.expr = expr;
  const describeOptions = kustoDescribeOptions(context);
  result.effect = describeFilter(expr, describeOptions);
  if (parsed.otherReading) {
    result.otherReading = parsed.otherReading;
    result.otherEffect = describeFilter(parsed.otherReading, describeOptions);
  }

  const columnOf = (path: number[]): number | undefined => {
    let node: FilterExpr = expr;
    for (const index of path)
      node =
        node.kind === 'and' || node.kind === 'or'
          ? (node.terms[index] ?? node)
          : node.kind === 'not'
            ? node.term
            : node;
    return parsed.spans.get(node)?.column;
  };
  const push = (issue: FilterIssue | HuntpackIssue, column?: number) =>
    result.findings.push({
      code: issue.code,
      severity: issue.severity,
      message: issue.message,
      source: at(column),
    });

  for (const issue of logicIssues(expr)) push(issue, columnOf(issue.path));
  for (const schema of context.schemas) {
    const extraColumns = context.extraColumns ?? [];
    const issues = checkExclusion(expr, schema, { extraColumns });
    for (const issue of issues.filter((i) => COLUMN_FAULTS.has(i.code))) {
      push(issue, columnOf(issue.path));
    }
  }
  for (const issue of processNameIssues(expr)) push(issue);
  const inverted = invertedScenarioIssue(expr, context.scenario, describeOptions);
  if (inverted) push(inverted);

  const faults = result.findings.filter((finding) => finding.severity !== 'info');
  if (faults.length > 0) {
    // A line that negates a comparison is written as a condition to keep. When its only faults
    // are columns or values, its logic is sound, so its operators are kept.
    const soundLogic =
      faults.every((finding) => COLUMN_FAULTS.has(finding.code)) && hasNegation(expr);
    result.corrections = context.schemas.map((schema) =>
      suggestCorrection(expr, schema, soundLogic),
    );
    // When the whole condition is always or never true, the finding already states it, and a failed
    // correction would only restate it in other words.
    if (faults.some((finding) => VERDICT_CODES.has(finding.code))) {
      result.corrections = result.corrections.filter(
        (correction) => correction.filter !== undefined || !correction.reason?.startsWith(NO_SOUND),
      );
    }
  }
  return result;
}

/**
 * Options that describe a line as the KQL `where` it is, with Kusto's null rules. The column
 * types come from the extra columns, then from the report's tables in order.
 */
function kustoDescribeOptions(context: ExclusionContext): DescribeOptions {
  const columns = [
    ...(context.extraColumns ?? []),
    ...context.schemas.flatMap((schema) => schema.columns),
  ];
  return { role: 'keep', nullRules: 'kusto', extraColumns: columns };
}

/** The ECS field of a process file name, which `suggestCorrection` maps to each table's column. */
const PROCESS_NAME_FIELD = 'process.name';

/**
 * Reads a line that lists only process names (`chrome.exe, msedge.exe`) as the events of those
 * processes, which are to be dropped. Such a line is no filter expression, so it gets a warning
 * that states this reading, and a condition to keep for each table.
 */
function lintProcessNameList(
  result: ExclusionLint,
  names: string[],
  context: ExclusionContext,
  source: HuntpackIssue['source'],
): ExclusionLint {
  const quoted = names.map((name) => JSON.stringify(name));
  const nameList = quoted.length === 1 ? quoted[0] : `one of ${quoted.join(', ')}`;
  result.findings.push({
    code: 'EXCLUSION_NAMES_ONLY',
    severity: 'warning',
    message:
      `The line lists process names with no column or operator, so it was read as the events ` +
      `to drop: those whose process file name is ${nameList}. Write the condition to keep on ` +
      `the table's process name column, as in the correction for each table.`,
    source,
  });
  const drop: FilterExpr =
    names.length === 1
      ? { kind: 'compare', column: PROCESS_NAME_FIELD, op: '==', value: names[0] ?? '' }
      : { kind: 'in', column: PROCESS_NAME_FIELD, values: names, caseInsensitive: true };
  result.corrections = context.schemas.map((schema) => {
    const correction = suggestCorrection({ kind: 'not', term: drop }, schema);
    if (correction.filter !== undefined) return correction;
    return { table: schema.name, reason: `${schema.name} has no process file name column.` };
  });
  return result;
}

/** Codes of the findings that the whole condition to keep is always or never true. */
const VERDICT_CODES = new Set(['EXCLUSION_REMOVES_NOTHING', 'EXCLUSION_REMOVES_EVERYTHING']);
/** Start of the reason `suggestCorrection` gives when no correction passes the checks. */
const NO_SOUND = 'No sound correction found';

/** KQL's term operators, which the filter language lacks, at the start of the text. */
const HAS_OPERATOR = /^(!?)(has(?:_cs|_any|_all|prefix(?:_cs)?|suffix(?:_cs)?)?)\b/i;
/** A KQL string literal in double or single quotes. */
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;
/** The operand after a term operator: one string literal, or a bracketed list. */
const TERM_OPERAND = /^\s*(\([^()]*\)|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/;
/** Characters that a filter expression has and an English sentence does not. */
const EXPRESSION_CHARACTERS = /[=<>~!"'()]/;
/** A bracketed aside of a sentence, such as `(nessus.exe, qualysagent.exe)`, without quotes or operators. */
const PLAIN_ASIDE = /\([^()=<>~!"']*\)/g;

/**
 * Rewrites a syntax error for the two usual causes: a KQL term operator such as `has`, which the
 * filter language does not support, and a sentence written where a filter expression belongs.
 */
function explainSyntaxIssue(
  text: string,
  issue: { code: string; message: string; column?: number },
): string {
  if (issue.code !== 'FILTER_SYNTAX') return issue.message;
  const at = (issue.column ?? 1) - 1;
  const has = HAS_OPERATOR.exec(text.slice(at));
  const column = /([\w.]+)\s*$/.exec(text.slice(0, at))?.[1];
  if (has && column) {
    const [written = '', negation = '', operator = ''] = has;
    const operand = TERM_OPERAND.exec(text.slice(at + written.length))?.[1];
    return explainTermOperator(column, `${negation}${operator}`, operand);
  }
  // The words outside bracketed asides decide, so a sentence may end with a list of names.
  const outside = text.replace(PLAIN_ASIDE, ' ');
  const words = outside.trim().split(/\s+/);
  if (
    /^Unknown operator /.test(issue.message) &&
    !EXPRESSION_CHARACTERS.test(outside) &&
    words.length >= 3
  ) {
    const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    return (
      `The line is not a filter expression but a sentence ("${shown}"). Write the events to ` +
      'keep as a condition on columns, such as RemoteIP != "192.0.2.1" or ' +
      'InitiatingProcessFileName !in~ ("a.exe", "b.exe").'
    );
  }
  return issue.message;
}

/** Descriptions of the text each KQL term operator matches, for the message that rejects it. */
const TERM_MEANINGS: Record<string, string> = {
  has: 'a whole term',
  hasprefix: 'the start of a term',
  hassuffix: 'the end of a term',
  has_any: 'any of its values as a whole term',
  has_all: 'all of its values, each as a whole term',
};

/**
 * Explains why a KQL term operator such as `has` is rejected and writes the line with `contains`
 * instead. Kusto splits a string into terms, the maximal runs of letters and digits, and `has`
 * matches whole terms (the Kusto docs page "String operators").
 */
function explainTermOperator(column: string, operator: string, operand?: string): string {
  const negated = operator.startsWith('!');
  const base = operator.replace(/^!/, '').toLowerCase();
  const caseSensitive = base.endsWith('_cs');
  const meaning = TERM_MEANINGS[base.replace(/_cs$/, '')] ?? 'whole terms';
  const values = operand?.match(STRING_LITERAL) ?? ['"value"'];
  const terms = values.map((value) => `${column} contains ${value}`);
  const joined = terms.join(base.startsWith('has_all') ? ' and ' : ' or ');
  let replacement = terms.length === 1 ? joined : `(${joined})`;
  if (negated) {
    replacement = terms.length === 1 ? `${column} !contains ${values[0]}` : `not${replacement}`;
  }
  const caseNote = caseSensitive ? ` Unlike ${base}, contains ignores case.` : '';
  return (
    `The operator "${operator}" after "${column}" is not supported in Filter/Exclusion lines, ` +
    'because the filter language that lint checks them in has no term operators. ' +
    `In Kusto, ${base} matches ${meaning}, where a term is a maximal run of letters and ` +
    `digits. Write ${replacement} in its place to have the line checked. contains also ` +
    'matches inside a longer term, so check that the line still keeps the events you mean.' +
    caseNote
  );
}

/**
 * Tells whether a condition to keep negates any comparison, as in `x != a` or `not(...)`. A line
 * without one, such as `process.name == "a.exe"`, more likely names the events to drop.
 */
function hasNegation(keep: FilterExpr): boolean {
  const visit = (condition: Condition): boolean => {
    if (condition.kind === 'const') return false;
    if (condition.kind !== 'atom') return condition.terms.some(visit);
    const atom = condition.atom;
    return condition.negated || (atom.kind === 'compare' && atom.op === '!=');
  };
  return visit(toCondition(keep, false));
}

/**
 * Logic issues worded for a condition to keep: keeping every event removes nothing. The line is
 * KQL that a `where` runs, so it is analyzed with Kusto's null rules.
 */
function logicIssues(keep: FilterExpr): FilterIssue[] {
  const analysis = analyzeWithOptions(keep, { nullRules: 'kusto' });
  const issues: FilterIssue[] = [];
  if (analysis.verdict === 'always-true') {
    issues.push({
      code: 'EXCLUSION_REMOVES_NOTHING',
      severity: 'error',
      message: `The condition to keep is always true, so the exclusion removes nothing.${orOfNegationsHint(keep)}`,
      path: [],
    });
  } else if (analysis.verdict === 'never-true') {
    issues.push({
      code: 'EXCLUSION_REMOVES_EVERYTHING',
      severity: 'error',
      message:
        'The condition to keep is never true, so the exclusion removes every hit and the hunt finds nothing.',
      path: [],
    });
  }
  const redundant = checkFilter(keep, { nullRules: 'kusto' }).filter(
    (issue) => issue.code === 'FILTER_REDUNDANT_TERM' && !isNullGuard(keep, issue.path),
  );
  return [...issues, ...redundant];
}

/**
 * Tells whether the term at `path` is a null guard: `isnotnull(C)` or `isnotempty(C)` in an
 * `and` with a comparison on C. huntpack's KQL writes one around each number or bool comparison
 * of its exclusions, so that they mean the same in Kusto as in its model. A guard only states
 * the missing case, so it gets no FILTER_REDUNDANT_TERM even where removing it changes nothing.
 * That check would also report each copy of a guard repeated in one line, although only one of
 * them can go.
 */
function isNullGuard(keep: FilterExpr, path: number[]): boolean {
  if (path.length === 0) return false;
  const term = termAt(keep, path);
  const parent = termAt(keep, path.slice(0, -1));
  if (term.kind !== 'not' || term.term.kind !== 'empty' || parent.kind !== 'and') return false;
  const column = term.term.column;
  return parent.terms.some(
    (other) =>
      other !== term &&
      listAtoms(other).some((atom) => atom.column === column && atom.kind !== 'empty'),
  );
}

/**
 * Explains the usual cause of an always-true OR: `x != a OR x != b` holds for every x. Returns
 * the explanation with a leading space, or an empty string when `keep` is not such an OR.
 */
export function orOfNegationsHint(keep: FilterExpr): string {
  if (keep.kind !== 'or') return '';
  const columns = keep.terms.flatMap((term) =>
    term.kind === 'compare' && term.op === '!=' ? [term.column] : [],
  );
  const repeated = columns.find((column, index) => columns.indexOf(column) !== index);
  if (!repeated) return '';
  // `!in` compares exactly as `!=` does, and unlike `!in~` it also takes numbers.
  const values = keep.terms.flatMap((term) =>
    term.kind === 'compare' && term.op === '!=' && term.column === repeated
      ? [typeof term.value === 'string' ? JSON.stringify(term.value) : String(term.value)]
      : [],
  );
  return ` A value always differs from at least one of two different values, so "${repeated} != A OR ${repeated} != B" is true for every event. To keep events of neither, use AND, or ${repeated} !in (${values.join(', ')}).`;
}

function processNameIssues(expr: FilterExpr): HuntpackIssue[] {
  const issues: HuntpackIssue[] = [];
  for (const atom of listAtoms(expr)) {
    if (!isProcessNameColumn(atom.column)) continue;
    const values =
      atom.kind === 'compare' || atom.kind === 'in'
        ? atom.kind === 'in'
          ? atom.values
          : [atom.value]
        : [];
    for (const value of values.filter((v): v is string => typeof v === 'string')) {
      if (isSchedulerAlias(value)) {
        issues.push({
          code: 'NOT_A_PROCESS_NAME',
          severity: 'error',
          message: `No process is named ${JSON.stringify(value)}: scheduled tasks run under ${schedulerProcessNames().join(', ')}. Compare ${atom.column} with those names.`,
        });
      } else if (isImplausibleProcessName(value)) {
        issues.push({
          code: 'NOT_A_PROCESS_NAME',
          severity: 'warning',
          message: `${JSON.stringify(value)} does not look like a process file name such as "svchost.exe", so ${atom.column} likely never equals it.`,
        });
      }
    }
  }
  return issues;
}

/**
 * Flags a line whose removed events are those whose text does NOT contain a word the scenario
 * names: the scenario describes events with that word, so the line keeps exactly those.
 */
function invertedScenarioIssue(
  keep: FilterExpr,
  scenario: string,
  describeOptions: DescribeOptions,
): HuntpackIssue | undefined {
  const removal = simplifyCondition(toCondition(keep, true));
  const words = negatedTextAtoms(removal).filter(
    (needle) => needle && mentionsPositively(scenario, needle),
  );
  if (words.length === 0) return undefined;
  const list = words.map((word) => JSON.stringify(word)).join(' or ');
  return {
    code: 'EXCLUSION_INVERTED',
    severity: 'error',
    message:
      `The scenario describes events with ${list}, but the line removes only events without ${list}, ` +
      `so it keeps the very events it means to drop: it ${describeFilter(keep, describeOptions)}.`,
  };
}

/** Words that deny what follows them, as in "never uses base64" or "no base64". */
const DENIALS = new Set(['no', 'not', 'never', 'without', 'none', 'nor', 'neither']);

/**
 * Tells whether the scenario names `needle` without denying it: some mention of it has no denial
 * among the two words before it in its clause. A scenario in which the benign events never
 * contain the text describes events without it, which a line that keeps them drops rightly. A
 * denial further away, as in "Nessus, not Qualys, sends base64", is about something else.
 */
function mentionsPositively(scenario: string, needle: string): boolean {
  const text = scenario.toLowerCase();
  const word = needle.toLowerCase();
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + word.length)) {
    const clause =
      text
        .slice(0, at)
        .split(/[.,;:!?()\n]/)
        .pop() ?? '';
    const before = clause.trim().split(/\s+/).slice(-2);
    const denied = before.some((token) => DENIALS.has(token) || token.endsWith("n't"));
    if (!denied) return true;
  }
  return false;
}

function negatedTextAtoms(condition: Condition): string[] {
  if (condition.kind === 'atom') {
    return condition.negated && condition.atom.kind === 'text' ? [condition.atom.value] : [];
  }
  return condition.kind === 'const' ? [] : condition.terms.flatMap(negatedTextAtoms);
}
