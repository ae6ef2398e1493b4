/**
 * Flags comparisons that match a host name or an IPv4 address loosely. `contains`, `startswith`
 * and `endswith` (with their `_cs` and `!` forms) compare substrings, so
 * `RemoteUrl contains "evil.com"` also matches notevil.com and evil.com.example.net, and
 * `RemoteIP contains "10.0.0.1"` also matches 10.0.0.10. `has`, `hasprefix` and `hassuffix`
 * compare terms, which Kusto ends at every character but a letter or digit, so
 * `RemoteUrl has "evil.com"` also matches not-evil.com and evil.com.example.net. The suggested
 * fixes compare exactly: `=~` plus `endswith ".host"` for a host, `==` for an address and `in~`
 * with each scheme for a URL.
 */
import type { HuntpackIssue } from '../../errors.js';
import { checkDomain, checkHost, checkIpv4 } from '../../feeds/text-hosts.js';
import type { KqlBlock } from './kql-blocks.js';
import { CharKind, lineAndColumn, stringValue, type ScannedKql } from './kql-scan.js';
import { CHAIN_URL, chainFix, chainIntro, isChainColumn } from './url-chain.js';

/** The operand left of the operator, the operator, and a string literal. */
const LOOSE_COMPARISON = new RegExp(
  String.raw`(?<left>(?<![^\s(])[^\s(]\S*?)\s+(?<operator>!?(?:contains|startswith|endswith|has|hasprefix|hassuffix)(?:_cs)?)\s+` +
    String.raw`(?<literal>@"(?:[^"\n]|"")*"|@'(?:[^'\n]|'')*'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')`,
  'g',
);

/**
 * Columns of file names, paths, processes and command lines, where a name such as "setup.py"
 * or "invoice.zip" is a file rather than a host. HOST_COLUMN takes back the names that mark a
 * host, a URL or an address column, such as `FileOriginUrl`.
 */
const FILE_COLUMN = /file|folder|path|image|process|registry|command/i;
/** Columns of host names, URLs and addresses, with the query name columns of DNS tables. */
export const HOST_COLUMN = /url|uri|host|domain|ip$|address|dnsquery|queryname/i;

/**
 * Tells whether `column` of the query `text` contains host names, URLs or addresses. `Name` does
 * only in a query of DnsEvents, where it is the query name: other tables, such as
 * KubePodInventory, have a `Name` column of their own.
 */
export function isHostColumn(column: string, text: string): boolean {
  if (HOST_COLUMN.test(column)) return true;
  return /^name$/i.test(column) && /\bDnsEvents\b/.test(text);
}
/** Columns that contain one IP address and nothing else. */
export const ADDRESS_COLUMN = /ip$|address$/i;
/**
 * Columns that list several addresses in one text, such as DnsEvents' IPAddresses, the
 * comma-separated answers of one lookup. `has` compares each whole address there, and `==` would
 * miss every answer of more than one address.
 */
export const ADDRESS_LIST_COLUMN = /addresses$/i;
/** Columns that may contain whole URLs, in which a host follows a scheme. */
export const URL_COLUMN = /url|uri/i;

export type Operation = 'contains' | 'startswith' | 'endswith';
/** Kusto's term operators, which match whole terms, a term prefix or a term suffix. */
type TermOperation = 'has' | 'hasprefix' | 'hassuffix';

/** Sentence for the findings' messages that explains why a term operator matches other hosts. */
export const TERM_SPLIT_NOTE =
  'Kusto splits values into terms at every character but letters and digits, so a term ' +
  'match does not stop at the labels of a host.';

function isTermOperation(operation: string): operation is TermOperation {
  return operation === 'has' || operation === 'hasprefix' || operation === 'hassuffix';
}

/** A LOOSE_MATCH warning and the comparison it is about. */
export interface LooseMatchFinding {
  issue: HuntpackIssue;
  /** Offset of the comparison's first character in the query. */
  start: number;
  /** Offset just past the comparison's last character in the query. */
  end: number;
}

