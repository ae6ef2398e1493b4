/**
 * The Kusto check on a second thread. Loading Microsoft's parser costs seconds of CPU, so a
 * worker spends them while the build reads its feeds on the main thread. `check` is a
 * synchronous call; `checkAsync` returns at once, so the build goes on while the worker checks.
 */
import {
  MessageChannel,
  receiveMessageOnPort,
  type MessagePort,
  type Worker,
} from 'node:worker_threads';
import { siblingModule, startWorker } from '../worker-thread.js';
import { checkKql, type KqlCheckOptions, type KqlDiagnostic } from './kusto.js';

/** Maximum wait for one response before the check runs on the calling thread instead. */
const RESPONSE_TIMEOUT_MS = 120_000;
/** Maximum wait for the worker's module to start running; it never starts when it cannot load. */
const START_TIMEOUT_MS = 15_000;

/** Young generation of the worker's heap, in MiB; V8's default is several times larger. */
const YOUNG_GENERATION_MB = 4;

type KustoResponse = { diagnostics: KqlDiagnostic[] } | { error: string };

/** A response on the port of `checkAsync`, with the id of its request. */
type KustoAsyncResponse = KustoResponse & { id: number };

interface PendingCheck {
  text: string;
  options: KqlCheckOptions;
  resolve: (diagnostics: KqlDiagnostic[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs {@link checkKql} in a worker thread that starts loading the parser at once. Each `check`
 * blocks until the worker responds. If the worker cannot start or stops responding, the checks run
 * on the calling thread, so a result is always the same as `checkKql`'s.
 */
export class BackgroundKustoChecker {
  private worker: Worker | undefined;
  private readonly port: MessagePort;
  /** Port of `checkAsync`, apart from `port` so that no synchronous wait takes its responses. */
  private readonly asyncPort: MessagePort;
  private readonly pending = new Map<number, PendingCheck>();
  private nextId = 1;
  private asyncTimer: NodeJS.Timeout | undefined;
  /** Element 0: a response is ready; element 1: the worker's module is running. */
  private readonly signals = new Int32Array(new SharedArrayBuffer(8));

  constructor() {
    const channel = new MessageChannel();
    const asyncChannel = new MessageChannel();
    this.port = channel.port1;
    this.asyncPort = asyncChannel.port1;
    this.asyncPort.on('message', (response: KustoAsyncResponse) => this.settle(response));
    // The port keeps the process alive only while a check is pending.
    this.asyncPort.unref();
    try {
      this.worker = startWorker(siblingModule(import.meta.url, 'kusto-worker'), {
        workerData: {
          port: channel.port2,
          asyncPort: asyncChannel.port2,
          flag: this.signals.buffer,
        },
        transferList: [channel.port2, asyncChannel.port2],
        // The parser allocates little per check, so a small young generation saves memory.
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
      this.worker.on('error', () => this.stopWorker());
      this.worker.on('exit', () => this.stopWorker());
      // The worker must not keep the process alive after the build.
      this.worker.unref();
    } catch {
      this.worker = undefined;
    }
  }

  /** Returns the diagnostics of `text`, exactly as `checkKql(text, options)` does. */
  check(text: string, options: KqlCheckOptions): KqlDiagnostic[] {
    if (!this.worker) return checkKql(text, options);
    if (Atomics.wait(this.signals, 1, 0, START_TIMEOUT_MS) === 'timed-out') {
      this.stopWorker();
      return checkKql(text, options);
    }
    Atomics.store(this.signals, 0, 0);
    this.port.postMessage({ text, options });
    const waited = Atomics.wait(this.signals, 0, 0, RESPONSE_TIMEOUT_MS);
    const response = receiveMessageOnPort(this.port)?.message as KustoResponse | undefined;
    if (waited === 'timed-out' || !response || 'error' in response) {
      // The worker failed or is stuck: check here, where an error reaches the caller.
      this.stopWorker();
      return checkKql(text, options);
    }
    return response.diagnostics;
  }

  /**
   * Returns the diagnostics of `text` as `checkKql(text, options)` does, without blocking: the
   * worker checks while the caller goes on. When the worker stops or does not respond in time,
   * the pending checks run on the calling thread.
   */
  checkAsync(text: string, options: KqlCheckOptions): Promise<KqlDiagnostic[]> {
    if (!this.worker) return checkInThread(text, options);
    const id = this.nextId++;
    const result = new Promise<KqlDiagnostic[]>((resolve, reject) => {
      this.pending.set(id, { text, options, resolve, reject });
    });
    this.asyncPort.ref();
    this.asyncPort.postMessage({ id, text, options });
    this.restartAsyncTimer();
    return result;
  }

  /** Whether checks still go to the worker. */
  get usesWorker(): boolean {
    return this.worker !== undefined;
  }

  /** Stops the worker; later checks run on the calling thread. */
  close(): void {
    this.stopWorker();
    this.port.close();
    this.asyncPort.close();
  }

  private settle(response: KustoAsyncResponse): void {
    const check = this.pending.get(response.id);
    if (!check) return;
    this.pending.delete(response.id);
    if ('error' in response) {
      // The worker failed on this text: check here, where an error reaches the caller.
      checkInThread(check.text, check.options).then(check.resolve, check.reject);
    } else {
      check.resolve(response.diagnostics);
    }
    if (this.pending.size === 0) this.stopAsyncTimer();
    else this.restartAsyncTimer();
  }

  /** Starts the wait for the next response over, so that a stuck worker is noticed. */
  private restartAsyncTimer(): void {
    clearTimeout(this.asyncTimer);
    this.asyncTimer = setTimeout(() => this.stopWorker(), RESPONSE_TIMEOUT_MS);
  }

  private stopAsyncTimer(): void {
    clearTimeout(this.asyncTimer);
    this.asyncTimer = undefined;
    this.asyncPort.unref();
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
    // Checks still waiting for the worker run here instead.
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.stopAsyncTimer();
    for (const check of waiting) {
      checkInThread(check.text, check.options).then(check.resolve, check.reject);
    }
  }
}

/** Runs `checkKql` on the calling thread, with a thrown error as a rejection. */
function checkInThread(text: string, options: KqlCheckOptions): Promise<KqlDiagnostic[]> {
  try {
    return Promise.resolve(checkKql(text, options));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

let shared: BackgroundKustoChecker | undefined;

/**
 * Returns a check function served by one worker per process, which starts loading the parser on
 * the first call. The worker is unreferenced, so it never keeps the process alive, and later
 * builds in the same process reuse its loaded parser.
 */
export function backgroundKustoCheck(): (
  text: string,
  options: KqlCheckOptions,
) => KqlDiagnostic[] {
  const checker = backgroundKustoChecker();
  return (text, options) => checker.check(text, options);
}

/** Returns the checker behind {@link backgroundKustoCheck}, for its `checkAsync`. */
export function backgroundKustoChecker(): BackgroundKustoChecker {
  shared ??= new BackgroundKustoChecker();
  return shared;
}
