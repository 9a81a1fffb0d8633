/**
 * A line chart bound to an element: created when it first becomes visible (charts below the fold
 * cost nothing), resized with its box, redrawn through the frame scheduler at a bounded rate, with
 * x zoom (drag a box, wheel; double click resets) that re-reads the full-resolution data of the
 * zoomed range, a tooltip listing every line at the cursor (shared by a group's charts), and
 * PNG/SVG export. ECharts draws the axes; the lines, bands and tooltip are charts/lineLayer.ts.
 */
import { onScopeDispose, ref, watch, type Ref } from 'vue';
import { connect, init, type EChartsType } from '../charts/echarts';
import { baseOption, GRID, seriesOption, tooltipHtml, type LineChartContent } from '../charts/lineOption';
import { createLineLayer, type LineLayer } from '../charts/lineLayer';
import { chartDescription, tooltipRows, tooltipX } from '../charts/linePaint';
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
  /** What the chart shows, for its accessible description. */
  title?: () => string;
  /**
   * Least time between two redraws caused by streaming data. Default 250 ms (4 per second); a
   * chart whose redraw takes longer waits ten times its redraw time, so no chart takes more than
   * a tenth of the main thread however much data it holds.
   */
  minIntervalMs?: number;
}

/** The charts of each group, told where the pointer is in any of them (x in data units, null: gone). */
const cursorGroups = new Map<string, Set<(x: number | null) => void>>();

