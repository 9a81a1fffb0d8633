/**
 * Findings on synthetic results: every statement follows the data it is given (a finding changes
 * when the data changes), and missing series, diverged or failed runs and targets never reached
 * are said as such.
 */
import { describe, expect, it } from 'vitest';
import { metricKey, type NormSnapshot } from '../../../shared/engine/frame';
import {
  activeUnits,
  beyondSeedNoise,
  compareVariants,
  divergence,
  evalBatchEffect,
  finalAccuracy,
  finalSeriesByVariant,
  finalValue,
  firstEvalGap,
  gammaNearZero,
  linearRegime,
  meanOverRun,
  meanRatio,
  medianDrift,
  nearChance,
  poolingShift,
  spread,
  startToEnd,
  stepsToAccuracy,
  stepsToTarget,
  trainedParameters,
  trainEvalGap,
  undoFindings,
} from '../../../shared/presets/findings';
import { mlp, smallCnn } from '../../../shared/presets/models';
import type { FindingRun, FindingsInput } from '../../../shared/presets/types';
import { RunSpec } from '../../../shared/spec/experiment';
import type { LayerSpecInput } from '../../../shared/spec/model';
import { placeNorm, setNormMode, updateNorm, withTraining } from '../../../shared/spec/variants';

type Series = Record<string, Record<string, number[]>>;

const specOf = (layers: LayerSpecInput[]) =>
  RunSpec.parse({ variant: 'v', model: { layers }, data: { source: { kind: 'mnist' } }, training: { learningRate: 0.1, batchSize: 32, duration: { steps: 1000 } } });
const bnMlp = specOf(mlp({ hidden: [4], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true }));

/** Runs with series logged every 100 steps (value i at step 100·(i+1)) and optional snapshots. */
function input(runs: Array<Partial<FindingRun> & { id: string; variant: string }>, series: Series, snapshots: Record<string, NormSnapshot> = {}): FindingsInput {
  return {
    runs: runs.map((r) => ({ seed: 1, status: 'finished', step: 1000, error: null, spec: bnMlp, ...r })),
    series: (runId, key) => {
      const values = series[runId]?.[key];
      return values ? { steps: values.map((_, i) => (i + 1) * 100), values } : null;
    },
    snapshot: (runId) => snapshots[runId] ?? null,
  };
}

const acc = metricKey.testAcc;
const one = (id: string, values: number[], key: string = acc) => input([{ id, variant: 'v' }], { [id]: { [key]: values } });

describe('helpers', () => {
  it('read the last finite value and the first step at a target, null when missing', () => {
    const data = one('a', [0.2, 0.7, NaN]);
    expect(finalValue(data, 'a', acc)).toBe(0.7);
    expect(finalValue(data, 'a', 'nope')).toBeNull();
    expect(stepsToTarget(data, 'a', acc, 0.5)).toBe(200);
    expect(stepsToTarget(data, 'a', acc, 0.9)).toBeNull();
    expect(spread([1, null, 3, NaN])).toEqual({ mean: 2, min: 1, max: 3, n: 2 });
    expect(spread([null])).toBeNull();
  });
});

describe('steps to a target accuracy', () => {
  it('names the step each variant reached it, or says it never did', () => {
    const data = input([{ id: 'a', variant: 'with BN' }, { id: 'b', variant: 'without BN' }], { a: { [acc]: [0.5, 0.91, 0.96] }, b: { [acc]: [0.3, 0.5, 0.7] } });
    const [bn, none] = stepsToAccuracy(data, 0.9);
    expect(bn!.statement).toBe('with BN: test accuracy reached 90.0% at step 200');
    expect(bn!.value).toBe(200);
    expect(bn!.evidence).toEqual([{ runId: 'a', key: acc, step: 200 }]);
    expect(none!.statement).toBe('without BN: test accuracy never reached 90.0% within 1,000 steps');
    expect(none!.value).toBeNull();
  });

  it('changes when the data changes', () => {
    const early = stepsToAccuracy(one('a', [0.95]), 0.9)[0]!;
    const late = stepsToAccuracy(one('a', [0.1, 0.2, 0.3, 0.95]), 0.9)[0]!;
    expect(early.value).toBe(100);
    expect(late.value).toBe(400);
    expect(early.statement).not.toBe(late.statement);
  });

  it('averages over seeds and counts the seeds that never got there', () => {
    const data = input([{ id: 'a', variant: 'v', seed: 1 }, { id: 'b', variant: 'v', seed: 2 }, { id: 'c', variant: 'v', seed: 3 }], { a: { [acc]: [0.95] }, b: { [acc]: [0.1, 0.95] }, c: { [acc]: [0.1] } });
    expect(stepsToAccuracy(data, 0.9)[0]!.statement).toBe('v: test accuracy reached 90.0% at step 150 (2 seeds: 100–200) (1 of 3 seeds never did)');
  });

  it('says why a diverged run never got there, and handles a missing series', () => {
    const data = input([{ id: 'a', variant: 'lr 10', status: 'diverged', step: 340 }], { a: { [acc]: [0.1, NaN] } });
    expect(stepsToAccuracy(data, 0.9)[0]!.statement).toBe('lr 10: test accuracy never reached 90.0% within 340 steps; diverged at step 340');
    expect(stepsToAccuracy(input([{ id: 'a', variant: 'v' }], {}), 0.9)[0]!.value).toBeNull();
  });
});

