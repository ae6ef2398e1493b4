/**
 * The local hunt: streams events out of log files into DuckDB batch by batch and runs every
 * applicable hunt on each batch. Memory stays flat: a batch is at most `batchSize` events, the
 * event tables are emptied before the next batch, and only findings are kept.
 */
import { evaluateFilter, inWindow, lookbackStart } from '../compile/evaluate.js';
import { hitColumnTypes, valueKind, type ValueKind } from '../compile/hit-columns.js';
import { branchLabels, type Hunt, type Lookback } from '../compile/ir.js';
import { DuckDbHuntSession, type DuckDbHit } from '../backends/duckdb/duckdb.session.js';
import {
  alternativeRows,
  TIME_COLUMNS,
  type ColumnValue,
  type LogEvent,
  type LogTable,
} from './logs/event.js';
import { readLogs, type LogReadStats, type ReadLogsOptions } from './logs/read-logs.js';
import { EventPrefilter } from './event-prefilter.js';
import {
  compareFindings,
  connectionIdOf,
  findingHost,
  findingIndicator,
  type HuntFinding,
} from './findings.js';
import {
  emptyTableReason,
  sameLogicReason,
  selectLocalHunts,
  type SkippedHunt,
} from './select-hunts.js';

export interface HuntLogsOptions extends ReadLogsOptions {
  /**
   * Window applied to every hunt, counted back from `now`. Without it no time limit applies,
   * because exported logs are often older than any hunt's lookback.
   */
  lookback?: Lookback;
  /** Time the lookback window counts back from; default: the current time. */
  now?: Date;
  /**
   * Keeps events after `now`, as the `> ago(lookback)` of the pack's KQL does; default: true
   * without `now`, false with it.
   */
  openEnded?: boolean;
  /**
   * Events per DuckDB batch; default 5,000. Larger batches keep more events alive until V8's next
   * major garbage collection, so peak memory rises with no gain in speed. Measured on 200 MB of
   * grown CEF (bench/grow-cef.ts, 2 shared cores): 457 MiB peak at 5,000, 899 MiB at 20,000.
   */
  batchSize?: number;
  /** DuckDB threads; default: DuckDB's own (the number of cores). */
  threads?: number;
  /** DuckDB memory limit, such as `512MB`; default 512MB. */
  memoryLimit?: string;
  /** Called after each batch with the running counts. */
  onProgress?: (progress: HuntProgress) => void;
}

export interface HuntProgress {
  linesRead: number;
  eventsParsed: number;
  findings: number;
}

export interface HuntLogsResult {
  /** Findings ordered by event time, then file and line. */
  findings: HuntFinding[];
  stats: LogReadStats;
  /**
   * Ids of the hunts that ran: those for which some event of their table had a value in a
   * column that the hunt compares.
   */
  huntsRun: string[];
  /**
   * Hunts left out: other tables, duplicates, tables the logs did not fill, and hunts that
   * compared nothing, because no event had a value in their columns.
   */
  skipped: SkippedHunt[];
  /** The hunts of `skipped` that compared nothing, with the columns that no event filled. */
  huntsWithoutValues: HuntWithoutValues[];
  /** Events per table. */
  eventsByTable: Partial<Record<LogTable, number>>;
  /**
   * Events that could match an indicator (those the prefilter loaded, though an exclusion may
   * still remove them) but whose time lies outside the lookback window, so no hunt could report
   * them. It is 0 without a lookback. Events that no hunt could match are not counted, because their times
   * may not have been parsed.
   */
  eventsOutsideWindow: number;
  /**
   * Events that could match an indicator, as for `eventsOutsideWindow`, but have no time, so a
   * hunt with a lookback cannot place them in its window; 0 without a lookback.
   */
  eventsWithoutTime: number;
}

/**
 * A hunt whose table the logs filled but in whose compared columns no event had a value, such as
 * a domain hunt over Zeek conn events, which have addresses and ports but no host name or URL.
 */
export interface HuntWithoutValues {
  huntId: string;
  table: LogTable;
  /** The columns that the hunt's match branches compare, none of which any event filled. */
  columns: string[];
}

const DEFAULT_BATCH_SIZE = 5_000;

