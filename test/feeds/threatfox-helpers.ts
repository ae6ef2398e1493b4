/**
 * Runs one ThreatFox reader on a file and collects what it sends to the sink.
 */
import type { HuntpackIssue } from '../../src/errors.js';
import { openInputs } from '../../src/feeds/input.js';
import type { FeedReader } from '../../src/feeds/read.js';
import type { RawIndicator } from '../../src/indicators/model.js';

export interface ReaderRun {
  records: RawIndicator[];
  /** Issues passed with rejected rows. */
  rejections: HuntpackIssue[];
  /** Issues that reject no row. */
  reports: HuntpackIssue[];
  rowsRead: number;
}

export async function runReader(reader: FeedReader, path: string): Promise<ReaderRun> {
  const run: ReaderRun = { records: [], rejections: [], reports: [], rowsRead: 0 };
  const opened = await openInputs(path);
  try {
    await reader(
      opened.inputs[0]!,
      {
        accept(record) {
          run.rowsRead += 1;
          run.records.push(record);
        },
        reject(issue) {
          run.rowsRead += 1;
          if (issue) run.rejections.push(issue);
        },
        drop(_reason, count = 1) {
          run.rowsRead += count;
        },
        report(issue) {
          run.reports.push(issue);
        },
      },
      {},
    );
  } finally {
    await opened.close();
  }
  return run;
}

/** Returns the record whose ThreatFox id is `id`. */
export function byId(run: ReaderRun, id: string): RawIndicator {
  const record = run.records.find((entry) => entry.source.id === id);
  if (!record) throw new Error(`no record with id ${id}`);
  return record;
}

export function codes(issues: HuntpackIssue[]): string[] {
  return issues.map((issue) => issue.code);
}
