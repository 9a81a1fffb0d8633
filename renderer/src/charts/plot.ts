/**
 * From cached series to what one chart panel draws, for the Watch and Compare views alike: x axis
 * choice, smoothing (full resolution, cached incrementally), seed-group means with bands, panel
 * bands (percentiles), outlier-robust y range, thinning to the chart's width.
 */
import { aggregateSeeds, type BandKind } from '../../../shared/series/groups';
import { displayPoints } from '../../../shared/series/display';
import { niceExtent, robustExtent, valueExtent } from '../../../shared/series/extent';
import { minMaxThin, visibleRange } from '../../../shared/series/thinning';
import type { ChartPanel } from './panels';
import type { LineChartContent, PlotBand, PlotLine, TooltipOrder } from './lineOption';
import { formatNumber } from './lineOption';
import type { GrowableSeries, SeriesCache } from '../series/seriesCache';
import { chartDiagnostics } from './diagnostics';

export type XAxisKind = 'step' | 'epoch' | 'wall';

/** One thing drawn in a colour: a run, or a seed group (its members' mean and band). */
export interface PlotEntry {
  id: string;
  label: string;
  color: string;
  runIds: string[];
  /** Epochs per optimizer step (for the epoch axis when a stored series does not carry epochs). */
  epochsPerStep: number | null;
}

export interface PlotSettings {
  smoothing: number;
  xAxis: XAxisKind;
  log: boolean;
  ignoreOutliers: boolean;
  band: BandKind;
  tooltipOrder?: TooltipOrder;
}

const X_NAMES: Record<XAxisKind, string> = { step: 'step', epoch: 'epoch', wall: 'wall time (s)' };

/** x values of a series on the chosen axis. */
export function xValues(series: GrowableSeries, axis: XAxisKind, epochsPerStep: number | null): Float64Array {
  if (axis === 'step') return series.x;
  if (axis === 'wall') return series.wallMs(1 / 1000);
  const out = series.epoch();
  const s = series.x;
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) out[i] = s[i]! * (epochsPerStep ?? NaN);
  return out;
}

interface Curve {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  lo?: ArrayLike<number>;
  hi?: ArrayLike<number>;
}

/**
 * The series to draw for a run: its zoomed range at full resolution when the stored history came
 * thinned and a detail read covers the zoom, else the series itself.
 */
function seriesFor(cache: SeriesCache, runId: string, key: string, xZoom: [number, number] | null, axis: XAxisKind): GrowableSeries | undefined {
  const s = cache.get(runId, key);
  const d = s?.detail;
  if (s?.thinned && d && xZoom && axis === 'step' && d.from <= xZoom[0] && d.to >= xZoom[1]) return d.series;
  return s;
}

/** A run's (or group's) curve of one key: smoothed full resolution; groups as mean with a band. */
function curve(cache: SeriesCache, entry: PlotEntry, key: string, settings: PlotSettings, xZoom: [number, number] | null): Curve | null {
  const members = entry.runIds.map((id) => seriesFor(cache, id, key, xZoom, settings.xAxis)).filter((s): s is GrowableSeries => !!s && s.length > 0);
  if (members.length === 0) return null;
  if (entry.runIds.length === 1) {
    const s = members[0]!;
    return { x: xValues(s, settings.xAxis, entry.epochsPerStep), y: s.smoothed(settings.smoothing) };
  }
  // Groups align by step; a non-step axis maps each step to the members' mean x there.
  const agg = aggregateSeeds(members.map((s) => ({ x: s.x, y: s.smoothed(settings.smoothing) })), settings.band);
  let x: ArrayLike<number> = agg.x;
  if (settings.xAxis !== 'step') {
    x = aggregateSeeds(members.map((s) => ({ x: s.x, y: xValues(s, settings.xAxis, entry.epochsPerStep) })), 'minmax').mean;
  }
  return { x, y: agg.mean, lo: agg.lo, hi: agg.hi };
}

