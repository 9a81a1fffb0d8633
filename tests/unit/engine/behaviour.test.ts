/** What a run does with its data and randomness: input transforms, subsets, dropout, noisy BN, divergence, instruments. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { MetricFrame, metricKey, NormSnapshot } from '../../../shared/engine/frame';
import { buildModel, layerForward, layerBackward, type LayerCache } from '../../../shared/engine/model';
import { Rng } from '../../../shared/engine/random';
import { runTraining, Trainer } from '../../../shared/engine/train';
import { ModelSpec } from '../../../shared/spec/model';
import type { RunSpec } from '../../../shared/spec/experiment';
import { images, inScope, moons, moonsSpec } from './fixtures';

beforeAll(async () => {
  await initNodeBackend();
});

const probe = [
  { kind: 'norm', id: 'bn', mode: 'standardize', gamma: { use: 'absent', init: 1 }, beta: { use: 'absent', init: 0 } },
  { kind: 'dense', id: 'out', units: 2 },
] as const;

async function run(spec: RunSpec, data = moons()): Promise<{ frames: MetricFrame[]; status: string; step: number; message?: string }> {
  const frames: MetricFrame[] = [];
  const outcome = await runTraining(tf, spec, data, { onFrame: (f) => frames.push(f), isCancelled: () => false });
  return { frames, ...outcome };
}

describe('data', () => {
  it('applies inputScale and inputShift to what the model sees', async () => {
    const data = moons(40, 10);
    const trainer = new Trainer(tf, moonsSpec({ layers: [...probe], data: { inputScale: 3, inputShift: -2 }, training: { batchSize: 8 } }), data);
    trainer.trainStep(false);
    const seen = (await trainer.inspect('bn')).inputs[0]!;
    const allowed = Array.from({ length: 40 }, (_, i) => data.train.x[2 * i]! * 3 - 2);
    for (const v of seen) expect(allowed.some((a) => Math.abs(a - v) < 1e-5)).toBe(true);
    trainer.dispose();
  });

  it('trains on a seeded subset of trainLimit examples, and evaluates on the first evalLimit test examples', async () => {
    const data = moons(200, 50);
    const spec = moonsSpec({ layers: [...probe], data: { trainLimit: 16, evalLimit: 7 }, training: { batchSize: 8, duration: { steps: 20 }, logEvery: 20, evalEvery: 20 } });
    const trainer = new Trainer(tf, spec, data);
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) {
      trainer.trainStep(false);
      for (const v of (await trainer.inspect('bn')).inputs[0]!) seen.add(Math.round(v * 1e5));
    }
    expect(seen.size).toBe(16);
    trainer.dispose();
    // evalLimit 7: the accuracy is a multiple of 1/7.
    const { frames } = await run(spec, data);
    const acc = frames.at(-1)!.values[metricKey.testAcc]!;
    expect(Math.abs(acc * 7 - Math.round(acc * 7))).toBeLessThan(1e-6);
  });

  it('rejects labels outside the classes and inputs of the wrong size', async () => {
    const data = moons(40, 10);
    data.test.y[3] = 2;
    expect(await run(moonsSpec(), data)).toMatchObject({ status: 'failed', message: 'test example 3 has label 2, outside the dataset’s 2 classes (0–1)'.replace('’', "'") });
    const short = moons(40, 10);
    short.train.x = short.train.x.slice(1);
    expect(await run(moonsSpec(), short)).toMatchObject({ status: 'failed', message: 'the training inputs hold 79 values, expected 40 examples × 2' });
  });

  it('rejects a batch larger than the (limited) training set with an actionable message', async () => {
    const outcome = await run(moonsSpec({ data: { trainLimit: 10 }, training: { batchSize: 20 } }));
    expect(outcome).toMatchObject({ status: 'failed', message: 'the batch size 20 is larger than the 10 training examples; choose a batch size of at most 10' });
  });
});

describe('randomness is seeded', () => {
  it('dropout keeps a (1−rate) fraction, scaled by 1/(1−rate), from the run’s stream; its gradient uses the same mask', () => {
    const spec = ModelSpec.parse({ layers: [{ kind: 'dropout', id: 'drop', rate: 0.25 }, { kind: 'dense', id: 'out', units: 2 }] });
    const model = buildModel(tf, spec, [400], 2, 1);
    const layer = model.layers[0]!;
    const forward = (seed: number) =>
      inScope(tf, () => {
        const tape: LayerCache[] = [];
        const y = layerForward(tf, model.constants, layer, tf.ones([5, 400]), { training: true, rng: new Rng(seed), tape });
        const dx = layerBackward(tf, model.constants, tape[0]!, tf.fill([5, 400], 2), true, new Map());
        return { y: Array.from(y.dataSync()), dx: Array.from(dx!.dataSync()) };
      });
    const a = forward(7);
    expect(new Set(a.y.map((v) => v.toFixed(5)))).toEqual(new Set(['0.00000', (1 / 0.75).toFixed(5)]));
    expect(a.y.filter((v) => v === 0).length / a.y.length).toBeGreaterThan(0.2);
    expect(a.y.filter((v) => v === 0).length / a.y.length).toBeLessThan(0.3);
    expect(a.dx).toEqual(a.y.map((v) => 2 * v));
    expect(forward(7).y).toEqual(a.y);
    expect(forward(8).y).not.toEqual(a.y);
    // Eval mode, or no stream: identity.
    const plain = inScope(tf, () => Array.from(layerForward(tf, model.constants, layer, tf.ones([5, 400]), { training: false }).dataSync()));
    expect(plain.every((v) => v === 1)).toBe(true);
    model.dispose();
  });

  it('noisy BN (Santurkar et al.) shifts and scales each unit by seeded, time-varying noise in training only', () => {
    const spec = ModelSpec.parse({ layers: [{ kind: 'norm', id: 'bn', injectNoise: true }, { kind: 'dense', id: 'out', units: 2 }] });
    const model = buildModel(tf, spec, [3], 2, 1);
    const layer = model.layers[0]!;
    const x = new Rng(1);
    const input = Array.from({ length: 64 * 3 }, () => x.normal());
    const pass = (rng?: Rng, training = true) => inScope(tf, () => Array.from(layerForward(tf, model.constants, layer, tf.tensor2d(input, [64, 3]), { training, ...(rng ? { rng } : {}) }).dataSync()));
    const clean = pass();
    const rng = new Rng(5);
    const first = pass(rng);
    const second = pass(rng);
    expect(first).not.toEqual(clean);
    expect(second).not.toEqual(first);
    expect(pass(new Rng(5))).toEqual(first);
    // a ← s·a + m with s ≈ N(σ∈[1,1.25], 0.1) and m ≈ U(μ∈[−0.5,0.5] ± 0.1): per unit the spread grows by ~σ and the mean moves by ~μ.
    for (let u = 0; u < 3; u++) {
      const unit = first.filter((_, i) => i % 3 === u);
      const mean = unit.reduce((a, b) => a + b, 0) / 64;
      const std = Math.sqrt(unit.reduce((a, b) => a + (b - mean) ** 2, 0) / 64);
      expect(Math.abs(mean)).toBeLessThan(0.75);
      expect(std).toBeGreaterThan(0.8);
      expect(std).toBeLessThan(1.5);
    }
    expect(pass(new Rng(5), false)).toEqual(pass(undefined, false));
    model.dispose();
  });
});

describe('divergence', () => {
  it('stops at the exact step the loss stopped being finite, keeping every earlier frame', async () => {
    const layers = [{ kind: 'dense', id: 'd1', units: 12 }, { kind: 'activation', id: 'a1', fn: 'linear' }, { kind: 'dense', id: 'out', units: 2 }] as const;
    const spec = (steps: number) => moonsSpec({ layers: [...layers], training: { learningRate: 20, loss: 'mse', duration: { steps }, logEvery: 7 } });
    const diverged = await run(spec(1000));
    expect(diverged.status).toBe('diverged');
    expect(diverged.message).toMatch(new RegExp(`at step ${diverged.step}; try a smaller learning rate`));
    expect(diverged.frames.length).toBe(Math.floor((diverged.step - 1) / 7));
    expect(diverged.frames.every((f) => f.step < diverged.step && Number.isFinite(f.values[metricKey.trainLoss]))).toBe(true);
    // The same seeded run stopped one step earlier finishes with a finite loss at its last step.
    const before = await run(moonsSpec({ layers: [...layers], training: { learningRate: 20, loss: 'mse', duration: { steps: diverged.step - 1 }, logEvery: 1, evalEvery: 100_000 } }));
    expect(before.status).toBe('finished');
    expect(Number.isFinite(before.frames.at(-1)!.values[metricKey.trainLoss])).toBe(true);
  });
});

describe('instruments', () => {
  it('report what a CNN with BN and max pooling does to its features', async () => {
    const data = images(256, [8, 8, 1], 3);
    const spec = moonsSpec({
      layers: [
        { kind: 'conv2d', id: 'c1', filters: 4, kernelSize: 3 },
        { kind: 'norm', id: 'bn1', gamma: { use: 'learned', init: 1 }, beta: { use: 'learned', init: 0 } },
        { kind: 'maxPool', id: 'p1' },
        { kind: 'activation', id: 'a1', fn: 'relu' },
        { kind: 'flatten', id: 'f' },
        { kind: 'dense', id: 'out', units: 3 },
      ],
      training: { batchSize: 16, duration: { steps: 30 }, logEvery: 10, evalEvery: 30, diagnostics: { trackUnits: 2, landscape: true, landscapeSteps: [0.5, 1, 2] } },
    });
    const snapshots: NormSnapshot[] = [];
    const frames: MetricFrame[] = [];
    const outcome = await runTraining(tf, spec, data, { onFrame: (f) => frames.push(f), onSnapshot: (s) => snapshots.push(s), isCancelled: () => false });
    expect(outcome.status).toBe('finished');
    // What the store and IPC accept: finite numbers only.
    for (const frame of frames) MetricFrame.parse(frame);
    const snapshot = NormSnapshot.parse(snapshots.at(-1));
    expect(snapshot.step).toBe(30);
    expect(snapshot.layers.map((l) => [l.id, l.gamma.length, l.batchVar.length])).toEqual([['bn1', 4, 4]]);
    const first = frames[0]!.values;
    // Right after BN a channel has mean ≈ β̄ ≈ 0 and std ≈ γ̄ ≈ 1; max pooling raises the mean and shrinks the spread.
    expect(Math.abs(first[metricKey.outputStat('bn1', 'mean')]!)).toBeLessThan(0.1);
    expect(first[metricKey.outputStat('bn1', 'std')]!).toBeGreaterThan(0.9);
    expect(first[metricKey.outputStat('p1', 'mean')]!).toBeGreaterThan(0.5);
    expect(first[metricKey.outputStat('p1', 'std')]!).toBeLessThan(first[metricKey.outputStat('bn1', 'std')]!);
    expect(first[metricKey.fractionActive('a1')]!).toBeGreaterThan(0.5);
    for (const key of [metricKey.lossVariation, metricKey.gradientPredictiveness, metricKey.betaSmoothness, metricKey.effectiveLr('c1'), metricKey.gradNorm('c1'), metricKey.normStatUnit('bn1', 'batchVar', 2)]) {
      expect(Number.isFinite(first[key]), key).toBe(true);
    }
    expect(first[metricKey.lossVariation]!).toBeGreaterThanOrEqual(0);
  });

  it('the undo measure is 0 and every unit within 10% when γ = √(Var+ε) and β = E[x] exactly', async () => {
    const trainer = new Trainer(tf, moonsSpec({ layers: [{ kind: 'norm', id: 'bn', convention: 'keras', momentum: 0 }, { kind: 'dense', id: 'out', units: 2 }], training: { batchSize: 20 } }), moons());
    trainer.trainStep(true);
    const norm = trainer.model.layers[0]!.norm!;
    // Running statistics now hold this batch's mean and biased variance (momentum 0): set γ, β to undo them.
    norm.gamma!.assign(tf.sqrt(tf.add(norm.runningVar, 1e-5)));
    norm.beta!.assign(tf.clone(norm.runningMean));
    const result = await trainer.frame();
    expect('frame' in result).toBe(true);
    if ('frame' in result) {
      expect(result.frame.values[metricKey.undoDistance('bn')]!).toBeLessThan(1e-5);
      expect(result.frame.values[metricKey.undoFraction('bn')]).toBe(1);
    }
    trainer.dispose();
  });
});
