import { describe, expect, it } from 'vitest';
import { aggregateSeeds, unionSorted } from '../../../shared/series/groups';
import { stepsToTarget, summarizeSeries } from '../../../shared/series/summary';
import { niceExtent, quantileSorted, robustExtent, valueExtent } from '../../../shared/series/extent';
import { assignColors, RUN_PALETTE } from '../../../shared/series/colors';

describe('seed groups', () => {
  const a = { x: [0, 10, 20], y: [1, 2, 3] };
  const b = { x: [0, 10, 20], y: [3, 4, 7] };

  it('mean with a min/max band', () => {
    const g = aggregateSeeds([a, b], 'minmax');
    expect(Array.from(g.x)).toEqual([0, 10, 20]);
    expect(Array.from(g.mean)).toEqual([2, 3, 5]);
    expect(Array.from(g.lo)).toEqual([1, 2, 3]);
    expect(Array.from(g.hi)).toEqual([3, 4, 7]);
    expect(Array.from(g.count)).toEqual([2, 2, 2]);
  });

  it('mean ± population σ', () => {
    const g = aggregateSeeds([a, b], 'std');
    expect(g.lo[2]).toBeCloseTo(3, 12);
    expect(g.hi[2]).toBeCloseTo(7, 12);
  });

  it('a run that diverged or stopped early drops out of the count', () => {
    const c = { x: [0, 10], y: [5, NaN] };
    const g = aggregateSeeds([a, c], 'minmax');
    expect(Array.from(g.count)).toEqual([2, 1, 1]);
    expect(Array.from(g.mean)).toEqual([3, 2, 3]);
  });

  it('unions unaligned steps', () => {
    expect(Array.from(unionSorted([[0, 5, 10], [0, 10, 15]]))).toEqual([0, 5, 10, 15]);
  });
});

describe('summaries', () => {
  it('final, best and divergence point', () => {
    const s = summarizeSeries([0, 1, 2, 3], [0.5, 0.9, 0.7, NaN], 'max');
    expect(s).toEqual({ final: 0.7, finalX: 2, best: 0.9, bestX: 1, firstNonFiniteX: 3 });
  });
  it('steps to a target accuracy, or null', () => {
    expect(stepsToTarget([0, 50, 100], [0.2, 0.91, 0.95], 0.9, 'max')).toBe(50);
    expect(stepsToTarget([0, 50, 100], [0.2, 0.5, 0.6], 0.9, 'max')).toBeNull();
    expect(stepsToTarget([0, 50], [2, 0.1], 0.5, 'min')).toBe(50);
  });
});

describe('extents', () => {
  it('ignores non-finite and, on log axes, non-positive values', () => {
    expect(valueExtent([[1, NaN, -3, 5]])).toEqual([-3, 5]);
    expect(valueExtent([[1, NaN, -3, 5]], true)).toEqual([1, 5]);
    expect(valueExtent([[NaN]])).toBeNull();
  });
  it('ignoring outliers leaves out a huge early spike', () => {
    const ys = Array.from({ length: 1000 }, (_, i) => 1 + (i % 10) / 10);
    ys[3] = 1e6;
    const [lo, hi] = robustExtent([ys])!;
    expect(hi).toBeLessThan(3);
    expect(lo).toBeGreaterThan(0.5);
  });
  it('nice ranges end on round numbers', () => {
    expect(niceExtent([0.06457, 0.7224], false)).toEqual([0, 0.8]);
    expect(niceExtent([0.06457, 0.7224], true)).toEqual([0.01, 1]);
    expect(niceExtent([-0.0891, 0.061], false)).toEqual([-0.1, 0.1]);
    expect(niceExtent([0.9, 3.1], false)).toEqual([0.5, 3.5]);
    expect(niceExtent([1, 1], false)).toEqual([0.8, 1.2]);
  });
  it('quantiles interpolate', () => {
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
  });
});

describe('stable colours', () => {
  it('keeps existing colours and gives new runs unused ones', () => {
    const first = assignColors(['a', 'b'], {});
    expect(first).toEqual({ a: RUN_PALETTE[0], b: RUN_PALETTE[1] });
    const second = assignColors(['b', 'c'], first);
    expect(second.b).toBe(RUN_PALETTE[1]);
    expect(second.c).toBe(RUN_PALETTE[0]); // a is not shown, so its colour is free again among these runs
    expect(second.a).toBe(RUN_PALETTE[0]);
  });
  it('no repeats among ten new runs', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `r${i}`);
    expect(new Set(Object.values(assignColors(ids, {}))).size).toBe(10);
  });
});
