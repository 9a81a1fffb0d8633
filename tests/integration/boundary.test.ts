/** The decision boundary of a 2-D run: stored at each evaluation, readable through LabApi, oriented right. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLab, type Lab } from '../../electron/lab/lab';
import { ExperimentSpec } from '../../shared/spec/experiment';
import type { DecisionBoundary } from '../../shared/engine/protocol';

let home: string;
let lab: Lab;
beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-boundary-'));
  lab = await createLab({ dataDir: home, transport: 'cli', appVersion: 'test', workers: 1 });
});
afterAll(async () => {
  await lab.close();
  rmSync(home, { recursive: true, force: true });
});

describe('decision boundary', () => {
  it('matches the labels of the training points it was learned from', async () => {
    const source = { kind: 'synthetic' as const, generator: 'moons' as const, samples: 600, noise: 0.05, classes: 2, seed: 4 };
    const experiment = ExperimentSpec.parse({
      title: 'boundary',
      runs: [{
        variant: 'moons',
        model: { layers: [{ kind: 'dense', id: 'd1', units: 16 }, { kind: 'norm', id: 'bn1' }, { kind: 'activation', id: 'a1', fn: 'relu' }, { kind: 'dense', id: 'out', units: 2 }] },
        data: { source, inputScale: 3, inputShift: 1 },
        training: { optimizer: { kind: 'adam' }, learningRate: 0.02, batchSize: 32, duration: { steps: 600 }, logEvery: 50, evalEvery: 200 },
      }],
    });
    const { runIds } = lab.handlers.experiments.start({ experiment }) as { runIds: string[] };
    await lab.runner.whenIdle();
    const result = await lab.dispatch('runs.boundary', { runId: runIds[0] });
    expect(result.ok).toBe(true);
    const boundary = (result as { value: DecisionBoundary }).value;
    expect(boundary).toMatchObject({ step: 600, resolution: 48, classes: 2 });
    expect(boundary.probs).toHaveLength(48 * 48 * 2);
    for (let cell = 0; cell < 48 * 48; cell++) expect(boundary.probs[2 * cell]! + boundary.probs[2 * cell + 1]!).toBeCloseTo(1, 4);

    // Each training point, as the network sees it (x·3 + 1), falls in a cell whose predicted class
    // should be its label: this checks the grid's orientation (rows from the bottom, columns = x).
    const data = lab.datasets.load(source, 0.2);
    const [lo, hi] = boundary.range;
    const cellOf = (v: number) => Math.min(47, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * 48)));
    let agree = 0;
    for (let i = 0; i < data.train.y.length; i++) {
      const c = cellOf(data.train.x[2 * i]! * 3 + 1);
      const r = cellOf(data.train.x[2 * i + 1]! * 3 + 1);
      const predicted = boundary.probs[2 * (r * 48 + c) + 1]! > boundary.probs[2 * (r * 48 + c)]! ? 1 : 0;
      if (predicted === data.train.y[i]) agree++;
    }
    expect(agree / data.train.y.length).toBeGreaterThan(0.85);
  });

  it('names an unknown run', async () => {
    expect(await lab.dispatch('runs.boundary', { runId: 'r-none' })).toMatchObject({ ok: false, error: { message: 'no run "r-none"' } });
  });
});
