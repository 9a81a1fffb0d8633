/**
 * Optimizers, learning-rate schedules and step counting against formulas written out here in
 * float64. Tolerance: float32 updates within 1e-5·(1 + |w|) of the reference after 5 steps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { Constants } from '../../../shared/engine/ops';
import { createOptimizer, learningRateAt } from '../../../shared/engine/optimizers';
import { countSteps } from '../../../shared/engine/train';
import { Optimizer } from '../../../shared/spec/training';
import { expectClose, inScope, moonsSpec } from './fixtures';

beforeAll(async () => {
  await initNodeBackend();
});

const w0 = [0.5, -1.5, 2, 0.1];
const gradients = [
  [0.1, -0.2, 0.3, 0.0],
  [0.2, 0.1, -0.1, 0.05],
  [-0.3, 0.2, 0.2, -0.1],
  [0.05, -0.05, 0.4, 0.2],
  [0.0, 0.3, -0.2, 0.1],
];
const lrs = [0.1, 0.1, 0.05, 0.05, 0.02];

/** Float64 SGD and momentum updates as PyTorch writes them (Nesterov: w ← w − lr·(g + μ·v)). */
function reference(spec: Exclude<Optimizer, { kind: 'adam' }>, weightDecay: number): number[] {
  const w = w0.slice();
  const v = w.map(() => 0);
  gradients.forEach((raw, t) => {
    const lr = lrs[t]!;
    for (let i = 0; i < w.length; i++) {
      const g = raw[i]! + weightDecay * w[i]!;
      if (spec.kind === 'sgd') w[i]! -= lr * g;
      if (spec.kind === 'momentum') {
        v[i] = spec.momentum * v[i]! + g;
        w[i]! -= lr * (spec.nesterov ? g + spec.momentum * v[i]! : v[i]!);
      }
    }
  });
  return w;
}

describe('optimizers', () => {
  const specs: Optimizer[] = [
    Optimizer.parse({ kind: 'sgd' }),
    Optimizer.parse({ kind: 'momentum', momentum: 0.9 }),
    Optimizer.parse({ kind: 'momentum', momentum: 0.8, nesterov: true }),
    Optimizer.parse({ kind: 'adam', epsilon: 1e-3 }),
  ];
  for (const spec of specs) {
    for (const weightDecay of [0, 0.01]) {
      it(`${spec.kind}${'nesterov' in spec && spec.nesterov ? ' (Nesterov)' : ''}, weight decay ${weightDecay}`, () => {
        const k = new Constants(tf);
        const w = tf.variable(tf.tensor1d(w0));
        const optimizer = createOptimizer(tf, k, spec, [w], weightDecay, [true]);
        gradients.forEach((g, t) => inScope(tf, () => optimizer.apply([tf.mul(tf.tensor1d(g), optimizer.prescaled ? lrs[t]! : 1)], lrs[t]!)));
        const expected = spec.kind === 'adam' ? adamReference(spec, weightDecay) : reference(spec, weightDecay);
        expectClose(w.dataSync(), expected, 1e-5, spec.kind);
        optimizer.dispose();
        w.dispose();
        k.dispose();
      });
    }
  }

  const masked = specs.flatMap((spec) => [0, 0.01].map((weightDecay) => ({ name: `${spec.kind}${'nesterov' in spec && spec.nesterov ? ' (Nesterov)' : ''}, weight decay ${weightDecay}`, spec, weightDecay })));
  it.each(masked)('an update mask keeps masked entries exactly at their values: $name', ({ spec, weightDecay }) => {
    const k = new Constants(tf);
    const w = tf.variable(tf.tensor1d(w0));
    const mask = tf.tensor1d([1, 0, 0, 1]);
    const optimizer = createOptimizer(tf, k, spec, [w], weightDecay, [true], [mask]);
    gradients.forEach((g, t) => inScope(tf, () => optimizer.apply([tf.mul(tf.tensor1d(g), optimizer.prescaled ? lrs[t]! : 1)], lrs[t]!)));
    const expected = spec.kind === 'adam' ? adamReference(spec, weightDecay) : reference(spec, weightDecay);
    const after = Array.from(w.dataSync());
    // Every update is elementwise: the unmasked entries follow the unmasked reference, the masked ones never move.
    expectClose([after[0]!, after[3]!], [expected[0]!, expected[3]!], 1e-5, spec.kind);
    expect([after[1], after[2]]).toEqual([Math.fround(w0[1]!), Math.fround(w0[2]!)]);
    optimizer.dispose();
    tf.dispose([w, mask]);
    k.dispose();
  });

  it('weight decay applies to kernels only (decayMask)', () => {
    const k = new Constants(tf);
    const kernel = tf.variable(tf.tensor1d([1]));
    const gamma = tf.variable(tf.tensor1d([1]));
    const optimizer = createOptimizer(tf, k, { kind: 'momentum', momentum: 0, nesterov: false }, [kernel, gamma], 0.5, [true, false]);
    inScope(tf, () => optimizer.apply([tf.tensor1d([0]), tf.tensor1d([0])], 0.1));
    expect(kernel.dataSync()[0]).toBeCloseTo(0.95, 6);
    expect(gamma.dataSync()[0]).toBe(1);
    tf.dispose([kernel, gamma]);
    k.dispose();
  });
});

