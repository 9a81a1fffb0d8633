/** Y-axis ranges: the full extent, or one that ignores outliers (TensorBoard's "ignore outliers in chart scaling"). */

/** [min, max] of the finite (and, for a log axis, positive) values of several arrays; null if there are none. */
export function valueExtent(arrays: readonly ArrayLike<number>[], positiveOnly = false): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (!Number.isFinite(v) || (positiveOnly && v <= 0)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? [min, max] : null;
}

/**
 * The range from the `lower` to the `upper` quantile of all finite values, padded by 5% of its
 * width: early-training loss spikes then no longer flatten the rest of the curve.
 */
export function robustExtent(
  arrays: readonly ArrayLike<number>[],
  lower = 0.02,
  upper = 0.98,
  positiveOnly = false,
): [number, number] | null {
  const values: number[] = [];
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (Number.isFinite(v) && (!positiveOnly || v > 0)) values.push(v);
    }
  }
  if (values.length === 0) return null;
  values.sort((p, q) => p - q);
  const lo = quantileSorted(values, lower);
  const hi = quantileSorted(values, upper);
  if (positiveOnly) return [lo / 1.2, hi * 1.2];
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

/** Linear-interpolated quantile q ∈ [0, 1] of an ascending array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - frac) + sorted[i + 1]! * frac : sorted[i]!;
}

/**
 * `extent` widened to round numbers, so a fixed (shared or outlier-robust) axis range still gets
 * readable end labels: decades on a log axis, multiples of a 1/2/5 step on a linear one.
 */
export function niceExtent(extent: [number, number], log: boolean, ticks = 5): [number, number] {
  const [lo, hi] = extent;
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.2 || 1;
    return niceExtent([lo - pad, hi + pad], log, ticks);
  }
  if (log && lo > 0 && hi > 0) return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi))];
  const span = hi - lo;
  const raw = span / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const round = (v: number) => Number(v.toPrecision(12));
  return [round(Math.floor(lo / step) * step), round(Math.ceil(hi / step) * step)];
}
