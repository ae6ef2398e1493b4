/**
 * Chooses which of a pack's hunts run locally: hunts over the tables the log readers fill, each
 * hunt once. A pack contains every DeviceNetworkEvents hunt twice, for Sentinel (TimeGenerated) and
 * for Defender advanced hunting (Timestamp), with the same indicators and logic; a local run
 * keeps the first and reads the event time from whichever of the two columns the log has.
 * A hunt split into numbered parts to fit Sentinel's query limit runs as one hunt, because the
 * two platforms can split the same list differently.
 */
import type { Hunt, Lookback } from '../compile/ir.js';
import type { LogTable } from './logs/event.js';

export const LOG_TABLES: readonly LogTable[] = [
  'CommonSecurityLog',
  'DeviceNetworkEvents',
  'DeviceFileEvents',
  'DeviceProcessEvents',
  'DeviceImageLoadEvents',
  'DnsEvents',
];

/** A hunt left out of the local run, with the reason. */
export interface SkippedHunt {
  huntId: string;
  reason: string;
  /** Id of the hunt with the same logic and indicators that runs in its place, if any. */
  sameAs?: string;
}

export interface HuntSelection {
  hunts: Hunt[];
  skipped: SkippedHunt[];
}

/** Returns the reason a selected hunt did not run when the logs held no events of `table`. */
export function emptyTableReason(table: string): string {
  return `The logs hold no ${table} events.`;
}

/**
 * Returns the reason a hunt was left out as a duplicate of `sameAs`. Without `outcome` the
 * reason leaves out whether `sameAs` ran, because only the run can tell. A duplicate reads the same
 * table as `sameAs`, so when `sameAs` found that table empty, neither ran.
 */
export function sameLogicReason(
  sameAs: string,
  outcome?: { ran: true } | { ran: false; emptyTable: string },
): string {
  const reason = `Same logic and indicators as ${sameAs}`;
  if (outcome === undefined) return `${reason}.`;
  if (outcome.ran) return `${reason}, which ran in its place.`;
  return `${reason}, which did not run either, because the logs hold no ${outcome.emptyTable} events.`;
}

/** Returns the parts of a hunt that decide its hits, apart from the platform and time column. */
function logicKey(hunt: Hunt): string {
  return JSON.stringify([
    hunt.source.table,
    hunt.family,
    hunt.variant,
    hunt.part ?? null,
    hunt.iocs,
    hunt.match,
    hunt.where ?? null,
    hunt.exclusions.map((exclusion) => exclusion.filter),
    hunt.constants,
  ]);
}

/** Returns the id of the whole hunt that a part was cut from. */
function wholeHuntId(hunt: Hunt): string {
  const suffix = `-part${hunt.part?.index ?? ''}`;
  return hunt.part && hunt.id.endsWith(suffix) ? hunt.id.slice(0, -suffix.length) : hunt.id;
}

/**
 * Joins the parts of each split hunt into one hunt with the rows of all its parts, in part
 * order, in the place of its first part.
 */
export function joinHuntParts(hunts: readonly Hunt[]): Hunt[] {
  const parts = new Map<string, Hunt[]>();
  for (const hunt of hunts) {
    if (!hunt.part) continue;
    const id = wholeHuntId(hunt);
    const group = parts.get(id);
    if (group) group.push(hunt);
    else parts.set(id, [hunt]);
  }
  const joined: Hunt[] = [];
  for (const hunt of hunts) {
    if (!hunt.part) {
      joined.push(hunt);
      continue;
    }
    const id = wholeHuntId(hunt);
    const group = parts.get(id);
    // The group is taken at its first part, so the later parts add nothing.
    if (!group) continue;
    parts.delete(id);
    group.sort((a, b) => a.part!.index - b.part!.index);
    const rows = [];
    for (const part of group) for (const row of part.iocs.rows) rows.push(row);
    joined.push({ ...hunt, id, part: undefined, iocs: { columns: hunt.iocs.columns, rows } });
  }
  return joined;
}

/**
 * Keeps the hunts over log tables, with split hunts joined and without duplicates, and sets
 * every lookback to `lookback` when given.
 */
export function selectLocalHunts(hunts: readonly Hunt[], lookback?: Lookback): HuntSelection {
  const kept = new Map<string, Hunt>();
  const skipped: SkippedHunt[] = [];
  for (const hunt of joinHuntParts(hunts)) {
    if (!(LOG_TABLES as readonly string[]).includes(hunt.source.table)) {
      skipped.push({
        huntId: hunt.id,
        reason: `${hunt.source.table} is not a table the log readers fill (${LOG_TABLES.join(', ')}).`,
      });
      continue;
    }
    const key = logicKey(hunt);
    const first = kept.get(key);
    if (first) {
      skipped.push({
        huntId: hunt.id,
        reason: sameLogicReason(first.id),
        sameAs: first.id,
      });
      continue;
    }
    kept.set(key, lookback ? { ...hunt, lookback } : hunt);
  }
  return { hunts: [...kept.values()], skipped };
}
