/** The runner with real worker threads (wasm), a real SQLite store and real synthetic data. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLab, type Lab } from '../../electron/lab/lab';
import type { LabEvent } from '../../shared/api';
import type { Worker } from 'node:worker_threads';
import type { WorkerFactory } from '../../electron/lab/runner/worker';
import { createNodeWorkerFactory } from '../../electron/lab/engineHost/nodeWorkerHost';
import { subscribeBounded } from '../../electron/lab/runner/eventOutbox';
import { experiment } from '../unit/runner/fixtures';

let home: string;
let lab: Lab;
let events: LabEvent[];

async function open(workerFactory?: WorkerFactory, workers = 2): Promise<void> {
  lab = await createLab({ dataDir: home, transport: 'browser', appVersion: 'test', workers, ...(workerFactory ? { workerFactory } : {}) });
  events = [];
  lab.events.subscribe((event) => events.push(event));
}

beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-runner-'));
});
afterEach(async () => {
  await lab?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('runner', () => {
  it('trains runs in parallel, stores every frame and streams them as events', async () => {
    await open();
    const { runIds } = lab.handlers.experiments.start({ experiment: experiment([{ variant: 'with BN' }, { variant: 'without BN', bn: false }]) }) as { runIds: string[] };
    await expect.poll(() => lab.runner.runningIds().length, { timeout: 20_000 }).toBe(2);
    await lab.runner.whenIdle();
    for (const runId of runIds) {
      const run = lab.store.getRun(runId);
      expect(run).toMatchObject({ status: 'finished', step: 200, totalSteps: 200, backend: 'wasm', versions: { tfjs: expect.any(String) } });
      const [loss] = lab.store.series({ runIds: [runId], keys: ['train/loss'] });
      expect(loss!.steps).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 20));
      const streamed = events.filter((e): e is Extract<LabEvent, { type: 'runFrames' }> => e.type === 'runFrames' && e.runId === runId).flatMap((e) => e.frames.map((f) => f.step));
      expect(streamed).toEqual(loss!.steps);
      expect(events).toContainEqual({ type: 'runStatus', runId, status: 'finished', step: 200 });
    }
    expect(lab.store.snapshot(runIds[0]!)!.layers[0]!.id).toBe('bn1');
    expect(lab.store.snapshot(runIds[1]!)!.layers).toEqual([]);
  });

  it('cancels queued and running runs', async () => {
    await open(undefined, 1);
    const { runIds } = lab.handlers.experiments.start({ experiment: experiment([{ variant: 'long', steps: 100_000 }, { variant: 'queued' }]) }) as { runIds: string[] };
    await expect.poll(() => lab.store.getRun(runIds[0]!).step, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(lab.runner.cancel(runIds[1]!)).toBe(true);
    expect(lab.runner.cancel(runIds[0]!)).toBe(true);
    await lab.runner.whenIdle();
    expect(lab.store.getRun(runIds[0]!).status).toBe('cancelled');
    expect(lab.store.getRun(runIds[1]!).status).toBe('cancelled');
    expect(lab.store.getRun(runIds[0]!).step).toBeLessThan(100_000);
  });

  it('stops a diverging run at the step it diverged, keeping earlier frames', async () => {
    await open();
    const { runIds } = lab.handlers.experiments.start({ experiment: experiment([{ variant: 'huge lr', lr: 50, bn: false, steps: 400, loss: 'mse' }]) }) as { runIds: string[] };
    await lab.runner.whenIdle();
    const run = lab.store.getRun(runIds[0]!);
    expect(run.status).toBe('diverged');
    expect(run.error).toMatch(/became (NaN|infinite) at step \d+; try a smaller learning rate/);
    const step = Number(/at step (\d+)/.exec(run.error!)![1]);
    const stored = lab.store.series({ runIds: [runIds[0]!], keys: ['train/loss'] })[0]?.steps ?? [];
    expect(stored.every((s) => s < step)).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ type: 'runStatus', runId: runIds[0], status: 'diverged' }));
  });

  it('fails only the run whose worker dies; the pool replaces the worker and other runs continue', async () => {
    const threads: Worker[] = [];
    await open(createNodeWorkerFactory({ onSpawn: (thread) => threads.push(thread) }), 2);
    const { runIds } = lab.handlers.experiments.start({
      experiment: experiment([{ variant: 'victim', steps: 100_000 }, { variant: 'survivor', steps: 100_000 }, { variant: 'next', steps: 100 }]),
    }) as { runIds: string[] };
    const [victim, survivor, next] = runIds as [string, string, string];
    await expect.poll(() => Math.min(lab.store.getRun(victim).step, lab.store.getRun(survivor).step), { timeout: 20_000 }).toBeGreaterThan(0);
    // Threads spawn in slot order, so the first is the victim's. Kill it as a crash would:
    // no goodbye message, the runner not asked.
    await threads[0]!.terminate();
    await expect.poll(() => lab.store.getRun(next).status, { timeout: 20_000 }).toBe('finished');
    const failed = lab.store.getRun(victim);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/training worker/);
    // The only free slot was the victim's: the next run needed a new thread.
    expect(threads).toHaveLength(3);
    const stepAfter = lab.store.getRun(survivor).step;
    await expect.poll(() => lab.store.getRun(survivor).step, { timeout: 20_000 }).toBeGreaterThan(stepAfter);
    expect(lab.store.getRun(survivor).status).toBe('running');
    lab.runner.cancel(survivor);
    await lab.runner.whenIdle();
    expect(lab.store.getRun(survivor).status).toBe('cancelled');
  });

  it('re-runs a run with the same spec and seed and gets the same curve', async () => {
    await open(undefined, 1);
    const { runIds } = lab.handlers.experiments.start({ experiment: experiment([{ variant: 'seeded', steps: 100, seed: 42 }]) }) as { runIds: string[] };
    await lab.runner.whenIdle();
    const { runId } = (await lab.handlers.runs.rerun({ runId: runIds[0]! })) as { runId: string };
    await lab.runner.whenIdle();
    const [first, again] = [runIds[0]!, runId].map((id) => lab.store.series({ runIds: [id], keys: ['train/loss'] })[0]!);
    expect(lab.store.getRun(runId)).toMatchObject({ status: 'finished', seed: 42 });
    expect(again!.steps).toEqual(first!.steps);
    expect(again!.values).toEqual(first!.values);
  });

  it('keeps training and storing while a subscriber never drains; what waits for it stays capped', async () => {
    await open(undefined, 1);
    let deliveries = 0;
    const stalled = subscribeBounded(lab.events, () => ((deliveries += 1), new Promise<void>(() => {})), { maxFramesPerRun: 50 });
    const { runIds } = lab.handlers.experiments.start({ experiment: experiment([{ variant: 'every step logged', steps: 600, logEvery: 1 }]) }) as { runIds: string[] };
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, stalled.outbox.pendingFrames)), 5);
    await lab.runner.whenIdle();
    clearInterval(sampler);
    expect(lab.store.getRun(runIds[0]!)).toMatchObject({ status: 'finished', step: 600 });
    expect(lab.store.series({ runIds, keys: ['train/loss'] })[0]!.steps).toHaveLength(600);
    expect(deliveries).toBe(1);
    expect(Math.max(most, stalled.outbox.pendingFrames)).toBe(50);
    expect(stalled.outbox.dropped).toBeGreaterThan(400);
    // The hub's plain subscribers heard every frame.
    const streamed = events.filter((e): e is Extract<LabEvent, { type: 'runFrames' }> => e.type === 'runFrames').flatMap((e) => e.frames);
    expect(streamed).toHaveLength(600);
    stalled.unsubscribe();
  });
});
