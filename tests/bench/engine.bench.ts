/**
 * Engine speed on the wasm backend, each figure against a baseline measured in the same run:
 * - train step of Ioffe & Szegedy's 784-100-100-100-10 sigmoid+BN MLP at batch 60, against a naive
 *   tf.layers model trained with trainOnBatch (target ≥ 8× faster, ≲ 3 ms/step);
 * - the cost of the instruments at logEvery = 50 against a run without them (target < 15%);
 * - steps/s of a small BN CNN at batch 64.
 * Random data of MNIST's shape: this measures the engine, not the dataset manager.
 * Run alone with `node --import tsx tests/bench/engine.bench.ts`, or through `npm run bench`.
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { pathToFileURL } from 'node:url';
import { initNodeBackend, tf } from '../../electron/lab/engineHost/nodeBackend';
import type { DatasetArrays } from '../../shared/engine/protocol';
import { Rng } from '../../shared/engine/random';
import { runTraining } from '../../shared/engine/train';
import { RunSpec, type RunSpecInput } from '../../shared/spec/experiment';
import type { BenchResult } from './types';

const MLP_STEPS = 200;
const BASELINE_STEPS = 30;
const CNN_STEPS = 30;
/** Rounds of every measurement, interleaved; each figure is its median (machines here are shared). */
const ROUNDS = 5;

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Per-step wall-clock and CPU milliseconds (CPU time is what other processes on a shared machine disturb least). */
interface PerStep {
  wall: number;
  cpu: number;
}

function clock(): () => PerStep {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
  };
}

const perStep = (total: PerStep, steps: number): PerStep => ({ wall: total.wall / steps, cpu: total.cpu / steps });

/**
 * Random examples, with a held-out split of `testCount`. Every engine run ends with an evaluation
 * (eval-mode passes over the whole held-out split), which the baseline's clock has no counterpart
 * of: with 1000 held-out examples the MLP's final frame took 26–35 ms instead of 11–13 ms with one
 * batch, 0.07–0.12 ms more on each of its 200 steps. The step benchmarks hold out one batch.
 */
function randomMnist(count: number, shape: number[], testCount: number): DatasetArrays {
  const rng = new Rng(1);
  const size = shape.reduce((a, b) => a * b, 1);
  const make = (n: number) => ({ x: Float32Array.from({ length: n * size }, () => rng.next()), y: Int32Array.from({ length: n }, () => rng.int(10)) });
  return { inputShape: shape, numClasses: 10, train: make(count), test: make(testCount) };
}

function ioffeMlp(): RunSpecInput['model']['layers'] {
  const layers: RunSpecInput['model']['layers'] = [];
  for (let i = 1; i <= 3; i++) {
    layers.push({ kind: 'dense', id: `d${i}`, units: 100, init: { kind: 'gaussian', std: 0.05 } }, { kind: 'norm', id: `bn${i}` }, { kind: 'activation', id: `a${i}`, fn: 'sigmoid' });
  }
  layers.push({ kind: 'dense', id: 'out', units: 10, init: { kind: 'gaussian', std: 0.05 } });
  return layers;
}

/** Milliseconds per step of a whole engine run (startup excluded: the clock starts at onStarted). */
async function engineMsPerStep(layers: RunSpecInput['model']['layers'], data: DatasetArrays, batchSize: number, steps: number, logEvery: number): Promise<PerStep> {
  const spec = RunSpec.parse({
    variant: 'bench',
    model: { layers },
    data: { source: { kind: 'mnist' } },
    training: { learningRate: 0.1, batchSize, duration: { steps }, logEvery, evalEvery: 1_000_000 },
  });
  let stop = clock();
  const outcome = await runTraining(tf, spec, data, { onStarted: () => (stop = clock()), onFrame: () => {}, isCancelled: () => false });
  if (outcome.status !== 'finished') throw new Error(`benchmark run ${outcome.status}: ${outcome.message}`);
  return perStep(stop(), steps);
}

/** The naive baseline: the same MLP in tf.layers, one trainOnBatch per step. */
async function layersMsPerStep(data: DatasetArrays, batchSize: number, steps: number): Promise<PerStep> {
  const model = tfl.sequential();
  for (let i = 0; i < 3; i++) {
    model.add(tfl.layers.dense({ units: 100, inputShape: i === 0 ? [784] : undefined, kernelInitializer: tfl.initializers.randomNormal({ stddev: 0.05 }) }));
    model.add(tfl.layers.batchNormalization());
    model.add(tfl.layers.activation({ activation: 'sigmoid' }));
  }
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const batch = (i: number) => {
    const start = (i * batchSize) % (data.train.y.length - batchSize);
    const x = tf.tensor2d(data.train.x.subarray(start * 784, (start + batchSize) * 784), [batchSize, 784]);
    const y = tf.oneHot(tf.tensor1d(data.train.y.subarray(start, start + batchSize), 'int32'), 10);
    return [x, y] as const;
  };
  const step = async (i: number) => {
    const [x, y] = batch(i);
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
  };
  for (let i = 0; i < 5; i++) await step(i);
  const stop = clock();
  for (let i = 0; i < steps; i++) await step(i);
  const ms = perStep(stop(), steps);
  model.dispose();
  return ms;
}

