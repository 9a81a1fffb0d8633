/**
 * Exponential moving average with the start-up bias removed (TensorBoard PR #639). Always applied
 * to full-resolution data: smoothing already-thinned points would make the curve depend on how
 * many points the screen happened to have room for (TensorBoard #1518, #610).
 */

/** An incremental smoother: feed values in order, get the smoothed value of each. */
export interface EmaSmoother {
  readonly weight: number;
  push(value: number): number;
  /** Smooths values[from, to) into out[from, to): push on each value, in one loop. */
  pushRange(values: ArrayLike<number>, from: number, to: number, out: Float64Array): void;
}

interface EmaState {
  readonly w: number;
  last: number;
  count: number;
  first: number;
  constant: boolean;
  /** w^count, kept by multiplication: Math.pow per point was the bulk of re-smoothing 50k points. */
  wPow: number;
}

/** A smoother with weight in [0, 1): 0 leaves values unchanged, 0.99 averages over ~100 points. */
export function createEmaSmoother(weight: number): EmaSmoother {
  const state: EmaState = { w: Math.min(Math.max(weight, 0), 0.999), last: 0, count: 0, first: NaN, constant: true, wPow: 1 };
  const one = new Float64Array(1);
  return {
    weight: state.w,
    push(value: number): number {
      one[0] = value;
      smoothRange(state, one, 0, 1, one);
      return one[0];
    },
    pushRange: (values, from, to, out) => smoothRange(state, values, from, to, out),
  };
}

/**
 * The smoothing loop, advancing `state`. One module-level function with the state in locals while
 * it runs: a closure's push per point made re-smoothing every run's full series (after the slider
 * moves) about three times slower.
 */
function smoothRange(state: EmaState, values: ArrayLike<number>, from: number, to: number, out: Float64Array): void {
  const w = state.w;
  let last = state.last;
  let count = state.count;
  let first = state.first;
  let constant = state.constant;
  let wPow = state.wPow;
  for (let i = from; i < to; i++) {
    const value = values[i]!;
    // A diverged value (NaN/Inf) is shown as it is and does not poison the average after it.
    if (!Number.isFinite(value) || w === 0) {
      out[i] = value;
      continue;
    }
    last = last * w + (1 - w) * value;
    count++;
    wPow *= w;
    if (count === 1) first = value;
    else if (value !== first) constant = false;
    // A constant series (a frozen γ) stays exactly constant: the debiasing's rounding error
    // would otherwise become the whole y range of an auto-scaled axis (TensorBoard does the same).
    out[i] = constant ? value : last / (1 - wPow);
  }
  state.last = last;
  state.count = count;
  state.first = first;
  state.constant = constant;
  state.wPow = wPow;
}

/** Smooths a whole series; `out` may be reused (and is returned) when long enough. */
export function emaSmooth(values: ArrayLike<number>, weight: number, out?: Float64Array): Float64Array {
  const result = out && out.length >= values.length ? out : new Float64Array(values.length);
  createEmaSmoother(weight).pushRange(values, 0, values.length, result);
  return result;
}
