/**
 * `npm run bench`: measures huntpack on generated inputs grown from the bundled real data and
 * prints figures and ratios. Nothing here passes or fails; compare the figures with the targets.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { growThreatFoxCsv } from './grow-feed.js';

const OUT = new URL('./out/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

interface Measurement {
  code: number;
  seconds: number;
  peakMiB: number;
}

function measure(args: string[]): Measurement {
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'bench/measure.ts', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = output.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(last) as Measurement;
}

function line(label: string, value: string): void {
  console.log(`${label.padEnd(44)} ${value}`);
}

async function benchBuild(): Promise<void> {
  const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
  const feed = join(OUT, `threatfox-${rows}.csv`);
  if (!existsSync(feed)) await growThreatFoxCsv(feed, rows);
  console.log(
    `\n## build: ${rows.toLocaleString('en-US')} ThreatFox CSV rows (${(statSync(feed).size / 1e6).toFixed(0)} MB)`,
  );
  console.log('target: under 10 s and under 1 GiB peak memory on 2 cores\n');

  const withLists = measure(['build', feed, '--out', join(OUT, 'packs-lists')]);
  const without = measure([
    'build',
    feed,
    '--out',
    join(OUT, 'packs-nolists'),
    '--no-builtin-allowlists',
  ]);
  line(
    'with built-in allowlists: time',
    `${withLists.seconds.toFixed(2)} s (exit ${withLists.code})`,
  );
  line(
    'with built-in allowlists: rows per second',
    Math.round(rows / withLists.seconds).toLocaleString('en-US'),
  );
  line('with built-in allowlists: peak memory', `${withLists.peakMiB.toFixed(0)} MiB`);
  line('without allowlists: time', `${without.seconds.toFixed(2)} s (exit ${without.code})`);
  line('without allowlists: peak memory', `${without.peakMiB.toFixed(0)} MiB`);
  line(
    'allowlist overhead (target at most 10%)',
    `${((withLists.seconds / without.seconds - 1) * 100).toFixed(1)}%`,
  );
}

await benchBuild();
