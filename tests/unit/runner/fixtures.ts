/** Shared fixtures of the runner tests: tiny 2-D experiments and a scripted in-process worker. */
import { ExperimentSpec, type ExperimentSpecInput } from '../../../shared/spec/experiment';
import type { Backend, MetricFrame } from '../../../shared/engine/frame';
import type { FromWorker, ToWorker } from '../../../shared/engine/protocol';
import type { TrainingWorker, WorkerFactory } from '../../../electron/lab/runner/worker';

export interface RunOptions {
  variant: string;
  lr?: number;
  steps?: number;
  bn?: boolean;
  loss?: 'mse';
  logEvery?: number;
  seed?: number;
}

/** An experiment of small MLPs on 400 two-moons points (trains in well under a second on wasm). */
export function experiment(runs: RunOptions[], title = 'runner test'): ExperimentSpec {
  const input: ExperimentSpecInput = {
    title,
    runs: runs.map(({ variant, lr = 0.1, steps = 200, bn = true, loss, logEvery = 20, seed = 1 }) => ({
      variant,
      model: {
        layers: [
          { kind: 'dense', id: 'd1', units: 16 },
          ...(bn ? [{ kind: 'norm' as const, id: 'bn1' }] : []),
          { kind: 'activation', id: 'a1', fn: 'relu' },
          { kind: 'dense', id: 'out', units: 2 },
        ],
      },
      data: { source: { kind: 'synthetic', generator: 'moons', samples: 400 } },
      training: { learningRate: lr, batchSize: 16, duration: { steps }, logEvery, evalEvery: 100, seed, ...(loss ? { loss } : {}) },
    })),
  };
  return ExperimentSpec.parse(input);
}

/**
 * A worker that follows the protocol without tfjs: on `start` it reports `started`, then one frame
 * per step (`framesPerTick` steps per macrotask) until the run's steps are done or it is cancelled.
 */
export class FakeWorker implements TrainingWorker {
  readonly received: ToWorker[] = [];
  private messageListeners: Array<(message: FromWorker) => void> = [];
  private exitListeners: Array<(reason: string) => void> = [];
  private current: { runId: string; step: number; total: number; cancelled: boolean; paused: boolean } | null = null;
  terminated = false;

  constructor(private readonly factory: FakeWorkerFactory) {}

  post(message: ToWorker): void {
    if (this.terminated) throw new Error('the fake worker is gone');
    this.received.push(message);
    const run = this.current?.runId === message.runId ? this.current : null;
    switch (message.type) {
      case 'start':
        this.current = { runId: message.runId, step: 0, total: 'steps' in message.spec.training.duration ? message.spec.training.duration.steps : 100, cancelled: false, paused: false };
        this.emit({ type: 'started', runId: message.runId, backend: this.factory.backends[0]!, totalSteps: this.current.total });
        setImmediate(() => this.tick());
        return;
      case 'cancel':
        if (run) run.cancelled = true;
        return;
      case 'pause':
        if (run) run.paused = true;
        return;
      case 'resume':
        if (run) run.paused = false;
        setImmediate(() => this.tick());
        return;
      case 'stepOnce':
        return;
      case 'inspect':
        if (run && message.layerId === 'bn1') {
          const one = [0];
          this.emit({ type: 'inspection', runId: run.runId, inspection: { layerId: 'bn1', step: run.step, units: one, inputs: [one], normalized: [one], outputs: [one], batchMean: one, batchVar: one, runningMean: one, runningVar: one, gamma: [1], beta: one, epsilon: 1e-3 } });
        }
        return;
    }
  }

  onMessage(listener: (message: FromWorker) => void): void {
    this.messageListeners.push(listener);
  }

  onExit(listener: (reason: string) => void): void {
    this.exitListeners.push(listener);
  }

  async terminate(): Promise<void> {
    this.terminated = true;
    this.current = null;
  }

  /** Dies the way a crashed host does: no goodbye, exit listeners told. */
  crash(reason = 'the training worker exited with code 1'): void {
    this.terminated = true;
    this.current = null;
    for (const listener of this.exitListeners) listener(reason);
  }

  private tick(): void {
    const run = this.current;
    if (!run || this.terminated || run.paused) return;
    if (run.cancelled) return this.end('cancelled');
    for (let i = 0; i < this.factory.framesPerTick && run.step < run.total; i++) {
      run.step++;
      const frame: MetricFrame = { step: run.step, epoch: 0, wallMs: run.step, values: { 'train/loss': 1 / run.step } };
      this.emit({ type: 'frame', runId: run.runId, frame });
    }
    this.emit({ type: 'progress', runId: run.runId, progress: { step: run.step, totalSteps: run.total, stepsPerSecond: 1000, etaSeconds: 0, paused: false } });
    if (run.step >= run.total) return this.end('finished');
    if (this.factory.tickMs > 0) setTimeout(() => this.tick(), this.factory.tickMs);
    else setImmediate(() => this.tick());
  }

  private end(status: 'finished' | 'cancelled'): void {
    const run = this.current!;
    this.current = null;
    this.emit({ type: 'ended', runId: run.runId, status, step: run.step });
  }

  private emit(message: FromWorker): void {
    for (const listener of this.messageListeners) listener(message);
  }
}

export class FakeWorkerFactory implements WorkerFactory {
  backends: Backend[] = ['wasm'];
  readonly workers: FakeWorker[] = [];
  /** Steps per macrotask, and the pause between ticks (0: setImmediate). */
  framesPerTick = 10;
  tickMs = 0;
  /** When set, the next create() waits for it (a slow host start). */
  gate: Promise<void> | null = null;
  /** When set, the next create() fails with this message. */
  failNext: string | null = null;

  async create(): Promise<TrainingWorker> {
    if (this.gate) await this.gate;
    if (this.failNext) {
      const message = this.failNext;
      this.failNext = null;
      throw new Error(message);
    }
    const worker = new FakeWorker(this);
    this.workers.push(worker);
    return worker;
  }
}

/**
 * A worker that answers `start` by replaying `frames` as fast as the runner takes them (bursts of
 * 500 per macrotask, like a fast engine), then ends the run as finished.
 */
export function replayWorkerFactory(frames: readonly MetricFrame[]): WorkerFactory {
  return {
    backends: ['wasm'],
    create: async () => {
      const listeners: Array<(message: FromWorker) => void> = [];
      const emit = (message: FromWorker) => listeners.forEach((listener) => listener(message));
      const worker: TrainingWorker = {
        post: (message: ToWorker) => {
          if (message.type !== 'start') return;
          const { runId } = message;
          emit({ type: 'started', runId, backend: 'wasm', totalSteps: frames.length });
          let next = 0;
          const burst = () => {
            for (const end = Math.min(frames.length, next + 500); next < end; next++) emit({ type: 'frame', runId, frame: frames[next]! });
            if (next < frames.length) setImmediate(burst);
            else emit({ type: 'ended', runId, status: 'finished', step: frames.at(-1)?.step ?? 0 });
          };
          setImmediate(burst);
        },
        onMessage: (listener) => listeners.push(listener),
        onExit: () => {},
        terminate: async () => {},
      };
      return worker;
    },
  };
}
