/**
 * Runner benchmarks: what the runner costs on top of the store and the engine, each against a
 * baseline measured in the same run.
 * - Frame pipeline: frames arriving from a worker (no training) through the runner's batched store
 *   writes and bounded events, against the same frames written by appendFrames directly.
 * - Training: one small MLP run in a real worker thread through the runner (messages, store,
 *   events), against the same spec trained in-process with the frames thrown away.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetManager } from '../../electron/lab/datasets/manager';
import { initNodeBackend, tf } from '../../electron/lab/engineHost/nodeBackend';
import { createNodeWorkerFactory } from '../../electron/lab/engineHost/nodeWorkerHost';
import { LabEvents } from '../../electron/lab/events';
import { Runner } from '../../electron/lab/runner/runner';
import { RunStore } from '../../electron/lab/store/runStore';
import { runTraining } from '../../shared/engine/train';
import { wideFrames } from '../unit/lab/fixtures';
import { experiment, replayWorkerFactory } from '../unit/runner/fixtures';
import type { BenchResult } from './types';

const KEYS = 20;
const FRAMES = 50_000;

export async function run(): Promise<BenchResult[]> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-bench-runner-'));
  const store = RunStore.open(home);
  const datasets = new DatasetManager({ dataDir: home });
  try {
    // Frame pipeline.
    const frames = wideFrames(FRAMES, KEYS);
    const [direct, piped] = store.createExperiment(experiment([{ variant: 'direct' }, { variant: 'runner' }])).runIds as [string, string];
    let start = performance.now();
    for (let i = 0; i < FRAMES; i += 500) store.appendFrames(direct, frames.slice(i, i + 500));
    const directRate = (FRAMES * (KEYS + 1)) / ((performance.now() - start) / 1000);
    const events = new LabEvents();
    let streamed = 0;
    events.subscribe((event) => {
      if (event.type === 'runFrames') streamed += event.frames.length;
    });
    const pipeRunner = new Runner({ store, datasets, events, workerFactory: replayWorkerFactory(frames), workers: 1 });
    start = performance.now();
    pipeRunner.enqueue([piped]);
    await pipeRunner.whenIdle();
    const pipedRate = (FRAMES * (KEYS + 1)) / ((performance.now() - start) / 1000);
    await pipeRunner.close();

    // Training through a worker thread vs in-process.
    const spec = experiment([{ variant: 'bench', steps: 3000, logEvery: 10 }]);
    await initNodeBackend();
    const data = datasets.load(spec.runs[0]!.data);
    const discard = { onFrame: () => {}, isCancelled: () => false };
    await runTraining(tf, spec.runs[0]!, data, discard); // warm-up: kernels, caches
    start = performance.now();
    const outcome = await runTraining(tf, spec.runs[0]!, data, discard);
    if (outcome.status !== 'finished') throw new Error(`the in-process baseline ended ${outcome.status}: ${outcome.message}`);
    const inProcess = 3000 / ((performance.now() - start) / 1000);
    const trainRunner = new Runner({ store, datasets, events, workerFactory: createNodeWorkerFactory(), workers: 1 });
    const warm = store.createExperiment(spec).runIds;
    trainRunner.enqueue(warm); // the thread's start-up and first compile are not what is measured
    await trainRunner.whenIdle();
    const measured = store.createExperiment(spec).runIds;
    start = performance.now();
    trainRunner.enqueue(measured);
    await trainRunner.whenIdle();
    const throughRunner = 3000 / ((performance.now() - start) / 1000);
    await trainRunner.close();
    if (store.getRun(measured[0]!).status !== 'finished') throw new Error(`the benchmark run ended ${store.getRun(measured[0]!).status}`);

    return [
      {
        name: `frame pipeline (${KEYS} keys/frame, ${FRAMES.toLocaleString('en-US')} frames)`,
        value: pipedRate,
        unit: 'points/s',
        baseline: directRate,
        ratio: pipedRate / directRate,
        note: `baseline: appendFrames directly; ${streamed.toLocaleString('en-US')} frames reached the event subscriber (the rest coalesced away)`,
      },
      {
        name: 'training a small MLP (3,000 steps, logEvery 10)',
        value: throughRunner,
        unit: 'steps/s',
        baseline: inProcess,
        ratio: throughRunner / inProcess,
        note: `baseline: runTraining in-process, frames discarded; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`,
      },
    ];
  } finally {
    store.close();
    rmSync(home, { recursive: true, force: true });
  }
}
