/**
 * Finds the indicators a hand-written report lists outside its code, and checks them.
 * LIVE_INDICATOR flags one written fanged, which is a live link or address in the report.
 * NOT_HUNTED flags one that no query of the report names.
 *
 * The free-text reader finds the indicators. It reads every line except code blocks, KQL
 * queries, "Filter/Exclusion:" lines and two kinds of sections. The first kind has a heading
 * that names references, sources or links. The second lists values that are no threat (set
 * aside, allowlisted, excluded, benign, false positives), and names allowlist entries such as
 * amazon.com fanged. Private and reserved addresses are left out too.
 *
 * Prose names products and sites fanged (ASP.NET, learn.microsoft.com), so a fanged domain
 * counts only on a list line, or where the report lists the same domain elsewhere. A list line
 * is a Markdown table row, or a line that contains only the indicator after an optional list
 * marker or label. A fanged URL follows the same rule when the report defangs anything, because
 * the writer then marked the indicators.
 */
import ipaddr from 'ipaddr.js';
import type { HuntpackIssue } from '../../errors.js';
import { refangLine } from '../../feeds/text-refang.js';
import { readText } from '../../feeds/text.js';
import { defang } from '../../indicators/defang.js';
import type { Indicator } from '../../indicators/model.js';
import { indicatorKey } from '../../indicators/model.js';
import { normalizeIndicator, urlKey } from '../../indicators/normalize.js';
import { CharKind, stringValue, type ScannedKql } from './kql-scan.js';

export interface ListedIndicator {
  indicator: Indicator;
  /** The value as the report writes it, after refanging. */
  written: string;
  /** 1-based line in the report. */
  line: number;
  /** True when the report writes the value fanged outside inline code. */
  live: boolean;
}

