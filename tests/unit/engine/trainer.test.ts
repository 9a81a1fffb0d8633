/** Whole-model behaviour of the engine: determinism, pairing, gradients, divergence, leaks, errors. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { generateSynthetic } from '../../../shared/data/synthetic';
import { metricKey, type MetricFrame } from '../../../shared/engine/frame';
import { buildModel } from '../../../shared/engine/model';
import type { DatasetArrays } from '../../../shared/engine/protocol';
import { runTraining, Trainer } from '../../../shared/engine/train';
import { RunSpec, type RunSpecInput } from '../../../shared/spec/experiment';

beforeAll(async () => {
  await initNodeBackend();
});

function moons(): DatasetArrays {
  const points = generateSynthetic({ generator: 'moons', samples: 600, noise: 0.1, classes: 2, seed: 5 });
  return { inputShape: [2], numClasses: 2, train: { x: points.x.slice(0, 1000), y: points.y.slice(0, 500) }, test: { x: points.x.slice(1000), y: points.y.slice(500) } };
}

function spec(overrides: { layers?: RunSpecInput['model']['layers']; training?: Partial<RunSpecInput['training']> } = {}): RunSpec {
  return RunSpec.parse({
    variant: 'test',
    model: {
      layers: overrides.layers ?? [
        { kind: 'dense', id: 'd1', units: 12 },
        { kind: 'norm', id: 'bn1' },
        { kind: 'activation', id: 'a1', fn: 'tanh' },
        { kind: 'dense', id: 'out', units: 2 },
      ],
    },
    data: { source: { kind: 'synthetic', generator: 'moons' } },
    training: { learningRate: 0.1, batchSize: 20, duration: { steps: 60 }, logEvery: 20, evalEvery: 60, seed: 11, ...overrides.training },
  });
}

async function frames(run: RunSpec): Promise<MetricFrame[]> {
  const out: MetricFrame[] = [];
  const outcome = await runTraining(tf, run, moons(), { onFrame: (f) => out.push(f), isCancelled: () => false });
  expect(outcome.status).toBe('finished');
  return out;
}

describe('determinism and pairing', () => {
  it('the same seed gives the same curve; another seed a different one', async () => {
    const a = await frames(spec());
    const b = await frames(spec());
    const c = await frames(spec({ training: { seed: 12 } }));
    expect(a.map((f) => f.values[metricKey.trainLoss])).toEqual(b.map((f) => f.values[metricKey.trainLoss]));
    expect(a.map((f) => f.values[metricKey.trainLoss])).not.toEqual(c.map((f) => f.values[metricKey.trainLoss]));
  });

  it('runs that share a layer id start from identical weights for it (with vs without BN)', () => {
    const withBn = buildModel(tf, spec().model, [2], 2, 7);
    const without = buildModel(tf, spec({ layers: [{ kind: 'dense', id: 'd1', units: 12 }, { kind: 'activation', id: 'a1', fn: 'tanh' }, { kind: 'dense', id: 'out', units: 2 }] }).model, [2], 2, 7);
    const kernel = (m: typeof withBn, id: string) => Array.from(m.params.find((p) => p.layerId === id && p.name === 'kernel')!.variable.dataSync());
    expect(kernel(withBn, 'd1')).toEqual(kernel(without, 'd1'));
    expect(kernel(withBn, 'out')).toEqual(kernel(without, 'out'));
    const otherSeed = buildModel(tf, spec().model, [2], 2, 8);
    expect(kernel(otherSeed, 'd1')).not.toEqual(kernel(withBn, 'd1'));
    for (const m of [withBn, without, otherSeed]) m.dispose();
  });
});

describe('gradients of a whole model', () => {
  it('match central finite differences', () => {
    const run = spec({ training: { batchSize: 20 } });
    const data = moons();
    const trainer = new Trainer(tf, run, data);
    const model = trainer.model;
    const x = tf.tensor2d(data.train.x.slice(0, 40), [20, 2]);
    const labels = tf.oneHot(tf.tensor1d(data.train.y.slice(0, 20), 'int32'), 2);
    const lossOf = () => tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(model.forward(x, { training: true, batchStats: new Map() }))), 1))) as tf.Scalar);
    const vars = model.params.map((p) => p.variable);
    const { grads } = tf.variableGrads(lossOf, vars);
    const h = 1e-2;
    let checked = 0;
    for (const p of model.params) {
      const analytic = grads[p.variable.name]!.dataSync();
      const values = p.variable.dataSync().slice();
      for (const i of [0, Math.floor(values.length / 2), values.length - 1]) {
        const at = (delta: number) => {
          const shifted = values.slice();
          shifted[i]! += delta;
          p.variable.assign(tf.tensor(shifted, p.variable.shape));
          return lossOf().dataSync()[0]!;
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        p.variable.assign(tf.tensor(values, p.variable.shape));
        expect(Math.abs(numeric - analytic[i]!)).toBeLessThan(3e-3 + 0.03 * Math.abs(numeric));
        checked++;
      }
    }
    expect(checked).toBe(3 * model.params.length);
    trainer.dispose();
  });
});

describe('training', () => {
  it('learns moons with BN and reports the instruments', async () => {
    const out = await frames(spec({ training: { duration: { steps: 300 }, logEvery: 50, evalEvery: 300 } }));
    const last = out[out.length - 1]!;
    expect(last.values[metricKey.testAcc]).toBeGreaterThan(0.8);
    for (const key of [
      metricKey.normParam('bn1', 'gamma', 'mean'),
      metricKey.normParamUnit('bn1', 'beta', 0),
      metricKey.normStatUnit('bn1', 'batchMean', 0),
      metricKey.normStatUnit('bn1', 'runningVar', 0),
      metricKey.undoDistance('bn1'),
      metricKey.undoFraction('bn1'),
      metricKey.preActivation('a1', 'p50'),
      metricKey.preActivationUnit('a1', 0, 'p85'),
      metricKey.fractionLinear('a1'),
      metricKey.outputStat('bn1', 'std'),
      metricKey.gradNorm('d1'),
      metricKey.weightNorm('d1'),
      metricKey.effectiveLr('d1'),
      metricKey.testAccBatchStats,
    ]) {
      expect(Number.isFinite(last.values[key]), key).toBe(true);
    }
    // A standardized layer's output has mean ≈ β̄ and the tanh inputs are centred.
    expect(Math.abs(last.values[metricKey.preActivation('a1', 'p50')]!)).toBeLessThan(1.5);
  });

  it('trains only γ and β when asked (Frankle et al.), leaving every other weight at its init', async () => {
    const run = spec({ training: { trainOnlyNorm: true } });
    const trainer = new Trainer(tf, run, moons());
    const before = Array.from(trainer.model.params.find((p) => p.name === 'kernel')!.variable.dataSync());
    const gammaBefore = Array.from(trainer.model.params.find((p) => p.name === 'gamma')!.variable.dataSync());
    for (let i = 0; i < 20; i++) trainer.trainStep(false);
    expect(Array.from(trainer.model.params.find((p) => p.name === 'kernel')!.variable.dataSync())).toEqual(before);
    expect(Array.from(trainer.model.params.find((p) => p.name === 'gamma')!.variable.dataSync())).not.toEqual(gammaBefore);
    trainer.dispose();
  });

  it('keeps the tensor count constant over 200 steps after warm-up', async () => {
    const trainer = new Trainer(tf, spec({ training: { duration: { steps: 400 }, logEvery: 25, evalEvery: 100, diagnostics: { trackUnits: 2, landscape: true } } }), moons());
    const step = async () => {
      const record = trainer.isFrameStep(trainer.step + 1);
      trainer.trainStep(record);
      if (record) await trainer.frame();
    };
    for (let i = 0; i < 100; i++) await step();
    const warm = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) await step();
    expect(tf.memory().numTensors).toBe(warm);
    trainer.dispose();
  });

  it('reports a diverging run at the step its loss stopped being finite', async () => {
    const frames: MetricFrame[] = [];
    const outcome = await runTraining(tf, spec({ layers: [{ kind: 'dense', id: 'd1', units: 12 }, { kind: 'activation', id: 'a1', fn: 'linear' }, { kind: 'dense', id: 'out', units: 2 }], training: { learningRate: 50, loss: 'mse', duration: { steps: 500 }, logEvery: 10 } }), moons(), {
      onFrame: (f) => frames.push(f),
      isCancelled: () => false,
    });
    expect(outcome.status).toBe('diverged');
    expect(outcome.message).toMatch(new RegExp(`at step ${outcome.step}; try a smaller learning rate`));
    expect(frames.every((f) => f.step < outcome.step && Number.isFinite(f.values[metricKey.trainLoss]))).toBe(true);
  });

  it('explains a model that does not fit its data', async () => {
    const cases: Array<[RunSpecInput['model']['layers'], RegExp]> = [
      [[{ kind: 'dense', id: 'out', units: 3 }], /the last layer "out" outputs 3 values but the dataset has 2 classes; set its units to 2/],
      [[{ kind: 'conv2d', id: 'c1', filters: 4, kernelSize: 3 }, { kind: 'flatten', id: 'f' }, { kind: 'dense', id: 'out', units: 2 }], /layer "c1" \(conv2d\) expects an image \(height×width×channels\) but gets 2 features/],
    ];
    for (const [layers, message] of cases) {
      const outcome = await runTraining(tf, spec({ layers }), moons(), { onFrame: () => {}, isCancelled: () => false });
      expect(outcome).toMatchObject({ status: 'failed', step: 0, message: expect.stringMatching(message) });
    }
  });

  it('stops when cancelled', async () => {
    let calls = 0;
    const outcome = await runTraining(tf, spec({ training: { duration: { steps: 10_000 } } }), moons(), { onFrame: () => {}, isCancelled: () => ++calls > 30 });
    expect(outcome.status).toBe('cancelled');
    expect(outcome.step).toBeLessThan(40);
  });
});
