/** Small synthetic data and specs for the engine tests (built here, independent of shared/data). */
import type { DatasetArrays } from '../../../shared/engine/protocol';
import { Rng } from '../../../shared/engine/random';
import { RunSpec, type RunSpecInput } from '../../../shared/spec/experiment';

/** Two interleaved half circles ("moons"), seeded: 2 features, 2 classes, train/test split. */
export function moons(trainCount = 500, testCount = 100, seed = 5): DatasetArrays {
  const rng = new Rng(seed);
  const make = (n: number) => {
    const x = new Float32Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const label = i % 2;
      const angle = Math.PI * rng.next();
      x[2 * i] = (label ? 1 - Math.cos(angle) : Math.cos(angle)) + 0.1 * rng.normal();
      x[2 * i + 1] = (label ? 0.5 - Math.sin(angle) : Math.sin(angle)) + 0.1 * rng.normal();
      y[i] = label;
    }
    return { x, y };
  };
  return { inputShape: [2], numClasses: 2, train: make(trainCount), test: make(testCount) };
}

/** Random images of a given shape with labels that depend on them (so there is something to learn). */
export function images(count: number, shape: [number, number, number], classes: number, seed = 1): DatasetArrays {
  const rng = new Rng(seed);
  const size = shape[0] * shape[1] * shape[2];
  const make = (n: number) => {
    const x = new Float32Array(n * size);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng.int(classes);
      for (let j = 0; j < size; j++) x[i * size + j] = rng.next() + (j % classes === y[i] ? 0.5 : 0);
    }
    return { x, y };
  };
  return { inputShape: shape, numClasses: classes, train: make(count), test: make(Math.ceil(count / 4)) };
}

/** A small BN MLP on moons, with overrides. */
export function moonsSpec(overrides: { layers?: RunSpecInput['model']['layers']; training?: Partial<RunSpecInput['training']>; data?: Partial<RunSpecInput['data']> } = {}): RunSpec {
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
    data: { source: { kind: 'synthetic', generator: 'moons' }, ...overrides.data },
    training: { learningRate: 0.1, batchSize: 20, duration: { steps: 60 }, logEvery: 20, evalEvery: 60, seed: 11, ...overrides.training },
  });
}

/** Throws with the first element where |a − b| > tol·(1 + |b|). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = 'value'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (!(diff <= tol * (1 + Math.abs(expected[i]!)))) throw new Error(`${what}[${i}]: ${actual[i]} vs reference ${expected[i]} (diff ${diff.toExponential(2)}, tolerance ${tol})`);
  }
}

/** Runs `fn` in a tfjs scope that frees every tensor it made (tf.tidy can only return tensors). */
export function inScope<T>(tf: { engine(): { startScope(): void; endScope(): void } }, fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}
