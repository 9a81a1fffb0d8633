/**
 * Seed groups: runs of one variant repeated over several seeds, drawn as their mean with a band,
 * so a reader can see whether a difference between variants is larger than seed noise.
 */

export interface XYSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export type BandKind = 'minmax' | 'std';

export interface GroupAggregate {
  x: Float64Array;
  mean: Float64Array;
  /** Lower and upper edge of the band: min/max, or mean ∓ one (population) standard deviation. */
  lo: Float64Array;
  hi: Float64Array;
  /** How many runs had a finite value at each x (a diverged run stops counting). */
  count: Uint16Array;
}

/**
 * Mean and band of several series over the union of their x values (each sorted ascending). At an
 * x, only series with a finite value there take part; where none has one the mean is NaN.
 */
export function aggregateSeeds(series: readonly XYSeries[], band: BandKind): GroupAggregate {
  const xs = unionSorted(series.map((s) => s.x));
  const n = xs.length;
  const out: GroupAggregate = {
    x: xs,
    mean: new Float64Array(n),
    lo: new Float64Array(n),
    hi: new Float64Array(n),
    count: new Uint16Array(n),
  };
  const cursor = new Array<number>(series.length).fill(0);
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    let sum = 0;
    let sumSq = 0;
    let min = Infinity;
    let max = -Infinity;
    let k = 0;
    for (let s = 0; s < series.length; s++) {
      const sx = series[s]!.x;
      let c = cursor[s]!;
      while (c < sx.length && sx[c]! < x) c++;
      cursor[s] = c;
      if (c < sx.length && sx[c] === x) {
        const v = series[s]!.y[c]!;
        if (Number.isFinite(v)) {
          sum += v;
          sumSq += v * v;
          if (v < min) min = v;
          if (v > max) max = v;
          k++;
        }
      }
    }
    out.count[i] = k;
    if (k === 0) {
      out.mean[i] = out.lo[i] = out.hi[i] = NaN;
      continue;
    }
    const mean = sum / k;
    out.mean[i] = mean;
    if (band === 'minmax') {
      out.lo[i] = min;
      out.hi[i] = max;
    } else {
      const sd = Math.sqrt(Math.max(0, sumSq / k - mean * mean));
      out.lo[i] = mean - sd;
      out.hi[i] = mean + sd;
    }
  }
  return out;
}

/** The sorted union of several ascending arrays, without duplicates. */
export function unionSorted(arrays: readonly ArrayLike<number>[]): Float64Array {
  const all: number[] = [];
  for (const a of arrays) for (let i = 0; i < a.length; i++) all.push(a[i]!);
  all.sort((p, q) => p - q);
  const out: number[] = [];
  for (const v of all) if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  return Float64Array.from(out);
}
