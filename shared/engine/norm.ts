/**
 * The normalization layer, every mode, forward and backward, in one place (BN-REFERENCE.md;
 * Ioffe & Szegedy 2015, Algorithms 1–2 and §3). Per unit, over m values (dense: the batch;
 * conv: batch × height × width of an NHWC map, per channel):
 *
 *   μ_B = (1/m) Σ xᵢ,   σ²_B = (1/m) Σ (xᵢ − μ_B)²      (biased: used to normalize)
 *   x̂ = (x − μ) / √(σ² + ε)                           standardize, batchnorm, frozen
 *   y = γ·x̂ + β                                        γ/β learned, fixed or absent
 *   y = γ·x + β                                        affine: no standardization at all
 *
 * Backward with batch statistics (the gradient flows through μ_B and σ²_B, as §2 requires):
 *   ∂ℓ/∂β = Σ ∂ℓ/∂y,   ∂ℓ/∂γ = Σ ∂ℓ/∂y·x̂
 *   ∂ℓ/∂x = γ/√(σ²+ε) · (∂ℓ/∂y − (1/m)Σ ∂ℓ/∂y − x̂·(1/m)Σ ∂ℓ/∂y·x̂)
 * (the paper's (1/(m√(σ²+ε)))(m·∂ℓ/∂x̂ − Σ∂ℓ/∂x̂ − x̂Σ∂ℓ/∂x̂·x̂) with ∂ℓ/∂x̂ = γ·∂ℓ/∂y). With running
 * statistics (eval mode) μ and σ² are constants and ∂ℓ/∂x = γ/√(σ²+ε)·∂ℓ/∂y.
 *
 * Running statistics after each training batch, in the layer's convention:
 *   pytorch: r ← (1−m)·r + m·b, running variance unbiased (b = m/(m−1)·σ²_B)
 *   keras:   r ← m·r + (1−m)·b, moving variance biased  (b = σ²_B)
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { NormLayer } from '../spec/model';
import { channelSum, newVariable, type Constants, type Tensor, type Tf } from './ops';

/** The per-unit parameters and running statistics of one norm layer. */
export interface NormState {
  spec: NormLayer;
  units: number;
  /** γ and β when the mode applies them (trainable only when learned); null when absent. */
  gamma: tfc.Variable | null;
  beta: tfc.Variable | null;
  runningMean: tfc.Variable;
  runningVar: tfc.Variable;
}

/** Statistics of one training batch: for running statistics and the instruments. */
export interface NormBatch {
  /** [units] each. */
  mean: Tensor;
  variance: Tensor;
  /** Values per unit (m), for the unbiased correction m/(m−1). */
  count: number;
}

/** What the backward pass needs from the forward pass. */
export interface NormCache {
  /** x̂ (x itself in affine mode), in the input's shape. */
  xhat: Tensor;
  /** 1/√(σ²+ε) as [1, units] or [units]; null in affine mode. */
  invStd: Tensor | null;
  batchStatistics: boolean;
}

/** Whether the mode standardizes (with batch or running statistics). */
export function standardizes(spec: Pick<NormLayer, 'mode'>): boolean {
  return spec.mode === 'standardize' || spec.mode === 'batchnorm' || spec.mode === 'frozen';
}

/** Creates the layer's variables: γ/β only where the mode applies them, running statistics always. */
export function createNormState(tf: Tf, spec: NormLayer, inputShape: number[]): NormState {
  const units = inputShape[inputShape.length - 1]!;
  const applies = spec.mode === 'batchnorm' || spec.mode === 'affine' || spec.mode === 'frozen';
  const make = (param: NormLayer['gamma']) =>
    applies && param.use !== 'absent' ? newVariable(tf, () => tf.fill([units], param.init), spec.mode !== 'frozen' && param.use === 'learned') : null;
  return {
    spec,
    units,
    gamma: make(spec.gamma),
    beta: make(spec.beta),
    runningMean: newVariable(tf, () => tf.zeros([units]), false),
    runningVar: newVariable(tf, () => tf.ones([units]), false),
  };
}

/**
 * The layer's forward pass. `batchStatistics` normalizes with the batch's own statistics (training
 * mode, or eval with evalUseBatchStats); otherwise with the running statistics. The batch's
 * statistics come back whenever they were computed (for running statistics and instruments).
 * `computeStats` asks for them in affine mode too, where the transform itself ignores them.
 */
