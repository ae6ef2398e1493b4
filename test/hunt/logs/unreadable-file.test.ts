/**
 * Log files that cannot be opened: each one is reported as a file error and the other files are
 * still read. The failures are made in ways that also work as root: a file removed, or replaced
 * by a folder, after the paths were listed and before the file is opened.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import {
  LogInputError,
  openLogText,
  readLineBatches,
  readLogHead,
} from '../../../src/hunt/logs/log-input.js';
import { readLogs, type LogFormat } from '../../../src/hunt/logs/read-logs.js';
import { csvRecords, jsonRecords, lineRecords } from '../../../src/hunt/logs/record-sources.js';
import type { LogEvent } from '../../../src/hunt/logs/event.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { logFixture } from './collect-events.js';

function cefLines(count: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    lines.push(`CEF:0|Acme|FW|1.0|${i}|Connection|3|src=10.0.0.${i} dpt=${i} rt=1700000000000`);
  }
  return `${lines.join('\n')}\n`;
}

/** How the second file stops being readable after the paths were listed. */
type Breakage = 'removed' | 'folder';

const EXPECTED_REASON: Record<Breakage, RegExp> = {
  removed: /ENOENT: no such file or directory/,
  folder: /EISDIR: illegal operation on a directory/,
};

const DESCRIBED: Record<Breakage, string> = {
  removed: 'a removed',
  folder: 'a folder in place of',
};

function breakFile(file: string, breakage: Breakage): void {
  rmSync(file);
  if (breakage === 'folder') mkdirSync(file);
}

/**
 * Reads `readable` and then `victim`, and breaks `victim` while the first batch of `readable`
 * is being consumed, which is after the paths were listed and before `victim` is opened.
 */
async function readBreakingSecond(
  readable: string,
  victim: string,
  breakage: Breakage,
  format?: LogFormat,
): Promise<{ events: LogEvent[]; reader: ReturnType<typeof readLogs> }> {
  const reader = readLogs([readable, victim], { format, maxIssues: 100 });
  const events: LogEvent[] = [];
  let broken = false;
  for await (const batch of reader.batches()) {
    if (!broken) {
      breakFile(victim, breakage);
      broken = true;
    }
    events.push(...batch);
  }
  // A stream left without an error listener would fail the test on the next turn.
  await nextMacrotask();
  return { events, reader };
}

/** A readable log of each way of reading: lines, gzip lines, CSV rows and JSON lines. */
const SAMPLES: Array<{
  name: string;
  format: LogFormat;
  write: (file: string) => void;
}> = [
  {
    name: 'cef.log',
    format: 'cef',
    write: (file) => writeFileSync(file, cefLines(20)),
  },
  {
    name: 'cef.log.gz',
    format: 'cef',
    write: (file) => writeFileSync(file, gzipSync(cefLines(20))),
  },
  {
    name: 'csl.csv',
    format: 'commonsecuritylog-csv',
    write: (file) =>
      writeFileSync(
        file,
        'TimeGenerated,DeviceVendor,DeviceProduct,SourceIP,DestinationIP,DestinationPort\n' +
          '2026-04-01T10:00:00Z,Acme,FW,10.0.0.1,203.0.113.7,443\n' +
          '2026-04-01T10:00:01Z,Acme,FW,10.0.0.2,203.0.113.8,80\n',
      ),
  },
  {
    name: 'dne.jsonl',
    format: 'devicenetworkevents-json',
    write: (file) => copyFileSync(logFixture('devicenetworkevents/event-hub.jsonl'), file),
  },
];

