/**
 * The engine's side of a training worker, independent of the host: a Node worker thread and a
 * hidden GPU window both wrap this, feeding it ToWorker messages and posting what it says. One
 * run at a time per worker; the runner queues the rest.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Backend } from './frame';
import { RunSpec } from '../spec/experiment';
import { describeIssues, SpecError } from '../spec/parse';
import type { FromWorker, ToWorker } from './protocol';
import { runTraining, type Trainer } from './train';

export interface EngineWorker {
  handle(message: ToWorker): void;
}

/** Creates the message loop over an initialised tfjs module (`backend`: what the host chose; by default tfjs's current one). */
export function createEngineWorker(tf: typeof tfc, post: (message: FromWorker) => void, backend: Backend = tf.getBackend() as Backend): EngineWorker {
  let current: { runId: string; cancelled: boolean; paused: boolean; steps: number; wake: (() => void) | null; trainer: Trainer | null } | null = null;

  const wake = () => {
    current?.wake?.();
    if (current) current.wake = null;
  };

  post({ type: 'ready', backend });

  return {
    handle(message) {
      switch (message.type) {
        case 'start': {
          if (current) {
            post({ type: 'ended', runId: message.runId, status: 'failed', step: 0, message: 'this worker is already training another run' });
            return;
          }
          // A message is a boundary: the spec is parsed (defaults filled in) before anything is built.
          const parsed = RunSpec.safeParse(message.spec);
          if (!parsed.success) {
            post({ type: 'ended', runId: message.runId, status: 'failed', step: 0, message: new SpecError('run spec', describeIssues(parsed.error)).message });
            return;
          }
          const run = { runId: message.runId, cancelled: false, paused: false, steps: 0, wake: null as (() => void) | null, trainer: null as Trainer | null };
          current = run;
          const { runId } = message;
          void runTraining(tf, parsed.data, message.data, {
            onStarted: (info) => post({ type: 'started', runId, backend: info.backend, totalSteps: info.totalSteps }),
            onTrainer: (trainer) => (run.trainer = trainer),
            onFrame: (frame) => post({ type: 'frame', runId, frame }),
            onProgress: (progress) => post({ type: 'progress', runId, progress }),
            onSnapshot: (snapshot) => post({ type: 'snapshot', runId, snapshot }),
            onBoundary: (boundary) => post({ type: 'boundary', runId, boundary }),
            isCancelled: () => run.cancelled,
            isPaused: () => run.paused,
            // A paused run waits here; each stepOnce lets exactly one step through.
            waitForStep: () => {
              if (!run.paused || run.cancelled) return Promise.resolve();
              if (run.steps > 0) {
                run.steps--;
                return Promise.resolve();
              }
              return new Promise<void>((resolve) => (run.wake = resolve)).then(() => {
                if (run.steps > 0) run.steps--;
              });
            },
          }).then((outcome) => {
            current = null;
            post({ type: 'ended', runId, status: outcome.status, step: outcome.step, ...(outcome.message ? { message: outcome.message } : {}) });
          });
          return;
        }
        case 'cancel':
          if (current?.runId === message.runId) {
            current.cancelled = true;
            wake();
          }
          return;
        case 'pause':
          if (current?.runId === message.runId) current.paused = true;
          return;
        case 'resume':
          if (current?.runId === message.runId) {
            current.paused = false;
            wake();
          }
          return;
        case 'stepOnce':
          if (current?.runId === message.runId && current.paused) {
            current.steps++;
            wake();
          }
          return;
        case 'inspect': {
          const trainer = current?.runId === message.runId ? current.trainer : null;
          if (!trainer) return;
          void trainer
            .inspect(message.layerId)
            .then((inspection) => post({ type: 'inspection', runId: message.runId, inspection }))
            .catch(() => {});
          return;
        }
      }
    },
  };
}
