/**
 * Node worker threads as training workers (CLI, browser mode, tests). From source the worker
 * entry is TypeScript, loaded through tsx; from a bundle it is the built nodeWorker.js beside this file.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerFactory, TrainingWorker } from '../runner/worker';

function workerEntry(): { url: URL; execArgv: string[] } {
  const built = new URL('./nodeWorker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return { url: built, execArgv: [] };
  const tsxLoader = createRequire(import.meta.url).resolve('tsx');
  return { url: new URL('./nodeWorker.ts', import.meta.url), execArgv: ['--import', pathToFileURL(tsxLoader).href] };
}

/** A factory of Node worker threads running the engine on tfjs's wasm backend. */
export function createNodeWorkerFactory(): WorkerFactory {
  return {
    backends: ['wasm'],
    create: async () => {
      const { url, execArgv } = workerEntry();
      const worker = new Worker(url, { execArgv });
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
