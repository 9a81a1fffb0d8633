import { describe, expect, it } from 'vitest';
import { dragZoomRange, MIN_DRAG_PX } from '../../../renderer/src/charts/dragZoom';
import { BAND_SHAPE, BANDS_SERIES_ID, formatNumber, seriesOption, tooltipHtml, traceBandOutline, type PlotBand, type PlotLine } from '../../../renderer/src/charts/lineOption';

const f64 = (values: number[]) => Float64Array.from(values);
const line = (id: string): PlotLine => ({ id, name: id, color: '#123456', dash: 'solid', points: { x: f64([0, 1]), y: f64([1, 2]) } });
const band = (id: string, x: number[], lo: number[], hi: number[], color = '#abcdef'): PlotBand => ({ id, name: `${id} · band`, color, x: f64(x), lo: f64(lo), hi: f64(hi) });

interface BandSeries {
  id: string;
  type: string;
  name: string;
  data: number[][];
  renderItem: (params: unknown, api: { value(d: number): number; coord(p: [number, number]): number[] }) => { type: string; shape: { outline: Float64Array }; style: { fill: string } } | null;
}

/** Renders band `index` of a band series the way ECharts would, with `coord` as the axes' mapping. */
function drawBand(series: BandSeries, index: number, coord: (p: [number, number]) => number[]) {
  return series.renderItem(null, { value: (d) => series.data[index]![d]!, coord });
}

/** The polygons a band outline draws, as lists of [x, y] corners (what the registered shape traces). */
function polygons(outline: ArrayLike<number>): number[][][] {
  const out: number[][][] = [];
  traceBandOutline(outline, {
    moveTo: (x, y) => out.push([[x, y]]),
    lineTo: (x, y) => out[out.length - 1]!.push([x, y]),
    closePath: () => out[out.length - 1]!.push([NaN, NaN]),
  });
  // Every polygon is closed exactly once.
  for (const polygon of out) expect(polygon.filter(([x]) => Number.isNaN(x))).toHaveLength(1);
  return out.map((polygon) => polygon.slice(0, -1));
}

describe('chart series', () => {
  it('puts every band in one custom series under the lines, with each band’s extent for the axes', () => {
    const bands = [band('a', [0, 1, 2], [1, 2, 3], [2, 4, 5]), band('b', [0, 1], [-1, NaN], [0, NaN])];
    const series = seriesOption([line('l1'), line('l2')], bands, false) as Array<{ id: string; type: string }>;
    expect(series.map((s) => [s.id, s.type])).toEqual([
      [BANDS_SERIES_ID, 'custom'],
      ['l1', 'line'],
      ['l2', 'line'],
    ]);
    const bandSeries = series[0] as unknown as BandSeries;
    expect(bandSeries.name).toBe('a · band, b · band');
    expect(bandSeries.data).toEqual([
      [0, 1, 2, 5, 0],
      [0, -1, 0, 0, 1],
    ]);
    // No bands, no band series.
    expect((seriesOption([line('l1')], [], false) as Array<{ id: string }>).map((s) => s.id)).toEqual(['l1']);
  });

  it('draws a band as its upper edge forward and lower edge back, in the pixels the axes give, split at gaps', () => {
    const coord = ([x, y]: [number, number]) => [10 + 2 * x, 100 - 3 * y];
    const series = seriesOption([], [band('a', [0, 1, 2, 3, 4], [1, 2, NaN, 1, 0], [2, 3, 5, 4, 2])], false)[0] as unknown as BandSeries;
    const drawn = drawBand(series, 0, coord)!;
    expect(drawn.type).toBe(BAND_SHAPE);
    expect(drawn.style.fill).toBe('#abcdef');
    expect(polygons(drawn.shape.outline)).toEqual([
      [coord([0, 2]), coord([1, 3]), coord([1, 2]), coord([0, 1])],
      [coord([3, 4]), coord([4, 2]), coord([4, 0]), coord([3, 1])],
    ]);
    // A band that is also negative (a percentile band around 0) is drawn between its edges, not stacked from 0.
    const centred = seriesOption([], [band('p', [0, 1], [-1, -1], [1, 1])], false)[0] as unknown as BandSeries;
    expect(polygons(drawBand(centred, 0, coord)!.shape.outline)).toEqual([[coord([0, 1]), coord([1, 1]), coord([1, -1]), coord([0, -1])]]);
  });

  it('on a log axis maps log10 y and leaves out what the axis cannot show', () => {
    const coord = ([x, y]: [number, number]) => [10 + 2 * x, 200 - 50 * Math.log10(y)];
    const series = seriesOption([], [band('a', [0, 1, 2, 3], [0.1, 0, 1, 10], [1, 1, 100, 1000])], true)[0] as unknown as BandSeries;
    expect(series.data[0]).toEqual([0, 0.1, 3, 1000, 0]);
    // The single point before the gap makes no polygon; after it, two points do.
    const [only, ...rest] = polygons(drawBand(series, 0, coord)!.shape.outline);
    expect(rest).toEqual([]);
    const expected = [coord([2, 100]), coord([3, 1000]), coord([3, 10]), coord([2, 1])];
    expect(only).toHaveLength(4);
    only!.forEach((p, k) => {
      expect(p[0]).toBeCloseTo(expected[k]![0]!, 9);
      expect(p[1]).toBeCloseTo(expected[k]![1]!, 9);
    });
  });

  it('lines become interleaved x, y with what a log axis cannot show as gaps', () => {
    const [s] = seriesOption([{ ...line('l'), points: { x: f64([1, 2, 3]), y: f64([0.5, 0, Infinity]) } }], [], true) as Array<{ data: Float64Array }>;
    expect(Array.from(s!.data)).toEqual([1, 0.5, 2, NaN, 3, NaN]);
  });
});