describe('final accuracy and divergence', () => {
  it('reports final accuracy with seed spread, the best when higher, and diverged runs with their step', () => {
    const data = input(
      [{ id: 'a', variant: 'lr 0.1', seed: 1 }, { id: 'b', variant: 'lr 0.1', seed: 2 }, { id: 'c', variant: 'lr 10', status: 'diverged', step: 340 }],
      { a: { [acc]: [0.5, 0.9] }, b: { [acc]: [0.5, 0.8] }, c: { [acc]: [0.3, 0.2, NaN] } },
    );
    const [ok, bad] = finalAccuracy(data);
    expect(ok!.statement).toBe('lr 0.1: final test accuracy 85.0% (2 seeds: 80.0%–90.0%)');
    expect(ok!.value).toBeCloseTo(0.85);
    expect(bad!.statement).toBe('lr 10: final test accuracy 20.0% (best 30.0%); diverged at step 340');
    expect(divergence(data)).toMatchObject({ statement: '1 of 3 runs diverged: lr 10 at step 340', value: 1, evidence: [{ runId: 'c', step: 340 }] });
    expect(divergence(input([{ id: 'a', variant: 'x' }], {})).statement).toBe('none of the 1 runs diverged');
  });

  it('names the runs that stayed near chance (1 / output units), whether or not they diverged', () => {
    const data = input(
      [{ id: 'a', variant: 'lr 0.1' }, { id: 'b', variant: 'lr 3' }, { id: 'c', variant: 'lr 10', status: 'diverged', step: 40 }],
      { a: { [acc]: [0.1, 0.9] }, b: { [acc]: [0.098, 0.113, 0.09] }, c: { [acc]: [0.1, NaN] } },
    );
    expect(nearChance(data)).toMatchObject({
      statement: '2 of 3 runs never rose more than 5.0 points above chance: lr 3 (best 11.3%, chance 10.0%); lr 10 (best 10.0%, chance 10.0%)',
      value: 2,
      evidence: [{ runId: 'b', key: acc }, { runId: 'c', key: acc }],
    });
    expect(nearChance(one('a', [0.2, 0.16]))).toMatchObject({ value: 0, statement: 'every run that logged accuracy rose more than 5.0 points above chance' });
    // A two-class output has chance 50%.
    const twoClass = specOf([{ kind: 'dense', id: 'd1', units: 4 }, { kind: 'dense', id: 'out', units: 2 }]);
    expect(nearChance(input([{ id: 'a', variant: 'v', spec: twoClass }], { a: { [acc]: [0.52] } })).value).toBe(1);
    expect(nearChance(input([{ id: 'a', variant: 'v' }], {})).value).toBe(0);
  });

  it('names the seed of a diverged run when its variant has several', () => {
    const data = input([{ id: 'a', variant: 'v', seed: 1 }, { id: 'b', variant: 'v', seed: 2, status: 'diverged', step: 12 }], {});
    expect(divergence(data).statement).toBe('1 of 2 runs diverged: v (seed 2) at step 12');
  });

  it('says when nothing was logged, and why', () => {
    const [f] = finalAccuracy(input([{ id: 'a', variant: 'v', status: 'failed', step: 0, error: 'worker crashed' }], {}));
    expect(f).toMatchObject({ statement: 'v: no test accuracy was logged; failed (worker crashed)', value: null });
  });
});

