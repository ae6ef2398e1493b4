/**
 * `huntpack lint FILE`: checks a hunt report. It finds the KQL queries (for the Kusto check)
 * and every exclusion, written as a "Filter/Exclusion:" line or as the fenced `| where not(...)`
 * line of a scenario in a pack's report, and checks each against the tables the report's
 * queries read. Inside the queries it flags loose host matches and `where`
 * clauses that are always or never true. In the text around them it flags indicators written
 * live and indicators that no query hunts for.
 */
import type { HuntpackIssue } from '../../errors.js';
import { getTableSchema } from '../../pipeline/schemas.js';
import type { Platform, TableSchema } from '../../pipeline/schemas.js';
import { checkKql } from '../kusto.js';
import type { KqlDiagnostic } from '../kusto.js';
import { readPlatformHeader, unknownPlatformMessage } from '../platform-header.js';
import { reviewUnknownNames } from '../unknown-names.js';
import { findFencedLines, findKqlBlocks, makeBlock } from './kql-blocks.js';
import { isBlankQuery, NO_HUNTS_SECTION } from '../check-files.js';
import { lintHuntHygiene, listedIpPorts } from './hunt-hygiene.js';
import type { KqlBlock } from './kql-blocks.js';
import { scanKql } from './kql-scan.js';
import { lintExclusion } from './lint-exclusion.js';
import type { ExclusionLint } from './lint-exclusion.js';
import { excludedIndicatorFinding } from './excluded-indicators.js';
import { findListedIndicators, lintListedIndicators } from './listed-indicators.js';
import { lintChainComparisons } from './chain-comparison.js';
import { lintLooseMatches, type LooseMatchFinding } from './loose-match.js';
import { lintLooseRegexes } from './loose-regex.js';
import { lintLooseTermLists } from './loose-term-list.js';
import { lintWhereLogic } from './where-logic.js';
import {
  computedColumnsFor,
  findExclusionLines,
  readComputedColumns,
} from './scenario-exclusions.js';

/** Checks the text of one KQL query, with lines counted from the query's first line. */
export type KqlCheckHook = (text: string, options: { platform: Platform }) => KqlDiagnostic[];

export interface LintOptions {
  /**
   * Platform whose table schemas every query and exclusion is checked against. Default: the
   * platform named in each query's `// Platform:` header comment, or `sentinel` without one.
   */
  platform?: Platform;
  /**
   * Kusto check for each query; default `checkKql` from `validate/kusto.ts`, which loads the
   * Kusto parser (a few seconds on first use). `false` finds the queries without compiling them.
   */
  checkKql?: KqlCheckHook | false;
}

export interface LintResult {
  file: string;
  blocks: KqlBlock[];
  /** Platform whose schemas each query was checked against, in block order. */
  platforms: Platform[];
  exclusions: ExclusionLint[];
  /** Every finding of the report, in line order, each with file and line. */
  issues: HuntpackIssue[];
  /** False when `checkKql: false` was given, so the queries were not compiled. */
  kqlChecked: boolean;
}

/** Lines at most this far above an exclusion belong to its false-positive scenario. */
const MAX_SCENARIO_DISTANCE = 6;

/**
 * Appends `more` to `issues` one by one, because `issues.push(...more)` overflows the call stack
 * at roughly 100,000 elements, which a large report can reach.
 */
function append(issues: HuntpackIssue[], more: readonly HuntpackIssue[]): void {
  for (const issue of more) issues.push(issue);
}

