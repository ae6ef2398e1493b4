import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, truncateSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ConfigError } from '../../../src/errors.js';
import {
  defaultParseThreads,
  MAX_DEFAULT_PARSE_THREADS,
  readLogs,
  startParseWorkers,
} from '../../../src/hunt/logs/read-logs.js';
import { expandLogPaths } from '../../../src/hunt/logs/log-input.js';
import { collectEvents } from './collect-events.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

function cefLines(count: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    lines.push(
      `CEF:0|Acme|FW|1.0|${i}|Connection|3|src=10.0.0.${i % 250} dpt=${i} rt=1700000000000`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('readLogs', () => {
  it('reads gzip files transparently', async (t) => {
    const folder = makeTempDir('logs', t);
    const file = join(folder, 'events.log.gz');
    writeFileSync(file, gzipSync(cefLines(300)));
    const { events, stats } = await collectEvents([file]);
    assert.equal(events.length, 300);
    assert.equal(stats.files[0]?.format, 'cef');
    assert.equal(events[299]?.columns.DestinationPort, 300);
    assert.equal(events[299]?.source.line, 300);
  });

  it('reports a truncated gzip file and keeps the events before the cut', async (t) => {
    const folder = makeTempDir('logs', t);
    const file = join(folder, 'cut.gz');
    const whole = gzipSync(cefLines(5000));
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    const { events, stats } = await collectEvents([file]);
    assert.ok(events.length > 100, `only ${events.length} events before the cut`);
    assert.ok(events.length < 5000);
    assert.equal(stats.fileErrors.length, 1);
    assert.equal(stats.fileErrors[0]?.code, 'TRUNCATED_GZIP');
    assert.equal(stats.fileErrors[0]?.source?.file, file);
    assert.equal(stats.rejectedByReason.TRUNCATED_LINE, 1);
    assert.equal(stats.rejections[0]?.source?.line, events.length + 1);
  });

  it('expands folders and glob patterns', async (t) => {
    const folder = makeTempDir('logs', t);
    mkdirSync(join(folder, 'nested'));
    writeFileSync(join(folder, 'a.log'), cefLines(2));
    writeFileSync(join(folder, 'nested', 'b.log'), cefLines(3));
    writeFileSync(join(folder, 'nested', 'c.txt'), cefLines(4));

    const all = await collectEvents([folder]);
    assert.equal(all.events.length, 9);
    const globbed = await collectEvents([join(folder, '**/*.log')]);
    assert.equal(globbed.events.length, 5);
    assert.deepEqual(
      globbed.stats.files.map((file) => file.file.slice(folder.length)),
      ['/a.log', '/nested/b.log'],
    );
  });

  it('reports paths that match nothing and unknown formats', async (t) => {
    const folder = makeTempDir('logs', t);
    const unknown = join(folder, 'notes.txt');
    writeFileSync(unknown, 'just some words\nand more\n');
    const { stats } = await collectEvents([join(folder, 'missing.log'), unknown]);
    assert.deepEqual(
      stats.fileErrors.map((issue) => issue.code),
      ['PATH_NOT_FOUND', 'UNKNOWN_LOG_FORMAT'],
    );
    assert.match(stats.fileErrors[1]?.message ?? '', /--format/);
    assert.equal(stats.linesRead, 0);
  });

  it('detects the format behind a long first line', async (t) => {
    const folder = makeTempDir('logs', t);
    const file = join(folder, 'dne.jsonl');
    const event = (url: string) =>
      JSON.stringify({
        Timestamp: '2026-04-01T10:00:00Z',
        ActionType: 'ConnectionSuccess',
        RemoteIP: '203.0.113.9',
        RemoteUrl: url,
      });
    // A first line of 300,000 characters, longer than the head read to detect the format.
    writeFileSync(
      file,
      `${event(`https://a.example/${'x'.repeat(300_000)}`)}\n${event('b.example')}\n`,
    );
    const { events, stats } = await collectEvents([file]);
    assert.deepEqual(stats.fileErrors, []);
    assert.equal(stats.files[0]?.format, 'devicenetworkevents-json');
    assert.equal(events.length, 2);
  });

  it('reads empty and blank files without an error', async (t) => {
    const folder = makeTempDir('logs', t);
    writeFileSync(join(folder, 'empty.log'), '');
    writeFileSync(join(folder, 'bom.log'), '\ufeff');
    writeFileSync(join(folder, 'blank.log'), '\n  \r\n\t\n');
    writeFileSync(join(folder, 'events.log'), cefLines(3));
    const { events, stats } = await collectEvents([folder]);
    assert.deepEqual(stats.fileErrors, []);
    assert.equal(events.length, 3);
    assert.equal(stats.files.length, 4);
    // The byte order mark alone reads as one blank line.
    assert.equal(stats.linesRead, 7);
    assert.equal(stats.linesSkipped, 4);
    assert.equal(stats.linesRead, stats.eventsParsed + stats.linesRejected + stats.linesSkipped);
  });

  it('starts no more parsing threads than ranges', async (t) => {
    const folder = makeTempDir('logs', t);
    const small = join(folder, 'small.log');
    writeFileSync(small, cefLines(3));
    assert.equal(await startParseWorkers([small], 4), undefined);
    // A sparse file of 40 MiB of zero bytes: five ranges of 8 MiB.
    const large = join(folder, 'large.log');
    writeFileSync(large, '');
    truncateSync(large, 40 * 1024 * 1024);
    assert.equal(await startParseWorkers([large], 0), undefined);
    const pool = await startParseWorkers([large, small], 16);
    try {
      assert.equal(pool?.size, 5);
    } finally {
      await pool?.close();
    }
  });

  it('rejects invalid options', () => {
    assert.throws(() => readLogs([], { timezone: 'Mars/Olympus' }), ConfigError);
    assert.throws(() => readLogs([], { year: 12 }), ConfigError);
    assert.throws(() => readLogs([], { map: { dst: 'DestIp' } }), /not a CommonSecurityLog column/);
    for (const parseThreads of [-1, 1.5, 65, Number.NaN]) {
      assert.throws(() => readLogs([], { parseThreads }), /parsing threads/);
    }
  });

  it('defaults to one parsing thread per core', () => {
    const threads = defaultParseThreads();
    const cores = availableParallelism();
    assert.equal(threads, cores < 2 ? 0 : Math.min(cores, MAX_DEFAULT_PARSE_THREADS));
  });

  it('yields batches for bulk loading', async (t) => {
    const folder = makeTempDir('logs', t);
    const file = join(folder, 'events.log');
    writeFileSync(file, cefLines(1000));
    const reader = readLogs([file]);
    let total = 0;
    let batches = 0;
    for await (const batch of reader.batches()) {
      total += batch.length;
      batches++;
    }
    assert.equal(total, 1000);
    assert.ok(batches >= 1);
    assert.equal(reader.stats.eventsParsed, 1000);
  });
});

describe('expandLogPaths on an empty folder', () => {
  it('says the folder holds no file', async (t) => {
    const folder = makeTempDir('empty-logs', t);
    const { files, issues } = await expandLogPaths([folder]);
    assert.deepEqual(files, []);
    assert.equal(issues[0]?.code, 'PATH_NOT_FOUND');
    assert.match(issues[0]?.message ?? '', /^No log file found in the folder ".*": neither it nor/);
  });
});
