/**
 * Faults of a hand-written hunt query that compile cleanly: no time filter, so the query scans
 * all retained data, and ip:port indicators matched by address alone, so every other service
 * on a shared address matches too.
 */
import type { HuntpackIssue } from '../../errors.js';
import type { KqlBlock } from './kql-blocks.js';
import { CharKind, lineAndColumn, scanKql } from './kql-scan.js';
import type { ListedIndicator } from './listed-indicators.js';
import { lintPortExclusions, type RemovedIndicator } from './port-exclusion.js';
import {
  findAnyPortAddresses,
  lintPortPairings,
  namedAddresses,
  portIgnoredIssue,
  portNotComparedIssue,
} from './port-findings.js';
import {
  findReversedTimeFilters,
  findTimeFilter,
  type OrJoinedTime,
  type UnboundedSide,
} from './time-filter.js';

/** Port columns of the network tables the reports hunt in. */
const PORT_COLUMN = /\b(?:DestinationPort|SourcePort|RemotePort|LocalPort)\b/;
/**
 * Returns the ip:port indicators a report lists, by address, with their ports. An address the
 * report also lists bare (as an ip indicator, on a line of its own) is left out, because a hunt
 * on the bare address is what that indicator calls for.
 */
export function listedIpPorts(listed: readonly ListedIndicator[]): Map<string, Set<string>> {
  const ports = new Map<string, Set<string>>();
  const portLines = new Set<string>();
  for (const { indicator, line } of listed) {
    if (indicator.kind !== 'ip-port') continue;
    let set = ports.get(indicator.address);
    if (!set) ports.set(indicator.address, (set = new Set()));
    set.add(String(indicator.port));
    portLines.add(`${line} ${indicator.address}`);
  }
  for (const { indicator, line } of listed) {
    if (indicator.kind === 'ip' && !portLines.has(`${line} ${indicator.address}`)) {
      ports.delete(indicator.address);
    }
  }
  return ports;
}

/**
 * Returns the query without the lines of the operators that show or group a port but never
 * filter on it: `project`, `summarize`, `distinct`, `order by`, `sort by` and `top`.
 */
function withoutProjections(query: string): string {
  return query
    .split(/\r?\n/)
    .filter(
      (line) => !/^\s*\|\s*(?:project(?:-\w+)?|summarize|distinct|order|sort|top)\b/.test(line),
    )
    .join('\n');
}

/** The code of a query with comments and string contents blanked, and the text of its comments. */
interface QueryParts {
  code: string;
  comments: string[];
}

