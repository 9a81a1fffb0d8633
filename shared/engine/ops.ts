/**
 * Small tensor helpers the engine's hot path shares. Two facts about tfjs's wasm backend shape
 * them: making a tensor from a JS number costs as much as a small kernel (so constants are made
 * once and reused), and reductions over every axis but the channels are slow for NHWC maps (Sum
 * transposes the whole map first; a ones-row matmul repacks the whole map as XNNPACK weights).
 */
import type * as tfc from '@tensorflow/tfjs-core';

export type Tf = typeof tfc;
export type Tensor = tfc.Tensor;

/**
 * The training step's ops as direct kernel calls. A tfjs op wraps its kernel in a named scope and
 * converts and checks its inputs, about 1 µs a call on wasm (measured), and a small model's step
 * makes ~100 of them; these skip that. The kernels still check shapes; the inputs must be float32
 * tensors (the engine's are). Every backend (cpu, wasm, webgl, webgpu) registers these kernel names.
 */
export const kernel = {
  add: (tf: Tf, a: Tensor, b: Tensor) => run(tf, tf.Add, { a, b }),
  sub: (tf: Tf, a: Tensor, b: Tensor) => run(tf, tf.Sub, { a, b }),
  mul: (tf: Tf, a: Tensor, b: Tensor) => run(tf, tf.Multiply, { a, b }),
  square: (tf: Tf, x: Tensor) => run(tf, tf.Square, { x }),
  rsqrt: (tf: Tf, x: Tensor) => run(tf, tf.Rsqrt, { x }),
  sigmoid: (tf: Tf, x: Tensor) => run(tf, tf.Sigmoid, { x }),
  tanh: (tf: Tf, x: Tensor) => run(tf, tf.Tanh, { x }),
  relu: (tf: Tf, x: Tensor) => run(tf, tf.Relu, { x }),
  /** 1 where x > 0, `alpha` elsewhere (the derivative of a (leaky) ReLU). */
  step: (tf: Tf, x: Tensor, alpha: number) => run(tf, tf.Step, { x }, { alpha }),
  /** Softmax over the last axis (kernels take it as a non-negative axis: wasm's reads shape[dim]). */
  softmax: (tf: Tf, logits: Tensor) => run(tf, tf.Softmax, { logits }, { dim: logits.rank - 1 }),
  /** a·b of two matrices (no transposes: on wasm those take a slow path). */
  matMul: (tf: Tf, a: Tensor, b: Tensor) => run(tf, tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false }),
  /** The transpose of a matrix. */
  transpose: (tf: Tf, x: Tensor) => run(tf, tf.Transpose, { x }, { perm: [1, 0] }),
  /** Σ over the rows of a matrix, as a [columns] vector. */
  sumRows: (tf: Tf, x: Tensor) => run(tf, tf.Sum, { x }, { axis: 0, keepDims: false }),
  /** Mean over the rows of a matrix, as a [1, columns] row. */
  meanRows: (tf: Tf, x: Tensor) => run(tf, tf.Mean, { x }, { axis: 0, keepDims: true }),
};

function run(tf: Tf, name: string, inputs: tfc.NamedTensorMap, attrs?: tfc.NamedAttrMap): Tensor {
  return tf.engine().runKernel(name, inputs, attrs);
}

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

/**
 * Σ over every axis but the last (the batch, and height × width of NHWC maps) as a [C] vector,
 * the shape of a per-unit parameter (γ, β, a bias), so its gradient needs no reshape. Maps go
 * through XNNPACK's global average pooling (no transpose), then a small [1, N]·[N, C] product;
 * for 2-D inputs tf.sum is fastest.
 */
export function channelSum(tf: Tf, k: Constants, x: Tensor): tfc.Tensor1D {
  if (x.rank === 2) return kernel.sumRows(tf, x) as tfc.Tensor1D;
  return tf.reshape(channelMoment(tf, k, x, 1), [x.shape[x.rank - 1]!]) as tfc.Tensor1D;
}

/**
 * The mean over every axis but the last as a [1, C] row (it broadcasts against x). For 2-D inputs
 * wasm's Mean over the batch axis beats a sum and a multiply (two kernels) and a ones-row matmul
 * (which packs x as XNNPACK weights).
 */
export function channelMean(tf: Tf, k: Constants, x: Tensor): tfc.Tensor2D {
  if (x.rank === 2) return kernel.meanRows(tf, x) as tfc.Tensor2D;
  return channelMoment(tf, k, x, 1 / (x.size / x.shape[x.rank - 1]!));
}

/** Σ over the batch, height and width of NHWC maps, times `scale`, as a [1, C] row. */
function channelMoment(tf: Tf, k: Constants, x: Tensor, scale: number): tfc.Tensor2D {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const perImage = tf.reshape(tf.avgPool(x as tfc.Tensor4D, [h, w], 1, 'valid'), [n, c]) as tfc.Tensor2D;
  return tf.matMul(k.row(n, scale * h * w), perImage);
}

/**
 * A variable holding `make()`'s value. tf.variable keeps its own reference to the data, so the
 * initial tensor must be freed separately or every parameter of every run leaks one tensor; tidy
 * frees it and keeps the variable.
 */
export function newVariable(tf: Tf, make: () => Tensor, trainable: boolean): tfc.Variable {
  return tf.tidy(() => tf.variable(make(), trainable));
}
