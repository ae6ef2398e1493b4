/**
 * Applies every query fix that lint suggests and lints the fixed query again. For each rule with
 * a suggested fix and each column kind (host, URL, address, UrlChain), with one value and with
 * several, the fixed query must get no finding of the same rule and pass the Kusto check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkKql } from '../../../src/validate/kusto.js';
import { lintReport } from '../../../src/validate/lint/lint-report.js';
import { expandGroups } from '../../../src/validate/lint/loose-regex.js';

/** A table, its time filter and the columns of each kind that the cases compare. */
const TABLES = {
  host: { table: 'CommonSecurityLog', column: 'DestinationHostName' },
  address: { table: 'CommonSecurityLog', column: 'DestinationIP' },
  url: { table: 'UrlClickEvents', column: 'Url' },
  chain: { table: 'UrlClickEvents', column: 'UrlChain' },
} as const;
type ColumnKind = keyof typeof TABLES;

/** Values of each kind, the first of which the single-value cases use. */
const VALUES = {
  host: ['evil-c2.xyz', 'bad.org'],
  address: ['10.0.0.1', '10.0.0.2'],
  schemeUrl: ['https://evil-c2.xyz/gate.php', 'http://bad.org/a'],
  bareUrl: ['evil-c2.xyz/gate.php', 'bad.org/a'],
};
type ValueKind = keyof typeof VALUES;

const OPERATORS = [
  'contains',
  'startswith',
  'endswith',
  'has',
  'hasprefix',
  'hassuffix',
  '!contains',
  '!has',
];

/**
 * A condition with a KQL operator and value list: `Column in~ (...)`, `not(A or B)`, or
 * `trim_start(...) =~ "..."`. Lint's messages write each suggested condition in this form.
 */
const STRING = String.raw`(?:@"(?:[^"]|"")*"|"(?:[^"\\]|\\.)*")`;
const LIST = String.raw`\((?:[^()"]|${STRING})*\)`;
const OPERATOR = String.raw`(?:=~|!~|==|!=|!?in~|!?in|endswith|!?has|has_any|matches regex)`;
function conditionPattern(column: string): RegExp {
  const operand = String.raw`(?:${column}|UrlHost|trim_start\(@"[^"]*", ${column}\))`;
  const term = String.raw`${operand} ${OPERATOR} (?:${STRING}|${LIST})`;
  return new RegExp(String.raw`(?:not\()?${term}(?: or ${term})*\)?`, 'g');
}

interface Case {
  rule: string;
  column: ColumnKind;
  /** The where condition, or the whole query line for rules that read the query's shape. */
  line: string;
  /** Values of the same kind, written into a `(...)` placeholder of a fix. */
  values: string[];
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  for (const column of Object.keys(TABLES) as ColumnKind[]) {
    const name = TABLES[column].column;
    for (const kind of Object.keys(VALUES) as ValueKind[]) {
      const values = VALUES[kind];
      const first = JSON.stringify(values[0]);
      for (const operator of OPERATORS) {
        cases.push({ rule: 'LOOSE_MATCH', column, line: `${name} ${operator} ${first}`, values });
      }
      const pattern = (values[0] ?? '').replaceAll('.', '\\.');
      cases.push({
        rule: 'LOOSE_MATCH',
        column,
        line: `${name} matches regex @"${pattern}"`,
        values,
      });
      cases.push({ rule: 'LOOSE_MATCH', column, line: `${name} has_any (${first})`, values });
      const list = values.map((value) => JSON.stringify(value)).join(', ');
      cases.push({ rule: 'LOOSE_MATCH', column, line: `${name} has_any (${list})`, values });
    }
    // A list of several kinds at once, with a value that stays in has_any.
    const mixed = `${name} has_any ("evil-c2.xyz", "bad.org", "https://evil-c2.xyz/x", "10.0.0.1", "-x-")`;
    cases.push({ rule: 'LOOSE_MATCH', column, line: mixed, values: VALUES.host });
  }
  return cases;
}

/** Returns the report text of one fenced query over `table`. */
function report(lines: string[]): string {
  return ['```kql', ...lines, '```'].join('\n');
}

function findings(lines: string[], rule: string): string[] {
  const result = lintReport(report(lines), 'report.md', { checkKql: false });
  return result.issues.filter((issue) => issue.code === rule).map((issue) => issue.message);
}

/** Returns Kusto's errors and warnings for a query, as "code: message" lines. */
function kustoProblems(lines: string[]): string[] {
  return checkKql(lines.join('\n'), { platform: 'sentinel' })
    .filter((diagnostic) => diagnostic.severity !== 'info')
    .map((diagnostic) => `${diagnostic.code}: ${diagnostic.message}`);
}

/** Fills a `(...)` placeholder with the case's values, quoted. */
function fillPlaceholder(condition: string, values: string[]): string {
  const list = values.map((value) => JSON.stringify(value)).join(', ');
  return condition.replaceAll('(...)', `(${list})`);
}

/**
 * Returns the query lines that each fix in `message` makes: the header, then the fix in place of
 * the flagged where. A condition on UrlHost goes after the message's `extend UrlHost`, or into
 * its mv-apply for a column of URL arrays.
 */