describe('comparing variants against seed noise', () => {
  const runs = [{ id: 'a', variant: 'A', seed: 1 }, { id: 'b', variant: 'A', seed: 2 }, { id: 'c', variant: 'B', seed: 1 }, { id: 'd', variant: 'B', seed: 2 }];

  it('says whether a difference is larger than the spread between seeds', () => {
    const [clear] = beyondSeedNoise(input(runs, { a: { [acc]: [0.9] }, b: { [acc]: [0.91] }, c: { [acc]: [0.7] }, d: { [acc]: [0.71] } }));
    expect(clear!.statement).toBe('final test accuracy: A 90.5% (2 seeds: 90.0%–91.0%) vs B 70.5% (2 seeds: 70.0%–71.0%) — a difference of 20.0 points; the widest spread between seeds is 1.0 points, so the difference is larger than seed noise');
    expect(clear!.value).toBeCloseTo(0.2);
    const [noisy] = beyondSeedNoise(input(runs, { a: { [acc]: [0.9] }, b: { [acc]: [0.6] }, c: { [acc]: [0.75] }, d: { [acc]: [0.65] } }));
    expect(noisy!.statement).toBe('final test accuracy: A 75.0% (2 seeds: 60.0%–90.0%) vs B 70.0% (2 seeds: 65.0%–75.0%) — a difference of 5.0 points; the widest spread between seeds is 30.0 points, so the difference is within seed noise');
  });

  it('compares two named variants in order, and says when seed noise is not measured', () => {
    const data = input([{ id: 'a', variant: 'BN' }, { id: 'b', variant: 'no BN' }], { a: { [acc]: [0.97] }, b: { [acc]: [0.93] } });
    const [f] = compareVariants(data, 'no BN', 'BN');
    expect(f!.value).toBeCloseTo(-0.04);
    expect(f!.statement).toBe('final test accuracy: no BN 93.0% vs BN 97.0% — a difference of -4.0 points; with one seed each, seed noise is not measured');
  });

  it('gives nothing when a variant is missing or logged nothing', () => {
    const data = input([{ id: 'a', variant: 'BN' }, { id: 'b', variant: 'no BN' }], { a: { [acc]: [0.97] } });
    expect(compareVariants(data, 'BN', 'no BN')).toEqual([]);
    expect(compareVariants(data, 'BN', 'ghost')).toEqual([]);
    expect(beyondSeedNoise(data)).toEqual([]);
  });
});

