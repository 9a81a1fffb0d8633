/**
 * The GPU worker host against a fake `electron` (the binary can't be installed here) whose "page"
 * runs the real engine in-process on tfjs wasm. The fake ports refuse what Electron's refuse
 * (shared memory), so a dataset handed over without a copy would fail these tests as it would
 * fail the app.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FromWorker } from '../../../shared/engine/protocol';
import type { PortableToWorker } from '../../../shared/engine/portable';
import type { RunStore as Store } from '../../../electron/lab/store/runStore';
import type { Runner as RunnerType } from '../../../electron/lab/runner/runner';

type Listener = (...args: unknown[]) => void;

const fake = vi.hoisted(() => {
  /** What the fake page does when it gets its port: 'engine' serves the real engine; the others fail. */
  const state = { page: 'engine' as 'engine' | 'no-backend' | 'silent', windows: [] as FakeWindow[], servePage: null as null | ((port: FakePort) => void) };

  class Emitter {
    private listeners = new Map<string, Listener[]>();
    on(name: string, fn: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
      return this;
    }
    emit(name: string, ...args: unknown[]) {
      for (const fn of this.listeners.get(name) ?? []) fn(...args);
    }
  }

  const hasSharedMemory = (value: unknown, seen = new Set<unknown>()): boolean => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return false;
    seen.add(value);
    if (ArrayBuffer.isView(value)) return value.buffer instanceof SharedArrayBuffer;
    return Object.values(value).some((v) => hasSharedMemory(v, seen));
  };

  /** One end of a MessageChannelMain; the page side also gets `onmessage`, like a DOM port. */
  class FakePort extends Emitter {
    other!: FakePort;
    closed = false;
    onmessage: ((event: { data: unknown }) => void) | null = null;
    start() {}
    postMessage(message: unknown) {
      // Electron's ports clone through V8's serializer without shared-memory support.
      if (hasSharedMemory(message)) throw new Error('An object could not be cloned.');
      const data = structuredClone(message);
      const target = this.other;
      setImmediate(() => {
        if (target.closed) return;
        target.emit('message', { data });
        target.onmessage?.({ data });
      });
    }
    close() {
      if (this.closed) return;
      this.closed = true;
      const other = this.other;
      setImmediate(() => other.emit('close'));
    }
  }

  class FakeWindow extends Emitter {
    destroyed = false;
    loadedUrl: string | null = null;
    webContents = Object.assign(new Emitter(), {
      postMessage: (channel: string, _message: unknown, ports: FakePort[]) => {
        if (channel !== 'bnlab:worker-port') return;
        const port = ports[0]!;
        if (state.page === 'engine') state.servePage!(port);
        else if (state.page === 'no-backend') port.close();
      },
    });
    constructor(readonly options: Record<string, unknown>) {
      super();
      state.windows.push(this);
    }
    async loadURL(url: string) {
      this.loadedUrl = url;
    }
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      if (this.destroyed) return;
      this.destroyed = true;
      this.emit('closed');
    }
  }

  class MessageChannelMain {
    port1 = new FakePort();
    port2 = new FakePort();
    constructor() {
      this.port1.other = this.port2;
      this.port2.other = this.port1;
    }
  }

  return { state, electron: { BrowserWindow: FakeWindow, MessageChannelMain } };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

const { createGpuWorkerFactory } = await import('../../../electron/main/gpuWorkerHost');
const { secureWebPreferences } = await import('../../../electron/main/windowOptions');
const { createEngineWorker } = await import('../../../shared/engine/workerLoop');
const { initNodeBackend, tf } = await import('../../../electron/lab/engineHost/nodeBackend');
const { DatasetManager } = await import('../../../electron/lab/datasets/manager');
const { LabEvents } = await import('../../../electron/lab/events');
const { Runner } = await import('../../../electron/lab/runner/runner');
const { RunStore } = await import('../../../electron/lab/store/runStore');
const { experiment } = await import('./fixtures');
const { fromPortable } = await import('../../../shared/engine/portable');

