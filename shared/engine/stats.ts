/** Small statistics the instruments report, on plain arrays (read back once per frame). */

/** Linear-interpolated percentile (q in [0, 1]) of an ascending-sorted array. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const position = q * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/** Mean, min, max and the 15/50/85th percentiles of per-unit values. */
export function summarize(values: ArrayLike<number>): Record<'mean' | 'min' | 'max' | 'p15' | 'p50' | 'p85', number> {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    mean: sum / sorted.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    p15: percentile(sorted, 0.15),
    p50: percentile(sorted, 0.5),
    p85: percentile(sorted, 0.85),
  };
}

/** `count` unit indices spread evenly over `units` (0 first: Ioffe & Szegedy's "a typical unit"). */
export function trackedUnits(units: number, count: number): number[] {
  const n = Math.min(units, count);
  return Array.from({ length: n }, (_, i) => Math.floor((i * units) / n));
}

/**
 * How close γ and β are to undoing the normalization, per unit: the identity needs
 * γ = √(Var + ε) and β = E[x] (BN-REFERENCE.md, fact 1). With s = √(Var + ε) the distance is
 * |γ − s|/s + |β − μ|/s (both in units of the input's own spread); a unit is "within 10%" when
 * each term is below 0.1. Absent γ/β count as 1 and 0.
 */
export function undoMeasure(
  gamma: ArrayLike<number> | null,
  beta: ArrayLike<number> | null,
  runningMean: ArrayLike<number>,
  runningVar: ArrayLike<number>,
  epsilon: number,
): { distance: number; within10: number } {
  const units = runningMean.length;
  let distance = 0;
  let within = 0;
  for (let u = 0; u < units; u++) {
    const s = Math.sqrt(runningVar[u]! + epsilon);
    const g = gamma ? gamma[u]! : 1;
    const b = beta ? beta[u]! : 0;
    const dg = Math.abs(g - s) / s;
    const db = Math.abs(b - runningMean[u]!) / s;
    distance += dg + db;
    if (dg < 0.1 && db < 0.1) within++;
  }
  return { distance: distance / units, within10: within / units };
}