describe('series summaries', () => {
  it('final value per variant, formatted and with its unit', () => {
    const key = metricKey.undoFraction('bn1');
    const [f] = finalSeriesByVariant(one('a', [0.1, 0.25], key), key, (v, x) => `${v}: ${x} within 10%`);
    expect(f).toMatchObject({ statement: 'v: 25.0% within 10%', value: 0.25, unit: 'fraction' });
    expect(finalSeriesByVariant(one('a', [0.1, 0.4], key), key, (_v, x) => x)[0]!.statement).toBe('40.0%');
    expect(finalSeriesByVariant(one('a', [1], key), 'missing', (_v, x) => x)).toEqual([]);
  });

  it('fractions of sigmoid inputs in |z| < 1 and of active ReLU units', () => {
    const data = input(
      [{ id: 'a', variant: 'sigmoid · standardize' }, { id: 'b', variant: 'relu · standardize' }],
      { a: { [metricKey.fractionLinear('act2')]: [0.5, 0.68] }, b: { [metricKey.fractionActive('act2')]: [0.5, 0.49] } },
    );
    expect(linearRegime(data, 'act2').map((f) => f.statement)).toEqual(["sigmoid · standardize: 68.0% of act2's inputs ended in the near-linear range |z| < 1"]);
    expect(activeUnits(data, 'act2').map((f) => f.statement)).toEqual(["relu · standardize: 49.0% of act2's inputs ended positive (ReLU active)"]);
  });

  it('mean over the run and drift of a median, skipping NaN', () => {
    const key = metricKey.lossVariation;
    expect(meanOverRun(one('a', [1, 2, NaN, 6], key), key, (v, x) => `${v}: ${x}`)[0]).toMatchObject({ statement: 'v: 3', value: 3 });
    const p50 = metricKey.preActivationUnit('act3', 0, 'p50');
    expect(medianDrift(one('a', [0.5, -1, 2], p50), p50, 'the input')[0]).toMatchObject({ statement: 'v: the median of the input moved over a range of 3 during training', value: 3 });
    expect(medianDrift(one('a', [0.5, 0.6], p50), p50, 'the input')[0]!.value).toBeCloseTo(0.1);
    expect(medianDrift(one('a', [0.5], p50), 'missing', 'x')).toEqual([]);
  });

  it('where a series started and ended, and whether it shrank', () => {
    const key = metricKey.undoDistance('bn1');
    const data = input([{ id: 'a', variant: 'BN', seed: 1 }, { id: 'b', variant: 'BN', seed: 2 }], { a: { [key]: [2, 1.5, 1] }, b: { [key]: [2.2, NaN, 1.2] } });
    expect(startToEnd(data, key, 'the undo distance')[0]).toMatchObject({
      statement: 'BN: the undo distance shrank, from 2.1 (2 seeds: 2–2.2) at step 100 to 1.1 (2 seeds: 1–1.2) at step 300',
      value: expect.closeTo(-1),
    });
    expect(startToEnd(one('a', [1, 1.5], key), key, 'it')[0]!.statement).toBe('v: it grew, from 1 at step 100 to 1.5 at step 200');
    expect(startToEnd(one('a', [1, 1.001], key), key, 'it')[0]!.statement).toMatch(/^v: it barely changed/);
    expect(startToEnd(one('a', [1], key), key, 'it')).toEqual([]);
  });

  it('ratio of means between two variants', () => {
    const key = metricKey.betaSmoothness;
    const data = (noBn: number[]) => input([{ id: 'a', variant: 'with BN' }, { id: 'b', variant: 'without BN' }], { a: { [key]: [2, 2] }, b: { [key]: noBn } });
    expect(meanRatio(data([6, 10]), key, 'without BN', 'with BN', 'β-smoothness')[0]).toMatchObject({ statement: 'β-smoothness averaged 8 for without BN and 2 for with BN: 4 times as much', value: 4 });
    expect(meanRatio(data([1, 1]), key, 'without BN', 'with BN', 'β-smoothness')[0]!.value).toBe(0.5);
    expect(meanRatio(data([]), key, 'without BN', 'with BN', 'β-smoothness')).toEqual([]);
  });
});

describe('undo and γ near zero (from end-of-run snapshots)', () => {
  const snapshot = (gamma: number[], beta: number[], id = 'bn1'): NormSnapshot => ({
    step: 1000,
    layers: [{ id, gamma, beta, runningMean: [1, 2, 3, 4], runningVar: [4, 4, 4, 4], batchMean: [0, 0, 0, 0], batchVar: [1, 1, 1, 1], epsilon: 0 }],
  });

  it('measures how close γ and β came to undoing BN', () => {
    const undone = undoFindings(input([{ id: 'a', variant: 'v' }], {}, { a: snapshot([2, 2, 2.1, 0.5], [1, 2, 3, 0]) }))[0]!;
    expect(undone.value).toBe(0.75);
    expect(undone.statement).toBe('v (seed 1), bn1: γ/√(σ²+ε) ended between 0.25 and 1.05; 3 of 4 units (75.0%) are within 10% of undoing the normalization — mostly undone');
    const notUndone = undoFindings(input([{ id: 'a', variant: 'v' }], {}, { a: snapshot([0.5, 0.6, 0.7, 0.8], [0, 0, 0, 0]) }))[0]!;
    expect(notUndone.value).toBe(0);
    expect(notUndone.statement).toMatch(/between 0.25 and 0.4; 0 of 4 units .* BN was not undone$/);
  });

  it('skips runs without a snapshot and layers that do not standardize (affine)', () => {
    expect(undoFindings(input([{ id: 'a', variant: 'v' }], {}))).toEqual([]);
    const affine = setNormMode(bnMlp, 'affine');
    expect(undoFindings(input([{ id: 'a', variant: 'v', spec: affine }], {}, { a: snapshot([2, 2, 2, 2], [1, 2, 3, 4]) }))).toEqual([]);
  });

  it('counts γ that ended near zero, only where γ is learned', () => {
    const [f] = gammaNearZero(input([{ id: 'a', variant: 'only BN' }], {}, { a: snapshot([0.01, -0.02, 0.5, 1], [0, 0, 0, 0]) }));
    expect(f).toMatchObject({ statement: 'only BN (seed 1): 2 of 4 γ (50.0%) ended with |γ| < 0.05 — units switched off', value: 0.5 });
    const [none] = gammaNearZero(input([{ id: 'a', variant: 'only BN' }], {}, { a: snapshot([0.2, -0.2, 0.5, 1], [0, 0, 0, 0]) }));
    expect(none).toMatchObject({ statement: 'only BN (seed 1): 0 of 4 γ (0.0%) ended with |γ| < 0.05 — no unit was switched off', value: 0 });
    // A β-only layer reports γ ≡ 1 in its snapshot: those are not learned values to count.
    const betaOnly = updateNorm(bnMlp, (l) => ({ ...l, gamma: { ...l.gamma, use: 'absent' } }));
    expect(gammaNearZero(input([{ id: 'a', variant: 'v', spec: betaOnly }], {}, { a: snapshot([1, 1, 1, 1], [0, 0, 0, 0]) }))).toEqual([]);
    // Nor are γ frozen while random weights train in their place.
    const random = withTraining(bnMlp, { trainable: 'randomPerUnit' });
    expect(gammaNearZero(input([{ id: 'a', variant: 'v', spec: random }], {}, { a: snapshot([0.01, 1, 1, 1], [0, 0, 0, 0]) }))).toEqual([]);
  });
});

