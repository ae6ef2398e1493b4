/**
 * Zeek test baselines mask `ts` as `XXXXXXXXXX.XXXXXX`. Such a record is read as an event
 * without a time, as one without `ts` is, so a hunt without a lookback matches it and a hunt
 * with one leaves it out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { huntLogs } from '../../src/hunt/engine.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const MASKED = 'XXXXXXXXXX.XXXXXX';

/** Returns a Zeek TSV conn log of 8 header lines and one row per `[ts, uid, responder port]`. */
function zeekConnLog(rows: ReadonlyArray<[ts: string, uid: string, port: number]>): string {
  const header = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    '#open\tXXXX-XX-XX-XX-XX-XX',
    '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice',
    '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring',
  ];
  const lines = rows.map(([ts, uid, port]) =>
    [ts, uid, '192.168.1.79', '51880', '131.159.21.1', String(port), 'tcp', 'ssh'].join('\t'),
  );
  return [...header, ...lines, ''].join('\n');
}

/** Returns a Zeek JSON conn log of one connection to port 22 with the given `ts`. */
function zeekConnJson(ts: string): string {
  const record = {
    _path: 'conn',
    ts,
    uid: 'C1',
    'id.orig_h': '192.168.1.79',
    'id.orig_p': 51880,
    'id.resp_h': '131.159.21.1',
    'id.resp_p': 22,
    proto: 'tcp',
  };
  return JSON.stringify(record) + '\n';
}

/** Returns `line variant` for each finding, sorted. */
function linesAndVariants(findings: ReadonlyArray<{ line: number; variant: string }>): string[] {
  return findings.map((finding) => `${finding.line} ${finding.variant}`).sort();
}

const hunts = buildHunts(makeIndicators([['ip:port', '131.159.21.1:22']]), {
  family: 'Remcos',
  familySlug: 'remcos',
  lookback: { amount: 30, unit: 'd' },
  exclusionsFor: defaultExclusions,
});

describe('Zeek masked ts', () => {
  it('keeps the event with a warning', async (t) => {
    const file = join(makeTempDir('zeek-masked', t), 'conn.log');
    await writeFile(file, zeekConnLog([[MASKED, 'C1', 22]]));
    const { stats, findings } = await huntLogs(hunts, [file]);

    assert.equal(stats.linesRead, 9);
    assert.equal(stats.eventsParsed, 1);
    assert.equal(stats.linesRejected, 0);
    assert.equal(stats.linesSkipped, 8);
    assert.equal(stats.linesRead, stats.eventsParsed + stats.linesRejected + stats.linesSkipped);
    assert.deepEqual(stats.rejectedByReason, {});
    assert.deepEqual(stats.fieldWarningsByReason, { MISSING_TIME: 1 });
    const warning = stats.warnings[0];
    assert.equal(warning?.severity, 'warning');
    assert.equal(warning?.source?.file, file);
    assert.equal(warning?.source?.line, 9);
    assert.match(warning?.message ?? '', /"XXXXXXXXXX\.XXXXXX" is masked/);

    assert.deepEqual(linesAndVariants(findings), ['9 address-only', '9 port-aware']);
    for (const finding of findings) assert.equal(finding.time, undefined);
  });

  it('reads a masked ts in Zeek JSON', async (t) => {
    const file = join(makeTempDir('zeek-masked', t), 'conn.json');
    await writeFile(file, zeekConnJson(MASKED));
    const { stats, findings } = await huntLogs(hunts, [file]);

    assert.equal(stats.eventsParsed, 1);
    assert.equal(stats.linesRejected, 0);
    assert.deepEqual(stats.fieldWarningsByReason, { MISSING_TIME: 1 });
    assert.deepEqual(linesAndVariants(findings), ['1 address-only', '1 port-aware']);
  });

  it('other masked ts spellings are missing', async (t) => {
    const folder = makeTempDir('zeek-masked', t);
    for (const ts of ['XXXXXXXXXX', 'xxxxxxxxxx.xxxxxx', '-', '', ' - ']) {
      const file = join(folder, `conn-${ts.length}-${ts.trim()[0] ?? 'empty'}.json`);
      await writeFile(file, zeekConnJson(ts));
      const { stats, findings } = await huntLogs(hunts, [file]);
      assert.deepEqual(stats.fieldWarningsByReason, { MISSING_TIME: 1 }, ts);
      assert.equal(findings.length, 2, ts);
    }
  });

  it('leaves the event out under a lookback', async (t) => {
    const file = join(makeTempDir('zeek-masked', t), 'conn.log');
    // Line 9 is masked. Line 10 is at 2024-01-01T00:00:00Z, inside the window.
    await writeFile(
      file,
      zeekConnLog([
        [MASKED, 'C1', 22],
        ['1704067200.000000', 'C2', 22],
      ]),
    );
    const result = await huntLogs(hunts, [file], {
      lookback: { amount: 30, unit: 'd' },
      now: new Date('2024-01-15T00:00:00Z'),
    });

    assert.equal(result.stats.eventsParsed, 2);
    assert.equal(result.stats.linesRejected, 0);
    assert.equal(result.eventsWithoutTime, 1);
    assert.equal(result.eventsOutsideWindow, 0);
    assert.deepEqual(linesAndVariants(result.findings), ['10 address-only', '10 port-aware']);
  });
});

describe(
  'Zeek masked ts in a shared btest baseline',
  { skip: skipWithoutShared('logs/zeek/zeek-btest_scripts.base.protocols.ssh.basic_conn.log') },
  () => {
    it('finds the SSH connection of line 10', async () => {
      const file = sharedFile('logs/zeek/zeek-btest_scripts.base.protocols.ssh.basic_conn.log');
      const { stats, findings } = await huntLogs(hunts, [file]);

      assert.equal(stats.eventsParsed, 25);
      assert.equal(stats.linesRejected, 0);
      assert.deepEqual(stats.fieldWarningsByReason, { MISSING_TIME: 25 });
      assert.deepEqual(linesAndVariants(findings), ['10 address-only', '10 port-aware']);
    });
  },
);
