/**
 * The draft as an experiment: one run per varied value, times the seeds, expanded by the shared
 * variant helpers (so the bench and the presets pair runs the same way).
 */
import { ExperimentSpec, type ExperimentSpecInput, type RunSpec } from '../../../shared/spec/experiment';
import { batchSizeVariants, expandVariants, learningRateVariants, normModeVariants, withoutNorm, type Variant } from '../../../shared/spec/variants';
import { describeIssues } from '../../../shared/spec/parse';
import { cloneJson } from '../lib/clone';
import { mergeChanges } from './merge';
import type { Draft } from './draft';

export type ExperimentResult = { ok: true; experiment: ExperimentSpecInput; runCount: number } | { ok: false; problems: string[] };

/** An open workshop file's variants: its first run, and each variant's first run, to replay onto an edited base. */
export interface WorkshopVariants {
  base: RunSpec;
  variants: Array<{ name: string; run: RunSpec }>;
}

/** The variants the plan asks for, or why there are none. */
function variantsOf(draft: Draft, workshop?: WorkshopVariants): Variant[] | string {
  const plan = draft.plan;
  switch (plan.vary) {
    case 'workshop':
      if (!workshop) return "the workshop file's variants are only there while the workshop is open: choose what to vary";
      return workshop.variants.map(({ name, run }) => ({ name, apply: (edited) => mergeChanges(workshop.base, run, edited) as RunSpec }));
    case 'nothing':
      return [{ name: draft.title.trim() || 'run', apply: (r) => r }];
    case 'bnPresence':
      // The norm layers removed outright (not set to "none"): the other layers keep their ids, so init is paired.
      if (!draft.layers.some((l) => l.kind === 'norm')) return 'the model has no normalization layer to take out: insert one first';
      return [
        { name: 'with BN', apply: (r) => r },
        { name: 'without BN', apply: withoutNorm },
      ];
    case 'normMode':
      if (!draft.layers.some((l) => l.kind === 'norm')) return 'the model has no normalization layer whose mode could vary: insert one first';
      if (plan.normModes.length === 0) return 'choose at least one normalization mode to compare';
      return normModeVariants(plan.normModes);
    case 'learningRate':
      if (plan.learningRates.length === 0) return 'list at least one learning rate';
      return learningRateVariants(plan.learningRates);
    case 'batchSize':
      if (plan.batchSizes.length === 0) return 'list at least one batch size';
      return batchSizeVariants(plan.batchSizes);
  }
}

/** The experiment the draft describes, validated with the shared schema; problems a person can act on otherwise. */
export function experimentFromDraft(draft: Draft, workshop?: WorkshopVariants): ExperimentResult {
  const variants = variantsOf(draft, workshop);
  if (typeof variants === 'string') return { ok: false, problems: [variants] };
  // A plain copy: the draft lives in reactive proxies, which structuredClone (used by the expansion) refuses.
  const base = cloneJson<RunSpec>({ variant: 'base', model: { layers: draft.layers }, data: draft.data, training: draft.training });
  const seeds = Array.from({ length: draft.plan.seeds }, (_, i) => draft.training.seed + i);
  const experiment = { title: draft.title.trim() || 'Untitled experiment', runs: expandVariants(base, variants, seeds) };
  const parsed = ExperimentSpec.safeParse(experiment);
  if (!parsed.success) return { ok: false, problems: [...new Set(describeIssues(parsed.error).map((m) => m.replace(/^runs\[\d+\]\./, '')))] };
  return { ok: true, experiment, runCount: experiment.runs.length };
}