/** Runs `hunts` over the logs at `paths` and returns every finding with the reading counts. */
export async function huntLogs(
  hunts: readonly Hunt[],
  paths: string[],
  options: HuntLogsOptions = {},
): Promise<HuntLogsResult> {
  const selection = selectLocalHunts(hunts, options.lookback);
  const now = options.lookback ? (options.now ?? new Date()) : undefined;
  const openEnded = options.openEnded ?? options.now === undefined;
  // Events that no hunt could match are counted but not loaded; see event-prefilter.ts.
  const prefilter = EventPrefilter.of(selection.hunts);
  const reader = readLogs(paths, { ...options, filter: prefilter });
  const session = await DuckDbHuntSession.open(selection.hunts, {
    now,
    openEnded,
    threads: options.threads,
    memoryLimit: options.memoryLimit ?? '512MB',
  });
  // NOTE: findings are kept in memory until the end, so memory is flat in the size of the logs
  // but not in the number of hits; a hunt that matches millions of events grows with them.
  const findings: HuntFinding[] = [];
  const windowStart = now && options.lookback ? lookbackStart(now, options.lookback) : undefined;
  let eventsOutsideWindow = 0;
  let eventsWithoutTime = 0;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;

  try {
    const pending = new Map<LogTable, LogEvent[]>();
    let pendingCount = 0;
    // Batches contain only the events the prefilter keeps, so progress follows the lines read.
    let linesAtProgress = 0;
    const reportProgress = (): void => {
      linesAtProgress = reader.stats.linesRead;
      options.onProgress?.({
        linesRead: reader.stats.linesRead,
        eventsParsed: reader.stats.eventsParsed,
        findings: findings.length,
      });
    };
    // Numbers the events whose records start on the same line of a file, so that their
    // findings count as distinct events. Records of one file arrive in order.
    const lastLineOfFile = new Map<string, { line: number; records: number }>();
    const recordOnLine = new Map<LogEvent, number>();
    const flush = async (): Promise<void> => {
      for (const [table, events] of pending) {
        const found = await huntBatch(session, table, events, now !== undefined, recordOnLine);
        for (const finding of found) findings.push(finding);
      }
      pending.clear();
      recordOnLine.clear();
      pendingCount = 0;
      reportProgress();
    };
    for await (const batch of reader.batches()) {
      for (const event of batch) {
        if (now && windowStart !== undefined) {
          const time = eventTime(event);
          if (time === undefined) eventsWithoutTime += 1;
          else if (!inWindow(time, windowStart, openEnded ? undefined : now)) {
            eventsOutsideWindow += 1;
          }
        }
        const last = lastLineOfFile.get(event.source.file);
        if (last?.line === event.source.line) {
          recordOnLine.set(event, last.records);
          last.records += 1;
        } else {
          lastLineOfFile.set(event.source.file, { line: event.source.line, records: 1 });
        }
        let events = pending.get(event.table);
        if (!events) pending.set(event.table, (events = []));
        events.push(event);
        pendingCount += 1;
      }
      if (pendingCount >= batchSize) await flush();
      else if (reader.stats.linesRead - linesAtProgress >= batchSize) reportProgress();
    }
    await flush();
  } finally {
    session.close();
  }

  const eventsByTable = reader.stats.eventsByTable;
  const { ran, notRun } = huntOutcomes(selection.hunts, eventsByTable, prefilter);
  return {
    findings: findings.sort(compareFindings),
    stats: reader.stats,
    huntsRun: ran.map((hunt) => hunt.id),
    skipped: [
      ...withSameAsOutcome(selection.skipped, notRun),
      ...notRun.map(({ hunt, reason }) => ({ huntId: hunt.id, reason })),
    ],
    huntsWithoutValues: notRun.flatMap(({ withoutValues }) => withoutValues ?? []),
    eventsByTable: { ...eventsByTable },
    eventsOutsideWindow,
    eventsWithoutTime,
  };
}

/** A selected hunt that did not run, with the reason in the words of `SkippedHunt`. */
interface HuntNotRun {
  hunt: Hunt;
  reason: string;
  /** Set when the table got events, but none had a value in the columns the hunt compares. */
  withoutValues?: HuntWithoutValues;
}

/**
 * Sorts the selected hunts into those that ran and those that did not. A hunt runs when its
 * table got events and, unless the prefilter keeps every event of that table, some event had a
 * value in a column that the hunt compares.
 */
function huntOutcomes(
  hunts: readonly Hunt[],
  eventsByTable: Partial<Record<LogTable, number>>,
  prefilter: EventPrefilter,
): { ran: Hunt[]; notRun: HuntNotRun[] } {
  const ran: Hunt[] = [];
  const notRun: HuntNotRun[] = [];
  for (const hunt of hunts) {
    const table = hunt.source.table as LogTable;
    if (eventsByTable[table] === undefined) {
      notRun.push({ hunt, reason: emptyTableReason(table) });
      continue;
    }
    const columns = prefilter.columnsNeverFilled(hunt);
    if (columns === undefined) {
      ran.push(hunt);
      continue;
    }
    const reason =
      `The logs hold ${table} events, but none has a value in ${alternatives(columns)}, ` +
      `the ${columns.length === 1 ? 'column' : 'columns'} that this hunt compares.`;
    notRun.push({ hunt, reason, withoutValues: { huntId: hunt.id, table, columns } });
  }
  return { ran, notRun };
}

