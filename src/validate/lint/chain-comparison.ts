/**
 * Flags comparisons of the whole value of a column of URL arrays, such as UrlClickEvents'
 * UrlChain, with a URL. The value is JSON array text such as `["https://t.co/x","https://evil.com/a"]`,
 * so `UrlChain =~ "https://evil.com/a"`, `UrlChain in~ (...)` and a regex anchored with `^`
 * compare that text with one URL and never match a chain. The suggested fix compares each URL
 * of the chain with mv-apply.
 */
import type { KqlBlock } from './kql-blocks.js';
import { CharKind, stringValue, type ScannedKql } from './kql-scan.js';
import { looseMatchIssue, withoutOpenBrackets, type LooseMatchFinding } from './loose-match.js';
import { CHAIN_URL, chainFix, isChainColumn } from './url-chain.js';

const STRING_LITERAL = String.raw`@"(?:[^"\n]|"")*"|@'(?:[^'\n]|'')*'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'`;

/**
 * The operand left of an equality, `in` or `matches regex` operator, the operator, and its
 * string literal or bracketed list.
 */
const WHOLE_VALUE_COMPARISON = new RegExp(
  String.raw`(?<left>(?<![^\s(])[^\s(]\S*?)\s*(?<operator>==|=~|!=|!~|(?<![\w!])!?in~?(?=\s*\()|\s+matches\s+regex)\s*` +
    String.raw`(?<operand>${STRING_LITERAL}|\((?:[^()"']|${STRING_LITERAL})*\))`,
  'g',
);

/** The positive operator of each negated one. */
const POSITIVE: Record<string, string> = { '!=': '==', '!~': '=~', '!in': 'in', '!in~': 'in~' };

/**
 * Checks every comparison of the whole value of a chain column in one query. A comparison that
 * `earlier` already flags, such as a loose regex, is left to that finding.
 */
export function lintChainComparisons(
  block: KqlBlock,
  scanned: ScannedKql,
  file: string,
  earlier: LooseMatchFinding[],
): LooseMatchFinding[] {
  const issues: LooseMatchFinding[] = [];
  for (const match of scanned.text.matchAll(WHOLE_VALUE_COMPARISON)) {
    const groups = match.groups ?? {};
    const rawLeft = groups.left ?? '';
    const operator = (groups.operator ?? '').trim().replace(/\s+/g, ' ');
    const operand = groups.operand ?? '';
    const operatorOffset =
      match.index + match[0].indexOf(operator.split(' ')[0] ?? '', rawLeft.length);
    if (scanned.kinds[operatorOffset] !== CharKind.Code) continue;
    const left = withoutOpenBrackets(rawLeft);
    if (!isChainColumn(left)) continue;
    const leftOffset = match.index + rawLeft.length - left.length;
    if (earlier.some((finding) => finding.start === leftOffset)) continue;

    const values = literalValues(operand);
    // A value that starts with "[" or is empty compares array text, as `UrlChain == "[]"` does.
    if (values.length === 0 || values.some((value) => value === '' || value.startsWith('['))) {
      continue;
    }
    if (operator === 'matches regex' && !/^(?:\(\?i\))?\^/.test(values[0] ?? '')) continue;

    const outerNot = /\bnot\s*\(\s*$/.test(scanned.text.slice(0, leftOffset));
    const message = describeWholeValue(left, operator, operand, values[0] ?? '', outerNot);
    const end = match.index + match[0].length;
    issues.push(looseMatchIssue(scanned, block, file, { start: leftOffset, end }, message));
  }
  return issues;
}

/** Returns the values of the string literals in `operand`, a literal or a bracketed list. */
function literalValues(operand: string): string[] {
  const literals = operand.match(new RegExp(STRING_LITERAL, 'g')) ?? [];
  return literals.map(stringValue);
}

function describeWholeValue(
  left: string,
  operator: string,
  operand: string,
  firstValue: string,
  outerNot: boolean,
): string {
  const positive = POSITIVE[operator] ?? operator;
  const negated = (positive !== operator) !== outerNot;
  const comparison = `${left} ${operator} ${operand}`;
  const isRegex = operator === 'matches regex';
  const example = JSON.stringify(['https://t.co/x', isRegex ? 'https://example.net/' : firstValue]);
  const effect = negated ? 'so it removes no chain of URLs' : 'so it never matches a chain of URLs';
  const reads = isRegex
    ? `reads the whole value of ${left}, JSON array text such as ${example}, and its pattern ` +
      `expects a URL at the start, where that text has "[", ${effect}`
    : `compares the whole value of ${left}, JSON array text such as ${example}, with one ` +
      `value, ${effect}`;
  const fix = chainFix(left, `${CHAIN_URL} ${positive} ${operand}`, { negated });
  const keeps = negated ? ' It keeps an event only when none of the URLs in its chain match.' : '';
  return `${comparison} ${reads}. Compare each URL instead: replace the where with ${fix}.${keeps}`;
}