describe('tooltip and numbers', () => {
  it('lists every run’s value, largest first, and never the bands', () => {
    const html = tooltipHtml(
      [
        { seriesId: 'r1', seriesName: 'run <1>', color: '#111', value: [1200, 0.5] },
        { seriesId: BANDS_SERIES_ID, seriesName: 'bands', color: '#222', value: [0, 9] },
        { seriesId: 'r2', seriesName: 'run 2', color: '#333', value: [1200, 2] },
        { seriesId: 'r3', seriesName: 'run 3', color: '#444', value: [1200, NaN] },
      ],
      (x) => `step ${x}`,
    );
    expect(html).toContain('step 1200');
    expect(html).toContain('run &lt;1&gt;');
    expect(html).not.toContain('bands');
    expect(html).not.toContain('run 3');
    expect(html.indexOf('run 2')).toBeLessThan(html.indexOf('run &lt;1&gt;'));
  });

  it('lists the runs nearest the pointer first when asked', () => {
    const params = [0.1, 0.5, 0.9, 2].map((y, i) => ({ seriesId: `r${i}`, seriesName: `run ${i}`, color: '#111', value: [10, y] as [number, number] }));
    const order = (html: string) => params.map((p) => p.seriesName).sort((a, b) => html.indexOf(a) - html.indexOf(b));
    expect(order(tooltipHtml(params, String, 0.45))).toEqual(['run 1', 'run 0', 'run 2', 'run 3']);
    expect(order(tooltipHtml(params, String, 1.8))).toEqual(['run 3', 'run 2', 'run 1', 'run 0']);
    // Without a pointer position (it left the chart) the order is by value.
    expect(order(tooltipHtml(params, String, null))).toEqual(['run 3', 'run 2', 'run 1', 'run 0']);
  });

  it('turns a drag into the x range it covers, in data units, whichever way it went; a click is no zoom', () => {
    const toData = (px: number) => (px - 64) * 10;
    expect(dragZoomRange(100, 200, toData)).toEqual([360, 1360]);
    expect(dragZoomRange(200, 100, toData)).toEqual([360, 1360]);
    expect(dragZoomRange(100, 100 + MIN_DRAG_PX - 1, toData)).toBeNull();
    expect(dragZoomRange(100, 200, () => NaN)).toBeNull();
  });

  it('formats 4 significant digits with separators, exponents when tiny or huge', () => {
    expect([1234.5678, 0.012345, -2.5, 0, 999_999, 1e6, 0.0001234, NaN].map(formatNumber)).toEqual(['1,235', '0.01235', '-2.5', '0', '1,000,000', '1.00e+6', '1.23e-4', 'NaN']);
  });
});
