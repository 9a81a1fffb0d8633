/**
 * The same seeded CNN run on tfjs's wasm backend and its plain-JS cpu backend (independent kernel
 * implementations) gives the same curve: every logged training loss within 1e-3 (relative), and
 * every reported backend is the one in use. Chromium wasm and WebGL are compared in tests/browser.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { metricKey } from '../../../shared/engine/frame';
import { runTraining } from '../../../shared/engine/train';
import { images, moonsSpec } from './fixtures';

beforeAll(async () => {
  await initNodeBackend();
});

const spec = moonsSpec({
  layers: [
    { kind: 'conv2d', id: 'c1', filters: 4, kernelSize: 3 },
    { kind: 'norm', id: 'bn1' },
    { kind: 'activation', id: 'a1', fn: 'relu' },
    { kind: 'maxPool', id: 'p1' },
    { kind: 'conv2d', id: 'c2', filters: 6, kernelSize: 3, stride: 2, padding: 'valid' },
    { kind: 'norm', id: 'bn2', convention: 'keras', momentum: 0.9 },
    { kind: 'activation', id: 'a2', fn: 'tanh' },
    { kind: 'avgPool', id: 'p2', poolSize: 2, stride: 1 },
    { kind: 'maxPool', id: 'p3', poolSize: 2, stride: 1 },
    { kind: 'flatten', id: 'f' },
    { kind: 'dense', id: 'out', units: 3 },
  ],
  training: { optimizer: { kind: 'momentum' }, learningRate: 0.05, batchSize: 16, duration: { steps: 40 }, logEvery: 10, evalEvery: 40, seed: 3 },
});

async function curve(backend: 'wasm' | 'cpu'): Promise<number[]> {
  await tf.setBackend(backend);
  const losses: number[] = [];
  let used = '';
  const outcome = await runTraining(tf, spec, images(160, [16, 16, 1], 3), {
    onStarted: (info) => (used = info.backend),
    onFrame: (f) => losses.push(f.values[metricKey.trainLoss]!),
    isCancelled: () => false,
  });
  expect(outcome.status).toBe('finished');
  expect(used).toBe(backend);
  return losses;
}

describe('backends agree in Node', () => {
  it('wasm and cpu train the same curve (strided and overlapping pools, both BN conventions)', async () => {
    const wasm = await curve('wasm');
    const cpu = await curve('cpu');
    await tf.setBackend('wasm');
    expect(wasm).toHaveLength(4);
    wasm.forEach((loss, i) => expect(Math.abs(loss - cpu[i]!) / loss, `frame ${i}`).toBeLessThan(1e-3));
  });
});
