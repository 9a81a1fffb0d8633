/** Every preset is a valid experiment in every mode, and its charts name layers its runs have. */
import { describe, expect, it } from 'vitest';
import { getPreset, presets, presetSummaries } from '../../../shared/presets';
import { ExperimentSpec } from '../../../shared/spec/experiment';

const classesOf = (source: ExperimentSpec['runs'][number]['data']['source']) => (source.kind === 'mnist' ? 10 : source.kind === 'synthetic' ? source.classes : null);

describe.each(presets.map((p) => [p.id, p] as const))('preset %s', (_id, preset) => {
  it.each([
    ['full', {}],
    ['quick', { quick: true }],
    ['reduced (CI)', { steps: 20 }],
  ] as const)('%s: validates, pairs its runs and fits its data', (_mode, options) => {
    const experiment = preset.experiment(options);
    expect(ExperimentSpec.safeParse(experiment).success).toBe(true);
    expect(experiment.presetId).toBe(preset.id);
    for (const run of experiment.runs) {
      const last = run.model.layers.at(-1)!;
      expect(last.kind).toBe('dense');
      const classes = classesOf(run.data.source);
      if (classes !== null && last.kind === 'dense') expect(last.units).toBe(classes);
      if ('steps' in options) expect(run.training.duration).toEqual({ steps: 20 });
      expect(run.training.logEvery).toBeLessThanOrEqual('steps' in run.training.duration ? run.training.duration.steps : Infinity);
    }
    // Variants are paired: every run of the experiment uses the same seeds set and shares the first dense layer's id.
    const firstDense = experiment.runs.map((r) => r.model.layers.find((l) => l.kind === 'dense' || l.kind === 'conv2d')!.id);
    expect(new Set(firstDense).size).toBe(1);
  });

  it('charts refer to layers the runs have, and the findings run on empty results', () => {
    const experiment = preset.experiment({ quick: true });
    const ids = new Set(experiment.runs.flatMap((r) => r.model.layers.map((l) => l.id)));
    for (const chart of preset.charts) {
      const keys = chart.kind === 'scatter' ? [] : chart.keys;
      for (const key of keys) {
        const layer = key.split('/')[1];
        if (['norm', 'pre', 'act', 'out', 'grad', 'weight'].includes(key.split('/')[0]!)) expect(ids.has(layer!), `${chart.id}: ${key}`).toBe(true);
      }
      if (chart.kind === 'scatter') expect(ids.has(chart.layerId)).toBe(true);
    }
    const findings = preset.findings({
      runs: experiment.runs.map((spec, i) => ({ id: `r${i}`, variant: spec.variant, seed: spec.training.seed, status: 'failed', step: 0, error: 'worker crashed', spec })),
      series: () => null,
      snapshot: () => null,
    });
    for (const finding of findings) expect(finding.statement.length).toBeGreaterThan(10);
  });
});

describe('registry', () => {
  it('has the eleven questions, unique ids, and summaries with run counts', () => {
    expect(presets.length).toBeGreaterThanOrEqual(11);
    expect(new Set(presets.map((p) => p.id)).size).toBe(presets.length);
    expect(getPreset('ioffe-fig1')?.title).toMatch(/Ioffe/);
    expect(getPreset('nope')).toBeUndefined();
    const summaries = presetSummaries();
    expect(summaries.find((s) => s.id === 'ioffe-fig1')).toMatchObject({ runCount: 2, citation: expect.stringMatching(/Ioffe & Szegedy/) });
  });

  it('Ioffe & Szegedy Fig. 1 follows the paper: 784-100-100-100-10 sigmoid, N(0, 0.05²), batch 60, 50k steps', () => {
    const [withBn, without] = getPreset('ioffe-fig1')!.experiment().runs;
    expect(withBn!.training).toMatchObject({ batchSize: 60, duration: { steps: 50_000 }, optimizer: { kind: 'sgd' } });
    const dense = withBn!.model.layers.filter((l) => l.kind === 'dense');
    expect(dense.map((l) => (l.kind === 'dense' ? l.units : 0))).toEqual([100, 100, 100, 10]);
    expect(dense.every((l) => l.kind === 'dense' && l.init.kind === 'gaussian' && l.init.std === 0.05)).toBe(true);
    expect(withBn!.model.layers.filter((l) => l.kind === 'norm')).toHaveLength(3);
    expect(without!.model.layers.filter((l) => l.kind === 'norm')).toHaveLength(0);
    expect(withBn!.model.layers.filter((l) => l.kind === 'activation').every((l) => l.kind === 'activation' && l.fn === 'sigmoid')).toBe(true);
  });
});
