/** Shared helpers for the log reader tests: read files fully and check that the counts add up. */
import assert from 'node:assert/strict';
import {
  readLogs,
  type LogReadStats,
  type ReadLogsOptions,
} from '../../../src/hunt/logs/read-logs.js';
import type { LogEvent } from '../../../src/hunt/logs/event.js';
import { getLogTableColumns } from '../../../src/hunt/logs/event.js';
import { repoFile } from '../../helpers/shared.js';

export function logFixture(name: string): string {
  return repoFile(`test/fixtures/logs/${name}`);
}

/** Reads every event and asserts the invariants that hold for any run. */
export async function collectEvents(
  paths: string[],
  options: ReadLogsOptions = {},
): Promise<{ events: LogEvent[]; stats: LogReadStats }> {
  const reader = readLogs(paths, { maxIssues: 1000, ...options });
  const events: LogEvent[] = [];
  for await (const event of reader) events.push(event);
  const { stats } = reader;
  assert.equal(
    stats.linesRead,
    stats.eventsParsed + stats.linesRejected + stats.linesSkipped,
    'lines read reconcile with events, rejections and skips',
  );
  assert.equal(stats.eventsParsed, events.length);
  for (const event of events) {
    const columns = getLogTableColumns(event.table);
    for (const name of Object.keys(event.columns)) {
      assert.ok(columns.has(name), `${event.table} has no column ${name}`);
    }
  }
  return { events, stats };
}

/** Returns the event that starts on a line, failing when there is none. */
export function eventAt(events: LogEvent[], line: number, file?: string): LogEvent {
  const event = events.find(
    (candidate) =>
      candidate.source.line === line && (!file || candidate.source.file.endsWith(file)),
  );
  assert.ok(event, `no event at line ${line}${file ? ` of ${file}` : ''}`);
  return event;
}
