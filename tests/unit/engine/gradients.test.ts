/**
 * Whole models against the float64 reference (reference/model64.ts): forward logits in training
 * and eval mode, and every trainable parameter's gradient from the engine's explicit backward pass
 * against central finite differences of the float64 loss (h = 1e-5, so the numeric side is good to
 * ~1e-9). Tolerance, float32 engine vs float64: |engine − numeric| ≤ 2e-3·max|numeric| + 1e-6 per
 * parameter tensor; logits within 1e-4·(1 + |z|).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { lossAndGradient } from '../../../shared/engine/loss';
import { buildModel, type Model } from '../../../shared/engine/model';
import { Rng } from '../../../shared/engine/random';
import { ModelSpec, type LayerSpecInput } from '../../../shared/spec/model';
import type { Trainable } from '../../../shared/spec/training';
import { expectClose, inScope } from './fixtures';
import { forward64, loss64, type Params64, type T64 } from './reference/model64';

beforeAll(async () => {
  await initNodeBackend();
});

interface Case {
  name: string;
  inputShape: number[];
  batch: number;
  classes: number;
  loss: 'crossEntropy' | 'mse';
  layers: LayerSpecInput[];
  trainable?: Trainable;
}

const std = { kind: 'gaussian', std: 0.6 } as const;
const cases: Case[] = [
  {
    name: 'MLP: dense → BN → tanh → dense → affine (β absent) → sigmoid → dense → standardize → leakyReLU → dropout → dense',
    inputShape: [4],
    batch: 8,
    classes: 3,
    loss: 'crossEntropy',
    layers: [
      { kind: 'dense', id: 'd1', units: 6, init: std },
      { kind: 'norm', id: 'bn1', gamma: { use: 'learned', init: 1.3 }, beta: { use: 'learned', init: 0.2 } },
      { kind: 'activation', id: 'a1', fn: 'tanh' },
      { kind: 'dense', id: 'd2', units: 5, init: std },
      { kind: 'norm', id: 'bn2', mode: 'affine', beta: { use: 'absent', init: 0 } },
      { kind: 'activation', id: 'a2', fn: 'sigmoid' },
      { kind: 'dense', id: 'd3', units: 5, init: std, bias: false },
      { kind: 'norm', id: 'bn3', mode: 'standardize', gamma: { use: 'absent', init: 1 }, beta: { use: 'absent', init: 0 } },
      { kind: 'activation', id: 'a3', fn: 'leakyRelu', alpha: 0.1 },
      { kind: 'dropout', id: 'drop', rate: 0.5 },
      { kind: 'dense', id: 'out', units: 3, init: std },
    ],
  },
  {
    name: 'the same MLP training only γ and β (Frankle et al.): gradients flow through frozen weights',
    inputShape: [4],
    batch: 8,
    classes: 3,
    loss: 'crossEntropy',
    trainable: 'normOnly',
    layers: [
      { kind: 'dense', id: 'd1', units: 6, init: std },
      { kind: 'norm', id: 'bn1', gamma: { use: 'fixed', init: 0.7 }, beta: { use: 'learned', init: 0.2 } },
      { kind: 'activation', id: 'a1', fn: 'tanh' },
      { kind: 'dense', id: 'd2', units: 5, init: std },
      { kind: 'norm', id: 'bn2', convention: 'keras', momentum: 0.99, epsilon: 1e-3 },
      { kind: 'activation', id: 'a2', fn: 'sigmoid' },
      { kind: 'dense', id: 'out', units: 3, init: std },
    ],
  },
  {
    name: 'CNN: conv(same) → BN per channel → ReLU → max-pool 2 → conv(valid) → avg-pool 2 → flatten → dense, MSE',
    inputShape: [6, 6, 2],
    batch: 3,
    classes: 3,
    loss: 'mse',
    layers: [
      { kind: 'conv2d', id: 'c1', filters: 3, kernelSize: 3, init: std },
      { kind: 'norm', id: 'bn1', gamma: { use: 'learned', init: 0.9 }, beta: { use: 'learned', init: 0.3 } },
      { kind: 'activation', id: 'a1', fn: 'relu' },
      { kind: 'maxPool', id: 'p1', poolSize: 2 },
      { kind: 'conv2d', id: 'c2', filters: 4, kernelSize: 2, padding: 'valid', init: std },
      { kind: 'avgPool', id: 'p2', poolSize: 2 },
      { kind: 'flatten', id: 'f' },
      { kind: 'dense', id: 'out', units: 3, init: std },
    ],
  },
  {
    name: 'strides: conv stride 2 "same" → tanh → overlapping max-pool (3, stride 1) → conv stride 2 "valid" not dividing its input',
    inputShape: [7, 7, 1],
    batch: 2,
    classes: 2,
    loss: 'crossEntropy',
    layers: [
      { kind: 'conv2d', id: 'c1', filters: 3, kernelSize: 3, stride: 2, init: std },
      { kind: 'activation', id: 'a1', fn: 'tanh' },
      { kind: 'maxPool', id: 'p1', poolSize: 2, stride: 1 },
      { kind: 'conv2d', id: 'c2', filters: 2, kernelSize: 2, stride: 2, padding: 'valid', init: std },
      { kind: 'flatten', id: 'f' },
      { kind: 'dense', id: 'out', units: 2, init: std },
    ],
  },
  {
    name: 'pools on odd sizes: overlapping avg-pool → conv → frozen BN → sigmoid → max-pool and avg-pool leaving an edge uncovered',
    inputShape: [5, 5, 2],
    batch: 3,
    classes: 2,
    loss: 'crossEntropy',
    layers: [
      { kind: 'avgPool', id: 'p0', poolSize: 2, stride: 1 },
      { kind: 'conv2d', id: 'c1', filters: 2, kernelSize: 2, padding: 'valid', init: std },
      { kind: 'norm', id: 'bn1', mode: 'frozen', gamma: { use: 'fixed', init: 1.5 }, beta: { use: 'fixed', init: -0.2 } },
      { kind: 'activation', id: 'a1', fn: 'sigmoid' },
      { kind: 'conv2d', id: 'c2', filters: 3, kernelSize: 1, init: std },
      { kind: 'maxPool', id: 'p1', poolSize: 2 },
      { kind: 'flatten', id: 'f' },
      { kind: 'dense', id: 'out', units: 2, init: std },
    ],
  },
  {
    name: 'avg-pool 2 on a 5×5 map (the last row and column get no gradient)',
    inputShape: [5, 5, 1],
    batch: 2,
    classes: 2,
    loss: 'crossEntropy',
    layers: [
      { kind: 'conv2d', id: 'c1', filters: 2, kernelSize: 3, init: std },
      { kind: 'avgPool', id: 'p1', poolSize: 2 },
      { kind: 'activation', id: 'a1', fn: 'tanh' },
      { kind: 'flatten', id: 'f' },
      { kind: 'dense', id: 'out', units: 2, init: std },
    ],
  },
  {
    name: 'units a multiple of 4 (the fused wasm kernels): dense → BN → sigmoid → dense → frozen BN → tanh → dense → standardize → dense',
    inputShape: [3],
    batch: 8,
    classes: 3,
    loss: 'crossEntropy',
    layers: [
      { kind: 'dense', id: 'd1', units: 8, init: std },
      { kind: 'norm', id: 'bn1', gamma: { use: 'learned', init: 1.1 }, beta: { use: 'learned', init: -0.1 } },
      { kind: 'activation', id: 'a1', fn: 'sigmoid' },
      { kind: 'dense', id: 'd2', units: 4, init: std },
      { kind: 'norm', id: 'bn2', mode: 'frozen', gamma: { use: 'fixed', init: 1.5 }, beta: { use: 'fixed', init: -0.2 } },
      { kind: 'activation', id: 'a2', fn: 'tanh' },
      { kind: 'dense', id: 'd3', units: 4, init: std },
      { kind: 'norm', id: 'bn3', mode: 'standardize', gamma: { use: 'absent', init: 1 }, beta: { use: 'absent', init: 0 } },
      { kind: 'dense', id: 'out', units: 3, init: std },
    ],
  },
  {
    name: 'channels a multiple of 4 (the fused wasm kernels): conv → BN (γ fixed, β learned) → sigmoid → avg-pool 2 → dense',
    inputShape: [5, 5, 2],
    batch: 2,
    classes: 2,
    loss: 'crossEntropy',
    layers: [
      { kind: 'conv2d', id: 'c1', filters: 4, kernelSize: 3, init: std },
      { kind: 'norm', id: 'bn1', gamma: { use: 'fixed', init: 1.2 }, beta: { use: 'learned', init: 0.1 } },
      { kind: 'activation', id: 'a1', fn: 'sigmoid' },
      { kind: 'avgPool', id: 'p1', poolSize: 2 },
      { kind: 'flatten', id: 'f' },
      { kind: 'dense', id: 'out', units: 2, init: std },
    ],
  },
];

/** The model's parameters as float64 arrays, with γ, β and running statistics made non-trivial. */
function prepare(model: Model, rng: Rng): Map<string, Params64> {
  for (const layer of model.layers) {
    const norm = layer.norm;
    if (!norm) continue;
    // On wasm, layers of a multiple of 4 units take the fused kernels (wasmNorm.ts), the others the composite ops.
    expect(norm.fused, `${layer.spec.id} fused`).toBe(tf.getBackend() === 'wasm' && norm.units % 4 === 0);
    const random = (low: number, high: number) => tf.tensor1d(Array.from({ length: norm.units }, () => rng.uniform(low, high)));
    if (norm.gamma?.trainable) norm.gamma.assign(random(0.5, 1.5));
    if (norm.beta?.trainable) norm.beta.assign(random(-0.5, 0.5));
    norm.runningMean.assign(random(-0.3, 0.3));
    norm.runningVar.assign(random(0.5, 2));
  }
  const params = new Map<string, Params64>();
  for (const layer of model.layers) {
    const p: Params64 = {};
    for (const param of layer.params) p[param.name] = Array.from(param.variable.dataSync());
    if (layer.norm) {
      p.runningMean = Array.from(layer.norm.runningMean.dataSync());
      p.runningVar = Array.from(layer.norm.runningVar.dataSync());
    }
    params.set(layer.spec.id, p);
  }
  return params;
}

