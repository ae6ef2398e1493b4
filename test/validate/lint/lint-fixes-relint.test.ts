/**
 * Applies every query fix that lint suggests and lints the fixed query again. For each rule with
 * a suggested fix and each column kind (host, URL, address, UrlChain), with one value and with
 * several, the fixed query must get no finding of the same rule and pass the Kusto check. The
 * UrlChain fixes also run on sample chains of JSON array text, in JavaScript.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkKql } from '../../../src/validate/kusto.js';
import { lintReport } from '../../../src/validate/lint/lint-report.js';
import { expandGroups } from '../../../src/validate/lint/loose-regex.js';
import {
  evaluateCondition,
  findChainFix,
  keepsEvent,
  type ChainTemplate,
} from './chain-fix-eval.js';

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
  const operand = String.raw`(?:${column}|UrlHost|ChainUrl|trim_start\(@"[^"]*", (?:${column}|ChainUrl)\))`;
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
  /** The comparison that the finding's message starts with, when it differs from `line`. */
  comparison?: string;
  /** True when the case compares whole values, so its fix matches the value only as written. */
  exact?: boolean;
}

/** Returns the kind of a case's first value, which decides its sample chains. */
function valueKind(value: string): 'address' | 'url' | 'host' {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(value)) return 'address';
  return value.includes('/') ? 'url' : 'host';
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
  cases.push(...chainCases());
  return cases;
}

/**
 * Cases that only a column of URL arrays gets: comparisons of its whole value, which never match
 * a chain, and loose comparisons inside not(...).
 */