/** Lints a report; `file` is only used in the findings' locations. */
export function lintReport(text: string, file: string, options: LintOptions = {}): LintResult {
  const issues: HuntpackIssue[] = [];
  // A blank block is a query the writer left out, not one to check or count.
  const blocks = findQueries(text, file).filter((block) => {
    if (!isBlankQuery(block.text)) return true;
    // The body of an empty fenced block ends on the line of its opening fence.
    const line = Math.min(block.startLine, block.endLine);
    issues.push({
      code: 'EMPTY_QUERY',
      severity: 'warning',
      message: `The KQL block at line ${line} contains no query, only white space and comments.`,
      source: { file, line },
    });
    return false;
  });
  if (blocks.length === 0 && issues.length === 0) issues.push(noQueryIssue(text, file));
  const platforms = blocks.map((block) => choosePlatform(block, file, options.platform, issues));
  const scanned = blocks.map((block) => scanKql(block.text));
  const looseMatches = blocks.map((block, index) => {
    const query = scanned[index] ?? scanKql(block.text);
    const findings = [
      ...lintLooseMatches(block, query, file),
      ...lintLooseRegexes(block, query, file),
      ...lintLooseTermLists(block, query, file),
    ];
    return [...findings, ...lintChainComparisons(block, query, file, findings)];
  });
  const kqlCheck = options.checkKql === undefined ? checkKql : options.checkKql;
  if (kqlCheck) {
    blocks.forEach((block, index) => {
      const platform = platforms[index] ?? 'sentinel';
      const spans = looseMatches[index] ?? [];
      append(issues, checkBlock(block, file, platform, kqlCheck, spans));
    });
  }

  const exclusionLines = findExclusionLines(text);
  const hidden = findFencedLines(text);
  for (const block of blocks) {
    for (let line = block.startLine; line <= block.endLine; line++) hidden.add(line - 1);
  }
  // An exclusion and the Scenario and Description lines just above it describe benign events,
  // as a Markdown "False positives" section does, so their values are not indicators.
  for (const entry of exclusionLines) {
    hidden.add(entry.line - 1);
    for (const line of entry.scenarioLines) {
      if (entry.line - line <= MAX_SCENARIO_DISTANCE) hidden.add(line - 1);
    }
  }
  const listed = findListedIndicators(text, hidden);

  append(issues, lintHuntHygiene(listed, blocks, file));
  const { schemas, problems } = loadSchemas(blocks, platforms, file);
  append(issues, problems);
  blocks.forEach((block, index) => {
    const query = scanned[index] ?? scanKql(block.text);
    const schema = schemas.find((candidate) => block.tables.includes(candidate.name));
    append(
      issues,
      (looseMatches[index] ?? []).map((finding) => finding.issue),
    );
    append(issues, lintWhereLogic(block, query, file, schema));
  });

  const startLines = blocks.map((block) => block.startLine);
  append(issues, lintListedIndicators(listed, scanned, file, startLines));

  const computed = exclusionLines.length > 0 ? readComputedColumns(scanned) : [];
  const exclusions = exclusionLines.map((entry) =>
    lintExclusion(entry.text, {
      file,
      line: entry.line,
      column: entry.column,
      label: entry.label,
      scenario: entry.scenario,
      schemas: entry.tables
        ? schemas.filter((schema) => entry.tables?.includes(schema.name))
        : schemas,
      extraColumns: computedColumnsFor(blocks, computed, entry.tables),
    }),
  );
  const ipPorts = listedIpPorts(listed);
  exclusions.forEach((exclusion, index) => {
    const entry = exclusionLines[index]!;
    // A line that removes every event already has that verdict.
    const verdict = exclusion.findings.some((item) => item.code === 'EXCLUSION_REMOVES_EVERYTHING');
    const removes = !verdict && exclusion.expr && excludedIndicatorFinding(exclusion.expr, ipPorts);
    if (removes) {
      exclusion.findings.push({
        ...removes,
        source: { file, line: entry.line, column: entry.column },
      });
    }
  });
  for (const exclusion of exclusions) append(issues, exclusion.findings);
  issues.sort((a, b) => (a.source?.line ?? 0) - (b.source?.line ?? 0));
  return { file, blocks, platforms, exclusions, issues, kqlChecked: kqlCheck !== false };
}

/** File extensions of files that contain one KQL query, as `huntpack check` reads them. */
const QUERY_FILE = /\.(?:kql|csl|kusto)$/i;

/**
 * Returns the queries of a report. A .kql, .csl or .kusto file is one query, as `huntpack check`
 * reads it, and an empty file has none.
 */
function findQueries(text: string, file: string): KqlBlock[] {
  if (text.trim() === '') return [];
  if (QUERY_FILE.test(file)) return [makeBlock(text.replace(/\r?\n$/, '').split(/\r?\n/), 1)];
  return findKqlBlocks(text);
}

