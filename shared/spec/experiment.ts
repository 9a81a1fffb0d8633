/**
 * Runs and experiments. An experiment is a list of fully specified runs: variants and seeds are
 * expanded when the experiment is made (see variants.ts), so a stored run always says exactly
 * what it trained.
 */
import { z } from 'zod';
import { DataSpec } from './data';
import { ModelSpec } from './model';
import { TrainingSpec } from './training';

export const RunSpec = z.object({
  /** The variant this run belongs to ("with BN", "lr 0.5"): runs of a variant differ only by seed. */
  variant: z.string().min(1).max(80),
  model: ModelSpec,
  data: DataSpec,
  training: TrainingSpec,
});
export type RunSpec = z.infer<typeof RunSpec>;
export type RunSpecInput = z.input<typeof RunSpec>;

export const ExperimentSpec = z.object({
  title: z.string().min(1).max(120),
  description: z.string().max(4000).default(''),
  /** The preset this experiment came from, if any (its findings apply). */
  presetId: z.string().max(60).optional(),
  runs: z.array(RunSpec).min(1, 'an experiment needs at least one run').max(64),
});
export type ExperimentSpec = z.infer<typeof ExperimentSpec>;
export type ExperimentSpecInput = z.input<typeof ExperimentSpec>;
