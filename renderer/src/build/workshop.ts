/**
 * Workshop mode on the bench. A workshop file carries finished runs; the bench edits a draft. This
 * module turns the file's experiment into a draft (its first run as the base, the comparison as
 * the plan that reproduces it exactly, or the file's own variants), keeps the controls the
 * instructor locked or hid as the file has them, builds the experiment a participant's draft
 * trains, and writes the file an instructor saves.
 */
import { metricKey } from '../../../shared/engine/frame';
import type { ChartSpec } from '../../../shared/presets';
import { ExperimentSpec, type RunSpec } from '../../../shared/spec/experiment';
import { NormMode, type LayerSpec, type NormLayer } from '../../../shared/spec/model';
import { describeIssues } from '../../../shared/spec/parse';
import { WORKSHOP_FORMAT, WORKSHOP_VERSION, WorkshopFile, workshopFileText, type WorkshopControl } from '../../../shared/spec/workshop';
import { cloneJson } from '../lib/clone';
import { deepEqual } from '../lib/equal';
import { Draft, type VariantPlanInput } from './draft';
import { experimentFromDraft, type ExperimentResult, type WorkshopVariants } from './experiment';

/** The file's first run and the first run of each variant, in the file's order. */
export function workshopVariantsOf(experiment: ExperimentSpec): WorkshopVariants {
  const firsts = new Map<string, RunSpec>();
  for (const run of experiment.runs) if (!firsts.has(run.variant)) firsts.set(run.variant, run);
  return { base: experiment.runs[0]!, variants: [...firsts].map(([name, run]) => ({ name, run })) };
}

const normModeOfVariant = (name: string): NormMode | null => (name === 'no BN' ? 'none' : NormMode.safeParse(name).success ? (name as NormMode) : null);

/**
 * The experiment as a draft: the first run's model, data and training; as plan, the first of the
 * bench's own plans that reproduces the file's runs exactly (so a file saved from the bench opens
 * as it was built), else the file's own variants (every preset's comparison).
 */
export function draftFromExperiment(experiment: ExperimentSpec): Draft {
  const { base, variants } = workshopVariantsOf(experiment);
  const seeds = experiment.runs.filter((r) => r.variant === base.variant).length;
  const start = { title: experiment.title, layers: base.model.layers, data: base.data, training: base.training };
  const modes = variants.map((v) => normModeOfVariant(v.name));
  const candidates: VariantPlanInput[] = [
    { vary: 'nothing' },
    { vary: 'bnPresence' },
    ...(modes.every((m) => m !== null) ? [{ vary: 'normMode' as const, normModes: modes as NormMode[] }] : []),
    { vary: 'learningRate', learningRates: variants.map((v) => v.run.training.learningRate) },
    { vary: 'batchSize', batchSizes: variants.map((v) => v.run.training.batchSize) },
  ];
  for (const plan of candidates) {
    const draft = Draft.parse({ ...start, plan: { ...plan, seeds } });
    const result = experimentFromDraft(draft);
    if (result.ok && deepEqual(ExperimentSpec.parse(result.experiment).runs, experiment.runs)) return draft;
  }
  return Draft.parse({ ...start, plan: { vary: 'workshop', seeds } });
}

const structureOf = (layers: LayerSpec[]) => layers.map((l) => (l.kind === 'norm' ? { kind: l.kind, id: l.id } : l));
const normLayersById = (layers: LayerSpec[]) => new Map(layers.filter((l): l is NormLayer => l.kind === 'norm').map((l) => [l.id, l]));

/**
 * The draft with every control in `controls` as the baseline has it: what a participant cannot
 * change. model: the layers and their settings (norm layers' options excepted); normOptions: the
 * options of the file's norm layers; data; training (the seed excepted); variants: what is varied;
 * seeds: how many and from which.
 */
export function enforceLocks(draft: Draft, baseline: Draft, controls: readonly WorkshopControl[]): Draft {
  const next = cloneJson(draft);
  const fixed = cloneJson(baseline);
  const locked = new Set(controls);
  if (locked.has('model') && !deepEqual(structureOf(next.layers), structureOf(fixed.layers))) {
    // The file's layers, each norm layer still with the options the participant gave it (normOptions decides those).
    const edited = normLayersById(next.layers);
    next.layers = fixed.layers.map((l) => (l.kind === 'norm' ? (edited.get(l.id) ?? l) : l));
  }
  if (locked.has('normOptions')) {
    const original = normLayersById(fixed.layers);
    next.layers = next.layers.map((l) => (l.kind === 'norm' ? (original.get(l.id) ?? l) : l));
  }
  if (locked.has('data')) next.data = fixed.data;
  if (locked.has('training')) next.training = { ...fixed.training, seed: next.training.seed };
  if (locked.has('variants')) next.plan = { ...fixed.plan, seeds: next.plan.seeds };
  if (locked.has('seeds')) {
    next.plan.seeds = fixed.plan.seeds;
    next.training.seed = fixed.training.seed;
  }
  return next;
}

