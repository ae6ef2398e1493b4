import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseLogTime, type TimeDefaults } from '../../../src/hunt/logs/log-time.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { collectEvents, eventAt } from './collect-events.js';

const UTC: TimeDefaults = { timeZone: { kind: 'fixed', offsetMinutes: 0 } };

function timeOf(text: string, defaults: TimeDefaults = UTC): string {
  const result = parseLogTime(text, defaults);
  assert.ok(result.ok, `${text}: ${result.ok ? '' : result.message}`);
  return result.date.toISOString();
}

describe('parseLogTime on numeric dates', () => {
  it('reads each order the option sets', () => {
    const cases: Array<[TimeDefaults['dateOrder'], string, string]> = [
      ['mdy', '11/03/2020, 4:27:16.933 PM', '2020-11-03T16:27:16.933Z'],
      ['dmy', '03/11/2020, 16:27:16.933', '2020-11-03T16:27:16.933Z'],
      ['dmy', '03.11.2020 16:27:16', '2020-11-03T16:27:16.000Z'],
      ['dmy', '3-11-2020 16:27', '2020-11-03T16:27:00.000Z'],
      ['ymd', '2020/11/03 16:27:16', '2020-11-03T16:27:16.000Z'],
      ['dmy', '03/11/2020, 4:27:16 p.m.', '2020-11-03T16:27:16.000Z'],
    ];
    for (const [dateOrder, text, expected] of cases) {
      assert.equal(timeOf(text, { ...UTC, dateOrder }), expected, `${text} as ${dateOrder}`);
    }
  });

  it('rejects a date that contradicts the option', () => {
    const result = parseLogTime('11/13/2020, 4:27:16 PM', { ...UTC, dateOrder: 'dmy' });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.code, 'INVALID_TIME');
    assert.match(!result.ok ? result.message : '', /"11\/13\/2020, 4:27:16 PM"/);
    assert.match(!result.ok ? result.message : '', /its month would be 13/);
    assert.match(
      !result.ok ? result.message : '',
      /day-first \(dmy\) order that the date order option \(--date-order\) sets/,
    );

    const yearLast = parseLogTime('13/11/2020 16:27:16', { ...UTC, dateOrder: 'ymd' });
    assert.equal(!yearLast.ok && yearLast.code, 'INVALID_TIME');
  });

  it('reads a year-first date whatever the option', () => {
    // A run over exports of several locales keeps the ja-JP dates of one of them.
    for (const dateOrder of ['mdy', 'dmy'] as const) {
      assert.equal(
        timeOf('2020/11/3 16:27:16', { ...UTC, dateOrder }),
        '2020-11-03T16:27:16.000Z',
        dateOrder,
      );
    }
  });

  it('reads an unambiguous date without an order', () => {
    assert.equal(timeOf('13/11/2020, 16:27:16.933'), '2020-11-13T16:27:16.933Z');
    assert.equal(timeOf('11/13/2020, 4:27:16.933 PM'), '2020-11-13T16:27:16.933Z');
    assert.equal(timeOf('13.11.2020 16:27:16'), '2020-11-13T16:27:16.000Z');
    assert.equal(timeOf('2020/11/3 16:27:16'), '2020-11-03T16:27:16.000Z');
  });

  it('reads more portal locales', () => {
    const cases: Array<[string, string, TimeDefaults['dateOrder']?]> = [
      ['ko-KR', '2020. 11. 3. 오후 4:27:16.933'],
      ['ko-KR', '2020. 11. 3. PM 4:27:16.933'],
      ['hu-HU', '2020. 11. 03. 16:27:16,933'],
      ['zh-TW', '2020/11/3 下午4:27:16.933'],
      ['cs-CZ', '3. 11. 2020 16:27:16,933', 'dmy'],
      ['fi-FI', '3.11.2020 klo 16.27.16,933', 'dmy'],
      ['da-DK', '3.11.2020, 16.27.16,933', 'dmy'],
    ];
    for (const [locale, text, dateOrder] of cases) {
      assert.equal(timeOf(text, { ...UTC, dateOrder }), '2020-11-03T16:27:16.933Z', locale);
    }
    assert.equal(timeOf('2020/11/3 上午4:27:16', UTC), '2020-11-03T04:27:16.000Z');
    // Newer ICU versions write a narrow no-break space before PM and a thin space before 下午.
    const mdy = { ...UTC, dateOrder: 'mdy' as const };
    assert.equal(timeOf('11/3/2020, 4:27:16\u202fPM', mdy), '2020-11-03T16:27:16.000Z');
    assert.equal(timeOf('2020/11/3 \u2009下午4:27:16', UTC), '2020-11-03T16:27:16.000Z');
    assert.equal(timeOf('2020. 11. 3. 오전 12:05:00', UTC), '2020-11-03T00:05:00.000Z');
  });

  it('rejects double meridiem and Buddhist year', () => {
    const twice = parseLogTime('2020/11/3 下午4:27:16 PM', UTC);
    assert.equal(!twice.ok && twice.code, 'INVALID_TIME');
    for (const dateOrder of ['dmy', 'mdy', 'ymd', undefined] as const) {
      const thai = parseLogTime('13/11/2563 16:27:16.933', { ...UTC, dateOrder });
      assert.equal(!thai.ok && thai.code, 'INVALID_TIME', dateOrder);
      const message = !thai.ok ? thai.message : '';
      assert.match(message, /year 2563 looks like a Thai Buddhist-era year/, dateOrder);
    }
  });

  it('rejects an ambiguous date without an order', () => {
    const result = parseLogTime('03/11/2020, 16:27:16', UTC);
    assert.equal(!result.ok && result.code, 'AMBIGUOUS_TIME');
    assert.match(!result.ok ? result.message : '', /--date-order/);
  });

  it('rejects dates that fit no order', () => {
    for (const text of ['13/13/2020 10:00:00', '32/01/2020 10:00:00', '00/11/2020 10:00:00']) {
      const result = parseLogTime(text, UTC);
      assert.equal(!result.ok && result.code, 'INVALID_TIME', text);
    }
  });
});

