/**
 * Measures readLogs throughput on a generated CEF file. Unless the file exists, it first writes
 * about 100 MB of varied CEF lines (syslog header, escapes, URLs, custom strings) to a temporary
 * folder. It then reads the file once and prints lines per second (wall clock and CPU time of
 * the whole process, worker threads included).
 *
 * With `--feed`, the reader gets the prefilter of the hunts built from that feed, as in
 * `huntpack hunt`, so that only events some hunt could match are mapped in full. `--threads`
 * sets the worker threads that parse the file (0: the main thread only).
 *
 * Usage: node --import tsx bench/cef-throughput.ts [file] [megabytes] [--feed FEED] [--threads N]
 */
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { EventPrefilter } from '../src/hunt/event-prefilter.js';
import { huntsFromFeeds } from '../src/hunt/hunts-from-feed.js';
import { readLogs } from '../src/hunt/logs/read-logs.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { feed: { type: 'string' }, threads: { type: 'string' } },
});
const file = positionals[0] ?? join(tmpdir(), 'huntpack-bench-100mb.cef');
const megabytes = Number(positionals[1] ?? '100');
const filter = values.feed
  ? EventPrefilter.of((await huntsFromFeeds([values.feed])).hunts)
  : undefined;
const parseThreads = values.threads === undefined ? undefined : Number(values.threads);

function sampleLine(i: number): string {
  const host = `host${i % 97}.example.com`;
  return (
    `<134>Aug  3 12:${String(i % 60).padStart(2, '0')}:00 fw${i % 7} CEF:0|Acme\\|Corp|NGFW|9.1|${i % 500}|` +
    `Traffic allowed|5|src=10.${i % 256}.${(i >> 8) % 256}.${i % 200} spt=${1024 + (i % 60000)} ` +
    `dst=203.0.113.${i % 254} dpt=${[443, 80, 53, 8080][i % 4]} proto=TCP act=allow ` +
    `request=https://${host}/path/${i}?q=a=b&c==d dhost=${host} rt=${1700000000000 + i} ` +
    `cs1=Rule ${i % 30} cs1Label=RuleName msg=Connection from client\\=x with spaces and \\\\ backslash ` +
    `requestClientApplication=Mozilla/5.0 (Windows NT 10.0; Win64; x64) custom_${i % 9}=value ${i}`
  );
}

async function writeSample(): Promise<void> {
  const out = createWriteStream(file);
  const target = megabytes * 1024 * 1024;
  let written = 0;
  for (let i = 0; written < target; i++) {
    const line = `${sampleLine(i)}\n`;
    written += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

if (!existsSync(file)) await writeSample();
const bytes = statSync(file).size;
const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
const reader = readLogs([file], { year: 2024, timezone: 'UTC', filter, parseThreads });
let events = 0;
for await (const batch of reader.batches()) events += batch.length;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  JSON.stringify({
    file,
    megabytes: +(bytes / 1048576).toFixed(1),
    lines: reader.stats.linesRead,
    events,
    filtered: filter !== undefined,
    rejected: reader.stats.linesRejected,
    seconds: +seconds.toFixed(2),
    cpuSeconds: +cpuSeconds.toFixed(2),
    linesPerCpuSecond: Math.round(reader.stats.linesRead / cpuSeconds),
    linesPerSecond: Math.round(reader.stats.linesRead / seconds),
    megabytesPerSecond: +(bytes / 1048576 / seconds).toFixed(1),
  }),
);
