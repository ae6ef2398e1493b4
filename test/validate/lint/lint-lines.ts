/**
 * Runs `huntpack lint` on reports written into temporary folders, for the tests of the checks
 * inside queries and on the indicators a report lists.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { HuntpackIssue } from '../../../src/errors.js';
import type { LintResult } from '../../../src/validate/lint/lint-report.js';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/** Codes of the checks on query text and listed indicators. */
export const QUERY_AND_LIST_CODES = [
  'LOOSE_MATCH',
  'WHERE_ALWAYS_TRUE',
  'WHERE_NEVER_TRUE',
  'LIVE_INDICATOR',
  'NOT_HUNTED',
];

/**
 * Writes a report into a temporary folder, runs `huntpack lint --json` on it (without the Kusto
 * check unless `kusto` is set) and returns its issues and exit code.
 */
export async function lintLines(
  t: TestContext,
  lines: string[],
  options: { kusto?: boolean } = {},
): Promise<{ issues: HuntpackIssue[]; code: number }> {
  const folder = makeTempDir('lint-checks', t);
  const file = join(folder, 'report.md');
  await writeFile(file, lines.join('\n'));
  const args = ['lint', file, '--json', ...(options.kusto ? [] : ['--no-kusto'])];
  const result = await runCli(args);
  const [report] = JSON.parse(result.stdout) as LintResult[];
  assert.ok(report, result.stderr);
  return { issues: report.issues, code: result.code };
}

/** Returns [code, line] of each issue with one of the given codes, in line order. */
export function found(
  issues: HuntpackIssue[],
  codes: string[] = QUERY_AND_LIST_CODES,
): Array<[string, number?]> {
  return issues
    .filter((issue) => codes.includes(issue.code))
    .map((issue) => [issue.code, issue.source?.line]);
}

/** Returns the message of the issue with `code` on `line`, failing when there is none. */
export function messageOf(issues: HuntpackIssue[], code: string, line: number): string {
  const issue = issues.find((item) => item.code === code && item.source?.line === line);
  assert.ok(issue, `no ${code} on line ${line}`);
  return issue.message;
}

/** Returns a fenced Defender query with a time filter, followed by the given operator lines. */
export function query(...operators: string[]): string[] {
  return ['```kql', 'DeviceNetworkEvents', '| where Timestamp > ago(7d)', ...operators, '```'];
}
