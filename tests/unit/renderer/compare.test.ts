import { describe, expect, it } from 'vitest';
import { configDiff, flattenConfig } from '../../../renderer/src/compare/configDiff';
import { comparisonCsv, comparisonJson } from '../../../renderer/src/compare/exportData';
import { epochsPerStep, groupKey, plotEntries, trainCountOf } from '../../../renderer/src/compare/entries';
import { chartPanels, panelKeys } from '../../../renderer/src/charts/panels';
import { buildPanelContent } from '../../../renderer/src/charts/plot';
import { SeriesCache } from '../../../renderer/src/series/seriesCache';
import { metricKey } from '../../../shared/engine/frame';
import { encodeFrameBatch } from '../../../shared/frameBatch';
import type { DatasetInfo, RunDetail, RunSummary } from '../../../shared/api';

const summary = (id: string, variant: string, seed: number, experimentId = 'e1'): RunSummary => ({
  id,
  experimentId,
  experimentTitle: experimentId.toUpperCase(),
  variant,
  seed,
  status: 'finished',
  backend: 'wasm',
  step: 100,
  totalSteps: 100,
  createdAt: '',
  startedAt: null,
  endedAt: null,
  error: null,
  latest: {},
});

describe('config diff', () => {
  it('flattens layers by id', () => {
    expect(flattenConfig({ model: { layers: [{ kind: 'norm', id: 'bn1', mode: 'none' }] }, lr: 0.1 })).toEqual({
      'model.layers.bn1.kind': 'norm',
      'model.layers.bn1.id': 'bn1',
      'model.layers.bn1.mode': 'none',
      lr: '0.1',
    });
  });
  it('flags what differs, including settings only one run has', () => {
    const rows = configDiff([{ a: 1, b: 2 }, { a: 1, b: 3, c: true }]);
    expect(rows).toEqual([
      { path: 'a', values: ['1', '1'], differs: false },
      { path: 'b', values: ['2', '3'], differs: true },
      { path: 'c', values: ['—', 'true'], differs: true },
    ]);
  });
});

describe('exports', () => {
  const series = [{ runId: 'r1', label: 'no BN, "fast"', key: 'train/loss', steps: [0, 10], values: [1.5, NaN], wallMs: [0, 5] }];
  it('CSV quotes labels and keeps NaN', () => {
    expect(comparisonCsv(series)).toBe('run_id,run,key,step,value,wall_ms\nr1,"no BN, ""fast""",train/loss,0,1.5,0\nr1,"no BN, ""fast""",train/loss,10,NaN,5\n');
  });
  it('JSON writes non-finite values as strings', () => {
    const parsed = JSON.parse(comparisonJson({ runs: [], summary: [], series }));
    expect(parsed.series[0].values).toEqual([1.5, 'NaN']);
  });
});

describe('entries', () => {
  const runs = [summary('a', 'BN', 1), summary('b', 'BN', 2), summary('c', 'no BN', 1)];
  const colorOf = (id: string) => `color:${id}`;
  it('one entry per run, or per seed group', () => {
    expect(plotEntries(runs, { group: false, colorOf, epochsPerStep: () => null }).map((e) => e.label)).toEqual(['BN · seed 1', 'BN · seed 2', 'no BN · seed 1']);
    const grouped = plotEntries(runs, { group: true, colorOf, epochsPerStep: () => null });
    expect(grouped.map((e) => [e.id, e.label, e.runIds])).toEqual([
      [groupKey(runs[0]!), 'BN (2 seeds)', ['a', 'b']],
      ['c', 'no BN · seed 1', ['c']],
    ]);
    expect(grouped[0]!.color).toBe(`color:${groupKey(runs[0]!)}`);
  });
  it('names the experiment when runs come from several', () => {
    expect(plotEntries([summary('a', 'BN', 1), summary('x', 'BN', 1, 'e2')], { group: false, colorOf, epochsPerStep: () => null })[1]!.label).toBe('E2 / BN · seed 1');
  });
  it('epochs per step from batch size and training-set size', () => {
    const detail = { spec: { data: { trainLimit: 400 }, training: { batchSize: 40 } } } as unknown as RunDetail;
    expect(epochsPerStep(detail, 800)).toBe(0.1);
    expect(epochsPerStep(undefined, 800)).toBeNull();
    const spec = { data: { source: { kind: 'synthetic', generator: 'moons', samples: 500, noise: 0.1, classes: 2, seed: 1 }, testFraction: 0.2 } } as RunDetail['spec'];
    expect(trainCountOf(spec, [])).toBe(400);
    // A listed dataset's examples are split by the run's own fractions, validation included.
    const imported = { kind: 'imported', hash: 'a'.repeat(64) } as const;
    const listed = [{ source: imported, kind: 'imported', trainCount: 80, validationCount: 0, testCount: 20 } as DatasetInfo];
    expect(trainCountOf({ data: { source: imported, testFraction: 0.5, validationFraction: 0.2 } } as RunDetail['spec'], listed)).toBe(40);
    const mnist = [{ source: { kind: 'mnist' }, kind: 'mnist', trainCount: 60_000, validationCount: 0, testCount: 10_000 } as DatasetInfo];
    expect(trainCountOf({ data: { source: { kind: 'mnist' }, testFraction: 0.2, validationFraction: 0.1 } } as RunDetail['spec'], mnist)).toBe(54_000);
    expect(trainCountOf({ ...spec, data: { ...spec.data, validationFraction: 0.25 } }, [])).toBe(300);
  });
});

