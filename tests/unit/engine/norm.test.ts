/**
 * The engine's normalization layer against the float64 reference (tests/unit/engine/reference):
 * forward outputs, gradients w.r.t. input, γ and β, running statistics, for dense and conv shapes
 * and every mode. Tolerance: float32 arithmetic against float64, |a − b| ≤ 2e-4 · (1 + |b|).
 * Everything runs twice: on wasm, where layers whose units are a multiple of 4 use the fused
 * kernels of wasmNorm.ts for batch statistics (the others the composite ops), and on tfjs's cpu
 * backend, where every layer uses the composite ops of norm.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { createNormState, flushRunningStats, normBackward, normForward as engineNormForward, queueRunningStats, type NormBatch, type NormState } from '../../../shared/engine/norm';
import { buildModel, layerBackward, layerForward, type LayerCache } from '../../../shared/engine/model';
import { Constants } from '../../../shared/engine/ops';
import { Rng } from '../../../shared/engine/random';
import { ModelSpec, NormLayer, type NormMode } from '../../../shared/spec/model';
import { withNormMode } from '../../../shared/spec/model';
import { bnBackward64, bnForward64, runningUpdate64 } from './reference/bn64';

const TOL = 2e-4;
let k: Constants;
/** Whether layers built now take the fused path for `units` units (set per backend below). */
let fusedFor: (units: number) => boolean;
beforeAll(async () => {
  await initNodeBackend();
});

/** The engine's forward pass as the model calls it (statistics computed in training). */
function normForward(_tf: typeof tf, state: NormState, x: tf.Tensor, training: boolean) {
  return engineNormForward(tf, k, state, x, training || state.spec.evalUseBatchStats, training);
}
/** Running statistics after one training batch, as training brings them up to date before a frame reads them. */
function update(state: NormState, batch: NormBatch) {
  queueRunningStats(tf, state, batch);
  flushRunningStats(tf, state);
}

function expectClose(actual: ArrayLike<number>, expected: number[], tol = TOL): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (diff > tol * (1 + Math.abs(expected[i]!))) throw new Error(`element ${i}: ${actual[i]} vs reference ${expected[i]} (diff ${diff.toExponential(2)})`);
  }
}

function randomMatrix(rows: number, cols: number, rng: Rng, scale = 1, shift = 0): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => shift + scale * rng.normal()));
}

function layer(mode: NormMode, extra: Partial<NormLayer> = {}): NormLayer {
  const base = NormLayer.parse({ kind: 'norm', id: 'bn', ...extra });
  return withNormMode(base, mode);
}

/** Runs the engine's layer on x (shape given) with upstream dy and returns outputs and gradients. */
function engine(spec: NormLayer, xRows: number[][], shape: number[], dyRows: number[][], gamma: number[], beta: number[], training = true) {
  const state = createNormState(tf, spec, shape.slice(1));
  expect(state.fused).toBe(fusedFor(state.units));
  state.gamma?.assign(tf.tensor1d(gamma));
  state.beta?.assign(tf.tensor1d(beta));
  // A scope (not tf.tidy, which only returns tensors) frees every intermediate.
  tf.engine().startScope();
  try {
    const x = tf.tensor(xRows.flat(), shape);
    const dy = tf.tensor(dyRows.flat(), shape);
    const result = normForward(tf, state, x, training);
    const grads = normBackward(tf, k, state, dy, result.cache!, true);
    return {
      y: Array.from(result.y.dataSync()),
      batch: result.batch ? { mean: result.batch.mean.dataSync(), variance: result.batch.variance.dataSync() } : null,
      dx: Array.from(grads.dx!.dataSync()),
      dgamma: grads.dGamma ? Array.from(grads.dGamma.dataSync()) : null,
      dbeta: grads.dBeta ? Array.from(grads.dBeta.dataSync()) : null,
      state,
    };
  } finally {
    tf.engine().endScope();
  }
}

const paths = [
  { name: 'wasm (fused kernels where units % 4 = 0)', backend: 'wasm', fused: (units: number) => units % 4 === 0 },
  { name: 'cpu (composite ops)', backend: 'cpu', fused: () => false },
] as const;

