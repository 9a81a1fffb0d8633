import { describe, expect, it } from 'vitest';
import { admitNewSeries } from '../../../renderer/src/charts/lineOption';

const ids = (list: Array<{ id: string }>) => list.map((s) => s.id);

describe('a chart gains new series a few per redraw', () => {
  const series = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id }));

  it('keeps every series the chart has and adds at most `max` new ones, in order', () => {
    const first = admitNewSeries(series, new Set(), 4);
    expect(ids(first.series)).toEqual(['a', 'b', 'c', 'd']);
    expect(first.deferred).toBe(2);
    const second = admitNewSeries(series, new Set(ids(first.series)), 4);
    expect(ids(second.series)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(second.deferred).toBe(0);
  });

  it('keeps shown series wherever they are in the order, and drops those no longer drawn', () => {
    const admitted = admitNewSeries([{ id: 'x' }, ...series.slice(0, 3)], new Set(['c', 'gone']), 1);
    expect(ids(admitted.series)).toEqual(['x', 'c']);
    expect(admitted.deferred).toBe(2);
  });
});
