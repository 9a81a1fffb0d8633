/** Whole-model behaviour of the engine: determinism, pairing, gradients, divergence, leaks, errors. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { metricKey, type MetricFrame } from '../../../shared/engine/frame';
import { countCorrect, lossAndGradient } from '../../../shared/engine/loss';
import { buildModel } from '../../../shared/engine/model';
import { runTraining, Trainer } from '../../../shared/engine/train';
import type { RunSpec, RunSpecInput } from '../../../shared/spec/experiment';
import { images, moons, moonsSpec as spec } from './fixtures';

beforeAll(async () => {
  await initNodeBackend();
});

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

describe('determinism with everything random switched on', () => {
  it('a CNN with dropout and noisy BN gives the same frames, every instrument included, for the same seed', async () => {
    const data = images(96, [6, 6, 1], 3);
    const cnn = (seed: number) =>
      spec({
        layers: [
          { kind: 'conv2d', id: 'c1', filters: 3, kernelSize: 3 },
          { kind: 'norm', id: 'bn1', injectNoise: true },
          { kind: 'activation', id: 'a1', fn: 'relu' },
          { kind: 'maxPool', id: 'p1' },
          { kind: 'flatten', id: 'f' },
          { kind: 'dropout', id: 'drop', rate: 0.3 },
          { kind: 'dense', id: 'out', units: 3 },
        ],
        training: { seed, optimizer: { kind: 'adam' }, learningRate: 0.01, batchSize: 12, duration: { epochs: 2 }, logEvery: 4, evalEvery: 8 },
      });
    const collect = async (seed: number) => {
      const out: MetricFrame[] = [];
      const outcome = await runTraining(tf, cnn(seed), data, { onFrame: (f) => out.push(f), isCancelled: () => false });
      expect(outcome).toEqual({ status: 'finished', step: 16 });
      return out.map((f) => ({ step: f.step, epoch: f.epoch, values: Object.fromEntries(Object.entries(f.values).filter(([key]) => key !== metricKey.stepsPerSecond)) }));
    };
    const a = await collect(4);
    expect(a.map((f) => f.step)).toEqual([4, 8, 12, 16]);
    expect(a.at(-1)!.epoch).toBe(2);
    expect(await collect(4)).toEqual(a);
    expect((await collect(5)).map((f) => f.values[metricKey.trainLoss])).not.toEqual(a.map((f) => f.values[metricKey.trainLoss]));
  });

  it('a finished CNN run with every instrument on (landscape, noise, overlapping pools) frees every tensor it made', async () => {
    const before = tf.memory().numTensors;
    const outcome = await runTraining(
      tf,
      spec({
        layers: [
          { kind: 'conv2d', id: 'c1', filters: 3, kernelSize: 3, stride: 2 },
          { kind: 'norm', id: 'bn1', injectNoise: true },
          { kind: 'activation', id: 'a1', fn: 'leakyRelu' },
          { kind: 'maxPool', id: 'p1', poolSize: 2, stride: 1 },
          { kind: 'avgPool', id: 'p2', poolSize: 2, stride: 1 },
          { kind: 'flatten', id: 'f' },
          { kind: 'dense', id: 'out', units: 3 },
        ],
        training: { optimizer: { kind: 'adam' }, weightDecay: 1e-3, batchSize: 8, duration: { steps: 20 }, logEvery: 5, evalEvery: 10, diagnostics: { trackUnits: 2, landscape: true } },
      }),
      images(64, [8, 8, 1], 3),
      { onFrame: () => {}, onSnapshot: () => {}, isCancelled: () => false },
    );
    expect(outcome.status).toBe('finished');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('conv layers pair too: with and without BN start from the same kernels', () => {
    const withBn = buildModel(tf, spec({ layers: [{ kind: 'conv2d', id: 'c1', filters: 4, kernelSize: 3 }, { kind: 'norm', id: 'bn' }, { kind: 'flatten', id: 'f' }, { kind: 'dense', id: 'out', units: 2 }] }).model, [5, 5, 1], 2, 9);
    const without = buildModel(tf, spec({ layers: [{ kind: 'conv2d', id: 'c1', filters: 4, kernelSize: 3 }, { kind: 'flatten', id: 'f' }, { kind: 'dense', id: 'out', units: 2 }] }).model, [5, 5, 1], 2, 9);
    const kernel = (m: typeof withBn, id: string) => Array.from(m.params.find((p) => p.layerId === id && p.name === 'kernel')!.variable.dataSync());
    expect(kernel(withBn, 'c1')).toEqual(kernel(without, 'c1'));
    expect(kernel(withBn, 'out')).toEqual(kernel(without, 'out'));
    withBn.dispose();
    without.dispose();
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
    const run = spec({ training: { trainable: 'normOnly' } });
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
      [[{ kind: 'dense', id: 'out', units: 3 }], /the last layer "out" has 3 units but the dataset has 2 classes; set its units to 2/],
      [[{ kind: 'conv2d', id: 'c1', filters: 4, kernelSize: 3 }, { kind: 'flatten', id: 'f' }, { kind: 'dense', id: 'out', units: 2 }], /layer "c1" \(conv2d\) expects a 3-D input \(height×width×channels\) but gets 2 features/],
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

describe('per-step losses, computed in chunks of steps', () => {
  it.each(['crossEntropy', 'mse'] as const)('the logged %s training loss and accuracy are those of the steps\' own batches', async (loss) => {
    // No BN (an example's loss does not depend on its batch) and a learning rate too small to move
    // the weights: over two whole epochs every training example counts twice, so the logged means
    // over 50 steps (more than one chunk) are the whole training set's loss and accuracy.
    const layers: RunSpecInput['model']['layers'] = [
      { kind: 'dense', id: 'd1', units: 12 },
      { kind: 'activation', id: 'a1', fn: 'tanh' },
      { kind: 'dense', id: 'out', units: 2 },
    ];
    const run = spec({ layers, training: { loss, learningRate: 1e-9, batchSize: 20, duration: { epochs: 2 }, logEvery: 50, evalEvery: 50 } });
    const data = moons();
    const trainer = new Trainer(tf, run, data);
    const expected = tf.tidy(() => {
      const logits = trainer.model.forward(tf.tensor2d(data.train.x, [data.train.y.length, 2]), { training: false });
      const { loss: value } = lossAndGradient(tf, trainer.model.constants, loss, logits, tf.oneHot(tf.tensor1d(data.train.y, 'int32'), 2), false);
      return [value.dataSync()[0]!, countCorrect(tf, logits, tf.tensor1d(data.train.y, 'int32')).dataSync()[0]! / data.train.y.length];
    });
    for (let i = 0; i < 50; i++) trainer.trainStep(trainer.isFrameStep(i + 1));
    const result = await trainer.frame();
    trainer.dispose();
    if (!('frame' in result)) throw new Error(result.message);
    expect(result.frame.step).toBe(50);
    expect(result.frame.values[metricKey.trainLoss]).toBeCloseTo(expected[0]!, 5);
    expect(result.frame.values[metricKey.trainAcc]).toBeCloseTo(expected[1]!, 6);
  });
});