describe.each(paths)('$name', ({ backend, fused }) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    k = new Constants(tf);
    fusedFor = fused;
  });
  afterAll(async () => {
    k.dispose();
    await tf.setBackend('wasm');
  });

  const shapes = [
    { name: 'dense [8 × 4]', shape: [8, 4], rows: 8, units: 4 },
    { name: 'dense [8 × 5]', shape: [8, 5], rows: 8, units: 5 },
    { name: 'conv [2 × 3 × 3 × 4]', shape: [2, 3, 3, 4], rows: 18, units: 4 },
  ];

  describe.each(shapes)('$name', ({ shape, rows, units }) => {
    const rng = new Rng(42);
    const x = randomMatrix(rows, units, rng, 3, 2);
    const dy = randomMatrix(rows, units, rng);
    const gamma = Array.from({ length: units }, () => 0.5 + rng.next());
    const beta = Array.from({ length: units }, () => rng.normal());
    const eps = 1e-3;

    it('batchnorm: forward, ∂/∂x, ∂/∂γ, ∂/∂β match Algorithm 1 and §3', () => {
      const out = engine(layer('batchnorm', { epsilon: eps }), x, shape, dy, gamma, beta);
      const ref = bnForward64(x, gamma, beta, eps);
      const grad = bnBackward64(x, dy, gamma, eps);
      expectClose(out.y, ref.y.flat());
      expectClose(out.dx, grad.dx.flat());
      expectClose(out.dgamma!, grad.dgamma);
      expectClose(out.dbeta!, grad.dbeta);
      expectClose(out.batch!.mean, ref.mean);
      expectClose(out.batch!.variance, ref.variance);
      // §3: the input gradient of a standardized layer sums to zero per unit.
      for (let j = 0; j < units; j++) expect(Math.abs(grad.dx.reduce((s, r) => s + r[j]!, 0))).toBeLessThan(1e-9);
    });

    it('standardize: x̂ only, no γ/β parameters', () => {
      const out = engine(layer('standardize', { epsilon: eps }), x, shape, dy, gamma, beta);
      const ones = new Array(units).fill(1);
      expectClose(out.y, bnForward64(x, ones, new Array(units).fill(0), eps).y.flat());
      expectClose(out.dx, bnBackward64(x, dy, ones, eps).dx.flat());
      expect(out.state.gamma).toBeNull();
      expect(out.state.beta).toBeNull();
    });

    it('affine: γ·x + β with no standardization', () => {
      const out = engine(layer('affine'), x, shape, dy, gamma, beta);
      expectClose(out.y, bnForward64(x, gamma, beta, eps, false).y.flat());
      const grad = bnBackward64(x, dy, gamma, eps, false);
      expectClose(out.dx, grad.dx.flat());
      expectClose(out.dgamma!, grad.dgamma);
      expectClose(out.dbeta!, grad.dbeta);
    });

    it('frozen: γ·x̂ + β with fixed γ and β (not trained)', () => {
      const out = engine(layer('frozen', { epsilon: eps }), x, shape, dy, gamma, beta);
      expectClose(out.y, bnForward64(x, gamma, beta, eps).y.flat());
      expectClose(out.dx, bnBackward64(x, dy, gamma, eps).dx.flat());
      expect(out.state.gamma!.trainable).toBe(false);
      expect(out.state.beta!.trainable).toBe(false);
    });

    it('γ fixed, β learned: only β gets a gradient', () => {
      const spec = NormLayer.parse({ kind: 'norm', id: 'bn', epsilon: eps, gamma: { use: 'fixed', init: 2 }, beta: { use: 'learned', init: 0 } });
      const out = engine(spec, x, shape, dy, gamma, beta);
      expect(out.dgamma).toBeNull();
      expectClose(out.dbeta!, bnBackward64(x, dy, gamma, eps).dbeta);
    });

    it.each([
      ['pytorch', 0.1],
      ['keras', 0.99],
    ] as const)('running statistics, %s convention (momentum %s)', (convention, momentum) => {
      const out = engine(layer('batchnorm', { epsilon: eps, convention, momentum }), x, shape, dy, gamma, beta);
      const ref = bnForward64(x, gamma, beta, eps);
      let expected = { mean: new Array(units).fill(0), variance: new Array(units).fill(1) };
      for (let i = 0; i < 3; i++) {
        const batch = normForward(tf, out.state, tf.tensor(x.flat(), shape), true).batch!;
        update(out.state, batch);
        expected = runningUpdate64(expected, ref, rows, convention, momentum);
      }
      expectClose(out.state.runningMean.dataSync(), expected.mean);
      expectClose(out.state.runningVar.dataSync(), expected.variance);
    });

    it.each([
      ['pytorch', 0.1],
      ['keras', 0.9],
    ] as const)('training queues batch statistics and folds them in later, to the running statistics of one update per batch (%s, momentum %s)', (convention, momentum) => {
      const state = createNormState(tf, layer('batchnorm', { epsilon: eps, convention, momentum }), shape.slice(1));
      // The eval pass below caches ε as a constant for the life of k (the fused path never needs it before): made first, so the count sees only what the queue holds.
      k.scalar(eps);
      const before = tf.memory().numTensors;
      const batches = new Rng(7);
      let expected = { mean: new Array<number>(units).fill(0), variance: new Array<number>(units).fill(1) };
      // Different batches (the fold weighs them by age), and more than the queue holds: it folds on its own on the way.
      for (let i = 0; i < 40; i++) {
        const xi = randomMatrix(rows, units, batches, 1 + i / 10, i / 5 - 2);
        tf.tidy(() => queueRunningStats(tf, state, normForward(tf, state, tf.tensor(xi.flat(), shape), true).batch!));
        expected = runningUpdate64(expected, bnForward64(xi, gamma, beta, eps), rows, convention, momentum);
      }
      expect(state.queued.length).toBe(40 - 32);
      // An eval-mode pass reads the running statistics, so it folds the queue in first.
      const y = tf.tidy(() => Array.from(normForward(tf, state, tf.tensor(x.flat(), shape), false).y.dataSync()));
      expect(state.queued).toEqual([]);
      expectClose(state.runningMean.dataSync(), expected.mean);
      expectClose(state.runningVar.dataSync(), expected.variance);
      expectClose(y, x.flatMap((row) => row.map((v, j) => (v - expected.mean[j]!) / Math.sqrt(expected.variance[j]! + eps))));
      flushRunningStats(tf, state);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('none: passes x and ∂ℓ/∂y through, computes no statistics', () => {
      const model = buildModel(tf, ModelSpec.parse({ layers: [layer('none'), { kind: 'flatten', id: 'f' }, { kind: 'dense', id: 'out', units: 2 }] }), shape.slice(1), 2, 1);
      tf.engine().startScope();
      const tape: LayerCache[] = [];
      const batchStats = new Map();
      const input = tf.tensor(x.flat(), shape);
      const y = layerForward(tf, model.constants, model.layers[0]!, input, { training: true, tape, batchStats });
      expect(y).toBe(input);
      expect(batchStats.size).toBe(0);
      const dx = layerBackward(tf, model.constants, tape[0]!, tf.tensor(dy.flat(), shape), true, new Map());
      expectClose(dx!.dataSync(), dy.flat());
      tf.engine().endScope();
      model.dispose();
    });

    it('eval mode backward: running statistics are constants, so ∂ℓ/∂x = γ·∂ℓ/∂y/√(Var+ε)', () => {
      const spec = layer('batchnorm', { epsilon: eps });
      const state = createNormState(tf, spec, shape.slice(1));
      state.gamma!.assign(tf.tensor1d(gamma));
      state.runningVar.assign(tf.tensor1d(Array.from({ length: units }, (_, j) => 0.5 + j)));
      tf.engine().startScope();
      const result = engineNormForward(tf, k, state, tf.tensor(x.flat(), shape), false, false);
      const grads = normBackward(tf, k, state, tf.tensor(dy.flat(), shape), result.cache!, true);
      expectClose(grads.dx!.dataSync(), dy.flatMap((row) => row.map((g, j) => (gamma[j]! * g) / Math.sqrt(0.5 + j + eps))));
      // ∂ℓ/∂γ = Σ ∂ℓ/∂y·x̂ with x̂ from the running statistics (mean 0 here).
      expectClose(grads.dGamma!.dataSync(), Array.from({ length: units }, (_, j) => dy.reduce((sum, row, i) => sum + (row[j]! * x[i]![j]!) / Math.sqrt(0.5 + j + eps), 0)));
      tf.engine().endScope();
    });

    it('eval mode uses running statistics; evalUseBatchStats uses the batch', () => {
      const running = { mean: Array.from({ length: units }, (_, j) => j - 1), variance: Array.from({ length: units }, (_, j) => 1 + j) };
      for (const useBatch of [false, true]) {
        const spec = layer('batchnorm', { epsilon: eps, evalUseBatchStats: useBatch });
        const state = createNormState(tf, spec, shape.slice(1));
        state.gamma!.assign(tf.tensor1d(gamma));
        state.beta!.assign(tf.tensor1d(beta));
        state.runningMean.assign(tf.tensor1d(running.mean));
        state.runningVar.assign(tf.tensor1d(running.variance));
        const y = normForward(tf, state, tf.tensor(x.flat(), shape), false).y.dataSync();
        const expected = useBatch
          ? bnForward64(x, gamma, beta, eps).y.flat()
          : x.flatMap((row) => row.map((v, j) => (gamma[j]! * (v - running.mean[j]!)) / Math.sqrt(running.variance[j]! + eps) + beta[j]!));
        expectClose(y, expected);
      }
    });
  });

  describe('facts the questions turn on', () => {
    it('BN-REFERENCE: x = [1, 2, 3, 4] taken whole — Keras stores the biased 1.25, PyTorch the unbiased 1.667', () => {
      const x = tf.tensor2d([[1], [2], [3], [4]]);
      const keras = createNormState(tf, layer('batchnorm', { convention: 'keras', momentum: 0 }), [1]);
      update(keras, normForward(tf, keras, x, true).batch!);
      expect(keras.runningVar.dataSync()[0]).toBeCloseTo(1.25, 6);
      const torch = createNormState(tf, layer('batchnorm', { convention: 'pytorch', momentum: 1 }), [1]);
      update(torch, normForward(tf, torch, x, true).batch!);
      expect(torch.runningVar.dataSync()[0]).toBeCloseTo(5 / 3, 5);
      expect(torch.runningMean.dataSync()[0]).toBeCloseTo(2.5, 6);
    });

    it('identity is reachable: γ = √(σ² + ε), β = μ reproduces the input, in training and at inference', () => {
      const rng = new Rng(3);
      const x = randomMatrix(16, 3, rng, 4, -1);
      const eps = 1e-5;
      const ref = bnForward64(x, [1, 1, 1], [0, 0, 0], eps);
      const gamma = ref.variance.map((v) => Math.sqrt(v + eps));
      const spec = layer('batchnorm', { epsilon: eps, convention: 'keras', momentum: 0 });
      const state = createNormState(tf, spec, [3]);
      state.gamma!.assign(tf.tensor1d(gamma));
      state.beta!.assign(tf.tensor1d(ref.mean));
      const input = tf.tensor2d(x);
      const train = normForward(tf, state, input, true);
      expectClose(train.y.dataSync(), x.flat(), 1e-5);
      update(state, train.batch!);
      // Running statistics now hold E[x] and the (biased) Var[x]: the same γ, β undo BN at inference.
      expectClose(normForward(tf, state, input, false).y.dataSync(), x.flat(), 1e-5);
    });

    it('affine ignores batch statistics: an example’s output does not depend on the rest of its batch', () => {
      const spec = layer('affine');
      const state = createNormState(tf, spec, [2]);
      state.gamma!.assign(tf.tensor1d([2, -1]));
      state.beta!.assign(tf.tensor1d([0.5, 3]));
      const a = normForward(tf, state, tf.tensor2d([[1, 2], [3, 4]]), true).y.arraySync() as number[][];
      const b = normForward(tf, state, tf.tensor2d([[1, 2], [300, -40]]), true).y.arraySync() as number[][];
      expect(a[0]).toEqual(b[0]);
      expect(a[0]).toEqual([2.5, 1]);
      const bn = createNormState(tf, layer('batchnorm'), [2]);
      const c = normForward(tf, bn, tf.tensor2d([[1, 2], [3, 4]]), true).y.arraySync() as number[][];
      const d = normForward(tf, bn, tf.tensor2d([[1, 2], [300, -40]]), true).y.arraySync() as number[][];
      expect(c[0]).not.toEqual(d[0]);
    });

    it('scale invariance (§3.3): BN(a·Wu) = BN(Wu)', () => {
      const rng = new Rng(9);
      const wu = randomMatrix(10, 4, rng);
      const bn = createNormState(tf, layer('standardize'), [4]);
      const plain = normForward(tf, bn, tf.tensor2d(wu), true).y.dataSync();
      const scaled = normForward(tf, bn, tf.tensor2d(wu.map((r) => r.map((v) => 7.5 * v))), true).y.dataSync();
      expectClose(scaled, Array.from(plain), 1e-4);
    });
  });
});
