/**
 * The draft as an experiment: one run per varied value, times the seeds. Runs of one value share
 * the variant name and differ only by seed; runs of different values share seeds and layer ids,
 * so the engine starts them from the same initial weights (paired comparison).
 */
import { cloneJson } from '../lib/clone';
import { ExperimentSpec, type ExperimentSpecInput, type RunSpec } from '../../../shared/spec/experiment';
import { withNormMode, type LayerSpec } from '../../../shared/spec/model';
import { describeIssues } from '../../../shared/spec/parse';
import type { Draft } from '../stores/useDraftStore';

export type ExperimentResult = { ok: true; experiment: ExperimentSpecInput; runCount: number } | { ok: false; problems: string[] };

interface Variant {
  name: string;
  apply: (run: RunSpec) => RunSpec;
}

function variantsOf(draft: Draft): Variant[] | string {
  const plan = draft.plan;
  switch (plan.vary) {
    case 'nothing':
      return [{ name: draft.title.trim() || 'run', apply: (r) => r }];
    case 'normMode': {
      if (!draft.layers.some((l) => l.kind === 'norm')) return 'the model has no normalization layer whose mode could vary: insert one first';
      if (plan.normModes.length === 0) return 'choose at least one normalization mode to compare';
      return plan.normModes.map((mode) => ({
        name: mode === 'none' ? 'no BN' : mode,
        apply: (r) => ({ ...r, model: { layers: r.model.layers.map((l): LayerSpec => (l.kind === 'norm' ? withNormMode(l, mode) : l)) } }),
      }));
    }
    case 'learningRate':
      if (plan.learningRates.length === 0) return 'list at least one learning rate';
      return plan.learningRates.map((lr) => ({ name: `lr ${lr}`, apply: (r) => ({ ...r, training: { ...r.training, learningRate: lr } }) }));
    case 'batchSize':
      if (plan.batchSizes.length === 0) return 'list at least one batch size';
      return plan.batchSizes.map((b) => ({ name: `batch ${b}`, apply: (r) => ({ ...r, training: { ...r.training, batchSize: b } }) }));
  }
}

/** The experiment the draft describes, validated with the shared schema; problems a person can act on otherwise. */
export function experimentFromDraft(draft: Draft): ExperimentResult {
  const variants = variantsOf(draft);
  if (typeof variants === 'string') return { ok: false, problems: [variants] };
  const base: RunSpec = { variant: '', model: { layers: draft.layers }, data: draft.data, training: draft.training };
  const runs: RunSpec[] = [];
  for (const variant of variants) {
    for (let s = 0; s < draft.plan.seeds; s++) {
      const run = variant.apply(cloneJson(base));
      runs.push({ ...run, variant: variant.name, training: { ...run.training, seed: draft.training.seed + s } });
    }
  }
  const experiment = { title: draft.title.trim() || 'Untitled experiment', runs };
  const parsed = ExperimentSpec.safeParse(experiment);
  if (!parsed.success) return { ok: false, problems: [...new Set(describeIssues(parsed.error).map((m) => m.replace(/^runs\[\d+\]\./, '')))] };
  return { ok: true, experiment, runCount: runs.length };
}
