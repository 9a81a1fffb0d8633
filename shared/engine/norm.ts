/**
 * The normalization layer, every mode, in one place (BN-REFERENCE.md, Ioffe & Szegedy Alg. 1–2):
 *
 *   batch statistics over m values per unit (dense: the batch; conv: batch × height × width)
 *     μ_B = (1/m) Σ xᵢ,   σ²_B = (1/m) Σ (xᵢ − μ_B)²            (biased: used to normalize)
 *   x̂ = (x − μ) / √(σ² + ε)                                     (standardize, batchnorm, frozen)
 *   y = γ·x̂ + β                                                  (γ/β learned, fixed or absent)
 *   y = γ·x + β                                                  (affine: no standardization)
 *
 * Training normalizes with the batch's statistics and backpropagates through them (the gradient of
 * §3, written out below); eval normalizes with running statistics unless `evalUseBatchStats`.
 * Running statistics follow the chosen convention (PyTorch: (1−m)·r + m·b with unbiased variance;
 * Keras: m·r + (1−m)·b with biased variance).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { NormLayer } from '../spec/model';

type Tf = typeof tfc;
type Tensor = tfc.Tensor;

/** The trainable or fixed per-unit parameters and running statistics of one norm layer. */
export interface NormState {
  spec: NormLayer;
  units: number;
  /** Axes the statistics reduce over: [0] for dense inputs, [0, 1, 2] for NHWC conv inputs. */
  axes: number[];
  gamma: tfc.Variable | null;
  beta: tfc.Variable | null;
  runningMean: tfc.Variable;
  runningVar: tfc.Variable;
}

/** What a training-mode forward pass saw: needed for running statistics and the instruments. */
export interface NormBatchRecord {
  mean: Tensor;
  variance: Tensor;
  /** Values per unit in the batch (m), for the unbiased correction m/(m−1). */
  count: number;
}

/** Whether the mode standardizes with batch/running statistics. */
export function standardizes(spec: NormLayer): boolean {
  return spec.mode === 'standardize' || spec.mode === 'batchnorm' || spec.mode === 'frozen';
}

/** Creates the layer's variables: γ/β only where the mode applies them, running statistics always. */
export function createNormState(tf: Tf, spec: NormLayer, inputShape: number[]): NormState {
  const units = inputShape[inputShape.length - 1]!;
  const applies = spec.mode === 'batchnorm' || spec.mode === 'affine' || spec.mode === 'frozen';
  const make = (param: NormLayer['gamma']) =>
    applies && param.use !== 'absent'
      ? tf.variable(tf.fill([units], param.init), spec.mode !== 'frozen' && param.use === 'learned')
      : null;
  return {
    spec,
    units,
    axes: inputShape.length === 1 ? [0] : [0, 1, 2],
    gamma: make(spec.gamma),
    beta: make(spec.beta),
    runningMean: tf.variable(tf.zeros([units]), false),
    runningVar: tf.variable(tf.ones([units]), false),
  };
}

/**
 * x̂ = (x − μ_B)/√(σ²_B + ε) with the paper's closed-form backward pass (§3):
 *   ∂ℓ/∂x = (1/(m·√(σ²+ε))) · (m·∂ℓ/∂x̂ − Σ ∂ℓ/∂x̂ − x̂ · Σ ∂ℓ/∂x̂·x̂)
 * written once as a custom gradient: fewer kernels than differentiating mean and variance op by
 * op, and the gradient flows through the batch statistics, as it must (§2).
 */
export function batchStandardize(tf: Tf, x: Tensor, axes: number[], epsilon: number): { xhat: Tensor; mean: Tensor; variance: Tensor } {
  const { mean, variance } = tf.moments(x, axes, true);
  const m = axes.reduce((n, axis) => n * x.shape[axis]!, 1);
  const standardize = tf.customGrad((...args: Array<Tensor | tfc.GradSaveFunc>) => {
    const [input, save] = args as [Tensor, tfc.GradSaveFunc];
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(tf.sub(input, mean), invStd);
    save([xhat, invStd]);
    return {
      value: xhat,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [savedXhat, savedInvStd] = saved as [Tensor, Tensor];
        dy = dy as Tensor;
        const sumDy = tf.sum(dy, axes, true);
        const sumDyXhat = tf.sum(tf.mul(dy, savedXhat), axes, true);
        const inner = tf.sub(tf.sub(tf.mul(dy, m), sumDy), tf.mul(savedXhat, sumDyXhat));
        return tf.mul(inner, tf.div(savedInvStd, m));
      },
    };
  });
  return { xhat: standardize(x) as Tensor, mean: tf.reshape(mean, [-1]), variance: tf.reshape(variance, [-1]) };
}

/**
 * The layer's forward pass. In training mode the batch statistics are returned so the caller can
 * update running statistics after the gradient step (and record them for the instruments).
 */
export function normForward(tf: Tf, state: NormState, x: Tensor, training: boolean): { y: Tensor; batch: NormBatchRecord | null } {
  const { spec } = state;
  if (spec.mode === 'none') return { y: x, batch: null };
  let normalized = x;
  let batch: NormBatchRecord | null = null;
  if (standardizes(spec)) {
    const useBatch = training || spec.evalUseBatchStats;
    if (useBatch) {
      const result = batchStandardize(tf, x, state.axes, spec.epsilon);
      normalized = result.xhat;
      batch = { mean: result.mean, variance: result.variance, count: state.axes.reduce((n, axis) => n * x.shape[axis]!, 1) };
    } else {
      normalized = tf.mul(tf.sub(x, state.runningMean), tf.rsqrt(tf.add(state.runningVar, spec.epsilon)));
    }
  } else if (training) {
    // affine: record the batch statistics anyway (for the instruments), without using them.
    const { mean, variance } = tf.moments(x, state.axes);
    batch = { mean, variance, count: state.axes.reduce((n, axis) => n * x.shape[axis]!, 1) };
  }
  let y = normalized;
  if (state.gamma) y = tf.mul(y, state.gamma);
  if (state.beta) y = tf.add(y, state.beta);
  return { y, batch };
}

/** Running statistics after one training batch, in the layer's convention. */
export function updateRunningStats(tf: Tf, state: NormState, batch: NormBatchRecord): void {
  const { convention, momentum } = state.spec;
  tf.tidy(() => {
    const [keep, take] = convention === 'pytorch' ? [1 - momentum, momentum] : [momentum, 1 - momentum];
    // PyTorch stores the unbiased variance m/(m−1)·σ²_B; Keras/tf.js store the biased σ²_B.
    const batchVar = convention === 'pytorch' && batch.count > 1 ? tf.mul(batch.variance, batch.count / (batch.count - 1)) : batch.variance;
    state.runningMean.assign(tf.add(tf.mul(state.runningMean, keep), tf.mul(tf.reshape(batch.mean, [-1]), take)));
    state.runningVar.assign(tf.add(tf.mul(state.runningVar, keep), tf.mul(tf.reshape(batchVar, [-1]), take)));
  });
}
