import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../helpers/temp-dir.js';
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

  it('rejects a header without one mapped field', async () => {
    const { events, stats } = await collectEvents([logFixture('mapped/proxy.csv')], {
      map: { ts: 'TimeGenerated', src: 'SourceIP', nosuch: 'DestinationIP' },
    });
    assert.equal(stats.rejectedByReason.MAPPED_FIELD_MISSING, 1);
    const issue = stats.rejections[0];
    assert.equal(issue?.source?.line, 1);
    assert.match(
      issue?.message ?? '',
      /^CSV header has no column "nosuch" \(--map DestinationIP=nosuch\), so DestinationIP is empty in every event of the file: header starts "ts,src,dst,dport,note"\./,
    );
    // The rows are still read through the fields that the header has.
    assert.equal(stats.eventsParsed, 3);
    assert.equal(eventAt(events, 2).columns.SourceIP, '10.0.0.1');
  });

  it('reports JSON without one mapped field', async (t) => {
    const file = join(makeTempDir('mapped-json', t), 'ecs.json');
    await writeFile(
      file,
      '{"@timestamp":"2026-07-31T10:00:00Z","source":{"ip":"10.0.0.5"},"destination":{"ip":"203.0.113.7","port":8084}}\n' +
        '{"@timestamp":"2026-07-31T10:00:01Z","source":{"ip":"10.0.0.6"},"destination":{"ip":"203.0.113.8"}}\n',
    );
    const { events, stats } = await collectEvents([file], {
      map: {
        '@timestamp': 'TimeGenerated',
        'destination.address': 'DestinationIP',
        'destination.port': 'DestinationPort',
        'source.mac': 'SourceMACAddress',
      },
    });
    assert.equal(stats.eventsParsed, 2);
    assert.equal(eventAt(events, 1).columns.DestinationPort, 8084);
    assert.equal(stats.fileErrors.length, 1);
    const issue = stats.fileErrors[0];
    assert.equal(issue?.code, 'MAPPED_FIELD_MISSING');
    assert.equal(issue?.severity, 'error');
    assert.deepEqual(issue?.source, { file });
    // destination.port is in one object only, which is enough.
    assert.match(
      issue?.message ?? '',
      /has no field "destination\.address" \(--map DestinationIP=destination\.address\), "source\.mac" \(--map SourceMACAddress=source\.mac\) in any of its 2 JSON objects, so DestinationIP, SourceMACAddress are empty in every event of the file\./,
    );
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

  it('reports JSON lines without mapped fields', async (t) => {
    const file = join(makeTempDir('mapped-json', t), 'custom.json');
    await writeFile(
      file,
      '{"ts":"2026-04-10T10:00:00Z","dst_ip":"203.0.113.7","dst_port":443}\n' +
        '{"ts":"2026-04-10T10:00:01Z","dst_ip":"203.0.113.8","dst_port":80}\n',
    );
    const { stats } = await collectEvents([file], { map: { nope: 'DestinationIP' } });
    assert.equal(stats.files[0]?.format, 'mapped-json');
    // The records are still events, as the rows under a CSV header without the fields are.
    assert.equal(stats.eventsParsed, 2);
    assert.equal(stats.fileErrors.length, 1);
    const issue = stats.fileErrors[0];
    assert.equal(issue?.code, 'MAPPED_FIELDS_NOT_FOUND');
    assert.equal(issue?.severity, 'error');
    assert.deepEqual(issue?.source, { file });
    assert.match(
      issue?.message ?? '',
      /none of the mapped fields "nope" in any of its 2 JSON objects/,
    );
    assert.match(issue?.message ?? '', /the first object has the fields "ts, dst_ip, dst_port"/);
  });

  it('reports a JSON array without mapped fields', async (t) => {
    const file = join(makeTempDir('mapped-json', t), 'custom.json');
    await writeFile(file, '[{"net":{"dst":"203.0.113.7"}}, {"net":{"src":"10.0.0.1"}}]\n');
    const { stats } = await collectEvents([file], {
      map: { 'net.dport': 'DestinationPort', dst: 'DestinationIP' },
    });
    assert.equal(stats.eventsParsed, 2);
    assert.deepEqual(
      stats.fileErrors.map((issue) => issue.code),
      ['MAPPED_FIELDS_NOT_FOUND'],
    );
  });

  it('accepts JSON with one mapped field', async (t) => {
    const folder = makeTempDir('mapped-json', t);
    const sparse = join(folder, 'sparse.json');
    // Only the last record has the field, and a null value still names it.
    await writeFile(sparse, '{"a":1}\n{"b":2}\n{"dst":"203.0.113.7"}\n');
    const nulled = join(folder, 'nulled.json');
    await writeFile(nulled, '{"dst":null}\n');
    for (const file of [sparse, nulled]) {
      const { stats } = await collectEvents([file], { map: { dst: 'DestinationIP' } });
      assert.equal(stats.files[0]?.format, 'mapped-json', file);
      assert.deepEqual(stats.fileErrors, [], file);
    }
  });

  it('reports nothing for JSON without objects', async (t) => {
    const file = join(makeTempDir('mapped-json', t), 'numbers.json');
    await writeFile(file, '1\n"text"\n');
    const { stats } = await collectEvents([file], {
      map: { dst: 'DestinationIP' },
      format: 'mapped-json',
    });
    // Each value is rejected on its own, and no object was there to lack the fields.
    assert.deepEqual(stats.rejectedByReason, { NOT_AN_OBJECT: 2 });
    assert.deepEqual(stats.fileErrors, []);
  });

  it('leaves unmapped CSV files unrecognized', async () => {
    const { stats } = await collectEvents([logFixture('mapped/proxy.csv')]);
    assert.equal(stats.fileErrors[0]?.code, 'UNKNOWN_LOG_FORMAT');
  });
});
