/**
 * Measures the allowlists alone, in one of two ways:
 *
 * - `node --import tsx bench/allowlist.ts`: loading, the first check (which reads and indexes the
 *   built-in lists), and checking `BENCH_INDICATORS` indicators (default 1,000,000) made by
 *   cycling through 12,003 generated indicators of every kind, a few of them on built-in lists.
 * - `node --import tsx bench/allowlist.ts FEED...`: reads the feeds as `huntpack build` does, then
 *   times loading the built-in lists and checking every indicator once, as a build does in a
 *   fresh process. Prints `{ indicators, setAside, milliseconds, cpuMilliseconds }` as JSON on
 *   the last line.
 *
 * Nothing passes or fails.
 */
import type { Indicator } from '../src/indicators/model.js';
import { collectIndicators } from '../src/pipeline/collect.js';
import { applyAllowlists, loadAllowlists } from '../src/pipeline/allowlist/index.js';
import {
  domainIndicator,
  hashIndicator,
  ipIndicator,
  ipPortIndicator,
  urlIndicator,
} from '../test/pipeline/allowlist/make-indicator.js';

function sampleIndicators(): Indicator[] {
  const sample: Indicator[] = [];
  for (let i = 0; i < 2000; i++) {
    const a = (i * 7919) % 256;
    const b = (i * 104729) % 256;
    sample.push(ipPortIndicator(`${(a % 223) + 1}.${b}.${i % 256}.${(i * 13) % 256}`, 1024 + i));
    sample.push(ipIndicator(`2a0${i % 10}:${(i * 31).toString(16)}::${(i * 17).toString(16)}`));
    sample.push(domainIndicator(`host${i}.example-c2-${i % 97}.com`));
    sample.push(domainIndicator(`x${i}.duckdns.org`));
    sample.push(urlIndicator(`https://cdn${i % 50}.example-c2-${i % 13}.net/p/${i}.bin`));
    sample.push(hashIndicator('sha256', i.toString(16).padStart(64, 'a')));
  }
  sample.push(ipIndicator('8.8.8.8'), domainIndicator('reddit.com'), domainIndicator('github.com'));
  return sample;
}

function seconds(start: bigint): string {
  return `${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(3)} s`;
}

async function measureFeeds(feeds: string[]): Promise<void> {
  const { indicators } = await collectIndicators(feeds);
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const result = applyAllowlists(indicators, loadAllowlists());
  const milliseconds = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMilliseconds = (cpu.user + cpu.system) / 1e3;
  const setAside = result.setAside.length;
  console.log(
    JSON.stringify({ indicators: indicators.length, setAside, milliseconds, cpuMilliseconds }),
  );
}

function measureGenerated(): void {
  const count = Number(process.env.BENCH_INDICATORS ?? 1_000_000);
  let start = process.hrtime.bigint();
  const lists = loadAllowlists();
  console.log(`load (names and user files only): ${seconds(start)}`);

  const sample = sampleIndicators();
  start = process.hrtime.bigint();
  applyAllowlists(sample.slice(0, 6), lists);
  lists.summarize();
  console.log(`first check, reads and indexes every built-in list: ${seconds(start)}`);

  const indicators = Array.from({ length: count }, (_, i) => sample[i % sample.length]!);
  start = process.hrtime.bigint();
  const result = applyAllowlists(indicators, lists);
  console.log(`check ${count.toLocaleString('en-US')} indicators: ${seconds(start)}`);
  console.log(
    `kept ${result.kept.length}, set aside ${result.setAside.length}, full URL ${result.fullUrl.length}`,
  );
}

const feeds = process.argv.slice(2);
if (feeds.length > 0) await measureFeeds(feeds);
else measureGenerated();
