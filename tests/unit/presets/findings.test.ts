/** Findings on synthetic results: every statement follows the data it is given. */
import { describe, expect, it } from 'vitest';
import { metricKey, type NormSnapshot } from '../../../shared/engine/frame';
import { divergence, finalAccuracy, gammaNearZero, stepsToAccuracy, trainEvalGap, undoFindings, beyondSeedNoise } from '../../../shared/presets/findings';
import type { FindingRun, FindingsInput } from '../../../shared/presets/types';
import { getPreset } from '../../../shared/presets';

type Series = Record<string, Record<string, number[]>>;

function input(runs: Array<Partial<FindingRun> & { id: string; variant: string }>, series: Series, snapshots: Record<string, NormSnapshot> = {}): FindingsInput {
  const spec = getPreset('ioffe-fig1')!.experiment({ quick: true }).runs[0]!;
  return {
    runs: runs.map((r) => ({ seed: 1, status: 'finished', step: 1000, error: null, spec, ...r })),
    series: (runId, key) => {
      const values = series[runId]?.[key];
      return values ? { steps: values.map((_, i) => (i + 1) * 100), values } : null;
    },
    snapshot: (runId) => snapshots[runId] ?? null,
  };
}

const acc = metricKey.testAcc;

describe('steps to a target accuracy', () => {
  it('names the step each variant reached it, or says it never did', () => {
    const data = input([{ id: 'a', variant: 'with BN' }, { id: 'b', variant: 'without BN' }], { a: { [acc]: [0.5, 0.91, 0.96] }, b: { [acc]: [0.3, 0.5, 0.7] } });
    const [bn, none] = stepsToAccuracy(data, 0.9);
    expect(bn!.statement).toBe('with BN: test accuracy reached 90.0% at step 200');
    expect(bn!.value).toBe(200);
    expect(none!.statement).toBe('without BN: test accuracy never reached 90.0% within 1,000 steps');
    expect(none!.value).toBeNull();
  });

  it('changes when the data changes', () => {
    const early = stepsToAccuracy(input([{ id: 'a', variant: 'v' }], { a: { [acc]: [0.95] } }), 0.9)[0]!;
    const late = stepsToAccuracy(input([{ id: 'a', variant: 'v' }], { a: { [acc]: [0.1, 0.2, 0.3, 0.95] } }), 0.9)[0]!;
    expect(early.value).toBe(100);
    expect(late.value).toBe(400);
    expect(early.statement).not.toBe(late.statement);
  });

  it('averages over seeds and counts the seeds that never got there', () => {
    const data = input([{ id: 'a', variant: 'v', seed: 1 }, { id: 'b', variant: 'v', seed: 2 }, { id: 'c', variant: 'v', seed: 3 }], { a: { [acc]: [0.95] }, b: { [acc]: [0.1, 0.95] }, c: { [acc]: [0.1] } });
    expect(stepsToAccuracy(data, 0.9)[0]!.statement).toBe('v: test accuracy reached 90.0% at step 150 (2 seeds: 100–200) (1 of 3 seeds never did)');
  });
});

describe('final accuracy and divergence', () => {
  it('reports final accuracy with seed spread, and diverged runs with their step', () => {
    const data = input(
      [{ id: 'a', variant: 'lr 0.1', seed: 1 }, { id: 'b', variant: 'lr 0.1', seed: 2 }, { id: 'c', variant: 'lr 10', status: 'diverged', step: 340 }],
      { a: { [acc]: [0.5, 0.9] }, b: { [acc]: [0.5, 0.8] }, c: { [acc]: [0.2, NaN] } },
    );
    const [ok, bad] = finalAccuracy(data);
    expect(ok!.statement).toBe('lr 0.1: final test accuracy 85.0% (2 seeds: 80.0%–90.0%)');
    expect(bad!.statement).toBe('lr 10: final test accuracy 20.0%; diverged at step 340');
    expect(divergence(data).statement).toBe('1 of 3 runs diverged: lr 10 at step 340');
    expect(divergence(input([{ id: 'a', variant: 'x' }], {})).statement).toBe('none of the 1 runs diverged');
  });

  it('says whether a difference is larger than seed noise', () => {
    const runs = [{ id: 'a', variant: 'A', seed: 1 }, { id: 'b', variant: 'A', seed: 2 }, { id: 'c', variant: 'B', seed: 1 }, { id: 'd', variant: 'B', seed: 2 }];
    const clear = beyondSeedNoise(input(runs, { a: { [acc]: [0.9] }, b: { [acc]: [0.91] }, c: { [acc]: [0.7] }, d: { [acc]: [0.71] } }))!;
    expect(clear.statement).toMatch(/A beats B by 20\.0% .* larger than seed noise/);
    const noisy = beyondSeedNoise(input(runs, { a: { [acc]: [0.9] }, b: { [acc]: [0.6] }, c: { [acc]: [0.8] }, d: { [acc]: [0.7] } }))!;
    expect(noisy.statement).toMatch(/within seed noise/);
  });
});

describe('undo and γ near zero (from end-of-run snapshots)', () => {
  const snapshot = (gamma: number[], beta: number[]): NormSnapshot => ({
    step: 1000,
    layers: [{ id: 'bn1', gamma, beta, runningMean: [1, 2, 3, 4], runningVar: [4, 4, 4, 4], batchMean: [0, 0, 0, 0], batchVar: [1, 1, 1, 1], epsilon: 0 }],
  });

  it('measures how close γ and β came to undoing BN', () => {
    const undone = undoFindings(input([{ id: 'a', variant: 'v' }], {}, { a: snapshot([2, 2, 2.1, 0.5], [1, 2, 3, 0]) }))[0]!;
    expect(undone.value).toBe(0.75);
    expect(undone.statement).toBe('v (seed 1), bn1: γ/√(σ²+ε) ended between 0.25 and 1.05; 3 of 4 units (75.0%) are within 10% of undoing the normalization — mostly undone');
    const notUndone = undoFindings(input([{ id: 'a', variant: 'v' }], {}, { a: snapshot([0.5, 0.6, 0.7, 0.8], [0, 0, 0, 0]) }))[0]!;
    expect(notUndone.value).toBe(0);
    expect(notUndone.statement).toMatch(/BN was not undone$/);
  });

  it('counts γ that ended near zero', () => {
    const [f] = gammaNearZero(input([{ id: 'a', variant: 'only BN' }], {}, { a: snapshot([0.01, -0.02, 0.5, 1], [0, 0, 0, 0]) }));
    expect(f!.statement).toBe('only BN (seed 1): 2 of 4 γ (50.0%) ended with |γ| < 0.05 — units switched off');
  });
});

describe('train vs eval gap', () => {
  it('compares running-statistics and batch-statistics accuracy', () => {
    const [f] = trainEvalGap(input([{ id: 'a', variant: 'batch 2' }], { a: { [acc]: [0.6], [metricKey.testAccBatchStats]: [0.8], [metricKey.trainAcc]: [0.85] } }));
    expect(f!.statement).toBe('batch 2: held-out accuracy 60.0% with running statistics vs 80.0% with batch statistics (training batches: 85.0%) — a gap of 20.0%');
    expect(f!.value).toBeCloseTo(0.2);
  });
});
