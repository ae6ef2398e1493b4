/**
 * Measures readLogs throughput on a generated CEF file. Unless the file exists, it first writes
 * about 100 MB of varied CEF lines (syslog header, escapes, URLs, custom strings) to a temporary
 * folder. It then reads the file once and prints lines per second (wall clock and CPU time).
 *
 * Usage: node --import tsx bench/cef-throughput.ts [file] [megabytes]
 */
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { readLogs } from '../src/hunt/logs/read-logs.js';

const file = process.argv[2] ?? join(tmpdir(), 'huntpack-bench-100mb.cef');
const megabytes = Number(process.argv[3] ?? '100');

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
const reader = readLogs([file], { year: 2024, timezone: 'UTC' });
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
    rejected: reader.stats.linesRejected,
    seconds: +seconds.toFixed(2),
    cpuSeconds: +cpuSeconds.toFixed(2),
    linesPerCpuSecond: Math.round(reader.stats.linesRead / cpuSeconds),
    linesPerSecond: Math.round(reader.stats.linesRead / seconds),
    megabytesPerSecond: +(bytes / 1048576 / seconds).toFixed(1),
  }),
);
