/** The one pipeline from a full-resolution series to the points a chart draws. */
import { emaSmooth } from './smoothing';
import { thinIndices, visibleRange, type ThinMode } from './thinning';

export interface DisplayOptions {
  /** EMA weight in [0, 1); 0 draws the raw values. */
  smoothing: number;
  /** About the chart's width in pixels: more points than that cannot be seen. */
  maxPoints: number;
  /** Default 'minmax' (keeps spikes). */
  thin?: ThinMode;
  /** Only the points inside [lo, hi] (plus one each side) — a zoomed chart thins just what it shows, at full resolution. */
  xRange?: [number, number] | null;
}

export interface DisplayPoints {
  x: Float64Array;
  y: Float64Array;
}

/**
 * Smooths the whole series first, then cuts the visible range and thins it — in that order, so the
 * curve never depends on the zoom level or the number of pixels.
 */
export function displayPoints(x: ArrayLike<number>, y: ArrayLike<number>, options: DisplayOptions): DisplayPoints {
  const smoothed = options.smoothing > 0 ? emaSmooth(y, options.smoothing) : y;
  const [from, to] = options.xRange ? visibleRange(x, options.xRange[0], options.xRange[1]) : [0, y.length];
  const indices = thinIndices(options.thin ?? 'minmax', x, smoothed, options.maxPoints, from, to);
  const out: DisplayPoints = { x: new Float64Array(indices.length), y: new Float64Array(indices.length) };
  for (let k = 0; k < indices.length; k++) {
    out.x[k] = x[indices[k]!]!;
    out.y[k] = smoothed[indices[k]!]!;
  }
  return out;
}