describe('parameters trained', () => {
  const key = metricKey.trainableParams;
  const runs = [
    { id: 'a', variant: 'train everything' },
    { id: 'b', variant: 'train only γ and β' },
    { id: 'c', variant: 'train 2 random weights per unit' },
  ];

  it('counts each variant, as a share of the largest, and names variants that trained as many', () => {
    const findings = trainedParameters(input(runs, { a: { [key]: [269_322] }, b: { [key]: [1024] }, c: { [key]: [1024] } }));
    expect(findings.map((f) => f.statement)).toEqual([
      'train everything: 269,322 parameters trained',
      'train only γ and β: 1,024 parameters trained (0.4% of the 269,322 of train everything) — as many as train 2 random weights per unit',
      'train 2 random weights per unit: 1,024 parameters trained (0.4% of the 269,322 of train everything) — as many as train only γ and β',
    ]);
    expect(findings.map((f) => f.value)).toEqual([269_322, 1024, 1024]);
    expect(findings[1]!.evidence).toEqual([{ runId: 'b', key }]);
  });

  it('changes with the counts: unequal budgets are not called equal', () => {
    const findings = trainedParameters(input(runs, { a: { [key]: [5000] }, b: { [key]: [1024] }, c: { [key]: [512] } }));
    expect(findings[2]!.statement).toBe('train 2 random weights per unit: 512 parameters trained (10.2% of the 5,000 of train everything)');
    expect(trainedParameters(input(runs, {}))).toEqual([]);
  });
});

describe('train vs eval statistics', () => {
  it('compares running-statistics and batch-statistics accuracy at the end', () => {
    const [f] = trainEvalGap(input([{ id: 'a', variant: 'batch 2' }], { a: { [acc]: [0.6], [metricKey.testAccBatchStats]: [0.8], [metricKey.trainAcc]: [0.85] } }));
    expect(f!.statement).toBe('batch 2: held-out accuracy 60.0% with running statistics vs 80.0% with batch statistics (training batches: 85.0%) — batch statistics 20.0 points higher');
    expect(f!.value).toBeCloseTo(0.2);
    const [g] = trainEvalGap(input([{ id: 'a', variant: 'batch 2' }], { a: { [acc]: [0.9], [metricKey.testAccBatchStats]: [0.7] } }));
    expect(g!.value).toBeCloseTo(-0.2);
    expect(g!.statement).toMatch(/batch statistics 20\.0 points lower$/);
    expect(trainEvalGap(one('a', [0.9]))).toEqual([]);
  });

  it('compares them at the first evaluation, per variant', () => {
    const data = input(
      [{ id: 'a', variant: 'Keras (momentum 0.99)' }, { id: 'b', variant: 'PyTorch (momentum 0.1)' }],
      { a: { [acc]: [0.12, 0.9], [metricKey.testAccBatchStats]: [0.85, 0.92] }, b: { [acc]: [0.84, 0.95], [metricKey.testAccBatchStats]: [0.86, 0.95] } },
    );
    const findings = firstEvalGap(data);
    expect(findings.map((f) => f.statement)).toEqual([
      'Keras (momentum 0.99): at the first evaluation (step 100) held-out accuracy was 12.0% with running statistics and 85.0% with batch statistics',
      'PyTorch (momentum 0.1): at the first evaluation (step 100) held-out accuracy was 84.0% with running statistics and 86.0% with batch statistics',
    ]);
    expect(findings[0]!.value).toBeCloseTo(0.73);
    expect(firstEvalGap(one('a', [0.5]))).toEqual([]);
  });
});

