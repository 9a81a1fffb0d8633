/**
 * Bounded buffering: a worker that reports frames far faster than windows can take them never
 * grows the runner's event buffer past its cap, while the store still receives every frame.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLab, type Lab } from '../../../electron/lab/lab';
import { replayWorkerFactory } from './fixtures';
import type { LabEvent } from '../../../shared/api';
import { ExperimentSpec } from '../../../shared/spec/experiment';

const FRAMES = 20_000;

/** FRAMES frames, step 1 to FRAMES. */
const frames = Array.from({ length: FRAMES }, (_, i) => ({ step: i + 1, epoch: 0, wallMs: i + 1, values: { 'train/loss': 1 / (i + 1) } }));

let home = '';
let lab: Lab;
afterEach(async () => {
  await lab?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('runner backpressure', () => {
  it('caps the frames waiting for windows and still stores every frame', async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-backpressure-'));
    lab = await createLab({ dataDir: home, transport: 'cli', appVersion: 'test', workers: 1, workerFactory: replayWorkerFactory(frames) });
    const batches: number[] = [];
    lab.events.subscribe((e: LabEvent) => {
      if (e.type === 'runFrames') batches.push(e.frames.length);
    });
    const experiment = ExperimentSpec.parse({
      title: 'flood',
      runs: [{ variant: 'v', model: { layers: [{ kind: 'dense', id: 'out', units: 2 }] }, data: { source: { kind: 'synthetic', generator: 'moons' } }, training: { learningRate: 0.1, batchSize: 8, duration: { steps: FRAMES } } }],
    });
    const { runIds } = lab.handlers.experiments.start({ experiment }) as { runIds: string[] };
    await lab.runner.whenIdle();
    // Windows got at most the cap (the newest frames); they re-read the rest from the store.
    expect(Math.max(...batches)).toBeLessThanOrEqual(2000);
    expect(batches.reduce((a, b) => a + b, 0)).toBeLessThan(FRAMES);
    const [loss] = lab.store.series({ runIds, keys: ['train/loss'] });
    expect(loss!.steps).toHaveLength(FRAMES);
    expect(lab.store.getRun(runIds[0]!).status).toBe('finished');
  });
});