/** Checks every loose comparison with a host name or address in one query. */
export function lintLooseMatches(
  block: KqlBlock,
  scanned: ScannedKql,
  file: string,
): LooseMatchFinding[] {
  const issues: LooseMatchFinding[] = [];
  for (const match of scanned.text.matchAll(LOOSE_COMPARISON)) {
    const groups = match.groups ?? {};
    const operator = groups.operator ?? '';
    const rawLeft = groups.left ?? '';
    const operatorOffset = match.index + match[0].indexOf(operator, rawLeft.length);
    if (scanned.kinds[operatorOffset] !== CharKind.Code) continue;

    const left = withoutOpenBrackets(rawLeft);
    if (FILE_COLUMN.test(left) && !HOST_COLUMN.test(left)) continue;
    // `has` is the usual way to search free text, so it is checked on host columns only.
    if (/has/.test(operator) && !isHostColumn(left, block.text)) continue;
    const value = stringValue(groups.literal ?? '""');
    const message = describeLooseMatch(left, operator, value);
    if (!message) continue;

    const leftOffset = match.index + rawLeft.length - left.length;
    const end = match.index + match[0].length;
    issues.push(looseMatchIssue(scanned, block, file, { start: leftOffset, end }, message));
  }
  return issues;
}

/** Returns a LOOSE_MATCH warning about the comparison at `span` of the scanned block's text. */
export function looseMatchIssue(
  scanned: ScannedKql,
  block: KqlBlock,
  file: string,
  span: { start: number; end: number },
  message: string,
): LooseMatchFinding {
  const { line, column } = lineAndColumn(scanned.text, span.start, block.startLine);
  const issue: HuntpackIssue = {
    code: 'LOOSE_MATCH',
    severity: 'warning',
    message,
    source: { file, line, column },
  };
  return { issue, ...span };
}

