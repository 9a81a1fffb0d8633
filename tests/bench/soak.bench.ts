/**
 * Soak: one 50,000-step run (a small BN MLP on 2-D spirals, wasm backend, instruments every 50
 * steps) through the same runTraining the workers use. Reports the tfjs tensor count and the JS
 * heap at the start and the end; throws if tensors grew (a leak would show here long before a
 * workshop's full-length run ran out of memory), or if the heap, measured after full garbage
 * collections, grew by more than HEAP_GROWTH_LIMIT_MIB between the end of warm-up and the end.
 * BNLAB_SOAK_STEPS overrides the length.
 */
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { initNodeBackend, tf } from '../../electron/lab/engineHost/nodeBackend';
import { generateSynthetic } from '../../shared/data/synthetic';
import type { DatasetArrays } from '../../shared/engine/protocol';
import { runTraining } from '../../shared/engine/train';
import { RunSpec } from '../../shared/spec/experiment';
import type { BenchResult } from './types';

/** Heap growth allowed over the run (frames counted, not kept): a per-step leak of ~300 bytes exceeds it over 50k steps. */
const HEAP_GROWTH_LIMIT_MIB = 16;

/** A full garbage collection, without needing `node --expose-gc` on the command line. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function run(): Promise<BenchResult[]> {
  await initNodeBackend();
  const steps = Number(process.env.BNLAB_SOAK_STEPS ?? 50_000);
  const points = generateSynthetic({ generator: 'spirals', samples: 2000, noise: 0.1, classes: 3, seed: 1 });
  const data: DatasetArrays = { inputShape: [2], numClasses: 3, train: { x: points.x.slice(0, 3200), y: points.y.slice(0, 1600) }, test: { x: points.x.slice(3200), y: points.y.slice(1600) } };
  const spec = RunSpec.parse({
    variant: 'soak',
    model: { layers: [{ kind: 'dense', id: 'd1', units: 32, bias: false }, { kind: 'norm', id: 'bn1' }, { kind: 'activation', id: 'a1', fn: 'relu' }, { kind: 'dense', id: 'd2', units: 32, bias: false }, { kind: 'norm', id: 'bn2' }, { kind: 'activation', id: 'a2', fn: 'tanh' }, { kind: 'dense', id: 'out', units: 3 }] },
    data: { source: { kind: 'synthetic', generator: 'spirals', classes: 3 } },
    training: { optimizer: { kind: 'adam' }, learningRate: 0.003, batchSize: 32, duration: { steps }, logEvery: 50, evalEvery: 1000 },
  });
  collectGarbage();
  const tensorsBefore = tf.memory().numTensors;
  const heapBefore = process.memoryUsage().heapUsed;
  let tensorsAfterWarmup = 0;
  let heapAfterWarmup = 0;
  let frames = 0;
  const started = performance.now();
  const outcome = await runTraining(tf, spec, data, {
    onFrame: (frame) => {
      frames++;
      // Warm-up ends after the first evaluation (it makes the engine's cached constants once);
      // the tensor count then is the steady state every later frame must keep.
      const warmup = spec.training.evalEvery + spec.training.logEvery;
      if (frame.step === warmup) {
        tensorsAfterWarmup = tf.memory().numTensors;
        collectGarbage();
        heapAfterWarmup = process.memoryUsage().heapUsed;
      }
      if (frame.step > warmup && tf.memory().numTensors > tensorsAfterWarmup) throw new Error(`tensor leak: ${tf.memory().numTensors} tensors at step ${frame.step}, ${tensorsAfterWarmup} after warm-up`);
    },
    isCancelled: () => false,
  });
  const seconds = (performance.now() - started) / 1000;
  collectGarbage();
  const tensorsAfter = tf.memory().numTensors;
  const heapAfter = process.memoryUsage().heapUsed;
  const mb = (bytes: number) => bytes / 1024 / 1024;
  if (outcome.status !== 'finished') throw new Error(`soak run ended ${outcome.status}: ${outcome.message ?? ''}`);
  if (tensorsAfter > tensorsBefore) throw new Error(`tensor leak: ${tensorsBefore} tensors before the run, ${tensorsAfter} after`);
  if (heapAfterWarmup === 0) throw new Error(`the run ended before warm-up (step ${spec.training.evalEvery + spec.training.logEvery}): use more steps`);
  if (mb(heapAfter - heapAfterWarmup) > HEAP_GROWTH_LIMIT_MIB) {
    throw new Error(`heap grew by ${mb(heapAfter - heapAfterWarmup).toFixed(1)} MiB after warm-up (limit ${HEAP_GROWTH_LIMIT_MIB} MiB): something is kept per step`);
  }
  return [
    { name: `${steps.toLocaleString('en-US')}-step run`, value: steps / seconds, unit: 'steps/s', note: `${frames} frames in ${seconds.toFixed(0)} s` },
    { name: 'tfjs tensors, start → end', value: tensorsAfter, unit: 'tensors', baseline: tensorsBefore, ratio: tensorsAfter / Math.max(1, tensorsBefore), note: `steady state during the run: ${tensorsAfterWarmup}` },
    { name: 'JS heap after GC, start → end', value: mb(heapAfter), unit: 'MiB', baseline: mb(heapBefore), ratio: heapAfter / heapBefore, note: `after warm-up: ${mb(heapAfterWarmup).toFixed(1)} MiB` },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.table(await run());
