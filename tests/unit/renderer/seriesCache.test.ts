import { describe, expect, it } from 'vitest';
import { SeriesCache } from '../../../renderer/src/series/seriesCache';
import type { MetricFrame } from '../../../shared/engine/frame';
import { emaSmooth } from '../../../shared/series/smoothing';

/** Frames for steps [from, to]: `loss` every step, `acc` every 10th step. */
const frames = (from: number, to: number): MetricFrame[] =>
  Array.from({ length: to - from + 1 }, (_, k) => {
    const step = from + k;
    return { step, epoch: step / 25, wallMs: 1_700_000_000_000 + step, values: { loss: 1 / step, ...(step % 10 === 0 ? { acc: step / 1e5 } : {}) } };
  });

describe('series cache growth', () => {
  it('keeps every point exactly through many growths', () => {
    const cache = new SeriesCache();
    for (let from = 1; from <= 20_000; from += 250) cache.appendFrames('r', frames(from, from + 249));
    const loss = cache.get('r', 'loss')!;
    expect(loss.length).toBe(20_000);
    expect(loss.x.every((x, i) => x === i + 1)).toBe(true);
    expect(loss.y.every((y, i) => y === 1 / (i + 1))).toBe(true);
    expect(loss.wallMs.every((w, i) => w === 1_700_000_000_000 + i + 1)).toBe(true);
    expect(loss.epoch.every((e, i) => e === (i + 1) / 25)).toBe(true);
    expect(cache.get('r', 'acc')!.x.every((x, i) => x === 10 * (i + 1))).toBe(true);
  });

  it('once the run’s total steps are known, a series grows once to about its final size, at its own pace', () => {
    const cache = new SeriesCache();
    cache.appendFrames('r', frames(1, 250));
    cache.expectSteps('r', 50_000);
    for (let from = 251; from <= 50_000; from += 250) cache.appendFrames('r', frames(from, from + 249));
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
    cache.appendFrames('r', frames(1, 300));
    expect(cache.get('r', 'loss')!.capacity).toBe(1 << 16);
  });

  it('smoothed values follow the weight, also when it changes back and forth', () => {
    const cache = new SeriesCache();
    cache.appendFrames('r', frames(1, 3000));
    const loss = cache.get('r', 'loss')!;
    const expected = (weight: number) => Array.from(emaSmooth(loss.y, weight));
    expect(Array.from(loss.smoothed(0.6))).toEqual(expected(0.6));
    expect(Array.from(loss.smoothed(0.9))).toEqual(expected(0.9));
    cache.appendFrames('r', frames(3001, 3500));
    expect(Array.from(loss.smoothed(0.9))).toEqual(expected(0.9));
    expect(Array.from(loss.smoothed(0.6))).toEqual(expected(0.6));
    expect(loss.smoothed(0)).toEqual(loss.y);
  });

  it('a stored history is taken in one allocation and live points newer than it are kept', () => {
    const cache = new SeriesCache();
    cache.appendFrames('r', frames(30_001, 30_010));
    const steps = Array.from({ length: 30_000 }, (_, i) => i + 1);
    cache.setHistory({ runId: 'r', key: 'loss', steps, values: steps.map((s) => 1 / s), wallMs: steps });
    const loss = cache.get('r', 'loss')!;
    expect(loss.length).toBe(30_010);
    expect(loss.capacity).toBe(30_010);
    expect(loss.x.every((x, i) => x === i + 1)).toBe(true);
    expect(loss.y[30_009]).toBe(1 / 30_010);
  });
});
