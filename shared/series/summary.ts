/** Per-series figures for summary tables: final and best values, steps to a target, divergence. */

export type Goal = 'min' | 'max';

export interface SeriesSummary {
  /** Last finite value and its x (null for an empty or all-NaN series). */
  final: number | null;
  finalX: number | null;
  best: number | null;
  bestX: number | null;
  /** x of the first non-finite value: where the run diverged. */
  firstNonFiniteX: number | null;
}

/** Final and best (by `goal`) finite values of a series, and where it first went non-finite. */
export function summarizeSeries(x: ArrayLike<number>, y: ArrayLike<number>, goal: Goal): SeriesSummary {
  const out: SeriesSummary = { final: null, finalX: null, best: null, bestX: null, firstNonFiniteX: null };
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) {
      if (out.firstNonFiniteX === null) out.firstNonFiniteX = x[i]!;
      continue;
    }
    out.final = v;
    out.finalX = x[i]!;
    if (out.best === null || (goal === 'max' ? v > out.best : v < out.best)) {
      out.best = v;
      out.bestX = x[i]!;
    }
  }
  return out;
}

/** The first x at which y reaches `target` (≥ for 'max' goals, ≤ for 'min'), or null if it never does. */
export function stepsToTarget(x: ArrayLike<number>, y: ArrayLike<number>, target: number, goal: Goal): number | null {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (goal === 'max' ? v >= target : v <= target) return x[i]!;
  }
  return null;
}