function chainCases(): Case[] {
  const cases: Case[] = [];
  const name = TABLES.chain.column;
  for (const values of [VALUES.schemeUrl, VALUES.bareUrl]) {
    const first = JSON.stringify(values[0]);
    const list = values.map((value) => JSON.stringify(value)).join(', ');
    for (const operator of ['=~', '==', '!~', '!=']) {
      cases.push({
        rule: 'LOOSE_MATCH',
        column: 'chain',
        line: `${name} ${operator} ${first}`,
        values,
        exact: true,
      });
    }
    for (const operator of ['in~', 'in', '!in~', '!in']) {
      cases.push({
        rule: 'LOOSE_MATCH',
        column: 'chain',
        line: `${name} ${operator} (${list})`,
        values,
        exact: true,
      });
    }
    const anchored = `^(https?://)?${(values[0] ?? '').replace(/^https?:\/\//, '').replaceAll('.', '\\.')}$`;
    cases.push({
      rule: 'LOOSE_MATCH',
      column: 'chain',
      line: `${name} matches regex @"${anchored}"`,
      values,
    });
  }
  for (const values of [VALUES.host, VALUES.schemeUrl]) {
    const list = values.map((value) => JSON.stringify(value)).join(', ');
    const pattern = (values[0] ?? '').replaceAll('.', '\\.');
    for (const inner of [`${name} has_any (${list})`, `${name} matches regex @"${pattern}"`]) {
      cases.push({
        rule: 'LOOSE_MATCH',
        column: 'chain',
        line: `not(${inner})`,
        values,
        comparison: inner,
      });
    }
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

/** A fixed query, with the mv-apply of a chain fix or the condition of its where. */
interface FixedQuery {
  lines: string[];
  chain?: { template: ChainTemplate; condition: string };
  where?: string;
}

/**
 * Returns the query lines that each fix in `message` makes: the header, then the fix in place of
 * the flagged where. A condition on UrlHost goes after the message's `extend UrlHost`, and a
 * condition on UrlHost or ChainUrl into the message's mv-apply for a column of URL arrays.
 */
function fixedQueries(
  header: string[],
  column: string,
  message: string,
  values: string[],
): FixedQuery[] {
  const queries: FixedQuery[] = [];
  const extend = /add (\| extend UrlHost = .*?) before this where/.exec(message)?.[1];
  const chainFix = findChainFix(message);
  // The mv-apply's own condition is found again below, with the other conditions.
  const text = chainFix
    ? message.replace(chainFix.template.text, ` ${chainFix.condition} `)
    : message;
  // "or in~ (...) for several hosts" names no column, so the column is put before it.
  const conditions = [...text.matchAll(conditionPattern(column))].map((match) => match[0]);
  for (const match of text.matchAll(/(?:, or|use) (!?in~?) \(\.\.\.\)/g)) {
    conditions.push(`${column} ${match[1]} (...)`);
  }
  for (const found of conditions) {
    const condition = fillPlaceholder(found, values);
    const onChainUrl = /\b(?:UrlHost|ChainUrl)\b/.test(condition);
    if (chainFix && onChainUrl) {
      const { template } = chainFix;
      const line = `${template.before}${condition}${template.after}`;
      queries.push({ lines: [...header, line], chain: { template, condition } });
    } else if (!condition.includes('UrlHost')) {
      queries.push({ lines: [...header, `| where ${condition}`], where: condition });
    } else {
      assert.ok(extend, message);
      queries.push({ lines: [...header, extend, `| where ${condition}`], where: condition });
    }
  }
  return queries;
}

/**
 * Returns chains of JSON array text that contain the value, and chains that do not. With
 * `exact`, the value appears only as written, and otherwise also as a URL with a scheme.
 */
function sampleChains(value: string, exact: boolean): { containing: string[]; other: string[] } {
  const kind = valueKind(value);
  let url = `https://${value}/gate.php`;
  if (kind === 'address') url = `http://${value}/x`;
  else if (kind === 'url') url = value.includes('://') ? value : `https://${value}`;
  if (exact) url = value;
  return {
    containing: [
      JSON.stringify([url]),
      JSON.stringify(['https://t.co/x', url]),
      JSON.stringify([url, 'https://example.net/']),
      JSON.stringify(['https://t.co/x', value]),
    ],
    other: [
      JSON.stringify(['https://t.co/x']),
      JSON.stringify(['https://t.co/x', `https://example.net/?next=${value}`]),
      '[]',
    ],
  };
}

/**
 * Checks a fix on sample chains: a positive fix keeps each chain that contains the value and
 * drops the others, and a negated fix does the reverse. A fix without mv-apply compares the
 * whole array text of UrlChain.
 */
function assertChainFixKeeps(item: Case, query: FixedQuery, context: string): void {
  const keeps = (sample: string): boolean => {
    if (query.chain) return keepsEvent(query.chain.template, query.chain.condition, sample);
    return evaluateCondition(query.where ?? '', sample);
  };
  const comparison = item.comparison ?? item.line;
  const negated = /^\S+ !/.test(comparison) || item.line.startsWith('not(');
  const samples = sampleChains(item.values[0] ?? '', item.exact === true);
  for (const sample of samples.containing) {
    const kept = keeps(sample);
    assert.equal(kept, !negated, `chain ${sample}: ${context}`);
  }
  for (const sample of samples.other) {
    // NOTE: Kusto may run no subquery for an empty chain, so "[]" is checked for positive fixes only.
    if (negated && sample === '[]') continue;
    const kept = keeps(sample);
    assert.equal(kept, negated, `chain ${sample}: ${context}`);
  }
  assert.ok(query.chain, `fix does not compare each URL of the chain: ${context}`);
  assert.equal(query.chain.template.negated, negated, `fix negation differs: ${context}`);
}

test('every LOOSE_MATCH fix relints clean', () => {
  let checked = 0;
  let chainChecked = 0;
  for (const item of buildCases()) {
    const { table, column } = TABLES[item.column];
    const header = [table, '| where TimeGenerated > ago(7d)'];
    const [message, ...others] = findings([...header, `| where ${item.line}`], item.rule);
    // Every UrlChain case compares URLs loosely or the whole array text, so each is flagged.
    if (item.column === 'chain') assert.ok(message, `no finding: ${item.line}`);
    if (message === undefined) continue;
    assert.deepEqual(others, [], item.line);
    // The message starts with the flagged comparison, and the fixes follow it.
    const comparison = item.comparison ?? item.line;
    assert.ok(message.startsWith(comparison), message);
    const advice = message.slice(comparison.length);
    const queries = fixedQueries(header, column, advice, item.values);
    assert.ok(queries.length > 0, `no fix found in: ${message}`);
    for (const query of queries) {
      const context: string = `${item.line}\n${query.lines.join('\n')}\n${message}`;
      assert.deepEqual(findings(query.lines, item.rule), [], context);
      assert.deepEqual(kustoProblems(query.lines), [], context);
      if (item.column === 'chain') {
        assertChainFixKeeps(item, query, context);
        chainChecked += 1;
      }
      checked += 1;
    }
  }
  // Each column kind flags most of the cases, and several of them suggest more than one fix.
  assert.ok(checked > 150, `only ${checked} fixes checked`);
  assert.ok(chainChecked > 60, `only ${chainChecked} UrlChain fixes checked`);
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

/** Host names that a pattern for evil.com or bad.org must not match. */
const OTHER_HOSTS = [
  'example.net',
  'example',
  'notevil.com',
  'not-evil.com',
  'evil.com.example.net',
  'ail.com',
  'evil-com',
  'evil.cam',
  'https://example.net/',
  'x',
];

/** Returns the other hosts that a pattern matches in JavaScript, which reads it as RE2 does. */
function otherHostsMatched(pattern: string): string[] {
  const ignoreCase = pattern.startsWith('(?i)');
  const regex = new RegExp(pattern.replace(/^\(\?i\)/, ''), ignoreCase ? 'i' : '');
  return OTHER_HOSTS.filter((host) => regex.test(host));
}

/** Branches that name the host exactly. */
const STRICT_BRANCHES = [
  String.raw`evil\.com`,
  String.raw`bad\.org`,
  String.raw`(www\.)?evil\.com`,
];
/** Branches that match other hosts: no host name, an unescaped dot or a class in the name. */
const LOOSE_BRANCHES = [
  '.*',
  '.+',
  '[a-z.]+',
  String.raw`\w+`,
  '[^/]*',
  String.raw`\S+`,
  String.raw`.il\.com`,
  String.raw`ev.l\.com`,
  String.raw`e[a-z]il\.com`,
  String.raw`evil\.c.m`,
  String.raw`[a-z]+\.com`,
  String.raw`(?:.*)`,
  String.raw`ev\w*\.com`,
];
/** Ways to put two branches into one pattern, with `A` and `B` for the branches. */
const SHAPES = [
  '^(A|B)$',
  '^(?:A|B)$',
  '(^A$|^B$)',
  '^A$|^B$',
  '^(A|(B))$',
  '^((A)|B)$',
  '(?i)^(A|B)$',
  String.raw`^(A|B)\.?$`,
  String.raw`(?i)(^|\.)(A|B)$`,
];

function regexFindings(pattern: string): string[] {
  const header = ['CommonSecurityLog', '| where TimeGenerated > ago(7d)'];
  return findings(
    [...header, `| where DestinationHostName matches regex @"${pattern}"`],
    'LOOSE_MATCH',
  );
}

test('regex branches that name no host are loose', () => {
  const patterns = [
    String.raw`^(evil\.com|.*)$`,
    String.raw`^(evil\.com|[a-z.]+)$`,
    String.raw`^(evil\.com|\w+)$`,
    String.raw`^(ev|.)il\.com$`,
    String.raw`^evil\.com$|.*`,
    String.raw`^(.*|www\.)?evil\.com$`,
  ];
  for (const pattern of patterns) {
    assert.notDeepEqual(otherHostsMatched(pattern), [], `the sample misses ${pattern}`);
    assert.equal(regexFindings(pattern).length, 1, pattern);
  }
});

test('generated regex branches: silence means strict', () => {
  let loose = 0;
  let strict = 0;
  for (const shape of SHAPES) {
    for (const first of STRICT_BRANCHES) {
      for (const second of [...STRICT_BRANCHES, ...LOOSE_BRANCHES]) {
        for (const [a, b] of [
          [first, second],
          [second, first],
        ]) {
          const pattern = shape.replace('A', a ?? '').replace('B', b ?? '');
          const matched = otherHostsMatched(pattern);
          const warnings = regexFindings(pattern);
          // A pattern that lint passes must match none of the other hosts.
          if (warnings.length === 0) {
            assert.deepEqual(matched, [], `lint passes ${pattern}`);
            strict += 1;
          } else {
            loose += 1;
          }
          // A pattern of strict branches only gets no warning.
          if (STRICT_BRANCHES.includes(second)) assert.deepEqual(warnings, [], pattern);
        }
      }
    }
  }
  // Every loose branch is flagged in every shape, and every strict pair passes.
  assert.equal(loose, SHAPES.length * STRICT_BRANCHES.length * LOOSE_BRANCHES.length * 2);
  assert.equal(strict, SHAPES.length * STRICT_BRANCHES.length * STRICT_BRANCHES.length * 2);
});