/** Returns `A`, `A or B`, or `A, B or C`. */
export function alternatives(names: readonly string[], conjunction: 'or' | 'and' = 'or'): string {
  if (names.length < 2) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${conjunction} ${names.at(-1)!}`;
}

/**
 * Returns `skipped` with the reason of each duplicate stating whether the hunt in its place ran
 * or, being in `notRun`, found its table empty or no value in its columns.
 */
function withSameAsOutcome(
  skipped: readonly SkippedHunt[],
  notRun: readonly HuntNotRun[],
): SkippedHunt[] {
  const notRunById = new Map(notRun.map((entry) => [entry.hunt.id, entry]));
  return skipped.map((hunt) => {
    if (hunt.sameAs === undefined) return hunt;
    const entry = notRunById.get(hunt.sameAs);
    if (entry === undefined)
      return { ...hunt, reason: sameLogicReason(hunt.sameAs, { ran: true }) };
    const empty = entry.withoutValues;
    if (empty === undefined) {
      const emptyTable = entry.hunt.source.table;
      return { ...hunt, reason: sameLogicReason(hunt.sameAs, { ran: false, emptyTable }) };
    }
    const reason =
      `Same logic and indicators as ${hunt.sameAs}, which did not run either, because no ` +
      `${empty.table} event has a value in ${alternatives(empty.columns)}.`;
    return { ...hunt, reason };
  });
}

/** Returns true when `time` lies in (start, end], the window that the DuckDB hunts apply. */
/** Returns the first time column that the event has, in the order of `TIME_COLUMNS`. */
function eventTime(event: LogEvent): Date | undefined {
  for (const column of TIME_COLUMNS[event.table]) {
    const value = event.columns[column];
    if (value instanceof Date) return value;
  }
  return undefined;
}

async function huntBatch(
  session: DuckDbHuntSession,
  table: LogTable,
  events: LogEvent[],
  windowed: boolean,
  recordOnLine: ReadonlyMap<LogEvent, number>,
): Promise<HuntFinding[]> {
  // A windowed hunt reads its own time column, and a DeviceNetworkEvents row may carry only the
  // other one, so the row gets both.
  const needsCopy = windowed && TIME_COLUMNS[table].length > 1;
  // An event with alternative column values, such as the SHA1 and MD5 of a Suricata file, gets
  // one more row per value. `eventOfRow` maps each row back to its event, and the rows of event
  // `i` are `firstRowOfEvent[i]` up to `firstRowOfEvent[i + 1]`.
  const rows: Array<Record<string, ColumnValue>> = [];
  const eventOfRow: number[] = [];
  const firstRowOfEvent: number[] = [];
  events.forEach((event, eventIndex) => {
    const time = needsCopy ? eventTime(event) : undefined;
    let row = event.columns;
    if (time) {
      row = { ...event.columns };
      for (const column of TIME_COLUMNS[table]) row[column] ??= time;
    }
    firstRowOfEvent.push(rows.length);
    rows.push(row);
    eventOfRow.push(eventIndex);
    for (const alternative of alternativeRows(row)) {
      rows.push(alternative);
      eventOfRow.push(eventIndex);
    }
  });
  firstRowOfEvent.push(rows.length);
  // DuckDB applied the exclusions to the row that matched, and `ExclusionCheck` applies them to
  // the event's other rows.
  const exclusions = new ExclusionCheck();
  const rowHits = (await session.run(table, rows)).filter((hit) => {
    const eventIndex = eventOfRow[hit.eventIndex]!;
    const end = firstRowOfEvent[eventIndex + 1]!;
    const otherRows: Array<Record<string, ColumnValue>> = [];
    for (let index = firstRowOfEvent[eventIndex]!; index < end; index++) {
      if (index !== hit.eventIndex) otherRows.push(rows[index]!);
    }
    return !exclusions.excludesAnyRow(hit, otherRows);
  });
  const hits = mergeBranchHits(rowHits, eventOfRow);
  return hits.map(({ hit, otherLabels }) => {
    const event = events[eventOfRow[hit.eventIndex]!]!;
    // Projected columns come from the row that matched, so a hunt that projects FileHash shows
    // the hash it found. NOTE: the hash hunts of a pack project IocHash but not FileHash. Their
    // findings show the indicator's hash, which equals the matched hash up to case, and none of
    // the event's own hashes.
    const row = rows[hit.eventIndex]!;
    const columns: Record<string, ColumnValue> = {};
    for (const name of hit.hunt.project) {
      const value = row[name];
      if (value !== undefined && value !== null) columns[name] = value;
    }
    const finding: HuntFinding = {
      time: eventTime(event),
      file: event.source.file,
      line: event.source.line,
      recordOnLine: recordOnLine.get(event),
      table,
      huntId: hit.hunt.id,
      variant: hit.hunt.variant,
      matchedOn: hit.matchedOn,
      alsoMatchedOn: otherLabels,
      indicator: findingIndicator(hit.hunt, hit.iocIndex),
      host: findingHost(table, hit.matchedOn, event.columns),
      columns,
      connectionId: connectionIdOf(table, event.columns),
    };
    if (finding.time === undefined) delete finding.time;
    if (finding.alsoMatchedOn === undefined) delete finding.alsoMatchedOn;
    if (finding.recordOnLine === undefined) delete finding.recordOnLine;
    if (finding.host === undefined) delete finding.host;
    if (finding.connectionId === undefined) delete finding.connectionId;
    return finding;
  });
}

/**
 * Check of a hunt's exclusions against the other rows of a multi-row event, run in the reference
 * evaluator, whose agreement with DuckDB the backend tests check.
 *
 * Each row of an event is the same event with another of its alternative values, such as the
 * SHA256, SHA1 and MD5 of one Suricata file. DuckDB applies a hunt's exclusions to the row that
 * matched only, so an exclusion on the file's SHA256 would leave the hit on its MD5 row. A hit
 * is therefore dropped when an exclusion is true for any row of its event, each row joined to the
 * hit's indicator row and `MatchedOn` as in `ir.ts`.
 *
 * A negated exclusion is true for every row whose value differs. So `FileHash != "<md5>"` and
 * `not(FileHash =~ "<md5>")` remove every event that logs two or more hashes, the file with that
 * MD5 included, because its other hashes differ from the MD5. `FileHash !in (...)` keeps such an
 * event only when the list names all of its hashes. A negated filter on one hash therefore
 * cannot keep one file and drop the others.
 */
class ExclusionCheck {
  private readonly kindsByHunt = new Map<Hunt, Map<string, ValueKind>>();

  /** True when an exclusion of the hit's hunt is true for one of `rows` as the hit's event. */
  excludesAnyRow(hit: DuckDbHit, rows: ReadonlyArray<Record<string, ColumnValue>>): boolean {
    const hunt = hit.hunt;
    if (rows.length === 0 || hunt.exclusions.length === 0) return false;
    const indicator = indicatorRecord(hunt, hit.iocIndex);
    const kinds = this.kindsOf(hunt);
    return rows.some((row) => {
      const joined = { ...row, ...indicator, MatchedOn: hit.matchedOn };
      return hunt.exclusions.some((exclusion) => evaluateFilter(exclusion.filter, joined, kinds));
    });
  }

  private kindsOf(hunt: Hunt): Map<string, ValueKind> {
    let kinds = this.kindsByHunt.get(hunt);
    if (kinds === undefined) {
      const types = [...hitColumnTypes(hunt)];
      kinds = new Map(types.map(([name, type]) => [name, valueKind(type)]));
      this.kindsByHunt.set(hunt, kinds);
    }
    return kinds;
  }
}

/** Returns the constants and the columns of one indicator row, as a hit of `hunt` contains them. */
function indicatorRecord(hunt: Hunt, iocIndex: number): Record<string, unknown> {
  const record: Record<string, unknown> = { ...hunt.constants };
  const row = hunt.iocs.rows[iocIndex]!;
  hunt.iocs.columns.forEach((column, index) => {
    record[column.name] = row[index] ?? null;
  });
  return record;
}

/**
 * Merges the hits of one hunt on one event and indicator into one, because findings are one per
 * hunt, event and indicator. Several match branches give such hits, as when a Zeek http event
 * matches a domain in DestinationHostName and in RequestURL, and so do several rows of one event
 * (see `eventOfRow`). The hit of the first branch in the hunt's order is kept, on the event's
 * first row that it matched, with the labels of the other branches in that order.
 */
function mergeBranchHits(
  hits: readonly DuckDbHit[],
  eventOfRow: readonly number[],
): Array<{ hit: DuckDbHit; otherLabels?: string[] }> {
  const branchIndex = (hit: DuckDbHit): number =>
    hit.hunt.match.findIndex((branch) => branchLabels(branch).includes(hit.matchedOn));
  const merged = new Map<string, DuckDbHit[]>();
  for (const hit of hits) {
    const key = `${hit.hunt.id}\n${eventOfRow[hit.eventIndex]!}\n${hit.iocIndex}`;
    const group = merged.get(key);
    if (group) group.push(hit);
    else merged.set(key, [hit]);
  }
  return [...merged.values()].map((group) => {
    if (group.length === 1) return { hit: group[0]! };
    const [first, ...others] = group.sort(
      (a, b) => branchIndex(a) - branchIndex(b) || a.eventIndex - b.eventIndex,
    );
    const labels = new Set(others.map((hit) => hit.matchedOn));
    labels.delete(first!.matchedOn);
    return labels.size === 0 ? { hit: first! } : { hit: first!, otherLabels: [...labels] };
  });
}
