import { describe, expect, it } from 'vitest';
import { chartDescription, dashPattern, nearestIndex, pixelScale, tooltipRows, tooltipX, traceLine } from '../../../renderer/src/charts/linePaint';
import { tooltipHtml, type PlotLine } from '../../../renderer/src/charts/lineOption';

/** Records drawing calls as strings. */
function recorder() {
  const calls: string[] = [];
  return { calls, moveTo: (x: number, y: number) => calls.push(`M${x},${y}`), lineTo: (x: number, y: number) => calls.push(`L${x},${y}`) };
}

const line = (id: string, x: number[], y: number[], extra: Partial<PlotLine> = {}): PlotLine => ({
  id,
  name: `run ${id}`,
  color: '#123456',
  dash: 'solid',
  points: { x: Float64Array.from(x), y: Float64Array.from(y) },
  ...extra,
});

describe('drawing lines ourselves: pixels, paths, tooltip rows', () => {
  it('maps data to pixels through two points of the chart’s own conversion, on linear and log axes', () => {
    const linear = pixelScale(([x, y]) => [10 + 2 * x, 100 - 3 * y], false);
    expect([linear.px(5), linear.py(4)]).toEqual([20, 88]);
    // A log axis is affine in log10(y): 1 → 200, 10 → 150, so 100 → 100 and 0.1 → 250.
    const log = pixelScale(([x, y]) => [x, 200 - 50 * Math.log10(y)], true);
    expect(log.py(100)).toBeCloseTo(100, 12);
    expect(log.py(0.1)).toBeCloseTo(250, 12);
  });

  it('breaks a line wherever a value cannot be drawn, as ECharts did (connectNulls: false)', () => {
    const scale = pixelScale(([x, y]) => [x, y], false);
    const path = recorder();
    traceLine({ x: Float64Array.from([0, 1, 2, 3, 4]), y: Float64Array.from([1, 2, NaN, 4, 5]) }, scale, false, path);
    expect(path.calls).toEqual(['M0,1', 'L1,2', 'M3,4', 'L4,5']);
    // On a log axis, zero and negative values are gaps too.
    const logPath = recorder();
    traceLine({ x: Float64Array.from([0, 1, 2]), y: Float64Array.from([10, 0, 100]) }, pixelScale(([x, y]) => [x, Math.log10(y)], true), true, logPath);
    expect(logPath.calls).toEqual(['M0,1', 'M2,2']);
  });

  it('dashes in multiples of the line width', () => {
    expect(dashPattern('solid', 2)).toEqual([]);
    expect(dashPattern('dashed', 2)).toEqual([8, 4]);
    expect(dashPattern('dotted', 2)).toEqual([2, 2]);
  });

  it('finds the nearest point by x, ties to the left', () => {
    const x = Float64Array.from([0, 10, 20, 30]);
    expect([-5, 4, 5, 6, 29, 99].map((at) => nearestIndex(x, at))).toEqual([0, 0, 0, 1, 3, 3]);
    expect(nearestIndex(new Float64Array(0), 3)).toBe(-1);
  });

  it('lists every line’s value at the cursor, as the tooltip shows them', () => {
    const rows = tooltipRows([line('a', [0, 10, 20], [1, 2, 3]), line('b', [5, 15], [7, 8]), line('empty', [], [])], 12);
    expect(rows).toEqual([
      { seriesId: 'a', seriesName: 'run a', color: '#123456', value: [10, 2] },
      { seriesId: 'b', seriesName: 'run b', color: '#123456', value: [15, 8] },
    ]);
    // On a log axis a value ≤ 0 is a gap in its line, and the tooltip leaves it out too.
    const onLog = tooltipRows([line('a', [0, 10], [1, 0]), line('b', [0, 10], [3, 4])], 10, true);
    expect(onLog.map((r) => r.seriesId)).toEqual(['b']);
    expect(tooltipRows([line('a', [0, 10], [1, 0])], 10, false)[0]!.value).toEqual([10, 0]);
  });

  it('heads the tooltip with the step nearest the cursor, not the largest row’s', () => {
    // Train loss every 5 steps, held-out loss (larger, listed first) every 50; the cursor at 108.
    const rows = tooltipRows([line('train', [95, 100, 105, 110], [0.3, 0.3, 0.3, 0.3]), line('held-out', [50, 100, 150], [0.5, 0.5, 0.5])], 108);
    expect(tooltipX(rows, 108)).toBe(110);
    const head = (html: string) => html.match(/^<div[^>]*>([^<]*)<\/div>/)![1];
    expect(head(tooltipHtml(rows, (x) => `step ${x}`, null, tooltipX(rows, 108)))).toBe('step 110');
    expect(tooltipX([], 108)).toBeNull();
  });

  it('describes a chart by what it draws', () => {
    const content = { lines: [line('a', [0], [1])], bands: [{ id: 'g', name: 'group · seeds', color: '#000', x: [0], lo: [0], hi: [1] }] };
    expect(chartDescription(content, 'Loss')).toBe('Loss, 2 series: run a; group · seeds (band).');
    expect(chartDescription({ lines: [], bands: [] }, 'Loss')).toBe('Loss: no data yet.');
  });
});