/** Removes the brackets that open before the operand, as in `not(RemoteUrl` or `(RemoteUrl`. */
export function withoutOpenBrackets(operand: string): string {
  let result = operand;
  while (count(result, '(') > count(result, ')')) {
    result = result.slice(result.indexOf('(') + 1);
  }
  return result;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** Returns the finding's message, or undefined when the value is no host name or address. */
function describeLooseMatch(left: string, operator: string, value: string): string | undefined {
  const negated = operator.startsWith('!');
  const operation = operator.replace(/^!/, '').replace(/_cs$/, '');
  if (isTermOperation(operation)) return describeTermMatch(left, operator, operation, value);
  if (!isOperation(operation)) return undefined;
  const comparison = `${left} ${operator} ${JSON.stringify(value)}`;
  const matches = negated ? 'also removes' : 'also matches';
  if (isChainColumn(left) && operation !== 'contains') {
    return describeChainEdge(left, comparison, operation, value, negated);
  }

  const url = splitUrl(value);
  if (url) {
    const urlExamples = wronglyMatchedUrls(operation, url);
    if (!urlExamples) return undefined;
    return (
      `${comparison} ${matches} other URLs, such as ${quoteAll(urlExamples)}. ` +
      urlFix(left, url, negated)
    );
  }
  const domainExamples = wronglyMatchedNames(operation, value);
  if (domainExamples) {
    const name = value.replace(/^\./, '');
    return (
      `${comparison} ${matches} other hosts, such as ${quoteAll(domainExamples)}. ` +
      domainFix(left, name, operation, negated)
    );
  }
  const addressExamples = wronglyMatchedAddresses(operation, value);
  if (addressExamples) {
    return (
      `${comparison} ${matches} other addresses, such as ${quoteAll(addressExamples)}. ` +
      addressFix(left, value, negated)
    );
  }
  return undefined;
}

/**
 * Returns the finding of a term operator on a column that lists addresses: none for `has`, which
 * compares whole addresses, and for `hasprefix` or `hassuffix` the longer addresses that they
 * also match, with `has` as the fix.
 */
function addressListIssue(
  comparison: string,
  matches: string,
  left: string,
  value: string,
  operation: TermOperation,
  negated: boolean,
): string | undefined {
  if (operation === 'has') return undefined;
  const examples =
    wronglyMatchedAddresses(operation === 'hasprefix' ? 'startswith' : 'endswith', value) ?? [];
  if (examples.length === 0) return undefined;
  return (
    `${comparison} ${matches} other addresses, such as ${quoteAll(examples)}. ${left} lists ` +
    `several addresses, so compare whole addresses in it: ${left} ${negated ? '!has' : 'has'} ` +
    `${JSON.stringify(value)}.`
  );
}

/**
 * Returns the message for `startswith` or `endswith` on a chain column, whose values are JSON
 * array text that starts with "[" and ends with "]", so a URL, host or address cannot start or
 * end them. Returns undefined when the value is not a URL, host or address.
 */
function describeChainEdge(
  left: string,
  comparison: string,
  operation: Operation,
  value: string,
  negated: boolean,
): string | undefined {
  const url = splitUrl(value);
  const name = value.replace(/^\./, '');
  let fix: string | undefined;
  if (url) fix = urlFix(left, url, negated);
  else if (checkDomain(name).kind === 'domain') fix = domainFix(left, name, operation, negated);
  else if (checkIpv4(value) === value) fix = addressFix(left, value, negated);
  if (fix === undefined) return undefined;
  const edge = operation === 'startswith' ? 'start' : 'end';
  const bracket = operation === 'startswith' ? '"["' : '"]"';
  const example = JSON.stringify(['https://t.co/x', 'https://example.net/']);
  const effect = negated ? 'so it removes no chain of URLs' : 'so it never matches a chain of URLs';
  return (
    `${comparison} compares the ${edge} of the whole value of ${left}, JSON array text such as ` +
    `${example}, which has ${bracket} there, ${effect}. ${fix}`
  );
}

function isOperation(operation: string): operation is Operation {
  return operation === 'contains' || operation === 'startswith' || operation === 'endswith';
}

/**
 * Returns the finding's message for `has`, `hasprefix` or `hassuffix`, or undefined when the
 * value is no host name or address, or the column contains one address that `has` matches
 * exactly.
 */
// NOTE: the examples assume that a value of several terms, such as "evil.com", matches where
// its terms follow each other, as Kusto's documentation describes for single terms.
function describeTermMatch(
  left: string,
  operator: string,
  operation: TermOperation,
  value: string,
): string | undefined {
  const negated = operator.startsWith('!');
  const comparison = `${left} ${operator} ${JSON.stringify(value)}`;
  const matches = negated ? 'also removes' : 'also matches';
  // A leading dot or other punctuation leaves the term boundaries unclear, so no example is made.
  if (!/^[A-Za-z0-9]/.test(value)) return undefined;
  // `hassuffix` also matches a longer first term, as in notevil.com, but `has` and `hasprefix`
  // match only after a term break, as in not-evil.com.
  const examplePrefix = operation === 'hassuffix' ? 'not' : 'not-';

  const url = splitUrl(value);
  if (url) {
    const full = url.scheme ? `${url.scheme}://${url.rest}` : url.rest;
    const examples = url.scheme
      ? [`https://example.net/?next=${full}`]
      : [`https://${examplePrefix}${url.rest}`];
    if (!full.endsWith('/') && operation !== 'hassuffix') examples.push(`${full}-old.zip`);
    return (
      `${comparison} ${matches} other URLs, such as ${quoteAll(examples)}. ${TERM_SPLIT_NOTE} ` +
      urlFix(left, url, negated)
    );
  }
  if (checkDomain(value).kind === 'domain') {
    const examples = [`${examplePrefix}${value}`, `${value}.example.net`];
    return (
      `${comparison} ${matches} other hosts, such as ${quoteAll(examples)}. ${TERM_SPLIT_NOTE} ` +
      domainFix(left, value, 'contains', negated)
    );
  }
  if (checkIpv4(value) !== value) return undefined;
  if (ADDRESS_LIST_COLUMN.test(left))
    return addressListIssue(comparison, matches, left, value, operation, negated);
  const examples: string[] = [];
  if (operation === 'hasprefix')
    examples.push(...(wronglyMatchedAddresses('startswith', value) ?? []));
  if (operation === 'hassuffix')
    examples.push(...(wronglyMatchedAddresses('endswith', value) ?? []));
  if (!ADDRESS_COLUMN.test(left)) examples.push(`${value}.example.net`);
  if (examples.length === 0) return undefined;
  const quoted = JSON.stringify(value);
  const not = negated ? '!' : '';
  const equals = negated ? '!=' : '==';
  const such = `${comparison} ${matches} other ${ADDRESS_COLUMN.test(left) ? 'addresses' : 'hosts'}, such as ${quoteAll(examples)}.`;
  if (isChainColumn(left)) {
    return `${such} ${chainHostFix(left, `UrlHost == ${quoted}`, SEVERAL_ADDRESSES, negated)}`;
  }
  if (URL_COLUMN.test(left)) {
    return (
      `${such} ${left} can contain whole URLs, so compare the host of each: ` +
      `${hostComparison(left, `UrlHost ${equals} ${quoted}`)}, or UrlHost ${not}in (...) ` +
      'for several addresses.'
    );
  }
  return (
    `${such} Compare the address exactly: ${left} ${equals} ${quoted}, ` +
    `or ${not}in (...) for several addresses.`
  );
}

/**
 * Host pattern of the generated queries, as `HOST_PATTERN` in the KQL backend: after an optional
 * scheme and user info, up to the first port, path, query or fragment delimiter. A bracketed
 * IPv6 literal is kept whole.
 */
const URL_HOST_PATTERN = String.raw`^(?:[A-Za-z][A-Za-z0-9+.\-]*://)?(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)`;

/**
 * Returns the KQL expression that the generated queries use for the host of a host name or URL
 * in `value`: trimmed, lower-cased and without its root dot, so `https://user@Evil.com.:8080/x`
 * gives `evil.com`.
 */
export function urlHostExpression(value: string): string {
  return `trim_end(@"\\.", tolower(extract(@"${URL_HOST_PATTERN}", 1, trim(@"\\s+", ${value}))))`;
}

/**
 * Returns how to run `condition`, a comparison of the column `UrlHost`, on the hosts of the URL
 * column `left`.
 */
function hostComparison(left: string, condition: string): string {
  return `add | extend UrlHost = ${urlHostExpression(left)} before this where, then ${condition}`;
}

const SEVERAL_ADDRESSES = { condition: 'UrlHost in (...)', kind: 'addresses' };

/** Sentence for the negated fixes on a chain column, which count the URLs that match. */
const NEGATED_CHAIN_NOTE =
  'This keeps an event only when none of the URLs in its chain match, as the negated ' +
  'comparison meant.';

/**
 * Returns the fix for a host or address comparison on the chain column `left`. `condition` and
 * `list.condition` compare UrlHost with one value and with several `list.kind`. A negated fix gets the same positive
 * conditions, because it counts the URLs that meet them.
 */
function chainHostFix(
  left: string,
  condition: string,
  list: { condition: string; kind: string },
  negated: boolean,
): string {
  const fix = chainFix(left, condition, {
    negated,
    hostExpression: urlHostExpression(CHAIN_URL),
  });
  const verb = negated ? 'count' : 'compare';
  const note = negated ? ` ${NEGATED_CHAIN_NOTE}` : '';
  return (
    `${chainIntro(left)} replace the where with ${fix}. For several ${list.kind}, ${verb} ` +
    `${list.condition}.${note}`
  );
}

export function quoteAll(values: string[]): string {
  return values.map((value) => JSON.stringify(value)).join(' and ');
}

/**
 * Returns host names that the operation matches besides `value` and its subdomains, or
 * undefined when the value is no domain name or the operation matches it exactly enough, as
 * `endswith ".evil.com"` does. The examples end in example.net, a name reserved by RFC 2606.
 */
export function wronglyMatchedNames(operation: Operation, value: string): string[] | undefined {
  const dotted = value.startsWith('.');
  const name = dotted ? value.slice(1) : value;
  if (checkDomain(name).kind !== 'domain') return undefined;
  if (operation === 'contains') {
    return dotted ? [`www${value}.example.net`] : [`not${value}`, `${value}.example.net`];
  }
  if (dotted) return undefined;
  return operation === 'endswith' ? [`not${value}`] : [`${value}.example.net`];
}

/**
 * Returns IPv4 addresses that the operation matches besides `value`: one with a digit added to
 * the last octet (startswith, contains) and one with a digit put before the first
 * (endswith, contains). Returns undefined when the value is no address or no such valid
 * address exists, as for 255.255.255.255.
 */
export function wronglyMatchedAddresses(operation: Operation, value: string): string[] | undefined {
  if (checkIpv4(value) !== value) return undefined;
  const octets = value.split('.');
  const first = octets[0] ?? '';
  const last = octets[3] ?? '';
  const longer =
    last === '0'
      ? undefined
      : ['0', '1', '2', '3', '4', '5'].find((digit) => Number(last + digit) <= 255);
  const prefixed = ['1', '2'].find((digit) => Number(digit + first) <= 255);
  const examples: string[] = [];
  if (operation !== 'endswith' && longer !== undefined) examples.push(value + longer);
  if (operation !== 'startswith' && prefixed !== undefined) examples.push(prefixed + value);
  return examples.length > 0 ? examples : undefined;
}

function domainFix(left: string, name: string, operation: Operation, negated: boolean): string {
  if (URL_COLUMN.test(left)) return urlColumnDomainFix(left, name, operation, negated);
  const quoted = JSON.stringify(name);
  const exact = `${left} =~ ${quoted}`;
  const withSubdomains = `${exact} or ${left} endswith ${JSON.stringify(`.${name}`)}`;
  if (negated) {
    return (
      `To remove only that host, use ${left} !~ ${quoted}, or not(${withSubdomains}) to ` +
      'remove its subdomains too. For several hosts, use !in~ (...).'
    );
  }
  if (operation === 'startswith') {
    return `Compare the host instead: ${exact}, or in~ (...) for several hosts.`;
  }
  return (
    `Match the host instead: ${withSubdomains} matches the host and its subdomains, and ` +
    `${exact} alone matches just that host. For several hosts, use in~ (...).`
  );
}

/**
 * Explains how to compare the host of a column that may contain whole URLs, where `=~` and
 * `endswith` on the whole value never match a URL with a scheme or a path. The host comes out
 * as the generated queries take it, so a bare host name in the column matches too.
 */
function urlColumnDomainFix(
  left: string,
  name: string,
  operation: Operation,
  negated: boolean,
): string {
  if (isChainColumn(left)) return chainDomainFix(left, name, operation, negated);
  const quoted = JSON.stringify(name);
  const withSubdomains = `UrlHost =~ ${quoted} or UrlHost endswith ${JSON.stringify(`.${name}`)}`;
  const intro = `${left} can contain whole URLs, so compare the host of each:`;
  if (negated) {
    return (
      `${intro} to remove only that host, ${hostComparison(left, `UrlHost !~ ${quoted}`)}. ` +
      `To remove its subdomains too, compare not(${withSubdomains}). For several hosts, use ` +
      'UrlHost !in~ (...).'
    );
  }
  if (operation === 'startswith') {
    return (
      `${intro} ${hostComparison(left, `UrlHost =~ ${quoted}`)}, or UrlHost in~ (...) for ` +
      'several hosts.'
    );
  }
  return (
    `${intro} ${hostComparison(left, withSubdomains)} matches the host and its subdomains, ` +
    `and UrlHost =~ ${quoted} alone matches just that host. For several hosts, use ` +
    'UrlHost in~ (...).'
  );
}

/** Explains how to compare the host of each URL in the chain column `left`. */
function chainDomainFix(
  left: string,
  name: string,
  operation: Operation,
  negated: boolean,
): string {
  const quoted = JSON.stringify(name);
  const exact = `UrlHost =~ ${quoted}`;
  const withSubdomains = `${exact} or UrlHost endswith ${JSON.stringify(`.${name}`)}`;
  const hostExpression = urlHostExpression(CHAIN_URL);
  if (negated) {
    const fix = chainFix(left, exact, { negated, hostExpression });
    return (
      `${chainIntro(left)} to remove only that host, replace the where with ${fix}. To remove ` +
      `its subdomains too, count ${withSubdomains}. For several hosts, count UrlHost in~ (...). ` +
      NEGATED_CHAIN_NOTE
    );
  }
  if (operation === 'startswith') {
    return chainHostFix(left, exact, { condition: 'UrlHost in~ (...)', kind: 'hosts' }, false);
  }
  const fix = chainFix(left, withSubdomains, { negated, hostExpression });
  return (
    `${chainIntro(left)} replace the where with ${fix}, which matches the host and its ` +
    `subdomains, or compare ${exact} alone to match just that host. For several hosts, ` +
    'compare UrlHost in~ (...).'
  );
}

/** A URL value split after its scheme: `scheme` is empty when the value has none. */
export interface UrlValue {
  scheme: string;
  /** The URL after `scheme://`. */
  rest: string;
}

/**
 * Splits a value that is a URL, with or without a scheme: a host name or IPv4 address followed
 * by a path. Returns undefined for a bare host and for any other text.
 */
export function splitUrl(value: string): UrlValue | undefined {
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([^/:?#]+)(?::\d+)?[/?#]/.exec(value);
  if (!match) return undefined;
  const host = match[2] ?? '';
  if (checkHost(host).kind === 'invalid') return undefined;
  const scheme = match[1] ?? '';
  return { scheme, rest: scheme ? value.slice(scheme.length + 3) : value };
}

/**
 * Returns URLs that the operation matches besides the URL itself, or undefined when there are
 * none worth a warning, as for `startswith "https://evil.com/"`. The examples use example.net,
 * a name reserved by RFC 2606.
 */
export function wronglyMatchedUrls(operation: Operation, url: UrlValue): string[] | undefined {
  const value = url.scheme ? `${url.scheme}://${url.rest}` : url.rest;
  const examples: string[] = [];
  if (operation !== 'startswith' && !url.scheme) examples.push(`https://not${value}`);
  if (operation === 'contains' && url.scheme) {
    examples.push(`https://example.net/?next=${value}`);
  }
  if (operation !== 'endswith' && !value.endsWith('/')) examples.push(`${value}-old.zip`);
  return examples.length > 0 ? examples : undefined;
}

/**
 * Sentence for the whole-URL fixes, which compare the URL as logged. The generated queries
 * compare a normalized form instead (`UrlKey` in the KQL backend), which is too long to suggest.
 */
export const URL_TEXT_NOTE =
  'This compares the URL as logged, so unlike the generated queries it misses the same URL ' +
  'written with user info, a root dot after the name, or port 80 or 443.';

/** Explains how to compare a whole URL, with the scheme variants when the value has none. */
function urlFix(left: string, url: UrlValue, negated: boolean): string {
  if (isChainColumn(left)) return chainUrlFix(left, url, negated);
  const not = negated ? '!' : '';
  const equals = negated ? '!~' : '=~';
  if (url.scheme) {
    const quoted = JSON.stringify(`${url.scheme}://${url.rest}`);
    return (
      `Compare the whole URL instead: ${left} ${equals} ${quoted}, or ${not}in~ (...) for ` +
      'several URLs. This matches that exact URL only, not the same URL with a query string ' +
      `added. ${URL_TEXT_NOTE}`
    );
  }
  const variants = ['http://', 'https://', '']
    .map((scheme) => JSON.stringify(scheme + url.rest))
    .join(', ');
  const afterScheme = `trim_start(@"[A-Za-z][A-Za-z0-9+.-]*://", ${left})`;
  return (
    `Compare whole URLs instead, with each scheme: ${left} ${not}in~ (${variants}), or ` +
    `compare the URL after its scheme: ${afterScheme} ${equals} ` +
    `${JSON.stringify(url.rest)}. These match that exact URL only, not the same URL with a ` +
    `query string added. ${URL_TEXT_NOTE.replace('This compares', 'Each compares')}`
  );
}

/** Explains how to compare each URL of the chain column `left` with the whole URL `url`. */
function chainUrlFix(left: string, url: UrlValue, negated: boolean): string {
  const verb = negated ? 'count' : 'compare';
  const note = negated ? ` ${NEGATED_CHAIN_NOTE}` : '';
  if (url.scheme) {
    const condition = `${CHAIN_URL} =~ ${JSON.stringify(`${url.scheme}://${url.rest}`)}`;
    return (
      `${chainIntro(left)} replace the where with ${chainFix(left, condition, { negated })}, or ` +
      `${verb} ${CHAIN_URL} in~ (...) for several URLs. This matches that exact URL only, not ` +
      `the same URL with a query string added. ${URL_TEXT_NOTE}${note}`
    );
  }
  const variants = ['http://', 'https://', '']
    .map((scheme) => JSON.stringify(scheme + url.rest))
    .join(', ');
  const condition = `${CHAIN_URL} in~ (${variants})`;
  const afterScheme = `trim_start(@"[A-Za-z][A-Za-z0-9+.-]*://", ${CHAIN_URL})`;
  return (
    `${chainIntro(left)} replace the where with ${chainFix(left, condition, { negated })}, ` +
    `which compares whole URLs with each scheme, or ${verb} the URL after its scheme: ` +
    `${afterScheme} =~ ${JSON.stringify(url.rest)}. These match that exact URL only, not the ` +
    `same URL with a query string added. ${URL_TEXT_NOTE.replace('This compares', 'Each compares')}` +
    note
  );
}

function addressFix(left: string, address: string, negated: boolean): string {
  const quoted = JSON.stringify(address);
  if (ADDRESS_LIST_COLUMN.test(left)) {
    return (
      `${left} lists several addresses, so compare whole addresses in it: ` +
      `${left} ${negated ? '!has' : 'has'} ${quoted}.`
    );
  }
  if (isChainColumn(left)) {
    return chainHostFix(left, `UrlHost == ${quoted}`, SEVERAL_ADDRESSES, negated);
  }
  if (URL_COLUMN.test(left)) {
    const condition = `UrlHost ${negated ? '!=' : '=='} ${quoted}`;
    return (
      `${left} can contain whole URLs, so compare the host of each: ` +
      `${hostComparison(left, condition)}, or UrlHost ${negated ? '!in' : 'in'} (...) for ` +
      'several addresses.'
    );
  }
  // On a host column `has` also matches a name that starts with the address, so the term
  // comparison is suggested only for the other columns.
  const freeText = !HOST_COLUMN.test(left) || ADDRESS_COLUMN.test(left);
  if (negated) {
    const terms = freeText ? ` In free text, ${left} !has ${quoted} compares whole terms.` : '';
    return (
      `To remove only that address, use ${left} != ${quoted}, or !in (...) for several ` +
      `addresses.${terms}`
    );
  }
  const terms = freeText ? ` In free text, ${left} has ${quoted} compares whole terms.` : '';
  return (
    `Compare the address exactly: ${left} == ${quoted}, or in (...) for several addresses.` + terms
  );
}
