/**
 * Runs lint's mv-apply fixes for UrlChain on sample values in JavaScript. It reads the one form
 * that lint suggests: `| mv-apply ChainUrl = parse_json(UrlChain) to typeof(string) on (...)`
 * with an optional `extend UrlHost = ...`, then `where CONDITION | take 1` or
 * `summarize ChainMatches = countif(CONDITION)) | where ChainMatches == 0`. Conditions are
 * comparisons of UrlHost or ChainUrl joined with `or`, as lint writes them.
 */
import assert from 'node:assert/strict';
import { stringValue } from '../../../src/validate/lint/kql-scan.js';
import { urlHostExpression } from '../../../src/validate/lint/loose-match.js';

/** An mv-apply fix split around its condition. */
export interface ChainTemplate {
  /** The mv-apply text up to the condition. */
  before: string;
  /** The mv-apply text after the condition. */
  after: string;
  /** True for the counting form, which keeps an event when no URL meets the condition. */
  negated: boolean;
  /** The whole mv-apply text, as the message writes it. */
  text: string;
}

const POSITIVE_FIX =
  /(\| mv-apply .*? on \((?:extend UrlHost = .*? \| )?where )(.*?)( \| take 1\))/;
const NEGATED_FIX =
  /(\| mv-apply .*? on \((?:extend UrlHost = .*? \| )?summarize ChainMatches = countif\()(.*?)(\)\) \| where ChainMatches == 0)/;

/** Returns the mv-apply fix of a message and its condition, or undefined when it has none. */
export function findChainFix(
  message: string,
): { template: ChainTemplate; condition: string } | undefined {
  const negated = NEGATED_FIX.exec(message);
  const match = negated ?? POSITIVE_FIX.exec(message);
  if (!match) return undefined;
  const [text, before = '', condition = '', after = ''] = match;
  return { template: { before, after, negated: negated !== null, text }, condition };
}

/** Computes UrlHost as the fix's `extend UrlHost = ...` does, with JavaScript's RegExp. */
function hostOf(value: string): string {
  const pattern = /extract\(@"([^"]*)"/.exec(urlHostExpression('ChainUrl'))?.[1] ?? '';
  const host = new RegExp(pattern).exec(value.trim())?.[1] ?? '';
  return host.toLowerCase().replace(/\.+$/, '');
}

/** Splits text at each top-level `separator`, outside brackets and string literals. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const literal = /^(?:@"(?:[^"]|"")*"|"(?:[^"\\]|\\.)*")/.exec(text.slice(index))?.[0];
    if (literal) {
      index += literal.length - 1;
      continue;
    }
    const char = text[index];
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (depth === 0 && text.startsWith(separator, index)) {
      parts.push(text.slice(start, index));
      start = index + separator.length;
      index += separator.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

/** Returns the values of a `("a", "b")` list or of one string literal. */
function literalValues(text: string): string[] {
  const body = text.startsWith('(') ? text.slice(1, -1) : text;
  return splitTopLevel(body, ',').map((literal) => stringValue(literal));
}

/**
 * Returns the value of an operand for one URL of the chain, or for the whole UrlChain value when
 * a fix compares that.
 */
function operandValue(operand: string, url: string): string {
  if (operand === 'ChainUrl' || operand === 'UrlChain') return url;
  if (operand === 'UrlHost') return hostOf(url);
  const trimStart = /^trim_start\((@"(?:[^"]|"")*"), (?:ChainUrl|UrlChain)\)$/.exec(operand);
  assert.ok(trimStart?.[1], `unknown operand: ${operand}`);
  return url.replace(new RegExp(`^(?:${stringValue(trimStart[1])})`), '');
}

const TERM =
  /^(UrlHost|ChainUrl|UrlChain|trim_start\(@"(?:[^"]|"")*", (?:ChainUrl|UrlChain)\)) (=~|!~|==|!=|endswith|!?in~?|matches regex) (.*)$/;

/** Evaluates one condition of a fix for one URL of the chain. */
export function evaluateCondition(condition: string, url: string): boolean {
  const branches = splitTopLevel(condition, ' or ');
  if (branches.length > 1) return branches.some((branch) => evaluateCondition(branch, url));
  const not = /^not\((.*)\)$/.exec(condition);
  if (not) return !evaluateCondition(not[1] ?? '', url);

  const term = TERM.exec(condition);
  assert.ok(term, `unknown condition: ${condition}`);
  const [, operand = '', operator = '', right = ''] = term;
  const value = operandValue(operand, url);
  const values = literalValues(right);
  const lower = value.toLowerCase();
  switch (operator) {
    case '==':
      return values[0] === value;
    case '!=':
      return values[0] !== value;
    case '=~':
      return values[0]?.toLowerCase() === lower;
    case '!~':
      return values[0]?.toLowerCase() !== lower;
    case 'endswith':
      return lower.endsWith(values[0]?.toLowerCase() ?? '');
    case 'in':
      return values.includes(value);
    case '!in':
      return !values.includes(value);
    case 'in~':
      return values.some((item) => item.toLowerCase() === lower);
    case '!in~':
      return !values.some((item) => item.toLowerCase() === lower);
    default: {
      // Kusto's RE2 and JavaScript read lint's patterns alike; (?i) becomes the i flag.
      const pattern = values[0] ?? '';
      const ignoreCase = pattern.startsWith('(?i)');
      return new RegExp(pattern.replace(/^\(\?i\)/, ''), ignoreCase ? 'i' : '').test(value);
    }
  }
}

/**
 * Returns whether the fix keeps an event whose UrlChain is `chain`, JSON array text of URLs.
 */
export function keepsEvent(template: ChainTemplate, condition: string, chain: string): boolean {
  const urls = JSON.parse(chain) as string[];
  const matches = urls.filter((url) => evaluateCondition(condition, url)).length;
  return template.negated ? matches === 0 : matches > 0;
}
