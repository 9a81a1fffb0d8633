/**
 * Every built-in experiment's every run builds and trains with the engine (two steps, on stand-in
 * data of the right shape): the presets and the engine agree on what a spec means.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { metricKey } from '../../../shared/engine/frame';
import type { DatasetArrays } from '../../../shared/engine/protocol';
import { runTraining } from '../../../shared/engine/train';
import { presets } from '../../../shared/presets';
import { RunSpec } from '../../../shared/spec/experiment';
import { images } from './fixtures';

beforeAll(async () => {
  await initNodeBackend();
});

const mnistLike = images(160, [28, 28, 1], 10);

/** Stand-in data with the shape and classes the run's source would have. */
function standIn(run: RunSpec): DatasetArrays {
  const source = run.data.source;
  if (source.kind !== 'synthetic') return mnistLike;
  return { ...images(160, [2, 1, 1], source.classes, source.seed), inputShape: [2] };
}

describe.each(presets.map((preset) => [preset.id, preset] as const))('preset %s', (_, preset) => {
  it('every run trains, and the runs log every series and snapshot its charts draw', async () => {
    const runs = preset.experiment({ quick: true }).runs;
    expect(runs.length).toBeGreaterThan(0);
    const logged = new Set<string>();
    const snapshotted = new Set<string>();
    for (const run of runs) {
      const spec = RunSpec.parse({ ...run, data: { ...run.data, evalLimit: 50, trainLimit: undefined }, training: { ...run.training, duration: { steps: 2 }, logEvery: 2, evalEvery: 2 } });
      let lastLoss = NaN;
      const outcome = await runTraining(tf, spec, standIn(run), {
        onFrame: (f) => {
          lastLoss = f.values[metricKey.trainLoss]!;
          for (const key of Object.keys(f.values)) logged.add(key);
        },
        onSnapshot: (snapshot) => snapshot.layers.forEach((layer) => snapshotted.add(layer.id)),
        isCancelled: () => false,
      });
      expect(outcome, `${preset.id} / ${run.variant}`).toEqual({ status: 'finished', step: 2 });
      expect(Number.isFinite(lastLoss)).toBe(true);
    }
    for (const chart of preset.charts) {
      if (chart.kind === 'scatter') expect(snapshotted.has(chart.layerId), `${chart.id}: snapshot of ${chart.layerId}`).toBe(true);
      else for (const key of chart.keys) expect(logged.has(key), `${chart.id}: ${key}`).toBe(true);
    }
  });
});