describe('chart panels', () => {
  const keys = [
    metricKey.trainLoss,
    metricKey.testLoss,
    metricKey.testAcc,
    metricKey.normParam('bn1', 'gamma', 'mean'),
    metricKey.normParam('bn1', 'gamma', 'min'),
    metricKey.normParam('bn1', 'gamma', 'max'),
    metricKey.normParam('bn1', 'beta', 'mean'),
    metricKey.preActivation('act1', 'p15'),
    metricKey.preActivation('act1', 'p50'),
    metricKey.preActivation('act1', 'p85'),
    metricKey.gradNorm('d1'),
    metricKey.gradNorm('d2'),
    metricKey.normParamUnit('bn1', 'gamma', 0),
    metricKey.normParamUnit('bn1', 'gamma', 7),
  ];
  it('recognises keys through metricKey', () => {
    const panels = chartPanels(keys);
    expect(panels.map((p) => p.id)).toEqual(['loss', 'accuracy', 'gamma:bn1', 'beta:bn1', 'gammaUnits:bn1', 'pre:act1', 'grad']);
    expect(panels.find((p) => p.id === 'gammaUnits:bn1')!.lines.map((l) => [l.key, l.label])).toEqual([
      ['norm/bn1/gamma/u0', 'unit 0'],
      ['norm/bn1/gamma/u7', 'unit 7'],
    ]);
    expect(panels.find((p) => p.id === 'pre:act1')!.bands).toEqual([{ lo: 'pre/act1/p15', hi: 'pre/act1/p85', label: '15–85%' }]);
    expect(panels.find((p) => p.id === 'beta:bn1')!.bands).toEqual([]);
    expect(panelKeys(panels[0]!)).toEqual([metricKey.trainLoss, metricKey.testLoss]);
  });

  it('adds validation lines to the loss and accuracy panels only for runs that logged them', () => {
    const lossAndAcc = (available: string[]) => chartPanels(available).filter((p) => p.id === 'loss' || p.id === 'accuracy').map((p) => p.lines.map((l) => [l.key, l.label, l.dash]));
    const plain = [metricKey.trainLoss, metricKey.testLoss, metricKey.trainAcc, metricKey.testAcc];
    expect(lossAndAcc(plain)).toEqual([
      [['train/loss', 'train', 'solid'], ['test/loss', 'held-out', 'dashed']],
      [['train/acc', 'train', 'solid'], ['test/acc', 'held-out', 'dashed']],
    ]);
    expect(lossAndAcc([...plain, metricKey.validationLoss, metricKey.validationAcc])).toEqual([
      [['train/loss', 'train', 'solid'], ['test/loss', 'held-out', 'dashed'], ['val/loss', 'validation', 'dotted']],
      [['train/acc', 'train', 'solid'], ['test/acc', 'held-out', 'dashed'], ['val/acc', 'validation', 'dotted']],
    ]);
  });

  it('draws smoothed, thinned lines, seed-group bands and a shared y scale', () => {
    const cache = new SeriesCache();
    const frames = (offset: number) => Array.from({ length: 1000 }, (_, i) => ({ step: i, epoch: i / 10, wallMs: i, values: { [metricKey.trainLoss]: 1 + offset + (i % 2) } }));
    cache.appendBatch('a', encodeFrameBatch(frames(0)));
    cache.appendBatch('b', encodeFrameBatch(frames(2)));
    const panel = chartPanels([metricKey.trainLoss])[0]!;
    const settings = { smoothing: 0, xAxis: 'step' as const, log: false, ignoreOutliers: false, band: 'minmax' as const };
    const group = { id: 'g', label: 'g', color: '#000', runIds: ['a', 'b'], epochsPerStep: null };
    const content = buildPanelContent(cache, panel, [group], settings, { maxPoints: 100, xZoom: null });
    expect(content.lines).toHaveLength(1);
    expect(content.lines[0]!.points.x.length).toBeLessThanOrEqual(100);
    expect(Math.max(...content.lines[0]!.points.y)).toBe(3); // mean of 2 and 4
    expect(content.bands[0]!.name).toBe('g · seeds');
    expect(Math.max(...Array.from(content.bands[0]!.hi))).toBe(4);
    expect(content.axes.xExtent).toEqual([0, 999]);

    const runA = { id: 'a', label: 'a', color: '#111', runIds: ['a'], epochsPerStep: null };
    const runB = { id: 'b', label: 'b', color: '#222', runIds: ['b'], epochsPerStep: null };
    const sideBySide = buildPanelContent(cache, panel, [runA], { ...settings, smoothing: 0.9 }, { maxPoints: 100, xZoom: null }, [runA, runB]);
    expect(sideBySide.lines.map((l) => l.id)).toEqual([`a|${metricKey.trainLoss}`]);
    expect(sideBySide.axes.yRange![1]).toBeGreaterThan(3);
    const epochs = buildPanelContent(cache, panel, [runA], { ...settings, xAxis: 'epoch' }, { maxPoints: 2000, xZoom: null });
    expect(epochs.axes.xExtent).toEqual([0, 99.9]);
  });
});

