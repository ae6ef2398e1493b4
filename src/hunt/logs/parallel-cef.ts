/**
 * Reads large plain CEF files on worker threads. A file is cut into byte ranges at line starts
 * (see `file-pieces.ts`). Workers parse the ranges and send back their counts and the events
 * the filter keeps. The ranges are taken back in file order, so line numbers, counts and the
 * first issues come out as if the file had been read line by line. Only a few ranges are in
 * flight at a time, so memory stays flat.
 */
import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EventPrefilter } from '../event-prefilter.js';
import type { LogEvent } from './event.js';
import type { PartJob, PartMessage, PartResult, PartSettings } from './cef-parts.js';
import { splitIntoPieces } from './file-pieces.js';
import { describeReadError, isGzip } from './log-input.js';
import type { LogFileStats, LogStatsRecorder } from './log-stats.js';

/** Bytes per range: large enough that messages cost little, small enough to spread the work. */
export const PART_BYTES = 8 * 1024 * 1024;

/** Files smaller than this are read on the main thread, where starting workers would cost more. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/** Returns the size of a file worth reading in parallel, or undefined. */
export async function parallelReadSize(file: string): Promise<number | undefined> {
  const { size } = await stat(file);
  if (size < PARALLEL_MIN_BYTES || (await isGzip(file))) return undefined;
  return size;
}

interface Task {
  job: PartJob;
  resolve: (result: PartResult) => void;
  reject: (error: Error) => void;
}

/** Starts the worker module, through tsx when the sources run untranspiled. */
function startWorker(): Worker {
  const self = fileURLToPath(import.meta.url);
  const url = new URL(`./cef-worker${self.slice(self.lastIndexOf('.'))}`, import.meta.url);
  if (!self.endsWith('.ts')) return new Worker(url);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap =
    `import(${JSON.stringify(tsx)}).then((api) => { api.register(); ` +
    `return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/**
 * A fixed set of worker threads that parse CEF parts, first come, first served. A pool can be
 * started before its run is known, so that the workers load their code while the caller reads
 * the feeds; {@link configure} then gives them the run's settings.
 */
export class CefWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private failure: Error | undefined;
  private closing = false;

  constructor(readonly size: number) {
    for (let n = 0; n < size; n++) {
      const worker = startWorker();
      worker.on('message', (result: PartResult) => this.finish(worker, result));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closing)
          this.fail(new Error(`CEF worker thread stopped with exit code ${code}.`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /**
   * Sends the settings of a run to every worker, which the parts run after this use. Call it
   * only while no part is running.
   */
  configure(settings: PartSettings): void {
    const message: PartMessage = { type: 'settings', settings };
    for (const worker of this.workers) worker.postMessage(message);
  }

  /** Parses one part on the next free worker. */
  run(job: PartJob): Promise<PartResult> {
    return new Promise((resolve, reject) => {
      if (this.failure !== undefined) return reject(this.failure);
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; parts still running are abandoned. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.running.set(worker, task);
      const message: PartMessage = { type: 'part', job: task.job };
      worker.postMessage(message);
    }
  }

  private finish(worker: Worker, result: PartResult): void {
    const task = this.running.get(worker);
    this.running.delete(worker);
    this.idle.push(worker);
    task?.resolve(result);
    this.dispatch();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const task of [...this.running.values(), ...this.queue.splice(0)]) task.reject(error);
    this.running.clear();
  }
}

/**
 * Reads a plain CEF file of `size` bytes on the pool's workers and yields the kept events of each
 * part in file order, adding each part's counts to `recorder`. The columns with values that
 * the workers' filters recorded are added to `filter`, the main thread's copy of their filter.
 *
 * @throws LogInputError when part of the file cannot be read; the events before it are yielded.
 */
export async function* readCefInParallel(
  file: string,
  size: number,
  pool: CefWorkerPool,
  recorder: LogStatsRecorder,
  fileStats: LogFileStats,
  partBytes = PART_BYTES,
  filter?: EventPrefilter,
): AsyncGenerator<LogEvent[]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw describeReadError(file, error, 0);
  }
  const results: Array<Promise<PartResult> | undefined> = [];
  try {
    yield* readParts(file, handle.fd, size, pool, recorder, fileStats, partBytes, results, filter);
  } finally {
    // The workers read through the descriptor, so it stays open until no part is running.
    await Promise.allSettled(results.filter((result) => result !== undefined));
    await handle.close();
  }
}

async function* readParts(
  file: string,
  descriptor: number,
  size: number,
  pool: CefWorkerPool,
  recorder: LogStatsRecorder,
  fileStats: LogFileStats,
  partBytes: number,
  results: Array<Promise<PartResult> | undefined>,
  filter: EventPrefilter | undefined,
): AsyncGenerator<LogEvent[]> {
  const pieces = splitIntoPieces(size, partBytes);
  const maxInFlight = pool.size * 2;
  let dispatched = 0;
  let linesBefore = 0;
  for (let index = 0; index < pieces.length; index++) {
    while (dispatched < pieces.length && dispatched < index + maxInFlight) {
      const result = pool.run({ file, descriptor, size, piece: pieces[dispatched]! });
      // Awaited in order below; this keeps a failure meanwhile from being unhandled.
      result.catch(() => undefined);
      results[dispatched++] = result;
    }
    const part = await results[index]!;
    results[index] = undefined;
    recorder.addPart(fileStats, part.stats, linesBefore + 1);
    filter?.addColumnsWithValues(part.columnsWithValues);
    filter?.addFileValues(part.fileValues);
    yield part.events.map((event) => ({
      table: event.table,
      columns: event.columns,
      source: { file, line: linesBefore + event.line },
    }));
    linesBefore += part.stats.linesRead;
    if (part.readError) {
      const cause = Object.assign(new Error(part.readError.message), {
        code: part.readError.code,
      });
      const failure = describeReadError(file, cause, linesBefore);
      const text = part.readError.partialLine;
      if (text !== undefined) failure.partialLine = { line: linesBefore + 1, text };
      throw failure;
    }
  }
}
