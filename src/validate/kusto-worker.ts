/**
 * Worker thread that runs the Kusto check for {@link BackgroundKustoChecker}. It loads the
 * parser and both platforms' schemas as soon as it starts, then handles one request at a time.
 * A response on the synchronous port wakes the waiting thread through the shared flag; a
 * response on the asynchronous port names the request's id.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { checkKql, type KqlCheckOptions } from './kusto.js';

interface KustoWorkerData {
  port: MessagePort;
  /** Port of requests that carry an id; its responses wake no waiting thread. */
  asyncPort: MessagePort;
  flag: SharedArrayBuffer;
}

export interface KustoRequest {
  text: string;
  options: KqlCheckOptions;
}

const { port, asyncPort, flag } = workerData as KustoWorkerData;
/** Element 0: a response is ready; element 1: this module is running. */
const signals = new Int32Array(flag);
Atomics.store(signals, 1, 1);
Atomics.notify(signals, 1);

port.on('message', (request: KustoRequest) => {
  try {
    port.postMessage({ diagnostics: checkKql(request.text, request.options) });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
  Atomics.store(signals, 0, 1);
  Atomics.notify(signals, 0);
});

asyncPort.on('message', (request: KustoRequest & { id: number }) => {
  try {
    asyncPort.postMessage({ id: request.id, diagnostics: checkKql(request.text, request.options) });
  } catch (error) {
    asyncPort.postMessage({
      id: request.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});

// Loading the parser and each platform's tables takes seconds; it runs while the build reads feeds.
checkKql('print 1', { platform: 'sentinel', analyzers: false });
checkKql('print 1', { platform: 'defender', analyzers: false });
