/**
 * The engine in a page: tfjs on WebGPU → WebGL → wasm (the first that starts; `?backend=` forces
 * one), serving the worker protocol on a MessagePort. Used by Electron's hidden GPU windows and by
 * the browser tests that check every backend trains the same curve.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Backend } from '../../../shared/engine/frame';
import { fromPortable, type PortableToWorker } from '../../../shared/engine/portable';
import { createEngineWorker } from '../../../shared/engine/workerLoop';

const ORDER: Backend[] = ['webgpu', 'webgl', 'wasm'];

/** Starts the first backend of `order` that works and returns its name. */
export async function startBackend(order: Backend[] = ORDER): Promise<Backend> {
  setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
  for (const name of order) {
    if (name === 'webgpu' && !('gpu' in navigator)) continue;
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // Try the next backend: a GPU backend can fail to start on machines without a usable GPU.
    }
  }
  throw new Error(`no tfjs backend could start (tried ${order.join(', ')})`);
}

/** Serves the worker protocol on `port` with the engine on the chosen backend. */
export async function serveEngine(port: MessagePort, order?: Backend[]): Promise<Backend> {
  const backend = await startBackend(order);
  const engine = createEngineWorker(tf, (message) => port.postMessage(message), backend);
  port.onmessage = (event: MessageEvent<PortableToWorker>) => engine.handle(fromPortable(event.data));
  return backend;
}
