/**
 * The first chart a page draws costs several times a later one: ECharts' code for axes, zoom and
 * painting is compiled and optimised on first use. Without a warm-up that cost lands on the first
 * live data, as one 40–60 ms task. Here a throwaway chart, never attached to the page, sets up
 * linear and log axes in a few steps while the page is idle, so no step is long. (The lines are
 * drawn by charts/lineLayer.ts, a few canvas calls with nothing much to compile.)
 */
import { init } from './echarts';
import { baseOption, type ChartColors } from './lineOption';

let started = false;

/** Starts the warm-up (once per page); each step runs in its own idle period. */
export function warmUpLineCharts(colors: ChartColors): void {
  if (started) return;
  started = true;
  const chart = init(document.createElement('div'), undefined, { renderer: 'canvas', width: 400, height: 200 });
  const axes = (log: boolean, max: number) => ({ xName: 'step', log, xExtent: [1, max] as [number, number], xZoom: null, yRange: [log ? 0.01 : 0, 10] as [number, number], xFormat: String });
  // Small steps, each a fresh part of the code: compiling is most of what the first use costs.
  const steps = [
    () => chart.setOption({ ...baseOption(axes(false, 200), colors) }),
    () => chart.setOption({ xAxis: { max: 400 }, yAxis: { max: 20 } }),
    () => chart.setOption({ ...baseOption(axes(true, 400), colors) }),
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
