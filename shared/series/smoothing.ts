/**
 * Exponential moving average with the start-up bias removed (TensorBoard PR #639). Always applied
 * to full-resolution data: smoothing already-thinned points would make the curve depend on how
 * many points the screen happened to have room for (TensorBoard #1518, #610).
 */

/** An incremental smoother: feed values in order, get the smoothed value of each. */
export interface EmaSmoother {
  readonly weight: number;
  push(value: number): number;
}

/** A smoother with weight in [0, 1): 0 leaves values unchanged, 0.99 averages over ~100 points. */
export function createEmaSmoother(weight: number): EmaSmoother {
  const w = Math.min(Math.max(weight, 0), 0.999);
  let last = 0;
  let count = 0;
  let first = NaN;
  let constant = true;
  /** w^count, kept by multiplication: Math.pow per point was the bulk of re-smoothing 50k points. */
  let wPow = 1;
  return {
    weight: w,
    push(value: number): number {
      // A diverged value (NaN/Inf) is shown as it is and does not poison the average after it.
      if (!Number.isFinite(value) || w === 0) return value;
      last = last * w + (1 - w) * value;
      count++;
      wPow *= w;
      if (count === 1) first = value;
      else if (value !== first) constant = false;
      // A constant series (a frozen γ) stays exactly constant: the debiasing's rounding error
      // would otherwise become the whole y range of an auto-scaled axis (TensorBoard does the same).
      return constant ? value : last / (1 - wPow);
    },
  };
}

/** Smooths a whole series; `out` may be reused (and is returned) when long enough. */
export function emaSmooth(values: ArrayLike<number>, weight: number, out?: Float64Array): Float64Array {
  const result = out && out.length >= values.length ? out : new Float64Array(values.length);
  const smoother = createEmaSmoother(weight);
  for (let i = 0; i < values.length; i++) result[i] = smoother.push(values[i]!);
  return result;
}
