/**
 * Workshop mode on the bench: a file's experiment becomes a draft that trains exactly the file's
 * runs, participants' edits keep the file's variants, locked and hidden controls cannot change
 * (through the store's actions or by writing into the draft), bad files change nothing, and the
 * session survives a restart.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { nextTick } from 'vue';
import { presets, presetWorkshop, getPreset } from '../../../shared/presets';
import { ExperimentSpec, type RunSpec } from '../../../shared/spec/experiment';
import { LayerSpec } from '../../../shared/spec/model';
import { parseWorkshopFile, workshopFileText, WorkshopControl, type WorkshopFile } from '../../../shared/spec/workshop';
import { defaultDraft, Draft, isDraftFile } from '../../../renderer/src/build/draft';
import { experimentFromDraft } from '../../../renderer/src/build/experiment';
import { mergeChanges } from '../../../renderer/src/build/merge';
import { changedControls, defaultCharts, draftFromExperiment, enforceLocks, workshopExperiment, workshopFileFrom, workshopFileName } from '../../../renderer/src/build/workshop';
import { useDraftStore } from '../../../renderer/src/stores/useDraftStore';
import { useWorkshopStore } from '../../../renderer/src/stores/useWorkshopStore';
import { deepEqual } from '../../../renderer/src/lib/equal';
import { cloneJson } from '../../../renderer/src/lib/clone';

const parsedExperiment = (draft: Draft) => {
  const result = experimentFromDraft(draft);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return ExperimentSpec.parse(result.experiment);
};
const norms = (run: RunSpec) => run.model.layers.filter((l) => l.kind === 'norm');

describe('a bench experiment saved as a workshop file and opened again', () => {
  const plans = [
    { vary: 'nothing', seeds: 1 },
    { vary: 'nothing', seeds: 3 },
    { vary: 'bnPresence', seeds: 2 },
    { vary: 'normMode', normModes: ['none', 'standardize', 'batchnorm'] },
    { vary: 'learningRate', learningRates: [0.01, 0.5], seeds: 2 },
    { vary: 'batchSize', batchSizes: [8, 64] },
  ] as const;

  it.each(plans.map((plan) => [plan.vary, plan] as const))('%s: the same experiment, prompts and charts, and the same plan to edit', (_vary, plan) => {
    const draft = Draft.parse({ ...defaultDraft(), title: 'Moons, checked', plan });
    const experiment = parsedExperiment(draft);
    const saved = workshopFileFrom({ experiment, charts: defaultCharts(experiment), prompts: ['  Which run learns fastest?  ', '', 'Why?'], locked: ['data'], hidden: ['seeds'] });
    if (!saved.ok) throw new Error(saved.problems.join('; '));
    expect(saved.fileName).toBe('Moons-checked.bnlab.json');
    const file = parseWorkshopFile(saved.text, saved.fileName);
    expect(file.experiment).toEqual(experiment);
    expect(file.prompts).toEqual(['Which run learns fastest?', 'Why?']);
    expect(file.charts).toEqual(defaultCharts(experiment));
    expect(file).toMatchObject({ locked: ['data'], hidden: ['seeds'] });

    const opened = draftFromExperiment(file.experiment);
    expect(opened.plan.vary).toBe(plan.vary);
    expect(opened.plan.seeds).toBe(draft.plan.seeds);
    expect(parsedExperiment(opened).runs).toEqual(experiment.runs);
    expect(workshopExperiment(file, opened, opened)).toEqual({ ok: true, experiment: file.experiment, runCount: experiment.runs.length });
  });

  it('default charts name only series the runs log: accuracy, loss, the last activation’s input, undo distance of learning BN layers', () => {
    const experiment = parsedExperiment(Draft.parse({ ...defaultDraft(), plan: { vary: 'bnPresence' } }));
    const charts = defaultCharts(experiment);
    expect(charts.map((c) => c.id)).toEqual(['accuracy', 'loss', 'pre-act2', 'undo-bn1', 'undo-bn2']);
    expect(charts[2]).toMatchObject({ kind: 'band', keys: ['pre/act2/p15', 'pre/act2/p50', 'pre/act2/p85'] });
    // Without a learning BN layer there is nothing to undo.
    const plain = parsedExperiment(Draft.parse({ ...defaultDraft(), layers: defaultDraft().layers.filter((l) => l.kind !== 'norm') }));
    expect(defaultCharts(plain).map((c) => c.id)).toEqual(['accuracy', 'loss', 'pre-act2']);
  });

  it('a file the app would refuse is not written: the problems are returned', () => {
    const experiment = parsedExperiment(defaultDraft());
    const result = workshopFileFrom({ experiment, charts: [{ kind: 'line', id: 'acc', title: 'a', keys: ['test/acc'], variants: ['ghost'] }], prompts: [], locked: ['model', 'model'], hidden: [] });
    expect(result).toEqual({ ok: false, problems: expect.arrayContaining(['locked: a control is listed twice', 'charts[0].variants[0]: no run of the experiment is variant "ghost"']) });
    expect(workshopFileName('  ')).toBe('experiment.bnlab.json');
  });
});

describe.each(presets.map((p) => [p.id, p] as const))('preset %s as a workshop', (_id, preset) => {
  const file = presetWorkshop(preset);
  const baseline = draftFromExperiment(file.experiment);

  it('trains exactly the file’s runs while nothing is changed', () => {
    expect(workshopExperiment(file, baseline, baseline)).toEqual({ ok: true, experiment: file.experiment, runCount: file.experiment.runs.length });
  });

  it('a changed setting reaches every run and the variants stay what they were', () => {
    const draft = structuredClone(baseline);
    draft.training.weightDecay = 0.0123;
    draft.plan.seeds = baseline.plan.seeds + 1;
    const result = workshopExperiment(file, baseline, draft);
    if (!result.ok) throw new Error(result.problems.join('; '));
    const runs = ExperimentSpec.parse(result.experiment).runs;
    const variants = [...new Set(file.experiment.runs.map((r) => r.variant))];
    expect([...new Set(runs.map((r) => r.variant))]).toEqual(variants);
    expect(runs).toHaveLength(variants.length * (baseline.plan.seeds + 1));
    expect(result.experiment.presetId).toBeUndefined();
    for (const variant of variants) {
      const original = file.experiment.runs.find((r) => r.variant === variant)!;
      const changed = runs.find((r) => r.variant === variant)!;
      // Everything but the changed setting as the file has it for this variant.
      expect({ ...changed, training: { ...changed.training, weightDecay: original.training.weightDecay } }).toEqual(original);
      expect(changed.training.weightDecay).toBe(0.0123);
    }
  });
});

describe('replaying a variant onto an edited base', () => {
  const base = defaultDraft();
  const run = (layers = base.layers, learningRate = 0.1): RunSpec => ({ variant: 'v', model: { layers }, data: base.data, training: { ...base.training, learningRate } });
  const ids = (r: unknown) => (r as RunSpec).model.layers.map((l) => l.id);

  it('the variant’s change wins where both changed a value; the edit stands elsewhere', () => {
    const merged = mergeChanges(run(), run(base.layers, 0.5), { ...run(base.layers, 0.9), data: { ...base.data, inputScale: 3 } }) as RunSpec;
    expect(merged.training.learningRate).toBe(0.5);
    expect(merged.data.inputScale).toBe(3);
  });

  it('layers merge by id: a variant without BN keeps the participant’s new layer and edited units', () => {
    const withoutBn = base.layers.filter((l) => l.kind !== 'norm');
    const edited = base.layers.map((l) => (l.id === 'd1' ? { ...l, units: 32 } : l));
    edited.splice(3, 0, LayerSpec.parse({ kind: 'dropout', id: 'drop1', rate: 0.3 }));
    const merged = mergeChanges(run(), run(withoutBn), run(edited));
    expect(ids(merged)).toEqual(['d1', 'act1', 'drop1', 'd2', 'act2', 'out']);
    expect((merged as RunSpec).model.layers[0]).toMatchObject({ id: 'd1', units: 32 });
    // A layer the participant removed is gone from the variant too.
    expect(ids(mergeChanges(run(), run(withoutBn), run(base.layers.filter((l) => l.id !== 'act1'))))).toEqual(['d1', 'd2', 'act2', 'out']);
  });

  it('a change of kind takes the whole object', () => {
    const adam = { ...run(), training: { ...base.training, optimizer: { kind: 'adam' as const, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } } };
    const momentum = { ...run(), training: { ...base.training, optimizer: { kind: 'momentum' as const, momentum: 0.5, nesterov: false } } };
    expect((mergeChanges(run(), momentum, adam) as RunSpec).training.optimizer).toEqual(momentum.training.optimizer);
    expect((mergeChanges(run(), run(), adam) as RunSpec).training.optimizer).toEqual(adam.training.optimizer);
  });
});

describe('locks', () => {
  const baseline = defaultDraft();
  const edit = (change: (d: Draft) => void) => {
    const d = structuredClone(baseline);
    change(d);
    return d;
  };
  const edits: Record<WorkshopControl, (d: Draft) => void> = {
    model: (d) => (d.layers = d.layers.filter((l) => l.id !== 'act1')),
    normOptions: (d) => (d.layers = d.layers.map((l) => (l.kind === 'norm' ? { ...l, epsilon: 0.5 } : l))),
    data: (d) => (d.data.inputScale = 10),
    training: (d) => (d.training.learningRate = 2),
    variants: (d) => (d.plan.vary = 'learningRate'),
    seeds: (d) => (d.plan.seeds = 4),
  };

  it.each(WorkshopControl.options)('%s: changes to it are put back, changes elsewhere kept', (control) => {
    const everything = edit((d) => Object.values(edits).forEach((change) => change(d)));
    expect(changedControls(everything, baseline, WorkshopControl.options)).toEqual(WorkshopControl.options);
    const enforced = enforceLocks(everything, baseline, [control]);
    expect(changedControls(enforced, baseline, WorkshopControl.options)).toEqual(WorkshopControl.options.filter((c) => c !== control));
  });

  it('a locked model still lets norm options change unless they are locked too', () => {
    const both = edit((d) => (edits.model(d), edits.normOptions(d)));
    const modelOnly = enforceLocks(both, baseline, ['model']);
    expect(modelOnly.layers.map((l) => l.id)).toEqual(baseline.layers.map((l) => l.id));
    expect(modelOnly.layers.filter((l) => l.kind === 'norm').every((l) => l.kind === 'norm' && l.epsilon === 0.5)).toBe(true);
    expect(enforceLocks(both, baseline, ['model', 'normOptions'])).toEqual(baseline);
  });

  it('the seed goes with the seeds, not with the training settings', () => {
    const d = edit((x) => ((x.training.seed = 7), (x.training.learningRate = 3)));
    expect(enforceLocks(d, baseline, ['training']).training).toEqual({ ...baseline.training, seed: 7 });
    expect(enforceLocks(d, baseline, ['seeds']).training).toEqual({ ...baseline.training, learningRate: 3 });
  });
});

/** localStorage as the page has it, for stores running in Node. */
class MemoryStorage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value));
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

