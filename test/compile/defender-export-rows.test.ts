import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { evaluateHunt, type EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { repoFile } from '../helpers/shared.js';

/** A real Defender advanced hunting export that mixes DeviceEvents, UrlClickEvents and others. */
const EXPORT = repoFile(
  'test/fixtures/logs/devicenetworkevents/plaso_m365d-advanced-hunting-export_mixed-tables.csv',
);

const INT_COLUMNS = new Set(['RemotePort', 'LocalPort']);

/** Reads the export's rows as events, leaving out empty cells as a log reader does. */
function exportRows(): EventRow[] {
  const records = parse<Record<string, string>>(readFileSync(EXPORT, 'utf8'), { columns: true });
  return records.map((record) => {
    const event: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(record)) {
      if (value === '') continue;
      event[name] = INT_COLUMNS.has(name) ? Number(value) : value;
    }
    return event;
  });
}

function hitActionTypes(hunts: readonly Hunt[], id: string, events: EventRow[]): string[] {
  const hunt = hunts.find((candidate) => candidate.id === id);
  assert.ok(hunt, `no hunt ${id}`);
  const hits = evaluateHunt(hunt, events);
  return hits.map((hit) => `${String(events[hit.eventIndex]!.ActionType)}|${hit.matchedOn}`);
}

describe('hunts over a real Defender export', () => {
  const events = exportRows();
  const hunts = buildHunts(
    makeIndicators([
      ['ip:port', '95.166.126.90:80'],
      ['domain', 'tiktok.com'],
      ['domain', 'jemi.so'],
      ['url', 'https://tiktok.com/@pheromania.co'],
    ]),
    {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
    },
  );
  let session: DuckDbHuntSession;
  before(async () => {
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('reads every row of the export', () => {
    assert.equal(events.length, 129);
  });

  it('find the blocked outbound connection', () => {
    assert.deepEqual(hitActionTypes(hunts, 'remcos-defender-de-port-aware', events), [
      'FirewallOutboundConnectionBlocked|remote',
    ]);
  });

  it('find SmartScreen warnings by domain and URL', () => {
    assert.deepEqual(hitActionTypes(hunts, 'remcos-defender-de-domain', events), [
      'SmartScreenUrlWarning|RemoteUrl',
      'SmartScreenUrlWarning|RemoteUrl',
    ]);
    assert.deepEqual(hitActionTypes(hunts, 'remcos-defender-de-url', events), [
      'SmartScreenUrlWarning|RemoteUrl',
    ]);
  });

  it('find a redirect in UrlChain', () => {
    assert.deepEqual(hitActionTypes(hunts, 'remcos-defender-uce-domain', events), [
      'ClickBlocked|UrlChain',
    ]);
  });

  for (const table of ['DeviceEvents', 'UrlClickEvents']) {
    it(`agree with DuckDB on ${table}`, async () => {
      const { duckdb, reference } = await hitsOnBothSides(session, hunts, table, events);
      assert.deepEqual(duckdb, reference);
      assert.ok(reference.length > 0, 'the export must produce hits');
    });
  }
});
