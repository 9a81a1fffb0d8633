/**
 * The pure half of drawing a chart's lines and bands on our own canvas, over ECharts' axes (see
 * charts/lineLayer.ts for why): data to pixels, the path of a line, the tooltip's rows and the
 * chart's accessible description. Free of the DOM, so unit tests check it in Node.
 */
import type { DisplayPoints } from '../../../shared/series/display';
import type { LineChartContent, PlotLine, TooltipParam } from './lineOption';

/** Data to pixels on a value x axis and a value or log y axis. */
export interface PixelScale {
  px(x: number): number;
  py(y: number): number;
}

/**
 * Both axes are value (or log) axes, so pixels are an affine function of x and of y (or log10 y):
 * two points through the chart's own conversion (`coord`) give it for every point.
 */
export function pixelScale(coord: (point: [number, number]) => ArrayLike<number>, log: boolean): PixelScale {
  const origin = coord([0, log ? 1 : 0]);
  const unit = coord([1, log ? 10 : 1]);
  const x0 = origin[0]!;
  const y0 = origin[1]!;
  const dx = unit[0]! - x0;
  const dy = unit[1]! - y0;
  return {
    px: (x) => x0 + x * dx,
    py: log ? (y) => y0 + Math.log10(y) * dy : (y) => y0 + y * dy,
  };
}

/** Whether a y value can be drawn: finite and, on a log axis, positive. */
export function drawable(v: number, log: boolean): boolean {
  return Number.isFinite(v) && (!log || v > 0);
}

/** The drawing calls of one line: a polyline broken wherever a point cannot be drawn (a gap, as ECharts' connectNulls: false). */
export function traceLine(points: DisplayPoints, scale: PixelScale, log: boolean, path: { moveTo(x: number, y: number): void; lineTo(x: number, y: number): void }): void {
  let open = false;
  for (let i = 0; i < points.y.length; i++) {
    const x = points.x[i]!;
    const y = points.y[i]!;
    if (!Number.isFinite(x) || !drawable(y, log)) {
      open = false;
      continue;
    }
    if (open) path.lineTo(scale.px(x), scale.py(y));
    else {
      path.moveTo(scale.px(x), scale.py(y));
      open = true;
    }
  }
}

/** Canvas dash pattern of a line style, in multiples of the line's width (ECharts' own, so a chart and its export match). */
export function dashPattern(dash: PlotLine['dash'], width: number): number[] {
  if (dash === 'dashed') return [4 * width, 2 * width];
  if (dash === 'dotted') return [width, width];
  return [];
}

/** Index of the point of ascending `x` nearest to `at` (-1 when there is none). */
export function nearestIndex(x: ArrayLike<number>, at: number): number {
  if (x.length === 0) return -1;
  let lo = 0;
  let hi = x.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && Math.abs(x[lo - 1]! - at) <= Math.abs(x[lo]! - at) ? lo - 1 : lo;
}

/** The tooltip's rows at x `at`: each line's drawn point nearest to it (what ECharts' axis tooltip listed). */
export function tooltipRows(lines: readonly PlotLine[], at: number, log = false): TooltipParam[] {
  const rows: TooltipParam[] = [];
  for (const line of lines) {
    const i = nearestIndex(line.points.x, at);
    if (i < 0) continue;
    // A value the axis cannot show (≤ 0 on a log axis) is a gap in the line: not listed either.
    const y = line.points.y[i]!;
    if (drawable(y, log)) rows.push({ seriesId: line.id, seriesName: line.name, color: line.color, value: [line.points.x[i]!, y] });
  }
  return rows;
}

/**
 * The x a tooltip is headed with: of the row whose point is nearest the cursor (where ECharts'
 * pointer snapped). Rows can sit at different x (held-out loss every 50 steps beside train loss
 * every 5), so the first row's x could name a step the cursor is not at.
 */
export function tooltipX(rows: readonly TooltipParam[], at: number): number | null {
  let best: number | null = null;
  for (const row of rows) if (best === null || Math.abs(row.value[0] - at) < Math.abs(best - at)) best = row.value[0];
  return best;
}

/** What a screen reader hears for a chart: what it draws, by name. */
export function chartDescription(content: Pick<LineChartContent, 'lines' | 'bands'>, title: string): string {
  if (content.lines.length === 0 && content.bands.length === 0) return `${title}: no data yet.`;
  const names = [...content.lines.map((l) => l.name), ...content.bands.map((b) => `${b.name} (band)`)];
  return `${title}, ${names.length} series: ${names.join('; ')}.`;
}
