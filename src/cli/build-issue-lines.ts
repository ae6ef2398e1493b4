/**
 * The issue lines `huntpack build` prints to stderr, while build-issues.txt lists every issue.
 * Every distinct code reaches the terminal. Issues about a whole input, such as a feed cut
 * short, come before the many issues about rows.
 */
import { formatIssue, type HuntpackIssue, type IssueSeverity } from '../errors.js';

/** Maximum row issues of one code and severity printed. One line counts the rest. */
export const ROW_ISSUES_PER_CODE = 3;

/**
 * Maximum issues about whole inputs of one code and severity printed. Each names another input,
 * so more of them are printed than of row issues.
 */
export const INPUT_ISSUES_PER_CODE = 10;

/** Returns whether `issue` is about one row or record of an input rather than the whole input. */
function isRowIssue(issue: HuntpackIssue): boolean {
  return issue.source?.line !== undefined || issue.source?.id !== undefined;
}

/** Writes `count` issues of `severity` as a plural noun: `warnings`, `errors`, `info issues`. */
function severityNoun(severity: IssueSeverity, count: number): string {
  const noun = severity === 'info' ? 'info issue' : severity;
  return count === 1 ? noun : `${noun}s`;
}

/** The issues of one code and severity, in the order found. */
interface IssueGroup {
  code: string;
  severity: IssueSeverity;
  printed: HuntpackIssue[];
  total: number;
}

/**
 * Writes the lines of one section: up to `perCode` issues of each code and severity, in the
 * order the codes were first found, each followed by a count of the issues left out.
 */
function sectionLines(
  issues: readonly HuntpackIssue[],
  perCode: number,
  issuesFile: string | undefined,
): string[] {
  const groups = new Map<string, IssueGroup>();
  for (const issue of issues) {
    const key = `${issue.severity} ${issue.code}`;
    let group = groups.get(key);
    if (!group) {
      group = { code: issue.code, severity: issue.severity, printed: [], total: 0 };
      groups.set(key, group);
    }
    group.total += 1;
    if (group.printed.length < perCode) group.printed.push(issue);
  }
  const lines: string[] = [];
  for (const group of groups.values()) {
    for (const issue of group.printed) lines.push(formatIssue(issue));
    const more = group.total - group.printed.length;
    if (more > 0) {
      lines.push(
        `... and ${more} more ${group.code} ${severityNoun(group.severity, more)}` +
          (issuesFile === undefined
            ? ' (huntpack build lists them in build-issues.txt)'
            : ` in ${issuesFile}`),
      );
    }
  }
  return lines;
}

/**
 * Returns the issue lines to print, in this order: the errors of inputs that could not be read,
 * then the other issues about whole inputs (errors first), then the errors about rows, then the
 * other issues about rows. Each section prints a few issues of each code and counts the rest,
 * so that many issues of one code never hide another code.
 */
export function buildIssueLines(
  issues: readonly HuntpackIssue[],
  failedFiles: ReadonlySet<string>,
  issuesFile?: string,
): string[] {
  const isError = (issue: HuntpackIssue) => issue.severity === 'error';
  const ofFailedFile = (issue: HuntpackIssue) =>
    isError(issue) && failedFiles.has(issue.source?.file ?? '');
  const others = issues.filter((issue) => !ofFailedFile(issue));
  const inputIssues = others.filter((issue) => !isRowIssue(issue));
  const rowIssues = others.filter(isRowIssue);
  const sections: Array<[HuntpackIssue[], number]> = [
    [issues.filter(ofFailedFile), INPUT_ISSUES_PER_CODE],
    [inputIssues.filter(isError), INPUT_ISSUES_PER_CODE],
    [inputIssues.filter((issue) => !isError(issue)), INPUT_ISSUES_PER_CODE],
    [rowIssues.filter(isError), ROW_ISSUES_PER_CODE],
    [rowIssues.filter((issue) => !isError(issue)), ROW_ISSUES_PER_CODE],
  ];
  return sections.flatMap(([section, perCode]) => sectionLines(section, perCode, issuesFile));
}
