/**
 * A line chart bound to an element: created when it first becomes visible (charts below the fold
 * cost nothing), resized with its box, redrawn through the frame scheduler at a bounded rate, with
 * x zoom (drag a box, wheel; double click resets) that re-reads the full-resolution data of the
 * zoomed range, and PNG/SVG export.
 */
import { onScopeDispose, ref, watch, type Ref } from 'vue';
import { connect, init, type EChartsType } from '../charts/echarts';
import { admitNewSeries, baseOption, seriesOption, type LineChartContent } from '../charts/lineOption';
import { chartColors } from '../charts/colors';
import { cancelChart, scheduleChart, type ChartJob } from '../charts/scheduler';
import { warmUpLineCharts } from '../charts/warmUp';
import { enableDragZoom } from '../charts/dragZoom';

export interface LineChartOptions {
  /** The element the chart draws into. */
  el: Ref<HTMLElement | null>;
  /**
   * Builds the content at redraw time from non-reactive caches. `maxPoints` is about the chart's
   * width in pixels; `xZoom` is the zoomed x range (null: everything).
   */
  build: (view: { maxPoints: number; xZoom: [number, number] | null }) => LineChartContent;
  /** Charts with the same group share cursor and zoom (side-by-side view). Default: none. */
  group?: string;
  /**
   * Least time between two redraws caused by streaming data. Default 250 ms (4 per second); a
   * chart whose redraw takes longer waits ten times its redraw time, so no chart takes more than
   * a tenth of the main thread however much data it holds.
   */
  minIntervalMs?: number;
}

