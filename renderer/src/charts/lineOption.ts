/**
 * Pure builders of ECharts options for the lab's line charts: lines, shaded bands, axes, tooltip.
 * Kept free of the DOM so the same option feeds the canvas chart and the SVG export.
 */
import type { DisplayPoints } from '../../../shared/series/display';
import { drawable, pixelScale, type PixelScale } from './linePaint';

export interface PlotLine {
  id: string;
  name: string;
  color: string;
  dash: 'solid' | 'dashed' | 'dotted';
  points: DisplayPoints;
  width?: number;
}

export interface PlotBand {
  id: string;
  name: string;
  color: string;
  x: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}

export interface ChartColors {
  text: string;
  muted: string;
  grid: string;
  surface: string;
}

export interface AxisSettings {
  xName: string;
  log: boolean;
  /** Full x extent of the data (zoom percentages refer to it). */
  xExtent: [number, number] | null;
  xZoom: [number, number] | null;
  yRange: [number, number] | null;
  /** Formats x in the tooltip ("step 1,200", "3.2 s"). */
  xFormat: (x: number) => string;
  /** How the tooltip lists runs: largest value first (default), or nearest the cursor first. */
  tooltipOrder?: TooltipOrder;
}

export type TooltipOrder = 'value' | 'nearest';

/** The plot area's margins in pixels (fixed: see baseOption); drag-to-zoom draws its box inside them. */
export const GRID = { left: 64, right: 16, top: 12, bottom: 36 } as const;

/** What one chart draws: lines, bands under them, and its axes (zoom is the chart's own). */
export interface LineChartContent {
  lines: PlotLine[];
  bands: PlotBand[];
  axes: Omit<AxisSettings, 'xZoom'>;
}

/**
 * Interleaved [x0, y0, x1, y1, …] for ECharts. A typed array is copied by ECharts in one block,
 * where arrays of [x, y] pairs are deep-cloned pair by pair on every setOption (most of the cost
 * of a live update). Values a log axis cannot show become NaN: a gap, not an error.
 */
export function toXY(x: ArrayLike<number>, y: ArrayLike<number>, log: boolean): Float64Array {
  const out = new Float64Array(y.length * 2);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    out[2 * i] = x[i]!;
    out[2 * i + 1] = drawable(v, log) ? v : NaN;
  }
  return out;
}

/**
 * The `series` list: every band in one custom series under the lines, then one line series per line.
 * One series for all bands (not a stacked pair per band): ECharts' cost per redraw grows with the
 * number of series, and a chart of eight runs with a band each would otherwise hold 24.
 */
export function seriesOption(lines: readonly PlotLine[], bands: readonly PlotBand[], log: boolean): object[] {
  const out: object[] = [];
  if (bands.length > 0) out.push(bandSeries(bands, log));
  for (const line of lines) {
    out.push({
      id: line.id,
      name: line.name,
      type: 'line',
      dimensions: ['x', 'y'],
      data: toXY(line.points.x, line.points.y, log),
      showSymbol: false,
      symbol: 'none',
      animation: false,
      connectNulls: false,
      color: line.color,
      lineStyle: { color: line.color, width: line.width ?? 1.6, type: line.dash },
      emphasis: { disabled: true },
      z: 2,
    });
  }
  return out;
}

interface BandRenderApi {
  value(dimension: number): number;
  coord(point: [number, number]): number[];
}

/** Id of the series holding a chart's bands. */
export const BANDS_SERIES_ID = 'bands';

/**
 * The bands as a custom series: one data item per band giving its extent (so the axes cover it),
 * each drawn as one filled outline (see bandOutline), split wherever a value is missing or a log
 * axis cannot show it.
 */
function bandSeries(bands: readonly PlotBand[], log: boolean): object {
  const data = bands.map((band, index) => {
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < band.x.length; i++) {
      if (!bandPointDrawable(band, i, log)) continue;
      x0 = Math.min(x0, band.x[i]!);
      x1 = Math.max(x1, band.x[i]!);
      y0 = Math.min(y0, band.lo[i]!, band.hi[i]!);
      y1 = Math.max(y1, band.lo[i]!, band.hi[i]!);
    }
    // A band with nothing to show keeps its index (renderItem finds it by index) but adds no extent.
    return x0 <= x1 ? [x0, y0, x1, y1, index] : [NaN, NaN, NaN, NaN, index];
  });
  return {
    id: BANDS_SERIES_ID,
    name: bands.map((b) => b.name).join(', '),
    type: 'custom',
    dimensions: ['x0', 'y0', 'x1', 'y1', 'band'],
    encode: { x: [0, 2], y: [1, 3], tooltip: [] },
    data,
    silent: true,
    animation: false,
    clip: true,
    tooltip: { show: false },
    z: 1,
    renderItem: (_params: unknown, api: BandRenderApi) => {
      const band = bands[api.value(4)];
      return band ? { type: BAND_SHAPE, shape: { outline: bandOutline(band, log, pixelScale((point) => api.coord(point), log)) }, style: { fill: band.color, opacity: BAND_OPACITY } } : null;
    },
  };
}

function bandPointDrawable(band: PlotBand, i: number, log: boolean): boolean {
  return Number.isFinite(band.x[i]!) && drawable(band.lo[i]!, log) && drawable(band.hi[i]!, log);
}

/** How opaque a band's fill is: the line through it stays readable. */
export const BAND_OPACITY = 0.18;

/**
 * A band's outline in pixels as flat x, y pairs: for each stretch of drawable points, the upper edge
 * forward and the lower edge back, stretches separated by a NaN pair. One typed array per band, not
 * one [x, y] array per point (which ECharts would also clone, point by point, on every redraw).
 */
