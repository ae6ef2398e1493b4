/**
 * `npm run bench`: measures huntpack on generated inputs grown from the bundled real data, and the
 * allowlist cost on the largest real ThreatFox files, and prints figures and ratios. Nothing here passes or fails; compare the figures with the targets.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { growCefLog } from './grow-cef.js';
import { growThreatFoxCsv } from './grow-feed.js';

const OUT = new URL('./out/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

interface Measurement {
  code: number;
  seconds: number;
  /** CPU time of all threads, which other processes on the machine disturb less than wall time. */
  cpuSeconds?: number;
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

/** Runs a command under /usr/bin/time and returns its wall time and peak resident memory. */
function measureExternal(command: string, args: string[]): Measurement {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', 'peak-kb %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peak = /peak-kb (\d+)/.exec(result.stderr ?? '');
  return { code: result.status ?? -1, seconds, peakMiB: peak ? Number(peak[1]) / 1024 : NaN };
}

/** Indicator values as grep looks for them: the address of an ip:port, any other value whole. */
async function grepPatterns(
  feed: string,
): Promise<{ patterns: string[]; c2: Array<{ address: string; port: number }> }> {
  const patterns: string[] = [];
  const c2: Array<{ address: string; port: number }> = [];
  for (const line of (await readFile(feed, 'utf8')).split('\n')) {
    if (!line.startsWith('"')) continue;
    const fields = line.split('", "');
    const value = fields[2] ?? '';
    if (fields[3] === 'ip:port') {
      const colon = value.lastIndexOf(':');
      c2.push({ address: value.slice(0, colon), port: Number(value.slice(colon + 1)) });
      patterns.push(value.slice(0, colon));
    } else {
      patterns.push(value);
    }
  }
  return { patterns, c2 };
}

async function benchHunt(): Promise<void> {
  const megabytes = Number(process.env.BENCH_CEF_MB ?? 1000);
  const indicators = 10_000;
  const feed = join(OUT, `threatfox-${indicators}.csv`);
  if (!existsSync(feed)) await growThreatFoxCsv(feed, indicators);
  const { patterns, c2 } = await grepPatterns(feed);
  const patternFile = join(OUT, `patterns-${indicators}.txt`);
  await writeFile(patternFile, patterns.join('\n') + '\n');
  const log = join(OUT, `cef-${megabytes}mb.log`);
  let lines: number;
  if (existsSync(log))
    lines = Number(execFileSync('wc', ['-l', log], { encoding: 'utf8' }).split(' ')[0]);
  else lines = (await growCefLog(log, megabytes, c2)).lines;
  const bytes = statSync(log).size;

  console.log(
    `\n## hunt: ${(bytes / 1e6).toFixed(0)} MB of CEF (${lines.toLocaleString('en-US')} lines), ${indicators.toLocaleString('en-US')} indicators`,
  );
  console.log(
    'target: at most twice the time of grep -F -f over the same file, under 1 GiB peak memory\n',
  );

  const hunt = measure([
    'hunt',
    '--feed',
    feed,
    '--no-builtin-allowlists',
    '--year',
    '2024',
    '--timezone',
    'UTC',
    '--fail-on-match',
    log,
  ]);
  const grep = measureExternal('grep', ['-F', '-c', '-f', patternFile, log]);
  const report = (label: string, m: Measurement): void => {
    line(`${label}: time`, `${m.seconds.toFixed(1)} s (exit ${m.code})`);
    line(`${label}: events per second`, Math.round(lines / m.seconds).toLocaleString('en-US'));
    line(`${label}: MB per second`, (bytes / 1e6 / m.seconds).toFixed(1));
    line(`${label}: peak memory`, `${m.peakMiB.toFixed(0)} MiB`);
  };
  report('huntpack hunt', hunt);
  report('grep -F -f', grep);
  line('hunt time / grep time (target at most 2)', (hunt.seconds / grep.seconds).toFixed(1));
}

await benchHunt();

const execFileAsync = promisify(execFile);

const REAL_EXPORT = new URL(
  '../data/threatfox/v3nom_json-export-recent_2026-07-24.json',
  import.meta.url,
).pathname;
const REAL_URL_DUMP = new URL(
  '../../shared/data/threatfox/carved1_csv-full-urls_2025-12-07.csv',
  import.meta.url,
).pathname;

interface StepMeasurement {
  milliseconds: number;
  cpuMilliseconds: number;
}

/** Times loading the built-in lists and checking every indicator of the feed, in a fresh process. */
async function measureAllowlistStep(feed: string): Promise<StepMeasurement> {
  const { stdout } = await execFileAsync(process.execPath, [
    '--import',
    'tsx',
    'bench/allowlist.ts',
    feed,
  ]);
  const last = stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(last) as StepMeasurement;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Builds real ThreatFox files with and without the built-in allowlists, alternating the two so
 * that load from other processes falls on both alike, and prints the median of each. Then times
 * the allowlist step alone in a fresh process, which shows its cost with less noise.
 */
async function benchAllowlistReal(): Promise<void> {
  const runs = Number(process.env.BENCH_REAL_RUNS ?? 7);
  const feeds = [REAL_EXPORT, REAL_URL_DUMP];
  for (const feed of feeds) {
    const name = feed.split('/').at(-1)!;
    if (!existsSync(feed)) {
      console.log(`\n## allowlists on ${name}: skipped, ${feed} is not present`);
      continue;
    }
    console.log(
      `\n## allowlists on the real file ${name} (${(statSync(feed).size / 1e6).toFixed(1)} MB), median of ${runs} builds each`,
    );
    console.log('target: built-in allowlists add at most 10% to the build time\n');
    const withLists: Measurement[] = [];
    const without: Measurement[] = [];
    const steps: StepMeasurement[] = [];
    for (let run = 0; run < runs; run += 1) {
      steps.push(await measureAllowlistStep(feed));
      withLists.push(measure(['build', feed, '--out', join(OUT, 'real-lists')]));
      without.push(
        measure(['build', feed, '--out', join(OUT, 'real-nolists'), '--no-builtin-allowlists']),
      );
      if (withLists.at(-1)!.code !== 0 || without.at(-1)!.code !== 0) {
        console.log(
          `build failed: exit ${withLists.at(-1)!.code} with lists, ${without.at(-1)!.code} without`,
        );
        return;
      }
    }
    for (const [label, field] of [
      ['wall', 'seconds'],
      ['CPU', 'cpuSeconds'],
    ] as const) {
      const listed = median(withLists.map((m) => m[field] ?? NaN));
      const unlisted = median(without.map((m) => m[field] ?? NaN));
      line(`with built-in allowlists: median ${label} time`, `${listed.toFixed(2)} s`);
      line(`without allowlists: median ${label} time`, `${unlisted.toFixed(2)} s`);
      line(
        `allowlist overhead in ${label} time (target 10%)`,
        `${((listed / unlisted - 1) * 100).toFixed(1)}%`,
      );
    }
    // The step alone is the only part that differs between the two builds, and its CPU time
    // varies far less with the machine's load than whole builds do.
    const stepCpu = median(steps.map((step) => step.cpuMilliseconds));
    const unlistedCpu = median(without.map((m) => m.cpuSeconds ?? NaN));
    line(
      'allowlist step alone: median wall time',
      `${median(steps.map((step) => step.milliseconds)).toFixed(0)} ms`,
    );
    line('allowlist step alone: median CPU time', `${stepCpu.toFixed(0)} ms`);
    line(
      'step CPU / build CPU without allowlists',
      `${((stepCpu / 1000 / unlistedCpu) * 100).toFixed(1)}%`,
    );
  }
}

await benchAllowlistReal();
