/**
 * Starting a module of this package on a worker thread, from the TypeScript sources in a checkout
 * (through tsx) as from the compiled package.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Returns the URL of the module `name` (without extension) beside `importer`, which is the
 * caller's `import.meta.url`: `.ts` when the caller runs from source through tsx, else `.js`.
 */
export function siblingModule(importer: string, name: string): URL {
  const extension = importer.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, importer);
}

/**
 * Starts `module` on a new worker thread. A `.ts` module first registers tsx on that thread, as
 * bin/huntpack.js does for the main thread. The worker gets none of the main thread's Node.js
 * options, some of which it rejects, and prints nothing of its own.
 */
export function startWorker(module: URL, options: WorkerOptions): Worker {
  const settings: WorkerOptions = { execArgv: [], stdout: false, stderr: false, ...options };
  if (!module.pathname.endsWith('.ts')) return new Worker(module, settings);
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const code = `import(${api}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(code, { ...settings, eval: true });
}
