/**
 * The training step's direct kernel calls (shared/engine/ops.ts `kernel`) against the tfjs ops they
 * stand in for, on the wasm and cpu backends: each runs the same kernel with the same attributes
 * (a kernel trusts its attributes: wasm's Softmax given dim −1 reads shape[−1], fails to set up
 * XNNPACK and prints a warning every call) and gives the same values and shape.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { kernel } from '../../../shared/engine/ops';
import { Rng } from '../../../shared/engine/random';

beforeAll(async () => {
  await initNodeBackend();
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

const rng = new Rng(11);
const values = (n: number) => Float32Array.from({ length: n }, () => rng.normal(0, 2));

/** The kernels (name and attributes) that `run` asks the engine for. */
function kernelCalls(run: () => tf.Tensor): { calls: unknown[]; result: tf.Tensor } {
  const spy = vi.spyOn(tf.engine(), 'runKernel');
  try {
    const result = run();
    return { calls: spy.mock.calls.map(([name, , attrs]) => [name, attrs ?? {}]), result };
  } finally {
    spy.mockRestore();
  }
}

describe.each(['wasm', 'cpu'] as const)('direct kernels on %s', (backend) => {
  it('run the kernel each tf op runs, with the same attributes and results', async () => {
    await tf.setBackend(backend);
    tf.tidy(() => {
      const a = tf.tensor2d(values(60 * 7), [60, 7]);
      const b = tf.tensor2d(values(60 * 7), [60, 7]);
      const row = tf.tensor2d(values(7), [1, 7]);
      const vector = tf.tensor1d(values(7));
      const scalar = tf.scalar(0.5);
      const w = tf.tensor2d(values(7 * 3), [7, 3]);
      const positive = tf.abs(a);
      const cases: Array<[string, () => tf.Tensor, () => tf.Tensor]> = [
        ['add', () => kernel.add(tf, a, row), () => tf.add(a, row)],
        ['sub', () => kernel.sub(tf, scalar, a), () => tf.sub(scalar, a)],
        ['mul', () => kernel.mul(tf, a, vector), () => tf.mul(a, vector)],
        ['mul (same shape)', () => kernel.mul(tf, a, b), () => tf.mul(a, b)],
        ['square', () => kernel.square(tf, a), () => tf.square(a)],
        ['rsqrt', () => kernel.rsqrt(tf, positive), () => tf.rsqrt(positive)],
        ['sigmoid', () => kernel.sigmoid(tf, a), () => tf.sigmoid(a)],
        ['tanh', () => kernel.tanh(tf, a), () => tf.tanh(a)],
        ['relu', () => kernel.relu(tf, a), () => tf.relu(a)],
        ['step', () => kernel.step(tf, a, 0.1), () => tf.step(a, 0.1)],
        ['softmax', () => kernel.softmax(tf, a), () => tf.softmax(a)],
        ['matMul', () => kernel.matMul(tf, a, w), () => tf.matMul(a, w)],
        ['transpose', () => kernel.transpose(tf, a), () => tf.transpose(a)],
        ['sumRows', () => kernel.sumRows(tf, a), () => tf.sum(a, 0)],
        ['meanRows', () => kernel.meanRows(tf, a), () => tf.mean(a, 0, true)],
      ];
      for (const [name, direct, op] of cases) {
        const mine = kernelCalls(direct);
        const theirs = kernelCalls(op);
        expect(mine.calls, name).toEqual(theirs.calls);
        expect(mine.calls, name).toHaveLength(1);
        expect(mine.result.shape, name).toEqual(theirs.result.shape);
        expect(Array.from(mine.result.dataSync()), name).toEqual(Array.from(theirs.result.dataSync()));
      }
    });
  });
});
