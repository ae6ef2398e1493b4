import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  buildIssueLines,
  INPUT_ISSUES_PER_CODE,
  ROW_ISSUES_PER_CODE,
} from '../../src/cli/build-issue-lines.js';
import type { HuntpackIssue, IssueSeverity } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const ISSUES_FILE = '/out/build-issues.txt';

function rowIssue(code: string, severity: IssueSeverity, line: number): HuntpackIssue {
  return { code, severity, message: `row ${line}`, source: { file: 'feed.csv', line } };
}

function inputIssue(code: string, severity: IssueSeverity, file: string): HuntpackIssue {
  return { code, severity, message: `input ${file}`, source: { file } };
}

/** Returns the code of each line, or the summary line itself. */
function codesOf(lines: string[]): string[] {
  return lines.map(
    (line) => /^(?:\S+: )?(?:error|warning|info) ([A-Z_]+):/.exec(line)?.[1] ?? line,
  );
}

test('input issues print before row issues', () => {
  const issues = [
    rowIssue('LAST_SEEN_BEFORE_FIRST_SEEN', 'warning', 1),
    rowIssue('INVALID_CSV_ROW', 'error', 2),
    inputIssue('MISSING_TRAILER', 'warning', 'feed.csv'),
    inputIssue('UNKNOWN_FORMAT', 'error', 'broken.json'),
    inputIssue('EMPTY_EXPORT', 'error', 'other.json'),
  ];
  const lines = buildIssueLines(issues, new Set(['broken.json']), ISSUES_FILE);
  assert.deepEqual(codesOf(lines), [
    'UNKNOWN_FORMAT',
    'EMPTY_EXPORT',
    'MISSING_TRAILER',
    'INVALID_CSV_ROW',
    'LAST_SEEN_BEFORE_FIRST_SEEN',
  ]);
});

test('row issues of one code are counted', () => {
  const issues: HuntpackIssue[] = [];
  for (let line = 1; line <= 30; line++) issues.push(rowIssue('REPEATED', 'warning', line));
  issues.push(rowIssue('RARE', 'warning', 31));
  for (let line = 32; line <= 35; line++) issues.push(rowIssue('NOTE', 'info', line));
  const lines = buildIssueLines(issues, new Set(), ISSUES_FILE);

  const repeated = lines.filter((line) => line.includes(' REPEATED: '));
  assert.equal(repeated.length, ROW_ISSUES_PER_CODE);
  assert.match(repeated[0]!, /^feed\.csv:1: warning REPEATED: row 1$/);
  const moreRepeated = `... and ${30 - ROW_ISSUES_PER_CODE} more REPEATED warnings in ${ISSUES_FILE}`;
  assert.ok(lines.includes(moreRepeated), lines.join('\n'));
  assert.ok(lines.includes('feed.csv:31: warning RARE: row 31'), 'a rare code is printed');
  assert.ok(lines.includes(`... and 1 more NOTE info issue in ${ISSUES_FILE}`), lines.join('\n'));
  assert.equal(lines.length, ROW_ISSUES_PER_CODE + 1 + 1 + ROW_ISSUES_PER_CODE + 1);
});

test('without an issues file the count says where to look', () => {
  const issues = [1, 2, 3, 4, 5].map((line) => rowIssue('REPEATED', 'warning', line));
  const lines = buildIssueLines(issues, new Set());
  assert.equal(
    lines.at(-1),
    `... and ${5 - ROW_ISSUES_PER_CODE} more REPEATED warnings (huntpack build lists them in build-issues.txt)`,
  );
});

test('input issues are counted past their limit', () => {
  const issues: HuntpackIssue[] = [];
  const inputs = INPUT_ISSUES_PER_CODE + 2;
  for (let index = 0; index < inputs; index++) {
    issues.push(inputIssue('MISSING_TRAILER', 'warning', `part-${index}.csv`));
  }
  const lines = buildIssueLines(issues, new Set(), ISSUES_FILE);
  assert.equal(lines.length, INPUT_ISSUES_PER_CODE + 1);
  assert.equal(lines.at(-1), `... and 2 more MISSING_TRAILER warnings in ${ISSUES_FILE}`);
});

test('codes split by severity', () => {
  const issues = [
    rowIssue('INVALID_PORT', 'warning', 1),
    rowIssue('INVALID_PORT', 'error', 2),
    rowIssue('INVALID_PORT', 'warning', 3),
  ];
  const lines = buildIssueLines(issues, new Set(), ISSUES_FILE);
  assert.deepEqual(lines, [
    'feed.csv:2: error INVALID_PORT: row 2',
    'feed.csv:1: warning INVALID_PORT: row 1',
    'feed.csv:3: warning INVALID_PORT: row 3',
  ]);
});

test('cut CSV prints its trailer warning', async (t) => {
  const folder = makeTempDir('cut', t);
  const whole = await readFile(repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv'));
  const cut = join(folder, 'cut.csv');
  await writeFile(cut, whole.subarray(0, 90_000));
  const out = join(folder, 'packs');
  const result = await runCli(['build', cut, '--out', out]);
  assert.equal(result.code, 0, result.stderr);

  const stderr = result.stderr.split('\n');
  assert.match(stderr[0]!, /cut\.csv: warning MISSING_TRAILER: /);
  const listed = (await readFile(join(out, 'build-issues.txt'), 'utf8')).trimEnd().split('\n');
  const listedCodes = new Set(
    listed.map((line) => /(?:error|warning|info) ([A-Z_]+):/.exec(line)?.[1]),
  );
  assert.ok(listedCodes.has('LAST_SEEN_BEFORE_FIRST_SEEN'), 'the cut feed has repeated warnings');
  for (const code of listedCodes) {
    assert.ok(result.stderr.includes(` ${code}: `), `stderr lacks ${String(code)}`);
  }

  const repeated = listed.filter((line) => line.includes(' LAST_SEEN_BEFORE_FIRST_SEEN: '));
  const more = repeated.length - ROW_ISSUES_PER_CODE;
  assert.ok(more > 0, `${repeated.length} LAST_SEEN_BEFORE_FIRST_SEEN issues`);
  assert.ok(
    stderr.includes(
      `... and ${more} more LAST_SEEN_BEFORE_FIRST_SEEN warnings in ${join(out, 'build-issues.txt')}`,
    ),
    result.stderr,
  );
  assert.match(result.stdout, new RegExp(`^${listed.length} issues \\(1 error\\) listed in `, 'm'));
});
