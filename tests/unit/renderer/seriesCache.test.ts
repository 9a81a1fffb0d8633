import { describe, expect, it } from 'vitest';
import { SeriesCache } from '../../../renderer/src/series/seriesCache';
import type { MetricFrame } from '../../../shared/engine/frame';
import { encodeFrameBatch } from '../../../shared/frameBatch';
import { emaSmooth } from '../../../shared/series/smoothing';

/** Frames for steps [from, to]: `loss` every step, `acc` every 10th step. */
const frames = (from: number, to: number): MetricFrame[] =>
  Array.from({ length: to - from + 1 }, (_, k) => {
    const step = from + k;
    return { step, epoch: step / 25, wallMs: 1_700_000_000_000 + step, values: { loss: 1 / step, ...(step % 10 === 0 ? { acc: step / 1e5 } : {}) } };
  });
/** Frames as the page receives them: one columnar batch. */
const append = (cache: SeriesCache, runId: string, batch: MetricFrame[]) => cache.appendBatch(runId, encodeFrameBatch(batch));

describe('series cache: frames from a columnar batch', () => {
  it('appends each key’s column, leaving out the frames without that key', () => {
    const cache = new SeriesCache();
    append(cache, 'r', frames(1, 25));
    const acc = cache.get('r', 'acc')!;
    expect(Array.from(acc.x)).toEqual([10, 20]);
    expect(Array.from(acc.y)).toEqual([10 / 1e5, 20 / 1e5]);
    expect(Array.from(acc.wallMs())).toEqual([1_700_000_000_010, 1_700_000_000_020]);
    expect(Array.from(acc.epoch())).toEqual([10 / 25, 20 / 25]);
    expect(cache.get('r', 'loss')!.length).toBe(25);
    expect(cache.keys('r')).toEqual(['loss', 'acc']);
  });

  it('takes keys in whatever column order a batch has, and a key first seen mid-run starts its own series', () => {
    const cache = new SeriesCache();
    append(cache, 'r', [{ step: 1, epoch: 0, wallMs: 1, values: { a: 1, b: 10 } }]);
    append(cache, 'r', [
      { step: 2, epoch: 0, wallMs: 2, values: { c: 200, b: 20 } },
      { step: 3, epoch: 0, wallMs: 3, values: { a: 3, b: 30 } },
    ]);
    expect(Array.from(cache.get('r', 'a')!.y)).toEqual([1, 3]);
    expect(Array.from(cache.get('r', 'b')!.y)).toEqual([10, 20, 30]);
    expect(Array.from(cache.get('r', 'c')!.x)).toEqual([2]);
  });

  it('keeps steps strictly increasing when a batch overlaps what the series already has', () => {
    const cache = new SeriesCache();
    append(cache, 'r', frames(1, 10));
    append(cache, 'r', frames(8, 12));
    expect(Array.from(cache.get('r', 'loss')!.x)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });
});

describe('series cache growth', () => {
  it('keeps every point exactly through many growths', () => {
    const cache = new SeriesCache();
    for (let from = 1; from <= 20_000; from += 250) append(cache, 'r', frames(from, from + 249));
    const loss = cache.get('r', 'loss')!;
    expect(loss.length).toBe(20_000);
    expect(loss.x.every((x, i) => x === i + 1)).toBe(true);
    expect(loss.y.every((y, i) => y === 1 / (i + 1))).toBe(true);
    expect(loss.wallMs().every((w, i) => w === 1_700_000_000_000 + i + 1)).toBe(true);
    expect(loss.epoch().every((e, i) => e === (i + 1) / 25)).toBe(true);
    expect(cache.get('r', 'acc')!.x.every((x, i) => x === 10 * (i + 1))).toBe(true);
  });

  it('once the run’s total steps are known, a series grows once to about its final size, at its own pace', () => {
    const cache = new SeriesCache();
    append(cache, 'r', frames(1, 250));
    cache.expectSteps('r', 50_000);
    for (let from = 251; from <= 50_000; from += 250) append(cache, 'r', frames(from, from + 249));
    const loss = cache.get('r', 'loss')!;
    const acc = cache.get('r', 'acc')!;
    // One growth projected from the pace so far (+2 %) covers the whole run: no doubling to 65,536.
    expect(loss.length).toBe(50_000);
    expect(loss.capacity).toBeGreaterThanOrEqual(50_000);
    expect(loss.capacity).toBeLessThan(52_000);
    // A key logged every 10th step projects a tenth of that.
    expect(acc.length).toBe(5_000);
    expect(acc.capacity).toBeLessThan(5_300);
    expect(loss.y.every((y, i) => y === 1 / (i + 1))).toBe(true);
  });

  it('a run announcing millions of steps does not allocate them all up front', () => {
    const cache = new SeriesCache();
    cache.expectSteps('r', 10_000_000);
    append(cache, 'r', frames(1, 300));
    expect(cache.get('r', 'loss')!.capacity).toBe(1 << 16);
  });

  it('smoothed values follow the weight, also when it changes back and forth', () => {
    const cache = new SeriesCache();
    append(cache, 'r', frames(1, 3000));
    const loss = cache.get('r', 'loss')!;
    const expected = (weight: number) => Array.from(emaSmooth(loss.y, weight));
    expect(Array.from(loss.smoothed(0.6))).toEqual(expected(0.6));
    expect(Array.from(loss.smoothed(0.9))).toEqual(expected(0.9));
    append(cache, 'r', frames(3001, 3500));
    expect(Array.from(loss.smoothed(0.9))).toEqual(expected(0.9));
    expect(Array.from(loss.smoothed(0.6))).toEqual(expected(0.6));
    expect(loss.smoothed(0)).toEqual(loss.y);
  });

  it('a stored history is taken in one allocation and live points newer than it are kept', () => {
    const cache = new SeriesCache();
    append(cache, 'r', frames(30_001, 30_010));
    const steps = Array.from({ length: 30_000 }, (_, i) => i + 1);
    cache.setHistory({ runId: 'r', key: 'loss', steps, values: steps.map((s) => 1 / s), wallMs: steps });
    const loss = cache.get('r', 'loss')!;
    expect(loss.length).toBe(30_010);
    expect(loss.capacity).toBe(30_010);
    expect(loss.x.every((x, i) => x === i + 1)).toBe(true);
    expect(loss.y[30_009]).toBe(1 / 30_010);
  });
});

describe('the run clock: wall times and epochs kept once per run', () => {
  it('gives every key of a frame the frame’s wall time and epoch, also keys logged on some steps only', () => {
    const cache = new SeriesCache();
    append(cache, 'r', frames(1, 30));
    append(cache, 'other', [{ step: 10, epoch: 9, wallMs: 99, values: { acc: 1 } }]);
    expect(Array.from(cache.get('r', 'acc')!.wallMs(1 / 1000))).toEqual([1_700_000_000.01, 1_700_000_000.02, 1_700_000_000.03]);
    expect(Array.from(cache.get('r', 'loss')!.epoch().subarray(0, 3))).toEqual([1 / 25, 2 / 25, 3 / 25]);
    expect(Array.from(cache.get('other', 'acc')!.wallMs())).toEqual([99]);
  });

  it('takes wall times from stored histories of different keys and steps, keeping what live frames said', () => {
    const cache = new SeriesCache();
    append(cache, 'r', frames(21, 22));
    // Two reads with different steps (a thinned key and an evaluation key), overlapping the live frames.
    cache.setHistory({ runId: 'r', key: 'loss', steps: [1, 5, 21], values: [1, 0.2, 0.1], wallMs: [101, 105, -1] });
    cache.setHistory({ runId: 'r', key: 'acc', steps: [2, 5, 20], values: [0.1, 0.2, 0.3], wallMs: [102, 105, 120] });
    const loss = cache.get('r', 'loss')!;
    expect(Array.from(loss.x)).toEqual([1, 5, 21, 22]);
    expect(Array.from(loss.wallMs())).toEqual([101, 105, 1_700_000_000_021, 1_700_000_000_022]);
    // Stored histories carry no epochs: NaN, for the chart's epochs-per-step fallback.
    expect(Array.from(loss.epoch())).toEqual([NaN, NaN, 21 / 25, 22 / 25]);
    expect(Array.from(cache.get('r', 'acc')!.wallMs())).toEqual([102, 105, 120]);
  });

  it('a zoomed detail read of a thinned series brings the wall times of its steps', () => {
    const cache = new SeriesCache();
    cache.setHistory({ runId: 'r', key: 'loss', steps: [0, 100, 200], values: [3, 2, 1], wallMs: [0, 1000, 2000] }, true);
    cache.setDetail({ runId: 'r', key: 'loss', steps: [100, 101, 102], values: [2, 2.1, 2.2], wallMs: [1000, 1010, 1020] }, 100, 102);
    const detail = cache.get('r', 'loss')!.detail!.series;
    expect(Array.from(detail.wallMs())).toEqual([1000, 1010, 1020]);
    expect(Array.from(cache.get('r', 'loss')!.wallMs())).toEqual([0, 1000, 2000]);
  });
});
