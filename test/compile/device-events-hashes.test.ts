/**
 * Hash hunts over DeviceEvents: the table has SHA256, SHA1 and MD5 columns for the file of an
 * event, such as the file of an antivirus detection, and the hashes of the initiating process on
 * every row. The hash hunt reads every ActionType, unlike the network hunts of the table.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { evaluateHunt, type EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';
import { checkKql } from '../../src/validate/kusto.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';

const SHA256 = 'a'.repeat(63) + '1';
const SHA1 = 'b'.repeat(39) + '2';
const MD5 = 'c'.repeat(31) + '3';

/** DeviceEvents rows as Defender writes them, with the hash that each one carries. */
const EVENTS: EventRow[] = [
  // 0: an antivirus detection of the indicator file, its hash in upper case.
  { ActionType: 'AntivirusDetection', FileName: 'invoice.exe', SHA256: SHA256.toUpperCase() },
  // 1: a registry run key that the indicator process set.
  { ActionType: 'RegistryValueSet', InitiatingProcessSHA1: SHA1 },
  // 2: an antivirus detection of a file named by its MD5, without a SHA256.
  { ActionType: 'AntivirusDetection', SHA1: 'e'.repeat(40), MD5 },
  // 3: a firewall block by the indicator process, a network ActionType.
  { ActionType: 'FirewallOutboundConnectionBlocked', InitiatingProcessSHA256: SHA256 },
  // 4: another file.
  { ActionType: 'AntivirusDetection', SHA256: 'd'.repeat(64) },
  // 5: no hash at all.
  { ActionType: 'PowerShellCommand' },
];

describe('DeviceEvents hash hunts', () => {
  let hunts: Hunt[];
  let session: DuckDbHuntSession;
  before(async () => {
    hunts = buildHunts(
      makeIndicators([
        ['sha256', SHA256],
        ['sha1', SHA1],
        ['md5', MD5],
      ]),
      { family: 'Remcos', familySlug: 'remcos', lookback: { amount: 30, unit: 'd' } },
    ).filter((hunt) => hunt.source.table === 'DeviceEvents');
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('exist for both platforms', () => {
    const ids = hunts.map((hunt) => hunt.id).sort();
    assert.deepEqual(ids, ['remcos-defender-de-hash', 'remcos-sentinel-de-hash']);
  });

  it('compare file and process hashes', () => {
    for (const hunt of hunts) {
      const columns = hunt.match.flatMap((branch) => branch.keys.map((key) => key.column));
      assert.deepEqual(columns.sort(), [
        'InitiatingProcessMD5',
        'InitiatingProcessSHA1',
        'InitiatingProcessSHA256',
        'MD5',
        'SHA1',
        'SHA256',
      ]);
      assert.equal(hunt.where, undefined, hunt.id);
    }
  });

  it('pass the Kusto check', () => {
    for (const hunt of hunts) {
      const query = compileKql(hunt, { generatorVersion: 'test' });
      const errors = checkKql(query, { platform: hunt.source.platform }).filter(
        (diagnostic) => diagnostic.severity === 'error',
      );
      assert.deepEqual(errors, [], `${hunt.id}\n${query}`);
      assert.match(query, /^let Events = DeviceEvents$/m, hunt.id);
    }
  });

  it('match every ActionType', () => {
    for (const hunt of hunts) {
      const matched = [...new Set(evaluateHunt(hunt, EVENTS).map((hit) => hit.eventIndex))];
      assert.deepEqual(matched.sort(), [0, 1, 2, 3], hunt.id);
    }
  });

  it('agree in DuckDB', async () => {
    const { duckdb, reference } = await hitsOnBothSides(session, hunts, 'DeviceEvents', EVENTS);
    assert.ok(reference.length > 0);
    assert.deepEqual(duckdb, reference);
  });
});
