/**
 * Report text for the lint tests, and a run of `lintReport` on it without the Kusto check, so a
 * test states only its indicators, queries and the issue codes it reads.
 */
import type { HuntpackIssue } from '../../src/errors.js';
import { lintReport } from '../../src/validate/lint/lint-report.js';

/** Lints `lines` as the file `file` without the Kusto check and returns every issue. */
export function lintIssues(lines: readonly string[], file = 'r.md'): HuntpackIssue[] {
  return lintReport(lines.join('\n'), file, { checkKql: false }).issues;
}

/** Lints `lines` as the file `file` and returns the issues whose code is `code`. */
export function issuesWithCode(
  code: string,
  lines: readonly string[],
  file = 'r.md',
): HuntpackIssue[] {
  return lintIssues(lines, file).filter((issue) => issue.code === code);
}

/** Returns the Markdown table of a report's indicators, followed by a blank line. */
export function indicatorTable(rows: ReadonlyArray<[type: string, value: string]>): string[] {
  return [
    '| Type | Value |',
    '|---|---|',
    ...rows.map(([type, value]) => `| ${type} | ${value} |`),
    '',
  ];
}
