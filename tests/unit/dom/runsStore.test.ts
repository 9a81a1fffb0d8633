/** The runs store's live series (DOM-typed: the store reaches the lab client): frames append, and a batch marked `gapBefore` re-reads what the window missed. */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { toPageEvent, type LabEvent, type PageEvent, type Series } from '../../../shared/api';
import type { MetricFrame } from '../../../shared/engine/frame';
import { deliverPageEvents } from '../../../shared/pageEvents';

// The lab as the store sees it: events pushed by the test, series read from a "store" the test fills.
const lab = vi.hoisted(() => {
  const listeners: Array<(event: PageEvent) => void> = [];
  const stored = new Map<string, Array<[number, number]>>();
  const reads: string[] = [];
  return {
    listeners,
    stored,
    reads,
    api: {
      onEvent: (listener: (event: PageEvent) => void) => (listeners.push(listener), () => undefined),
      runs: {
        list: async () => [],
        series: async ({ runIds, keys }: { runIds: string[]; keys: string[] }): Promise<Series[]> =>
          runIds.flatMap((runId) =>
            keys.map((key) => {
              reads.push(`${runId}:${key}`);
              const points = stored.get(`${runId}:${key}`) ?? [];
              return { runId, key, steps: points.map(([s]) => s), values: points.map(([, v]) => v), wallMs: points.map(([s]) => s) };
            }),
          ),
      },
    },
  };
});
vi.mock('../../../renderer/src/lab/client', () => ({ lab: lab.api }));

const { useRunsStore } = await import('../../../renderer/src/stores/useRunsStore');
const { seriesCache } = await import('../../../renderer/src/series/seriesCache');

const frame = (step: number): MetricFrame => ({ step, epoch: 0, wallMs: step, values: { 'train/loss': 1 / step } });
/** A lab event as a window gets it (frames as one columnar batch). */
const emit = (event: LabEvent) => lab.listeners.forEach((listener) => listener(toPageEvent(event)));
const stepsOf = () => Array.from(seriesCache.get('r', 'train/loss')?.x ?? []);

describe('runs store: live frames', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    lab.listeners.length = 0;
    lab.reads.length = 0;
    lab.stored.clear();
    seriesCache.forget('r');
  });

  it('appends frames, and after a gap re-reads the stored series and merges the live points after it', async () => {
    const store = useRunsStore();
    lab.stored.set('r:train/loss', [1, 2].map((s) => [s, 1 / s]));
    await store.ensureSeries(['r'], ['train/loss']);
    emit({ type: 'runFrames', runId: 'r', frames: [frame(3)] });
    expect(stepsOf()).toEqual([1, 2, 3]);
    expect(lab.reads).toEqual(['r:train/loss']);

    // Frames 4–7 were dropped on the way; the store has them (and 8, written before the read).
    lab.stored.set('r:train/loss', [1, 2, 3, 4, 5, 6, 7, 8].map((s) => [s, 1 / s]));
    emit({ type: 'runFrames', runId: 'r', frames: [frame(8), frame(9)], gapBefore: true });
    expect(stepsOf()).toEqual([1, 2, 3, 8, 9]);
    await expect.poll(() => stepsOf()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(lab.reads).toEqual(['r:train/loss', 'r:train/loss']);
    expect(Array.from(seriesCache.get('r', 'train/loss')!.y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => 1 / s));

    // Without a gap nothing is read again.
    emit({ type: 'runFrames', runId: 'r', frames: [frame(10)] });
    expect(stepsOf().at(-1)).toBe(10);
    expect(lab.reads).toHaveLength(2);
  });

  it('frames that arrive malformed are re-read from the stored series, with the problem reported', async () => {
    const store = useRunsStore();
    lab.stored.set('r:train/loss', [1, 2].map((s) => [s, 1 / s]));
    await store.ensureSeries(['r'], ['train/loss']);
    lab.stored.set('r:train/loss', [1, 2, 3, 4].map((s) => [s, 1 / s]));
    const reported: string[] = [];
    const { frames } = toPageEvent({ type: 'runFrames', runId: 'r', frames: [frame(3), frame(4)] }) as Extract<PageEvent, { type: 'runFrames' }>;
    // Two frames' columns, but values for only one of them.
    deliverPageEvents([{ type: 'runFrames', runId: 'r', frames: { ...frames, values: frames.values.subarray(1) } }], lab.listeners, (message) => reported.push(message));
    expect(reported).toEqual([expect.stringMatching(/^frames of run r were unreadable \(a frame batch has 1 values, expected 2 frames × 1 keys = 2\)/)]);
    await expect.poll(() => stepsOf()).toEqual([1, 2, 3, 4]);
    expect(lab.reads).toEqual(['r:train/loss', 'r:train/loss']);
  });

  it('learns a run’s keys from any frame of a batch, not only its first (evaluations log on some steps only)', () => {
    const store = useRunsStore();
    const evaluated = { ...frame(2), values: { 'train/loss': 0.5, 'val/loss': 0.7 } };
    emit({ type: 'runFrames', runId: 'r', frames: [frame(1), evaluated, frame(3)] });
    expect([...store.keysByRun['r']!].sort()).toEqual(['train/loss', 'val/loss']);
    emit({ type: 'runFrames', runId: 'r', frames: [frame(4), { ...frame(5), values: { 'test/acc': 0.9 } }] });
    expect([...store.keysByRun['r']!].sort()).toEqual(['test/acc', 'train/loss', 'val/loss']);
  });

  it('shows progress at most every 250 ms, the newest report per run; a pause shows at once', () => {
    vi.useFakeTimers();
    try {
      const store = useRunsStore();
      const report = (step: number, paused = false) => emit({ type: 'runProgress', runId: 'r', backend: 'wasm', progress: { step, totalSteps: 1000, stepsPerSecond: 100, etaSeconds: 1, paused } });
      report(10);
      expect(store.progress.r?.progress.step).toBe(10);
      report(20);
      report(30);
      expect(store.progress.r?.progress.step).toBe(10);
      vi.advanceTimersByTime(250);
      expect(store.progress.r?.progress.step).toBe(30);
      report(40, true);
      expect(store.progress.r?.progress).toMatchObject({ step: 40, paused: true });
      // Quiet for a while: the next report shows at once.
      vi.advanceTimersByTime(1000);
      report(41, true);
      expect(store.progress.r?.progress.step).toBe(41);
    } finally {
      vi.useRealTimers();
    }
  });

  it('progress tells the cache how far the run goes, so its series grow once to about that size', () => {
    useRunsStore();
    emit({ type: 'runFrames', runId: 'r', frames: Array.from({ length: 200 }, (_, i) => frame(i + 1)) });
    emit({ type: 'runProgress', runId: 'r', backend: 'wasm', progress: { step: 200, totalSteps: 20_000, stepsPerSecond: 100, etaSeconds: 198, paused: false } });
    emit({ type: 'runFrames', runId: 'r', frames: Array.from({ length: 800 }, (_, i) => frame(i + 201)) });
    expect(stepsOf()).toHaveLength(1000);
    expect(seriesCache.get('r', 'train/loss')!.capacity).toBeGreaterThanOrEqual(20_000);
  });
});