export function useLineChart(options: LineChartOptions) {
  const minInterval = options.minIntervalMs ?? 250;
  const visible = ref(false);
  const xZoom = ref<[number, number] | null>(null);
  const empty = ref(true);
  let chart: EChartsType | null = null;
  let layer: LineLayer | null = null;
  let lastRender = 0;
  let lastDuration = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let xExtent: [number, number] | null = null;
  let lastBaseKey = '';
  let lastContent: LineChartContent | null = null;
  let onScreen = false;
  let stale = false;
  /** The element's width as the ResizeObserver last saw it: reading clientWidth in a redraw would force a layout of the page. */
  let width = 0;
  /** The y value under the pointer (for the tooltip's 'nearest' order). */
  let cursorY: () => number | null = () => null;
  /** The x the tooltip is for (this chart's pointer, or a grouped chart's), and whether the pointer is here. */
  let cursorX: number | null = null;
  let pointerHere = false;

  const job: ChartJob = {
    render() {
      if (!chart || !layer || !options.el.value) return;
      lastRender = performance.now();
      width ||= options.el.value.clientWidth;
      // One min/max pair per two pixels: every spike still shows, at half the points to draw.
      const content = options.build({ maxPoints: Math.max(50, Math.round((width || 600) / 2)), xZoom: xZoom.value });
      lastContent = content;
      xExtent = content.axes.xExtent;
      empty.value = content.lines.length === 0 && content.bands.length === 0;
      const colors = chartColors();
      const aria = { enabled: true, label: { description: chartDescription(content, options.title?.() ?? 'Line chart') } };
      // Axes and zoom are rebuilt only when something but the data changed; a streaming update
      // then sets just the axis ranges (less for ECharts to merge).
      const { xExtent: extent, yRange, ...rest } = content.axes;
      const baseKey = JSON.stringify([rest.xName, rest.log, xZoom.value, colors]);
      const option =
        baseKey === lastBaseKey
          ? { xAxis: { min: extent?.[0] ?? null, max: extent?.[1] ?? null }, yAxis: { min: yRange?.[0] ?? null, max: yRange?.[1] ?? null }, aria }
          : { ...baseOption({ ...content.axes, xZoom: xZoom.value }, colors), aria };
      lastBaseKey = baseKey;
      // Synchronous on purpose: the scheduler budgets each frame, which lazyUpdate would defeat
      // by moving every chart's drawing into one ECharts frame; and the lines are drawn on the axes
      // this update sets.
      chart.setOption(option, { lazyUpdate: false });
      layer.paint(content, chart);
      if (cursorX !== null) showTooltip();
      lastDuration = performance.now() - lastRender;
    },
  };

  /** The tooltip (and, following another chart's pointer, the cursor line) at cursorX. */
  function showTooltip(): void {
    if (!chart || !layer) return;
    if (cursorX === null || !lastContent) {
      layer.tooltip(null);
      layer.cursor(null);
      return;
    }
    const colors = chartColors();
    // The y under the pointer when it is in this chart: it orders the rows ('nearest') and places the tooltip.
    const yValue = pointerHere ? cursorY() : null;
    const order = lastContent.axes.tooltipOrder === 'nearest' ? yValue : null;
    const rows = tooltipRows(lastContent.lines, cursorX, lastContent.axes.log);
    const html = tooltipHtml(rows, lastContent.axes.xFormat, order, tooltipX(rows, cursorX));
    const x = chart.convertToPixel({ xAxisIndex: 0 }, cursorX) as unknown as number;
    const y = yValue === null ? GRID.top : (chart.convertToPixel({ yAxisIndex: 0 }, yValue) as unknown as number);
    layer.tooltip(html, x, y, colors);
    layer.cursor(pointerHere ? null : x, colors);
  }

  function followCursor(x: number | null): void {
    cursorX = x;
    showTooltip();
  }

  /** Tells this chart, and every chart of its group, where the pointer is. */
  function shareCursor(x: number | null): void {
    const group = options.group ? cursorGroups.get(options.group) : undefined;
    if (group) group.forEach((follow) => follow(x));
    else followCursor(x);
  }

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
    layer = createLineLayer(el);
    if (options.group) {
      chart.group = options.group;
      connect(options.group);
      const group = cursorGroups.get(options.group) ?? cursorGroups.set(options.group, new Set()).get(options.group)!;
      group.add(followCursor);
    }
    cursorY = enableDragZoom(chart, () => chartColors().muted).cursorY;
    // ECharts reports the x under this chart's pointer (no axes info: the pointer left the plot).
    chart.on('updateAxisPointer', (event: unknown) => {
      const x = (event as { axesInfo?: Array<{ axisDim: string; value: unknown }> }).axesInfo?.find((a) => a.axisDim === 'x')?.value;
      if (typeof x === 'number' && Number.isFinite(x)) {
        pointerHere = true;
        shareCursor(x);
      } else if (pointerHere) {
        pointerHere = false;
        shareCursor(null);
      }
    });
    chart.on('globalout', () => {
      if (!pointerHere) return;
      pointerHere = false;
      shareCursor(null);
    });
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
    // The axes moved now; the lines follow at once (the redraw below rethins them for the new width).
    if (chart && layer && lastContent) layer.paint(lastContent, chart);
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
    // Going away under the pointer (a column removed), ECharts reports no 'globalout': the charts
    // following this one's cursor would keep showing it.
    if (pointerHere) shareCursor(null);
    if (options.group) cursorGroups.get(options.group)?.delete(followCursor);
    layer?.dispose();
    layer = null;
    chart?.dispose();
    chart = null;
  });

  /**
   * The chart as a PNG data URL or an SVG document: drawn again by ECharts with the lines and bands
   * as its own series (lineOption.seriesOption), so the image holds axes and lines together and an
   * SVG's lines are vector paths.
   */
  function exportImage(kind: 'png' | 'svg'): string | null {
    if (!chart || !lastContent) return null;
    const colors = chartColors();
    const content = lastContent;
    const option = {
      ...baseOption({ ...content.axes, xZoom: xZoom.value }, colors),
      backgroundColor: colors.surface,
      series: seriesOption(content.lines, content.bands, content.axes.log),
    };
    const size = { width: chart.getWidth(), height: chart.getHeight() };
    const image = kind === 'png' ? init(document.createElement('div'), undefined, { renderer: 'canvas', ...size }) : init(null, undefined, { renderer: 'svg', ssr: true, ...size });
    try {
      image.setOption(option);
      return kind === 'png' ? image.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: colors.surface }) : image.renderToSVGString();
    } finally {
      image.dispose();
    }
  }

  return { visible, xZoom, empty, invalidate, resetZoom, exportImage };
}
