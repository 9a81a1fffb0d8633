/**
 * The runner: a queue of runs and a pool of training workers. It hands each worker a run and its
 * dataset, writes the frames it reports to the store in batched transactions (at most every
 * `flushMs`, and at the end), and forwards them as `runFrames` events, coalesced per run and
 * bounded, so a slow window never stalls training or grows memory without bound (the store has
 * everything: a window that missed frames re-reads them). A worker that dies fails only its run.
 */
import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import type { Backend, MetricFrame } from '../../../shared/engine/frame';
import type { LabEvent } from '../../../shared/api';
import type { BatchInspection, DatasetArrays, FromWorker } from '../../../shared/engine/protocol';
import type { RunSpec } from '../../../shared/spec/experiment';
import { UserError } from '../api/dispatch';
import type { DatasetManager } from '../datasets/manager';
import type { LabEvents } from '../events';
import type { RunStore } from '../store/runStore';
import { EventOutbox } from './eventOutbox';
import type { TrainingWorker, WorkerFactory } from './worker';

export interface RunnerOptions {
  store: RunStore;
  datasets: DatasetManager;
  events: LabEvents;
  workerFactory: WorkerFactory;
  /** Pool size: how many runs train at once. */
  workers: number;
  /** Longest time frames wait before being written to the store. */
  flushMs?: number;
  /** How often coalesced frames and progress go out as events. */
  eventMs?: number;
  /** Frames kept per run for the next event; older ones are dropped (the store has them). */
  maxPendingFrames?: number;
  appVersion?: string;
}

interface ActiveRun {
  runId: string;
  slot: Slot;
  toStore: MetricFrame[];
  lastStoreFlush: number;
  lastStep: number;
  backend: Backend | null;
  inspections: PendingInspection[];
  /** Cancel asked before the worker had the run (it was still starting). */
  cancelRequested: boolean;
  /** Why the run must end as failed although the worker is still going (the store refused its frames). */
  failure: string | null;
}

interface PendingInspection {
  layerId: string;
  resolve: (inspection: BatchInspection) => void;
  reject: (reason: string) => void;
}

interface Slot {
  worker: TrainingWorker | null;
  starting: Promise<TrainingWorker> | null;
  run: ActiveRun | null;
}

