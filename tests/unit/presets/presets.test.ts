/**
 * Every preset is a valid, paired experiment in every mode; its charts are valid and name series
 * the engine logs for its runs (checked here against the layers; tests/unit/engine/presets.test.ts
 * checks them against a real training run); its findings run on any result.
 */
import { describe, expect, it } from 'vitest';
import { configDiff } from '../../../renderer/src/compare/configDiff';
import { metricKey } from '../../../shared/engine/frame';
import { ChartSpecSchema, chartKeys, getPreset, presets, presetSummaries, presetWorkshop } from '../../../shared/presets';
import { ExperimentSpec, type RunSpec } from '../../../shared/spec/experiment';
import type { LayerSpec } from '../../../shared/spec/model';
import { parseWorkshopFile, workshopFileText } from '../../../shared/spec/workshop';

const classesOf = (source: RunSpec['data']['source']) => (source.kind === 'mnist' ? 10 : source.kind === 'synthetic' ? source.classes : null);
const stepsOf = (run: RunSpec) => ('steps' in run.training.duration ? run.training.duration.steps : Infinity);
const standardizing = (l: LayerSpec) => l.kind === 'norm' && (l.mode === 'standardize' || l.mode === 'batchnorm' || l.mode === 'frozen');
/** What a layer's weights depend on besides the seed: they must agree wherever a layer id recurs. */
const weightShape = (l: LayerSpec) => (l.kind === 'dense' ? { units: l.units, init: l.init } : l.kind === 'conv2d' ? { filters: l.filters, kernelSize: l.kernelSize, init: l.init } : { kind: l.kind });

/**
 * Why a chart key could not be logged by any run of the experiment, or null. Mirrors which layers
 * the engine instruments: pre-activation and activation fractions on activation layers (linear
 * fraction for sigmoid/tanh, active fraction for ReLU), norm series on norm layers, tracked units
 * below trackUnits, landscape series only with landscape on.
 */
function unloggable(key: string, runs: RunSpec[]): string | null {
  const [family, layerId, ...rest] = key.split('/');
  const layers = runs.flatMap((r) => r.model.layers.filter((l) => l.id === layerId));
  const unit = rest.find((p) => /^u\d+$/.test(p));
  if (unit && !runs.some((r) => Number(unit.slice(1)) < r.training.diagnostics.trackUnits)) return `unit ${unit} is not tracked`;
  switch (family) {
    case 'train':
    case 'test':
      if (key === metricKey.testAccBatchStats && !runs.some((r) => r.model.layers.some(standardizing))) return 'no run has a standardizing norm layer';
      return null;
    case 'landscape':
      return runs.some((r) => r.training.diagnostics.landscape) ? null : 'landscape measures are off';
    case 'pre':
      return layers.some((l) => l.kind === 'activation') ? null : `${layerId} is not an activation layer`;
    case 'act':
      if (rest[0] === 'linear') return layers.some((l) => l.kind === 'activation' && (l.fn === 'sigmoid' || l.fn === 'tanh')) ? null : `${layerId} is never sigmoid/tanh`;
      return layers.some((l) => l.kind === 'activation' && (l.fn === 'relu' || l.fn === 'leakyRelu')) ? null : `${layerId} is never ReLU`;
    case 'norm':
      if (rest[0] === 'undo') return layers.some(standardizing) ? null : `${layerId} never standardizes`;
      return layers.some((l) => l.kind === 'norm') ? null : `${layerId} is not a norm layer`;
    case 'out':
    case 'grad':
    case 'weight':
      return layers.length ? null : `no layer ${layerId}`;
    default:
      return `unknown series family ${family}`;
  }
}

