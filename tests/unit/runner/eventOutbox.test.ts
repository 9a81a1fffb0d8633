/** Bounded event buffering: coalescing per run, caps, order, and consumers that stall or break. */
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../shared/api';
import type { MetricFrame } from '../../../shared/engine/frame';
import { LabEvents } from '../../../electron/lab/events';
import { EventOutbox, subscribeBounded } from '../../../electron/lab/runner/eventOutbox';

const frame = (step: number): MetricFrame => ({ step, epoch: 0, wallMs: step, values: { 'train/loss': 1 } });
const frames = (runId: string, from: number, to: number): Extract<LabEvent, { type: 'runFrames' }> => ({ type: 'runFrames', runId, frames: Array.from({ length: to - from + 1 }, (_, i) => frame(from + i)) });
const progress = (runId: string, step: number): LabEvent => ({ type: 'runProgress', runId, backend: 'wasm', progress: { step, totalSteps: 100, stepsPerSecond: 1, etaSeconds: null, paused: false } });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EventOutbox', () => {
  it('coalesces a run into frames → latest progress → latest status, then other events', () => {
    const outbox = new EventOutbox();
    outbox.push({ type: 'runStatus', runId: 'a', status: 'running', step: 0 });
    outbox.push(frames('a', 1, 2));
    outbox.push(progress('a', 2));
    outbox.push({ type: 'datasetsChanged' });
    outbox.push(frames('b', 1, 1));
    outbox.push(frames('a', 3, 3));
    outbox.push(progress('a', 3));
    outbox.push({ type: 'datasetsChanged' });
    outbox.push({ type: 'runStatus', runId: 'a', status: 'finished', step: 3 });
    expect(outbox.take()).toEqual([
      { type: 'runFrames', runId: 'a', frames: [frame(1), frame(2), frame(3)] },
      progress('a', 3),
      { type: 'runStatus', runId: 'a', status: 'finished', step: 3 },
      { type: 'runFrames', runId: 'b', frames: [frame(1)] },
      { type: 'datasetsChanged' },
    ]);
    expect(outbox.take()).toEqual([]);
  });

  it('keeps the newest frames of a run up to its cap and counts what it dropped', () => {
    const outbox = new EventOutbox({ maxFramesPerRun: 5, maxOtherEvents: 2 });
    for (let step = 1; step <= 1000; step++) outbox.push(frames('a', step, step));
    outbox.push(frames('b', 1, 3));
    for (const command of ['about', 'toggleTheme', 'exportRuns'] as const) outbox.push({ type: 'menu', command });
    expect(outbox.pendingFrames).toBe(8);
    expect(outbox.dropped).toBe(995);
    expect(outbox.take()).toEqual([
      { ...frames('a', 996, 1000), gapBefore: true },
      frames('b', 1, 3),
      { type: 'menu', command: 'toggleTheme' },
      { type: 'menu', command: 'exportRuns' },
    ]);
  });

  it('marks only the batch after a drop as having a gap before it, and passes a gap from upstream on', () => {
    const outbox = new EventOutbox({ maxFramesPerRun: 2 });
    outbox.push(frames('a', 1, 3));
    expect(outbox.take()).toEqual([{ ...frames('a', 2, 3), gapBefore: true }]);
    outbox.push(frames('a', 4, 5));
    expect(outbox.take()).toEqual([frames('a', 4, 5)]);
    // An outbox after the runner's (a window's) keeps the runner's mark even when it drops nothing.
    outbox.push({ ...frames('a', 9, 9), gapBefore: true });
    outbox.push(frames('a', 10, 10));
    expect(outbox.take()).toEqual([{ ...frames('a', 9, 10), gapBefore: true }]);
  });
});

describe('subscribeBounded', () => {
  it('delivers everything, in order, to a consumer that keeps up', async () => {
    const events = new LabEvents();
    const got: LabEvent[] = [];
    subscribeBounded(events, (batch) => void got.push(...batch));
    events.emit(frames('a', 1, 2));
    events.emit({ type: 'runStatus', runId: 'a', status: 'finished', step: 2 });
    await tick();
    events.emit({ type: 'datasetsChanged' });
    await tick();
    expect(got).toEqual([frames('a', 1, 2), { type: 'runStatus', runId: 'a', status: 'finished', step: 2 }, { type: 'datasetsChanged' }]);
  });

  it('holds at most its caps for a consumer that never drains, without slowing the emitter', async () => {
    const events = new LabEvents();
    let calls = 0;
    const { outbox } = subscribeBounded(events, () => ((calls += 1), new Promise<void>(() => {})), { maxFramesPerRun: 50 });
    events.emit(frames('a', 0, 0));
    await tick();
    for (let step = 1; step <= 100_000; step++) {
      events.emit(frames(`run${step % 4}`, step, step));
      if (step % 100 < 4) events.emit(progress(`run${step % 4}`, step));
    }
    await tick();
    expect(calls).toBe(1);
    expect(outbox.pendingFrames).toBe(4 * 50);
    expect(outbox.pendingEvents).toBe(4 * 2);
    expect(outbox.dropped).toBe(100_000 - 4 * 50);
  });

  it('sends what coalesced while the consumer was busy once it is free again', async () => {
    const events = new LabEvents();
    const batches: LabEvent[][] = [];
    let release!: () => void;
    subscribeBounded(events, (batch) => {
      batches.push(batch);
      return new Promise<void>((resolve) => (release = resolve));
    });
    events.emit(frames('a', 1, 1));
    await tick();
    events.emit(frames('a', 2, 2));
    events.emit(frames('a', 3, 3));
    await tick();
    expect(batches).toEqual([[frames('a', 1, 1)]]);
    release();
    await tick();
    await tick();
    expect(batches).toEqual([[frames('a', 1, 1)], [frames('a', 2, 3)]]);
  });

  it('unsubscribes a consumer that throws or rejects', async () => {
    const events = new LabEvents();
    subscribeBounded(events, () => {
      throw new Error('window closed');
    });
    subscribeBounded(events, () => Promise.reject(new Error('socket closed')));
    events.emit({ type: 'datasetsChanged' });
    await tick();
    await tick();
    expect(events.size).toBe(0);
  });
});