/** Which of `controls` the draft has changed from the baseline. */
export function changedControls(draft: Draft, baseline: Draft, controls: readonly WorkshopControl[]): WorkshopControl[] {
  return controls.filter((control) => !deepEqual(enforceLocks(draft, baseline, [control]), draft));
}

/**
 * What a participant's draft trains: the file's experiment itself while nothing is changed (every
 * run exactly as the instructor saved it), else the draft's experiment with the file's variants
 * replayed onto it. Locked and hidden controls are taken from the file whatever the draft says.
 */
export function workshopExperiment(file: WorkshopFile, baseline: Draft, draft: Draft): ExperimentResult {
  const effective = enforceLocks(draft, baseline, [...file.locked, ...file.hidden]);
  if (deepEqual(effective, baseline)) return { ok: true, experiment: file.experiment, runCount: file.experiment.runs.length };
  const result = experimentFromDraft(effective, workshopVariantsOf(file.experiment));
  // Changed runs are no longer the preset's: its findings would misread them.
  return result.ok ? { ...result, experiment: { title: result.experiment.title, description: file.experiment.description, runs: result.experiment.runs } } : result;
}

const chartIdOf = (prefix: string, layerId: string, used: Set<string>) => {
  const stem = `${prefix}-${layerId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 56);
  let id = stem;
  for (let n = 2; used.has(id); n++) id = `${stem}-${n}`;
  used.add(id);
  return id;
};

/**
 * Charts for an experiment built on the bench, from series every run logs: accuracy and loss, the
 * input distribution of the last hidden activation (Ioffe & Szegedy's Figure 1 for this network),
 * and whether γ, β undo the normalization where a layer learns them.
 */
export function defaultCharts(experiment: ExperimentSpec): ChartSpec[] {
  const layers = new Map<string, LayerSpec[]>();
  for (const layer of experiment.runs.flatMap((r) => r.model.layers)) layers.set(layer.id, [...(layers.get(layer.id) ?? []), layer]);
  const used = new Set<string>(['accuracy', 'loss']);
  const charts: ChartSpec[] = [
    { kind: 'line', id: 'accuracy', title: 'Accuracy (held-out and training)', keys: [metricKey.testAcc, metricKey.trainAcc] },
    { kind: 'line', id: 'loss', title: 'Loss (training and held-out)', keys: [metricKey.trainLoss, metricKey.testLoss], logY: true },
  ];
  const lastActivation = [...layers.keys()].filter((id) => layers.get(id)!.some((l) => l.kind === 'activation')).at(-1);
  if (lastActivation) {
    charts.push({
      kind: 'band',
      id: chartIdOf('pre', lastActivation, used),
      title: `Input to ${lastActivation}: 15th, 50th and 85th percentile`,
      note: 'Ioffe & Szegedy, Figure 1: does the distribution keep moving while the network trains?',
      keys: [metricKey.preActivation(lastActivation, 'p15'), metricKey.preActivation(lastActivation, 'p50'), metricKey.preActivation(lastActivation, 'p85')],
    });
  }
  const learnsAffine = (l: LayerSpec) => l.kind === 'norm' && l.mode === 'batchnorm' && (l.gamma.use === 'learned' || l.beta.use === 'learned');
  for (const id of [...layers.keys()].filter((id) => layers.get(id)!.some(learnsAffine)).slice(0, 4)) {
    charts.push({ kind: 'line', id: chartIdOf('undo', id, used), title: `Undo distance, ${id} (0 = BN undone)`, keys: [metricKey.undoDistance(id)] });
  }
  return charts;
}

/** A file name from the experiment's title ("BN on two moons" → "BN-on-two-moons.bnlab.json"). */
export function workshopFileName(title: string): string {
  return `${title.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'experiment'}.bnlab.json`;
}

export interface WorkshopFileParts {
  experiment: ExperimentSpec;
  charts: ChartSpec[];
  prompts: string[];
  locked: WorkshopControl[];
  hidden: WorkshopControl[];
}

export type WorkshopFileResult = { ok: true; file: WorkshopFile; text: string; fileName: string } | { ok: false; problems: string[] };

/** The workshop file for these parts, checked as the app checks it on open (blank prompts left out). */
export function workshopFileFrom(parts: WorkshopFileParts): WorkshopFileResult {
  const parsed = WorkshopFile.safeParse({
    format: WORKSHOP_FORMAT,
    version: WORKSHOP_VERSION,
    ...parts,
    prompts: parts.prompts.map((p) => p.trim()).filter(Boolean),
  });
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error) };
  return { ok: true, file: parsed.data, text: workshopFileText(parsed.data), fileName: workshopFileName(parts.experiment.title) };
}