/**
 * Builds the finding for a report without a query block: a warning, or an info line when its
 * Hunts section declares "0 queries", as a huntpack report whose indicators were all set aside.
 */
function noQueryIssue(text: string, file: string): HuntpackIssue {
  if (text.trim() === '') {
    return {
      code: 'NO_QUERY',
      severity: 'warning',
      message: `${file} is empty, so it contains no query to check.`,
      source: { file },
    };
  }
  if (NO_HUNTS_SECTION.test(text)) {
    return {
      code: 'NO_HUNTS',
      severity: 'info',
      message: 'The report declares no hunts ("0 queries" in its Hunts section).',
      source: { file },
    };
  }
  return {
    code: 'NO_QUERY',
    severity: 'warning',
    message: `${file} contains no KQL query: no fenced kql block, and no run of lines that starts at a table name, a let statement or a // comment and continues with | operator lines.`,
    source: { file },
  };
}

/**
 * Returns the platform to check a query against: the one requested, else the one its
 * `// Platform:` header names, else Sentinel. An unknown name in the header adds a warning.
 */
function choosePlatform(
  block: KqlBlock,
  file: string,
  requested: Platform | undefined,
  issues: HuntpackIssue[],
): Platform {
  if (requested) return requested;
  const header = readPlatformHeader(block.text);
  if (!header) return 'sentinel';
  if (header.platform) return header.platform;

  const before = block.text.slice(0, header.offset).split(/\r\n|\n|\r/);
  issues.push({
    code: 'UNKNOWN_PLATFORM',
    severity: 'warning',
    message: unknownPlatformMessage(header.value),
    source: {
      file,
      line: block.startLine + before.length - 1,
      column: (before.at(-1)?.length ?? 0) + 1,
    },
  });
  return 'sentinel';
}

/**
 * Runs the Kusto check on one query. An info diagnostic inside a comparison that LOOSE_MATCH
 * flags is left out, because its advice contradicts the finding's fix: for `contains`, Kusto's
 * KS500 advises `has`, and its KS514 advises `has_ipv4`, which match other hosts too.
 */
function checkBlock(
  block: KqlBlock,
  file: string,
  platform: Platform,
  check: KqlCheckHook,
  looseMatches: readonly LooseMatchFinding[],
): HuntpackIssue[] {
  const diagnostics = reviewUnknownNames(
    block.text,
    check(block.text, { platform }),
    platform,
  ).filter(
    (diagnostic) =>
      diagnostic.severity !== 'info' ||
      !looseMatches.some(
        (finding) => finding.start <= diagnostic.start && diagnostic.start < finding.end,
      ),
  );
  return diagnostics.map((diagnostic) => ({
    code: `KQL_${diagnostic.code}`,
    severity: diagnostic.severity,
    message: `Query at lines ${block.startLine}-${block.endLine}: ${diagnostic.message}`,
    source: { file, line: block.startLine + diagnostic.line - 1, column: diagnostic.column },
  }));
}

/**
 * Loads the schema of each table the queries read, once, in first-seen order, for the platform
 * of the first query that reads it.
 */
function loadSchemas(
  blocks: KqlBlock[],
  platforms: Platform[],
  file: string,
): { schemas: TableSchema[]; problems: HuntpackIssue[] } {
  // NOTE: a table that queries of both platforms read is checked against the first one only.
  const tables = new Map<string, Platform>();
  blocks.forEach((block, index) => {
    for (const table of block.tables) {
      if (!tables.has(table)) tables.set(table, platforms[index] ?? 'sentinel');
    }
  });
  const schemas: TableSchema[] = [];
  const problems: HuntpackIssue[] = [];
  for (const [table, platform] of tables) {
    try {
      schemas.push(getTableSchema(table, platform));
    } catch (error) {
      problems.push({
        code: 'UNKNOWN_TABLE',
        severity: 'warning',
        message: `Exclusions are not checked against ${table}: ${(error as Error).message}`,
        source: { file },
      });
    }
  }
  if (tables.size === 0 && blocks.length > 0) {
    problems.push({
      code: 'NO_KNOWN_TABLE',
      severity: 'info',
      message: 'No query reads a table with a known schema, so exclusion fields are not checked.',
      source: { file },
    });
  }
  return { schemas, problems };
}
