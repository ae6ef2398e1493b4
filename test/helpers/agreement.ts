/**
 * Runs hunts through both the DuckDB session and the reference evaluator and returns each side's
 * hits as sorted `hunt|event|indicator row|branch` strings, so a test can compare them whole.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
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

/**
 * Registers two tests for each table of `events`: the reference evaluator gives the `expected`
 * pairs of event index and the hit row's first cell, and DuckDB gives the same hits.
 */
export function itMatchesOnBothSides(
  hunts: readonly Hunt[],
  session: () => DuckDbHuntSession,
  events: Readonly<Record<string, EventRow[]>>,
  expected: Readonly<Record<string, Array<[number, string]>>>,
): void {
  for (const [table, rows] of Object.entries(events)) {
    it(`evaluator matches ${table} events`, () => {
      const hunt = hunts.find((candidate) => candidate.source.table === table);
      assert.ok(hunt, `no hunt on ${table}`);
      const matched = evaluateHunt(hunt, rows).map((hit): [number, string] => [
        hit.eventIndex,
        String(hunt.iocs.rows[hit.iocIndex]![0]),
      ]);
      assert.deepEqual(matched, expected[table]);
    });

    it(`DuckDB agrees on ${table}`, async () => {
      const { duckdb, reference } = await hitsOnBothSides(session(), hunts, table, rows);
      assert.equal(reference.length, expected[table]!.length);
      assert.deepEqual(duckdb, reference);
    });
  }
}
