/**
 * Display thinning: choose at most ~maxPoints indices of a series so that a chart draws about one
 * point per pixel. Min-max keeps every spike (loss spikes and divergence matter here); LTTB keeps
 * the visual shape but may drop isolated spikes, so min-max is the default.
 */

export type ThinMode = 'minmax' | 'lttb';

/** The index range [from, to) of sorted `x` covering [lo, hi], widened by one point each side so lines reach the edges. */
export function visibleRange(x: ArrayLike<number>, lo: number, hi: number): [number, number] {
  const n = x.length;
  let a = lowerBound(x, lo);
  let b = lowerBound(x, hi);
  while (b < n && x[b]! <= hi) b++;
  a = Math.max(0, a - 1);
  b = Math.min(n, b + 1);
  return [a, b];
}

/** First index i with x[i] >= value (x sorted ascending). */
export function lowerBound(x: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Min-max thinning of y[from, to): per bucket the indices of the smallest and largest value, in
 * order, plus the first non-finite value (so a divergence shows as a gap instead of vanishing).
 * First and last points are always kept. Returns indices in ascending order.
 */
export function minMaxThin(y: ArrayLike<number>, maxPoints: number, from = 0, to = y.length): number[] {
  const n = to - from;
  if (n <= 0) return [];
  if (n <= maxPoints) return rangeIndices(from, to);
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const size = (n - 2) / buckets;
  const out: number[] = [from];
  for (let b = 0; b < buckets; b++) {
    const start = from + 1 + Math.floor(b * size);
    const end = Math.min(to - 1, from + 1 + Math.floor((b + 1) * size));
    let minI = -1;
    let maxI = -1;
    let badI = -1;
    // The extremes so far kept in locals: the first finite value sets both, later ones move one.
    let minV = NaN;
    let maxV = NaN;
    for (let i = start; i < end; i++) {
      const v = y[i]!;
      if (!Number.isFinite(v)) {
        if (badI < 0) badI = i;
      } else if (minI < 0) {
        minI = maxI = i;
        minV = maxV = v;
      } else if (v < minV) {
        minI = i;
        minV = v;
      } else if (v > maxV) {
        maxI = i;
        maxV = v;
      }
    }
    pushSorted(out, minI, maxI, badI);
  }
  out.push(to - 1);
  return out;
}

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013) over [from, to): keeps the points that keep
 * the line's shape. Non-finite values are never chosen as representatives.
 */
export function lttbThin(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number, from = 0, to = y.length): number[] {
  const n = to - from;
  if (n <= 0) return [];
  if (n <= maxPoints || maxPoints < 3) return n <= maxPoints ? rangeIndices(from, to) : [from, to - 1];
  const every = (n - 2) / (maxPoints - 2);
  const out: number[] = [from];
  let a = from;
  for (let i = 0; i < maxPoints - 2; i++) {
    // Average of the next bucket: the third corner of the triangle.
    const nextStart = from + Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(to, from + Math.floor((i + 2) * every) + 1);
    let avgX = 0;
    let avgY = 0;
    let count = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      if (!Number.isFinite(y[j]!)) continue;
      avgX += x[j]!;
      avgY += y[j]!;
      count++;
    }
    if (count > 0) {
      avgX /= count;
      avgY /= count;
    } else {
      avgX = x[Math.min(nextStart, to - 1)]!;
      avgY = y[a]!;
    }
    const start = from + Math.floor(i * every) + 1;
    const end = Math.min(to - 1, from + Math.floor((i + 1) * every) + 1);
    let best = -1;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      if (!Number.isFinite(y[j]!)) continue;
      const area = Math.abs((x[a]! - avgX) * (y[j]! - y[a]!) - (x[a]! - x[j]!) * (avgY - y[a]!));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    if (best >= 0) {
      out.push(best);
      a = best;
    }
  }
  out.push(to - 1);
  return out;
}

/** Thinned indices of [from, to) by `mode`. */
export function thinIndices(mode: ThinMode, x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number, from = 0, to = y.length): number[] {
  return mode === 'lttb' ? lttbThin(x, y, maxPoints, from, to) : minMaxThin(y, maxPoints, from, to);
}

function rangeIndices(from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = i;
  return out;
}

/**
 * Appends the indices among a, b, c that are present (≥ 0) in ascending order, each once. Written
 * out for three values: a rest array, filter and sort per bucket made thinning allocate about a
 * megabyte per chart redraw, which the garbage collector then had to clear in the middle of drawing.
 */
function pushSorted(out: number[], a: number, b: number, c: number): void {
  let lo = a;
  let mid = b;
  let hi = c;
  let t: number;
  if (lo > mid) {
    t = lo;
    lo = mid;
    mid = t;
  }
  if (mid > hi) {
    t = mid;
    mid = hi;
    hi = t;
  }
  if (lo > mid) {
    t = lo;
    lo = mid;
    mid = t;
  }
  let last = -1;
  if (lo >= 0) out.push((last = lo));
  if (mid >= 0 && mid !== last) out.push((last = mid));
  if (hi >= 0 && hi !== last) out.push(hi);
}
