/** Variant expansion: pure, paired (common layers keep their ids), and every result a valid run. */
import { describe, expect, it } from 'vitest';
import { mlp, smallCnn } from '../../../shared/presets/models';
import { RunSpec } from '../../../shared/spec/experiment';
import type { LayerSpecInput } from '../../../shared/spec/model';
import {
  batchSizeVariants,
  crossVariants,
  expandVariants,
  insertLayerBefore,
  learningRateVariants,
  normModeVariants,
  placeNorm,
  seedList,
  setActivation,
  setNormMode,
  updateNorm,
  valueVariants,
  withAndWithoutNorm,
  withoutNorm,
  withTraining,
} from '../../../shared/spec/variants';

const runWith = (layers: LayerSpecInput[]): RunSpec =>
  RunSpec.parse({ variant: 'base', model: { layers }, data: { source: { kind: 'mnist' } }, training: { learningRate: 0.1, batchSize: 32, duration: { steps: 100 } } });
const base = runWith(mlp({ hidden: [8, 8], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true }));
const ids = (run: RunSpec) => run.model.layers.map((l) => l.id);
const kinds = (run: RunSpec) => run.model.layers.map((l) => (l.kind === 'norm' ? `norm:${l.mode}` : l.kind));
/** Every result must still be a valid run (norm γ/β consistent with its mode, ids unique, …). */
const valid = (run: RunSpec) => expect(RunSpec.safeParse(run).success, JSON.stringify(RunSpec.safeParse(run).error?.issues)).toBe(true);

describe('expandVariants', () => {
  it('gives every variant × seed, variant-major, with the variant label and seed set', () => {
    const runs = expandVariants(base, learningRateVariants([0.01, 1]), [3, 4]);
    expect(runs.map((r) => [r.variant, r.training.seed, r.training.learningRate])).toEqual([
      ['lr 0.01', 3, 0.01],
      ['lr 0.01', 4, 0.01],
      ['lr 1', 3, 1],
      ['lr 1', 4, 1],
    ]);
    runs.forEach(valid);
  });

  it('never changes the base run, even when a variant mutates what it gets', () => {
    const before = structuredClone(base);
    expandVariants(base, [{ name: 'vandal', apply: (run) => ((run.training.learningRate = 99), run) }], [1]);
    expect(base).toEqual(before);
  });

  it('keeps a repeated variant name apart instead of merging two variants', () => {
    const runs = expandVariants(base, learningRateVariants([0.1, 0.1, 0.1]), [1]);
    expect(runs.map((r) => r.variant)).toEqual(['lr 0.1', 'lr 0.1 (2)', 'lr 0.1 (3)']);
  });

  it('pairs runs: common layers keep their ids and settings across variants', () => {
    const runs = expandVariants(base, withAndWithoutNorm(learningRateVariants([0.1, 1])), [1]);
    const dense = (run: RunSpec) => run.model.layers.filter((l) => l.kind === 'dense');
    for (const run of runs) expect(dense(run)).toEqual(dense(base));
  });
});

describe('seeds and value variants', () => {
  it('lists consecutive seeds', () => {
    expect(seedList(3)).toEqual([1, 2, 3]);
    expect(seedList(2, 7)).toEqual([7, 8]);
    expect(seedList(0)).toEqual([]);
  });

  it('varies any one value with a label', () => {
    const variants = valueVariants([0, 1e-4], (wd) => `weight decay ${wd}`, (run, weightDecay) => withTraining(run, { weightDecay }));
    const runs = expandVariants(base, variants, [1]);
    expect(runs.map((r) => [r.variant, r.training.weightDecay])).toEqual([
      ['weight decay 0', 0],
      ['weight decay 0.0001', 1e-4],
    ]);
  });

  it('varies the batch size', () => {
    expect(expandVariants(base, batchSizeVariants([2, 128]), [1]).map((r) => [r.variant, r.training.batchSize])).toEqual([
      ['batch 2', 2],
      ['batch 128', 128],
    ]);
  });

  it('crosses two lists of variants, applying the outer first', () => {
    const outer = valueVariants([0.1], (lr) => `lr ${lr}`, (run, learningRate) => withTraining(run, { learningRate, batchSize: 7 }));
    const inner = valueVariants([64], (b) => `batch ${b}`, (run, batchSize) => withTraining(run, { batchSize }));
    const [run] = expandVariants(base, crossVariants(outer, inner), [1]);
    expect(run).toMatchObject({ variant: 'lr 0.1 · batch 64', training: { learningRate: 0.1, batchSize: 64 } });
  });
});

describe('norm modes', () => {
  it('switches every norm layer, or only the chosen ones, keeping γ/β consistent', () => {
    const all = setNormMode(base, 'standardize');
    expect(kinds(all).filter((k) => k.startsWith('norm'))).toEqual(['norm:standardize', 'norm:standardize']);
    valid(all);
    const one = setNormMode(base, 'frozen', ['bn2']);
    expect(kinds(one).filter((k) => k.startsWith('norm'))).toEqual(['norm:batchnorm', 'norm:frozen']);
    valid(one);
  });

  it('names the mode variants, "none" as "no BN", and each is a valid run', () => {
    const runs = expandVariants(base, normModeVariants(['none', 'standardize', 'batchnorm', 'affine', 'frozen']), [1]);
    expect(runs.map((r) => r.variant)).toEqual(['no BN', 'standardize', 'batchnorm', 'affine', 'frozen']);
    runs.forEach(valid);
  });

  it('changes chosen norm layers with updateNorm', () => {
    const noisy = updateNorm(base, (l) => ({ ...l, injectNoise: true }), ['bn1']);
    expect(noisy.model.layers.filter((l) => l.kind === 'norm').map((l) => l.kind === 'norm' && l.injectNoise)).toEqual([true, false]);
  });
});

