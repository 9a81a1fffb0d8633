import { describe, expect, it } from 'vitest';
import { LayerSpec, NormLayer } from '../../../shared/spec/model';
import { duplicateLayer, layerShapes, modelIssuesByLayer, moveItem, newLayer, uniqueId, withNormAfterEvery } from '../../../renderer/src/build/layers';
import { forwardSpoken, forwardTex, runningTex, texNumber } from '../../../renderer/src/build/normFormula';
import { defaultDraft, Draft } from '../../../renderer/src/build/draft';
import { experimentFromDraft } from '../../../renderer/src/build/experiment';

const layers = (input: unknown[]) => input.map((l) => LayerSpec.parse(l));
const norm = (input: Partial<NormLayer> = {}) => NormLayer.parse({ kind: 'norm', id: 'bn1', ...input });

describe('layer edits', () => {
  const mlp = layers([
    { kind: 'dense', id: 'dense1', units: 8 },
    { kind: 'activation', id: 'act1', fn: 'relu' },
    { kind: 'dense', id: 'dense2', units: 8 },
    { kind: 'dense', id: 'out', units: 2 },
  ]);

  it('new layers get the schema defaults and a free id', () => {
    expect(uniqueId('bn', [{ id: 'bn1' }, { id: 'bn3' }])).toBe('bn2');
    const bn = newLayer('norm', [...mlp, norm()]);
    expect(bn).toMatchObject({ kind: 'norm', id: 'bn2', mode: 'batchnorm', epsilon: 1e-5, convention: 'pytorch', gamma: { use: 'learned', init: 1 } });
  });

  it('BN after every dense layer but the output, once', () => {
    const once = withNormAfterEvery(mlp);
    expect(once.map((l) => l.id)).toEqual(['dense1', 'bn1', 'act1', 'dense2', 'bn2', 'out']);
    expect(withNormAfterEvery(once).map((l) => l.id)).toEqual(once.map((l) => l.id));
  });

  it('moves and duplicates', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, -5)).toEqual(['c', 'a', 'b']);
    const dup = duplicateLayer(mlp, 0);
    expect(dup.map((l) => l.id)).toEqual(['dense1', 'dense3', 'act1', 'dense2', 'out']);
    expect(dup[1]).toMatchObject({ kind: 'dense', units: 8 });
  });

  it('shapes flow through, and the first error stops the flow with its reason', () => {
    expect(layerShapes(mlp, [2]).map((s) => s.shape)).toEqual([[8], [8], [8], [2]]);
    const image = layerShapes(mlp, [28, 28, 1]);
    expect(image[0]!.error).toMatch(/add a flatten layer/);
    expect(image[1]!.error).toBe('follows a layer with a problem');
  });

  it('reports problems by layer, never fixing them', () => {
    const bad = [...mlp.slice(0, 3), { ...norm(), mode: 'frozen' as const }, mlp[3]!];
    const issues = modelIssuesByLayer(bad);
    expect(issues.get(3)?.join(' ')).toMatch(/"frozen" keeps γ and β at fixed values/);
    expect(bad[3]).toMatchObject({ mode: 'frozen', gamma: { use: 'learned' } });
    expect(modelIssuesByLayer(mlp.slice(0, 2)).get(1)?.[0]).toMatch(/last layer must be dense/);
  });
});

describe('norm formula', () => {
  it('batchnorm with learned γ, β', () => {
    expect(forwardTex(norm())).toBe('y = \\gamma \\cdot \\frac{x - \\mu_B}{\\sqrt{\\sigma_B^2 + 10^{-5}}} + \\beta');
  });
  it('fixed values are written in; γ = 1 and β = 0 drop out', () => {
    expect(forwardTex(norm({ gamma: { use: 'fixed', init: 1 } }))).toBe('y = \\frac{x - \\mu_B}{\\sqrt{\\sigma_B^2 + 10^{-5}}} + \\beta');
    expect(forwardTex(norm({ gamma: { use: 'fixed', init: 2 }, beta: { use: 'fixed', init: -0.5 } }))).toMatch(/^y = 2 \\cdot .* -0\.5$/);
    expect(forwardSpoken(norm({ gamma: { use: 'fixed', init: 1 } }))).toContain('gamma fixed at 1');
  });
  it('modes', () => {
    expect(forwardTex(norm({ mode: 'none' }))).toBe('y = x');
    expect(forwardTex(norm({ mode: 'affine' }))).toBe('y = \\gamma \\cdot x + \\beta');
    expect(forwardTex(norm({ mode: 'standardize', epsilon: 1e-3 }))).toBe('y = \\frac{x - \\mu_B}{\\sqrt{\\sigma_B^2 + 0.001}}');
  });
  it('running statistics follow the convention', () => {
    expect(runningTex(norm())).toContain('0.9\\,\\hat\\mu + 0.1\\,\\mu_B');
    expect(runningTex(norm())).toContain('\\tfrac{n}{n-1}');
    expect(runningTex(norm({ convention: 'keras', momentum: 0.99 }))).toContain('0.99\\,\\hat\\mu + 0.01\\,\\mu_B');
    expect(runningTex(norm({ mode: 'affine' }))).toBeNull();
  });
  it('numbers', () => {
    expect(texNumber(2e-5)).toBe('2 \\times 10^{-5}');
    expect(texNumber(0.1)).toBe('0.1');
  });
});

describe('experiment from the draft', () => {
  it('the default draft is one valid run', () => {
    const result = experimentFromDraft(defaultDraft());
    expect(result.ok && result.runCount).toBe(1);
  });
  it('norm mode × seeds: paired runs, variant-major', () => {
    const draft = Draft.parse({ ...defaultDraft(), plan: { vary: 'normMode', normModes: ['none', 'batchnorm'], seeds: 2 } });
    const result = experimentFromDraft(draft);
    if (!result.ok) throw new Error(result.problems.join('; '));
    const runs = result.experiment.runs;
    expect(runs.map((r) => [r.variant, r.training.seed])).toEqual([
      ['no BN', 1],
      ['no BN', 2],
      ['batchnorm', 1],
      ['batchnorm', 2],
    ]);
    expect(runs[0]!.model.layers.filter((l) => l.kind === 'norm').every((l) => l.kind === 'norm' && l.mode === 'none')).toBe(true);
    expect(runs[0]!.model.layers.map((l) => l.id)).toEqual(runs[2]!.model.layers.map((l) => l.id));
  });
  it('with / without BN removes the norm layers outright and keeps the other ids', () => {
    const result = experimentFromDraft(Draft.parse({ ...defaultDraft(), plan: { vary: 'bnPresence' } }));
    if (!result.ok) throw new Error(result.problems.join('; '));
    const [withBn, without] = result.experiment.runs;
    expect([withBn!.variant, without!.variant]).toEqual(['with BN', 'without BN']);
    expect(without!.model.layers.map((l) => l.id)).toEqual(withBn!.model.layers.filter((l) => l.kind !== 'norm').map((l) => l.id));
  });
  it('says why it cannot start', () => {
    const noNorm = Draft.parse({ ...defaultDraft(), plan: { vary: 'normMode' } });
    noNorm.layers = noNorm.layers.filter((l) => l.kind !== 'norm');
    expect(experimentFromDraft(noNorm)).toEqual({ ok: false, problems: [expect.stringMatching(/no normalization layer/)] });
    const bad = defaultDraft();
    bad.training.learningRate = -1;
    const result = experimentFromDraft(bad);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]).toMatch(/^training\.learningRate: /);
  });
});