/** Chart content of `panel` for `entries` (drawn) with y scaled over `scope` (side by side shares one scale). */
export function buildPanelContent(
  cache: SeriesCache,
  panel: ChartPanel,
  entries: readonly PlotEntry[],
  settings: PlotSettings,
  view: { maxPoints: number; xZoom: [number, number] | null },
  scope: readonly PlotEntry[] = entries,
): LineChartContent {
  const maxPoints = chartDiagnostics.noThinning ? Number.MAX_SAFE_INTEGER : view.maxPoints;
  const lines: PlotLine[] = [];
  const bands: PlotBand[] = [];
  const drawn = new Set(entries.map((e) => e.id));
  const yArrays: ArrayLike<number>[] = [];
  let xMin = Infinity;
  let xMax = -Infinity;

  for (const entry of scope) {
    const draw = drawn.has(entry.id);
    for (const band of panel.bands) {
      const lo = curve(cache, entry, band.lo, settings, view.xZoom);
      const hi = curve(cache, entry, band.hi, settings, view.xZoom);
      if (!lo || !hi) continue;
      const n = Math.min(lo.y.length, hi.y.length);
      const [from, to] = view.xZoom ? visibleRange(hi.x, view.xZoom[0], view.xZoom[1]) : [0, n];
      const idx = minMaxThin(hi.y, maxPoints, from, Math.min(to, n));
      const pick = (a: ArrayLike<number>) => {
        const out = new Float64Array(idx.length);
        for (let k = 0; k < idx.length; k++) out[k] = a[idx[k]!]!;
        return out;
      };
      const b = { x: pick(hi.x), lo: pick(lo.y), hi: pick(hi.y) };
      yArrays.push(b.lo, b.hi);
      if (draw) bands.push({ id: `${entry.id}|${band.lo}`, name: `${entry.label} · ${band.label}`, color: entry.color, ...b });
    }
    panel.lines.forEach((line) => {
      const c = curve(cache, entry, line.key, settings, view.xZoom);
      if (!c || c.y.length === 0) return;
      // The axis spans the whole series, also while a zoomed detail read is drawn.
      const full = settings.xAxis === 'step' && view.xZoom ? curve(cache, entry, line.key, { ...settings, smoothing: 0 }, null) : c;
      xMin = Math.min(xMin, full!.x[0]!);
      xMax = Math.max(xMax, full!.x[full!.x.length - 1]!);
      const points = displayPoints(c.x, c.y, { smoothing: 0, maxPoints, xRange: view.xZoom });
      yArrays.push(points.y);
      if (c.lo && c.hi) {
        const band = displayBand(c, points.x);
        yArrays.push(band.lo, band.hi);
        if (draw) bands.push({ id: `${entry.id}|${line.key}|seeds`, name: `${entry.label} · seeds`, color: entry.color, ...band });
      }
      if (!draw) return;
      const name = panel.lines.length > 1 ? `${entry.label} · ${line.label}` : entry.label;
      lines.push({ id: `${entry.id}|${line.key}`, name, color: entry.color, dash: line.dash, points });
    });
  }

  // Always a fixed y range: the lines are drawn outside ECharts (charts/lineLayer.ts), so it has
  // no data to fit its axis to. Side by side, `scope` makes every column's scale the same.
  const fitted = settings.ignoreOutliers ? robustExtent(yArrays, 0.02, 0.98, settings.log) : valueExtent(yArrays, settings.log);
  const yRange = fitted && niceExtent(fitted, settings.log);
  const xFormat = settings.xAxis === 'step' ? (x: number) => `step ${Math.round(x).toLocaleString('en-US')}` : settings.xAxis === 'wall' ? (x: number) => `${formatNumber(x)} s` : (x: number) => `epoch ${formatNumber(x)}`;
  return {
    lines,
    bands,
    axes: { xName: X_NAMES[settings.xAxis], log: settings.log, xExtent: xMin <= xMax ? [xMin, xMax] : null, yRange, xFormat, tooltipOrder: settings.tooltipOrder ?? 'value' },
  };
}

/** The seed band at the x values the mean line kept after thinning. */
function displayBand(c: Curve, keptX: Float64Array): { x: Float64Array; lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(keptX.length);
  const hi = new Float64Array(keptX.length);
  let j = 0;
  for (let k = 0; k < keptX.length; k++) {
    while (j < c.x.length - 1 && c.x[j]! < keptX[k]!) j++;
    lo[k] = c.lo![j]!;
    hi[k] = c.hi![j]!;
  }
  return { x: keptX, lo, hi };
}
