import { describe, expect, it } from 'vitest';
import { createEmaSmoother, emaSmooth } from '../../../shared/series/smoothing';
import { displayPoints } from '../../../shared/series/display';

describe('bias-corrected EMA', () => {
  it('starts at the first value instead of being dragged towards 0', () => {
    const out = emaSmooth([10, 10, 10], 0.9);
    expect(Array.from(out)).toEqual([10, 10, 10].map(() => expect.closeTo(10, 12)));
  });

  it('matches the debiased formula step by step', () => {
    const w = 0.6;
    const values = [1, 3, 2, 5];
    let last = 0;
    const expected = values.map((v, i) => {
      last = last * w + (1 - w) * v;
      return last / (1 - w ** (i + 1));
    });
    const got = Array.from(emaSmooth(values, w));
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 12));
    expect(got[1]).toBeCloseTo((0.4 * 0.6 * 1 + 0.4 * 3) / (1 - 0.36), 12);
  });

  it('a constant series stays exactly constant (no rounding noise for the y axis to zoom into)', () => {
    expect(Array.from(emaSmooth(new Array(500).fill(1.1), 0.6)).every((v) => v === 1.1)).toBe(true);
  });

  it('weight 0 returns the raw values', () => {
    expect(Array.from(emaSmooth([1, 5, -2], 0))).toEqual([1, 5, -2]);
  });

  it('shows NaN/Inf as they are without poisoning later values', () => {
    const out = emaSmooth([1, NaN, 1, Infinity, 1], 0.5);
    expect(out[1]).toBeNaN();
    expect(out[3]).toBe(Infinity);
    expect(out[2]).toBeCloseTo(1, 12);
    expect(out[4]).toBeCloseTo(1, 12);
  });

  it('the incremental smoother agrees with the batch one (live charts extend, never restart)', () => {
    const values = Array.from({ length: 200 }, (_, i) => Math.sin(i / 7) + i / 50);
    const s = createEmaSmoother(0.95);
    const incremental = values.map((v) => s.push(v));
    const batch = emaSmooth(values, 0.95);
    incremental.forEach((v, i) => expect(v).toBeCloseTo(batch[i]!, 12));
  });

  it('smoothing a series range by range gives what smoothing it value by value gives', () => {
    const values = Float64Array.from({ length: 300 }, (_, i) => (i < 20 ? 2 : i === 150 ? NaN : Math.cos(i / 9)));
    const byValue = createEmaSmoother(0.8);
    const expected = Array.from(values, (v) => byValue.push(v));
    const byRange = createEmaSmoother(0.8);
    const out = new Float64Array(values.length);
    for (const [from, to] of [[0, 7], [7, 151], [151, 151], [151, 300]] as const) byRange.pushRange(values, from, to, out);
    expect(Array.from(out)).toEqual(expected);
    // The constant start stays exactly constant in both.
    expect(out.slice(0, 20).every((v) => v === 2)).toBe(true);
  });

  it('smooths at full resolution before thinning: the curve does not depend on the point budget', () => {
    const n = 5000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0) + i / n);
    const coarse = displayPoints(x, y, { smoothing: 0.9, maxPoints: 100 });
    const fine = displayPoints(x, y, { smoothing: 0.9, maxPoints: 1000 });
    const full = emaSmooth(y, 0.9);
    for (let k = 0; k < coarse.x.length; k++) expect(coarse.y[k]).toBeCloseTo(full[coarse.x[k]!]!, 12);
    for (let k = 0; k < fine.x.length; k++) expect(fine.y[k]).toBeCloseTo(full[fine.x[k]!]!, 12);
    expect(coarse.x.length).toBeLessThanOrEqual(100);
  });

  it('a zoomed range is cut from the full-resolution series', () => {
    const x = Float64Array.from({ length: 10_000 }, (_, i) => i * 10);
    const y = Float64Array.from(x, (v) => v);
    const zoomed = displayPoints(x, y, { smoothing: 0, maxPoints: 500, xRange: [50_000, 50_500] });
    // 51 points inside plus one each side: every step, not a thinned sample.
    expect(Array.from(zoomed.x)).toEqual(Array.from({ length: 53 }, (_, i) => 49_990 + i * 10));
  });
});
