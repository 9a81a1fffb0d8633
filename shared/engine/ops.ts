/**
 * Small tensor helpers the engine's hot path shares. Two facts about tfjs's wasm backend shape
 * them: making a tensor from a JS number costs as much as a small kernel (so constants are made
 * once and reused), and reducing over the batch axis with tf.sum is 2–10× slower than a matrix
 * product with a row of ones (tf.sum transposes first; the matmul goes straight to XNNPACK).
 */
import type * as tfc from '@tensorflow/tfjs-core';

export type Tf = typeof tfc;
export type Tensor = tfc.Tensor;

/** Constant tensors kept for the life of one model; `dispose` frees them all. */
export class Constants {
  private readonly cache = new Map<string, Tensor>();

  constructor(private readonly tf: Tf) {}

  /** A scalar constant (never a per-step value like a scheduled learning rate: those would pile up). */
  scalar(value: number): Tensor {
    return this.get(`s${value}`, () => this.tf.scalar(value));
  }

  /** A [1, m] row of `value`: row(m, v)·X sums the m rows of X (times v) into one [1, c] row. */
  row(m: number, value: number): tfc.Tensor2D {
    return this.get(`r${m}:${value}`, () => this.tf.fill([1, m], value)) as tfc.Tensor2D;
  }

  dispose(): void {
    for (const t of this.cache.values()) t.dispose();
    this.cache.clear();
  }

  private get(key: string, make: () => Tensor): Tensor {
    let t = this.cache.get(key);
    if (!t) {
      // Kept: constants are often first needed inside a tidy that would otherwise free them.
      t = this.tf.keep(make());
      this.cache.set(key, t);
    }
    return t;
  }
}

/** Σ over the rows of a [m, c] matrix, times `scale`, as a [1, c] row. */
export function columnSum(tf: Tf, k: Constants, x: tfc.Tensor2D, scale = 1): tfc.Tensor2D {
  return tf.matMul(k.row(x.shape[0], scale), x);
}
