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
    // Rounds interleave measure and baseline, and medians are reported: this machine's load moves.
    const ROUNDS = 3;
    const median = (samples: number[]) => [...samples].sort((x, y) => x - y)[Math.floor(samples.length / 2)]!;
    const rate = async (count: number, work: () => Promise<void> | void) => {
      const start = performance.now();
      await work();
      return count / ((performance.now() - start) / 1000);
    };

    // Frame pipeline.
    const frames = wideFrames(FRAMES, KEYS);
    const events = new LabEvents();
    let streamed = 0;
    events.subscribe((event) => {
      if (event.type === 'runFrames') streamed += event.frames.length;
    });
    const pipeRunner = new Runner({ store, datasets, events, workerFactory: replayWorkerFactory(frames), workers: 1 });
    const directRates: number[] = [];
    const pipedRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [direct, piped] = store.createExperiment(experiment([{ variant: 'direct' }, { variant: 'runner' }])).runIds as [string, string];
      directRates.push(
        await rate(FRAMES * (KEYS + 1), () => {
          for (let i = 0; i < FRAMES; i += 500) store.appendFrames(direct, frames.slice(i, i + 500));
        }),
      );
      pipedRates.push(
        await rate(FRAMES * (KEYS + 1), () => {
          pipeRunner.enqueue([piped]);
          return pipeRunner.whenIdle();
        }),
      );
    }
    await pipeRunner.close();
    const [directRate, pipedRate] = [median(directRates), median(pipedRates)];

    // Training through a worker thread vs in-process.
    const spec = experiment([{ variant: 'bench', steps: 3000, logEvery: 10 }]);
    await initNodeBackend();
    const data = datasets.load(spec.runs[0]!.data);
    const discard = { onFrame: () => {}, isCancelled: () => false };
    const trainRunner = new Runner({ store, datasets, events, workerFactory: createNodeWorkerFactory(), workers: 1 });
    // Warm-up of both: kernels, caches, the thread's start-up (not what is measured).
    await runTraining(tf, spec.runs[0]!, data, discard);
    trainRunner.enqueue(store.createExperiment(spec).runIds);
    await trainRunner.whenIdle();
    const inProcessRates: number[] = [];
    const runnerRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      inProcessRates.push(
        await rate(3000, async () => {
          const outcome = await runTraining(tf, spec.runs[0]!, data, discard);
          if (outcome.status !== 'finished') throw new Error(`the in-process baseline ended ${outcome.status}: ${outcome.message}`);
        }),
      );
      const measured = store.createExperiment(spec).runIds;
      runnerRates.push(
        await rate(3000, () => {
          trainRunner.enqueue(measured);
          return trainRunner.whenIdle();
        }),
      );
      if (store.getRun(measured[0]!).status !== 'finished') throw new Error(`the benchmark run ended ${store.getRun(measured[0]!).status}`);
    }
    await trainRunner.close();
    const [inProcess, throughRunner] = [median(inProcessRates), median(runnerRates)];

    return [
      {
        name: `frame pipeline (${KEYS} keys/frame, ${FRAMES.toLocaleString('en-US')} frames)`,
        value: pipedRate,
        unit: 'points/s',
        baseline: directRate,
        ratio: pipedRate / directRate,
        note: `baseline: appendFrames directly; ${streamed.toLocaleString('en-US')} frames reached the event subscriber over all rounds (the rest coalesced away); medians of ${ROUNDS} interleaved rounds`,
      },
      {
        name: 'training a small MLP (3,000 steps, logEvery 10)',
        value: throughRunner,
        unit: 'steps/s',
        baseline: inProcess,
        ratio: throughRunner / inProcess,
        note: `baseline: runTraining in-process, frames discarded; medians of ${ROUNDS} interleaved rounds; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`,
      },
    ];
  } finally {
    store.close();
    rmSync(home, { recursive: true, force: true });
  }
}
