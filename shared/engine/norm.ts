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
 * Training queues each batch's statistics and folds K of them in at once (flushRunningStats), as
 * r_K = (1−t)^K·r_0 + Σᵢ t(1−t)^(K−1−i)·b_i — the same recurrence, in a handful of kernels per K
 * steps instead of six per step (per-kernel overhead is most of a small model's step on wasm).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { NormLayer } from '../spec/model';
import { channelMean, channelSum, kernel, newVariable, type Constants, type Tensor, type Tf } from './ops';
import { fusedNormCovers, fusedNormBackward, fusedNormForward } from './wasmNorm';

/** The per-unit parameters and running statistics of one norm layer. */
export interface NormState {
  spec: NormLayer;
  units: number;
  /** γ and β when the mode applies them (trainable only when learned); null when absent. */
  gamma: tfc.Variable | null;
  beta: tfc.Variable | null;
  /** Current once queued batches are folded in: read them through flushRunningStats first. */
  runningMean: tfc.Variable;
  runningVar: tfc.Variable;
  /** Training batches' statistics not yet folded into the running statistics, oldest first (kept tensors). */
  queued: NormBatch[];
  /** Whether passes with batch statistics use the fused wasm kernels (wasmNorm.ts); chosen when the layer is built. */
  fused: boolean;
}

/** Queued batches are folded in at least this often, so a run never holds many of them. */
const MAX_QUEUED = 32;

/** Statistics of one training batch: for running statistics and the instruments. */
export interface NormBatch {
  /** [1, units] rows. */
  mean: Tensor;
  variance: Tensor;
  /** Values per unit (m), for the unbiased correction m/(m−1). */
  count: number;
}

/** What the backward pass needs from the forward pass. */
export interface NormCache {
  /** x̂ (x itself in affine mode), in the input's shape. */
  xhat: Tensor;
  /** 1/√(σ²+ε) as a [1, units] row or [units]; null in affine mode. */
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
    queued: [],
    fused: fusedNormCovers(tf, units),
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
  let xhat = x;
  let invStd: Tensor | null = null;
  let batch: NormBatch | null = null;
  const standardize = standardizes(spec);
  if (state.fused && standardize && batchStatistics) {
    const fused = fusedNormForward(tf, x, state.gamma, state.beta, spec.epsilon);
    return { y: fused.y, cache: { xhat: fused.xhat, invStd: fused.invStd, batchStatistics: true }, batch: { mean: fused.mean, variance: fused.variance, count: x.size / units } };
  }
  if ((standardize && batchStatistics) || (!standardize && computeStats)) {
    const mean = channelMean(tf, k, x);
    // Two passes (mean first, then the mean of squared deviations): E[x²]−μ² would cancel
    // catastrophically for the badly shifted inputs the lab shows on purpose.
    const centered = kernel.sub(tf, x, mean);
    const variance = channelMean(tf, k, kernel.square(tf, centered));
    batch = { mean, variance, count: x.size / units };
    if (standardize) {
      invStd = kernel.rsqrt(tf, kernel.add(tf, variance, k.scalar(spec.epsilon)));
      xhat = kernel.mul(tf, centered, invStd);
    }
  } else if (standardize) {
    flushRunningStats(tf, state);
    invStd = tf.rsqrt(tf.add(state.runningVar, k.scalar(spec.epsilon)));
    xhat = tf.mul(tf.sub(x, state.runningMean), invStd);
  }
  let y: Tensor = xhat;
  if (state.gamma) y = kernel.mul(tf, y, state.gamma);
  if (state.beta) y = kernel.add(tf, y, state.beta);
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
  const { gamma, beta } = state;
  const m = dy.size / state.units;
  const throughStats = needInputGrad && cache.batchStatistics;
  if (state.fused && throughStats) {
    const fused = fusedNormBackward(tf, dy, cache.xhat, cache.invStd!, gamma);
    return { dx: fused.dx, dGamma: gamma?.trainable ? fused.sumDyXhat : null, dBeta: beta?.trainable ? fused.sumDy : null };
  }
  // [units] vectors: ∂ℓ/∂β and ∂ℓ/∂γ as they are, and the two batch sums ∂ℓ/∂x needs.
  const sumDy = beta?.trainable || throughStats ? channelSum(tf, k, dy) : null;
  const sumDyXhat = gamma?.trainable || throughStats ? channelSum(tf, k, kernel.mul(tf, dy, cache.xhat)) : null;
  let dx: Tensor | null = null;
  if (needInputGrad) {
    const scale = cache.invStd ? (gamma ? kernel.mul(tf, cache.invStd, gamma) : cache.invStd) : gamma;
    // ∂ℓ/∂y − (1/m)·(Σ∂ℓ/∂y + x̂·Σ∂ℓ/∂y·x̂): the two sums joined before the one 1/m.
    const inner = throughStats ? kernel.sub(tf, dy, kernel.mul(tf, kernel.add(tf, kernel.mul(tf, cache.xhat, sumDyXhat!), sumDy!), k.scalar(1 / m))) : dy;
    dx = scale ? kernel.mul(tf, inner, scale) : inner;
  }
  return { dx, dGamma: gamma?.trainable ? sumDyXhat : null, dBeta: beta?.trainable ? sumDy : null };
}

/**
 * Queues a training batch's statistics (keeping its tensors) to be folded into the running
 * statistics by the next flushRunningStats; every MAX_QUEUED batches that happens here.
 */
export function queueRunningStats(tf: Tf, state: NormState, batch: NormBatch): void {
  if (runningTake(state.spec) === 0) return;
  state.queued.push({ mean: tf.keep(batch.mean), variance: tf.keep(batch.variance), count: batch.count });
  if (state.queued.length >= MAX_QUEUED) flushRunningStats(tf, state);
}

/** Folds the queued batches into the running statistics, so that they are current. */
export function flushRunningStats(tf: Tf, state: NormState): void {
  const queued = state.queued;
  if (queued.length === 0) return;
  state.queued = [];
  tf.tidy(() => foldIn(tf, state, queued));
  tf.dispose(queued.flatMap((b) => [b.mean, b.variance]));
}

/** Frees the layer's running statistics and anything still queued. */
export function disposeNormState(tf: Tf, state: NormState): void {
  tf.dispose([state.runningMean, state.runningVar, ...state.queued.flatMap((b) => [b.mean, b.variance])]);
  state.queued = [];
}

/** The weight of a new batch in r ← (1 − take)·r + take·b: the conventions differ in which weight the momentum names. */
function runningTake(spec: NormLayer): number {
  return spec.convention === 'pytorch' ? spec.momentum : 1 - spec.momentum;
}

/**
 * r ← (1−t)^K·r + Σᵢ t(1−t)^(K−1−i)·bᵢ over `batches` (oldest first): K steps of the running
 * update as one [1, K]·[K, units] product. Call inside a tidy.
 */
function foldIn(tf: Tf, state: NormState, batches: NormBatch[]): void {
  const take = runningTake(state.spec);
  if (take === 0) return;
  const count = batches.length;
  const weights = batches.map((_, i) => take * (1 - take) ** (count - 1 - i));
  // PyTorch stores the unbiased variance m/(m−1)·σ²_B; Keras/tf.js store the biased σ²_B.
  const unbiased = (b: NormBatch) => (state.spec.convention === 'pytorch' && b.count > 1 ? b.count / (b.count - 1) : 1);
  const blend = (running: tfc.Variable, values: Tensor[], w: number[]) => {
    const taken = tf.reshape(tf.matMul(tf.tensor2d(w, [1, count]), tf.concat(values, 0) as tfc.Tensor2D), [state.units]);
    const kept = (1 - take) ** count;
    running.assign(kept === 0 ? taken : tf.add(tf.mul(running, tf.scalar(kept)), taken));
  };
  blend(state.runningMean, batches.map((b) => b.mean), weights);
  blend(state.runningVar, batches.map((b) => b.variance), weights.map((w, i) => w * unbiased(batches[i]!)));
}