describe('thinned histories', () => {
  it('a zoom inside a full-resolution detail read draws the detail; the axis still spans the whole run', () => {
    const cache = new SeriesCache();
    const steps = Array.from({ length: 100 }, (_, i) => i * 1000);
    cache.setHistory({ runId: 'a', key: metricKey.trainLoss, steps, values: steps.map(() => 1), wallMs: steps }, true);
    const detailSteps = Array.from({ length: 501 }, (_, i) => 40_000 + i * 10);
    cache.setDetail({ runId: 'a', key: metricKey.trainLoss, steps: detailSteps, values: detailSteps.map(() => 2), wallMs: detailSteps }, 40_000, 45_000);
    const panel = chartPanels([metricKey.trainLoss])[0]!;
    const settings = { smoothing: 0, xAxis: 'step' as const, log: false, ignoreOutliers: false, band: 'minmax' as const };
    const entry = { id: 'a', label: 'a', color: '#111', runIds: ['a'], epochsPerStep: null };
    const zoomed = buildPanelContent(cache, panel, [entry], settings, { maxPoints: 1000, xZoom: [41_000, 42_000] });
    expect(zoomed.lines[0]!.points.x.length).toBe(103);
    expect(Array.from(zoomed.lines[0]!.points.y).every((v) => v === 2)).toBe(true);
    expect(zoomed.axes.xExtent).toEqual([0, 99_000]);
    const outside = buildPanelContent(cache, panel, [entry], settings, { maxPoints: 1000, xZoom: [10_000, 20_000] });
    expect(Array.from(outside.lines[0]!.points.y).every((v) => v === 1)).toBe(true);
  });
});

describe('snapshot scatter', () => {
  it('γ against √(running σ² + ε) per unit, and the diagonal across all points', async () => {
    const { snapshotScatter, diagonal } = await import('../../../renderer/src/charts/snapshotScatter');
    const snapshot = {
      step: 10,
      layers: [{ id: 'bn1', gamma: [2, 0.5], beta: [0.1, -0.2], runningMean: [0.1, 0.3], runningVar: [3.99, 0.24], batchMean: [0, 0], batchVar: [1, 1], epsilon: 0.01 }],
    };
    const series = snapshotScatter([{ id: 'a', label: 'a', color: '#000', snapshot }, { id: 'b', label: 'b', color: '#111', snapshot: null }], 'bn1', 'std', 'gamma');
    expect(series).toHaveLength(1);
    expect(series[0]!.points[0]![0]).toBeCloseTo(2, 12);
    expect(series[0]!.points[1]).toEqual([0.5, 0.5]);
    expect(diagonal(series)).toEqual([[0.5, 0.5], [2, 2]]);
    expect(snapshotScatter([{ id: 'a', label: 'a', color: '#000', snapshot }], 'bn1', 'mean', 'beta')[0]!.points).toEqual([[0.1, 0.1], [0.3, -0.2]]);
  });
});
