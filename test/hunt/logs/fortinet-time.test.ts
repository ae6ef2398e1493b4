import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCefRecord } from '../../../src/hunt/logs/cef-record.js';
import { parseEpochOfAnyUnit, parseTimeZone } from '../../../src/hunt/logs/log-time.js';
import type { RecordContext } from '../../../src/hunt/logs/record.js';
import { sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import { collectEvents, eventAt } from './collect-events.js';

/** 2021-11-23T15:35:08.541Z, the instant of the FortiOS 6.2.9 line of the vendor sample. */
const INSTANT = Date.UTC(2021, 10, 23, 15, 35, 8, 541);

interface Parsed {
  time: unknown;
  warnings: string[];
}

function parseLine(line: string): Parsed {
  const warnings: string[] = [];
  const context: RecordContext = {
    file: 'x.log',
    line: 1,
    time: { year: 2024, timeZone: parseTimeZone('UTC') },
    warn: (code, message) => warnings.push(`${code}: ${message}`),
  };
  const outcome = parseCefRecord(line, context);
  assert.equal(outcome.kind, 'event', `not an event: ${line}`);
  return { time: outcome.kind === 'event' ? outcome.columns.TimeGenerated : undefined, warnings };
}

const FORTIGATE = 'CEF:0|Fortinet|Fortigate|v7.4.9|00013|traffic:forward close|3|';

describe('parseEpochOfAnyUnit', () => {
  it('reads each unit from its digit count', () => {
    const cases: Array<[string, number]> = [
      ['1637681708', Math.floor(INSTANT / 1000) * 1000],
      ['1637681708541', INSTANT],
      ['1637681708541881', INSTANT],
      ['1637681708541881380', INSTANT],
    ];
    for (const [text, expected] of cases) {
      const result = parseEpochOfAnyUnit(text);
      assert.ok(result.ok, `not parsed: ${text}`);
      assert.equal(result.date.getTime(), expected, text);
    }
  });

  it('cuts sub-millisecond digits instead of rounding', () => {
    const result = parseEpochOfAnyUnit('1637681708541999999');
    assert.ok(result.ok);
    assert.equal(result.date.getTime(), INSTANT);
  });

  it('rejects other digit counts and non-digits', () => {
    for (const text of [
      '',
      '163768170',
      '16376817085',
      '163768170854',
      '1637681708.5',
      '-1637681708',
    ]) {
      const result = parseEpochOfAnyUnit(text);
      assert.equal(result.ok, false, `parsed: ${JSON.stringify(text)}`);
      assert.equal(result.ok ? undefined : result.code, 'INVALID_TIME');
    }
  });
});

describe('parseCefRecord on FortiGate event times', () => {
  it('reads FTNTFGTeventtime in each unit', () => {
    for (const value of ['1637681708541', '1637681708541881', '1637681708541881380']) {
      const { time, warnings } = parseLine(`${FORTIGATE}FTNTFGTeventtime=${value} src=1.2.3.4`);
      assert.deepEqual(time, new Date(INSTANT), value);
      assert.deepEqual(warnings, [], value);
    }
    const seconds = parseLine(`${FORTIGATE}FTNTFGTeventtime=1637681708 src=1.2.3.4`);
    assert.deepEqual(seconds.time, new Date(Math.floor(INSTANT / 1000) * 1000));
  });

  it('reads the long prefix and the FortiOS 5.6 key', () => {
    for (const key of ['FortinetFortiGateeventtime', 'ad.eventtime']) {
      const { time, warnings } = parseLine(`${FORTIGATE}${key}=1637681708541881380 src=1.2.3.4`);
      assert.deepEqual(time, new Date(INSTANT), key);
      assert.deepEqual(warnings, [], key);
    }
  });

  it('keeps rt first when present', () => {
    const { time } = parseLine(`${FORTIGATE}rt=1700000000000 FTNTFGTeventtime=1637681708`);
    assert.deepEqual(time, new Date(1700000000000));
  });

  it('falls back from an invalid rt', () => {
    const { time, warnings } = parseLine(`${FORTIGATE}rt=soon FTNTFGTeventtime=1637681708541`);
    assert.deepEqual(time, new Date(INSTANT));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^INVALID_TIME: rt: /);
  });

  it('falls back from an invalid eventtime to the syslog header', () => {
    const { time, warnings } = parseLine(
      `<134>2024-03-01T10:00:00Z fw1 ${FORTIGATE}FTNTFGTeventtime=16376817085 src=1.2.3.4`,
    );
    assert.deepEqual(time, new Date('2024-03-01T10:00:00Z'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^INVALID_TIME: FTNTFGTeventtime: .*"16376817085"/);
  });

  it('ignores the keys for other vendors', () => {
    const line = 'CEF:0|Acme|Gate|1|2|x|3|FTNTFGTeventtime=1637681708 ad.eventtime=1637681708';
    const { time, warnings } = parseLine(line);
    assert.equal(time, undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^MISSING_TIME: /);
  });

  it('skips an empty eventtime', () => {
    const { time, warnings } = parseLine(`${FORTIGATE}FTNTFGTeventtime= src=1.2.3.4`);
    assert.equal(time, undefined);
    assert.match(warnings[0] ?? '', /^MISSING_TIME: /);
  });
});

describe('readLogs on the FortiGate sample', () => {
  const sample = 'logs/cef/sekoia_fortinet-fortigate_cef.log';

  it('times every line that has an eventtime', { skip: skipWithoutShared(sample) }, async () => {
    const { events, stats } = await collectEvents([sharedFile(sample)]);
    assert.equal(stats.eventsParsed, 26);
    const missing = stats.warnings
      .filter((warning) => warning.code === 'MISSING_TIME')
      .map((warning) => warning.source?.line);
    // These four lines carry no eventtime, rt or syslog header at all.
    assert.deepEqual(missing, [8, 10, 21, 24]);
    const timed = events.filter((event) => event.columns.TimeGenerated instanceof Date);
    assert.equal(timed.length, 22);

    // Seconds (FortiOS 6.0.3), nanoseconds (6.2.9 long prefix and 7.4.9) and ad.eventtime (5.6.14).
    const cases: Array<[number, string]> = [
      [2, '2018-12-27T22:29:36.000Z'],
      [1, '2021-11-23T15:35:08.541Z'],
      [22, '2025-11-06T15:38:12.031Z'],
      [18, '2022-10-12T10:50:31.000Z'],
    ];
    for (const [line, iso] of cases) {
      assert.deepEqual(eventAt(events, line).columns.TimeGenerated, new Date(iso), `line ${line}`);
    }
  });
});

describe('CEF rt with a zone abbreviation', () => {
  it('names the abbreviation as the cause', () => {
    const { time, warnings } = parseLine(
      `${FORTIGATE}rt=Dec 05 2025 22:00:00 PST src=10.0.0.1 dst=203.0.113.7`,
    );
    assert.equal(time, undefined);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /^INVALID_TIME: rt: Invalid time "Dec 05 2025 22:00:00 PST": the zone abbreviation "PST" is not read/,
    );
    assert.match(warnings[0]!, /an offset such as -0800/);
  });

  it('reads the same date in UTC', () => {
    const { time, warnings } = parseLine(
      `${FORTIGATE}rt=Dec 05 2025 22:00:00 UTC src=10.0.0.1 dst=203.0.113.7`,
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(time, new Date(Date.UTC(2025, 11, 5, 22)));
  });
});