export function useLineChart(options: LineChartOptions) {
  const minInterval = options.minIntervalMs ?? 250;
  const visible = ref(false);
  const xZoom = ref<[number, number] | null>(null);
  const empty = ref(true);
  let chart: EChartsType | null = null;
  let lastRender = 0;
  let lastDuration = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let xExtent: [number, number] | null = null;
  let seriesIds = '';
  /** The ids of the series the chart has. */
  let shown = new Set<string>();
  let lastBaseKey = '';
  let onScreen = false;
  let stale = false;
  /** The element's width as the ResizeObserver last saw it: reading clientWidth in a redraw would force a layout of the page. */
  let width = 0;
  /** The y value under the pointer (for the tooltip's 'nearest' order). */
  let cursorY: () => number | null = () => null;

  const job: ChartJob = {
    render() {
      if (!chart || !options.el.value) return;
      lastRender = performance.now();
      width ||= options.el.value.clientWidth;
      // One min/max pair per two pixels: every spike still shows, at half the points to draw.
      const content = options.build({ maxPoints: Math.max(50, Math.round((width || 600) / 2)), xZoom: xZoom.value });
      xExtent = content.axes.xExtent;
      empty.value = content.lines.length === 0 && content.bands.length === 0;
      const admitted = admitNewSeries(seriesOption(content.lines, content.bands, content.axes.log) as Array<{ id: string }>, shown);
      const series = admitted.series;
      const ids = series.map((s) => s.id).join('\u0000');
      const colors = chartColors();
      // Axes, tooltip and zoom are rebuilt only when something but the data changed; a streaming
      // update then sets just the series and the axis ranges (less for ECharts to merge).
      const { xExtent: extent, yRange, ...rest } = content.axes;
      const baseKey = JSON.stringify([rest.xName, rest.log, rest.tooltipOrder, xZoom.value, colors]);
      const option =
        baseKey === lastBaseKey
          ? { xAxis: { min: extent?.[0] ?? null, max: extent?.[1] ?? null }, yAxis: { min: yRange?.[0] ?? null, max: yRange?.[1] ?? null }, series }
          : { ...baseOption({ ...content.axes, xZoom: xZoom.value }, colors, cursorY), series };
      lastBaseKey = baseKey;
      // Synchronous on purpose: the scheduler budgets each frame, which lazyUpdate would defeat
      // by moving every chart's drawing into one ECharts frame. Series are replaced only when the
      // set of series changed (a run hidden, a group formed); otherwise merged by id.
      chart.setOption(option, ids === seriesIds ? { lazyUpdate: false } : { replaceMerge: ['series'], lazyUpdate: false });
      seriesIds = ids;
      shown = new Set(series.map((s) => s.id));
      lastDuration = performance.now() - lastRender;
      // The series left out come in the next frames.
      if (admitted.deferred > 0) scheduleChart(job);
    },
  };

  /** Asks for a redraw: `now` for user actions, otherwise at most every minIntervalMs. */
  function invalidate(now = false): void {
    if (!chart) return;
    // Off-screen charts only remember that they are stale and redraw when scrolled back into view.
    if (!onScreen) {
      stale = true;
      return;
    }
    if (now) {
      if (timer) clearTimeout(timer);
      timer = null;
      scheduleChart(job);
      return;
    }
    if (timer) return;
    const wait = Math.max(0, Math.max(minInterval, 10 * lastDuration) - (performance.now() - lastRender));
    timer = setTimeout(() => {
      timer = null;
      scheduleChart(job);
    }, wait);
  }

  function create(el: HTMLElement): void {
    warmUpLineCharts(chartColors());
    chart = init(el, undefined, { renderer: 'canvas' });
    if (options.group) {
      chart.group = options.group;
      connect(options.group);
    }
    cursorY = enableDragZoom(chart, () => chartColors().muted).cursorY;
    chart.on('datazoom', (event: unknown) => {
      // The wheel reports percentages of the axis extent, a drag box x values; directly or in a batch.
      type Zoom = { start?: number; end?: number; startValue?: number; endValue?: number };
      const e = event as Zoom & { batch?: Zoom[] };
      const dz = e.batch?.[0] ?? e;
      if (!xExtent) return;
      const [a, b] = xExtent;
      if (dz.startValue !== undefined && dz.endValue !== undefined) {
        xZoom.value = dz.startValue <= a && dz.endValue >= b ? null : [Math.max(a, dz.startValue), Math.min(b, dz.endValue)];
      } else {
        const start = dz.start ?? 0;
        const end = dz.end ?? 100;
        xZoom.value = start <= 0 && end >= 100 ? null : [a + ((b - a) * start) / 100, a + ((b - a) * end) / 100];
      }
      invalidate(true);
    });
    chart.getZr().on('dblclick', () => resetZoom());
    invalidate(true);
  }

  function resetZoom(): void {
    xZoom.value = null;
    invalidate(true);
  }

  let intersection: IntersectionObserver | null = null;
  const resize = new ResizeObserver((entries) => {
    width = entries[entries.length - 1]!.contentRect.width;
    chart?.resize();
    invalidate(true);
  });
  watch(
    options.el,
    (el, _old, onCleanup) => {
      if (!el) return;
      intersection = new IntersectionObserver(
        (entries) => {
          onScreen = entries[entries.length - 1]!.isIntersecting;
          if (onScreen && !chart) {
            visible.value = true;
            create(el);
            resize.observe(el);
          } else if (onScreen && stale) {
            stale = false;
            invalidate(true);
          }
        },
        { rootMargin: '200px' },
      );
      intersection.observe(el);
      onCleanup(() => intersection?.disconnect());
    },
    { immediate: true },
  );

  onScopeDispose(() => {
    if (timer) clearTimeout(timer);
    cancelChart(job);
    intersection?.disconnect();
    resize.disconnect();
    chart?.dispose();
    chart = null;
  });

  /** The chart as a PNG data URL or an SVG document (drawn again with the SVG renderer). */
  function exportImage(kind: 'png' | 'svg'): string | null {
    if (!chart) return null;
    const background = chartColors().surface;
    if (kind === 'png') return chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: background });
    const svgChart = init(null, undefined, { renderer: 'svg', ssr: true, width: chart.getWidth(), height: chart.getHeight() });
    try {
      svgChart.setOption({ ...chart.getOption(), backgroundColor: background });
      return svgChart.renderToSVGString();
    } finally {
      svgChart.dispose();
    }
  }

  return { visible, xZoom, empty, invalidate, resetZoom, exportImage };
}