// The page: what renderer/src/worker/engineHost.ts does, on Node's wasm backend.
fake.state.servePage = (port) => {
  void initNodeBackend().then((backend) => {
    const engine = createEngineWorker(tf, (message: FromWorker) => port.postMessage(message), backend);
    port.onmessage = (event) => engine.handle(fromPortable(event.data as PortableToWorker));
  });
};

const options = { preloadPath: '/app/out/preload/index.cjs', appOrigin: 'app://bnlab' };
let home: string;
let store: Store;
let runner: RunnerType | null = null;

beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-gpu-host-'));
  store = RunStore.open(home);
  fake.state.page = 'engine';
  fake.state.windows.length = 0;
});
afterEach(async () => {
  await runner?.close();
  runner = null;
  store.close();
  rmSync(home, { recursive: true, force: true });
});

function runnerWith(factory: ReturnType<typeof createGpuWorkerFactory>) {
  runner = new Runner({ store, datasets: new DatasetManager({ dataDir: home }), events: new LabEvents(), workerFactory: factory, workers: 1 });
  return runner;
}

describe('GPU worker host', () => {
  it('trains a run in a hidden, secure engine window; the dataset crosses as a copy; the backend is recorded', async () => {
    const runner = runnerWith(createGpuWorkerFactory(options));
    const { runIds } = store.createExperiment(experiment([{ variant: 'gpu', steps: 60 }]));
    runner.enqueue(runIds);
    await runner.whenIdle();
    const run = store.getRun(runIds[0]!);
    expect(run).toMatchObject({ status: 'finished', step: 60, backend: 'wasm' });
    expect(store.series({ runIds, keys: ['train/loss'] })[0]!.steps).toEqual([20, 40, 60]);
    const [window] = fake.state.windows;
    expect(window!.loadedUrl).toBe('app://bnlab/worker.html');
    expect(window!.options).toMatchObject({ show: false, webPreferences: { ...secureWebPreferences('/app/out/preload/worker.cjs'), backgroundThrottling: false } });
  });

  it('fails the run with a reason when the page starts no backend, and closes its window', async () => {
    fake.state.page = 'no-backend';
    const runner = runnerWith(createGpuWorkerFactory(options));
    const { runIds } = store.createExperiment(experiment([{ variant: 'no gpu' }]));
    runner.enqueue(runIds);
    await runner.whenIdle();
    expect(store.getRun(runIds[0]!)).toMatchObject({ status: 'failed', error: 'the GPU training worker closed its channel: no tfjs backend could start in it' });
    expect(fake.state.windows[0]!.destroyed).toBe(true);
  });

  it('gives up on a page that never answers after the start timeout', async () => {
    fake.state.page = 'silent';
    const factory = createGpuWorkerFactory({ ...options, startTimeoutMs: 200 });
    await expect(factory.create()).rejects.toThrow('the GPU training worker did not start a backend within 0.2 s');
    expect(fake.state.windows[0]!.destroyed).toBe(true);
  });

  it('fails only the run whose renderer dies, and starts a new window for the next run', async () => {
    const runner = runnerWith(createGpuWorkerFactory(options));
    const { runIds } = store.createExperiment(experiment([{ variant: 'crashes', steps: 200_000 }, { variant: 'next', steps: 40 }]));
    runner.enqueue(runIds);
    await expect.poll(() => store.getRun(runIds[0]!).step, { timeout: 20_000 }).toBeGreaterThan(0);
    fake.state.windows[0]!.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    await runner.whenIdle();
    expect(store.getRun(runIds[0]!)).toMatchObject({ status: 'failed', error: 'the GPU training worker stopped (crashed)' });
    expect(store.getRun(runIds[1]!).status).toBe('finished');
    expect(fake.state.windows).toHaveLength(2);
    expect(fake.state.windows[0]!.destroyed).toBe(true);
  });
});
