/**
 * The runner's scheduling, storage cadence, event bounding and failure paths, with scripted
 * in-process workers (no tfjs) over a real SQLite store and the real dataset manager.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LabEvent, LabHandlers } from '../../../shared/api';
import { DatasetManager } from '../../../electron/lab/datasets/manager';
import { LabEvents } from '../../../electron/lab/events';
import { createRunHandlers } from '../../../electron/lab/runner/handlers';
import { Runner, type RunnerOptions } from '../../../electron/lab/runner/runner';
import { RunStore } from '../../../electron/lab/store/runStore';
import { experiment, FakeWorkerFactory } from './fixtures';

let home: string;
let store: RunStore;
let events: LabEvents;
let received: LabEvent[];
let factory: FakeWorkerFactory;
let runner: Runner;
let handlers: Pick<LabHandlers, 'experiments' | 'runs'>;

function open(options: Partial<RunnerOptions> = {}): void {
  runner = new Runner({ store, datasets: new DatasetManager({ dataDir: home }), events, workerFactory: factory, workers: 2, ...options });
  handlers = createRunHandlers({ store, runner, datasets: new DatasetManager({ dataDir: home }), events });
}

function start(...runs: Parameters<typeof experiment>[0]): string[] {
  return (handlers.experiments.start({ experiment: experiment(runs) }) as { runIds: string[] }).runIds;
}

const framesOf = (runId: string) =>
  received.filter((e): e is Extract<LabEvent, { type: 'runFrames' }> => e.type === 'runFrames' && e.runId === runId).flatMap((e) => e.frames);
const statusesOf = (runId: string) => received.filter((e) => e.type === 'runStatus' && e.runId === runId).map((e) => (e as { status: string }).status);
const storedSteps = (runId: string) => store.series({ runIds: [runId], keys: ['train/loss'] })[0]?.steps ?? [];

beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-runner-unit-'));
  store = RunStore.open(home);
  events = new LabEvents();
  received = [];
  events.subscribe((event) => received.push(event));
  factory = new FakeWorkerFactory();
});
afterEach(async () => {
  await runner?.close();
  store.close();
  rmSync(home, { recursive: true, force: true });
});

describe('runner scheduling', () => {
  it('runs at most `workers` at once and queues the rest, in order', async () => {
    open({ workers: 2 });
    factory.tickMs = 5;
    const ids = start({ variant: 'a', steps: 60 }, { variant: 'b', steps: 60 }, { variant: 'c', steps: 60 }, { variant: 'd', steps: 60 });
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, runner.runningIds().length)), 1);
    await runner.whenIdle();
    clearInterval(sampler);
    expect(most).toBe(2);
    expect(factory.workers).toHaveLength(2);
    for (const id of ids) expect(store.getRun(id)).toMatchObject({ status: 'finished', step: 60, backend: 'wasm' });
    const startedOrder = received.filter((e) => e.type === 'runStatus' && e.status === 'running').map((e) => (e as { runId: string }).runId);
    expect(startedOrder).toEqual(ids);
  });

  it('re-runs a run with the same spec and seed as a new run', async () => {
    open();
    const [first] = start({ variant: 'again', steps: 30, seed: 7 });
    await runner.whenIdle();
    const { runId } = (await handlers.runs.rerun({ runId: first! })) as { runId: string };
    expect(runId).not.toBe(first);
    await runner.whenIdle();
    const [a, b] = [store.getRun(first!), store.getRun(runId)];
    expect(b.spec).toEqual(a.spec);
    expect(b.seed).toBe(7);
    expect(b.status).toBe('finished');
    expect(storedSteps(runId)).toEqual(storedSteps(first!));
  });

  it('cancels a run whose worker is still starting without ever handing it the run', async () => {
    open({ workers: 1 });
    let open_!: () => void;
    factory.gate = new Promise((resolve) => (open_ = resolve));
    const [id] = start({ variant: 'slow start' });
    expect(runner.cancel(id!)).toBe(true);
    factory.gate = null;
    open_();
    await runner.whenIdle();
    expect(store.getRun(id!).status).toBe('cancelled');
    expect(factory.workers[0]!.received.filter((m) => m.type === 'start')).toEqual([]);
  });

  it('withdraws a queued run that is deleted, and refuses to delete a running one', async () => {
    open({ workers: 1 });
    factory.tickMs = 5;
    const [running, queued] = start({ variant: 'running', steps: 100_000 }, { variant: 'queued' });
    await expect.poll(() => runner.runningIds()).toEqual([running]);
    await expect(async () => handlers.runs.remove({ runIds: [running!] })).rejects.toThrow(/cancel the run before deleting/);
    expect(await handlers.runs.remove({ runIds: [queued!] })).toEqual({ removed: 1 });
    expect(runner.isPending(queued!)).toBe(false);
    runner.cancel(running!);
    await runner.whenIdle();
    expect(factory.workers[0]!.received.filter((m) => m.type === 'start').map((m) => m.runId)).toEqual([running]);
  });

  it('fails a run whose worker cannot start, with the reason, and goes on with the next', async () => {
    open({ workers: 1 });
    factory.failNext = 'no backend could start';
    const [first, second] = start({ variant: 'unlucky', steps: 20 }, { variant: 'next', steps: 20 });
    await runner.whenIdle();
    expect(store.getRun(first!)).toMatchObject({ status: 'failed', error: 'no backend could start' });
    expect(store.getRun(second!).status).toBe('finished');
  });

  it('fails only the run of a worker that dies, keeps its stored frames and replaces the worker', async () => {
    open({ workers: 2, flushMs: 0 });
    factory.tickMs = 5;
    const [victim, survivor, next] = start({ variant: 'victim', steps: 100_000 }, { variant: 'survivor', steps: 300 }, { variant: 'next', steps: 20 });
    await expect.poll(() => storedSteps(victim!).length).toBeGreaterThan(10);
    factory.workers[0]!.crash('the training worker exited with code 134');
    await runner.whenIdle();
    const failed = store.getRun(victim!);
    expect(failed).toMatchObject({ status: 'failed', error: 'the training worker exited with code 134' });
    expect(failed.step).toBe(storedSteps(victim!).at(-1));
    expect(store.getRun(survivor!).status).toBe('finished');
    expect(store.getRun(next!).status).toBe('finished');
    expect(factory.workers).toHaveLength(3);
    expect(statusesOf(victim!)).toEqual(['running', 'failed']);
  });
});

describe('runner storage and events', () => {
  it('writes frames in batched transactions at most every flushMs, and everything at the end', async () => {
    open({ workers: 1, flushMs: 100, eventMs: 20 });
    factory.tickMs = 2;
    factory.framesPerTick = 5;
    const append = vi.spyOn(store, 'appendFrames');
    const t0 = Date.now();
    const [id] = start({ variant: 'steady', steps: 1500 });
    await runner.whenIdle();
    const elapsed = Date.now() - t0;
    expect(storedSteps(id!)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
    const batches = append.mock.calls.map(([, frames]) => frames.length);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(1500);
    // One write per flush interval (plus the final one), never one per frame.
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(batches.length).toBeGreaterThan(1);
  });

  it('coalesces frames per run into few events and caps what waits, while the store keeps every frame', async () => {
    // An event interval longer than the run: nothing leaves until the final status, so the
    // outbox would hold the whole run without its cap.
    open({ workers: 1, eventMs: 60_000, maxPendingFrames: 100 });
    factory.framesPerTick = 500;
    const [id] = start({ variant: 'flood', steps: 20_000 });
    await runner.whenIdle();
    expect(storedSteps(id!)).toHaveLength(20_000);
    const streamed = framesOf(id!);
    expect(streamed.map((f) => f.step)).toEqual(Array.from({ length: 100 }, (_, i) => 19_901 + i));
    expect(received.filter((e) => e.type === 'runFrames')).toHaveLength(1);
    expect(received.filter((e) => e.type === 'runProgress')).toHaveLength(1);
    // The final status is the last word about the run.
    expect(received.at(-1)).toEqual({ type: 'runStatus', runId: id, status: 'finished', step: 20_000 });
  });

  it('ends a run as failed with the reason when the store refuses its frames', async () => {
    open({ workers: 1, flushMs: 0 });
    factory.tickMs = 2;
    vi.spyOn(store, 'appendFrames').mockImplementation(() => {
      throw new Error('database or disk is full');
    });
    const [id] = start({ variant: 'full disk', steps: 100_000 });
    await runner.whenIdle();
    const run = store.getRun(id!);
    expect(run.status).toBe('failed');
    expect(run.error).toBe('the results could not be stored: database or disk is full');
    expect(factory.workers[0]!.received.map((m) => m.type)).toContain('cancel');
    expect(statusesOf(id!)).toEqual(['running', 'failed']);
  });
});

describe('batch inspector controls', () => {
  it('forwards pause, resume and stepOnce, answers inspect, and rejects inspections of an ended run', async () => {
    open({ workers: 1 });
    factory.tickMs = 5;
    const [id] = start({ variant: 'inspected', steps: 100_000 });
    await expect.poll(() => runner.runningIds()).toEqual([id]);
    await expect.poll(() => factory.workers[0]?.received.some((m) => m.type === 'start')).toBe(true);
    expect(await handlers.runs.control({ runId: id!, action: 'pause' })).toEqual({ ok: true });
    expect(await handlers.runs.control({ runId: id!, action: 'stepOnce' })).toEqual({ ok: true });
    const inspection = await handlers.runs.inspect({ runId: id!, layerId: 'bn1' });
    expect(inspection.layerId).toBe('bn1');
    expect(await handlers.runs.control({ runId: id!, action: 'resume' })).toEqual({ ok: true });
    expect(factory.workers[0]!.received.map((m) => m.type)).toEqual(['start', 'pause', 'stepOnce', 'inspect', 'resume']);
    const unknownLayer = runner.inspect(id!, 'nope', 60_000);
    runner.cancel(id!);
    await expect(unknownLayer).rejects.toThrow(`run "${id}" ended (cancelled) before layer "nope" could be inspected`);
    await runner.whenIdle();
    expect(await handlers.runs.control({ runId: id!, action: 'pause' })).toEqual({ ok: false });
    await expect(runner.inspect(id!, 'bn1')).rejects.toThrow(/is not running/);
  });
});
