import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventPrefilter } from '../../../src/hunt/event-prefilter.js';
import type { LogEvent } from '../../../src/hunt/logs/event.js';
import { createLogReadStats, LogStatsRecorder } from '../../../src/hunt/logs/log-stats.js';
import { parseTimeZone } from '../../../src/hunt/logs/log-time.js';
import { MAX_LINE_BYTES } from '../../../src/feeds/line-limit.js';
import { LogInputError } from '../../../src/hunt/logs/log-input.js';
import {
  CefWorkerPool,
  PART_BYTES,
  readCefInParallel,
} from '../../../src/hunt/logs/parallel-cef.js';
import { readLogs } from '../../../src/hunt/logs/read-logs.js';
import { edgeHunts } from '../../helpers/hunt-fixtures.js';
import { logFixture } from './collect-events.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const MAX_ISSUES = 7;

/**
 * Writes the hard cases and the vendor samples, repeated, with events that the edge hunts
 * match, so that every part has rejections, blank lines, field warnings and kept events.
 */
function writeMixedFile(): string {
  const samples = [
    ...readFileSync(logFixture('cef/hard-cases.log'), 'utf8').trimEnd().split('\n'),
    ...readFileSync(logFixture('cef/azure-sentinel_fortiwebwafsamplelog_TRIMMED.txt'), 'utf8')
      .trimEnd()
      .split('\n'),
    'CEF:0|Acme|FW|1.0|1|Planted|5|dst=203.0.113.7 dpt=443 rt=1700000000000',
    'CEF:0|Acme|FW|1.0|2|Planted|5|dhost=A.EVIL.example. dpt=https\r',
  ];
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) lines.push(samples[(i * 11) % samples.length]!);
  const file = join(makeTempDir('parallel'), 'mixed.log');
  writeFileSync(file, `\ufeff${lines.join('\n')}\nCEF:0|Acme|FW|1.0|3|Last|5|src=198.51.100.23`);
  return file;
}