export function bandOutline(band: PlotBand, log: boolean, { px, py }: PixelScale): Float64Array {
  const stretches: Array<[number, number]> = [];
  for (let i = 0; i < band.x.length; ) {
    if (!bandPointDrawable(band, i, log)) {
      i++;
      continue;
    }
    const start = i;
    while (i < band.x.length && bandPointDrawable(band, i, log)) i++;
    if (i - start > 1) stretches.push([start, i]);
  }
  const out = new Float64Array(stretches.reduce((size, [a, b]) => size + 4 * (b - a) + 2, 0));
  let o = 0;
  for (const [a, b] of stretches) {
    for (let i = a; i < b; i++) {
      out[o++] = px(band.x[i]!);
      out[o++] = py(band.hi[i]!);
    }
    for (let i = b - 1; i >= a; i--) {
      out[o++] = px(band.x[i]!);
      out[o++] = py(band.lo[i]!);
    }
    out[o++] = NaN;
    out[o++] = NaN;
  }
  return out;
}

/** Name under which echarts.ts registers the shape that draws a band outline. */
export const BAND_SHAPE = 'bnlabBand';

/** The drawing calls of the BAND_SHAPE: one closed polygon per stretch of a `bandOutline`. */
export function traceBandOutline(outline: ArrayLike<number>, path: { moveTo(x: number, y: number): void; lineTo(x: number, y: number): void; closePath(): void }): void {
  let open = false;
  for (let i = 0; i + 1 < outline.length; i += 2) {
    const x = outline[i]!;
    const y = outline[i + 1]!;
    if (Number.isNaN(x)) {
      if (open) path.closePath();
      open = false;
    } else if (open) path.lineTo(x, y);
    else {
      path.moveTo(x, y);
      open = true;
    }
  }
  if (open) path.closePath();
}

/**
 * Everything but the series: axes, grid, zoom and the pointer line. The tooltip's content is ours
 * (charts/lineLayer.ts draws the lines, so ECharts has no series values to list): ECharts only
 * reports where the pointer is ('updateAxisPointer').
 */
export function baseOption(axes: AxisSettings, colors: ChartColors): object {
  const zoom = axes.xZoom ? { startValue: axes.xZoom[0], endValue: axes.xZoom[1] } : { start: 0, end: 100 };
  return {
    animation: false,
    backgroundColor: 'transparent',
    aria: { enabled: true },
    // Fixed margins, and no 'outerBounds' fitting: ECharts would otherwise measure every axis label
    // again on each redraw to shrink the grid around them (about a tenth of a streaming update).
    // The widest y label formatNumber writes ("-0.001234", 54 px at 12 px) fits left of the axis.
    grid: { ...GRID, outerBoundsMode: 'none' },
    textStyle: { color: colors.text },
    xAxis: {
      type: 'value',
      name: axes.xName,
      nameLocation: 'middle',
      nameGap: 24,
      nameTextStyle: { color: colors.muted },
      // null (not undefined) so a merge clears a previous fixed range.
      min: axes.xExtent?.[0] ?? null,
      max: axes.xExtent?.[1] ?? null,
      // The last label sits at the axis end (max is the last x drawn): right-aligned, it stays inside the chart.
      axisLabel: { color: colors.muted, hideOverlap: true, alignMaxLabel: 'right' },
      axisLine: { lineStyle: { color: colors.grid } },
      splitLine: { show: false },
    },
    yAxis: {
      type: axes.log ? 'log' : 'value',
      min: axes.yRange?.[0] ?? null,
      max: axes.yRange?.[1] ?? null,
      scale: true,
      axisLabel: { color: colors.muted, formatter: (v: number) => formatNumber(v) },
      splitLine: { lineStyle: { color: colors.grid } },
    },
    // The wheel zooms and shift-drag pans; a plain drag draws a zoom box (useLineChart).
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: true, moveOnMouseMove: 'shift', ...zoom }],
    tooltip: {
      trigger: 'axis',
      showContent: false,
      axisPointer: { type: 'line', lineStyle: { color: colors.muted } },
    },
  };
}

/** One row of the tooltip: a line's value at the cursor. */
export interface TooltipParam {
  seriesId?: string;
  seriesName: string;
  color: string;
  value: [number, number];
}

/**
 * Every run's value at the cursor — the listing TensorBoard users sort: largest first, or, given
 * the y under the pointer, nearest to it first (to find the line one is pointing at among many).
 * Headed by `headX` (default: the first row's x).
 */
export function tooltipHtml(params: readonly TooltipParam[], xFormat: (x: number) => string, nearY: number | null = null, headX: number | null = null): string {
  const rows = params
    .filter((p) => p.seriesId !== BANDS_SERIES_ID && Number.isFinite(p.value?.[1]))
    .sort(nearY === null ? (a, b) => b.value[1] - a.value[1] : (a, b) => Math.abs(a.value[1] - nearY) - Math.abs(b.value[1] - nearY));
  if (rows.length === 0) return '';
  const head = `<div style="margin-bottom:4px;opacity:.8">${escapeHtml(xFormat(headX ?? rows[0]!.value[0]))}</div>`;
  return (
    head +
    rows
      .map(
        (p) =>
          `<div style="display:flex;gap:8px;justify-content:space-between"><span><span style="display:inline-block;width:8px;height:8px;border-radius:50%;background:${escapeHtml(p.color)};margin-right:6px"></span>${escapeHtml(p.seriesName)}</span><b>${formatNumber(p.value[1])}</b></div>`,
      )
      .join('')
  );
}

/**
 * One formatter for every call: `toLocaleString` with options builds a new Intl.NumberFormat each
 * time, and ECharts formats every y-axis label of every chart on every redraw while sizing the axis.
 */
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

/** Compact numbers for axes and tables: 4 significant digits, exponent when very small or large. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return decimal.format(Number(v.toPrecision(4)));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
