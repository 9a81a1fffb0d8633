/** A finished run frees every tensor it made: a worker trains run after run for a whole workshop. */
import { beforeAll, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { generateSynthetic } from '../../../shared/data/synthetic';
import { runTraining } from '../../../shared/engine/train';
import { RunSpec } from '../../../shared/spec/experiment';

beforeAll(async () => {
  await initNodeBackend();
});

it('leaves the tensor count where it was, run after run (every optimizer, BN and dropout)', async () => {
  const points = generateSynthetic({ generator: 'moons', samples: 300, noise: 0.1, classes: 2, seed: 2 });
  const data = { inputShape: [2], numClasses: 2, train: { x: points.x.slice(0, 400), y: points.y.slice(0, 200) }, test: { x: points.x.slice(400), y: points.y.slice(200) } };
  const before = tf.memory().numTensors;
  for (const optimizer of [{ kind: 'sgd' }, { kind: 'momentum', nesterov: true }, { kind: 'adam' }] as const) {
    const spec = RunSpec.parse({
      variant: optimizer.kind,
      model: { layers: [{ kind: 'dense', id: 'd1', units: 8 }, { kind: 'norm', id: 'bn1' }, { kind: 'activation', id: 'a1', fn: 'relu' }, { kind: 'dropout', id: 'drop', rate: 0.2 }, { kind: 'dense', id: 'out', units: 2 }] },
      data: { source: { kind: 'synthetic', generator: 'moons' } },
      training: { optimizer, learningRate: 0.05, weightDecay: 1e-4, batchSize: 16, duration: { steps: 60 }, logEvery: 20, evalEvery: 30 },
    });
    const outcome = await runTraining(tf, spec, data, { onFrame: () => {}, isCancelled: () => false });
    expect(outcome.status).toBe('finished');
    expect(tf.memory().numTensors).toBe(before);
  }
});
