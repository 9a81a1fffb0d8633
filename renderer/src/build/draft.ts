/**
 * The experiment draft as data: its schema (what the editor holds and what is saved across
 * restarts) and the first draft a newcomer sees.
 */
import { z } from 'zod';
import { DataSpec } from '../../../shared/spec/data';
import { LayerSpec, NormMode } from '../../../shared/spec/model';
import { TrainingSpec } from '../../../shared/spec/training';
import { mlp } from '../../../shared/presets/models';

/**
 * What the comparison varies: one run per value (times the seeds), paired on initial weights.
 * "workshop": the variants of an open workshop file, replayed onto the edited model (build/workshop.ts).
 */
export const VariantPlan = z.object({
  vary: z.enum(['nothing', 'bnPresence', 'normMode', 'learningRate', 'batchSize', 'workshop']).default('nothing'),
  normModes: z.array(NormMode).default(['none', 'batchnorm']),
  learningRates: z.array(z.number().positive()).default([0.01, 0.1, 1]),
  batchSizes: z.array(z.number().int().positive()).default([4, 16, 64]),
  /** Each variant repeated over this many seeds (seed, seed+1, …). */
  seeds: z.number().int().min(1).max(16).default(1),
});
export type VariantPlan = z.infer<typeof VariantPlan>;
export type VariantPlanInput = z.input<typeof VariantPlan>;

export const Draft = z.object({
  title: z.string().default('My experiment'),
  layers: z.array(LayerSpec),
  data: DataSpec,
  training: TrainingSpec,
  plan: VariantPlan,
});
export type Draft = z.infer<typeof Draft>;

/** A first experiment that finishes in seconds: a small MLP with BN on a 2-D set. */
export function defaultDraft(): Draft {
  return Draft.parse({
    title: 'BN on two moons',
    layers: mlp({ hidden: [16, 16], activation: 'relu', classes: 2, norm: 'beforeActivation' }),
    data: { source: { kind: 'synthetic', generator: 'moons', samples: 1000, noise: 0.1, classes: 2, seed: 1 } },
    training: { learningRate: 0.1, batchSize: 32, duration: { steps: 1000 }, logEvery: 10, evalEvery: 50 },
    plan: {},
  });
}

/**
 * Whether a file's text is a draft as earlier versions saved it (plain JSON with no "format"
 * field); anything else is read as a workshop file, whose parser says what is wrong with it.
 */
export function isDraftFile(text: string): boolean {
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === 'object' && json !== null && !Array.isArray(json) && !('format' in json);
  } catch {
    return false;
  }
}
