/** The host-agnostic worker loop: start, frames, pause, step-by-step, inspection, resume, cancel. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import type { FromWorker } from '../../../shared/engine/protocol';
import type { RunSpec } from '../../../shared/spec/experiment';
import { createEngineWorker } from '../../../shared/engine/workerLoop';
import { moons, moonsSpec } from './fixtures';

beforeAll(async () => {
  await initNodeBackend();
});

/** A worker whose messages land in an array, with a way to wait for one. */
function harness() {
  const messages: FromWorker[] = [];
  const waiters: Array<() => void> = [];
  const worker = createEngineWorker(tf, (m) => {
    messages.push(m);
    waiters.splice(0).forEach((wake) => wake());
  });
  const waitFor = async <T extends FromWorker['type']>(type: T, test: (m: Extract<FromWorker, { type: T }>) => boolean = () => true): Promise<Extract<FromWorker, { type: T }>> => {
    for (;;) {
      const found = messages.find((m): m is Extract<FromWorker, { type: T }> => m.type === type && test(m as Extract<FromWorker, { type: T }>));
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { worker, messages, waitFor };
}

describe('createEngineWorker', () => {
  it('says it is ready with the backend in use', () => {
    const { messages } = harness();
    expect(messages[0]).toEqual({ type: 'ready', backend: 'wasm' });
  });

  it('trains a run: started, frames, progress, a snapshot, ended', async () => {
    const { worker, messages, waitFor } = harness();
    worker.handle({ type: 'start', runId: 'r1', spec: moonsSpec({ training: { duration: { steps: 40 }, logEvery: 10, evalEvery: 20 } }), data: moons() });
    const ended = await waitFor('ended');
    expect(ended).toEqual({ type: 'ended', runId: 'r1', status: 'finished', step: 40 });
    expect(messages.find((m) => m.type === 'started')).toEqual({ type: 'started', runId: 'r1', backend: 'wasm', totalSteps: 40 });
    const frames = messages.flatMap((m) => (m.type === 'frame' ? [m.frame.step] : []));
    expect(frames).toEqual([10, 20, 30, 40]);
    const snapshot = messages.filter((m) => m.type === 'snapshot').at(-1);
    expect(snapshot?.type === 'snapshot' && snapshot.snapshot.step).toBe(40);
    expect(snapshot?.type === 'snapshot' && snapshot.snapshot.layers[0]!.gamma).toHaveLength(12);
    expect(messages.some((m) => m.type === 'progress' && m.progress.step === 40 && m.progress.totalSteps === 40)).toBe(true);
  });

  it('pauses, advances one step per stepOnce, inspects the batch, then resumes', async () => {
    const { worker, messages, waitFor } = harness();
    worker.handle({ type: 'start', runId: 'r2', spec: moonsSpec({ training: { duration: { steps: 2000 }, logEvery: 500 } }), data: moons() });
    worker.handle({ type: 'pause', runId: 'r2' });
    const paused = await waitFor('progress', (m) => m.progress.paused);
    const at = paused.progress.step;
    worker.handle({ type: 'stepOnce', runId: 'r2' });
    await waitFor('progress', (m) => m.progress.paused && m.progress.step === at + 1);
    worker.handle({ type: 'stepOnce', runId: 'r2' });
    await waitFor('progress', (m) => m.progress.paused && m.progress.step === at + 2);
    // Still paused: no step beyond the ones asked for.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Math.max(...messages.flatMap((m) => (m.type === 'progress' ? [m.progress.step] : [])))).toBe(at + 2);

    worker.handle({ type: 'inspect', runId: 'r2', layerId: 'bn1' });
    const { inspection } = await waitFor('inspection');
    expect(inspection.step).toBe(at + 2);
    expect(inspection.units).toEqual([0, 4, 8]);
    expect(inspection.inputs[0]).toHaveLength(20);
    // The formula made visible: μ_B and σ²_B of the unit's inputs, x̂ standardized, y = γx̂ + β.
    const xs = inspection.inputs[0]!;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(inspection.batchMean[0]).toBeCloseTo(mean, 5);
    const xhat = inspection.normalized[0]!;
    expect(xhat.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 4);
    expect(inspection.outputs[0]![3]).toBeCloseTo(inspection.gamma[0]! * xhat[3]! + inspection.beta[0]!, 5);

    worker.handle({ type: 'resume', runId: 'r2' });
    worker.handle({ type: 'cancel', runId: 'r2' });
    const ended = await waitFor('ended');
    expect(ended.status).toBe('cancelled');
    expect(ended.step).toBeGreaterThanOrEqual(at + 2);
  });

  it('cancels a paused run', async () => {
    const { worker, waitFor } = harness();
    worker.handle({ type: 'start', runId: 'r3', spec: moonsSpec({ training: { duration: { steps: 5000 } } }), data: moons() });
    worker.handle({ type: 'pause', runId: 'r3' });
    await waitFor('progress', (m) => m.progress.paused);
    worker.handle({ type: 'cancel', runId: 'r3' });
    expect((await waitFor('ended')).status).toBe('cancelled');
  });

  it('refuses a second run while one is training, and reports a spec it cannot build', async () => {
    const { worker, waitFor } = harness();
    worker.handle({ type: 'start', runId: 'a', spec: moonsSpec({ training: { duration: { steps: 3000 } } }), data: moons() });
    worker.handle({ type: 'start', runId: 'b', spec: moonsSpec(), data: moons() });
    expect(await waitFor('ended', (m) => m.runId === 'b')).toMatchObject({ status: 'failed', message: 'this worker is already training another run' });
    worker.handle({ type: 'cancel', runId: 'a' });
    await waitFor('ended', (m) => m.runId === 'a');
    worker.handle({ type: 'start', runId: 'c', spec: moonsSpec({ layers: [{ kind: 'dense', id: 'out', units: 5 }] }), data: moons() });
    expect(await waitFor('ended', (m) => m.runId === 'c')).toMatchObject({ status: 'failed', step: 0, message: expect.stringContaining('set its units to 2') });
    // The spec is checked at the message boundary; defaults are filled in.
    const { training, ...rest } = moonsSpec();
    worker.handle({ type: 'start', runId: 'd', spec: { ...rest, training: { ...training, batchSize: 0 } }, data: moons() });
    expect(await waitFor('ended', (m) => m.runId === 'd')).toMatchObject({ status: 'failed', step: 0, message: expect.stringMatching(/^invalid run spec: training\.batchSize: /) });
    const bare = { variant: 'bare', model: { layers: [{ kind: 'dense', id: 'out', units: 2 }] }, data: { source: { kind: 'mnist' } }, training: { learningRate: 0.1, batchSize: 10, duration: { steps: 3 } } };
    worker.handle({ type: 'start', runId: 'e', spec: bare as unknown as RunSpec, data: moons() });
    expect(await waitFor('ended', (m) => m.runId === 'e')).toMatchObject({ status: 'finished', step: 3 });
  });
});