describe.each(cases)('$name', (c) => {
  const rng = new Rng(c.name.length);
  const size = c.inputShape.reduce((a, b) => a * b, 1);
  const x: T64 = { shape: [c.batch, ...c.inputShape], data: Array.from({ length: c.batch * size }, () => rng.normal()) };
  const labels = Array.from({ length: c.batch }, (_, i) => i % c.classes);
  const spec = ModelSpec.parse({ layers: c.layers });

  it('forward logits match the float64 reference in training and eval mode', () => {
    const model = buildModel(tf, spec, c.inputShape, c.classes, 3, { trainable: c.trainable ?? 'all' });
    const params = prepare(model, rng);
    for (const training of [true, false]) {
      const logits = inScope(tf, () => Array.from(model.forward(tf.tensor(x.data, x.shape), { training }).dataSync()));
      expectClose(logits, forward64(spec.layers, params, x, training).data, 1e-4, `logits (${training ? 'training' : 'eval'})`);
    }
    model.dispose();
  });

  it('every trainable parameter’s gradient matches central finite differences', () => {
    const model = buildModel(tf, spec, c.inputShape, c.classes, 3, { trainable: c.trainable ?? 'all' });
    const params = prepare(model, rng);
    const grads = inScope(tf, () => {
      const pass = { training: true, tape: [] };
      const logits = model.forward(tf.tensor(x.data, x.shape), pass);
      const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), c.classes), 'float32');
      const { loss, dLogits } = lossAndGradient(tf, model.constants, c.loss, logits, oneHot, true);
      expect(loss.dataSync()[0]).toBeCloseTo(loss64(forward64(spec.layers, params, x, true), labels, c.loss), 4);
      const byVariable = model.backward(pass.tape, dLogits!);
      return new Map(model.params.filter((p) => byVariable.has(p.variable)).map((p) => [`${p.layerId}.${p.name}`, Array.from(byVariable.get(p.variable)!.dataSync())]));
    });
    const h = 1e-5;
    let checked = 0;
    for (const param of model.params) {
      const values = params.get(param.layerId)![param.name]!;
      const numeric = values.map((v, i) => {
        const at = (delta: number) => {
          values[i] = v + delta;
          return loss64(forward64(spec.layers, params, x, true), labels, c.loss);
        };
        const slope = (at(h) - at(-h)) / (2 * h);
        values[i] = v;
        return slope;
      });
      const key = `${param.layerId}.${param.name}`;
      const analytic = grads.get(key);
      if (!param.variable.trainable) {
        expect(analytic, `${key} is fixed: no gradient`).toBeUndefined();
        continue;
      }
      const scale = Math.max(...numeric.map(Math.abs));
      expect(scale, `${key} has a gradient to check`).toBeGreaterThan(1e-6);
      numeric.forEach((n, i) => {
        const diff = Math.abs(analytic![i]! - n);
        if (diff > 2e-3 * scale + 1e-6) throw new Error(`${key}[${i}]: engine ${analytic![i]} vs numeric ${n}`);
      });
      checked++;
    }
    expect(checked).toBe(model.params.filter((p) => p.variable.trainable).length);
    model.dispose();
  });

  it('leaves out only biases right before a standardizing norm layer, whose gradient would be exactly 0', () => {
    const model = buildModel(tf, spec, c.inputShape, c.classes, 3);
    const params = prepare(model, rng);
    spec.layers.forEach((layer, i) => {
      if ((layer.kind !== 'dense' && layer.kind !== 'conv2d') || !layer.bias) return;
      const next = spec.layers[i + 1];
      const redundant = next?.kind === 'norm' && next.mode !== 'affine' && next.mode !== 'none';
      expect(model.params.some((p) => p.layerId === layer.id && p.name === 'bias'), layer.id).toBe(!redundant);
      if (!redundant) return;
      // The reference with such a bias: its finite-difference slope is 0 in every unit.
      const units = layer.kind === 'dense' ? layer.units : layer.filters;
      const withBias = new Map(params);
      const bias = new Array<number>(units).fill(0);
      withBias.set(layer.id, { ...params.get(layer.id), bias });
      for (let u = 0; u < units; u++) {
        const at = (delta: number) => {
          bias[u] = delta;
          return loss64(forward64(spec.layers, withBias, x, true), labels, c.loss);
        };
        expect(Math.abs((at(1e-4) - at(-1e-4)) / 2e-4), `${layer.id} bias[${u}]`).toBeLessThan(1e-8);
      }
    });
    model.dispose();
  });
});
