/**
 * Pure builders of ECharts options for the lab's line charts: lines, shaded bands, axes, tooltip.
 * Kept free of the DOM so the same option feeds the canvas chart and the SVG export.
 */
import type { DisplayPoints } from '../../../shared/series/display';

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
}

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
    out[2 * i + 1] = Number.isFinite(v) && (!log || v > 0) ? v : NaN;
  }
  return out;
}

/** The `series` list: bands first (under the lines), each as an invisible lower edge plus a stacked fill. */
export function seriesOption(lines: readonly PlotLine[], bands: readonly PlotBand[], log: boolean): object[] {
  const out: object[] = [];
  for (const band of bands) {
    const width = new Float64Array(band.lo.length);
    for (let i = 0; i < width.length; i++) width[i] = band.hi[i]! - band.lo[i]!;
    const common = { type: 'line', dimensions: ['x', 'y'], stack: band.id, symbol: 'none', showSymbol: false, silent: true, animation: false, tooltip: { show: false }, z: 1 };
    out.push({ ...common, id: `${band.id}:lo`, name: band.name, data: toXY(band.x, band.lo, log), lineStyle: { opacity: 0 } });
    out.push({
      ...common,
      id: `${band.id}:hi`,
      name: band.name,
      data: toXY(band.x, width, false),
      lineStyle: { opacity: 0 },
      areaStyle: { color: band.color, opacity: 0.18 },
    });
  }
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

/** Everything but the series: axes, grid, zoom, tooltip. */
export function baseOption(axes: AxisSettings, colors: ChartColors): object {
  const zoom = axes.xZoom ? { startValue: axes.xZoom[0], endValue: axes.xZoom[1] } : { start: 0, end: 100 };
  return {
    animation: false,
    backgroundColor: 'transparent',
    aria: { enabled: true },
    grid: { left: 56, right: 16, top: 12, bottom: 36 },
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
      axisLabel: { color: colors.muted, hideOverlap: true },
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
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: true, moveOnMouseMove: true, ...zoom }],
    tooltip: {
      trigger: 'axis',
      confine: true,
      backgroundColor: colors.surface,
      borderColor: colors.grid,
      textStyle: { color: colors.text, fontSize: 12 },
      axisPointer: { type: 'line', lineStyle: { color: colors.muted } },
      formatter: (params: unknown) => tooltipHtml(params as TooltipParam[], axes.xFormat),
    },
  };
}

interface TooltipParam {
  seriesId?: string;
  seriesName: string;
  color: string;
  value: [number, number];
}

/** Every run's value at the cursor, largest first — the listing TensorBoard users sort for. */
export function tooltipHtml(params: readonly TooltipParam[], xFormat: (x: number) => string): string {
  const rows = params
    .filter((p) => !p.seriesId?.endsWith(':lo') && !p.seriesId?.endsWith(':hi') && Number.isFinite(p.value?.[1]))
    .sort((a, b) => b.value[1] - a.value[1]);
  if (rows.length === 0) return '';
  const head = `<div style="margin-bottom:4px;opacity:.8">${escapeHtml(xFormat(rows[0]!.value[0]))}</div>`;
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

/** Compact numbers for axes and tables: 4 significant digits, exponent when very small or large. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
