import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { collectEvents, eventAt, logFixture } from './collect-events.js';

describe('readLogs on CommonSecurityLog exports', () => {
  it('reads the Cisco Firepower CSV export', async () => {
    const file = logFixture(
      'commonsecuritylog/azure-sentinel-2020_CiscoFirepowerEStreamerCONN.csv',
    );
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.files[0]?.format, 'commonsecuritylog-csv');
    assert.equal(stats.eventsParsed, 6);
    // The header row is no record, so it is neither read nor skipped in the counts.
    assert.equal(stats.linesRead, 6);
    assert.deepEqual(stats.skippedByReason, {});
    assert.equal(stats.files[0]?.csvHeader, true);
    const first = eventAt(events, 2).columns;
    assert.deepEqual(first.TimeGenerated, new Date('2020-10-15T18:38:45.828Z'));
    assert.equal(first.DestinationIP, '13.107.4.52');
    assert.equal(first.DestinationPort, 80);
    assert.equal(first.SourceIP, '10.1.8.20');
    assert.equal(first.RequestURL, 'http://www.msftconnecttest.com/connecttest.txt');
    assert.equal(first.ExternalID, 11915);
  });

  it('reads the Akamai CSV export', async () => {
    const file = logFixture('commonsecuritylog/azure-sentinel-2020_AkamaiSIEM.csv');
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.eventsParsed, 29);
    const first = eventAt(events, 2).columns;
    assert.deepEqual(first.TimeGenerated, new Date('2020-11-13T16:27:16.933Z'));
    assert.equal(first.DestinationHostName, 'api.sample-group.com');
    assert.equal(first.SourceIP, '1.2.3.4');
  });

  it('reports bad rows with their lines', async () => {
    const { events, stats } = await collectEvents([logFixture('commonsecuritylog/hard-cases.csv')]);
    assert.deepEqual(
      events.map((event) => event.source.line),
      [2, 4, 5],
    );
    assert.deepEqual(stats.rejectedByReason, { COLUMN_COUNT_MISMATCH: 1, INVALID_CSV: 1 });
    assert.equal(stats.rejections[0]?.source?.line, 6);
    // Every valid date of the file fits both day-first and month-first order.
    assert.deepEqual(stats.fieldWarningsByReason, {
      AMBIGUOUS_DATE_ORDER: 1,
      INVALID_PORT: 1,
      INVALID_TIME: 1,
    });

    const first = eventAt(events, 2).columns;
    assert.deepEqual(first.TimeGenerated, new Date('2024-01-02T00:05:00Z'));
    assert.equal(first.Message, 'two\r\nlines');
    assert.equal(first.NotAColumn, undefined);
    assert.deepEqual(eventAt(events, 4).columns.TimeGenerated, new Date('2024-01-02T12:05:00Z'));
    assert.equal(eventAt(events, 4).columns.DestinationPort, undefined);
    assert.equal(eventAt(events, 5).columns.TimeGenerated, undefined);
  });
});

