/**
 * tfjs in Node: the wasm backend with its .wasm files read from the installed package (offline),
 * falling back to the plain CPU backend if wasm cannot start.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Backend } from '../../../shared/engine/frame';

// No gradient registry is needed: the engine writes its backward pass out (shared/engine/model.ts).

let ready: Promise<Backend> | null = null;

/** Initialises tfjs once per thread and resolves to the backend in use. */
export function initNodeBackend(preferred: Backend = 'wasm'): Promise<Backend> {
  ready ??= (async () => {
    if (preferred === 'wasm') {
      const require = createRequire(import.meta.url);
      const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      setWasmPaths(dist + path.sep);
      if (await tf.setBackend('wasm').catch(() => false)) {
        await tf.ready();
        return 'wasm';
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  })();
  return ready;
}

export { tf };