describe('inserting, removing and moving norm layers', () => {
  it('removes every norm layer, or the chosen ones, leaving the other ids alone', () => {
    expect(ids(withoutNorm(base))).toEqual(['flat', 'd1', 'act1', 'd2', 'act2', 'out']);
    expect(ids(withoutNorm(base, ['bn2']))).toEqual(['flat', 'd1', 'bn1', 'act1', 'd2', 'act2', 'out']);
  });

  it('moves BN after the activation, keeping its id and settings: the same as building it there', () => {
    const standardized = setNormMode(base, 'standardize', ['bn1']);
    const moved = placeNorm(standardized, 'afterActivation');
    expect(ids(moved)).toEqual(['flat', 'd1', 'act1', 'bn1', 'd2', 'act2', 'bn2', 'out']);
    expect(moved.model.layers.find((l) => l.id === 'bn1')).toEqual(standardized.model.layers.find((l) => l.id === 'bn1'));
    expect(placeNorm(base, 'afterActivation')).toEqual(runWith(mlp({ hidden: [8, 8], activation: 'relu', classes: 10, norm: 'afterActivation', flatten: true })));
    expect(placeNorm(moved, 'beforeActivation')).toEqual(standardized);
  });

  it('inserts "BN after every dense/conv layer" (never after the output layer) with the given settings', () => {
    const plain = runWith(mlp({ hidden: [8, 8], activation: 'relu', classes: 10, norm: 'none', flatten: true }));
    const inserted = placeNorm(plain, 'beforeActivation', { settings: { convention: 'keras', momentum: 0.99 } });
    expect(ids(inserted)).toEqual(['flat', 'd1', 'd1-bn', 'act1', 'd2', 'd2-bn', 'act2', 'out']);
    expect(inserted.model.layers.filter((l) => l.kind === 'norm').every((l) => l.kind === 'norm' && l.convention === 'keras' && l.momentum === 0.99 && l.mode === 'batchnorm')).toBe(true);
    valid(inserted);
    // With the builder's naming the result is exactly the builder's BN model.
    expect(placeNorm(plain, 'beforeActivation', { id: (w) => `bn${w.slice(1)}` })).toEqual(base);
    // Placing again changes nothing.
    expect(placeNorm(inserted, 'beforeActivation')).toEqual(inserted);
  });

  it('can restrict insertion to convolutions, and places BN after the ReLU but before the pooling', () => {
    const cnn = runWith(smallCnn({ bn: false }));
    const convOnly = placeNorm(cnn, 'afterActivation', { after: ['conv2d'] });
    expect(ids(convOnly)).toEqual(['c1', 'act1', 'c1-bn', 'pool1', 'c2', 'act2', 'c2-bn', 'pool2', 'flat', 'd1', 'act3', 'out']);
    valid(convOnly);
  });

  it('makes created ids unique', () => {
    const clash = runWith([{ kind: 'dense', id: 'd1', units: 4 }, { kind: 'activation', id: 'd1-bn', fn: 'relu' }, { kind: 'dense', id: 'out', units: 2 }]);
    expect(ids(placeNorm(clash, 'beforeActivation'))).toEqual(['d1', 'd1-bn2', 'd1-bn', 'out']);
  });

  it('inserts any layer before a named one, with its defaults filled in, and refuses clashes', () => {
    const withOut = insertLayerBefore(base, 'out', { kind: 'norm', id: 'bnOut' });
    expect(ids(withOut).slice(-2)).toEqual(['bnOut', 'out']);
    expect(withOut.model.layers.at(-2)).toMatchObject({ kind: 'norm', mode: 'batchnorm', epsilon: 1e-5 });
    expect(() => insertLayerBefore(base, 'nope', { kind: 'norm', id: 'x' })).toThrow(/no layer "nope"/);
    expect(() => insertLayerBefore(base, 'out', { kind: 'norm', id: 'bn1' })).toThrow(/"bn1" is already used/);
  });

  it('switches activations', () => {
    const sigmoid = setActivation(base, 'sigmoid', ['act2']);
    expect(sigmoid.model.layers.filter((l) => l.kind === 'activation').map((l) => l.kind === 'activation' && l.fn)).toEqual(['relu', 'sigmoid']);
  });

  it('pairs "with and without BN" variants and names them', () => {
    const runs = expandVariants(base, withAndWithoutNorm(learningRateVariants([0.5])), [1]);
    expect(runs.map((r) => r.variant)).toEqual(['lr 0.5 · BN', 'lr 0.5 · no BN']);
    expect(runs[1]!.model.layers.some((l) => l.kind === 'norm')).toBe(false);
    expect(runs.every((r) => r.training.learningRate === 0.5)).toBe(true);
  });
});
