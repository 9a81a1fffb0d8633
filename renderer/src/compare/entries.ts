/** Turning selected runs into what the charts draw: single runs, or seed groups of one variant. */
import type { DatasetInfo, RunDetail, RunSummary } from '../../../shared/api';
import { splitCounts } from '../../../shared/data/split';
import type { PlotEntry } from '../charts/plot';

/** Runs that differ only by seed share this key: same experiment, same variant. */
export function groupKey(run: Pick<RunSummary, 'experimentId' | 'variant'>): string {
  return `group:${run.experimentId}/${run.variant}`;
}

/** "with BN · seed 2", prefixed by the experiment when runs come from several. */
export function runLabel(run: Pick<RunSummary, 'variant' | 'seed' | 'experimentTitle'>, withExperiment: boolean): string {
  return `${withExperiment ? `${run.experimentTitle} / ` : ''}${run.variant} · seed ${run.seed}`;
}

/**
 * Training examples of a run: its dataset's examples (the listed dataset when the source matches
 * it, else a synthetic set's own sample count) split by the run's test and validation fractions,
 * by the rule the dataset manager splits by. MNIST keeps its own test set.
 */
export function trainCountOf(spec: RunDetail['spec'], listed: readonly DatasetInfo[]): number | undefined {
  const key = JSON.stringify(spec.data.source);
  const exact = listed.find((d) => JSON.stringify(d.source) === key);
  // Runs stored before validation splits existed have no validationFraction: none was held out.
  const fractions = { testFraction: spec.data.testFraction, validationFraction: spec.data.validationFraction ?? 0 };
  if (exact?.kind === 'mnist') return splitCounts(exact.trainCount + exact.validationCount, fractions, exact.testCount).train;
  if (exact) return splitCounts(exact.trainCount + exact.validationCount + exact.testCount, fractions).train;
  const source = spec.data.source;
  if (source.kind === 'synthetic') return splitCounts(source.samples, fractions).train;
  return undefined;
}

/** Epochs per step from a run's spec and its training-set size (null when unknown). */
export function epochsPerStep(detail: RunDetail | undefined, trainCount: number | undefined): number | null {
  if (!detail || !trainCount) return null;
  const examples = Math.min(trainCount, detail.spec.data.trainLimit ?? Infinity);
  return examples > 0 ? detail.spec.training.batchSize / examples : null;
}

/** The entries to draw, in the order of `runs`; groups take the place of their first member. */
export function plotEntries(
  runs: readonly RunSummary[],
  options: { group: boolean; colorOf: (id: string) => string; epochsPerStep: (runId: string) => number | null },
): PlotEntry[] {
  const several = new Set(runs.map((r) => r.experimentId)).size > 1;
  if (!options.group) {
    return runs.map((r) => ({ id: r.id, label: runLabel(r, several), color: options.colorOf(r.id), runIds: [r.id], epochsPerStep: options.epochsPerStep(r.id) }));
  }
  const groups = new Map<string, RunSummary[]>();
  for (const r of runs) groups.set(groupKey(r), [...(groups.get(groupKey(r)) ?? []), r]);
  return [...groups.entries()].map(([key, members]) => {
    const first = members[0]!;
    const label = members.length > 1 ? `${several ? `${first.experimentTitle} / ` : ''}${first.variant} (${members.length} seeds)` : runLabel(first, several);
    const id = members.length > 1 ? key : first.id;
    return { id, label, color: options.colorOf(id), runIds: members.map((m) => m.id), epochsPerStep: options.epochsPerStep(first.id) };
  });
}
