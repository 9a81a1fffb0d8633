/**
 * An independent float64 reference of batch normalization, written from Ioffe & Szegedy's
 * Algorithm 1 and §3 with plain numbers — deliberately not sharing code with the engine.
 * Data is [m rows × C units] (conv inputs are flattened to N·H·W rows by the caller).
 */
export interface Bn64Result {
  y: number[][];
  xhat: number[][];
  mean: number[];
  variance: number[];
}

export function bnForward64(x: number[][], gamma: number[], beta: number[], eps: number, standardize = true): Bn64Result {
  const m = x.length;
  const c = x[0]!.length;
  const mean = Array.from({ length: c }, (_, j) => x.reduce((s, row) => s + row[j]!, 0) / m);
  const variance = Array.from({ length: c }, (_, j) => x.reduce((s, row) => s + (row[j]! - mean[j]!) ** 2, 0) / m);
  const xhat = x.map((row) => row.map((v, j) => (standardize ? (v - mean[j]!) / Math.sqrt(variance[j]! + eps) : v)));
  const y = xhat.map((row) => row.map((v, j) => gamma[j]! * v + beta[j]!));
  return { y, xhat, mean, variance };
}

/** Gradients for upstream dy, from §3 (the standardize case); affine is the plain product rule. */
export function bnBackward64(x: number[][], dy: number[][], gamma: number[], eps: number, standardize = true): { dx: number[][]; dgamma: number[]; dbeta: number[] } {
  const m = x.length;
  const c = x[0]!.length;
  const { xhat, variance } = bnForward64(x, gamma, new Array(c).fill(0), eps, standardize);
  const dgamma = Array.from({ length: c }, (_, j) => dy.reduce((s, row, i) => s + row[j]! * xhat[i]![j]!, 0));
  const dbeta = Array.from({ length: c }, (_, j) => dy.reduce((s, row) => s + row[j]!, 0));
  if (!standardize) return { dx: dy.map((row) => row.map((g, j) => g * gamma[j]!)), dgamma, dbeta };
  const dxhat = dy.map((row) => row.map((g, j) => g * gamma[j]!));
  const sumDxhat = Array.from({ length: c }, (_, j) => dxhat.reduce((s, row) => s + row[j]!, 0));
  const sumDxhatXhat = Array.from({ length: c }, (_, j) => dxhat.reduce((s, row, i) => s + row[j]! * xhat[i]![j]!, 0));
  const dx = dxhat.map((row, i) =>
    row.map((g, j) => (1 / (m * Math.sqrt(variance[j]! + eps))) * (m * g - sumDxhat[j]! - xhat[i]![j]! * sumDxhatXhat[j]!)),
  );
  return { dx, dgamma, dbeta };
}

/** One running-statistics update in either convention (BN-REFERENCE.md's table). */
export function runningUpdate64(
  running: { mean: number[]; variance: number[] },
  batch: { mean: number[]; variance: number[] },
  m: number,
  convention: 'pytorch' | 'keras',
  momentum: number,
): { mean: number[]; variance: number[] } {
  const [keep, take] = convention === 'pytorch' ? [1 - momentum, momentum] : [momentum, 1 - momentum];
  const batchVar = batch.variance.map((v) => (convention === 'pytorch' ? (v * m) / (m - 1) : v));
  return {
    mean: running.mean.map((r, j) => keep * r + take * batch.mean[j]!),
    variance: running.variance.map((r, j) => keep * r + take * batchVar[j]!),
  };
}