const HEADING = /^\s{0,3}(#{1,6})\s+(.*)$/;
/**
 * Headings of sections that list no indicators to hunt: references and benign values. A
 * huntpack report's "Hunted on the exact value only" repeats indicators of its main list beside
 * the allowlist entries, such as a popular site's name, that narrowed their hunts.
 */
const SKIPPED_HEADING = new RegExp(
  String.raw`\b(?:references?|sources?|links?|further reading|see also|citations?|` +
    String.raw`set aside|not hunted|allowlist(?:s|ed)?|excluded|exclusions?|benign|false[- ]positives?|` +
    String.raw`exact value only)\b`,
  'i',
);
/** Query parts that hunt for values kept outside the query text. */
const INDIRECT_LIST =
  /\b(?:_GetWatchlist|externaldata|ThreatIntelligenceIndicator|ThreatIntelIndicators)\b/;

const KIND_NAMES: Readonly<Record<Indicator['kind'], string>> = {
  ip: 'address',
  'ip-port': 'ip:port',
  domain: 'domain',
  url: 'URL',
  md5: 'MD5 hash',
  sha1: 'SHA-1 hash',
  sha256: 'SHA-256 hash',
};

/**
 * Finds the indicators the report lists. `hiddenLines` are the 0-based indexes of lines that
 * are not prose: code blocks, queries and exclusion lines.
 */
export function findListedIndicators(
  report: string,
  hiddenLines: ReadonlySet<number>,
): ListedIndicator[] {
  const lines = report.split(/\r?\n/);
  const skipped = sectionLines(lines, hiddenLines, SKIPPED_HEADING);
  const prose = lines.map((line, index) =>
    hiddenLines.has(index) || skipped.has(index) ? '' : line,
  );
  const defangsAnything = prose.some((line) => refangLine(line).defanged.includes(true));
  const output = readText(prose.join('\n'), 'report', {
    keepFangedLinks: true,
    keepBareAddresses: true,
  });

  const listed: ListedIndicator[] = [];
  // Fanged domains and URLs in prose, kept only when the report lists the same indicator too.
  const inProse: ListedIndicator[] = [];
  for (const record of output.records) {
    const normalized = normalizeIndicator(record);
    if (!('indicator' in normalized)) continue;
    const indicator = normalized.indicator;
    if (isPrivateAddress(indicator)) continue;

    const line = record.source.line ?? 1;
    const text = lines[line - 1] ?? '';
    const hash =
      indicator.kind === 'md5' || indicator.kind === 'sha1' || indicator.kind === 'sha256';
    const live = !hash && isWrittenFanged(text, record.value);
    const proseOnly = indicator.kind === 'domain' || (indicator.kind === 'url' && defangsAnything);
    const item = { indicator, written: record.value, line, live };
    if (live && proseOnly && !isListLine(text, record.value)) inProse.push(item);
    else listed.push(item);
  }
  const listedKeys = new Set(listed.map((item) => indicatorKey(item.indicator)));
  for (const item of inProse) {
    if (listedKeys.has(indicatorKey(item.indicator))) listed.push(item);
  }
  listed.sort((a, b) => a.line - b.line);
  return listed;
}

/** Returns the 0-based indexes of the lines of each Markdown section whose heading matches. */
function sectionLines(
  lines: string[],
  hiddenLines: ReadonlySet<number>,
  headingPattern: RegExp,
): Set<number> {
  const found = new Set<number>();
  let sectionLevel = 0;
  lines.forEach((line, index) => {
    const heading = hiddenLines.has(index) ? null : HEADING.exec(line);
    if (heading) {
      const level = heading[1]?.length ?? 1;
      if (sectionLevel > 0 && level <= sectionLevel) sectionLevel = 0;
      if (sectionLevel === 0 && headingPattern.test(heading[2] ?? '')) sectionLevel = level;
    }
    if (sectionLevel > 0) found.add(index);
  });
  return found;
}

function isPrivateAddress(indicator: Indicator): boolean {
  let address: string | undefined;
  if (indicator.kind === 'ip' || indicator.kind === 'ip-port') address = indicator.address;
  if (indicator.kind === 'url' && indicator.hostKind !== 'domain') address = indicator.host;
  return address !== undefined && ipaddr.parse(address).range() !== 'unicast';
}

/** True when the line writes the value as it is, outside inline code spans. */
function isWrittenFanged(line: string, value: string): boolean {
  const outsideCode = line.replace(/`[^`]+`/g, (span) => ' '.repeat(span.length));
  return outsideCode.toLowerCase().includes(value.toLowerCase());
}

/**
 * True for a Markdown table row, or a line with only the value, or values separated by commas,
 * after a list marker or label.
 */
function isListLine(line: string, value: string): boolean {
  if (/^\s*\|/.test(line)) return true;
  const content = line
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')
    .replace(/^[\w /-]{1,40}:\s+/, '')
    .replaceAll('`', '')
    .trim()
    .replace(/[.,;]$/, '');
  // A list may also be one line of values separated by commas: "C2 domains: a.com, b.net".
  const target = value.toLowerCase();
  return content.split(/\s*[,;]\s*/).some((item) => item.trim().toLowerCase() === target);
}

/**
 * Returns LIVE_INDICATOR and NOT_HUNTED findings for the listed indicators. `startLines` are the
 * report lines where the queries start, used to place the literals that findings name.
 */
export function lintListedIndicators(
  listed: ListedIndicator[],
  queries: ScannedKql[],
  file: string,
  startLines: readonly number[] = [],
): HuntpackIssue[] {
  return [
    ...liveIndicatorIssues(listed, file),
    ...notHuntedIssues(listed, queries, file, startLines),
  ];
}

function liveIndicatorIssues(listed: ListedIndicator[], file: string): HuntpackIssue[] {
  const byLine = new Map<number, ListedIndicator[]>();
  for (const item of listed) {
    if (!item.live) continue;
    const items = byLine.get(item.line) ?? [];
    items.push(item);
    byLine.set(item.line, items);
  }
  return [...byLine].map(([line, items]) => {
    const examples = items.slice(0, 3);
    const more =
      items.length > examples.length ? `, and ${items.length - examples.length} more` : '';
    const values = examples.map((item) => JSON.stringify(item.written)).join(', ') + more;
    const defanged = examples.map((item) => defang(item.indicator)).join(', ');
    const single = items.length === 1;
    const pronoun = single ? 'it' : 'them';
    return {
      code: 'LIVE_INDICATOR',
      severity: 'warning',
      message:
        `The report writes ${single ? 'an indicator' : `${items.length} indicators`} live, ` +
        `outside code (${values}), so a reader can open or resolve ${pronoun} by mistake and ` +
        `mail or chat filters may block the report. Defang ${pronoun}: ${defanged}.`,
      source: { file, line },
    } satisfies HuntpackIssue;
  });
}

/**
 * Flags listed indicators that no query names in a string literal. A URL also counts as named
 * when a query names its host, which a hunt on the host covers. A literal that a negated
 * operator (`!=`, `!~`, `!in`, `!has` ...) compares names nothing, because it excludes the value.
 * When only a defanged literal such as "45[.]92[.]1[.]175" names the indicator, the finding states
 * that this literal can never match. Nothing is flagged when the report has no query, or when a
 * query reads a watchlist or external data, whose values lint cannot see.
 */
function notHuntedIssues(
  listed: ListedIndicator[],
  queries: ScannedKql[],
  file: string,
  startLines: readonly number[],
): HuntpackIssue[] {
  if (queries.length === 0 || queries.some((query) => INDIRECT_LIST.test(query.text))) return [];
  const literals = queries.flatMap((query, index) =>
    findLiterals(query).map((literal) => ({
      ...literal,
      line: (startLines[index] ?? 1) + lineOffset(query.text, literal.start),
    })),
  );
  const names = namesInLiterals(literals.filter((literal) => !literal.negated));
  const issues: HuntpackIssue[] = [];
  const seen = new Set<string>();
  for (const item of listed) {
    const key = indicatorKey(item.indicator);
    if (seen.has(key)) continue;
    seen.add(key);
    if (isNamed(item.indicator, names)) continue;
    const kind = KIND_NAMES[item.indicator.kind];
    const listedAs = `The report lists the ${kind} ${JSON.stringify(item.written)}`;
    const defanged = literals.find(
      (literal) =>
        !literal.negated &&
        refangLine(literal.value).defanged.includes(true) &&
        isNamed(item.indicator, namesInLiterals([literal], true)),
    );
    const excluded = literals.find(
      (literal) => literal.negated && isNamed(item.indicator, namesInLiterals([literal])),
    );
    let message: string;
    if (defanged) {
      message =
        `${listedAs}, but the query at line ${defanged.line} compares it in defanged form ` +
        `(${defanged.text}), which no log value contains, so that comparison never matches. ` +
        'Write the value refanged in the query.';
    } else if (excluded) {
      message =
        `${listedAs}, but the only query that names it excludes it (${excluded.text} at line ` +
        `${excluded.line}, after a negated operator), so nothing hunts for it. Hunt for it with ` +
        'a positive comparison, or remove it from the list.';
    } else {
      message =
        `${listedAs}, but no query in the report names it, so nothing hunts for it. Add it to ` +
        'a query, or remove it from the list.';
    }
    issues.push({
      code: 'NOT_HUNTED',
      severity: 'warning',
      message,
      source: { file, line: item.line },
    });
  }
  return issues;
}

/** A string literal of a query. */
interface QueryLiteral {
  /** The literal as written, with its quotes. */
  text: string;
  /** The literal's value, lower-cased. */
  value: string;
  /** Offset in the query text. */
  start: number;
  /** True when a negated operator compares it, so the query excludes the value. */
  negated: boolean;
}

/** A negated KQL string operator at the end of the text before a literal. */
const NEGATED_OPERATOR =
  /(?:!\s*[=~]|!(?:in~?|has(?:_cs|_any|_all|prefix(?:_cs)?|suffix(?:_cs)?)?|contains(?:_cs)?|startswith(?:_cs)?|endswith(?:_cs)?))\s*$/i;

function findLiterals(query: ScannedKql): QueryLiteral[] {
  const { text, kinds } = query;
  const literals: QueryLiteral[] = [];
  let start = -1;
  for (let index = 0; index <= text.length; index++) {
    const inString = index < text.length && kinds[index] === CharKind.String;
    if (inString && start < 0) start = index;
    if (!inString && start >= 0) {
      const literal = text.slice(start, index);
      literals.push({
        text: literal,
        value: stringValue(literal).toLowerCase(),
        start,
        negated: isNegated(query, start),
      });
      start = -1;
    }
  }
  return literals;
}

/**
 * Tells whether a negated operator compares the literal at `start`, directly (`Name !~ "x"`) or
 * as an item of its list (`Name !in ("a", "x")`).
 */
function isNegated({ text, kinds }: ScannedKql, start: number): boolean {
  const before = text.slice(0, start);
  if (NEGATED_OPERATOR.test(before)) return true;
  if (!/[(,]\s*$/.test(before)) return false;
  // Walk back to the bracket that opens the list, skipping strings and comments.
  let depth = 0;
  for (let index = start - 1; index >= 0; index--) {
    if (kinds[index] !== CharKind.Code) continue;
    const char = text[index];
    if (char === ')') depth++;
    else if (char === '(') {
      if (depth === 0) return NEGATED_OPERATOR.test(text.slice(0, index));
      depth--;
    }
  }
  return false;
}

/** Returns the 0-based line of `offset` in `text`. */
function lineOffset(text: string, offset: number): number {
  return (text.slice(0, offset).match(/\n/g) ?? []).length;
}

/**
 * Returns the values of the literals, each whole, as a URL key (`urlKey`), and split into the
 * host names, addresses and hashes they contain. With `refang`, defanged values are refanged first.
 */
function namesInLiterals(literals: readonly QueryLiteral[], refang = false): Set<string> {
  const names = new Set<string>();
  const add = (name: string) => {
    const trimmed = name.replace(/^\.+|\.+$/g, '');
    if (trimmed !== '') names.add(trimmed);
  };
  for (const literal of literals) {
    const value = refang ? refangLine(literal.value).text.toLowerCase() : literal.value;
    add(value);
    const key = urlKey(value);
    if (key !== undefined) add(key);
    for (const part of value.split(/[^a-z0-9.:_-]+/)) add(part);
    for (const part of value.split(/[^a-z0-9._-]+/)) add(part);
  }
  return names;
}

function isNamed(indicator: Indicator, names: ReadonlySet<string>): boolean {
  switch (indicator.kind) {
    case 'ip':
    case 'ip-port':
      return names.has(indicator.address);
    case 'domain':
      return names.has(indicator.domain);
    case 'url': {
      const key = urlKey(indicator.url)?.toLowerCase();
      return (
        names.has(indicator.url.toLowerCase()) ||
        (key !== undefined && names.has(key)) ||
        names.has(indicator.host)
      );
    }
    default:
      return names.has(indicator.hash);
  }
}