describe('readCefInParallel', () => {
  const filter = EventPrefilter.of(edgeHunts());
  const time = { year: 2024, timeZone: parseTimeZone('UTC') };
  let file: string;
  let pool: CefWorkerPool;
  before(() => {
    file = writeMixedFile();
    pool = new CefWorkerPool(2);
    pool.configure({ time, filter: filter.spec, maxIssues: MAX_ISSUES });
  });
  after(() => pool.close());

  it('reads as the main thread does', async () => {
    const sequential = readLogs([file], {
      year: 2024,
      timezone: 'UTC',
      filter,
      parseThreads: 0,
      maxIssues: MAX_ISSUES,
    });
    const expected: LogEvent[] = [];
    for await (const batch of sequential.batches()) expected.push(...batch);

    const stats = createLogReadStats();
    const recorder = new LogStatsRecorder(stats, MAX_ISSUES);
    const fileStats = recorder.startFile(file, 'cef');
    const actual: LogEvent[] = [];
    const size = statSync(file).size;
    for await (const batch of readCefInParallel(file, size, pool, recorder, fileStats, 4096)) {
      actual.push(...batch);
    }

    assert.ok(expected.length > 50, `only ${expected.length} events kept`);
    assert.ok(sequential.stats.linesRejected > 0);
    assert.ok(sequential.stats.fieldWarnings > MAX_ISSUES);
    assert.deepEqual(actual, expected);
    assert.deepEqual(stats, sequential.stats);
  });

  it('records columns with values', async () => {
    // The only file hash is on the last line, in the last of many parts.
    const line = 'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.1 dst=192.0.2.50 rt=1700000000000\n';
    const hashFile = join(makeTempDir('parallel-hash'), 'hash.log');
    writeFileSync(
      hashFile,
      line.repeat(400) + line.replace('rt=', `fileHash=${'ab'.repeat(32)} rt=`),
    );
    const size = statSync(hashFile).size;

    const sequentialFilter = EventPrefilter.of(edgeHunts());
    const sequential = readLogs([hashFile], { filter: sequentialFilter, parseThreads: 0 });
    let sequentialEvents = 0;
    for await (const batch of sequential.batches()) sequentialEvents += batch.length;

    // A pool of its own, because a worker's filter keeps the columns of every part it parsed
    // since the pool was configured.
    const threadedFilter = EventPrefilter.of(edgeHunts());
    const threadedPool = new CefWorkerPool(2);
    let threadedEvents = 0;
    try {
      threadedPool.configure({ time, filter: threadedFilter.spec, maxIssues: MAX_ISSUES });
      const recorder = new LogStatsRecorder(createLogReadStats(), MAX_ISSUES);
      const fileStats = recorder.startFile(hashFile, 'cef');
      const parts = readCefInParallel(
        hashFile,
        size,
        threadedPool,
        recorder,
        fileStats,
        4096,
        threadedFilter,
      );
      for await (const batch of parts) threadedEvents += batch.length;
    } finally {
      await threadedPool.close();
    }

    // The planted hash is an indicator of the edge hunts, so its line is the one event kept.
    assert.equal(sequentialEvents, 1);
    assert.equal(threadedEvents, 1);
    const expected = sequentialFilter.columnsWithValues();
    assert.ok(size > 4096 * 4, `only ${size} bytes`);
    assert.deepEqual(expected.CommonSecurityLog, ['DestinationIP', 'SourceIP', 'FileHash']);
    assert.deepEqual(threadedFilter.columnsWithValues(), expected);
  });

  it('stops at a line over 64 MiB', async () => {
    const planted =
      'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.1 dst=203.0.113.7 dpt=443 rt=1700000000000';
    const longFile = join(makeTempDir('parallel-long'), 'long.log');
    writeFileSync(longFile, `${planted}\n${'x'.repeat(MAX_LINE_BYTES + 10)}\n${planted}\n`);
    const size = statSync(longFile).size;
    const recorder = new LogStatsRecorder(createLogReadStats(), MAX_ISSUES);
    const fileStats = recorder.startFile(longFile, 'cef');
    const events: LogEvent[] = [];
    const parts = readCefInParallel(longFile, size, pool, recorder, fileStats, PART_BYTES);
    await assert.rejects(
      async () => {
        for await (const batch of parts) events.push(...batch);
      },
      (error: unknown) =>
        error instanceof LogInputError &&
        error.code === 'LINE_TOO_LONG' &&
        error.source?.line === 2 &&
        error.message.includes('longer than 67,108,864 bytes'),
    );
    // The event before the long line is kept; the one after it is never read.
    assert.deepEqual(
      events.map((event) => event.source.line),
      [1],
    );
  });

  it('tells a file without compared values', async () => {
    const login = 'CEF:0|Acme|FW|1.0|7|Login|5|suser=admin rt=1700000000000\n';
    const conn = 'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.1 dst=192.0.2.50 rt=1700000000000\n';
    const folder = makeTempDir('parallel-values');
    const cases: Array<[name: string, text: string, valued: boolean]> = [
      ['logins.log', login.repeat(400), false],
      // The only address is on the last line, in the last of many parts.
      ['late.log', login.repeat(400) + conn, true],
    ];
    for (const [name, text, valued] of cases) {
      const path = join(folder, name);
      writeFileSync(path, text);
      const fileFilter = EventPrefilter.of(edgeHunts());
      const filePool = new CefWorkerPool(2);
      try {
        filePool.configure({ time, filter: fileFilter.spec, maxIssues: MAX_ISSUES });
        const recorder = new LogStatsRecorder(createLogReadStats(), MAX_ISSUES);
        const fileStats = recorder.startFile(path, 'cef');
        fileFilter.startFile();
        const size = statSync(path).size;
        const parts = readCefInParallel(
          path,
          size,
          filePool,
          recorder,
          fileStats,
          4096,
          fileFilter,
        );
        let keptEvents = 0;
        for await (const batch of parts) keptEvents += batch.length;
        // No line names an indicator, so the filter keeps none of them.
        assert.equal(keptEvents, 0, name);
      } finally {
        await filePool.close();
      }
      const without = fileFilter.fileWithoutValues();
      assert.equal(without === undefined, valued, name);
      if (!valued) assert.equal(without?.table, 'CommonSecurityLog');
    }
  });
});
