import { describe, expect, it } from 'vitest';
import { lowerBound, lttbThin, minMaxThin, visibleRange } from '../../../shared/series/thinning';

const ramp = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

describe('min-max thinning', () => {
  it('returns everything when it fits', () => {
    expect(minMaxThin([3, 1, 2], 10)).toEqual([0, 1, 2]);
  });

  it('keeps a single-point spike and the ends, within budget', () => {
    const n = 100_000;
    const y = new Float64Array(n).fill(1);
    y[12_345] = 1000;
    y[77_777] = -50;
    const idx = minMaxThin(y, 400);
    expect(idx.length).toBeLessThanOrEqual(400);
    expect(idx).toContain(12_345);
    expect(idx).toContain(77_777);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(n - 1);
    for (let k = 1; k < idx.length; k++) expect(idx[k]!).toBeGreaterThan(idx[k - 1]!);
  });

  it('keeps the first non-finite value of a bucket so a divergence shows', () => {
    const y = new Float64Array(10_000).fill(0.5);
    for (let i = 6000; i < 10_000; i++) y[i] = NaN;
    const idx = minMaxThin(y, 100);
    expect(idx.some((i) => Number.isNaN(y[i]!))).toBe(true);
  });

  it('per bucket keeps exactly the first minimum, first maximum and first non-finite value, in order', () => {
    // Reference: the bucket rule written plainly (what the allocation-free version must reproduce).
    const reference = (y: ArrayLike<number>, maxPoints: number): number[] => {
      const n = y.length;
      const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
      const size = (n - 2) / buckets;
      const out = [0];
      for (let b = 0; b < buckets; b++) {
        const start = 1 + Math.floor(b * size);
        const end = Math.min(n - 1, 1 + Math.floor((b + 1) * size));
        const finite = Array.from({ length: end - start }, (_, k) => start + k).filter((i) => Number.isFinite(y[i]!));
        const min = finite.reduce((m, i) => (m < 0 || y[i]! < y[m]! ? i : m), -1);
        const max = finite.reduce((m, i) => (m < 0 || y[i]! > y[m]! ? i : m), -1);
        const bad = Array.from({ length: end - start }, (_, k) => start + k).find((i) => !Number.isFinite(y[i]!)) ?? -1;
        out.push(...[...new Set([min, max, bad])].filter((i) => i >= 0).sort((p, q) => p - q));
      }
      out.push(n - 1);
      return out;
    };
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const n of [50, 999, 10_000]) {
      // Few distinct values (ties), some NaN and ±Infinity, and a flat stretch with gaps (buckets
      // whose minimum and maximum are the same point, before or after a non-finite value).
      const flat = (i: number) => i > n / 2 && i < n / 2 + 40;
      const y = Float64Array.from({ length: n }, (_, i) => (flat(i) ? (i % 7 === 0 ? NaN : 3) : ([NaN, Infinity, -Infinity][Math.floor(random() * 40)] ?? Math.round(random() * 5))));
      for (const maxPoints of [4, 17, 100]) expect(minMaxThin(y, maxPoints)).toEqual(reference(y, maxPoints));
    }
  });

  it('thins only the given range', () => {
    const idx = minMaxThin(ramp(1000), 10, 200, 400);
    expect(idx[0]).toBe(200);
    expect(idx[idx.length - 1]).toBe(399);
    expect(idx.every((i) => i >= 200 && i < 400)).toBe(true);
  });
});

describe('LTTB', () => {
  it('returns exactly the budget and keeps the ends', () => {
    const x = ramp(10_000);
    const y = Float64Array.from(x, (v) => Math.sin(v / 100));
    const idx = lttbThin(x, y, 300);
    expect(idx.length).toBe(300);
    expect(idx[0]).toBe(0);
    expect(idx[299]).toBe(9999);
  });

  it('picks the peak of a triangle', () => {
    const x = ramp(101);
    const y = Float64Array.from(x, (v) => 50 - Math.abs(v - 50));
    expect(lttbThin(x, y, 3)).toEqual([0, 50, 100]);
  });
});

describe('ranges', () => {
  it('lowerBound finds the first index at or above a value', () => {
    expect(lowerBound([0, 10, 20, 30], 15)).toBe(2);
    expect(lowerBound([0, 10, 20, 30], 10)).toBe(1);
    expect(lowerBound([0, 10], 99)).toBe(2);
  });
  it('visibleRange includes one neighbour each side', () => {
    expect(visibleRange([0, 10, 20, 30, 40, 50], 20, 30)).toEqual([1, 5]);
    expect(visibleRange([0, 10, 20], -5, 100)).toEqual([0, 3]);
  });
});
