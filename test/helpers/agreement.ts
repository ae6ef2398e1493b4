/**
 * Runs hunts through both the DuckDB session and the reference evaluator and returns each side's
 * hits as sorted `hunt|event|indicator row|branch` strings, so a test can compare them whole.
 */
import type { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { evaluateHunt, type EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';

export interface BothSides {
  duckdb: string[];
  reference: string[];
}

/** Runs the events of one table through every hunt on that table, on both sides. */
export async function hitsOnBothSides(
  session: DuckDbHuntSession,
  hunts: readonly Hunt[],
  table: string,
  events: readonly EventRow[],
  now?: Date,
): Promise<BothSides> {
  const duckdb = (await session.run(table, events)).map(
    (hit) => `${hit.hunt.id}|${hit.eventIndex}|${hit.iocIndex}|${hit.matchedOn}`,
  );
  const reference = hunts
    .filter((hunt) => hunt.source.table === table)
    .flatMap((hunt) =>
      evaluateHunt(hunt, events, { now }).map(
        (hit) => `${hunt.id}|${hit.eventIndex}|${hit.iocIndex}|${hit.matchedOn}`,
      ),
    );
  return { duckdb: duckdb.sort(), reference: reference.sort() };
}
