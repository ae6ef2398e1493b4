/**
 * Measures the ThreatFox CSV reader alone: reads a generated CSV of BENCH_ROWS rows (default
 * 1,000,000) through `readFeeds` without keeping the records, and prints rows per second of
 * wall-clock and CPU time. Run with `node --import tsx bench/threatfox-csv-reader.ts`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readFeeds } from '../src/feeds/read.js';
import { growThreatFoxCsv } from './grow-feed.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const folder = new URL('./out/', import.meta.url).pathname;
mkdirSync(folder, { recursive: true });
const feed = join(folder, `threatfox-${rows}.csv`);
if (!existsSync(feed)) await growThreatFoxCsv(feed, rows);

let accepted = 0;
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
const result = await readFeeds([feed], {
  format: 'threatfox-csv',
  onRecord: () => {
    accepted += 1;
  },
});
const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const read = result.files[0]?.rowsRead ?? 0;

console.log(`rows read       ${read} (${accepted} accepted, ${result.issues.length} issues)`);
console.log(
  `wall time       ${wallSeconds.toFixed(2)} s, ${Math.round(read / wallSeconds)} rows/s`,
);
console.log(`CPU time        ${cpuSeconds.toFixed(2)} s, ${Math.round(read / cpuSeconds)} rows/s`);