/** The engine benchmarks, each with its same-run baseline. */
export async function run(): Promise<BenchResult[]> {
  const backend = await initNodeBackend();
  const setup = `${backend}, SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}, ${backend === 'wasm' ? getThreadsCount() : 1} thread(s)`;
  const mnist = randomMnist(6000, [784], 60);
  const layers = ioffeMlp();

  // Warm-up run: wasm compiles kernels and XNNPACK sets up operators on first use.
  await engineMsPerStep(layers, mnist, 60, 50, 100_000);
  const rounds = { baseline: [] as PerStep[], bare: [] as PerStep[], instrumented: [] as PerStep[] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.baseline.push(await layersMsPerStep(mnist, 60, BASELINE_STEPS));
    rounds.bare.push(await engineMsPerStep(layers, mnist, 60, MLP_STEPS, 100_000));
    rounds.instrumented.push(await engineMsPerStep(layers, mnist, 60, MLP_STEPS, 50));
  }
  const wall = (list: PerStep[]) => median(list.map((m) => m.wall));
  const cpu = (list: PerStep[]) => median(list.map((m) => m.cpu));
  const [baseline, bare, instrumented] = [wall(rounds.baseline), wall(rounds.bare), wall(rounds.instrumented)];
  const [baselineCpu, bareCpu, instrumentedCpu] = [cpu(rounds.baseline), cpu(rounds.bare), cpu(rounds.instrumented)];

  const images = randomMnist(2000, [28, 28, 1], 64);
  const cnn: RunSpecInput['model']['layers'] = [
    { kind: 'conv2d', id: 'c1', filters: 8, kernelSize: 3 },
    { kind: 'norm', id: 'bn1' },
    { kind: 'activation', id: 'a1', fn: 'relu' },
    { kind: 'maxPool', id: 'p1' },
    { kind: 'conv2d', id: 'c2', filters: 16, kernelSize: 3 },
    { kind: 'norm', id: 'bn2' },
    { kind: 'activation', id: 'a2', fn: 'relu' },
    { kind: 'maxPool', id: 'p2' },
    { kind: 'flatten', id: 'f' },
    { kind: 'dense', id: 'out', units: 10 },
  ];
  await engineMsPerStep(cnn, images, 64, 5, 100_000);
  const cnnRounds: PerStep[] = [];
  for (let round = 0; round < ROUNDS; round++) cnnRounds.push(await engineMsPerStep(cnn, images, 64, CNN_STEPS, 100_000));
  const cnnMs = wall(cnnRounds);

  return [
    { name: 'MLP 784-100×3-10 sigmoid+BN, batch 60: engine step', value: bare, unit: 'ms/step', baseline, ratio: baseline / bare, note: `baseline: tf.layers + trainOnBatch; ratio = times faster (target ≥ 8); median of ${ROUNDS}; ${setup}` },
    { name: 'same, CPU time per step', value: bareCpu, unit: 'ms/step', baseline: baselineCpu, ratio: baselineCpu / bareCpu, note: 'CPU time is less disturbed by other processes on a shared machine' },
    { name: 'same MLP with instruments every 50 steps', value: instrumented, unit: 'ms/step', baseline: bare, ratio: instrumented / bare, note: 'baseline: no frames until the end; ratio − 1 = overhead (target < 15%)' },
    { name: 'same, CPU time per step', value: instrumentedCpu, unit: 'ms/step', baseline: bareCpu, ratio: instrumentedCpu / bareCpu },
    { name: 'CNN conv8-BN-ReLU-pool-conv16-BN-ReLU-pool-dense, 28×28×1, batch 64', value: 1000 / cnnMs, unit: 'steps/s', note: `${cnnMs.toFixed(1)} ms/step wall, ${cpu(cnnRounds).toFixed(1)} ms/step CPU` },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const result of await run()) console.log(`${result.name}: ${result.value.toFixed(3)} ${result.unit}${result.baseline !== undefined ? ` (baseline ${result.baseline.toFixed(3)}, ratio ${result.ratio?.toFixed(2)})` : ''}${result.note ? ` — ${result.note}` : ''}`);
}