function fixedQueries(
  header: string[],
  column: string,
  message: string,
  values: string[],
): string[][] {
  const queries: string[][] = [];
  const extend = /add (\| extend UrlHost = .*?) before this where/.exec(message)?.[1];
  const mvApply = /(\| mv-apply .*? on \(extend UrlHost = .*?) \| where .*? \| take 1\)/.exec(
    message,
  )?.[1];
  // The mv-apply's own condition is found again below, as a condition on UrlHost.
  const text = message.replace(/\| mv-apply .*?\| take 1\)/, '');
  // "or in~ (...) for several hosts" names no column, so the column is put before it.
  const conditions = [...text.matchAll(conditionPattern(column))].map((match) => match[0]);
  for (const match of text.matchAll(/(?:, or|use) (!?in~?) \(\.\.\.\)/g)) {
    conditions.push(`${column} ${match[1]} (...)`);
  }
  for (const found of conditions) {
    const condition = fillPlaceholder(found, values);
    if (!condition.includes('UrlHost')) {
      queries.push([...header, `| where ${condition}`]);
    } else if (mvApply) {
      queries.push([...header, `${mvApply} | where ${condition} | take 1)`]);
    } else {
      assert.ok(extend, message);
      queries.push([...header, extend, `| where ${condition}`]);
    }
  }
  return queries;
}

test('every LOOSE_MATCH fix relints clean', () => {
  let checked = 0;
  for (const item of buildCases()) {
    const { table, column } = TABLES[item.column];
    const header = [table, '| where TimeGenerated > ago(7d)'];
    const [message, ...others] = findings([...header, `| where ${item.line}`], item.rule);
    if (message === undefined) continue;
    assert.deepEqual(others, [], item.line);
    // The message starts with the flagged comparison, and the fixes follow it.
    assert.ok(message.startsWith(item.line), message);
    const advice = message.slice(item.line.length);
    const queries = fixedQueries(header, column, advice, item.values);
    assert.ok(queries.length > 0, `no fix found in: ${message}`);
    for (const query of queries) {
      const context: string = `${item.line}\n${query.join('\n')}\n${message}`;
      assert.deepEqual(findings(query, item.rule), [], context);
      assert.deepEqual(kustoProblems(query), [], context);
      checked += 1;
    }
  }
  // Each column kind flags most of the cases, and several of them suggest more than one fix.
  assert.ok(checked > 150, `only ${checked} fixes checked`);
});

test('NO_TIME_FILTER fixes relint clean', () => {
  const cases = [
    ['CommonSecurityLog', '| where DestinationIP == "10.0.0.1"'],
    ['CommonSecurityLog', '| where TimeGenerated > ago(7d) or DestinationIP == "10.0.0.1"'],
  ];
  for (const query of cases) {
    const [message] = findings(query, 'NO_TIME_FILTER');
    assert.ok(message, query.join('\n'));
    const fix =
      /Put the time filter in a where of its own: (\| where .*)\.$/.exec(message)?.[1] ??
      /Add a lookback such as "(\| where TimeGenerated > ago\(30d\))"/.exec(message)?.[1];
    assert.ok(fix, message);
    const fixed = message.includes('of its own') ? [query[0] ?? '', fix] : [...query, fix];
    assert.deepEqual(findings(fixed, 'NO_TIME_FILTER'), [], fixed.join('\n'));
    assert.deepEqual(kustoProblems(fixed), [], fixed.join('\n'));
  }
});

test('regex groups are judged by their anchors', () => {
  const anchored = [
    String.raw`^(evil\.com|bad\.org)$`,
    String.raw`^(?:evil\.com|bad\.org)\.?$`,
    String.raw`(^evil\.com$|^bad\.org$)`,
    String.raw`(?i)(^|\.)(evil\.com|bad\.org)$`,
    String.raw`^((evil\.com)|(?P<other>bad\.org))$`,
    String.raw`^(?i:evil\.com|bad\.org)$`,
  ];
  const loose = [
    String.raw`evil\.com|^bad\.org$`,
    String.raw`^(evil\.com|bad\.org)`,
    String.raw`(evil\.com|bad\.org)$`,
    String.raw`^(evil\.com|bad.org)$`,
    String.raw`^(evil\.com|bad\.org)+$`,
    String.raw`(^evil\.com|bad\.org$)`,
  ];
  const header = ['CommonSecurityLog', '| where TimeGenerated > ago(7d)'];
  for (const pattern of anchored) {
    const query = [...header, `| where DestinationHostName matches regex @"${pattern}"`];
    assert.deepEqual(findings(query, 'LOOSE_MATCH'), [], pattern);
  }
  for (const pattern of loose) {
    const query = [...header, `| where DestinationHostName matches regex @"${pattern}"`];
    assert.equal(findings(query, 'LOOSE_MATCH').length, 1, pattern);
  }
});

test('expandGroups distributes alternatives', () => {
  assert.deepEqual(expandGroups('^(a|b)$'), ['^a$', '^b$']);
  assert.deepEqual(expandGroups('(^a$|^b$)'), ['^a$', '^b$']);
  assert.deepEqual(expandGroups('^(?:a|(b|c))x'), ['^ax', '^bx', '^cx']);
  assert.deepEqual(expandGroups('^(www\\.)?(a|b)'), ['^(www\\.)?a', '^(www\\.)?b']);
  assert.deepEqual(expandGroups('[(]a|b[)]'), ['[(]a|b[)]']);
  assert.deepEqual(expandGroups('(a|b)(c|d)', 3), ['a(c|d)', 'b(c|d)']);
});

test('whole-URL fixes name what they miss', () => {
  const header = ['UrlClickEvents', '| where TimeGenerated > ago(7d)'];
  const conditions = [
    'Url contains "https://evil-c2.xyz/gate.php"',
    'Url contains "evil-c2.xyz/gate.php"',
    'Url matches regex @"evil-c2\\.xyz/gate\\.php"',
    'Url has_any ("https://evil-c2.xyz/gate.php")',
  ];
  for (const condition of conditions) {
    const [message] = findings([...header, `| where ${condition}`], 'LOOSE_MATCH');
    assert.ok(message, condition);
    assert.match(
      message,
      /misses the same URL written with user info, a root dot after the name, or port 80 or 443\./,
    );
  }
});
