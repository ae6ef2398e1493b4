/**
 * Flags `matches regex` comparisons of a host, URL or address column whose pattern is a host
 * name, URL or IPv4 address that is not anchored at a label boundary, or whose dots are not
 * escaped. `RemoteUrl matches regex @"evil\.com"` also matches notevil.com and
 * evil.com.example.net, and the unescaped dot of `"evil.com"` also matches evil-com. The
 * suggested fixes anchor the pattern: `(^|\.)evil\.com$` for a host column, and a pattern that
 * skips the scheme and subdomains for a URL column.
 */
import { checkDomain, checkIpv4 } from '../../feeds/text-hosts.js';
import type { KqlBlock } from './kql-blocks.js';
import { CharKind, stringValue, type ScannedKql } from './kql-scan.js';
import {
  ADDRESS_COLUMN,
  isHostColumn,
  quoteAll,
  splitUrl,
  looseMatchIssue,
  URL_COLUMN,
  URL_TEXT_NOTE,
  withoutOpenBrackets,
  wronglyMatchedAddresses,
  wronglyMatchedNames,
  wronglyMatchedUrls,
  type LooseMatchFinding,
  type Operation,
} from './loose-match.js';
import { isFixedText, looseBranchExample } from './regex-branches.js';
import { CHAIN_URL, chainFix, chainIntro, isChainColumn } from './url-chain.js';

/** The operand left of `matches regex` and the pattern's string literal. */
const REGEX_COMPARISON = new RegExp(
  String.raw`(?<left>(?<![^\s(])[^\s(]\S*?)\s+matches\s+regex\s+` +
    String.raw`(?<literal>@"(?:[^"\n]|"")*"|@'(?:[^'\n]|'')*'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')`,
  'g',
);

/**
 * A run of pattern characters that match themselves: letters, digits, `-`, `_`, `/`, `:`, an
 * escaped `.`, `/` or `-`, and an unescaped `.` that no quantifier follows. The second branch
 * takes any other escape, such as `\b`, so that its letter starts no run.
 */