describe('readLogs on DeviceNetworkEvents exports', () => {
  it('routes the rows of a mixed export', async () => {
    const file = logFixture(
      'devicenetworkevents/plaso_m365d-advanced-hunting-export_mixed-tables.csv',
    );
    const { events, stats } = await collectEvents([file]);
    assert.equal(stats.files[0]?.format, 'devicenetworkevents-csv');
    assert.equal(stats.linesRead, 129);
    assert.equal(stats.eventsParsed, 44);
    assert.deepEqual(stats.eventsByTable, {
      DeviceNetworkEvents: 32,
      DeviceFileEvents: 8,
      DeviceProcessEvents: 2,
      DeviceImageLoadEvents: 2,
    });
    assert.deepEqual(stats.skippedByReason, {
      NOT_HUNTED_TABLE: 69,
      DEVICE_EVENTS_NOT_HUNTED_HERE: 10,
      URL_CLICK_EVENTS_NOT_HUNTED_HERE: 6,
    });
    const network = events.filter((event) => event.table === 'DeviceNetworkEvents');
    const actionTypes = new Set(network.map((event) => event.columns.ActionType));
    assert.ok(actionTypes.has('SslConnectionInspected'));
    assert.ok(!actionTypes.has('LogonSuccess'));
    assert.ok(!actionTypes.has('FirewallInboundConnectionBlocked'));

    const mapped = eventAt(events, 70).columns;
    assert.equal(mapped.ActionType, 'ConnectionFound');
    assert.equal(mapped.RemoteIP, '::ffff:172.64.149.247');
    assert.deepEqual(mapped.Timestamp, new Date('2023-12-21T20:00:16.146Z'));
    assert.deepEqual(mapped.TimeGenerated, mapped.Timestamp);
    assert.equal(eventAt(events, 77).columns.RemoteIP, '2a02:c0:ac::e51:1');
    assert.equal(eventAt(events, 108).columns.ActionType, 'SmtpConnectionInspected');
  });

  it('reads a JSON array with typed values', async () => {
    const { events, stats } = await collectEvents([
      logFixture('devicenetworkevents/hard-cases.json'),
    ]);
    assert.equal(stats.files[0]?.format, 'devicenetworkevents-json');
    assert.equal(stats.linesRead, 3);
    assert.deepEqual(stats.skippedByReason, { NOT_HUNTED_TABLE: 1 });
    assert.deepEqual(stats.fieldWarningsByReason, { INVALID_PORT: 1 });
    const first = eventAt(events, 2).columns;
    assert.equal(first.LocalPort, 50000);
    assert.equal(first.ReportId, '9007199254740993');
    assert.equal(first.AdditionalFields, '{"a":1}');
    assert.deepEqual(first.Timestamp, new Date('2024-05-01T10:00:00.123Z'));
    const third = events[1]?.columns;
    assert.equal(third?.RemoteIP, '198.51.100.1');
    assert.equal(third?.RemotePort, undefined);
  });

  it('reads Event Hub batches', async (t) => {
    // The envelopes of the fixture, delivered as Event Hubs does: in a records array.
    const envelopes = (await readFile(logFixture('devicenetworkevents/event-hub.jsonl'), 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as unknown);
    const folder = makeTempDir('event-hub-batches', t);
    const oneLine = join(folder, 'batch.json');
    await writeFile(oneLine, `${JSON.stringify({ records: envelopes })}\n`);
    const pretty = join(folder, 'pretty.json');
    await writeFile(pretty, `${JSON.stringify({ records: envelopes }, null, 2)}\n`);
    for (const file of [oneLine, pretty]) {
      const { events, stats } = await collectEvents([file]);
      assert.equal(stats.files[0]?.format, 'devicenetworkevents-json', file);
      assert.deepEqual(
        events.map((event) => [event.table, event.source.line]),
        [
          ['DeviceNetworkEvents', 1],
          ['DeviceProcessEvents', 1],
        ],
        file,
      );
      assert.equal(events[0]?.columns.RemotePort, 8080);
    }
  });

  it('detects large, empty and keyed batches', async (t) => {
    const envelope = (port: number) => ({
      time: '2024-05-01T10:00:00Z',
      category: 'AdvancedHunting-DeviceNetworkEvents',
      properties: {
        DeviceName: 'pc2',
        ActionType: 'ConnectionSuccess',
        RemoteIP: '203.0.113.5',
        RemotePort: port,
      },
    });
    const many = Array.from({ length: 400 }, (_, index) => envelope(index + 1));
    const folder = makeTempDir('event-hub-batch-shapes', t);
    const cases: Array<[name: string, text: string, events: number]> = [
      // Pretty-printed, so its first event ends far beyond the start that detection reads.
      ['large.json', JSON.stringify({ records: many }, null, 2), 400],
      [
        'empty-first.json',
        [{ records: [] }, { records: [envelope(1)] }]
          .map((batch) => JSON.stringify(batch))
          .join('\n'),
        1,
      ],
      ['keyed.json', JSON.stringify({ records: [envelope(1), envelope(2)], partition: '0' }), 2],
    ];
    assert.ok(cases[0]![1].length > 64 * 1024, 'the large batch is longer than the head');
    for (const [name, text, count] of cases) {
      const file = join(folder, name);
      await writeFile(file, `${text}\n`);
      const { events, stats } = await collectEvents([file]);
      assert.equal(stats.files[0]?.format, 'devicenetworkevents-json', name);
      assert.equal(events.length, count, name);
      assert.equal(events.at(-1)?.columns.RemotePort, count, name);
    }
  });

  it('stops at a broken value of a JSON document', async (t) => {
    const row = (port: number): string =>
      JSON.stringify(
        {
          Timestamp: '2024-05-01T10:00:00Z',
          DeviceName: 'pc1',
          ActionType: 'ConnectionSuccess',
          RemoteIP: '203.0.113.5',
          RemotePort: port,
        },
        null,
        2,
      );
    const folder = makeTempDir('broken-json-document', t);
    const cases: Array<[name: string, text: string, code: string, line: number]> = [
      // The second object lacks its closing brace, so it runs on to the end of the file.
      ['unclosed.json', [row(1), row(2).slice(0, -1), row(3)].join('\n'), 'TRUNCATED_JSON', 8],
      [
        'invalid.json',
        `[${[row(1), row(2).replace('"pc1"', 'pc1'), row(3)].join(',\n')}]`,
        'INVALID_JSON_DOCUMENT',
        8,
      ],
    ];
    for (const [name, text, code, line] of cases) {
      const file = join(folder, name);
      await writeFile(file, `${text}\n`);
      const { events, stats } = await collectEvents([file]);
      assert.deepEqual(
        events.map((event) => event.columns.RemotePort),
        [1],
        name,
      );
      assert.deepEqual(
        stats.fileErrors.map((issue) => [issue.code, issue.source?.line]),
        [[code, line]],
        name,
      );
    }
  });

  it('unwraps Event Hub envelopes', async () => {
    const { events, stats } = await collectEvents([
      logFixture('devicenetworkevents/event-hub.jsonl'),
    ]);
    assert.equal(stats.linesRead, 4);
    assert.deepEqual(
      events.map((event) => event.table),
      ['DeviceNetworkEvents', 'DeviceProcessEvents'],
    );
    assert.deepEqual(stats.skippedByReason, { BLANK_LINE: 1 });
    assert.deepEqual(stats.rejectedByReason, { NOT_AN_OBJECT: 1 });
    assert.equal(events[0]?.columns.RemotePort, 8080);
    assert.deepEqual(events[0]?.columns.Timestamp, new Date('2024-05-01T10:00:00Z'));
  });
});

describe(
  'readLogs on shared exports',
  { skip: skipWithoutShared('logs/commonsecuritylog') },
  () => {
    it('reads every CommonSecurityLog export', async () => {
      const { events, stats } = await collectEvents([sharedFile('logs/commonsecuritylog')]);
      assert.equal(stats.eventsParsed, 6 + 29 + 453 + 240 + 531);
      assert.equal(stats.linesRejected, 0);
      assert.deepEqual(stats.fileErrors, []);
      const sonicWall = eventAt(events, 2, 'SonicWallFirewall_Query_Data.csv').columns;
      assert.deepEqual(sonicWall.TimeGenerated, new Date('2020-11-20T16:20:29.443Z'));
      assert.equal(sonicWall.SourcePort, 57635);
      const thycotic = eventAt(events, 2, 'ThycoticSourceData.json').columns;
      assert.equal(thycotic.SourceIP, '217.147.161.79');
      assert.equal(thycotic.DeviceEventClassID, '16');
      assert.deepEqual(thycotic.TimeGenerated, new Date('2020-09-02T12:59:29.239Z'));
      const illusive = eventAt(events, 2, 'illusive.csv').columns;
      assert.equal(illusive.DeviceAddress, '192.168.77.78');
      assert.equal(illusive.DestinationPort, undefined);
    });

    it('reads the streaming-API DeviceNetworkEvents', async () => {
      const file = sharedFile(
        'logs/devicenetworkevents/sekoia_m365d-streaming-api_DeviceNetworkEvents.jsonl',
      );
      const { events, stats } = await collectEvents([file]);
      assert.equal(stats.eventsParsed, 4);
      assert.equal(events[0]?.columns.RemotePort, 7680);
      assert.deepEqual(events[0]?.columns.Timestamp, new Date('2024-08-07T14:39:37.299Z'));
      assert.equal(events[2]?.columns.RemoteUrl, 'www.example.org');
      assert.equal(events[3]?.columns.ActionType, 'InboundConnectionAttempt');
    });
  },
);