export function normForward(
  tf: Tf,
  k: Constants,
  state: NormState,
  x: Tensor,
  batchStatistics: boolean,
  computeStats: boolean,
): { y: Tensor; cache: NormCache | null; batch: NormBatch | null } {
  const { spec, units } = state;
  if (spec.mode === 'none') return { y: x, cache: null, batch: null };
  const m = x.size / units;
  let xhat = x;
  let invStd: Tensor | null = null;
  let batch: NormBatch | null = null;
  const standardize = standardizes(spec);
  if ((standardize && batchStatistics) || (!standardize && computeStats)) {
    const mean = channelSum(tf, k, x, 1 / m);
    // Two passes (mean first, then the mean of squared deviations): E[x²]−μ² would cancel
    // catastrophically for the badly shifted inputs the lab shows on purpose.
    const centered = tf.sub(x, mean);
    const variance = channelSum(tf, k, tf.square(centered), 1 / m);
    batch = { mean: tf.reshape(mean, [units]), variance: tf.reshape(variance, [units]), count: m };
    if (standardize) {
      invStd = tf.rsqrt(tf.add(variance, k.scalar(spec.epsilon)));
      xhat = tf.mul(centered, invStd);
    }
  } else if (standardize) {
    invStd = tf.rsqrt(tf.add(state.runningVar, k.scalar(spec.epsilon)));
    xhat = tf.mul(tf.sub(x, state.runningMean), invStd);
  }
  let y: Tensor = xhat;
  if (state.gamma) y = tf.mul(y, state.gamma);
  if (state.beta) y = tf.add(y, state.beta);
  return { y, cache: { xhat, invStd, batchStatistics: standardize && batchStatistics }, batch };
}

/**
 * The layer's backward pass from ∂ℓ/∂y: ∂ℓ/∂x (when `needInputGrad`) and the gradients of γ and
 * β where they are trainable.
 */
export function normBackward(
  tf: Tf,
  k: Constants,
  state: NormState,
  dy: Tensor,
  cache: NormCache,
  needInputGrad: boolean,
): { dx: Tensor | null; dGamma: Tensor | null; dBeta: Tensor | null } {
  const { units, gamma, beta } = state;
  const m = dy.size / units;
  const throughStats = needInputGrad && cache.batchStatistics;
  const sumDy = beta?.trainable || throughStats ? channelSum(tf, k, dy) : null;
  const sumDyXhat = gamma?.trainable || throughStats ? channelSum(tf, k, tf.mul(dy, cache.xhat)) : null;
  let dx: Tensor | null = null;
  if (needInputGrad) {
    const scale = cache.invStd ? (gamma ? tf.mul(cache.invStd, gamma) : cache.invStd) : gamma;
    let inner: Tensor = dy;
    if (throughStats) {
      const meanDy = tf.mul(sumDy!, k.scalar(1 / m));
      const meanDyXhat = tf.mul(sumDyXhat!, k.scalar(1 / m));
      inner = tf.sub(tf.sub(dy, meanDy), tf.mul(cache.xhat, meanDyXhat));
    }
    dx = scale ? tf.mul(inner, scale) : inner;
  }
  return {
    dx,
    dGamma: gamma?.trainable ? tf.reshape(sumDyXhat!, [units]) : null,
    dBeta: beta?.trainable ? tf.reshape(sumDy!, [units]) : null,
  };
}

/** Running statistics after one training batch, in the layer's convention (call inside a tidy). */
export function updateRunningStats(tf: Tf, k: Constants, state: NormState, batch: NormBatch): void {
  const { convention, momentum } = state.spec;
  // Both conventions are r ← (1 − take)·r + take·b; they differ in which weight the momentum names.
  const take = convention === 'pytorch' ? momentum : 1 - momentum;
  if (take === 0) return;
  // PyTorch stores the unbiased variance m/(m−1)·σ²_B; Keras/tf.js store the biased σ²_B.
  const correction = convention === 'pytorch' && batch.count > 1 ? batch.count / (batch.count - 1) : 1;
  const blend = (running: tfc.Variable, value: Tensor, scale: number) => {
    const taken = scale === 1 ? value : tf.mul(value, k.scalar(scale));
    running.assign(take === 1 ? taken : tf.add(tf.mul(running, k.scalar(1 - take)), taken));
  };
  blend(state.runningMean, batch.mean, take);
  blend(state.runningVar, batch.variance, take * correction);
}