describe.each(presets.map((p) => [p.id, p] as const))('preset %s', (_id, preset) => {
  it.each([
    ['full', {}],
    ['quick', { quick: true }],
    ['reduced (CI)', { steps: 20 }],
  ] as const)('%s: validates, pairs its runs and fits its data', (_mode, options) => {
    const experiment = preset.experiment(options);
    expect(ExperimentSpec.parse(experiment)).toEqual(experiment);
    expect(experiment.presetId).toBe(preset.id);
    for (const run of experiment.runs) {
      const last = run.model.layers.at(-1)!;
      expect(last.kind).toBe('dense');
      const classes = classesOf(run.data.source);
      if (classes !== null && last.kind === 'dense') expect(last.units).toBe(classes);
      expect(new Set(run.model.layers.map((l) => l.id)).size).toBe(run.model.layers.length);
      if ('steps' in options) expect(run.training.duration).toEqual({ steps: 20 });
      expect(run.training.logEvery).toBeLessThanOrEqual(stepsOf(run));
      expect(run.training.evalEvery).toBeLessThanOrEqual(stepsOf(run));
    }
    // Paired: a layer id means the same weights in every run (same shape and initializer), and
    // every variant runs on the same seeds.
    const shapes = new Map<string, unknown>();
    for (const layer of experiment.runs.flatMap((r) => r.model.layers)) {
      if (shapes.has(layer.id)) expect(weightShape(layer), `${layer.id} differs between runs`).toEqual(shapes.get(layer.id));
      else shapes.set(layer.id, weightShape(layer));
    }
    const seedsOf = (variant: string) => experiment.runs.filter((r) => r.variant === variant).map((r) => r.training.seed);
    const variants = [...new Set(experiment.runs.map((r) => r.variant))];
    for (const variant of variants) expect(seedsOf(variant)).toEqual(seedsOf(variants[0]!));
  });

  it('quick variant stays small enough for a workshop exercise', () => {
    const runs = preset.experiment({ quick: true }).runs;
    expect(runs.length).toBeLessThanOrEqual(12);
    for (const run of runs) expect(stepsOf(run)).toBeLessThanOrEqual(5_000);
  });

  it('runs without norm layers keep the biases of their dense/conv layers', () => {
    for (const run of preset.experiment({ quick: true }).runs.filter((r) => !r.model.layers.some((l) => l.kind === 'norm'))) {
      expect(run.model.layers.every((l) => (l.kind !== 'dense' && l.kind !== 'conv2d') || l.bias), run.variant).toBe(true);
    }
  });

  it('charts are valid and draw series and snapshots the runs produce', () => {
    const experiment = preset.experiment({ quick: true });
    const variants = new Set(experiment.runs.map((r) => r.variant));
    expect(new Set(preset.charts.map((c) => c.id)).size).toBe(preset.charts.length);
    for (const chart of preset.charts) {
      expect(ChartSpecSchema.parse(chart)).toEqual(chart);
      const runs = experiment.runs.filter((r) => !chart.variants || chart.variants.includes(r.variant));
      for (const variant of chart.variants ?? []) expect(variants.has(variant), `${chart.id}: variant ${variant}`).toBe(true);
      for (const key of chartKeys(chart)) expect(unloggable(key, runs), `${chart.id}: ${key}`).toBeNull();
      if (chart.kind === 'scatter') {
        expect(runs.some((r) => r.model.layers.some((l) => l.id === chart.layerId && l.kind === 'norm' && l.mode !== 'none')), `${chart.id}: snapshot of ${chart.layerId}`).toBe(true);
      }
    }
  });

  it('findings run on runs that failed with nothing logged, and say so', () => {
    const experiment = preset.experiment({ quick: true });
    const findings = preset.findings({
      runs: experiment.runs.map((spec, i) => ({ id: `r${i}`, variant: spec.variant, seed: spec.training.seed, status: 'failed', step: 0, error: 'worker crashed', spec })),
      series: () => null,
      snapshot: () => null,
    });
    for (const finding of findings) {
      expect(finding.statement.length).toBeGreaterThan(10);
      expect(finding.value === null || Number.isFinite(finding.value)).toBe(true);
    }
  });

  it('has its guided-page texts, and round-trips as a workshop file', () => {
    for (const text of [preset.title, preset.question, preset.summary, preset.varied, preset.heldFixed]) expect(text.length).toBeGreaterThan(3);
    expect(preset.math.length).toBeGreaterThan(0);
    expect(preset.prompts.length).toBeGreaterThan(0);
    const file = presetWorkshop(preset);
    expect(parseWorkshopFile(workshopFileText(file))).toEqual(file);
  });
});

