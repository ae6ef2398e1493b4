/**
 * Allowlist decisions on a second thread while the feeds are read. Checking a million indicators
 * against the lists takes seconds of CPU. A worker spends them while the main thread reads and
 * merges later rows, instead of the main thread after reading.
 */
import type { Worker } from 'node:worker_threads';
import type { Indicator, IndicatorKind } from '../../indicators/model.js';
import { siblingModule, startWorker } from '../../worker-thread.js';
import type { LoadAllowlistsOptions } from './allowlists.js';
import type { DecisionLookup, IndicatorDecision } from './apply.js';
import { toDecisionBatch } from './decision-batch.js';
import type { DecisionResponse } from './decision-worker.js';

export interface BackgroundDecisionOptions {
  /**
   * Indicators to read before the worker starts. Smaller inputs are decided on the main thread
   * after reading, in about 0.2 s or less (measured: 1,000,000 grown rows took 2.6 to 2.9 s).
   * Default 50,000.
   */
  startAt?: number;
  /** Indicators sent to the worker in one message. Default 20,000. */
  batchSize?: number;
}

/** Maximum wait for the worker's next response before the main thread decides instead. */
const RESPONSE_TIMEOUT_MS = 120_000;

/**
 * Sends the indicators given to `add` to a worker in batches, once there are enough of them to
 * be worth a thread, and collects the worker's outcomes. When the worker cannot start, fails or
 * stops responding, `decisions` returns undefined and the caller decides on its own thread, so
 * the outcome is always that of `applyAllowlists` alone.
 */
export class BackgroundAllowlistDecisions {
  private readonly startAt: number;
  private readonly batchSize: number;
  private worker: Worker | undefined;
  private failed = false;
  /**
   * The reason the worker failed, such as `it did not respond for 120 s`, once it has. The caller
   * then decides on its own thread.
   */
  failure: string | undefined;
  /** Indicators given to `add`. */
  private count = 0;
  private pending: Indicator[] = [];
  /** Batches sent and still without a response, oldest first. */
  private readonly inFlight: Indicator[][] = [];
  private readonly decided = new Map<IndicatorKind, Map<string, IndicatorDecision>>();
  private wake: (() => void) | undefined;

  constructor(
    private readonly lists: Omit<LoadAllowlistsOptions, 'warnings'>,
    options: BackgroundDecisionOptions = {},
  ) {
    this.startAt = options.startAt ?? 50_000;
    this.batchSize = options.batchSize ?? 20_000;
  }

  /** Takes one more indicator to decide; each kind and value once. */
  add(indicator: Indicator): void {
    if (this.failed) return;
    this.count += 1;
    this.pending.push(indicator);
    if (this.pending.length >= this.batchSize && this.count >= this.startAt) this.send();
  }

  /**
   * Sends what is left, waits for every response and returns the outcomes, or undefined when no
   * worker decided them all: the input was too small to start one, or the worker failed.
   */
  async decisions(): Promise<DecisionLookup | undefined> {
    if (this.count < this.startAt || this.failed) {
      this.close();
      return undefined;
    }
    if (this.pending.length > 0) this.send();
    while (this.inFlight.length > 0 && !this.failed) {
      const responded = new Promise<void>((resolve) => (this.wake = resolve));
      const timer = setTimeout(
        () => this.fail(`it did not respond for ${RESPONSE_TIMEOUT_MS / 1000} s`),
        RESPONSE_TIMEOUT_MS,
      );
      await responded;
      clearTimeout(timer);
    }
    const failed = this.failed;
    this.close();
    if (failed) return undefined;
    return {
      get: (indicator) => this.decided.get(indicator.kind)?.get(indicator.value),
    };
  }

  /** Stops the worker. */
  close(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
  }

  private send(): void {
    const batch = this.pending;
    this.pending = [];
    try {
      this.worker ??= this.start();
    } catch (error) {
      this.fail(`it could not start: ${messageOf(error)}`);
      return;
    }
    try {
      this.worker.postMessage(toDecisionBatch(batch));
      this.inFlight.push(batch);
    } catch (error) {
      this.fail(`a batch could not be sent to it: ${messageOf(error)}`);
    }
  }

  private start(): Worker {
    const worker = startWorker(siblingModule(import.meta.url, 'decision-worker'), {
      workerData: this.lists,
    });
    worker.on('message', (response: DecisionResponse) => this.receive(response));
    worker.on('error', (error) => this.fail(`it failed: ${messageOf(error)}`));
    worker.on('exit', () => {
      if (this.inFlight.length > 0) this.fail('it stopped before it responded');
    });
    // The worker must not keep the process alive when a build stops early.
    worker.unref();
    return worker;
  }

  private receive(response: DecisionResponse): void {
    const batch = this.inFlight.shift();
    if (!batch || 'error' in response) {
      this.fail(`it failed: ${'error' in response ? response.error : 'an unexpected response'}`);
      return;
    }
    for (const [position, outcome] of response.decided) {
      const indicator = batch[position]!;
      let byValue = this.decided.get(indicator.kind);
      if (!byValue) {
        byValue = new Map();
        this.decided.set(indicator.kind, byValue);
      }
      byValue.set(indicator.value, outcome);
    }
    this.wakeWaiter();
  }

  private fail(reason: string): void {
    this.failure ??= reason;
    this.failed = true;
    this.pending = [];
    this.inFlight.length = 0;
    this.close();
    this.wakeWaiter();
  }

  private wakeWaiter(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
