/**
 * A log whose first line is longer than the head read for format detection is reported as such,
 * with the advice to pass --format, instead of as a file in no known format.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { collectEvents } from './collect-events.js';

function eveFlow(payload: string): string {
  return JSON.stringify({
    timestamp: '2026-07-05T15:01:16.820360+0000',
    flow_id: 2008,
    event_type: 'flow',
    src_ip: '192.168.86.85',
    src_port: 55413,
    dest_ip: '146.56.205.231',
    dest_port: 8084,
    proto: 'TCP',
    payload,
  });
}

describe('readLogs on a long first line', () => {
  it('names the cut line and --format', async (t) => {
    const file = join(makeTempDir('long-line', t), 'eve.json');
    await writeFile(file, `${eveFlow('A'.repeat(4_300_000))}\n${eveFlow('')}\n`);

    const detected = await collectEvents([file]);
    assert.equal(detected.stats.eventsParsed, 0);
    const error = detected.stats.fileErrors[0];
    assert.equal(error?.code, 'UNKNOWN_LOG_FORMAT');
    assert.match(error?.message ?? '', /its first line is longer than the 4194304 characters/);
    assert.match(error?.message ?? '', /--format/);

    const forced = await collectEvents([file], { format: 'suricata-eve' });
    assert.equal(forced.stats.eventsParsed, 2);
    assert.deepEqual(forced.stats.fileErrors, []);
  });

  it('keeps the usual message for short lines', async (t) => {
    const file = join(makeTempDir('long-line', t), 'notes.txt');
    await writeFile(file, 'just some text\n');
    const { stats } = await collectEvents([file]);
    assert.match(stats.fileErrors[0]?.message ?? '', /expected CEF \(.*\), a CommonSecurityLog/);
  });
});
