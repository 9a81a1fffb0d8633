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

export const TrainingSpec = z.object({
  optimizer: Optimizer.default({ kind: 'sgd' }),
  learningRate: z.number().positive().max(100),
  schedule: LrSchedule.default({ kind: 'constant' }),
  weightDecay: z.number().min(0).max(1).default(0),
  batchSize: z.number().int().min(1).max(4096),
  duration: Duration,
  loss: z.enum(['crossEntropy', 'mse']).default('crossEntropy'),
  /** One seed fixes the initial weights, the batch order, dropout and noise. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  /** Freeze every weight but the norm layers' γ/β at its random init (Frankle et al. 2021). */
  trainOnlyNorm: z.boolean().default(false),
  /** A metric frame every logEvery steps. */
  logEvery: z.number().int().min(1).max(100_000).default(50),
  /** Held-out evaluation (eval mode) every evalEvery steps; a multiple of logEvery is best. */
  evalEvery: z.number().int().min(1).max(1_000_000).default(500),
  diagnostics: Diagnostics.default({ trackUnits: 3, landscape: false, landscapeSteps: [0.5, 1, 2, 4] }),
});
export type TrainingSpec = z.infer<typeof TrainingSpec>;
export type TrainingSpecInput = z.input<typeof TrainingSpec>;
