/**
 * Flags `has_any` lists of host names and URLs on host, URL and address columns. `has_any`
 * matches each value as `has` does, so `RemoteUrl has_any ("evil.com")` also matches
 * not-evil.com and evil.com.example.net. The suggested fix is one regex that matches the hosts
 * and their subdomains at label boundaries.
 */
import { checkDomain, checkIpv4 } from '../../feeds/text-hosts.js';
import type { KqlBlock } from './kql-blocks.js';
import { CharKind, closingBracket, oneLine, stringValue, type ScannedKql } from './kql-scan.js';
import {
  ADDRESS_COLUMN,
  ADDRESS_LIST_COLUMN,
  isHostColumn,
  looseMatchIssue,
  type LooseMatchFinding,
  quoteAll,
  splitUrl,
  TERM_SPLIT_NOTE,
  URL_TEXT_NOTE,
  withoutOpenBrackets,
} from './loose-match.js';
import { escapeRegex, hostPattern, verbatim } from './loose-regex.js';
import { CHAIN_URL, chainFix, chainIntro, isChainColumn } from './url-chain.js';

/** The operand left of `has_any` and the opening bracket of its list. */
const HAS_ANY = /(?<left>(?<![^\s(])[^\s(]\S*?)\s+has_any\s*\(/g;
/** Maximum length, in characters, of the list quoted in a message before it is cut short. */
const MAX_QUOTED_LIST_LENGTH = 80;

/** Checks every `has_any` comparison of a host, URL or address column in one query. */
export function lintLooseTermLists(
  block: KqlBlock,
  scanned: ScannedKql,
  file: string,
): LooseMatchFinding[] {
  const issues: LooseMatchFinding[] = [];
  for (const match of scanned.text.matchAll(HAS_ANY)) {
    const rawLeft = match.groups?.left ?? '';
    const operatorOffset = match.index + match[0].indexOf('has_any', rawLeft.length);
    if (scanned.kinds[operatorOffset] !== CharKind.Code) continue;
    const left = withoutOpenBrackets(rawLeft);
    if (!isHostColumn(left, block.text)) continue;

    const listStart = match.index + match[0].length;
    const listEnd = closingBracket(scanned, listStart);
    const values = readLiterals(scanned, listStart, listEnd);
    if (values.length === 0) values.push(...letListValues(scanned, listStart, listEnd));
    const loose = values.filter((value) => isLooseTerm(value, left));
    if (loose.length === 0) continue;

    const list = oneLine(scanned.text.slice(listStart, listEnd));
    const quotedList =
      list.length > MAX_QUOTED_LIST_LENGTH ? `${list.slice(0, MAX_QUOTED_LIST_LENGTH)}...` : list;
    const others = values.filter((value) => !loose.includes(value));
    const leftOffset = match.index + rawLeft.length - left.length;
    const negated = /\bnot\s*\(\s*$/.test(scanned.text.slice(0, leftOffset));
    const fix = isChainColumn(left)
      ? chainListFix(left, loose, others, negated)
      : listFix(left, loose, others);
    const message =
      `${left} has_any (${quotedList}) matches each value as has does, so it also matches other ` +
      `hosts, such as ${quoteAll(looseExamples(loose[0] ?? ''))}. ${TERM_SPLIT_NOTE} ` +
      fix;
    const span = { start: leftOffset, end: listEnd + 1 };
    issues.push(looseMatchIssue(scanned, block, file, span, message));
  }
  return issues;
}

/**
 * Returns the string values of the `let NAME = dynamic([...])` list that the operand between
 * `start` and `end` names, as in `Name has_any (domains)`, or none when it names no such list.
 */
function letListValues(scanned: ScannedKql, start: number, end: number): string[] {
  const name = scanned.text.slice(start, end).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return [];
  const declaration = new RegExp(`\\blet\\s+${name}\\s*=\\s*dynamic\\s*\\(\\s*\\[`, 'g');
  // The declaration in force is the last one before the operand.
  let open: number | undefined;
  for (const found of scanned.text.matchAll(declaration)) {
    if (found.index >= start) break;
    if (scanned.kinds[found.index] === CharKind.Code) open = found.index + found[0].length;
  }
  return open === undefined ? [] : readLiterals(scanned, open, closingBracket(scanned, open, ']'));
}

/**
 * Returns the values of the string literals between `start` and `end`. Each run of string
 * characters is one literal, because the scanner marks only literals as strings.
 */
function readLiterals({ text, kinds }: ScannedKql, start: number, end: number): string[] {
  const values: string[] = [];
  let runStart = -1;
  for (let index = start; index <= end; index++) {
    const inString = index < end && kinds[index] === CharKind.String;
    if (inString && runStart < 0) runStart = index;
    if (!inString && runStart >= 0) {
      values.push(stringValue(text.slice(runStart, index)));
      runStart = -1;
    }
  }
  return values;
}

/**
 * Returns whether `has` matches more than the value. It does for a host name, for a URL, and
 * for an address in a column of host names or URLs, which may contain `1.2.3.4.example.net`.
 */
function isLooseTerm(value: string, left: string): boolean {
  if (!/^[A-Za-z0-9]/.test(value)) return false;
  if (checkDomain(value).kind === 'domain' || splitUrl(value)) return true;
  return (
    checkIpv4(value) === value && !ADDRESS_COLUMN.test(left) && !ADDRESS_LIST_COLUMN.test(left)
  );
}

function looseExamples(value: string): string[] {
  const url = splitUrl(value);
  if (url) return [`https://not-${url.rest}`];
  if (checkIpv4(value) === value) return [`${value}.example.net`];
  return [`not-${value}`, `${value}.example.net`];
}

/**
 * Returns the suggested fix: one regex for the host names and addresses of the list, exact
 * comparisons for its URLs, and a separate `has_any` for its other values.
 */
function listFix(left: string, loose: string[], others: string[]): string {
  const hosts = loose.filter((value) => !splitUrl(value));
  const urls = loose.filter((value) => splitUrl(value));
  const parts: string[] = [];
  if (hosts.length > 0) {
    const escaped = hosts.map(escapeRegex);
    const names = escaped.length === 1 ? (escaped[0] ?? '') : `(${escaped.join('|')})`;
    parts.push(
      `Match the hosts at label boundaries instead: ${left} matches regex ` +
        `${verbatim(hostPattern(left, names))}, which matches them and their subdomains.`,
    );
  }
  if (urls.length > 0) {
    const quoted = quoteUrlList(urls);
    parts.push(`Compare the URLs whole: ${left} in~ (${quoted}). ${URL_TEXT_NOTE}`);
  }
  if (others.length > 0) {
    parts.push(`Keep ${quoteAll(others)} in a has_any of its own.`);
  }
  return parts.join(' ');
}

/**
 * Returns the suggested fix on the chain column `left`, whose values are JSON arrays of URLs:
 * the conditions of `listFix`, run on each URL of the chain with mv-apply. Inside `not(...)`,
 * the fix keeps an event only when no URL of its chain matches.
 */
function chainListFix(left: string, loose: string[], others: string[], negated: boolean): string {
  const hosts = loose.filter((value) => !splitUrl(value));
  const urls = loose.filter((value) => splitUrl(value));
  const conditions: string[] = [];
  if (hosts.length > 0) {
    const escaped = hosts.map(escapeRegex);
    const names = escaped.length === 1 ? (escaped[0] ?? '') : `(${escaped.join('|')})`;
    conditions.push(`${CHAIN_URL} matches regex ${verbatim(hostPattern(CHAIN_URL, names))}`);
  }
  if (urls.length > 0) conditions.push(`${CHAIN_URL} in~ (${quoteUrlList(urls)})`);
  const fix = chainFix(left, conditions.join(' or '), { negated });
  const parts = [`${chainIntro(left)} replace the where with ${fix}.`];
  if (hosts.length > 0) parts.push('The regex matches the hosts and their subdomains.');
  if (urls.length > 0) parts.push(`The in~ compares the URLs whole. ${URL_TEXT_NOTE}`);
  if (negated) parts.push('It keeps an event only when none of the URLs in its chain match.');
  if (others.length > 0) parts.push(`Keep ${quoteAll(others)} in a has_any of its own.`);
  return parts.join(' ');
}

/**
 * Returns the URLs quoted for an `in~` list. A URL without a scheme is listed with http:// and
 * https:// before it too, because `has` matched it after either.
 */
function quoteUrlList(urls: string[]): string {
  const variants = urls.flatMap((value) =>
    splitUrl(value)?.scheme ? [value] : [`http://${value}`, `https://${value}`, value],
  );
  return variants.map((value) => JSON.stringify(value)).join(', ');
}