/** Adam exactly as Kingma & Ba's Algorithm 1 (ε added to √v̂, bias-corrected moments). */
function adamReference(spec: Extract<Optimizer, { kind: 'adam' }>, weightDecay: number): number[] {
  const w = w0.slice();
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  gradients.forEach((raw, t) => {
    for (let i = 0; i < w.length; i++) {
      const g = raw[i]! + weightDecay * w[i]!;
      m[i] = spec.beta1 * m[i]! + (1 - spec.beta1) * g;
      v[i] = spec.beta2 * v[i]! + (1 - spec.beta2) * g * g;
      const stepSize = (lrs[t]! * Math.sqrt(1 - spec.beta2 ** (t + 1))) / (1 - spec.beta1 ** (t + 1));
      // The engine folds bias correction into the step (Algorithm 1's last lines), so ε sits next to √v.
      w[i]! -= (stepSize * m[i]!) / (Math.sqrt(v[i]!) + spec.epsilon);
    }
  });
  return w;
}

describe('learning-rate schedules', () => {
  it('constant, step (lr·factor^⌊step/every⌋) and cosine (lr → minLr over the run)', () => {
    expect(learningRateAt(0.1, { kind: 'constant' }, 123, 1000)).toBe(0.1);
    expect([0, 99, 100, 250].map((s) => learningRateAt(0.1, { kind: 'step', every: 100, factor: 0.5 }, s, 1000))).toEqual([0.1, 0.1, 0.05, 0.025]);
    const cosine = { kind: 'cosine', minLr: 0.01 } as const;
    expect(learningRateAt(0.1, cosine, 0, 1000)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(0.1, cosine, 500, 1000)).toBeCloseTo(0.055, 12);
    expect(learningRateAt(0.1, cosine, 1000, 1000)).toBeCloseTo(0.01, 12);
  });

  it('a run reports the scheduled rate of the step each frame ends', async () => {
    const { runTraining } = await import('../../../shared/engine/train');
    const { moons } = await import('./fixtures');
    const frames: number[] = [];
    await runTraining(tf, moonsSpec({ training: { schedule: { kind: 'step', every: 20, factor: 0.5 }, duration: { steps: 60 }, logEvery: 20 } }), moons(), {
      onFrame: (f) => frames.push(f.values['lr']!),
      isCancelled: () => false,
    });
    // Steps 20, 40, 60 were taken at 0-based steps 19, 39, 59: rates 0.1, 0.05, 0.025.
    expect(frames).toEqual([0.1, 0.05, 0.025]);
  });
});

describe('countSteps', () => {
  it('takes steps as given, and epochs as full batches of the (limited) training set', () => {
    expect(countSteps(moonsSpec({ training: { duration: { steps: 77 } } }), 500)).toBe(77);
    expect(countSteps(moonsSpec({ training: { duration: { epochs: 2 }, batchSize: 20 } }), 500)).toBe(50);
    expect(countSteps(moonsSpec({ training: { duration: { epochs: 1 }, batchSize: 30 } }), 500)).toBe(16);
    expect(countSteps(moonsSpec({ training: { duration: { epochs: 1.5 }, batchSize: 20 }, data: { trainLimit: 100 } }), 500)).toBe(8);
  });
});
