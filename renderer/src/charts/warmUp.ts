/**
 * The first line chart a page draws costs several times a later one: ECharts' code for line and
 * custom series, axes and painting is compiled and optimised on first use. Without a warm-up that
 * cost lands on the first live data, as one 40–60 ms task. Here a throwaway chart, never attached
 * to the page, draws lines and bands in a few steps while the page is idle, so no step is long.
 */
import { init } from './echarts';
import { baseOption, seriesOption, type ChartColors, type PlotBand, type PlotLine } from './lineOption';

let started = false;

/** Starts the warm-up (once per page); each step runs in its own idle period. */
export function warmUpLineCharts(colors: ChartColors): void {
  if (started) return;
  started = true;
  const chart = init(document.createElement('div'), undefined, { renderer: 'canvas', width: 400, height: 200 });
  const x = Float64Array.from({ length: 200 }, (_, i) => i + 1);
  const y = x.map((v) => 1 + Math.exp(-v / 50));
  const lines: PlotLine[] = [1, 2, 3].map((k) => ({ id: `l${k}`, name: `l${k}`, color: colors.text, dash: 'solid', points: { x, y: y.map((v) => v * k) } }));
  const bands: PlotBand[] = [{ id: 'b', name: 'b', color: colors.muted, x, lo: y.map((v) => v / 2), hi: y.map((v) => v * 4) }];
  const axes = (log: boolean) => ({ xName: 'step', log, xExtent: [1, 200] as [number, number], xZoom: null, yRange: null, xFormat: String });
  // Small steps, each a fresh part of the code: compiling is most of what the first use costs.
  const steps = [
    () => chart.setOption({ ...baseOption(axes(false), colors) }),
    () => chart.setOption({ series: seriesOption([{ ...lines[0]!, points: { x: x.subarray(0, 2), y: y.subarray(0, 2) } }], [], false) }),
    () => chart.setOption({ series: seriesOption(lines.slice(0, 1), [], false) }),
    () => chart.setOption({ series: seriesOption([], bands, false) }, { replaceMerge: ['series'] }),
    () => chart.setOption({ series: seriesOption(lines, bands, false) }, { replaceMerge: ['series'] }),
    () => chart.setOption({ ...baseOption(axes(true), colors) }),
    () => chart.setOption({ series: seriesOption(lines, bands, true) }),
    () => chart.dispose(),
  ];
  const next = () => {
    steps.shift()!();
    if (steps.length > 0) whenIdle(next);
  };
  whenIdle(next);
}

function whenIdle(callback: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(callback, { timeout: 1000 });
  else setTimeout(callback, 50);
}
