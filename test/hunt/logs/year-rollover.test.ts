/**
 * A log time without a year, read with a default year, goes back a year when it would fall more
 * than a day after the latest plausible time, so a log that crosses New Year stays in order.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseLogTime, type TimeDefaults } from '../../../src/hunt/logs/log-time.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { collectEvents, eventAt } from './collect-events.js';

const UTC = { kind: 'fixed', offsetMinutes: 0 } as const;

function timeOf(text: string, defaults: TimeDefaults): string {
  const result = parseLogTime(text, defaults);
  assert.ok(result.ok, `not parsed: ${text}`);
  return result.date.toISOString();
}

describe('parseLogTime with latestTime', () => {
  const defaults: TimeDefaults = {
    year: 2026,
    timeZone: UTC,
    latestTime: Date.parse('2026-01-02T00:00:00Z'),
  };

  it('reads a later month in the year before', () => {
    assert.equal(timeOf('Dec 31 23:59:50', defaults), '2025-12-31T23:59:50.000Z');
  });

  it('keeps times up to a day ahead', () => {
    assert.equal(timeOf('Jan  1 00:00:10', defaults), '2026-01-01T00:00:10.000Z');
    assert.equal(timeOf('Jan  2 23:59:59', defaults), '2026-01-02T23:59:59.000Z');
    assert.equal(timeOf('Jan  3 00:00:01', defaults), '2025-01-03T00:00:01.000Z');
  });

  it('leaves a written year alone', () => {
    assert.equal(timeOf('Dec 31 2026 23:59:50', defaults), '2026-12-31T23:59:50.000Z');
  });

  it('keeps the year without latestTime', () => {
    const { year, timeZone } = defaults;
    assert.equal(timeOf('Dec 31 23:59:50', { year, timeZone }), '2026-12-31T23:59:50.000Z');
  });
});

describe('readLogs with latestTime', () => {
  it('dates syslog headers across New Year', async (t) => {
    const folder = makeTempDir('year-rollover', t);
    const log = join(folder, 'roll.log');
    const line = (time: string) =>
      `<134>${time} fw1 CEF:0|V|P|1|1|n|1|src=10.0.0.1 spt=1 dst=146.56.205.231 dpt=8084`;
    await writeFile(log, `${line('Dec 31 23:59:50')}\n${line('Jan  1 00:00:10')}\n`);
    const { events } = await collectEvents([log], {
      year: 2026,
      timezone: 'UTC',
      latestTime: new Date('2026-01-02T00:00:00Z'),
    });
    const december = eventAt(events, 1).columns.TimeGenerated as Date;
    const january = eventAt(events, 2).columns.TimeGenerated as Date;
    assert.equal(december.toISOString(), '2025-12-31T23:59:50.000Z');
    assert.equal(january.toISOString(), '2026-01-01T00:00:10.000Z');
  });
});
