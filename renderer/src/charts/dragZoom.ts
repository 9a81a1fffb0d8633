/**
 * Drag to zoom, as in TensorBoard and W&B: a plain drag across a chart draws a box over the x range
 * it covers and zooms to it on release (shift-drag pans, the wheel zooms, a double click resets).
 * The zoom goes through ECharts' dataZoom action, so charts of a group (side by side) follow.
 */
import { graphic, type EChartsType } from './echarts';
import { GRID } from './lineOption';

/** Drags shorter than this many pixels are clicks, not zooms. */
export const MIN_DRAG_PX = 6;

/** The x range a drag from `fromPx` to `toPx` selects, in data units; null for a click. */
export function dragZoomRange(fromPx: number, toPx: number, toDataX: (px: number) => number): [number, number] | null {
  if (Math.abs(toPx - fromPx) < MIN_DRAG_PX) return null;
  const [a, b] = [toDataX(Math.min(fromPx, toPx)), toDataX(Math.max(fromPx, toPx))];
  return Number.isFinite(a) && Number.isFinite(b) && b > a ? [a, b] : null;
}

interface PointerEvent {
  offsetX: number;
  offsetY: number;
  event?: { shiftKey?: boolean; button?: number };
}

/** Wires drag-to-zoom on `chart`; `color` is the box's fill. Returns the y value under the pointer, for tooltips. */
export function enableDragZoom(chart: EChartsType, color: () => string): { cursorY: () => number | null } {
  const zr = chart.getZr();
  let from: number | null = null;
  let box: InstanceType<typeof graphic.Rect> | null = null;
  let cursorY: number | null = null;
  const plotLeft = GRID.left;
  const plotRight = () => chart.getWidth() - GRID.right;
  const clampX = (x: number) => Math.min(plotRight(), Math.max(plotLeft, x));
  const inPlot = (e: PointerEvent) => e.offsetX >= plotLeft && e.offsetX <= plotRight() && e.offsetY >= GRID.top && e.offsetY <= chart.getHeight() - GRID.bottom;
  const clear = () => {
    if (box) zr.remove(box);
    box = null;
    from = null;
  };

  zr.on('mousedown', (e: PointerEvent) => {
    if (e.event?.shiftKey || (e.event?.button ?? 0) !== 0 || !inPlot(e)) return;
    from = e.offsetX;
  });
  zr.on('mousemove', (e: PointerEvent) => {
    const y = chart.convertFromPixel({ yAxisIndex: 0 }, e.offsetY) as unknown;
    cursorY = typeof y === 'number' && Number.isFinite(y) ? y : null;
    if (from === null) return;
    const x = clampX(e.offsetX);
    const shape = { x: Math.min(from, x), y: GRID.top, width: Math.abs(x - from), height: chart.getHeight() - GRID.top - GRID.bottom };
    if (!box) {
      box = new graphic.Rect({ shape, style: { fill: color(), opacity: 0.15 }, silent: true, z: 1000 });
      zr.add(box);
    } else box.setShape(shape);
  });
  zr.on('mouseup', (e: PointerEvent) => {
    if (from === null) return;
    const range = dragZoomRange(from, clampX(e.offsetX), (px) => chart.convertFromPixel({ xAxisIndex: 0 }, px) as unknown as number);
    clear();
    if (range) chart.dispatchAction({ type: 'dataZoom', startValue: range[0], endValue: range[1] });
  });
  zr.on('globalout', () => {
    clear();
    cursorY = null;
  });
  return { cursorY: () => cursorY };
}
