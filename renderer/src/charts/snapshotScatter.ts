/**
 * End-of-run per-unit scatter from norm snapshots: each unit's γ against √(σ²+ε) of its input, or
 * β against μ. Points on the diagonal are units whose γ, β undo the normalization exactly
 * (BN-REFERENCE.md, "identity is reachable").
 */
import type { NormSnapshot } from '../../../shared/engine/frame';

export interface ScatterRun {
  id: string;
  label: string;
  color: string;
  snapshot: NormSnapshot | null;
}

export interface ScatterSeries {
  id: string;
  name: string;
  color: string;
  /** [x, y] per unit. */
  points: Array<[number, number]>;
}

/** Points of layer `layerId` for each run with a snapshot: x = √(running σ² + ε) or running μ; y = γ or β. */
export function snapshotScatter(runs: readonly ScatterRun[], layerId: string, x: 'std' | 'mean', y: 'gamma' | 'beta'): ScatterSeries[] {
  const out: ScatterSeries[] = [];
  for (const run of runs) {
    const layer = run.snapshot?.layers.find((l) => l.id === layerId);
    if (!layer) continue;
    const xs = x === 'std' ? layer.runningVar.map((v) => Math.sqrt(v + layer.epsilon)) : layer.runningMean;
    const ys = layer[y];
    const points: Array<[number, number]> = [];
    for (let i = 0; i < Math.min(xs.length, ys.length); i++) if (Number.isFinite(xs[i]!) && Number.isFinite(ys[i]!)) points.push([xs[i]!, ys[i]!]);
    out.push({ id: run.id, name: run.label, color: run.color, points });
  }
  return out;
}

/** The diagonal y = x across every point (where γ, β would undo BN). */
export function diagonal(series: readonly ScatterSeries[]): [[number, number], [number, number]] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const [a, b] of s.points) {
      lo = Math.min(lo, a, b);
      hi = Math.max(hi, a, b);
    }
  }
  return lo <= hi ? [[lo, lo], [hi, hi]] : null;
}
