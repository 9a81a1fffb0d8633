/** The standard models: stable ids (so variants pair), biases kept for no-BN variants, valid specs. */
import { describe, expect, it } from 'vitest';
import { mlp, modelSpec, planarMlp, smallCnn } from '../../../shared/presets/models';

const ids = (layers: Array<{ id: string }>) => layers.map((l) => l.id);

describe('mlp', () => {
  it('builds dense → [BN] → activation blocks with stable ids, BN before or after the activation', () => {
    const before = modelSpec(mlp({ hidden: [100, 100, 100], activation: 'sigmoid', classes: 10, norm: 'beforeActivation', init: { kind: 'gaussian', std: 0.05 }, flatten: true }));
    expect(ids(before.layers)).toEqual(['flat', 'd1', 'bn1', 'act1', 'd2', 'bn2', 'act2', 'd3', 'bn3', 'act3', 'out']);
    expect(before.layers.filter((l) => l.kind === 'dense').map((l) => l.kind === 'dense' && [l.units, l.init])).toEqual([
      [100, { kind: 'gaussian', std: 0.05 }],
      [100, { kind: 'gaussian', std: 0.05 }],
      [100, { kind: 'gaussian', std: 0.05 }],
      [10, { kind: 'gaussian', std: 0.05 }],
    ]);
    expect(ids(modelSpec(mlp({ hidden: [8], activation: 'relu', classes: 3, norm: 'afterActivation' })).layers)).toEqual(['d1', 'act1', 'bn1', 'out']);
    expect(ids(modelSpec(mlp({ hidden: [8], activation: 'relu', classes: 3, norm: 'none' })).layers)).toEqual(['d1', 'act1', 'out']);
  });

  it('asks for a bias on every dense layer (the engine drops it before BN), so removing BN keeps biases', () => {
    const layers = modelSpec(mlp({ hidden: [8, 8], activation: 'relu', classes: 2, norm: 'beforeActivation' })).layers;
    expect(layers.filter((l) => l.kind === 'dense').every((l) => l.kind === 'dense' && l.bias)).toBe(true);
  });

  it('keeps the dense ids whatever the norm placement, so variants pair', () => {
    const dense = (norm: 'beforeActivation' | 'afterActivation' | 'none') =>
      modelSpec(mlp({ hidden: [8, 8], activation: 'tanh', classes: 2, norm })).layers.filter((l) => l.kind === 'dense');
    expect(dense('afterActivation')).toEqual(dense('beforeActivation'));
    expect(dense('none')).toEqual(dense('beforeActivation'));
  });
});

describe('planarMlp', () => {
  it('is a small 2-D MLP with defaults that can be overridden', () => {
    expect(ids(planarMlp({ classes: 2 }))).toEqual(['d1', 'bn1', 'act1', 'd2', 'bn2', 'act2', 'out']);
    const wide = modelSpec(planarMlp({ classes: 4, hidden: [32], activation: 'tanh', norm: 'none' })).layers;
    expect(wide.map((l) => (l.kind === 'dense' ? `dense ${l.units}` : l.kind === 'activation' ? l.fn : l.kind))).toEqual(['dense 32', 'tanh', 'dense 4']);
  });
});

describe('smallCnn', () => {
  it('is conv → [BN] → ReLU → max-pool per block, then a dense layer, numbered by convolution', () => {
    expect(ids(modelSpec(smallCnn({ bn: true })).layers)).toEqual(['c1', 'bn1', 'act1', 'pool1', 'c2', 'bn2', 'act2', 'pool2', 'flat', 'd1', 'bn3', 'act3', 'out']);
    expect(ids(modelSpec(smallCnn({ bn: false })).layers)).toEqual(['c1', 'act1', 'pool1', 'c2', 'act2', 'pool2', 'flat', 'd1', 'act3', 'out']);
  });

  it('builds VGG-style blocks of several convolutions, with its own filters, width and classes', () => {
    const layers = modelSpec(smallCnn({ bn: true, filters: [4, 8, 16], convsPerBlock: 2, dense: 32, classes: 5 })).layers;
    expect(ids(layers)).toEqual([
      'c1', 'bn1', 'act1', 'c2', 'bn2', 'act2', 'pool1',
      'c3', 'bn3', 'act3', 'c4', 'bn4', 'act4', 'pool2',
      'c5', 'bn5', 'act5', 'c6', 'bn6', 'act6', 'pool3',
      'flat', 'd1', 'bn7', 'act7', 'out',
    ]);
    expect(layers.filter((l) => l.kind === 'conv2d').map((l) => l.kind === 'conv2d' && l.filters)).toEqual([4, 4, 8, 8, 16, 16]);
    expect(layers.at(-1)).toMatchObject({ kind: 'dense', units: 5 });
    expect(layers.at(-4)).toMatchObject({ kind: 'dense', units: 32 });
  });
});

describe('modelSpec', () => {
  it('fills in defaults and refuses inconsistent layers', () => {
    expect(modelSpec([{ kind: 'dense', id: 'out', units: 2 }]).layers[0]).toMatchObject({ bias: true, init: { kind: 'glorotUniform' } });
    expect(() => modelSpec([{ kind: 'dense', id: 'x', units: 2 }, { kind: 'dense', id: 'x', units: 2 }])).toThrow(/used twice/);
  });
});