describe('log input that cannot be opened', () => {
  for (const breakage of ['removed', 'folder'] as const) {
    for (const sample of SAMPLES) {
      for (const detect of [true, false]) {
        const formatSource = detect ? 'detected' : 'given';
        it(`reports ${DESCRIBED[breakage]} ${sample.name}, format ${formatSource}`, async (t) => {
          const folder = makeTempDir('unreadable', t);
          const readable = join(folder, `readable-${sample.name}`);
          const victim = join(folder, `victim-${sample.name}`);
          sample.write(readable);
          sample.write(victim);
          const alone = await countEvents(readable);
          assert.ok(alone > 0, 'the readable sample holds no event');

          const format = detect ? undefined : sample.format;
          const { events, reader } = await readBreakingSecond(readable, victim, breakage, format);
          const { stats } = reader;

          assert.equal(stats.fileErrors.length, 1, JSON.stringify(stats.fileErrors));
          const issue = stats.fileErrors[0]!;
          assert.equal(issue.code, 'FILE_READ_FAILED');
          assert.equal(issue.source?.file, victim);
          assert.equal(issue.source?.line, undefined);
          assert.ok(issue.message.includes(`"${victim}"`), issue.message);
          assert.match(issue.message, EXPECTED_REASON[breakage]);
          // The system message's ", open '<path>'" is left out, because the file is named once.
          assert.doesNotMatch(issue.message, /, open '/);

          assert.deepEqual(
            stats.files.map((file) => file.file),
            [readable, victim],
          );
          assert.equal(stats.files[1]?.linesRead, 0);
          assert.equal(events.length, alone);
          assert.ok(events.every((event) => event.source.file === readable));
          assert.equal(
            stats.linesRead,
            stats.eventsParsed + stats.linesRejected + stats.linesSkipped,
          );
        });
      }
    }
  }

  it('reads the files after one that cannot be opened', async (t) => {
    const folder = makeTempDir('unreadable', t);
    const first = join(folder, 'a.log');
    const victim = join(folder, 'b.log');
    const last = join(folder, 'c.log');
    writeFileSync(first, cefLines(3));
    writeFileSync(victim, cefLines(4));
    writeFileSync(last, cefLines(5));
    const reader = readLogs([first, victim, last]);
    const events: LogEvent[] = [];
    for await (const batch of reader.batches()) {
      if (events.length === 0) rmSync(victim);
      events.push(...batch);
    }
    await nextMacrotask();
    assert.equal(events.length, 8);
    assert.deepEqual(
      reader.stats.fileErrors.map((issue) => issue.source?.file),
      [victim],
    );
    assert.equal(events.at(-1)?.source.file, last);
  });
});

describe('log input functions on a path that cannot be opened', () => {
  const cases: Array<{ name: string; read: (file: string) => Promise<unknown> }> = [
    { name: 'openLogText', read: (file) => openLogText(file) },
    { name: 'readLogHead', read: (file) => readLogHead(file) },
    { name: 'readLineBatches', read: (file) => drain(readLineBatches(file)) },
    { name: 'lineRecords', read: (file) => drain(lineRecords(file)) },
    { name: 'jsonRecords', read: (file) => drain(jsonRecords(file)) },
    { name: 'csvRecords', read: (file) => drain(csvRecords(file)) },
  ];
  for (const { name, read } of cases) {
    for (const breakage of ['removed', 'folder'] as const) {
      it(`${name} rejects ${DESCRIBED[breakage]} file`, async (t) => {
        const folder = makeTempDir('unreadable', t);
        const file = join(folder, 'gone.log');
        writeFileSync(file, cefLines(2));
        breakFile(file, breakage);
        await assert.rejects(read(file), (error: unknown) => {
          assert.ok(error instanceof LogInputError, String(error));
          assert.equal(error.code, 'FILE_READ_FAILED');
          assert.equal(error.source?.file, file);
          assert.match(error.message, EXPECTED_REASON[breakage]);
          return true;
        });
        await nextMacrotask();
      });
    }
  }
});

async function countEvents(file: string): Promise<number> {
  let count = 0;
  for await (const batch of readLogs([file]).batches()) count += batch.length;
  return count;
}

async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const item of iterable) void item;
}
