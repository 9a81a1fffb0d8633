/** Thinning long series for display without hiding spikes (loss spikes and divergence matter here). */

export interface SeriesData {
  steps: number[];
  values: number[];
  wallMs: number[];
}

/**
 * About `maxPoints` points: the series is cut into maxPoints/2 buckets and each keeps its minimum
 * and maximum (in step order), so every spike survives. NaN values are kept (they mark divergence).
 */
export function thinMinMax(series: SeriesData, maxPoints: number): SeriesData {
  const n = series.steps.length;
  if (n <= maxPoints) return series;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const out: SeriesData = { steps: [], values: [], wallMs: [] };
  const push = (i: number) => {
    out.steps.push(series.steps[i]!);
    out.values.push(series.values[i]!);
    out.wallMs.push(series.wallMs[i]!);
  };
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let lo = start;
    let hi = start;
    let nan = -1;
    for (let i = start; i < end; i++) {
      const v = series.values[i]!;
      if (Number.isNaN(v)) {
        if (nan < 0) nan = i;
        continue;
      }
      if (!(v >= series.values[lo]!)) lo = i;
      if (!(v <= series.values[hi]!)) hi = i;
    }
    const keep = [...new Set([lo, hi, ...(nan >= 0 ? [nan] : [])])].sort((a, b) => a - b);
    keep.forEach(push);
  }
  return out;
}
