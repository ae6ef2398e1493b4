import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectEvents, eventAt, logFixture } from './collect-events.js';

const csvMap = {
  ts: 'TimeGenerated',
  src: 'SourceIP',
  dst: 'DestinationIP',
  dport: 'DestinationPort',
};

describe('readLogs with a field map', () => {
  it('maps CSV columns onto CommonSecurityLog', async () => {
    const { events, stats } = await collectEvents([logFixture('mapped/proxy.csv')], {
      map: csvMap,
    });
    assert.equal(stats.files[0]?.format, 'mapped-csv');
    assert.equal(stats.eventsParsed, 3);
    assert.deepEqual(stats.fieldWarningsByReason, { INVALID_PORT: 1, INVALID_TIME: 1 });

    const first = eventAt(events, 2).columns;
    assert.deepEqual(first.TimeGenerated, new Date(1700000000000));
    assert.equal(first.SourceIP, '10.0.0.1');
    assert.equal(first.DestinationIP, '198.51.100.5');
    assert.equal(first.DestinationPort, 443);
    assert.equal(first.note, undefined);
    assert.deepEqual(eventAt(events, 3).columns.TimeGenerated, new Date('2023-11-14T22:13:21Z'));
    assert.equal(eventAt(events, 4).columns.TimeGenerated, undefined);
  });

  it('gives the --map form in the missing-time hint', async () => {
    const { stats } = await collectEvents([logFixture('mapped/proxy.csv')], {
      map: { dst: 'DestinationIP' },
    });
    const warning = stats.warnings.find((issue) => issue.code === 'MISSING_TIME');
    assert.match(warning?.message ?? '', /Map one, such as --map TimeGenerated=ts\.$/);
  });

  it('rejects a header without mapped fields', async () => {
    const { stats } = await collectEvents([logFixture('mapped/proxy.csv')], {
      map: { source_ip: 'SourceIP' },
    });
    assert.equal(stats.rejectedByReason.MAPPED_FIELDS_NOT_FOUND, 1);
    assert.equal(stats.rejections[0]?.source?.line, 1);
  });

  it('maps nested JSON fields by dotted path', async () => {
    const { events, stats } = await collectEvents([logFixture('mapped/flows.jsonl')], {
      map: {
        ts: 'TimeGenerated',
        src: 'SourceIP',
        'net.dst': 'DestinationIP',
        'net.dport': 'DestinationPort',
      },
    });
    assert.equal(stats.files[0]?.format, 'mapped-json');
    assert.equal(stats.eventsParsed, 2);
    assert.deepEqual(stats.rejectedByReason, { NOT_AN_OBJECT: 1 });
    const first = eventAt(events, 1).columns;
    assert.equal(first.DestinationIP, '203.0.113.1');
    assert.equal(first.DestinationPort, 8443);
    assert.deepEqual(first.TimeGenerated, new Date(1700000000500));
    assert.equal(eventAt(events, 2).columns.DestinationIP, '203.0.113.2');
  });

  it('leaves unmapped CSV files unrecognized', async () => {
    const { stats } = await collectEvents([logFixture('mapped/proxy.csv')]);
    assert.equal(stats.fileErrors[0]?.code, 'UNKNOWN_LOG_FORMAT');
  });
});
