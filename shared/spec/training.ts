/** Training specs: optimizer, schedule, duration, seeds and what the instruments record. */
import { z } from 'zod';

export const Optimizer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sgd') }),
  z.object({
    kind: z.literal('momentum'),
    momentum: z.number().min(0).max(0.999).default(0.9),
    nesterov: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('adam'),
    beta1: z.number().min(0).max(0.9999).default(0.9),
    beta2: z.number().min(0).max(0.99999).default(0.999),
    epsilon: z.number().positive().max(1).default(1e-7),
  }),
]);
export type Optimizer = z.infer<typeof Optimizer>;

export const LrSchedule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant') }),
  /** lr · factor^⌊step / every⌋ */
  z.object({ kind: z.literal('step'), every: z.number().int().min(1), factor: z.number().positive().max(1) }),
  /** Cosine decay from lr to minLr over the whole run. */
  z.object({ kind: z.literal('cosine'), minLr: z.number().min(0).default(0) }),
]);
export type LrSchedule = z.infer<typeof LrSchedule>;

export const Duration = z.union([
  z.object({ steps: z.number().int().min(1).max(2_000_000) }),
  z.object({ epochs: z.number().min(0.01).max(10_000) }),
]);
export type Duration = z.infer<typeof Duration>;

export const Diagnostics = z.object({
  /** Units per layer whose raw values (γ, β, pre-activation percentiles) are tracked individually. */
  trackUnits: z.number().int().min(0).max(16).default(3),
  /** Santurkar et al.'s loss variation / gradient predictiveness / β-smoothness: extra passes, off by default. */
  landscape: z.boolean().default(false),
  /** Step sizes (multiples of lr) probed along −∇L when `landscape` is on. */
  landscapeSteps: z.array(z.number().positive().max(64)).min(2).max(8).default([0.5, 1, 2, 4]),
});
export type Diagnostics = z.infer<typeof Diagnostics>;

/** Which parameters a run trains (see TrainingSpec.trainable). */
export const Trainable = z.enum(['all', 'normOnly', 'randomPerUnit']);
export type Trainable = z.infer<typeof Trainable>;

/** Most batches one held-out evaluation pass reads when `evalBatchSize` is set: 500 one-example passes take about a second on wasm. */
export const MAX_EVAL_BATCHES = 500;

export const TrainingSpec = z
  .object({
    optimizer: Optimizer.default({ kind: 'sgd' }),
    learningRate: z.number().positive().max(100),
    schedule: LrSchedule.default({ kind: 'constant' }),
    weightDecay: z.number().min(0).max(1).default(0),
    batchSize: z.number().int().min(1).max(4096),
    duration: Duration,
    loss: z.enum(['crossEntropy', 'mse']).default('crossEntropy'),
    /** One seed fixes the initial weights, the batch order, dropout and noise. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    /**
     * Which parameters train (Frankle et al. 2021, "Training BatchNorm and only BatchNorm"): `all`;
     * `normOnly`: the norm layers' learned γ/β, every other weight frozen at its random init;
     * `randomPerUnit`: their control — γ/β frozen too, and instead, for each unit a norm layer
     * normalizes, as many randomly chosen incoming weights of the layer feeding it (dense or conv,
     * chosen from the run's seed) as that unit has learned γ/β (2 with both), so exactly as many
     * parameters train as under `normOnly`.
     */
    trainable: Trainable.default('all'),
    /** @deprecated Files from before `trainable`: true reads as trainable `normOnly`. */
    trainOnlyNorm: z.boolean().optional(),
    /** A metric frame every logEvery steps. */
    logEvery: z.number().int().min(1).max(100_000).default(50),
    /** Held-out evaluation (eval mode) every evalEvery steps; a multiple of logEvery is best. */
    evalEvery: z.number().int().min(1).max(1_000_000).default(500),
    /**
     * Examples per forward pass of the held-out evaluation. Absent: large chunks with running
     * statistics, the training batch size wherever batch statistics are used. Set: every evaluation
     * pass uses it — eval mode with running statistics gives the same result whatever it is; with
     * batch statistics it is the batch that is normalized (1: σ²_B = 0, so x̂ = 0 for every input).
     * An evaluation reads at most MAX_EVAL_BATCHES batches (500 examples at batch size 1), and
     * whole batches only; the `test/examples` series says how many it read.
     */
    evalBatchSize: z.number().int().min(1).max(4096).optional(),
    diagnostics: Diagnostics.default({ trackUnits: 3, landscape: false, landscapeSteps: [0.5, 1, 2, 4] }),
  })
  .transform(({ trainOnlyNorm, ...spec }, ctx) => {
    if (!trainOnlyNorm) return spec;
    if (spec.trainable === 'randomPerUnit') ctx.issues.push({ code: 'custom', input: trainOnlyNorm, path: ['trainOnlyNorm'], message: 'trainOnlyNorm contradicts trainable "randomPerUnit": keep only trainable' });
    return { ...spec, trainable: 'normOnly' as const };
  });
export type TrainingSpec = z.infer<typeof TrainingSpec>;
export type TrainingSpecInput = z.input<typeof TrainingSpec>;