export class Runner {
  private readonly queue: string[] = [];
  private readonly slots: Slot[] = [];
  private readonly active = new Map<string, ActiveRun>();
  private readonly outbox: EventOutbox;
  private readonly timer: ReturnType<typeof setInterval>;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: RunnerOptions) {
    for (let i = 0; i < Math.max(1, options.workers); i++) this.slots.push({ worker: null, starting: null, run: null });
    this.outbox = new EventOutbox({ maxFramesPerRun: options.maxPendingFrames ?? 2000 });
    this.timer = setInterval(() => this.flushAll(false), options.eventMs ?? 250);
    this.timer.unref?.();
  }

  /** Queues stored runs (status `queued`) for training. */
  enqueue(runIds: string[]): void {
    this.queue.push(...runIds);
    this.schedule();
  }

  /** Cancels a queued or running run; false if it is neither. */
  cancel(runId: string): boolean {
    const queued = this.queue.indexOf(runId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.end(runId, 'cancelled', 0);
      return true;
    }
    const run = this.active.get(runId);
    if (!run) return false;
    run.cancelRequested = true;
    // A run whose worker is still starting is ended as soon as the worker is there (startOn).
    run.slot.worker?.post({ type: 'cancel', runId });
    return true;
  }

  /** Takes runs out of the queue without a status change (they are about to be deleted). */
  withdraw(runIds: string[]): void {
    for (const runId of runIds) {
      const index = this.queue.indexOf(runId);
      if (index >= 0) this.queue.splice(index, 1);
    }
    this.checkIdle();
  }

  /** True while a run is queued or training. */
  isPending(runId: string): boolean {
    return this.active.has(runId) || this.queue.includes(runId);
  }

  /** Batch-inspector control of a running run. */
  control(runId: string, action: 'pause' | 'resume' | 'stepOnce'): boolean {
    const run = this.active.get(runId);
    if (!run?.slot.worker) return false;
    run.slot.worker.post({ type: action, runId });
    return true;
  }

  /** The last batch of a running run through one norm layer. */
  inspect(runId: string, layerId: string, timeoutMs = 10_000): Promise<BatchInspection> {
    const run = this.active.get(runId);
    const worker = run?.slot.worker;
    if (!run || !worker) return Promise.reject(new UserError(`run "${runId}" is not running: only a running (ideally paused) run can be inspected`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        run.inspections = run.inspections.filter((e) => e !== entry);
        reject(new UserError(`no answer about layer "${layerId}": is it a normalization layer of this model?`));
      }, timeoutMs);
      timer.unref?.();
      const entry: PendingInspection = {
        layerId,
        resolve: (inspection) => {
          clearTimeout(timer);
          resolve(inspection);
        },
        reject: (reason) => {
          clearTimeout(timer);
          reject(new UserError(reason));
        },
      };
      run.inspections.push(entry);
      worker.post({ type: 'inspect', runId, layerId });
    });
  }

  /** Ids of runs training now. */
  runningIds(): string[] {
    return [...this.active.keys()];
  }

  /** Resolves when nothing is queued or training. */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops every worker; runs still going are left to be marked interrupted on the next open. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.flushAll(true);
    await Promise.all(this.slots.map(async (slot) => (await (slot.worker ?? (await slot.starting?.catch(() => null))))?.terminate()));
  }

  private schedule(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.run || this.queue.length === 0) continue;
      const runId = this.queue.shift()!;
      void this.startOn(slot, runId);
    }
    this.checkIdle();
  }

  private async startOn(slot: Slot, runId: string): Promise<void> {
    const run: ActiveRun = { runId, slot, toStore: [], lastStoreFlush: Date.now(), lastStep: 0, backend: null, inspections: [], cancelRequested: false, failure: null };
    slot.run = run;
    this.active.set(runId, run);
    let spec: RunSpec;
    let data: DatasetArrays;
    let worker: TrainingWorker;
    try {
      spec = this.options.store.getRun(runId).spec;
      // The manager hands out arrays in shared memory: worker threads read them without a copy.
      data = this.options.datasets.load(spec.data);
      worker = await this.workerFor(slot);
    } catch (error) {
      this.finish(run, 'failed', 0, (error as Error).message);
      return;
    }
    if (this.closed) return;
    if (run.cancelRequested) {
      this.finish(run, 'cancelled', 0);
      return;
    }
    try {
      worker.post({ type: 'start', runId, spec, data });
    } catch (error) {
      // The host could not send the dataset (it cannot be cloned to that worker, or it just died).
      this.finish(run, 'failed', 0, `could not hand the run to its worker: ${(error as Error).message}`);
    }
  }

  private async workerFor(slot: Slot): Promise<TrainingWorker> {
    if (slot.worker) return slot.worker;
    slot.starting ??= this.options.workerFactory.create().then((worker) => {
      worker.onMessage((message) => this.onMessage(slot, message));
      worker.onExit((reason) => this.onWorkerExit(slot, worker, reason));
      slot.worker = worker;
      return worker;
    });
    try {
      return await slot.starting;
    } finally {
      slot.starting = null;
    }
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'ready') return;
    const run = slot.run;
    if (!run || run.runId !== message.runId) return;
    switch (message.type) {
      case 'started':
        run.backend = message.backend;
        try {
          this.options.store.markStarted(run.runId, message.backend, message.totalSteps, { tfjs: tfjsVersion, app: this.options.appVersion ?? 'dev' });
        } catch (error) {
          this.failWhileRunning(run, error);
          return;
        }
        this.status({ type: 'runStatus', runId: run.runId, status: 'running', step: 0 });
        return;
      case 'frame':
        if (run.failure) return;
        run.toStore.push(message.frame);
        run.lastStep = message.frame.step;
        this.outbox.push({ type: 'runFrames', runId: run.runId, frames: [message.frame] });
        if (Date.now() - run.lastStoreFlush >= (this.options.flushMs ?? 1000)) this.flushStore(run);
        return;
      case 'progress':
        this.outbox.push({ type: 'runProgress', runId: run.runId, progress: message.progress, backend: run.backend });
        return;
      case 'snapshot':
      case 'boundary':
        // Both are "latest wins" artefacts: each replaces the previous one of its kind.
        try {
          if (message.type === 'snapshot') this.options.store.putArtefact(run.runId, 'normSnapshot', message.snapshot);
          else this.options.store.putArtefact(run.runId, 'boundary', message.boundary);
        } catch (error) {
          this.failWhileRunning(run, error);
        }
        return;
      case 'inspection':
        for (const waiter of run.inspections.filter((w) => w.layerId === message.inspection.layerId)) waiter.resolve(message.inspection);
        run.inspections = run.inspections.filter((w) => w.layerId !== message.inspection.layerId);
        return;
      case 'ended':
        this.finish(run, message.status, message.step, message.message);
        return;
    }
  }

  private onWorkerExit(slot: Slot, worker: TrainingWorker, reason: string): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    if (slot.run) this.finish(slot.run, 'failed', slot.run.lastStep, reason);
  }

  private finish(run: ActiveRun, status: 'finished' | 'diverged' | 'failed' | 'cancelled', step: number, message?: string): void {
    this.flushStore(run);
    if (run.failure) {
      status = 'failed';
      message = run.failure;
    }
    for (const waiter of run.inspections) waiter.reject(`run "${run.runId}" ${status === 'finished' ? 'finished' : `ended (${status})`} before layer "${waiter.layerId}" could be inspected`);
    run.inspections = [];
    this.end(run.runId, status, Math.max(step, run.lastStep), message);
    this.active.delete(run.runId);
    if (run.slot.run === run) run.slot.run = null;
    this.schedule();
  }

  private end(runId: string, status: 'finished' | 'diverged' | 'failed' | 'cancelled', step: number, message?: string): void {
    try {
      this.options.store.markEnded(runId, status, step, message);
    } catch (error) {
      // The store refused (disk full, run deleted): still tell the windows what happened.
      message = `${message ?? status}; also, the result could not be stored: ${(error as Error).message}`;
    }
    this.status({ type: 'runStatus', runId, status, step, ...(message ? { message } : {}) });
    this.checkIdle();
  }

  /** A status goes out at once, after the frames and progress still waiting, so a final status is the last word. */
  private status(event: Extract<LabEvent, { type: 'runStatus' }>): void {
    this.outbox.push(event);
    this.emitPending();
  }

  private emitPending(): void {
    for (const event of this.outbox.take()) this.options.events.emit(event);
  }

  /** The store refused the run's results: stop the worker and end the run as failed with the store's reason. */
  private failWhileRunning(run: ActiveRun, error: unknown): void {
    if (run.failure) return;
    run.failure = `the results could not be stored: ${(error as Error).message}`;
    run.toStore = [];
    run.slot.worker?.post({ type: 'cancel', runId: run.runId });
  }

  private flushAll(force: boolean): void {
    for (const run of this.active.values()) {
      if (force || Date.now() - run.lastStoreFlush >= (this.options.flushMs ?? 1000)) this.flushStore(run);
    }
    this.emitPending();
  }

  private flushStore(run: ActiveRun): void {
    run.lastStoreFlush = Date.now();
    if (run.toStore.length === 0) return;
    const frames = run.toStore;
    run.toStore = [];
    try {
      this.options.store.appendFrames(run.runId, frames);
    } catch (error) {
      this.failWhileRunning(run, error);
    }
  }

  private checkIdle(): void {
    if (this.queue.length === 0 && this.active.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
