/**
 * GPU training workers under Electron: each is a hidden window of the app (renderer/worker.html)
 * running the engine on WebGPU → WebGL → wasm, whichever starts first. Messages travel over a
 * MessagePort handed to the page by its preload; the window's renderer dying fails only its run.
 */
import { BrowserWindow, MessageChannelMain } from 'electron';
import path from 'node:path';
import type { FromWorker } from '../../shared/engine/protocol';
import type { TrainingWorker, WorkerFactory } from '../lab/runner/worker';
import { secureWebPreferences } from './windowOptions';

export interface GpuWorkerOptions {
  /** The main window's preload; the worker's own (worker.cjs) sits beside it. */
  preloadPath: string;
  appOrigin: string;
}

/** A factory of hidden engine windows. */
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
      let exited = false;
      const exit = (reason: string) => {
        if (exited) return;
        exited = true;
        for (const listener of exitListeners) listener(reason);
      };
      port1.on('message', (event) => {
        for (const listener of messageListeners) listener(event.data as FromWorker);
      });
      port1.start();
      window.webContents.on('render-process-gone', (_event, details) => exit(`the GPU training worker stopped (${details.reason})`));
      window.on('closed', () => exit('the GPU training worker window closed'));
      await window.loadURL(`${options.appOrigin}/worker.html`);
      window.webContents.postMessage('bnlab:worker-port', null, [port2]);
      const worker: TrainingWorker = {
        post: (message) => port1.postMessage(message),
        onMessage: (listener) => messageListeners.push(listener),
        onExit: (listener) => exitListeners.push(listener),
        terminate: async () => {
          exited = true;
          port1.close();
          if (!window.isDestroyed()) window.destroy();
        },
      };
      return worker;
    },
  };
}
