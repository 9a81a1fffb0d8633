/**
 * Which parameters train (training.trainable): everything, only γ/β (Frankle et al.), or their
 * control — as many random incoming weights per normalized unit, γ/β frozen. Checked on real
 * training steps: what must not move does not move by a single bit, what must move moves, the
 * budgets match, and the random choice is fixed by the seed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { metricKey } from '../../../shared/engine/frame';
import type { Param } from '../../../shared/engine/model';
import { Rng } from '../../../shared/engine/random';
import { runTraining, Trainer } from '../../../shared/engine/train';
import { randomPerUnitMask } from '../../../shared/engine/trainable';
import type { RunSpecInput } from '../../../shared/spec/experiment';
import { TrainingSpec } from '../../../shared/spec/training';
import { images, moons, moonsSpec } from './fixtures';

beforeAll(async () => {
  await initNodeBackend();
});

const values = (p: Param) => Array.from(p.variable.dataSync());
const find = (trainer: Trainer, layerId: string, name: Param['name']) => trainer.model.params.find((p) => p.layerId === layerId && p.name === name)!;

/** A two-hidden-layer BN MLP on moons whose every parameter kind is present (biases on the output). */
const mlp = (training: Partial<RunSpecInput['training']>, gammaUse: 'learned' | 'fixed' = 'learned') =>
  moonsSpec({
    layers: [
      { kind: 'dense', id: 'd1', units: 12 },
      { kind: 'norm', id: 'bn1', gamma: { use: gammaUse, init: 1 } },
      { kind: 'activation', id: 'a1', fn: 'tanh' },
      { kind: 'dense', id: 'd2', units: 6 },
      { kind: 'activation', id: 'a2', fn: 'relu' },
      { kind: 'norm', id: 'bn2' },
      { kind: 'dense', id: 'out', units: 2 },
    ],
    training: { optimizer: { kind: 'adam' }, learningRate: 0.05, weightDecay: 0.01, ...training },
  });

describe('randomPerUnitMask', () => {
  it('chooses exactly `count` distinct incoming weights of every unit, the same ones for the same stream', () => {
    const shape = [3, 3, 4, 5]; // a conv kernel: 36 incoming weights per filter
    const mask = randomPerUnitMask(shape, 2, Rng.derive(7, 'x'));
    for (let unit = 0; unit < 5; unit++) {
      const chosen = Array.from({ length: 36 }, (_, j) => mask[j * 5 + unit]!);
      expect(chosen.filter((v) => v === 1).length).toBe(2);
      expect(chosen.every((v) => v === 0 || v === 1)).toBe(true);
    }
    expect(randomPerUnitMask(shape, 2, Rng.derive(7, 'x'))).toEqual(mask);
    expect(randomPerUnitMask(shape, 2, Rng.derive(8, 'x'))).not.toEqual(mask);
  });

  it('refuses to choose more weights than a unit has', () => {
    expect(() => randomPerUnitMask([1, 4], 2, new Rng(1))).toThrow('each unit has only 1 incoming weights, fewer than the 2 it needs');
  });
});

