/**
 * GPU training workers under Electron: each is a hidden window of the app (renderer/worker.html)
 * running the engine on WebGPU → WebGL → wasm, whichever starts first (the backend is reported in
 * each run's `started` message and stored with the run). Messages travel over a MessagePort handed
 * to the page by its preload; the window's renderer dying fails only its run.
 */
import { BrowserWindow, MessageChannelMain } from 'electron';
import path from 'node:path';
import type { FromWorker } from '../../shared/engine/protocol';
import type { TrainingWorker, WorkerFactory } from '../lab/runner/worker';
import { toPortable } from '../../shared/engine/portable';
import { secureWebPreferences } from './windowOptions';

export interface GpuWorkerOptions {
  /** The main window's preload; the worker's own (worker.cjs) sits beside it. */
  preloadPath: string;
  appOrigin: string;
  /** How long a page may take to start a backend before the run fails. Default 60 s. */
  startTimeoutMs?: number;
}

/** A factory of hidden engine windows; `create()` resolves once the page's engine said it is ready. */
export function createGpuWorkerFactory(options: GpuWorkerOptions): WorkerFactory {
  return {
    backends: ['webgpu', 'webgl', 'wasm'],
    create: async () => {
      const window = new BrowserWindow({
        show: false,
        width: 320,
        height: 240,
        webPreferences: {
          ...secureWebPreferences(path.join(path.dirname(options.preloadPath), 'worker.cjs')),
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          disableBlinkFeatures: 'Auxclick',
        },
      });
      const { port1, port2 } = new MessageChannelMain();
      const messageListeners: Array<(message: FromWorker) => void> = [];
      const exitListeners: Array<(reason: string) => void> = [];
      let exitReason: string | null = null;
      const exit = (reason: string) => {
        if (exitReason !== null) return;
        exitReason = reason;
        port1.close();
        if (!window.isDestroyed()) window.destroy();
        for (const listener of exitListeners) listener(reason);
      };
      let ready: (() => void) | null = null;
      let failed: ((reason: string) => void) | null = null;
      const started = new Promise<void>((resolve, reject) => {
        ready = resolve;
        failed = (reason) => reject(new Error(reason));
      });
      // Awaited below; if loading the page fails first, its later rejection must not go unhandled.
      started.catch(() => {});
      port1.on('message', (event) => {
        const message = event.data as FromWorker;
        if (message.type === 'ready') ready?.();
        for (const listener of messageListeners) listener(message);
      });
      // The page closes its end when no backend starts (renderer/src/worker/main.ts).
      port1.on('close', () => exit('the GPU training worker closed its channel: no tfjs backend could start in it'));
      port1.start();
      window.webContents.on('render-process-gone', (_event, details) => exit(`the GPU training worker stopped (${details.reason})`));
      window.on('closed', () => exit('the GPU training worker window closed'));
      exitListeners.push((reason) => failed?.(reason));

      const timeoutMs = options.startTimeoutMs ?? 60_000;
      const timer = setTimeout(() => exit(`the GPU training worker did not start a backend within ${timeoutMs / 1000} s`), timeoutMs);
      try {
        await window.loadURL(`${options.appOrigin}/worker.html`);
        window.webContents.postMessage('bnlab:worker-port', null, [port2]);
        await started;
      } catch (error) {
        exit(`the GPU training worker could not start: ${(error as Error).message}`);
        throw error;
      } finally {
        clearTimeout(timer);
      }

      const worker: TrainingWorker = {
        // Only MessagePorts can be transferred to another process, and shared memory cannot cross
        // at all: the dataset travels as a copy (once per run), pixels as bytes (shared/engine/portable.ts).
        post: (message) => {
          if (exitReason !== null) throw new Error(exitReason);
          port1.postMessage(toPortable(message));
        },
        onMessage: (listener) => messageListeners.push(listener),
        onExit: (listener) => exitListeners.push(listener),
        terminate: async () => {
          exitListeners.length = 0;
          exit('terminated');
        },
      };
      return worker;
    },
  };
}