const HEADER = 'TimeGenerated [UTC],DeviceVendor,DestinationIP,DestinationPort,SourceIP';

async function writeLog(t: TestContext, name: string, lines: string[]): Promise<string> {
  const file = join(makeTempDir('date-order', t), name);
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

function timeAt(events: Awaited<ReturnType<typeof collectEvents>>['events'], line: number) {
  const time = eventAt(events, line).columns.TimeGenerated;
  return time instanceof Date ? time.toISOString() : undefined;
}

describe('readLogs date order of an export', () => {
  it('reads ambiguous rows before the deciding row', async (t) => {
    const file = await writeLog(t, 'eu.csv', [
      HEADER,
      '"03/11/2020, 16:27:16.933",Akamai,45.9.148.10,4444,10.0.0.1',
      '"05/11/2020, 09:00:00.000",Akamai,45.9.148.10,4444,10.0.0.1',
      '"13/11/2020, 16:27:16.933",Akamai,45.9.148.10,4444,10.0.0.1',
    ]);
    const { events, stats } = await collectEvents([file]);
    assert.equal(timeAt(events, 2), '2020-11-03T16:27:16.933Z');
    assert.equal(timeAt(events, 3), '2020-11-05T09:00:00.000Z');
    assert.equal(timeAt(events, 4), '2020-11-13T16:27:16.933Z');
    assert.equal(stats.fieldWarnings, 0);
  });

  it('decides from a row beyond many ambiguous ones', async (t) => {
    const rows = [HEADER];
    for (let i = 0; i < 3000; i++)
      rows.push('"03/11/2020, 16:27:16",Akamai,45.9.148.10,4444,10.0.0.1');
    rows.push('"13/11/2020, 16:27:16",Akamai,45.9.148.10,4444,10.0.0.1');
    const file = await writeLog(t, 'long.csv', rows);
    const { events, stats } = await collectEvents([file]);
    assert.equal(events.length, 3001);
    assert.equal(timeAt(events, 2), '2020-11-03T16:27:16.000Z');
    assert.equal(timeAt(events, 3001), '2020-11-03T16:27:16.000Z');
    assert.equal(stats.fieldWarnings, 0);
  });

  it('warns once when every date is ambiguous', async (t) => {
    const file = await writeLog(t, 'ambiguous.csv', [
      HEADER,
      '"03/11/2020, 16:27:16.933",Akamai,45.9.148.10,4444,10.0.0.1',
      '"04/11/2020, 16:27:16.933",Akamai,45.9.148.10,4444,10.0.0.1',
    ]);
    const { events, stats } = await collectEvents([file]);
    assert.equal(timeAt(events, 2), '2020-03-11T16:27:16.933Z');
    assert.deepEqual(stats.fieldWarningsByReason, { AMBIGUOUS_DATE_ORDER: 1 });
    const warning = stats.warnings[0];
    assert.equal(warning?.source?.file, file);
    assert.equal(warning?.source?.line, 2);
    assert.ok(warning?.message.includes(`"${file}"`), warning?.message);
    assert.match(warning?.message ?? '', /"03\/11\/2020, 16:27:16\.933"/);
    assert.match(warning?.message ?? '', /month-first \(mdy\)/);
    assert.match(warning?.message ?? '', /read as 2020-03-11/);
    assert.match(warning?.message ?? '', /--date-order dmy/);
  });

  it('reads ambiguous dotted dates day-first', async (t) => {
    const file = await writeLog(t, 'de.csv', [
      HEADER,
      '"03.11.2020, 16:27:16.933",Akamai,45.9.148.10,4444,10.0.0.1',
    ]);
    const { events, stats } = await collectEvents([file]);
    assert.equal(timeAt(events, 2), '2020-11-03T16:27:16.933Z');
    assert.deepEqual(stats.fieldWarningsByReason, { AMBIGUOUS_DATE_ORDER: 1 });
    assert.match(stats.warnings[0]?.message ?? '', /day-first \(dmy\).*--date-order mdy/);
  });

  it('takes the order option without a warning', async (t) => {
    const file = await writeLog(t, 'ambiguous.csv', [
      HEADER,
      '"03/11/2020, 16:27:16.933",Akamai,45.9.148.10,4444,10.0.0.1',
    ]);
    const { events, stats } = await collectEvents([file], { dateOrder: 'dmy' });
    assert.equal(timeAt(events, 2), '2020-11-03T16:27:16.933Z');
    assert.equal(stats.fieldWarnings, 0);
  });

  it('rejects a date that contradicts its file', async (t) => {
    const file = await writeLog(t, 'mixed.csv', [
      HEADER,
      '"13/11/2020, 16:27:16.933",Akamai,45.9.148.10,4444,10.0.0.1',
      '"11/14/2020, 4:27:16.933 PM",Akamai,45.9.148.10,4444,10.0.0.1',
    ]);
    const { events, stats } = await collectEvents([file]);
    assert.equal(timeAt(events, 2), '2020-11-13T16:27:16.933Z');
    assert.equal(timeAt(events, 3), undefined);
    assert.deepEqual(stats.fieldWarningsByReason, { INVALID_TIME: 1 });
    const warning = stats.warnings[0];
    assert.equal(warning?.source?.file, file);
    assert.equal(warning?.source?.line, 3);
    assert.match(warning?.message ?? '', /"11\/14\/2020, 4:27:16\.933 PM"/);
    assert.match(warning?.message ?? '', /day-first \(dmy\) order of this file/);
    assert.match(warning?.message ?? '', /on line 2/);
  });

  it('chooses the order per file', async (t) => {
    const dayFirst = await writeLog(t, 'eu.csv', [
      HEADER,
      '"03/11/2020, 16:27:16",Akamai,45.9.148.10,4444,10.0.0.1',
      '"13/11/2020, 16:27:16",Akamai,45.9.148.10,4444,10.0.0.1',
    ]);
    const monthFirst = await writeLog(t, 'us.csv', [
      HEADER,
      '"03/11/2020, 4:27:16 PM",Akamai,45.9.148.10,4444,10.0.0.1',
      '"11/13/2020, 4:27:16 PM",Akamai,45.9.148.10,4444,10.0.0.1',
    ]);
    const { events, stats } = await collectEvents([dayFirst, monthFirst]);
    const times = events.map((event) => (event.columns.TimeGenerated as Date).toISOString());
    assert.deepEqual(times, [
      '2020-11-03T16:27:16.000Z',
      '2020-11-13T16:27:16.000Z',
      '2020-03-11T16:27:16.000Z',
      '2020-11-13T16:27:16.000Z',
    ]);
    assert.equal(stats.fieldWarnings, 0);
  });

  it('counts warnings of a reparsed row once', async (t) => {
    const file = await writeLog(t, 'port.csv', [
      HEADER,
      '"03/11/2020, 16:27:16",Akamai,45.9.148.10,99999,10.0.0.1',
      '"13/11/2020, 16:27:16",Akamai,45.9.148.10,4444,10.0.0.1',
    ]);
    const { events, stats } = await collectEvents([file]);
    assert.equal(timeAt(events, 2), '2020-11-03T16:27:16.000Z');
    assert.deepEqual(stats.fieldWarningsByReason, { INVALID_PORT: 1 });
  });
});

describe('readLogs date order through a field map', () => {
  const map = { ts: 'TimeGenerated', dst: 'DestinationIP' };

  it('chooses the order of a mapped CSV', async (t) => {
    const file = await writeLog(t, 'fw.csv', [
      'ts,dst',
      '03/11/2020 16:27:16,45.9.148.10',
      '13/11/2020 16:27:16,45.9.148.10',
    ]);
    const { events, stats } = await collectEvents([file], { map, timezone: 'UTC' });
    assert.equal(stats.files[0]?.format, 'mapped-csv');
    assert.equal(timeAt(events, 2), '2020-11-03T16:27:16.000Z');
    assert.equal(stats.fieldWarnings, 0);
  });

  it('chooses the order of mapped JSON lines', async (t) => {
    const file = await writeLog(t, 'fw.json', [
      JSON.stringify({ ts: '03/11/2020 16:27:16', dst: '45.9.148.10' }),
      JSON.stringify({ ts: '13/11/2020 16:27:16', dst: '45.9.148.10' }),
      JSON.stringify({ ts: '14/11/2020 16:27:16' }),
    ]);
    const { events, stats } = await collectEvents([file], {
      map: { ...map, nosuch: 'SourceIP' },
      timezone: 'UTC',
    });
    assert.equal(stats.files[0]?.format, 'mapped-json');
    assert.equal(timeAt(events, 1), '2020-11-03T16:27:16.000Z');
    // The object parsed again is counted once in the file's MAPPED_FIELD_MISSING error.
    assert.match(stats.fileErrors[0]?.message ?? '', /any of its 3 JSON objects/);
  });
});