describe('the chart-key check itself', () => {
  it('refuses keys no run could log', () => {
    const runs = getPreset('learning-rates')!.experiment({ quick: true }).runs;
    expect(unloggable(metricKey.testAcc, runs)).toBeNull();
    expect(unloggable(metricKey.fractionActive('act1'), runs)).toBeNull();
    expect(unloggable(metricKey.fractionLinear('act1'), runs)).toMatch(/never sigmoid/);
    expect(unloggable(metricKey.preActivation('d1', 'p50'), runs)).toMatch(/not an activation/);
    expect(unloggable(metricKey.undoDistance('act1'), runs)).toMatch(/never standardizes/);
    expect(unloggable(metricKey.normParamUnit('bn1', 'gamma', 7), runs)).toMatch(/not tracked/);
    expect(unloggable(metricKey.betaSmoothness, runs)).toMatch(/landscape measures are off/);
    expect(unloggable(metricKey.outputStat('ghost', 'mean'), runs)).toMatch(/no layer ghost/);
    const noBn = runs.filter((r) => !r.model.layers.some((l) => l.kind === 'norm'));
    expect(unloggable(metricKey.testAccBatchStats, noBn)).toMatch(/no run has a standardizing/);
  });
});

describe('registry', () => {
  it('has the eleven questions, unique ids, and summaries with run counts', () => {
    expect(presets.length).toBeGreaterThanOrEqual(11);
    expect(new Set(presets.map((p) => p.id)).size).toBe(presets.length);
    expect(getPreset('ioffe-fig1')?.title).toMatch(/Ioffe/);
    expect(getPreset('nope')).toBeUndefined();
    const summaries = presetSummaries();
    expect(summaries.map((s) => s.id)).toEqual(presets.map((p) => p.id));
    expect(summaries.find((s) => s.id === 'ioffe-fig1')).toMatchObject({ runCount: 2, citation: expect.stringMatching(/Ioffe & Szegedy/) });
    expect(summaries.find((s) => s.id === 'bn-placement')!.runCount).toBe(getPreset('bn-placement')!.experiment({ quick: true }).runs.length);
  });

  it('Ioffe & Szegedy Fig. 1 follows the paper: 784-100-100-100-10 sigmoid, N(0, 0.05²), batch 60, 50k steps; quick is 5k', () => {
    const preset = getPreset('ioffe-fig1')!;
    const [withBn, without] = preset.experiment().runs;
    expect(withBn!.training).toMatchObject({ batchSize: 60, duration: { steps: 50_000 }, optimizer: { kind: 'sgd' } });
    const dense = withBn!.model.layers.filter((l) => l.kind === 'dense');
    expect(dense.map((l) => (l.kind === 'dense' ? l.units : 0))).toEqual([100, 100, 100, 10]);
    expect(dense.every((l) => l.kind === 'dense' && l.init.kind === 'gaussian' && l.init.std === 0.05)).toBe(true);
    expect(withBn!.model.layers.filter((l) => l.kind === 'norm')).toHaveLength(3);
    expect(without!.model.layers.filter((l) => l.kind === 'norm')).toHaveLength(0);
    expect(withBn!.model.layers.filter((l) => l.kind === 'activation').every((l) => l.kind === 'activation' && l.fn === 'sigmoid')).toBe(true);
    expect(preset.experiment({ quick: true }).runs.every((r) => stepsOf(r) === 5_000)).toBe(true);
    // The band chart is the paper's: the last hidden layer's sigmoid input, p15 / p50 / p85.
    expect(preset.charts.find((c) => c.kind === 'band')).toMatchObject({ keys: [metricKey.preActivationUnit('act3', 0, 'p15'), metricKey.preActivationUnit('act3', 0, 'p50'), metricKey.preActivationUnit('act3', 0, 'p85')] });
  });

  it('BN placement compares the same norm layers before and after the activation, and γ/β directly before the output layer', () => {
    const runs = getPreset('bn-placement')!.experiment({ quick: true }).runs;
    const layout = (variant: string) => runs.find((r) => r.variant === variant)!.model.layers.map((l) => (l.kind === 'norm' ? `${l.id}:${l.mode}` : l.id));
    expect(layout('BN before activation')).toEqual(['flat', 'd1', 'bn1:batchnorm', 'act1', 'd2', 'bn2:batchnorm', 'act2', 'out']);
    expect(layout('BN after activation')).toEqual(['flat', 'd1', 'act1', 'bn1:batchnorm', 'd2', 'act2', 'bn2:batchnorm', 'out']);
    expect(layout('standardize before output layer').slice(-2)).toEqual(['bnOut:standardize', 'out']);
    expect(layout('γ/β before output layer').slice(-2)).toEqual(['bnOut:batchnorm', 'out']);
    expect(new Set(runs.map((r) => r.training.seed)).size).toBeGreaterThan(1);
  });

  it('noisy BN injects noise only in its noisy variant and measures the landscape in every run', () => {
    const runs = getPreset('noisy-bn')!.experiment({ quick: true }).runs;
    const noisy = (r: RunSpec) => r.model.layers.some((l) => l.kind === 'norm' && l.injectNoise);
    expect(runs.filter(noisy).map((r) => r.variant)).toEqual(['BN + noise']);
    expect(runs.every((r) => r.training.diagnostics.landscape)).toBe(true);
  });

  it('train only BN trains everything, only γ and β, or as many random weights, from the same initial weights', () => {
    const runs = getPreset('train-only-bn')!.experiment({ quick: true }).runs;
    expect(runs.map((r) => [r.variant, r.training.trainable])).toEqual([
      ['train everything', 'all'],
      ['train only γ and β', 'normOnly'],
      ['train 2 random weights per unit', 'randomPerUnit'],
    ]);
    // Paired: only what trains differs.
    expect(new Set(runs.map((r) => JSON.stringify({ ...r, variant: '', training: { ...r.training, trainable: '' } }))).size).toBe(1);
  });

  it('train vs eval compares the two conventions, single-example training batches and single-example evaluation', () => {
    const runs = getPreset('train-vs-eval')!.experiment({ quick: true }).runs;
    const norms = (r: RunSpec) => r.model.layers.filter((l) => l.kind === 'norm').map((l) => l.kind === 'norm' && [l.convention, l.momentum]);
    expect(runs.map((r) => [r.variant, r.training.batchSize, norms(r)[0]])).toEqual([
      ['PyTorch (momentum 0.1)', 32, ['pytorch', 0.1]],
      ['Keras (momentum 0.99)', 32, ['keras', 0.99]],
      ['batch of 1 (PyTorch)', 1, ['pytorch', 0.1]],
      ['eval batches of 1 (PyTorch)', 32, ['pytorch', 0.1]],
    ]);
    // The single-example evaluation is the PyTorch run evaluated differently, nothing else.
    const [pytorch, , , evalOne] = runs;
    expect(evalOne!.training.evalBatchSize).toBe(1);
    expect({ ...evalOne!, variant: pytorch!.variant, training: { ...evalOne!.training, evalBatchSize: undefined } }).toEqual({ ...pytorch!, training: { ...pytorch!.training, evalBatchSize: undefined } });
  });

  it("the compare view's config diff shows what parameters train and the eval batch size", () => {
    const row = (presetId: string, path: string) => configDiff(getPreset(presetId)!.experiment({ quick: true }).runs).find((r) => r.path === path);
    expect(row('train-only-bn', 'training.trainable')).toEqual({ path: 'training.trainable', values: ['all', 'normOnly', 'randomPerUnit'], differs: true });
    expect(row('train-vs-eval', 'training.evalBatchSize')).toEqual({ path: 'training.evalBatchSize', values: ['—', '—', '—', '1'], differs: true });
  });
});