describe('the workshop store', () => {
  const preset = getPreset('noisy-bn')!;
  const fileOf = (changes: Partial<WorkshopFile>) => workshopFileText({ ...presetWorkshop(preset), prompts: ['Does BN + noise still train?'], ...changes });
  const persisted = () => new Promise((resolve) => setTimeout(resolve, 400));

  beforeEach(() => {
    vi.stubGlobal('localStorage', new MemoryStorage());
    setActivePinia(createPinia());
  });
  afterEach(() => vi.unstubAllGlobals());

  it('opens a file onto the bench, and leaving gives the bench back', () => {
    const draft = useDraftStore();
    const workshop = useWorkshopStore();
    draft.draft.title = 'my own bench';
    expect(workshop.open(fileOf({ locked: ['model'] }), 'noisy.bnlab.json')).toBeNull();
    expect(workshop.active).toBe(true);
    expect(draft.draft.title).toBe(preset.experiment({ quick: true }).title);
    expect(draft.draft.plan.vary).toBe('workshop');
    expect(draft.experiment).toEqual({ ok: true, experiment: parseWorkshopFile(fileOf({})).experiment, runCount: 3 });
    workshop.leave();
    expect(workshop.active).toBe(false);
    expect(draft.draft.title).toBe('my own bench');
    expect(draft.experiment.ok && draft.experiment.runCount).toBe(1);
  });

  it('refuses edits to locked and hidden controls however they are made, and allows the rest', () => {
    const draft = useDraftStore();
    const workshop = useWorkshopStore();
    workshop.open(fileOf({ locked: ['model', 'training'], hidden: ['seeds'] }), 'noisy.bnlab.json');
    const before = cloneJson(draft.draft);

    draft.addLayer('dense');
    draft.removeLayer(0);
    draft.normAfterEvery();
    draft.updateLayer(0, { units: 3 } as Partial<LayerSpec>);
    expect(draft.draft.layers).toEqual(before.layers);
    draft.draft.training = { ...draft.draft.training, learningRate: 9 };
    draft.draft.training.batchSize = 1;
    draft.draft.plan.seeds = 5;
    draft.draft.training.seed = 99;
    expect(draft.draft).toEqual(before);
    expect(workshop.refused).toMatch(/locked by the workshop file/);
    expect(draft.experiment).toMatchObject({ ok: true, runCount: 3 });

    // Norm options and data are not locked.
    const bn = draft.draft.layers.findIndex((l) => l.kind === 'norm');
    draft.setNormMode(bn, 'standardize');
    draft.draft.data.inputScale = 2;
    expect(draft.draft.layers[bn]).toMatchObject({ mode: 'standardize' });
    expect(draft.draft.data.inputScale).toBe(2);
    const result = draft.experiment;
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.experiment.runs.every((r) => r.data.inputScale === 2 && r.training.learningRate === before.training.learningRate)).toBe(true);
    // "BN + noise" keeps its noise and "without BN" its missing norm layers.
    expect(result.experiment.runs.find((r) => r.variant === 'without BN')!.model.layers.some((l) => l.kind === 'norm')).toBe(false);
    expect(result.experiment.runs.filter((r) => r.variant === 'BN + noise').every((r) => norms(r as RunSpec).some((l) => l.kind === 'norm' && l.injectNoise))).toBe(true);

    // Reset returns to the file's experiment, and opening an old draft file is refused while the workshop is open.
    draft.reset();
    expect(draft.draft).toEqual(before);
    expect(draft.loadFromJson(JSON.stringify(defaultDraft()))).toMatch(/leave it first/);
  });

  it.each([
    ['not JSON', '{"format": "bnlab-workshop",', /invalid bad\.bnlab\.json: not valid JSON/],
    ['another format', '{"format": "nope"}', /invalid bad\.bnlab\.json: not a BatchNorm Lab workshop file/],
    ['a tampered chart', JSON.stringify({ ...JSON.parse(fileOf({})), charts: [{ kind: 'line', id: 'a', title: 'a', keys: ['test/acc'], variants: ['ghost'] }] }), /bad\.bnlab\.json: charts\[0\]\.variants\[0\]: no run of the experiment is variant "ghost"/],
    ['a tampered run', JSON.stringify({ ...JSON.parse(fileOf({})), experiment: { ...presetWorkshop(preset).experiment, runs: [{ ...presetWorkshop(preset).experiment.runs[0], training: { learningRate: -0.5 } }] } }), /bad\.bnlab\.json: experiment\.runs\[0\]\.training\.learningRate/],
  ])('a file with %s is refused with what is wrong, and nothing changes', (_what, text, message) => {
    const draft = useDraftStore();
    const workshop = useWorkshopStore();
    workshop.open(fileOf({ locked: ['data'] }), 'first.bnlab.json');
    const session = cloneJson(workshop.session);
    const before = cloneJson(draft.draft);
    expect(workshop.open(text, 'bad.bnlab.json')).toMatch(message);
    expect(workshop.session).toEqual(session);
    expect(draft.draft).toEqual(before);
  });

  it('the workshop, the participant’s edits and the locks survive a restart; leaving after it restores the bench', async () => {
    let draft = useDraftStore();
    let workshop = useWorkshopStore();
    draft.draft.title = 'before the workshop';
    workshop.open(fileOf({ locked: ['training'] }), 'noisy.bnlab.json');
    draft.draft.data.inputScale = 4;
    await nextTick();
    await persisted();

    setActivePinia(createPinia());
    draft = useDraftStore();
    workshop = useWorkshopStore();
    expect(workshop.file?.prompts).toEqual(['Does BN + noise still train?']);
    expect(workshop.session?.fileName).toBe('noisy.bnlab.json');
    expect(draft.draft.data.inputScale).toBe(4);
    draft.draft.training.learningRate = 7;
    expect(draft.draft.training.learningRate).toBe(preset.experiment({ quick: true }).runs[0]!.training.learningRate);
    workshop.leave();
    expect(draft.draft.title).toBe('before the workshop');
  });

  it('a draft stored with a locked control changed (a hand edit of storage) is put back on restart', async () => {
    useWorkshopStore().open(fileOf({ locked: ['data'] }), 'noisy.bnlab.json');
    await nextTick();
    await persisted();
    const stored = JSON.parse(localStorage.getItem('bnlab.draft.v1')!) as Draft;
    localStorage.setItem('bnlab.draft.v1', JSON.stringify({ ...stored, data: { ...stored.data, inputScale: 50 } }));
    setActivePinia(createPinia());
    expect(useDraftStore().draft.data.inputScale).toBe(stored.data.inputScale);
    expect(deepEqual(useDraftStore().draft, useWorkshopStore().baseline)).toBe(true);
  });
});

describe('which kind of file', () => {
  it('a draft saved by an earlier version has no "format" field; anything else is read as a workshop file', () => {
    expect(isDraftFile(JSON.stringify(defaultDraft()))).toBe(true);
    expect(isDraftFile(workshopFileText(presetWorkshop(presets[0]!)))).toBe(false);
    expect(isDraftFile('{"format": "something else"}')).toBe(false);
    expect(isDraftFile('not json')).toBe(false);
    expect(isDraftFile('[1]')).toBe(false);
  });
});
