/**
 * The engine's output format. A metric frame is a flat map of series keys to numbers at one step:
 * the store writes it as (run, key, step, value) rows and charts read series by key, so adding an
 * instrument never changes the storage schema. Keys are built only by the functions below.
 */
import { z } from 'zod';

export const MetricFrame = z.object({
  step: z.number().int().min(0),
  epoch: z.number().min(0),
  /** Milliseconds since the run started training (for a wall-time x axis). */
  wallMs: z.number().min(0),
  values: z.record(z.string(), z.number()),
});
export type MetricFrame = z.infer<typeof MetricFrame>;

export const RunStatus = z.enum(['queued', 'running', 'finished', 'diverged', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;
/** Statuses a run never leaves. */
export const FINAL_STATUSES: readonly RunStatus[] = ['finished', 'diverged', 'failed', 'cancelled', 'interrupted'];

export const Backend = z.enum(['webgpu', 'webgl', 'wasm', 'cpu']);
export type Backend = z.infer<typeof Backend>;

/** Per-unit values of every norm layer at one moment: for end-of-run scatter plots (γ vs √(σ²+ε), β vs μ). */
export const NormSnapshot = z.object({
  step: z.number().int().min(0),
  layers: z.array(
    z.object({
      id: z.string(),
      gamma: z.array(z.number()),
      beta: z.array(z.number()),
      runningMean: z.array(z.number()),
      runningVar: z.array(z.number()),
      /** Statistics of the last training batch (or of a reference batch for the snapshot). */
      batchMean: z.array(z.number()),
      batchVar: z.array(z.number()),
      epsilon: z.number(),
    }),
  ),
});
export type NormSnapshot = z.infer<typeof NormSnapshot>;

type Stat = 'mean' | 'min' | 'max' | 'p15' | 'p50' | 'p85';

/** Series keys. One place builds them so the engine, store, presets and charts agree. */
export const metricKey = {
  trainLoss: 'train/loss',
  trainAcc: 'train/acc',
  testLoss: 'test/loss',
  testAcc: 'test/acc',
  /** Held-out accuracy when eval uses batch statistics (train-vs-eval-mode experiments). */
  testAccBatchStats: 'test/accBatchStats',
  /** Eval-mode loss and accuracy on the validation split (only runs with DataSpec.validationFraction > 0). */
  validationLoss: 'val/loss',
  validationAcc: 'val/acc',
  /** Examples the last held-out evaluation read (fewer than the test set with evalLimit, or small eval batches). */
  testExamples: 'test/examples',
  /** How many parameter values train (all of them, only γ/β, or the random weights standing in for γ/β). */
  trainableParams: 'params/trainable',
  learningRate: 'lr',
  stepsPerSecond: 'perf/stepsPerSec',
  /** γ or β summary over a norm layer's units. */
  normParam: (layerId: string, param: 'gamma' | 'beta', stat: Stat) => `norm/${layerId}/${param}/${stat}`,
  /** γ or β of one tracked unit. */
  normParamUnit: (layerId: string, param: 'gamma' | 'beta', unit: number) => `norm/${layerId}/${param}/u${unit}`,
  /** Batch or running statistic of one tracked unit. */
  normStatUnit: (layerId: string, stat: 'batchMean' | 'batchVar' | 'runningMean' | 'runningVar', unit: number) =>
    `norm/${layerId}/${stat}/u${unit}`,
  /** Mean over units of |γ−√(σ²+ε)|/√(σ²+ε) + |β−μ|/√(σ²+ε): 0 means BN is exactly undone. */
  undoDistance: (layerId: string) => `norm/${layerId}/undo/distance`,
  /** Fraction of units whose γ and β are both within 10% of undoing the normalization. */
  undoFraction: (layerId: string) => `norm/${layerId}/undo/within10`,
  /** Distribution over the whole batch × units of an activation layer's input (pre-activation). */
  preActivation: (activationId: string, stat: Exclude<Stat, 'mean'>) => `pre/${activationId}/${stat}`,
  preActivationUnit: (activationId: string, unit: number, stat: Exclude<Stat, 'mean'>) =>
    `pre/${activationId}/u${unit}/${stat}`,
  /** sigmoid/tanh: fraction of inputs with |z| < 1 (the near-linear regime). */
  fractionLinear: (activationId: string) => `act/${activationId}/linear`,
  /** relu/leakyRelu: fraction of inputs > 0 (active units). */
  fractionActive: (activationId: string) => `act/${activationId}/active`,
  /** Mean and standard deviation of a layer's output over the batch (all units/channels pooled). */
  outputStat: (layerId: string, stat: 'mean' | 'std') => `out/${layerId}/${stat}`,
  gradNorm: (layerId: string) => `grad/${layerId}/norm`,
  weightNorm: (layerId: string) => `weight/${layerId}/norm`,
  /** lr / ‖W‖² for weights feeding a norm layer: BN's scale invariance makes this the step that matters. */
  effectiveLr: (layerId: string) => `weight/${layerId}/effectiveLr`,
  lossVariation: 'landscape/lossVariation',
  gradientPredictiveness: 'landscape/gradientPredictiveness',
  betaSmoothness: 'landscape/betaSmoothness',
} as const;
