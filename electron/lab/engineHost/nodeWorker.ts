/** Entry of a Node training worker thread: tfjs on wasm, driven by the engine's worker loop. */
import { parentPort } from 'node:worker_threads';
import { createEngineWorker } from '../../../shared/engine/workerLoop';
import type { ToWorker } from '../../../shared/engine/protocol';
import { initNodeBackend, tf } from './nodeBackend';

if (!parentPort) throw new Error('nodeWorker must run in a worker thread');
const port = parentPort;
const backend = await initNodeBackend();
const engine = createEngineWorker(tf, (message) => port.postMessage(message), backend);
port.on('message', (message: ToWorker) => engine.handle(message));