const LITERAL_RUN = /(?:[A-Za-z0-9_-]|\\[./-]|\.(?![*+?{])|\/|:)+|\\./g;

/** Pattern text before a literal run that allows only the start of the value, `.` or `/`. */
const START_ANCHOR = /(?:\^|\\\.|\/|\\\/|\[[\\./:]+\]|\((?:\?:)?\^\|[^()]*\))$/;
/**
 * Pattern text after a literal run that allows only the end of the value or `/`, `:`, `?`, `#`.
 * A root dot and a port may come first, as `\.?(:[0-9]*)?([/?#]|$)` in the suggested fixes.
 */
const END_ANCHOR =
  /^(?:\\\.\?)?(?:\(:\[0-9\]\*\)\?)?(?:\$|\\?[/:?#]|\[[\\/:?#]+\]|\((?:\?:)?(?:\$|\\?[/:?#]|\[[\\/:?#]+\])(?:\|(?:\$|\\?[/:?#]|\[[\\/:?#]+\]))*\))/;

/** The literal run of a pattern that is a host, URL or address, with the run's anchors. */
interface PatternReading {
  /** The host, URL or address that the run spells, with its escapes removed. */
  value: string;
  startAnchored: boolean;
  /** True when a `\b` before the run anchors it at a word boundary, which a `-` also makes. */
  startsAtWord: boolean;
  endAnchored: boolean;
  /** The value with its first unescaped dot replaced by `-`, or undefined when all are escaped. */
  dotExample?: string;
  unescapedDots: number;
  /**
   * A branch of the pattern that names no host and matches more than one fixed text, such as
   * `.*` in `^(evil\.com|.*)$`, set when the other branches read as a host.
   */
  looseBranch?: string;
}

/** Checks every `matches regex` comparison of a host, URL or address column in one query. */
export function lintLooseRegexes(
  block: KqlBlock,
  scanned: ScannedKql,
  file: string,
): LooseMatchFinding[] {
  const issues: LooseMatchFinding[] = [];
  for (const match of scanned.text.matchAll(REGEX_COMPARISON)) {
    const groups = match.groups ?? {};
    const rawLeft = groups.left ?? '';
    const literal = groups.literal ?? '""';
    const literalOffset = match.index + match[0].length - literal.length;
    const operatorOffset = match.index + match[0].indexOf('matches', rawLeft.length);
    if (scanned.kinds[operatorOffset] !== CharKind.Code) continue;
    if (scanned.kinds[literalOffset] !== CharKind.String) continue;

    const left = withoutOpenBrackets(rawLeft);
    if (!isHostColumn(left, block.text)) continue;
    const pattern = stringValue(literal);
    const reading = readPattern(pattern);
    if (!reading) continue;
    const leftOffset = match.index + rawLeft.length - left.length;
    const negated = /\bnot\s*\(\s*$/.test(scanned.text.slice(0, leftOffset));
    const message = describeLooseRegex(left, literal, reading, negated);
    if (!message) continue;

    const end = match.index + match[0].length;
    issues.push(looseMatchIssue(scanned, block, file, { start: leftOffset, end }, message));
  }
  return issues;
}

/**
 * Reads a pattern whose longest literal run is a host name, URL or IPv4 address, or returns
 * undefined for any other pattern. A pattern with `|` outside brackets, or a group of
 * alternatives such as `^(a|b)$`, is read branch by branch, and the first branch with a fault
 * is returned. When some branch reads as a host, a branch that names none is a fault unless
 * it matches one fixed text, as `^$` does, because `.*`, `\w+` or `.il\.com` in place of the
 * host match other hosts.
 */
function readPattern(pattern: string): PatternReading | undefined {
  const body = pattern.replace(/^\(\?i\)/, '');
  const branches = splitBranches(body).flatMap((branch) => expandGroups(branch));
  const readings = branches.map(readBranch);
  const loose = readings.find((reading) => reading && isLoose(reading));
  if (loose) return loose;
  const named = readings.find((reading) => reading !== undefined);
  if (!named) return undefined;
  const looseBranch = branches.find(
    (branch, index) => readings[index] === undefined && !isFixedText(branch),
  );
  return looseBranch === undefined ? undefined : { ...named, looseBranch };
}

/** Maximum number of branches that expanding the groups of one branch may make. */
const MAX_EXPANDED_BRANCHES = 256;

/**
 * Rewrites a branch as the branches that its unquantified groups make: `x(a|b)y` becomes `xay`
 * and `xby`, and `(a)` becomes `a`, which match the same text. The anchors around a group then
 * sit next to the literal runs inside it. A group followed by a quantifier, such as the
 * optional `(www\.)?`, is kept, because the anchor checks read it in place.
 */
// NOTE: past MAX_EXPANDED_BRANCHES the remaining groups are kept, so such a pattern may be read
// as unanchored, never the other way round.
export function expandGroups(branch: string, limit = MAX_EXPANDED_BRANCHES): string[] {
  const group = findPlainGroup(branch);
  if (!group) return [branch];
  const before = branch.slice(0, group.start);
  const after = branch.slice(group.end);
  const alternatives = splitBranches(branch.slice(group.bodyStart, group.end - 1));
  if (alternatives.length > limit) return [branch];
  const expanded: string[] = [];
  for (const alternative of alternatives) {
    const share = Math.max(1, Math.floor(limit / alternatives.length));
    expanded.push(...expandGroups(before + alternative + after, share));
  }
  return expanded;
}

/**
 * Finds the first group that no quantifier follows and that is a plain, a `(?:`, a named or a
 * `(?flags:` group. `bodyStart` is the offset just past its opening, and `end` just past its
 * `)`. Look-arounds, which RE2 rejects, and flag settings such as `(?i)` are left alone.
 */
function findPlainGroup(
  pattern: string,
): { start: number; bodyStart: number; end: number } | undefined {
  const opens: { start: number; bodyStart: number | undefined }[] = [];
  let inClass = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '\\') index += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
    else if (char === '(') {
      const opening = /^\((?:\?(?:P?<[A-Za-z_][A-Za-z0-9_]*>|[imsU-]*:))?/.exec(
        pattern.slice(index),
      )?.[0];
      const plain = opening !== undefined && (opening.length > 1 || pattern[index + 1] !== '?');
      opens.push({ start: index, bodyStart: plain ? index + opening.length : undefined });
    } else if (char === ')') {
      const open = opens.pop();
      const next = pattern[index + 1];
      const quantified = next !== undefined && /[*+?{]/.test(next);
      if (open?.bodyStart !== undefined && !quantified && opens.length === 0) {
        return { start: open.start, bodyStart: open.bodyStart, end: index + 1 };
      }
    }
  }
  return undefined;
}

function isLoose(reading: PatternReading): boolean {
  return !reading.startAnchored || !reading.endAnchored || reading.unescapedDots > 0;
}

/** Splits a pattern at each `|` outside brackets and character classes. */
function splitBranches(pattern: string): string[] {
  const branches: string[] = [];
  let depth = 0;
  let inClass = false;
  let branchStart = 0;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '\\') index += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && depth === 0) {
      branches.push(pattern.slice(branchStart, index));
      branchStart = index + 1;
    }
  }
  branches.push(pattern.slice(branchStart));
  return branches;
}

function readBranch(branch: string): PatternReading | undefined {
  let best: { start: number; run: string } | undefined;
  for (const match of branch.matchAll(LITERAL_RUN)) {
    // A run inside a character class, such as [a-z.], matches one character only.
    if (insideClass(branch, match.index) || /^\\[^./-]$/.test(match[0])) continue;
    const run = trimRun(match[0], branch[match.index + match[0].length]);
    // The `\.` that starts the run of `(^|\.)evil\.com` is the label boundary before the host.
    while (!isHostLike(decode(run.text)) && run.text.startsWith('\\.')) {
      run.text = run.text.slice(2);
      run.leading += 2;
    }
    const start = match.index + run.leading;
    if (isHostLike(decode(run.text)) && (!best || run.text.length > best.run.length)) {
      best = { start, run: run.text };
    }
  }
  if (!best) return undefined;

  const value = decode(best.run);
  const tokens = splitTokens(best.run);
  const unescapedDots = tokens.filter((token) => token === '.').length;
  const firstDot = tokens.indexOf('.');
  const dotExample =
    firstDot < 0
      ? undefined
      : decode(tokens.slice(0, firstDot).join('')) +
        '-' +
        decode(tokens.slice(firstDot + 1).join(''));
  return {
    value,
    startAnchored: isStartAnchored(branch.slice(0, best.start)),
    startsAtWord: branch.slice(0, best.start).endsWith('\\b'),
    endAnchored: isEndAnchored(branch.slice(best.start + best.run.length)),
    unescapedDots,
    ...(dotExample === undefined ? {} : { dotExample }),
  };
}

/** The opening of a group: `(`, `(?:`, `(?s:` or a named `(?P<name>`, `(?<name>`. */
const GROUP_OPENING = /^\((?:\?(?:P?<[A-Za-z_][A-Za-z0-9_]*>|[A-Za-z-]*:))?/;

/** An unescaped `.` with a quantifier, which takes any run of characters, such as a host and `/`. */
const ANY_RUN = /(?:^|[^\\])\.[*+{]/;

/** The start of the value: `^`, after an inline flag such as `(?i)`, and spaces it may skip. */
const VALUE_START = /^(?:\(\?[a-z]+\))?\^(?:\(\?[a-z]+\))?(?:\\s\*)?$/;

/**
 * Returns whether the pattern text before a literal run anchors it. After a `^` or another
 * anchor, optional or repeated groups whose every alternative ends where a host may start (see
 * `endsAtBoundary`) keep the run at a label boundary. Such are the scheme, user info and
 * subdomain groups of the suggested fixes, and the repeated labels of `^([a-z0-9-]+\.)*evil\.com$`.
 */
function isStartAnchored(prefix: string): boolean {
  let rest = prefix;
  for (;;) {
    if (START_ANCHOR.test(rest) || VALUE_START.test(rest)) return true;
    const group = groupAtEnd(rest);
    if (!group) return false;
    const delimited = splitBranches(group.body).every(endsAtBoundary);
    if (!delimited) return false;
    rest = rest.slice(0, group.start);
  }
}

/**
 * Tells whether an alternative of a group before a host ends where a host may start. That is at
 * a dot, as `(.*\.)?` ends at a label, at the `://` of a scheme, or at the `@` of user info that
 * cannot span a `/`. Other alternatives, such as `.*` or `([^/]+/)+`, let the host start inside
 * another URL's path.
 */
function endsAtBoundary(alternative: string): boolean {
  if (/(?:\\\.|\[\.\])$/.test(alternative)) return true;
  if (ANY_RUN.test(alternative)) return false;
  if (/:(?:\/|\\\/){2}$/.test(alternative)) return true;
  if (!alternative.endsWith('@')) return false;
  const negatedClasses = alternative.match(/\[\^[^\]]*\]/g) ?? [];
  return negatedClasses.every((set) => set.includes('/'));
}

/**
 * Returns whether the pattern text after a literal run anchors it: an end anchor, or groups whose
 * every alternative starts with `/`, `:`, `?` or `#` or is `$`, such as `(/.*)?$` and
 * `(:\d+)?(/|$)`. An optional group must be followed by an end anchor in turn.
 */
function isEndAnchored(suffix: string): boolean {
  const anchor = END_ANCHOR.exec(suffix)?.[0];
  // `/?` or `(/|$)?` may also match nothing, which leaves the run unanchored.
  if (anchor !== undefined && !/^[?*{]/.test(suffix.slice(anchor.length))) return true;
  const group = groupAtStart(suffix);
  if (!group) return false;
  const delimited = splitBranches(group.body).every(
    (alternative) => alternative === '$' || /^(?:\\?[/:?#]|\[[\\/:?#]+\])/.test(alternative),
  );
  if (!delimited) return false;
  if (group.quantifier === '') return true;
  return group.quantifier === '?' && isEndAnchored(group.rest);
}

/**
 * Finds the group that the `)?`, `)*` or `)+` at the end of `prefix` closes: the offset of its
 * `(` and its body. Returns undefined when the prefix does not end in such a group.
 */
function groupAtEnd(prefix: string): { start: number; body: string } | undefined {
  if (!/\)[?*+]$/.test(prefix)) return undefined;
  const opens: number[] = [];
  let inClass = false;
  for (let index = 0; index < prefix.length; index++) {
    const char = prefix[index];
    if (char === '\\') index += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
    else if (char === '(') opens.push(index);
    else if (char === ')') {
      const open = opens.pop();
      if (open !== undefined && index === prefix.length - 2) {
        const opening = GROUP_OPENING.exec(prefix.slice(open))?.[0] ?? '(';
        return { start: open, body: prefix.slice(open + opening.length, index) };
      }
    }
  }
  return undefined;
}

/**
 * Finds the group that opens `suffix`: its body, the quantifier after it (`?`, `*`, `+` or none)
 * and the text after that. Returns undefined when the suffix does not start with a group.
 */
function groupAtStart(
  suffix: string,
): { body: string; quantifier: string; rest: string } | undefined {
  if (!suffix.startsWith('(')) return undefined;
  let depth = 0;
  let inClass = false;
  for (let index = 0; index < suffix.length; index++) {
    const char = suffix[index];
    if (char === '\\') index += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
    else if (char === '(') depth++;
    else if (char === ')' && --depth === 0) {
      const opening = GROUP_OPENING.exec(suffix)?.[0] ?? '(';
      const quantifier = /^[?*+]/.exec(suffix.slice(index + 1))?.[0] ?? '';
      return {
        body: suffix.slice(opening.length, index),
        quantifier,
        rest: suffix.slice(index + 1 + quantifier.length),
      };
    }
  }
  return undefined;
}

function insideClass(pattern: string, offset: number): boolean {
  let inClass = false;
  for (let index = 0; index < offset; index++) {
    const char = pattern[index];
    if (char === '\\') index += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
  }
  return inClass;
}

/**
 * Removes from a literal run the `:` and `/` at its ends, which belong to the scheme or the
 * anchors, and its last character when a quantifier follows it, as the `s` of `https?`.
 */
function trimRun(run: string, next: string | undefined): { text: string; leading: number } {
  const tokens = splitTokens(run);
  if (next !== undefined && /[*+?{]/.test(next)) tokens.pop();
  let leading = 0;
  while (tokens.length > 0 && /^(?::|\/|\\\/)$/.test(tokens[0] ?? '')) {
    leading += (tokens.shift() ?? '').length;
  }
  while (tokens.length > 0 && /^(?::|\/|\\\/)$/.test(tokens.at(-1) ?? '')) tokens.pop();
  return { text: tokens.join(''), leading };
}

/** Splits pattern text into characters, keeping each escape with the character it escapes. */
function splitTokens(run: string): string[] {
  return run.match(/\\.|./g) ?? [];
}

function decode(run: string): string {
  return run.replace(/\\(.)/g, '$1');
}

function isHostLike(value: string): boolean {
  return checkDomain(value).kind === 'domain' || checkIpv4(value) === value || !!splitUrl(value);
}

/** Returns the finding's message, or undefined when the pattern matches only that value. */
function describeLooseRegex(
  left: string,
  literal: string,
  reading: PatternReading,
  negated: boolean,
): string | undefined {
  if (reading.looseBranch !== undefined) {
    return describeLooseBranch(left, literal, reading, reading.looseBranch, negated);
  }
  const operation = looseOperation(reading);
  const url = splitUrl(reading.value);
  const isAddress = !url && checkIpv4(reading.value) === reading.value;
  let kind = 'hosts';
  if (url) kind = 'URLs';
  else if (isAddress) kind = 'addresses';

  let examples: string[] = [];
  if (operation && url) examples = wronglyMatchedUrls(operation, url) ?? [];
  else if (operation && isAddress)
    examples = wronglyMatchedAddresses(operation, reading.value) ?? [];
  else if (operation) examples = wronglyMatchedNames(operation, reading.value) ?? [];
  if (reading.startsAtWord)
    examples = afterWordBoundary(examples, reading.value, !url && !isAddress);

  const reasons: string[] = [];
  if (examples.length > 0) {
    reasons.push(`such as ${quoteAll(examples)}, because the pattern ${missingAnchors(reading)}`);
  }
  if (reading.dotExample !== undefined) {
    const dots =
      reading.unescapedDots === 1 ? 'its unescaped dot matches' : 'its unescaped dots match';
    reasons.push(`${dots} any character, as in ${JSON.stringify(reading.dotExample)}`);
  }
  if (reasons.length === 0) return undefined;
  return (
    `${left} matches regex ${literal} also matches other ${kind}, ${reasons.join(', and ')}. ` +
    regexFix(left, reading.value, isAddress, negated)
  );
}

/** Returns the message for a pattern with a branch that names no host, such as `.*`. */
function describeLooseBranch(
  left: string,
  literal: string,
  reading: PatternReading,
  branch: string,
  negated: boolean,
): string {
  const url = splitUrl(reading.value);
  const isAddress = !url && checkIpv4(reading.value) === reading.value;
  const ignoreCase = stringValue(literal).startsWith('(?i)');
  const example = looseBranchExample(branch, reading.value, ignoreCase);
  const such = example === undefined ? '' : `, such as ${JSON.stringify(example)}`;
  return (
    `${left} matches regex ${literal} also matches values other than ` +
    `${JSON.stringify(reading.value)}${such}, because its branch ${verbatim(branch)} names ` +
    'no host and matches more than one fixed text. ' +
    regexFix(left, reading.value, isAddress, negated)
  );
}

/** Returns the substring operation that the pattern's anchors amount to, or undefined. */
function looseOperation(reading: PatternReading): Operation | undefined {
  if (reading.startAnchored && reading.endAnchored) return undefined;
  if (reading.startAnchored) return 'startswith';
  if (reading.endAnchored) return 'endswith';
  return 'contains';
}

/**
 * Rewrites the examples for a pattern that starts at `\b`. A letter or digit cannot come just
 * before the value there, but a `-` can, as in not-evil.com.
 */
function afterWordBoundary(examples: string[], value: string, isDomain: boolean): string[] {
  const possible = examples.filter(
    (example) => !/[A-Za-z0-9_]$/.test(example.slice(0, example.indexOf(value))),
  );
  if (isDomain && possible.length < examples.length) possible.unshift(`not-${value}`);
  return possible;
}

function missingAnchors(reading: PatternReading): string {
  if (reading.startsAtWord) {
    const end = reading.endAnchored ? '' : ', and has no anchor at the end';
    return `starts at a word boundary, which a "-" also makes${end}`;
  }
  if (!reading.startAnchored && !reading.endAnchored) {
    return 'has no anchor at the start and none at the end';
  }
  return reading.startAnchored ? 'has no anchor at the end' : 'has no anchor at the start';
}

/** The part of a URL pattern that skips the scheme, which a URL column may lack. */
export const SCHEME = '([a-z][a-z0-9+.-]*://)?';
/**
 * The start of a pattern for the host of a URL: white space, the scheme and user info, as the
 * generated queries skip them. The user info ends at the first `@`, as in the generated queries.
 */
const URL_HOST_START = String.raw`^\s*${SCHEME}([^@/?#]*@)?`;
/**
 * The end of a pattern for the host of a URL: a port of digits only, so that a user name such
 * as `evil.com:password@` is not read as the host, then a path, query, fragment or the end.
 */
const URL_HOST_END = '(:[0-9]*)?([/?#]|$)';

function regexFix(left: string, value: string, isAddress: boolean, negated: boolean): string {
  if (isChainColumn(left)) return chainRegexFix(left, value, isAddress, negated);
  const isUrlColumn = URL_COLUMN.test(left);
  const url = splitUrl(value);
  if (url) {
    const pattern = url.scheme ? `^${escapeRegex(value)}$` : `^${SCHEME}${escapeRegex(url.rest)}$`;
    return (
      `Anchor the whole URL: ${left} matches regex ${verbatim(`(?i)${pattern}`)}. This ` +
      `matches that exact URL only, not the same URL with a query string added. ${URL_TEXT_NOTE}`
    );
  }
  const escaped = escapeRegex(value);
  if (isAddress) {
    const anchored = isUrlColumn ? `${URL_HOST_START}${escaped}${URL_HOST_END}` : `^${escaped}$`;
    const exact = ADDRESS_COLUMN.test(left) ? `${left} == ${JSON.stringify(value)}, or ` : '';
    return `Compare the address exactly: ${exact}${left} matches regex ${verbatim(anchored)}.`;
  }
  const matched = isUrlColumn ? 'URLs on the host' : 'the host';
  return (
    `Anchor the host at label boundaries: ${left} matches regex ` +
    `${verbatim(hostPattern(left, escaped))}, which matches ${matched} and its subdomains.`
  );
}

/**
 * Returns the fix for a pattern on the chain column `left`: the pattern of a URL column, run on
 * each URL of the chain. A pattern inside `not(...)` gets a fix that keeps an event only when
 * no URL of its chain matches.
 */
function chainRegexFix(left: string, value: string, isAddress: boolean, negated: boolean): string {
  const url = splitUrl(value);
  let pattern: string;
  let matched: string;
  if (url) {
    pattern = url.scheme ? `^${escapeRegex(value)}$` : `^${SCHEME}${escapeRegex(url.rest)}$`;
    matched = `that exact URL only, not the same URL with a query string added. ${URL_TEXT_NOTE}`;
  } else if (isAddress) {
    pattern = `${URL_HOST_START}${escapeRegex(value)}${URL_HOST_END}`;
    matched = 'URLs on that address.';
  } else {
    pattern = hostPattern(CHAIN_URL, escapeRegex(value));
    matched = 'URLs on the host and its subdomains.';
  }
  const condition = `${CHAIN_URL} matches regex ${verbatim(url ? `(?i)${pattern}` : pattern)}`;
  const keeps = negated ? ' It keeps an event only when none of the URLs in its chain match.' : '';
  return (
    `${chainIntro(left)} replace the where with ${chainFix(left, condition, { negated })}, ` +
    `which matches ${matched}${keeps}`
  );
}

/**
 * Returns a pattern that matches `names`, one escaped host name or a group of them, and their
 * subdomains at label boundaries. On a URL column the pattern also skips the scheme and user
 * info, allows a root dot, and ends the host at a port, path, query or fragment.
 */
export function hostPattern(left: string, names: string): string {
  if (URL_COLUMN.test(left)) {
    return `(?i)${URL_HOST_START}([^@/:?#]*\\.)?${names}\\.?${URL_HOST_END}`;
  }
  return `(?i)(^|\\.)${names}$`;
}

/** Returns `value` with every regex metacharacter escaped by a backslash. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Returns `value` as a KQL verbatim string, in which a backslash is an ordinary character. */
export function verbatim(value: string): string {
  return `@"${value.replaceAll('"', '""')}"`;
}