describe('trainable "randomPerUnit"', () => {
  it('trains exactly as many parameter values as "normOnly" — 2 per unit with γ and β, 1 with β alone', () => {
    for (const gammaUse of ['learned', 'fixed'] as const) {
      const normOnly = new Trainer(tf, mlp({ trainable: 'normOnly' }, gammaUse), moons());
      const random = new Trainer(tf, mlp({ trainable: 'randomPerUnit' }, gammaUse), moons());
      const perUnit = gammaUse === 'learned' ? 2 : 1;
      // bn1 normalizes d1's 12 units (γ as set, β learned); bn2 normalizes d2's 6 (after the ReLU) with both.
      expect(normOnly.trainableCount).toBe(12 * perUnit + 6 * 2);
      expect(random.trainableCount).toBe(normOnly.trainableCount);
      expect(Array.from(find(random, 'd1', 'kernel').mask!.dataSync()).reduce((a, b) => a + b, 0)).toBe(12 * perUnit);
      expect(Array.from(find(random, 'd2', 'kernel').mask!.dataSync()).reduce((a, b) => a + b, 0)).toBe(6 * 2);
      for (const t of [normOnly, random]) t.dispose();
    }
    const all = new Trainer(tf, mlp({}), moons());
    // Kernels 2·12, 12·6, 6·2; γ/β 2·(12 + 6); biases: d2's 6 (its BN comes after the ReLU) and the output's 2 (d1's is dropped: BN follows it).
    expect(all.trainableCount).toBe(2 * 12 + 12 * 6 + 6 * 2 + 2 * (12 + 6) + 6 + 2);
    all.dispose();
  });

  it('moves the chosen weights and nothing else, bit for bit, over real steps (Adam with weight decay)', () => {
    const trainer = new Trainer(tf, mlp({ trainable: 'randomPerUnit' }), moons());
    const before = new Map(trainer.model.params.map((p) => [p, values(p)]));
    let checkedMasked = 0;
    for (let i = 0; i < 25; i++) trainer.trainStep(false);
    for (const p of trainer.model.params) {
      const was = before.get(p)!;
      const now = values(p);
      if (!p.mask) {
        expect(now, `${p.layerId}.${p.name} is frozen`).toEqual(was);
        continue;
      }
      const mask = Array.from(p.mask.dataSync());
      const chosen = mask.filter((v) => v === 1).length;
      const moved = now.map((v, i) => v !== was[i]);
      expect(moved.every((m, i) => (mask[i] === 0 ? !m : true)), `${p.layerId}: no masked-out weight moved`).toBe(true);
      expect(moved.filter((m, i) => m && mask[i] === 1).length, `${p.layerId}: the chosen weights moved`).toBe(chosen);
      checkedMasked += mask.length - chosen;
    }
    expect(checkedMasked).toBe(12 * 6 - 12);
    expect(trainer.model.params.filter((p) => p.mask).map((p) => p.layerId)).toEqual(['d1', 'd2']);
    trainer.dispose();
  });

  it('takes its random choice from the run seed: same seed same weights chosen and same curve, another seed another choice', async () => {
    const mask = (seed: number) => {
      const trainer = new Trainer(tf, mlp({ trainable: 'randomPerUnit', seed }), moons());
      // d2: 12 incoming weights per unit, 2 chosen (d1 has only 2 inputs, so all of them are).
      const out = Array.from(find(trainer, 'd2', 'kernel').mask!.dataSync());
      trainer.dispose();
      return out;
    };
    expect(mask(3)).toEqual(mask(3));
    expect(mask(4)).not.toEqual(mask(3));
    const curve = async () => {
      const losses: number[] = [];
      const outcome = await runTraining(tf, mlp({ trainable: 'randomPerUnit' }), moons(), { onFrame: (f) => losses.push(f.values[metricKey.trainLoss]!), isCancelled: () => false });
      expect(outcome.status).toBe('finished');
      return losses;
    };
    expect(await curve()).toEqual(await curve());
  });

  it('logs how many values train, and the gradient norm of the chosen weights only', async () => {
    const frames: Array<Record<string, number>> = [];
    await runTraining(tf, mlp({ trainable: 'randomPerUnit', logEvery: 10 }), moons(), { onFrame: (f) => frames.push(f.values), isCancelled: () => false });
    expect(frames.every((v) => v[metricKey.trainableParams] === 12 * 2 + 6 * 2)).toBe(true);
    // Frozen layers report no gradient; masked layers report one.
    expect(Object.keys(frames[0]!).filter((k) => k.startsWith('grad/')).sort()).toEqual([metricKey.gradNorm('d1'), metricKey.gradNorm('d2')]);
  });

  it('works on a CNN: 2 random weights of each filter feeding a per-channel BN', () => {
    const spec = moonsSpec({
      layers: [
        { kind: 'conv2d', id: 'c1', filters: 4, kernelSize: 3 },
        { kind: 'norm', id: 'bn1' },
        { kind: 'activation', id: 'a1', fn: 'relu' },
        { kind: 'maxPool', id: 'p1' },
        { kind: 'flatten', id: 'f' },
        { kind: 'dense', id: 'out', units: 3 },
      ],
      training: { trainable: 'randomPerUnit', batchSize: 12 },
    });
    const trainer = new Trainer(tf, spec, images(48, [6, 6, 1], 3));
    const kernel = find(trainer, 'c1', 'kernel');
    const mask = kernel.mask!.dataSync();
    expect(kernel.mask!.shape).toEqual([3, 3, 1, 4]);
    for (let filter = 0; filter < 4; filter++) expect(Array.from({ length: 9 }, (_, j) => mask[j * 4 + filter]!).filter((v) => v === 1).length).toBe(2);
    expect(trainer.trainableCount).toBe(8);
    trainer.dispose();
  });

  it('says what is wrong when a norm layer has no weights of its own units to stand in for γ and β', () => {
    const noLayerBefore = moonsSpec({ layers: [{ kind: 'norm', id: 'bn0' }, { kind: 'dense', id: 'out', units: 2 }], training: { trainable: 'randomPerUnit' } });
    expect(() => new Trainer(tf, noLayerBefore, moons())).toThrow('norm layer "bn0" has no dense or conv layer before it');
    const afterFlatten = moonsSpec({
      layers: [{ kind: 'conv2d', id: 'c1', filters: 2, kernelSize: 3 }, { kind: 'flatten', id: 'f' }, { kind: 'norm', id: 'bn1' }, { kind: 'dense', id: 'out', units: 3 }],
      training: { trainable: 'randomPerUnit', batchSize: 12 },
    });
    expect(() => new Trainer(tf, afterFlatten, images(48, [6, 6, 1], 3))).toThrow('norm layer "bn1" normalizes 72 features but "c1", the layer feeding it, has 2 units');
  });

  it('leaves no tensor behind (the masks are the model\'s and go with it)', () => {
    const before = tf.memory().numTensors;
    const trainer = new Trainer(tf, mlp({ trainable: 'randomPerUnit' }), moons());
    for (let i = 0; i < 3; i++) trainer.trainStep(false);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the trainable setting in specs', () => {
  it('reads the older trainOnlyNorm switch as "normOnly", and refuses it beside "randomPerUnit"', () => {
    const base = { learningRate: 0.1, batchSize: 8, duration: { steps: 1 } };
    expect(TrainingSpec.parse({ ...base, trainOnlyNorm: true }).trainable).toBe('normOnly');
    expect(TrainingSpec.parse({ ...base, trainOnlyNorm: false }).trainable).toBe('all');
    expect('trainOnlyNorm' in TrainingSpec.parse({ ...base, trainOnlyNorm: true })).toBe(false);
    expect(TrainingSpec.safeParse({ ...base, trainOnlyNorm: true, trainable: 'randomPerUnit' }).success).toBe(false);
    expect(TrainingSpec.parse({ ...base }).trainable).toBe('all');
  });
});
