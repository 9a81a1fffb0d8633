/**
 * Node worker threads as training workers (CLI, browser mode, tests). From source the worker
 * entry is TypeScript, loaded through tsx; from a bundle it is the built nodeWorker.js beside this file.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerFactory, TrainingWorker } from '../runner/worker';

/** A new worker thread: the built entry when bundled, else the TypeScript one through tsx's tsImport. */
function spawnWorker(): Worker {
  const built = new URL('./nodeWorker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built);
  // `--import tsx` does not reach a worker's entry module on Node 20, so a tiny bootstrap loads it.
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./nodeWorker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`, { eval: true });
}

/**
 * A factory of Node worker threads running the engine on tfjs's wasm backend. `onSpawn` sees each
 * raw thread (tests use it to kill one the way a crash would, behind the runner's back).
 */
export function createNodeWorkerFactory(options: { onSpawn?: (thread: Worker) => void } = {}): WorkerFactory {
  return {
    backends: ['wasm'],
    create: async () => {
      const worker = spawnWorker();
      options.onSpawn?.(worker);
      let exited = false;
      const exitListeners: Array<(reason: string) => void> = [];
      const exit = (reason: string) => {
        if (exited) return;
        exited = true;
        for (const listener of exitListeners) listener(reason);
      };
      worker.on('error', (error) => exit(`the training worker crashed: ${error.message}`));
      worker.on('exit', (code) => exit(code === 0 ? 'the training worker stopped' : `the training worker exited with code ${code}`));
      const handle: TrainingWorker = {
        post: (message, transfer) => worker.postMessage(message, transfer),
        onMessage: (listener) => worker.on('message', listener),
        onExit: (listener) => exitListeners.push(listener),
        terminate: async () => {
          exited = true;
          await worker.terminate();
        },
      };
      return handle;
    },
  };
}
