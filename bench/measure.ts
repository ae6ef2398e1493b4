/**
 * Runs one huntpack command in this process and prints its wall time, CPU time and peak resident
 * memory as JSON on the last line of stdout. The benchmark runner starts one process per measurement,
 * so that peak memory belongs to that command alone.
 */
import { PassThrough } from 'node:stream';
import { run } from '../src/cli/run.js';

const args = process.argv.slice(2);
const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
const sink = { write: () => true };
const code = await run(args, {
  stdout: sink,
  stderr: sink,
  stdin: new PassThrough(),
  env: process.env,
  cwd: process.cwd(),
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// User plus system CPU time of every thread of the process, in microseconds.
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
// maxRSS is in kilobytes on Linux.
const peakMiB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ code, seconds, cpuSeconds, peakMiB }));