/** Splits a query into its code and its comments, so that neither is read as the other. */
function splitQuery(query: string): QueryParts {
  const scanned = scanKql(query);
  let code = '';
  const comments: string[] = [];
  for (let index = 0; index < query.length; index++) {
    const kind = scanned.kinds[index];
    const char = query[index] ?? '';
    if (kind === CharKind.Comment) {
      if (scanned.kinds[index - 1] !== CharKind.Comment) comments.push('');
      comments[comments.length - 1] += char;
      code += ' ';
    } else if (kind === CharKind.String && /[^"'@`]/.test(char)) {
      code += char === '\n' ? '\n' : ' ';
    } else {
      code += char;
    }
  }
  return { code, comments };
}

/**
 * Tells whether a comment labels the query address-only, as huntpack's own queries do
 * ("// ... (address-only)"). A comment that negates the label, such as "NOT an address-only
 * hunt", is no label.
 */
function isAddressOnlyLabel(comment: string): boolean {
  const label = /address-only/i.exec(comment);
  if (!label) return false;
  return !/\b(?:not|no|never|isn't|isnt)\b/i.test(comment.slice(0, label.index));
}

/**
 * Checks each query for a time filter and, where the report lists ip:port indicators (`listedIndicators`,
 * as `findListedIndicators` finds them outside code and benign sections), for a port comparison
 * on the addresses the query names. The time filter is read from the code
 * without comments and strings, and the port comparison from the code without comments. A query
 * whose comment labels it address-only matches any port on purpose and is not flagged for it.
 */
export function lintHuntHygiene(
  listedIndicators: readonly ListedIndicator[],
  blocks: KqlBlock[],
  file: string,
): HuntpackIssue[] {
  const issues: HuntpackIssue[] = [];
  const listed = listedIpPorts(listedIndicators);
  for (const block of blocks) {
    if (block.tables.length === 0) continue;
    const where = { file, line: block.startLine };
    const parts = splitQuery(block.text);
    const time = findTimeFilter(block.text, block.tables);
    const reversedFilters = findReversedTimeFilters(block.text);
    if (time.orJoined) {
      issues.push(orJoinedTimeIssue(block, file, time.orJoined));
    } else if (time.side) {
      issues.push(unboundedSideIssue(block, file, time.side));
    } else if (!time.bounded && reversedFilters.length === 0) {
      // A reversed lookback leaves the query unbounded too, and its own finding states that.
      issues.push({
        code: 'NO_TIME_FILTER',
        severity: 'warning',
        message:
          `Query at lines ${block.startLine}-${block.endLine} has no time filter, so it scans all ` +
          'retained data and its results change with retention. Add a lookback such as ' +
          '"| where TimeGenerated > ago(30d)" (Timestamp in Defender advanced hunting).',
        source: where,
      });
    }
    for (const reversed of reversedFilters) {
      const at = lineAndColumn(block.text, reversed.start, block.startLine);
      const unbounded = time.bounded
        ? ''
        : ' With no other lower bound on the time, the query scans all retained data.';
      issues.push({
        code: 'TIME_FILTER_REVERSED',
        severity: 'warning',
        message:
          `${reversed.text} keeps only the events older than the lookback and drops the ` +
          `recent ones the hunt is for.${unbounded} ${reversed.fix}`,
        source: { file, line: at.line, column: at.column },
      });
    }
    if (parts.comments.some(isAddressOnlyLabel)) continue;
    const namedPorts = namedAddresses(block.text, listed);
    if (namedPorts.size === 0) continue;
    const named = [...namedPorts.keys()];
    const removed: RemovedIndicator[] = [];
    const anyPort = new Set(findAnyPortAddresses(block.text, namedPorts));
    for (const issue of lintPortExclusions(block, namedPorts, file, removed, anyPort)) {
      issues.push(issue);
    }
    const excluded = new Set(removed.map((indicator) => indicator.address));
    const paired = lintPortPairings(block, namedPorts, file, excluded);
    if (paired) {
      for (const issue of paired) issues.push(issue);
      continue;
    }
    // The condition is not all in the filter language, so the port columns and numbers that
    // the filtering lines name are read instead.
    // String contents are kept, because a port may be compared as text, as in "5220".
    const filtering = withoutProjections(scanKql(block.text).text);
    if (PORT_COLUMN.test(filtering)) {
      // A port is compared, but an address none of whose listed ports the query names is
      // matched on another port. (A part of a split hunt may hold only some of an address's
      // ports, so one of them is enough.)
      const numbers = new Set(filtering.match(/\b\d{1,5}\b/g) ?? []);
      const unported = named.filter((address) =>
        [...(listed.get(address) ?? [])].every((port) => !numbers.has(port)),
      );
      if (unported.length === 0) continue;
      issues.push(portNotComparedIssue(block, unported, listed, file));
      continue;
    }
    issues.push(portIgnoredIssue(block, named, listed, file));
  }
  return issues;
}

/** Builds the NO_TIME_FILTER finding for a time comparison that `or` makes ineffective. */
function orJoinedTimeIssue(block: KqlBlock, file: string, orJoined: OrJoinedTime): HuntpackIssue {
  const { line, column } = lineAndColumn(block.text, orJoined.start, block.startLine);
  const rest = orJoined.rest === '' ? '' : ` | where ${orJoined.rest}`;
  // A condition read past its operator would turn the or branches into separate wheres, which
  // keep only rows that meet all of them, so such a rewrite is never offered.
  const fix = readsPastOperator(orJoined.condition)
    ? 'Put the time filter in a where of its own.'
    : `Put the time filter in a where of its own: | where ${orJoined.comparison}${rest}.`;
  return {
    code: 'NO_TIME_FILTER',
    severity: 'warning',
    message:
      `Query at lines ${block.startLine}-${block.endLine} has no time filter: the where ` +
      `condition ${orJoined.condition} joins the time comparison with or, so rows of any time ` +
      `pass when another branch is true, and the query scans all retained data. ${fix}`,
    source: { file, line, column },
  };
}

/** Returns whether a where condition contains a `|` or `;` outside strings and brackets. */
function readsPastOperator(condition: string): boolean {
  const { text, kinds } = scanKql(condition);
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    if (kinds[index] !== CharKind.Code) continue;
    const char = text[index];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
    else if (depth === 0 && (char === '|' || char === ';')) return true;
  }
  return false;
}

/**
 * Builds the NO_TIME_FILTER finding for a join or lookup side or a union leg that scans all
 * retained data.
 */
function unboundedSideIssue(block: KqlBlock, file: string, side: UnboundedSide): HuntpackIssue {
  const { line, column } = lineAndColumn(block.text, side.start, block.startLine);
  const shown = side.text.length > 80 ? `${side.text.slice(0, 77)}...` : side.text;
  const isUnion = side.operator === 'union';
  const part = isUnion ? 'a leg of its union' : `the right side of its ${side.operator}`;
  const where = isUnion
    ? 'inside that leg, or after the union so that it covers every leg'
    : 'inside that side';
  return {
    code: 'NO_TIME_FILTER',
    severity: 'warning',
    message:
      `Query at lines ${block.startLine}-${block.endLine} has no time filter on ${part} ` +
      `(${shown}), so that part scans all retained data. Add one ${where}, such as "| where TimeGenerated > ago(30d)" ` +
      '(Timestamp in Defender advanced hunting).',
    source: { file, line, column },
  };
}