describe('the evaluation batch size', () => {
  const evalOne = withTraining(bnMlp, { evalBatchSize: 1 });
  const series = (accuracy: number, batchStats: number, examples: number) => ({ [acc]: [0.5, accuracy], [metricKey.testAccBatchStats]: [0.1, batchStats], [metricKey.testExamples]: [examples, examples] });
  const runs = [
    { id: 'a', variant: 'PyTorch (momentum 0.1)' },
    { id: 'b', variant: 'eval batches of 1 (PyTorch)', spec: evalOne },
  ];

  it('states running against single-example batch statistics on the examples read, beside chance and the run evaluated as usual', () => {
    const [f] = evalBatchEffect(input(runs, { a: series(0.951, 0.948, 10_000), b: series(0.956, 0.098, 500) }), 'eval batches of 1 (PyTorch)', 'PyTorch (momentum 0.1)');
    expect(f!.statement).toBe(
      "eval batches of 1 (PyTorch): evaluated one example at a time on 500 held-out examples, accuracy was 95.6% with running statistics and 9.8% with the batches' own statistics (chance: 10.0%); PyTorch (momentum 0.1), trained the same way and evaluated on 10,000 examples, scored 95.1% with running statistics and 94.8% with the statistics of batches of 32",
    );
    expect(f!.value).toBeCloseTo(0.098 - 0.956);
    expect(f!.unit).toBe('fraction');
  });

  it('follows the data, names other batch sizes, and gives nothing without the series', () => {
    const evalFour = withTraining(bnMlp, { evalBatchSize: 4 });
    const [f] = evalBatchEffect(input([{ id: 'b', variant: 'eval batches of 4', spec: evalFour }], { b: series(0.9, 0.7, 2000) }), 'eval batches of 4', 'missing');
    expect(f!.statement).toBe("eval batches of 4: evaluated in batches of 4 on 2,000 held-out examples, accuracy was 90.0% with running statistics and 70.0% with the batches' own statistics (chance: 10.0%)");
    expect(f!.value).toBeCloseTo(-0.2);
    expect(evalBatchEffect(one('b', [0.9]), 'v', 'missing')).toEqual([]);
  });
});

describe('pooling shifts statistics', () => {
  const cnn = specOf(smallCnn({ bn: true }));
  const stats = (before: string, m1: number, s1: number, m2: number, s2: number) => ({
    [metricKey.outputStat(before, 'mean')]: [m1],
    [metricKey.outputStat(before, 'std')]: [s1],
    [metricKey.outputStat('pool1', 'mean')]: [m2],
    [metricKey.outputStat('pool1', 'std')]: [s2],
  });

  it("compares the pooled output with the output of the layer right before the pooling, in each run's model", () => {
    const after = placeNorm(cnn, 'afterActivation');
    const data = input([{ id: 'a', variant: 'BN before ReLU', spec: cnn }, { id: 'b', variant: 'BN after ReLU', spec: after }], { a: stats('act1', 0.4, 0.6, 1.1, 0.7), b: stats('bn1', 0, 1, 0.9, 0.8) });
    const findings = poolingShift(data, 'pool1');
    expect(findings.map((f) => f.statement)).toEqual([
      "BN before ReLU: pool1 moved the mean of act1's output from 0.4 to 1.1 (+0.7) and its standard deviation from 0.6 to 0.7",
      "BN after ReLU: pool1 moved the mean of bn1's output from 0 to 0.9 (+0.9) and its standard deviation from 1 to 0.8",
    ]);
    expect(findings.map((f) => f.value)).toEqual([expect.closeTo(0.7), 0.9]);
  });

  it('gives nothing when a series or the pooling layer is missing', () => {
    expect(poolingShift(input([{ id: 'a', variant: 'v', spec: cnn }], { a: { [metricKey.outputStat('pool1', 'mean')]: [1] } }), 'pool1')).toEqual([]);
    expect(poolingShift(input([{ id: 'a', variant: 'v', spec: cnn }], { a: stats('act1', 0, 1, 1, 1) }), 'pool9')).toEqual([]);
  });
});
